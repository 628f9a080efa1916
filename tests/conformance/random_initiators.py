"""Random ``initiators`` cases from the run's seed: an initiator, its options and a server answer
that is often subtly wrong, all mixed (the fixed table varies one of them at a time).

Each case picks an initiator (an element with a ``crossorigin`` value, XHR with
``withCredentials``, a method, a body, a content type and an upload listener, EventSource with
``withCredentials``, ``sendBeacon`` with a body type) and answers it with CORS lines drawn from
near misses (``Access-Control-Allow-Origin`` of another origin, ``null``, a trailing slash, two
lines, ``*`` with credentials, ``Access-Control-Allow-Credentials: True``), a status (200, 404,
500) and sometimes a redirect first: to the resource's own origin, to another one (the request
is then tainted: ``Origin: null``), or back to the page's origin.

The stream is the run's seed (``PYTEST_CORS_SEED``) on a family stream of its own, so a
disagreement replays exactly; the count is ``PYTEST_CORS_RANDOM_INITIATORS_COUNT``.
"""

from __future__ import annotations

import os
import random

from .initiators import CROSSORIGINS, ELEMENTS, Case
from .randomized import SEED, SEED_ENV

COUNT_ENV = "PYTEST_CORS_RANDOM_INITIATORS_COUNT"
#: Each case runs in three browsers, all in one page per engine: 200 cases were measured to
#: add under 10 s to the module's wall time, so 60 stays well inside its budget.
DEFAULT_COUNT = 60
KINDS = (*ELEMENTS, "xhr", "eventsource", "beacon")

#: ``Access-Control-Allow-Origin`` answers, right and nearly right (``{ORIGIN}``: the page's).
ACAO_CHOICES: tuple[tuple[str, ...], ...] = (
    ("Access-Control-Allow-Origin: {ORIGIN}",),
    ("Access-Control-Allow-Origin: {ORIGIN}",),
    ("Access-Control-Allow-Origin: *",),
    ("Access-Control-Allow-Origin: null",),
    (),
    ("Access-Control-Allow-Origin: {ORIGIN}/",),
    ("Access-Control-Allow-Origin: {EVIL}",),
    ("Access-Control-Allow-Origin: {LOCAL2}",),
    ("Access-Control-Allow-Origin: localhost",),  # not a URL at all
    ("Access-Control-Allow-Origin: {ORIGIN}", "Access-Control-Allow-Origin: {ORIGIN}"),
    ("Access-Control-Allow-Origin: {ORIGIN}", "Access-Control-Allow-Origin: *"),
)
ACAC_CHOICES: tuple[tuple[str, ...], ...] = (
    ("Access-Control-Allow-Credentials: true",),
    ("Access-Control-Allow-Credentials: true",),
    ("Access-Control-Allow-Credentials: True",),
    (),
)
STATUSES = (200, 200, 200, 404, 500)
#: Where a redirect sends the page: the resource's origin, another loopback origin (tainting
#: the request's origin), the page's own origin (cross-origin to the hop, so tainted too).
REDIRECT_TARGETS = ("{LOCAL2}", "http://127.0.0.1:{PORT2}", "{LOCAL}")
REDIRECT_STATUSES = (302, 307)


def initiator_options(rng: random.Random, kind: str) -> dict[str, object]:
    """The initiator's own options, drawn for ``kind``."""
    if kind in ELEMENTS:
        # @font-face has no crossorigin attribute
        return {"crossorigin": None if kind == "font" else rng.choice(CROSSORIGINS)}
    if kind == "eventsource":
        return {"with_credentials": rng.random() < 0.5}
    if kind == "beacon":
        return {
            "body": "x",
            "content_type": rng.choice((None, "text/plain", "application/json")),
        }
    method = rng.choice(("GET", "GET", "POST"))
    post = method == "POST"
    return {
        "with_credentials": rng.random() < 0.5,
        "method": method,
        "body": "x" if post else None,
        "content_type": rng.choice((None, "text/plain", "application/json")) if post else None,
        "upload_listener": post and rng.random() < 0.5,
    }


def cors_answer(rng: random.Random) -> tuple[str, ...]:
    lines = [*rng.choice(ACAO_CHOICES)]
    if rng.random() < 0.6:
        lines += rng.choice(ACAC_CHOICES)
    if rng.random() < 0.5:
        lines.append("Vary: Origin")
    return tuple(lines)


def _redirect(rng: random.Random, kind: str) -> tuple[int, str] | None:
    # Not for a beacon: its keepalive POST is sent after the page script returns and its
    # redirect is followed (or not) where the page cannot see it; the fixed family has none.
    if kind == "beacon" or rng.random() >= 0.25:
        return None
    return rng.choice(REDIRECT_STATUSES), rng.choice(REDIRECT_TARGETS)


def generate(seed: int, count: int = DEFAULT_COUNT) -> list[Case]:
    """``count`` cases, the same ones for the same seed (a stream of this family's own)."""
    rng = random.Random(f"{seed}:initiators")
    out = []
    for index in range(count):
        kind = rng.choice(KINDS)
        options = initiator_options(rng, kind)
        out.append(
            Case(
                f"ini-rnd-{index:03d}",
                kind,
                "none",
                cors_lines=cors_answer(rng),
                status=rng.choice(STATUSES),
                redirect=_redirect(rng, kind),
                title=f"random initiator #{index} (seed {seed}; replay: {SEED_ENV}={seed})",
                **options,  # type: ignore[arg-type]
            )
        )
    return out


RANDOM_INITIATOR_CASES: list[Case] = generate(SEED, int(os.environ.get(COUNT_ENV, DEFAULT_COUNT)))
