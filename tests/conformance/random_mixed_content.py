"""Random cases of the ``mixed-content`` family (mixed_content.py) from the run's seed.

The fixed table checks one thing at a time (a fetch() to http, an image to http ...); these mix
the initiator, its ``crossorigin``, the URL's scheme and host (the API's name, the loopback
names, an https URL redirected to http), the CORS answer the server gives (ACAO of the page, ``*``,
none, another origin, ``null``, a trailing slash, twice; ACAC ``true`` / ``True``; 404 / 500)
and, for fetch(), the method, headers and credentials: a preflighted fetch() to an http URL
must still be blocked before the preflight, the same one to https must pass or fail on its
CORS answer. Each case runs in all three engines and is compared exactly as a fixed one.

The stream is ``random.Random(f"{SEED}:mixed-content")``: the same cases for the same seed
(``PYTEST_CORS_SEED``), their number from ``PYTEST_CORS_RANDOM_MIXED_COUNT``.
"""

from __future__ import annotations

import os
import random

from .initiators import Case
from .mixed_content import MixCase
from .randomized import SEED
from .randomized import replay_hint as random_replay_hint
from .server import EVIL_HOST, Resp, Step

COUNT_ENV = "PYTEST_CORS_RANDOM_MIXED_COUNT"
DEFAULT_COUNT = 24

KINDS = ("fetch", "fetch", "fetch", "xhr", "img", "script", "stylesheet", "font", "audio", "video")
CROSSORIGINS: tuple[str | None, ...] = (None, "anonymous", "use-credentials")
#: The URL: the API's name over http (mixed content) or https, the two loopback names over http
#: (potentially trustworthy), an https URL answering a redirect to http.
TARGETS = ("http", "http", "https", "https", "loop", "localhost", "redirect")
#: The served response's ACAO lines; ``{ORIGIN}`` is the page's origin.
ACAO = {
    "origin": ("Access-Control-Allow-Origin: {ORIGIN}",),
    "star": ("Access-Control-Allow-Origin: *",),
    "none": (),
    "other": (f"Access-Control-Allow-Origin: https://{EVIL_HOST}",),
    "null": ("Access-Control-Allow-Origin: null",),
    "slash": ("Access-Control-Allow-Origin: {ORIGIN}/",),
    "twice": ("Access-Control-Allow-Origin: {ORIGIN}", "Access-Control-Allow-Origin: {ORIGIN}"),
}
ACAC = {"none": (), "true": ("Access-Control-Allow-Credentials: true",),
        "True": ("Access-Control-Allow-Credentials: True",)}  # fmt: skip
STATUSES = (200, 200, 200, 404, 500)
METHODS = ("GET", "GET", "POST", "PUT", "DELETE")
HEADERS = (("X-Custom", "1"), ("Content-Type", "application/json"), ("Accept", "text/plain"))
CREDENTIALS = ("omit", "same-origin", "include")
#: What the preflight (to an https URL) answers: allow everything for the page, ``*`` (no
#: good with credentials), the method only, or nothing.
PREFLIGHTS = {
    "origin-all": ("Access-Control-Allow-Origin: {ORIGIN}",
                   "Access-Control-Allow-Credentials: true",
                   "Access-Control-Allow-Methods: GET, POST, PUT, DELETE",
                   "Access-Control-Allow-Headers: x-custom, content-type"),
    "star": ("Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: *",
             "Access-Control-Allow-Headers: *"),
    "methods-only": ("Access-Control-Allow-Origin: {ORIGIN}",
                     "Access-Control-Allow-Methods: PUT, DELETE"),
    "none": (),
}  # fmt: skip


def _element_step(sid: str, kind: str, crossorigin: str | None, lines: tuple[str, ...],
                  status: int) -> Step:  # fmt: skip
    """The element's own body and type (a PNG, a script ...) under the random CORS lines."""
    base = Case(sid, kind, "none", crossorigin).step()
    actual = Resp(status, (*base.actual.lines, *lines), base.actual.body)
    return Step(actual, base.preflight)


def _case(rng: random.Random, index: int, seed: int) -> MixCase:
    sid = f"mix-rnd-{index:03d}"
    kind = rng.choice(KINDS)
    target = rng.choice(TARGETS)
    acao, acac = rng.choice(sorted(ACAO)), rng.choice(sorted(ACAC))
    lines = ACAO[acao] + ACAC[acac]
    status = rng.choice(STATUSES)
    if kind in ("audio", "video"):
        # a media element given an error status or a refused CORS answer may retry with a
        # range request or not, as its buffering decides: only a usable answer is mixed in
        status = 200
        if target in ("https", "redirect"):
            lines = ACAO["origin"] + ACAC["true"]
    crossorigin = None if kind in ("fetch", "xhr", "font") else rng.choice(CROSSORIGINS)
    method, headers, body, credentials = "GET", None, None, "omit"
    if kind == "fetch":
        method = rng.choice(METHODS)
        picked = rng.sample(HEADERS, rng.randint(0, 2))
        headers = tuple(sorted(picked))
        body = "x" if method in ("POST", "PUT") else None
        credentials = rng.choice(CREDENTIALS)
    elif kind == "xhr":
        method = rng.choice(("GET", "GET", "PUT"))
    preflight_answer = rng.choice(sorted(PREFLIGHTS))
    text = "ok" if kind in ("fetch", "xhr") else ""
    if kind in ("fetch", "xhr"):
        step = Step(Resp(status, ("Content-Type: text/plain", *lines), text.encode()),
                    Resp(204, PREFLIGHTS[preflight_answer], b""))  # fmt: skip
    else:
        step = _element_step(sid, kind, crossorigin, lines, status)
    hop = None
    hop_answer = "-"
    if target == "redirect":
        hop_answer = rng.choice(("star", "origin", "none"))
        hop = Resp(rng.choice((302, 307)), ACAO[hop_answer] + ACAC[acac], b"")
    title = (
        f"random (seed {seed}): {kind} co={crossorigin} to {target}, {method} "
        f"headers={[n for n, _ in headers or ()]} credentials={credentials}, answer "
        f"{status} acao={acao} acac={acac} preflight={preflight_answer} hop={hop_answer}"
    )
    return MixCase(sid, title, kind, target, crossorigin, method, step=step, hop=hop,
                   headers=headers if kind == "fetch" else None, body=body,
                   credentials=credentials)  # fmt: skip


def generate(seed: int, count: int = DEFAULT_COUNT) -> list[MixCase]:
    """``count`` cases, the same ones for the same seed."""
    rng = random.Random(f"{seed}:mixed-content")
    return [_case(rng, index, seed) for index in range(count)]


def replay_hint(case: MixCase) -> str:
    """For a random case's failure: the seed that made it and how to replay it."""
    return random_replay_hint(case.sid, "mix-rnd-", COUNT_ENV, len(RANDOM_MIXED_CASES))


RANDOM_MIXED_CASES = generate(SEED, int(os.environ.get(COUNT_ENV, DEFAULT_COUNT)))
