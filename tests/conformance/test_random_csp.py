"""The ``csp`` random generator without a browser: deterministic per seed, and it mixes.

The browser comparison is test_csp.py; this holds the generator to what that harness needs
(a page of its own per scenario, a policy the server can fill in, ``'none'`` never beside
another source) and shows each dimension's values turn up over a few seeds.
"""

from __future__ import annotations

import os
import re

from .csp_scenarios import CSP_SCENARIOS
from .random_csp import (
    COUNT_ENV,
    DEFAULT_COUNT,
    FAMILY,
    RANDOM_CSP_SCENARIOS,
    REDIRECT_STATUSES,
    SCHEMELESS,
    SOURCES,
    generate,
)
from .randomized import SEED
from .scenarios import Scenario
from .server import ScenarioServer, split_page

SEEDS = range(1, 9)


def _pool() -> list[Scenario]:
    return [s for seed in SEEDS for s in generate(seed)]


def _policy(scenario: Scenario) -> str:
    policy = split_page(scenario.page)[1]
    assert policy is not None, scenario.sid
    return policy


def _directives(policy: str) -> list[tuple[str, list[str]]]:
    out = []
    for serialized in policy.split(","):
        for directive in serialized.split(";"):
            name, *sources = directive.split()
            out.append((name, sources))
    return out


def test_the_same_seed_gives_the_same_scenarios_and_another_seed_others():
    assert generate(11) == generate(11)
    assert generate(11) != generate(12)
    assert generate(11, 5) == generate(11)[:5]


def test_the_run_list_uses_the_run_seed_and_the_count():
    assert len(RANDOM_CSP_SCENARIOS) == int(os.environ.get(COUNT_ENV, DEFAULT_COUNT))
    assert generate(SEED, len(RANDOM_CSP_SCENARIOS)) == RANDOM_CSP_SCENARIOS
    assert all(f"(seed {SEED})" in s.title for s in RANDOM_CSP_SCENARIOS)


def test_each_scenario_has_a_page_of_its_own_and_a_unique_id():
    scenarios = generate(5, 200)
    sids = [s.sid for s in scenarios]
    assert len(set(sids)) == len(sids)
    assert all(re.fullmatch(r"rnd-csp-\d{3}", sid) for sid in sids)
    assert {s.family for s in scenarios} == {FAMILY}
    pages = [s.page for s in scenarios + CSP_SCENARIOS]
    assert len(set(pages)) == len(pages)  # console lines of one page belong to one scenario


def test_policies_fill_in_and_none_stands_alone():
    with ScenarioServer() as server:
        fill = server.filler("")
        for scenario in _pool():
            policy = _policy(scenario)
            assert "{SID}" not in policy
            assert "{" not in fill(policy), policy
            for _, sources in _directives(policy):
                assert sources, policy
                assert set(SOURCES) >= SCHEMELESS
                if split_page(scenario.page)[0] == "null":
                    assert SCHEMELESS.isdisjoint(sources), policy  # excluded, see random_csp
                if "'none'" in sources:
                    assert sources == ["'none'"], policy  # else a parse warning in WebKit


def test_each_dimension_turns_up_over_a_few_seeds():
    pool = _pool()
    policies = [_policy(s) for s in pool]
    directives = [d for p in policies for d in _directives(p)]
    names = {name for name, _ in directives}
    assert {"connect-src", "default-src", "script-src", "img-src"} <= names
    sources = {src for _, srcs in directives for src in srcs}
    assert {"'self'", "'none'", "*", "http:", "https:", "{API}", "{API}/s/"} <= sources
    assert {"*.example.org:*", "http://*.example.com:*", "api.example.org"} <= sources
    assert any("," in p for p in policies)  # two policies
    assert any(
        len([n for n, _ in _directives(p)]) != len({n for n, _ in _directives(p)})
        for p in policies
        if "," not in p
    )  # a repeated directive
    only_default = [p for p in policies if "default-src" in p and "connect-src" not in p]
    both = [p for p in policies if "default-src" in p and "connect-src" in p]
    assert only_default and both
    assert {split_page(s.page)[0] for s in pool} == {"app", "app2", "null"}
    targets = {s.url.split("/s/")[0] for s in pool}
    assert targets >= {"{API}", "{API2}", "{OTHER}", "{EVIL}", "{APP}", "{APP2}"}
    redirected = [s for s in pool if len(s.steps) == 2]
    assert redirected and len(redirected) < len(pool)
    assert {s.steps["a"].actual.status for s in redirected} == set(REDIRECT_STATUSES)
    methods = {s.fetches[0].method for s in pool}
    assert methods == {"GET", "POST", "PUT", "DELETE"}
    assert {s.fetches[0].credentials for s in pool} == {"omit", "same-origin", "include"}
    lines = {ln for s in pool for st in s.steps.values() for ln in st.actual.lines}
    assert {"Access-Control-Allow-Origin: null", "Access-Control-Allow-Origin: {ORIGIN}/",
            "Access-Control-Allow-Origin: {ORIGIN}"} <= lines  # fmt: skip
