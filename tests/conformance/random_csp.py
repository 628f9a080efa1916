"""Random scenarios for the ``csp`` family: random page policies against random fetches.

The fixed table (csp_scenarios.py) tries one source expression or directive rule at a time.
These build whole policies from the origins the scenario server uses (``'self'``, full
origins, hosts with and without scheme or port, ``*.example.org:*`` wildcards, scheme sources,
path prefixes, ``'none'``; ``connect-src`` and ``default-src`` together or alone, unrelated
directives, a repeated directive, two policies) and point a ``fetch()`` at the page's own
origin, the API or another origin, answered with CORS answers that are often subtly wrong,
sometimes through a redirect whose ``Location`` the policy is checked against again.

Generated from the run's seed (randomized.SEED) on a stream of their own, so a disagreement
replays with ``PYTEST_CORS_SEED=<seed>``.
"""

from __future__ import annotations

import os
import random

from .csp_scenarios import csp_page
from .randomized import _ACAC, _ACAO, SEED, _allow_list, _pick_lines, _response
from .scenarios import ACAC_TRUE, ACAO_ORIGIN, TEXT, Fetch, Scenario, permissive_preflight
from .server import Resp, Step

COUNT_ENV = "PYTEST_CORS_RANDOM_CSP_COUNT"
DEFAULT_COUNT = 10
FAMILY = "random-csp"
#: Page numbers (``|n:<i>``) of random scenarios start here, clear of the fixed table's.
FIRST_PAGE_NUMBER = 1000

#: The page's own origin per base page. The opaque page has none a URL could name, and no URL
#: here is its page URL's origin, which is what its ``'self'`` means to a browser (the engine,
#: given the origin ``null``, matches nothing with it).
OWN_ORIGIN = {"app": "{APP}", "app2": "{APP2}", "null": None}
TARGETS = ("{API}", "{API2}", "{OTHER}", "{EVIL}")
DIRECTIVES = ("connect-src", "default-src", "script-src", "img-src")
#: Source expressions built from the scenario server's hosts and ports. No ``{SID}``: the page's
#: policy is filled in without one. ``'none'`` is only ever a list of its own (``_sources``): with
#: other sources it is ignored with a parse warning, which WebKit logs without a URL (and its
#: console lines would then go to the scenario).
SOURCES = (
    "'self'",
    "*",
    "{API}",
    "{API2}",
    "{OTHER}",
    "{APP}",
    "{EVIL}",
    "http://api.example.org:*",
    "api.example.org:*",  # no scheme: the page's
    "api.example.org",  # no port: the scheme's default, which no scenario URL uses
    "http://api.example.org:{PORT2}",
    "*.example.org:*",
    "*.example.com:*",
    "http://*.example.com:*",
    "*.example.net:{PORT}",
    "http:",
    "https:",
    "{API}/s/",  # a path prefix every scenario URL of the API has
    "{API}/s",  # an exact path no scenario URL has
    "{API}/other/",
    "{OTHER}/x",
    "HTTP://API.EXAMPLE.ORG:*",
)
#: Host sources written without a scheme: the page's scheme applies. Not on the opaque page:
#: there Chromium and Firefox take the page URL's scheme (``http``) and WebKit matches none
#: (measured: seed 3 rnd-csp-005, ``*.example.org:*``), while the engine, given only the origin
#: ``null``, cannot know that scheme (it matches none, as WebKit).
SCHEMELESS = frozenset(
    {"api.example.org:*", "api.example.org", "*.example.org:*", "*.example.com:*",
     "*.example.net:{PORT}"}
)  # fmt: skip
METHODS = ("GET", "GET", "POST", "PUT", "DELETE")
CREDENTIALS = ("omit", "same-origin", "include")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def _sources(rng: random.Random, opaque: bool) -> str:
    if rng.random() < 0.12:
        return "'none'"
    pool = [s for s in SOURCES if not (opaque and s in SCHEMELESS)]
    return " ".join(rng.sample(pool, rng.choice([1, 1, 2, 2, 3])))


def _policy_of(rng: random.Random, opaque: bool) -> str:
    """One serialized policy: one to three directives, the fetch's own usually among them."""
    names = rng.sample(DIRECTIVES, rng.choice([1, 1, 2, 2, 3]))
    if not {"connect-src", "default-src"} & set(names) and rng.random() < 0.7:
        names[0] = rng.choice(["connect-src", "default-src"])
    if rng.random() < 0.1:
        names.append(names[0])  # a repeated directive: the first one counts
    return "; ".join(f"{name} {_sources(rng, opaque)}" for name in names)


def policy(rng: random.Random, opaque: bool = False) -> str:
    """A page's ``Content-Security-Policy`` value: usually one policy, sometimes two."""
    return ", ".join(_policy_of(rng, opaque) for _ in range(rng.choice([1, 1, 1, 1, 2])))


def _fetch(rng: random.Random) -> Fetch:
    method = rng.choice(METHODS)
    headers = (("X-Custom", "1"),) if rng.random() < 0.25 else ()
    body = None if method == "GET" else "x"
    return Fetch(method, headers, rng.choice(CREDENTIALS), body)


def _answers(rng: random.Random, fetch: Fetch, status: int) -> tuple[Resp, Resp]:
    """One URL's preflight and actual answer: half the time right, else often subtly wrong."""
    include = fetch.credentials == "include"
    if rng.random() < 0.5:
        extra = (ACAC_TRUE,) if include else ()
        pre = permissive_preflight(fetch.method, "X-Custom", *extra)
        return pre, Resp(status, (ACAO_ORIGIN, *extra, TEXT))
    lines = _pick_lines(rng, _ACAO)
    if include:
        lines += _pick_lines(rng, _ACAC)
    methods = _allow_list(rng, [fetch.method], ["GET", "POST", "PUT"])
    if methods is not None:
        lines.append(f"Access-Control-Allow-Methods: {methods}")
    names = _allow_list(rng, [n for n, _ in fetch.headers], ["X-Custom", "X-Other"])
    if names is not None:
        lines.append(f"Access-Control-Allow-Headers: {names}")
    pre = Resp(rng.choice([204, 204, 204, 500]), tuple(lines), b"")
    return pre, _response(rng, include, status)


def generate(seed: int, count: int = DEFAULT_COUNT) -> list[Scenario]:
    """``count`` scenarios ``rnd-csp-NNN``, the same ones for the same seed."""
    rng = random.Random(f"{seed}:csp")
    scenarios = []
    for i in range(count):
        fetch = _fetch(rng)
        base = rng.choice(("app", "app", "app2", "null"))
        own = OWN_ORIGIN[base]
        text = policy(rng, opaque=own is None)
        if own is not None and rng.random() < 0.25:
            url = f"{own}/s/{{SID}}/a"
        else:
            url = f"{rng.choice(TARGETS)}/s/{{SID}}/a"
        pre, actual = _answers(rng, fetch, rng.choice([200, 200, 200, 204, 404, 500]))
        steps = {"a": Step(actual, pre)}
        if rng.random() < 0.35:
            status = rng.choice(REDIRECT_STATUSES)
            where = own if own is not None and rng.random() < 0.25 else rng.choice(TARGETS)
            hop_pre, hop = _answers(rng, fetch, status)
            location = f"Location: {where}/s/{{SID}}/b"
            steps = {"a": Step(Resp(status, (location, *hop.lines), b""), hop_pre), "b": steps["a"]}
        title = (
            f"random csp #{i} (seed {seed}): {fetch.method} credentials={fetch.credentials}, "
            f"{len(steps) - 1} redirect(s) [{text}]"
        )
        page = csp_page(text, FIRST_PAGE_NUMBER + i, base)
        scenarios.append(Scenario(f"rnd-csp-{i:03d}", FAMILY, title, (fetch,), steps, page, url))
    return scenarios


RANDOM_CSP_SCENARIOS = generate(SEED, int(os.environ.get(COUNT_ENV, DEFAULT_COUNT)))
