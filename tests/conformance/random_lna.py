"""Random cases of the ``lna`` family (lna.py) from the run's seed.

The fixed table varies one thing at a time from a public https page; these mix the page's
address space (public, local, loopback: the page on that space's port), the target's, the
decided permission states (every permission granted or denied: never a prompt, which Firefox
would leave open for ``network.lna.prompt.timeout``), the page's scheme (https, or http: not a
secure context), the request (a simple GET, a preflighted PUT or JSON POST) and the CORS answer
(ACAO of the page, ``*``, none, another origin, ``null``; ACAC; 404 / 500; a preflight that
allows everything, ``*``, or refuses). Compared exactly as the fixed cases, in Chromium and
Firefox (WebKit has no Local Network Access).

The stream is ``random.Random(f"{SEED}:lna")``: the same cases for the same seed
(``PYTEST_CORS_SEED``), their number from ``PYTEST_CORS_RANDOM_LNA_COUNT``.
"""

from __future__ import annotations

import os
import random

from .lna import DECIDED, LnaCase
from .randomized import SEED
from .randomized import replay_hint as random_replay_hint
from .server import EVIL_HOST, Resp, Step

COUNT_ENV = "PYTEST_CORS_RANDOM_LNA_COUNT"
DEFAULT_COUNT = 12

SPACES = ("public", "local", "loopback")
GRANTS = tuple(sorted(DECIDED))
ACAO = {
    "origin": ("Access-Control-Allow-Origin: {ORIGIN}",),
    "star": ("Access-Control-Allow-Origin: *",),
    "none": (),
    "other": (f"Access-Control-Allow-Origin: https://{EVIL_HOST}",),
    "null": ("Access-Control-Allow-Origin: null",),
}
STATUSES = (200, 200, 200, 404, 500)
#: A request: its method and headers (GET simple; PUT and a JSON POST preflighted).
REQUESTS = {
    "get": ("GET", ()),
    "put": ("PUT", (("X-Custom", "1"),)),
    "post-json": ("POST", (("Content-Type", "application/json"),)),
}
PREFLIGHTS = {
    "all": ("Access-Control-Allow-Origin: {ORIGIN}", "Access-Control-Allow-Methods: PUT, POST",
            "Access-Control-Allow-Headers: x-custom, content-type",
            "Access-Control-Allow-Private-Network: true"),
    "star": ("Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: *",
             "Access-Control-Allow-Headers: *"),
    "refuse": ("Access-Control-Allow-Origin: {ORIGIN}",),
}  # fmt: skip


def _case(rng: random.Random, index: int, seed: int) -> LnaCase:
    page_space, space = rng.choice(SPACES), rng.choice(SPACES)
    grant = rng.choice(GRANTS)
    secure = rng.random() < 0.75
    request = rng.choice(sorted(REQUESTS))
    method, headers = REQUESTS[request]
    acao, status = rng.choice(sorted(ACAO)), rng.choice(STATUSES)
    credentials = rng.random() < 0.3
    preflight = rng.choice(sorted(PREFLIGHTS))
    lines = ("Content-Type: text/plain", *ACAO[acao])
    if credentials:
        lines += ("Access-Control-Allow-Credentials: true",)
    step = Step(Resp(status, lines, b"ok"), Resp(204, PREFLIGHTS[preflight], b""))
    title = (
        f"random (seed {seed}): {'https' if secure else 'http'} {page_space} page to "
        f"{space}, {grant}, {request}, answer {status} acao={acao} "
        f"acac={credentials} preflight={preflight}"
    )
    return LnaCase(f"lna-rnd-{index:03d}", title, space, grant, method, secure,
                   page_space=page_space, step=step, headers=headers)  # fmt: skip


def generate(seed: int, count: int = DEFAULT_COUNT) -> list[LnaCase]:
    """``count`` cases, the same ones for the same seed."""
    rng = random.Random(f"{seed}:lna")
    return [_case(rng, index, seed) for index in range(count)]


def replay_hint(case: LnaCase) -> str:
    """For a random case's failure: the seed that made it and how to replay it."""
    return random_replay_hint(case.sid, "lna-rnd-", COUNT_ENV, len(RANDOM_LNA_CASES))


RANDOM_LNA_CASES = generate(SEED, int(os.environ.get(COUNT_ENV, DEFAULT_COUNT)))
