"""Random scenarios that repeat CORS-safelisted request headers around the safelist's size limits.

A page may ``append`` the same safelisted name several times (``Accept``, ``Accept-Language``,
``Content-Language``, ``Content-Type``, ``Range``). Whether that needs a preflight depends on how
an engine judges the repeats: on the joined value (``a, b``) against the 128-byte limit, or entry
by entry, and then on the 1024-byte total of all safelisted values. These scenarios put values
just under, at and just over both limits (Chromium's extra client-hint names help reach the
total), so a profile that judges repeats unlike its engine shows up as a different
``Access-Control-Request-Headers`` or a preflight one side did not send.

Generated from the run's seed on a stream of their own, so adding them left the other random
scenarios of a seed (``rnd-NNN``) unchanged.
"""

from __future__ import annotations

import random

from .scenarios import ACAO_ORIGIN, Fetch, Scenario, ok_actual, preflight
from .server import Step

DEFAULT_DUP_COUNT = 30  # per 200 of the other random scenarios
DUP_COUNT_ENV = "PYTEST_CORS_DUP_COUNT"  # how many, instead of that share
_NAMES = ("Accept", "Accept-Language", "Content-Language", "Content-Type", "Range")
#: Chromium safelists these too (other engines preflight them): enough bytes to pass 1024.
_HINTS = (("Intervention", 128), ("DPR", 128), ("Device-Memory", 128), ("Downlink", 128))


def value_of(name: str, length: int) -> str:
    """A safelisted value of ``name`` exactly ``length`` bytes long (``length`` >= 14)."""
    lname = name.lower()
    if lname == "accept":
        return "x/" + "a" * (length - 2)
    if lname in ("accept-language", "content-language"):
        return "en-" + "b" * (length - 3)
    if lname == "content-type":
        return "text/plain;a=" + "c" * (length - 13)
    if lname == "range":
        return "bytes=0-" + "0" * (length - 9) + "9"
    if lname == "intervention":
        return "i" * length
    return "1." + "0" * (length - 2)  # DPR, Device-Memory, Downlink: a decimal


def _lengths(rng: random.Random, copies: int, mode: str) -> list[int]:
    """The entries' lengths: joined value, each entry, or their sum right at a limit."""
    edge = rng.choice([-1, 0, 1])
    if mode == "entry":
        return [128 + rng.choice([-1, 0, 0, 1]) for _ in range(copies)]
    if mode == "total":
        share = (1024 + edge * rng.randint(1, 3)) // copies
        lengths = [share] * copies
        lengths[0] += 1024 + edge - share * copies
        return [max(14, n) for n in lengths]
    joined = 128 + edge - 2 * (copies - 1)  # what "a, b" adds between the values
    share = max(14, joined // copies)
    lengths = [share] * copies
    lengths[0] = max(14, joined - share * (copies - 1))
    return lengths


def _headers(rng: random.Random, body: bool) -> tuple[tuple[str, str], ...]:
    names = [n for n in _NAMES if body or n != "Content-Type"]
    picked = rng.sample(names, rng.choice([1, 1, 2, 3]))
    pairs: list[tuple[str, str]] = []
    for name in picked:
        copies = rng.choice([1, 2, 2, 3, 4, 8, 9])
        mode = rng.choice(["joined", "joined", "entry", "total"])
        if rng.random() < 0.15:
            name = name.lower()  # the same name in another case is the same header
        pairs += [(name, value_of(name, n)) for n in _lengths(rng, copies, mode)]
        if rng.random() < 0.3:
            pairs.append((name.upper(), value_of(name, rng.choice([14, 20]))))
    if rng.random() < 0.25:
        pairs += [(n, value_of(n, size + rng.choice([-1, 0, 1]))) for n, size in _HINTS]
    if rng.random() < 0.1:
        pairs.append(("X-Custom", "1"))
    rng.shuffle(pairs)
    return tuple(pairs)


def _preflight(rng: random.Random, method: str, names: list[str]) -> Step:
    allowed = sorted({n.lower() for n in names if rng.random() < 0.7})
    lines = [ACAO_ORIGIN, f"Access-Control-Allow-Methods: {method}"]
    roll = rng.random()
    if roll < 0.25:
        lines.append("Access-Control-Allow-Headers: *")
    elif allowed:
        lines.append("Access-Control-Allow-Headers: " + ", ".join(allowed))
    return Step(ok_actual(), preflight(*lines))


def generate_duplicates(seed: int, count: int = DEFAULT_DUP_COUNT) -> list[Scenario]:
    """``count`` scenarios with repeated safelisted headers, the same ones for the same seed."""
    rng = random.Random(f"duplicates-{seed}")
    scenarios = []
    for i in range(count):
        method = rng.choice(["GET", "GET", "POST", "POST", "PUT"])
        body = None if method == "GET" else "x"
        headers = _headers(rng, body is not None)
        credentials = rng.choice(["omit", "same-origin", "same-origin"])
        first = Fetch(method, headers, credentials, body)
        fetches: tuple[Fetch, ...] = (first, first) if rng.random() < 0.2 else (first,)
        steps = {"a": _preflight(rng, method, [n for n, _ in headers])}
        page = rng.choice(["app", "app", "app", "null"])
        scenarios.append(
            Scenario(
                f"rnd-dup-{i:03d}",
                "random",
                f"repeated safelisted headers #{i} (seed {seed})",
                fetches,
                steps,
                page,
            )
        )
    return scenarios
