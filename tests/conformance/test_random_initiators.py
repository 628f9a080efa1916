"""The random ``initiators`` and ``csp-initiators`` generators, without a browser.

A generator that repeats itself across seeds, forgets a dimension or predicts a CSP verdict
the engine does not reach would make the browser runs prove less than they seem to: these
hold each generator to being deterministic per seed, different across seeds, covering every
value of every dimension over a few seeds, and (for CSP) right about its own ``allowed``.
"""

from __future__ import annotations

import os
import re

from pytest_cors.engine import csp
from pytest_cors.origin import parse_origin

from . import random_csp_initiators as rcsp
from . import random_initiators as rini
from .csp_initiators import CSP_CASES, DIRECTIVES
from .initiators import _SID, CASES, CROSSORIGINS, ELEMENTS
from .randomized import SEED_ENV

SEEDS = range(1, 9)
PAGE = "http://localhost:1111"
RESOURCE = "http://localhost:2222"
MARKS = {
    "{LOCAL2}": RESOURCE,
    "{LOCAL}": PAGE,
    "{PORT2}": "2222",
    "{PORT}": "1111",
    "{APP}": "http://app.example.com:1111",
    "{ORIGIN}": PAGE,
    "{EVIL}": "http://evil.example.net:1111",
}


def _fill(text: str, sid: str) -> str:
    for mark, value in {**MARKS, "{SID}": sid}.items():
        text = text.replace(mark, value)
    return text


def test_the_initiator_generator_is_deterministic_per_seed_and_differs_across_seeds() -> None:
    assert rini.generate(7) == rini.generate(7)
    assert rini.generate(7) != rini.generate(8)
    assert len(rini.generate(3, 5)) == 5
    assert rini.generate(3, 5) == rini.generate(3, 9)[:5]


def test_random_initiator_cases_have_sids_the_harness_reads_and_say_their_seed() -> None:
    cases = rini.generate(11)
    sids = [c.sid for c in cases]
    assert len(set(sids)) == len(sids) and not set(sids) & {c.sid for c in CASES}
    assert all(_SID.search(f"/s/{sid}/r") for sid in sids)
    assert all("seed 11" in c.title and f"{SEED_ENV}=11" in c.title for c in cases)
    wanted = int(os.environ.get(rini.COUNT_ENV, rini.DEFAULT_COUNT))
    assert len(rini.RANDOM_INITIATOR_CASES) == wanted


def test_random_initiator_cases_cover_every_dimension_over_a_few_seeds() -> None:
    cases = [c for seed in SEEDS for c in rini.generate(seed)]
    assert {c.kind for c in cases} == set(rini.KINDS)
    for element in ELEMENTS:
        seen = {c.crossorigin for c in cases if c.kind == element}
        assert seen == ({None} if element == "font" else set(CROSSORIGINS)), element
    acao = {tuple(line for line in c.cors() if "Allow-Origin" in line) for c in cases}
    assert acao == set(rini.ACAO_CHOICES)
    acac = {tuple(line for line in c.cors() if "Allow-Credentials" in line) for c in cases}
    assert acac == set(rini.ACAC_CHOICES)
    assert {c.status for c in cases} == set(rini.STATUSES)
    redirects = {c.redirect for c in cases if c.redirect}
    assert {where for _, where in redirects} == set(rini.REDIRECT_TARGETS)
    assert {status for status, _ in redirects} == set(rini.REDIRECT_STATUSES)
    assert None in {c.redirect for c in cases}
    assert not [c for c in cases if c.kind == "beacon" and c.redirect]  # excluded: see module
    xhr = [c for c in cases if c.kind == "xhr"]
    assert {(c.method, c.with_credentials, c.upload_listener) for c in xhr} >= {
        ("GET", False, False), ("GET", True, False), ("POST", False, True), ("POST", True, False),
    }  # fmt: skip
    assert {c.content_type for c in xhr if c.method == "POST"} == {
        None, "text/plain", "application/json"
    }  # fmt: skip
    assert {c.with_credentials for c in cases if c.kind == "eventsource"} == {False, True}
    assert {c.content_type for c in cases if c.kind == "beacon"} == {
        None, "text/plain", "application/json"
    }  # fmt: skip


def test_a_redirecting_case_answers_the_hop_with_the_same_cors_lines() -> None:
    case = next(c for c in rini.generate(1, 200) if c.redirect and c.redirect[1] == "{LOCAL}")
    steps = case.steps()
    hop, resource = steps["r"].actual, steps["t"]
    assert hop.status == case.redirect[0]  # type: ignore[index]
    assert hop.lines[0] == "Location: {LOCAL}/s/{SID}/t"
    assert set(case.cors()) <= set(hop.lines) and set(case.cors()) <= set(resource.actual.lines)
    assert resource.actual.status == case.status and resource.preflight is not None
    plain = next(c for c in rini.generate(1, 200) if c.redirect is None)
    assert set(plain.steps()) == {"r"}


def test_the_csp_generator_is_deterministic_per_seed_and_differs_across_seeds() -> None:
    assert rcsp.generate(7) == rcsp.generate(7)
    assert rcsp.generate(7) != rcsp.generate(8)
    cases = rcsp.generate(12)
    sids = [c.sid for c in cases]
    assert len(set(sids)) == len(sids) and not set(sids) & {c.sid for c in CSP_CASES}
    assert all(re.fullmatch(r"ini-csp-rnd-\d{3}", sid) for sid in sids)
    assert all("seed 12" in c.title and f"{SEED_ENV}=12" in c.case.title for c in cases)


def test_the_csp_generators_verdict_is_the_engines() -> None:
    """``allowed`` (what the generator meant) is what the engine's CSP matcher says; the
    browsers then judge the engine."""
    page = parse_origin(PAGE)
    for seed in SEEDS:
        for case in rcsp.generate(seed, 100):
            url = f"{RESOURCE}/s/{case.sid}/r"
            policy = _fill(case.policy, case.sid)
            verdict = csp.check(policy, url, page, directive=DIRECTIVES[case.kind]) is None
            assert verdict == case.allowed, (seed, case.sid, policy)


def test_random_csp_cases_cover_every_dimension_over_a_few_seeds() -> None:
    cases = [c for seed in SEEDS for c in rcsp.generate(seed)]
    for kind in DIRECTIVES:
        verdicts = {c.allowed for c in cases if c.kind == kind}
        assert verdicts == {True, False}, kind
    policies = [c.policy for c in cases]
    assert any(", " in p for p in policies) and any(", " not in p for p in policies)
    names = {d.split()[0] for p in policies for part in p.split(", ") for d in part.split("; ")}
    assert names >= set(rcsp.ALL_DIRECTIVES)
    sources = {s for p in policies for s in re.split(r"[ ;,]+", p)}
    assert sources >= {*rcsp.MATCHING, *rcsp.MISSING, "'none'"}
    for case in cases:
        if case.kind == "font":  # the @font-face rule's inline <style> must stay allowed
            for part in case.policy.split(", "):
                assert part.endswith("style-src 'unsafe-inline'") and "style-src-elem" not in part
    elements = [c.case for c in cases if c.kind in ELEMENTS and c.kind != "font"]
    assert {c.crossorigin for c in elements} == set(CROSSORIGINS)
    assert {c.case.with_credentials for c in cases if c.kind in ("xhr", "eventsource")} == {
        False, True
    }  # fmt: skip
    assert len({c.case.cors_lines for c in cases}) > 10
