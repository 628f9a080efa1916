"""Random scenarios from a seed: fresh request and response header sets on every run.

The systematic table covers each rule on its own; this mixes them (a credentialed PATCH with a
tainted redirect and a half-right Allow-Headers ...). The seed comes from ``PYTEST_CORS_SEED``
when set, so any disagreement can be replayed exactly; otherwise a new one per run, printed in
the report header and the terminal summary.
"""

from __future__ import annotations

import os
import random

from .duplicates import DEFAULT_DUP_COUNT, DUP_COUNT_ENV, generate_duplicates
from .scenarios import PAGES, Fetch, Scenario
from .server import Resp, Step

SEED_ENV = "PYTEST_CORS_SEED"
COUNT_ENV = "PYTEST_CORS_RANDOM_COUNT"
DEFAULT_COUNT = 200


def run_seed() -> int:
    """The seed of this run: the env var, else one shared by all xdist workers of the run."""
    value = os.environ.get(SEED_ENV)
    if value:
        return int(value)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id:
        return int(run_id[:8], 16)
    seed = random.SystemRandom().randrange(2**31)
    os.environ[SEED_ENV] = str(seed)  # later imports in this process see the same seed
    return seed


def replay_hint(sid: str, prefix: str, count_env: str, count: int) -> str:
    """For a failing case of a random family (``sid`` starting with ``prefix``): the seed that
    made it and the command line that makes it again; empty for a fixed case."""
    if not sid.startswith(prefix):
        return ""
    return f"\nrandom case of seed {SEED}: replay with {SEED_ENV}={SEED} (and {count_env}={count})"


_METHODS = ["GET", "GET", "POST", "HEAD", "PUT", "put", "DELETE", "PATCH", "patch", "OPTIONS"]
_REQUEST_HEADERS = [
    ("Accept", "application/json"),
    ("Accept", "a" * 129),
    ("Accept", "text/(x)"),
    ("Accept-Language", "en-US"),
    ("Accept-Language", "en_US"),
    ("Content-Language", "de"),
    ("Content-Type", "text/plain"),
    ("Content-Type", "application/json"),
    ("Content-Type", "multipart/form-data; boundary=x"),
    ("Range", "bytes=0-10"),
    ("Range", "bytes=-5"),
    ("X-Custom", "1"),
    ("X-Other", "2"),
    ("X-Requested-With", "XMLHttpRequest"),
    ("Authorization", "Bearer t"),
    ("Cache-Control", "no-cache"),
    ("DPR", "2"),
    ("Save-Data", "on"),
    ("User-Agent", "random/1"),
]
_ACAO = [
    ["Access-Control-Allow-Origin: {ORIGIN}"] * 1,
    ["Access-Control-Allow-Origin: {ORIGIN}"] * 1,
    ["Access-Control-Allow-Origin: *"],
    ["Access-Control-Allow-Origin: null"],
    [],
    ["Access-Control-Allow-Origin: {ORIGIN}/"],
    ["Access-Control-Allow-Origin: {ORIGIN}", "Access-Control-Allow-Origin: {ORIGIN}"],
    ["Access-Control-Allow-Origin: {EVIL}"],
    ["access-control-allow-origin:  {ORIGIN} "],
    ["Access-Control-Allow-Origin : *"],
]
_ACAC = [
    ["Access-Control-Allow-Credentials: true"],
    ["Access-Control-Allow-Credentials: true"],
    [],
    ["Access-Control-Allow-Credentials: True"],
    ["Access-Control-Allow-Credentials: true", "Access-Control-Allow-Credentials: true"],
]
_ACEH = [
    None,
    "X-Custom",
    "*",
    "X-Custom, X-Other",
    "x-other",
    "X-Custom X-Other",
    "Set-Cookie, X-Other",
]
_EXTRA = [
    "X-Custom: c",
    "X-Other: o",
    'ETag: "e"',
    "Cache-Control: no-cache",
    "Set-Cookie: r=1",
    "Content-Language: fr",
    "X-Custom: d",
]


def _pick_lines(rng: random.Random, pool: list[list[str]]) -> list[str]:
    return list(rng.choice(pool))


def _allow_list(rng: random.Random, wanted: list[str], extra: list[str]) -> str | None:
    """An Allow-Methods / Allow-Headers value: sometimes right, sometimes subtly wrong."""
    roll = rng.random()
    if roll < 0.12:
        return None
    if roll < 0.25:
        return "*"
    items = [w for w in wanted if rng.random() < 0.8] + rng.sample(extra, rng.randint(0, 2))
    if rng.random() < 0.15:
        items = [i.lower() if rng.random() < 0.5 else i.upper() for i in items]
    rng.shuffle(items)
    sep = rng.choice([", ", ",", " , ", ",,", " "])
    return sep.join(items)


def _response(rng: random.Random, credentialed_page: bool, status: int) -> Resp:
    lines = _pick_lines(rng, _ACAO)
    if credentialed_page or rng.random() < 0.3:
        lines += _pick_lines(rng, _ACAC)
    aceh = rng.choice(_ACEH)
    if aceh is not None:
        lines.append(f"Access-Control-Expose-Headers: {aceh}")
    lines += rng.sample(_EXTRA, rng.randint(0, 4))
    lines.append("Content-Type: text/plain")
    return Resp(status, tuple(lines))


def _fetch(rng: random.Random) -> Fetch:
    method = rng.choice(_METHODS)
    count = rng.choice([0, 0, 1, 1, 2, 3])
    headers = tuple(rng.sample(_REQUEST_HEADERS, count))
    if method.upper() in ("GET", "HEAD"):
        headers = tuple(h for h in headers if h[0] != "Content-Type")
        body = None
    else:
        body = rng.choice([None, "x", "{}"])
    credentials = rng.choice(["omit", "same-origin", "include", "include"])
    return Fetch(method, headers, credentials, body)


def generate(seed: int, count: int = DEFAULT_COUNT) -> list[Scenario]:
    """``count`` scenarios, the same ones for the same seed."""
    rng = random.Random(seed)
    scenarios = []
    for i in range(count):
        first = _fetch(rng)
        include = first.credentials == "include"
        wanted_methods = [first.method.upper() if rng.random() < 0.7 else first.method]
        wanted_headers = [name for name, _ in first.headers]
        pre_lines = _pick_lines(rng, _ACAO)
        if include or rng.random() < 0.3:
            pre_lines += _pick_lines(rng, _ACAC)
        methods = _allow_list(rng, wanted_methods, ["GET", "POST", "DELETE", "PUT"])
        if methods is not None:
            pre_lines.append(f"Access-Control-Allow-Methods: {methods}")
        names = _allow_list(rng, wanted_headers, ["X-Custom", "Content-Type", "Authorization"])
        if names is not None:
            pre_lines.append(f"Access-Control-Allow-Headers: {names}")
        if rng.random() < 0.3:
            pre_lines.append(f"Access-Control-Max-Age: {rng.choice(['0', '600', '-1', 'x'])}")
        pre_status = rng.choice([200, 204, 204, 204, 204, 403, 500])
        preflight = Resp(pre_status, tuple(pre_lines), b"")
        actual = _response(rng, include, rng.choice([200, 200, 200, 201, 204, 404, 500]))
        steps = {"a": Step(actual, preflight)}
        if rng.random() < 0.2:
            where = rng.choice(["{API}", "{API2}", "{APP}", "{OTHER}"])
            status = rng.choice([301, 302, 303, 307, 308])
            hop = _response(rng, include, status)
            hop = Resp(status, (f"Location: {where}/s/{{SID}}/b", *hop.lines), b"")
            steps = {"a": Step(hop, preflight), "b": Step(actual, preflight)}
        fetches: tuple[Fetch, ...] = (first,)
        if rng.random() < 0.15:
            fetches = (first, rng.choice([first, _fetch(rng)]))
        page = rng.choice(PAGES)
        url = "{APP}/s/{SID}/a" if rng.random() < 0.05 else "{API}/s/{SID}/a"
        scenarios.append(
            Scenario(
                f"rnd-{i:03d}", "random", f"random #{i} (seed {seed})", fetches, steps, page, url
            )
        )
    return scenarios


SEED = run_seed()
_COUNT = int(os.environ.get(COUNT_ENV, DEFAULT_COUNT))
# repeated safelisted request headers (duplicates.py): their own stream, a share of the count
RANDOM_SCENARIOS = generate(SEED, _COUNT) + generate_duplicates(
    SEED, int(os.environ.get(DUP_COUNT_ENV, _COUNT * DEFAULT_DUP_COUNT // DEFAULT_COUNT))
)
