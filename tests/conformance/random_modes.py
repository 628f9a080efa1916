"""Random scenarios for the ``modes`` family: ``mode`` x ``redirect`` mixed with everything else.

The fixed table (modes.py) tests one request mode or redirect mode at a time against a plain
answer. These mix them with a method (safelisted or not), request headers (in ``no-cors`` mode
a header the browser silently drops is declared in ``drops``), the credentials mode, CORS
answers that are often subtly wrong (the pools of randomized.py), up to two redirect hops of
every status to the page's own origin or another, and a URL of the page's origin or another.

Generated from the run's seed (randomized.SEED) on a stream of their own, so a disagreement
replays with ``PYTEST_CORS_SEED=<seed>``. One ``fetch()`` per scenario: a second one would meet
the preflight cache, which Firefox honours only once a page is past its start-up misses (a
matter of timing, see ``Firefox._warm_up``) and which the fixed table covers on its own.
"""

from __future__ import annotations

import os
import random

from .randomized import _ACAC, _ACAO, SEED, _allow_list, _pick_lines, _response
from .scenarios import ACAC_TRUE, ACAO_ORIGIN, TEXT, Fetch, Scenario, permissive_preflight
from .server import Resp, Step

COUNT_ENV = "PYTEST_CORS_RANDOM_MODES_COUNT"
DEFAULT_COUNT = 60
FAMILY = "random-modes"

MODES = ("cors", "no-cors", "same-origin")
REDIRECTS = ("follow", "manual", "error")
METHODS = ("GET", "HEAD", "POST", "PUT", "put", "DELETE", "PATCH", "patch")
CREDENTIALS = ("omit", "same-origin", "include")
#: The methods fetch() upper-cases (``patch`` stays as written).
_NORMALISED = ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: The page's own origin, per page (the opaque page has none a URL could name).
OWN_ORIGIN = {"app": "{APP}", "app2": "{APP2}", "evil": "{EVIL}", "null": None}
#: Where a URL or a redirect may point besides the page's own origin.
OTHER_ORIGINS = ("{API}", "{API2}", "{OTHER}", "{APP}")

#: Request headers, each with whether a ``no-cors`` request keeps it (a no-CORS-safelisted
#: name with a safelisted value); the rest fetch() drops silently in that mode.
HEADERS: tuple[tuple[str, str, bool], ...] = (
    ("Accept", "application/json", True),
    ("Accept", "a" * 129, False),  # over the 128-byte limit: not safelisted
    ("Accept-Language", "de", True),
    ("Content-Language", "en-US", True),
    ("Content-Type", "text/plain", True),
    ("Content-Type", "application/x-www-form-urlencoded", True),
    ("Content-Type", "application/json", False),
    ("Range", "bytes=0-1", False),  # CORS-safelisted, but not kept by no-cors
    ("X-Custom", "1", False),
    ("Authorization", "Bearer t", False),
    ("Cache-Control", "no-cache", False),
)


def _headers(rng: random.Random, method: str, mode: str) -> tuple[tuple[str, str], ...]:
    """Up to three request headers of distinct names (a repeat would join the values)."""
    chosen: dict[str, tuple[str, str, bool]] = {}
    for entry in rng.sample(HEADERS, rng.choice([0, 0, 1, 1, 2, 3])):
        chosen.setdefault(entry[0], entry)
    picked = list(chosen.values())
    if method.upper() in ("GET", "HEAD"):
        picked = [h for h in picked if h[0] != "Content-Type"]  # no body to describe
    if mode == "no-cors" and method.upper() not in ("GET", "HEAD", "POST"):
        # fetch() throws on the method first; a dropped header would test nothing more
        picked = [h for h in picked if h[2]]
    return tuple((name, value) for name, value, _ in picked)


def _fetch(rng: random.Random) -> Fetch:
    mode = rng.choice(MODES)
    method = rng.choice(METHODS)
    headers = _headers(rng, method, mode)
    body = None if method.upper() in ("GET", "HEAD") else rng.choice([None, "x"])
    drops: tuple[str, ...] = ()
    if mode == "no-cors":
        kept = {(name, value) for name, value, keeps in HEADERS if keeps}
        drops = tuple(name for name, value in headers if (name, value) not in kept)
    return Fetch(
        method,
        headers,
        rng.choice(CREDENTIALS),
        body,
        drops=drops,
        mode=mode,
        redirect=rng.choice(REDIRECTS),
    )


def _good(fetch: Fetch) -> tuple[Resp, Resp]:
    """A preflight and an actual answer that let this request through."""
    extra = (ACAC_TRUE,) if fetch.credentials == "include" else ()
    # credentialed: "*" is a literal name, so list the method and the headers themselves
    names = ", ".join(n for n, _ in fetch.headers) or "X-None"
    upper = fetch.method.upper()
    method = upper if upper in _NORMALISED else fetch.method  # what fetch() sends
    pre = permissive_preflight(method, names, *extra)
    return pre, Resp(200, (ACAO_ORIGIN, *extra, TEXT))


def _random_preflight(rng: random.Random, fetch: Fetch) -> Resp:
    lines = _pick_lines(rng, _ACAO)
    if fetch.credentials == "include" or rng.random() < 0.3:
        lines += _pick_lines(rng, _ACAC)
    methods = _allow_list(rng, [fetch.method], ["GET", "POST", "DELETE", "PUT"])
    if methods is not None:
        lines.append(f"Access-Control-Allow-Methods: {methods}")
    names = _allow_list(rng, [n for n, _ in fetch.headers], ["X-Custom", "Authorization"])
    if names is not None:
        lines.append(f"Access-Control-Allow-Headers: {names}")
    return Resp(rng.choice([200, 204, 204, 204, 403, 500]), tuple(lines), b"")


def _answers(rng: random.Random, fetch: Fetch, status: int) -> tuple[Resp, Resp]:
    """One URL's preflight and actual answer: half the time right, else often subtly wrong."""
    include = fetch.credentials == "include"
    if rng.random() < 0.5:
        pre, actual = _good(fetch)
        return pre, Resp(status, actual.lines, actual.body)
    return _random_preflight(rng, fetch), _response(rng, include, status)


def _steps(rng: random.Random, fetch: Fetch, own: str | None) -> dict[str, Step]:
    """Up to two redirect hops (``a`` -> ``b`` -> ``c``), each to the page's origin or another."""
    hops = rng.choice([0, 0, 0, 1, 1, 2])
    names = "abc"[: hops + 1]
    steps: dict[str, Step] = {}
    for i, name in enumerate(names):
        if name == names[-1]:
            pre, actual = _answers(rng, fetch, rng.choice([200, 200, 200, 201, 204, 404, 500]))
        else:
            status = rng.choice(REDIRECT_STATUSES)
            target = own if own is not None and rng.random() < 0.35 else rng.choice(OTHER_ORIGINS)
            pre, hop = _answers(rng, fetch, status)
            location = f"Location: {target}/s/{{SID}}/{names[i + 1]}"
            actual = Resp(status, (location, *hop.lines), b"")
        steps[name] = Step(actual, pre)
    return steps


def generate(seed: int, count: int = DEFAULT_COUNT) -> list[Scenario]:
    """``count`` scenarios ``rnd-modes-NNN``, the same ones for the same seed."""
    rng = random.Random(f"{seed}:modes")
    scenarios = []
    for i in range(count):
        fetch = _fetch(rng)
        page = rng.choice(("app", "app", "app2", "evil", "null"))
        own = OWN_ORIGIN[page]
        same = own is not None and rng.random() < 0.35
        url = f"{own if same else rng.choice(OTHER_ORIGINS)}/s/{{SID}}/a"
        steps = _steps(rng, fetch, own)
        title = (
            f"random modes #{i} (seed {seed}): mode={fetch.mode} redirect={fetch.redirect} "
            f"{fetch.method} credentials={fetch.credentials}, {len(steps) - 1} redirect(s)"
        )
        scenarios.append(Scenario(f"rnd-modes-{i:03d}", FAMILY, title, (fetch,), steps, page, url))
    return scenarios


RANDOM_MODE_SCENARIOS = generate(SEED, int(os.environ.get(COUNT_ENV, DEFAULT_COUNT)))
