"""The repeated-safelisted-header generator (duplicates.py), without a browser.

The browser comparison only proves something if the scenarios sit where engines can differ:
the same name appended several times, joined values just under, at and over 128 bytes, single
entries at 128/129, and totals around 1024. These tests hold the generator to that, and check
that its scenarios tell apart the ways an engine could judge repeats.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from pytest_cors.engine import get_profile
from pytest_cors.engine.request import prepare_headers, unsafe_header_names

from .duplicates import _NAMES, DEFAULT_DUP_COUNT, generate_duplicates, value_of
from .scenarios import Fetch

SEEDS = (1, 1348884450, 777, 4242)


def _fetches(seed: int, count: int) -> list[Fetch]:
    return [f for s in generate_duplicates(seed, count) for f in s.fetches]


def _repeats(fetch: Fetch) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in fetch.headers:
        values.setdefault(name.lower(), []).append(value)
    return {k: v for k, v in values.items() if len(v) > 1}


def _acrh(fetch: Fetch, profile: object) -> list[str]:
    body = None if fetch.body is None else fetch.body.encode()
    prepared = prepare_headers(list(fetch.headers), body, profile)  # type: ignore[arg-type]
    return unsafe_header_names(prepared.pairs, profile)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [*_NAMES, "Intervention", "DPR", "Device-Memory", "Downlink"])
@pytest.mark.parametrize("length", [14, 20, 127, 128, 129, 600])
def test_values_have_the_length_asked_and_are_safelisted_when_short(name, length):
    value = value_of(name, length)
    assert len(value.encode("latin-1")) == length
    chromium = get_profile("chromium")
    if length <= 128:
        assert _acrh(Fetch("POST", ((name, value),), body="x"), chromium) == []


def test_same_seed_same_scenarios_and_ids_apart_from_the_other_random_ones():
    first, again = generate_duplicates(5, 40), generate_duplicates(5, 40)
    assert [s.describe() for s in first] == [s.describe() for s in again]
    assert all(s.sid.startswith("rnd-dup-") for s in first)
    assert generate_duplicates(6, 40)[0].describe() != first[0].describe()


def test_every_name_is_repeated_around_both_limits():
    fetches = _fetches(1, 400)
    repeated = Counter(name for f in fetches for name in _repeats(f))
    assert set(repeated) >= {n.lower() for n in _NAMES}
    joined = Counter(
        len(", ".join(values))
        for f in fetches
        for values in _repeats(f).values()
        if len(", ".join(values)) in (127, 128, 129)
    )
    assert set(joined) == {127, 128, 129}, joined
    single = {len(v) for f in fetches for _, v in f.headers}
    assert {127, 128, 129} <= single
    totals = {sum(len(v) for _, v in f.headers) for f in fetches}
    assert {1023, 1024, 1025} <= totals


@pytest.mark.parametrize("seed", SEEDS)
def test_a_runs_share_tells_joined_from_per_entry_judging(seed):
    """Every run's share of scenarios holds repeats that a profile judging them entry by entry
    (the written standard) and one joining them first (every engine, measured) answer with a
    different preflight, and repeats whose joined length sits between a ``,`` and a ``, ``
    join: a profile off either way fails in the browser comparison."""
    safari = get_profile("safari")
    per_entry = dataclasses.replace(safari, joins_duplicate_request_headers=False)
    fetches = _fetches(seed, DEFAULT_DUP_COUNT)
    assert any(_acrh(f, safari) != _acrh(f, per_entry) for f in fetches)
    assert any(
        len(",".join(values)) <= 128 < len(", ".join(values))
        for f in fetches
        for values in _repeats(f).values()
    )
