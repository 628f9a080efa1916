"""The ``modes`` random generator without a browser: deterministic per seed, and it mixes.

The browser comparison is test_modes.py; this holds the generator to what that harness needs
(a header dropped in ``no-cors`` declared in ``drops``, none next to a method fetch() refuses)
and shows each dimension's values turn up over a few seeds.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from .random_modes import (
    COUNT_ENV,
    CREDENTIALS,
    DEFAULT_COUNT,
    FAMILY,
    HEADERS,
    MODES,
    RANDOM_MODE_SCENARIOS,
    REDIRECT_STATUSES,
    REDIRECTS,
    generate,
)
from .randomized import SEED
from .scenarios import Scenario

SEEDS = range(1, 7)
_KEPT_BY_NO_CORS = {(name, value) for name, value, kept in HEADERS if kept}


def _pool() -> list[Scenario]:
    return [s for seed in SEEDS for s in generate(seed)]


def test_the_same_seed_gives_the_same_scenarios_and_another_seed_others():
    assert generate(11) == generate(11)
    assert generate(11) != generate(12)
    assert generate(11, 5) == generate(11)[:5]  # the count only cuts the list


def test_the_run_list_uses_the_run_seed_and_the_count():
    assert len(RANDOM_MODE_SCENARIOS) == int(os.environ.get(COUNT_ENV, DEFAULT_COUNT))
    assert generate(SEED, len(RANDOM_MODE_SCENARIOS)) == RANDOM_MODE_SCENARIOS
    assert all(f"(seed {SEED})" in s.title for s in RANDOM_MODE_SCENARIOS)


def test_ids_are_unique_and_name_the_family():
    scenarios = generate(3, 120)
    sids = [s.sid for s in scenarios]
    assert len(set(sids)) == len(sids)
    assert all(re.fullmatch(r"rnd-modes-\d{3}", sid) for sid in sids)
    assert {s.family for s in scenarios} == {FAMILY}


def test_dropped_headers_are_declared_as_the_harness_needs():
    for scenario in _pool():
        (fetch,) = scenario.fetches
        names = [name.lower() for name, _ in fetch.headers]
        assert len(set(names)) == len(names), scenario.sid  # a repeat would join the values
        if fetch.mode != "no-cors":
            assert fetch.drops == (), scenario.sid
            continue
        dropped = {(n, v) for n, v in fetch.headers if n in fetch.drops}
        assert dropped.isdisjoint(_KEPT_BY_NO_CORS), scenario.sid
        assert set(fetch.headers) - dropped <= _KEPT_BY_NO_CORS, scenario.sid
        if fetch.method.upper() not in ("GET", "HEAD", "POST"):
            assert fetch.drops == (), scenario.sid  # fetch() throws on the method first


def test_requests_are_well_formed():
    for scenario in _pool():
        (fetch,) = scenario.fetches
        if fetch.method.upper() in ("GET", "HEAD"):
            assert fetch.body is None
            assert "content-type" not in {n.lower() for n, _ in fetch.headers}


def test_every_location_leads_to_a_step_of_the_scenario():
    for scenario in _pool():
        for step in scenario.steps.values():
            location = next((ln for ln in step.actual.lines if ln.startswith("Location:")), None)
            if location is not None:
                assert location.rsplit("/", 1)[1] in scenario.steps, scenario.sid
                assert 300 <= step.actual.status < 400
            assert step.preflight is not None  # no hop answers a preflight with a 404


def test_each_dimension_turns_up_over_a_few_seeds():
    pool = _pool()
    fetches = [s.fetches[0] for s in pool]
    assert {f.mode for f in fetches} == set(MODES)
    assert {f.redirect for f in fetches} == set(REDIRECTS)
    assert {f.credentials for f in fetches} == set(CREDENTIALS)
    assert {f.method for f in fetches} >= {"GET", "HEAD", "POST", "PUT", "put", "DELETE", "patch"}
    assert {(f.mode, f.redirect) for f in fetches} == {(m, r) for m in MODES for r in REDIRECTS}
    assert any(f.drops for f in fetches)
    assert any(f.mode == "no-cors" and f.headers and not f.drops for f in fetches)
    assert {len(s.steps) for s in pool} == {1, 2, 3}  # no redirect, one hop, two hops
    statuses = {st.actual.status for s in pool for st in s.steps.values()}
    assert set(REDIRECT_STATUSES) <= statuses and {200, 404, 500} <= statuses
    pages = Counter(s.page for s in pool)
    assert set(pages) == {"app", "app2", "evil", "null"}
    own = {"app": "{APP}/", "app2": "{APP2}/", "evil": "{EVIL}/"}
    assert any(s.url.startswith(own.get(s.page, "-")) for s in pool)  # same-origin URL
    assert any(not s.url.startswith(own.get(s.page, "-")) for s in pool)
    lines = {ln for s in pool for st in s.steps.values() for ln in st.actual.lines}
    wrong = {
        "Access-Control-Allow-Origin: null",
        "Access-Control-Allow-Origin: {ORIGIN}/",
        "Access-Control-Allow-Origin: {EVIL}",
        "Access-Control-Allow-Credentials: True",
        "Access-Control-Allow-Origin: {ORIGIN}",
    }
    assert wrong <= lines
    locations = {ln.split("/s/")[0] for ln in lines if ln.startswith("Location:")}
    assert locations == {f"Location: {o}" for o in ("{API}", "{API2}", "{OTHER}", "{APP}",
                                                     "{APP2}", "{EVIL}")}  # fmt: skip
