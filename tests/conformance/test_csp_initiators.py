"""The ``csp-initiators`` family: the page's CSP against every initiator, in all three engines.

Each engine loads every case of :mod:`.csp_initiators` and this run's random ones
(:mod:`.random_csp_initiators`: several directives, two policies, a CORS answer that may be
wrong), one page per policy; each case is then
run through the kit's ``simulate_load`` / ``simulate_xhr`` / ``simulate_eventsource`` /
``simulate_beacon`` with the same ``page_csp``, against the live scenario server and against the
in-process WSGI twin. They must agree on whether the request reached the server (a refused one
sends nothing, and the kit's live run must send nothing either), on whether the page used the
resource, and on the refusal itself: code ``CSPViolation`` with a ``message`` equal to the
console line the browser printed (Firefox's typographic quotes made ASCII; a line Firefox prints
twice for one refused font counted once).
"""

from __future__ import annotations

from typing import Any

import pytest

from .csp_initiators import (
    CSP_CASES,
    CspCase,
    csp_lines,
    policy_for,
    run_chromium,
    run_firefox,
    run_webkit,
)
from .firefox import plain
from .initiator_harness import EngineRuns
from .initiators import InitiatorRun
from .random_csp_initiators import RANDOM_CSP_INITIATOR_CASES
from .randomized import SEED, SEED_ENV
from .server import ScenarioServer
from .test_initiators import simulate as simulate_initiator

PROFILES = {"chromium": "chromium", "firefox": "firefox", "webkit": "safari"}
TARGETS = ("live", "wsgi")
ALL_CASES = CSP_CASES + RANDOM_CSP_INITIATOR_CASES
PAIRS = [
    pytest.param(case, engine, kind, id=f"{case.sid}-{engine}-{kind}")
    for case in ALL_CASES
    for engine in PROFILES
    for kind in TARGETS
]


@pytest.fixture(scope="module")
def csp_initiator_runs(scenario_server: ScenarioServer) -> EngineRuns[InitiatorRun]:
    """Each engine's runs, on first use: a missing engine skips (CI=true: fails) only its tests."""
    runners = {"chromium": run_chromium, "firefox": run_firefox, "webkit": run_webkit}
    return EngineRuns(runners, scenario_server, ALL_CASES)


@pytest.fixture(scope="module")
def csp_targets(scenario_server: ScenarioServer) -> dict[str, Any]:
    """The resource's origin, live (a URL) and in-process (the server's WSGI twin)."""
    from pytest_cors.targets.wsgi import WsgiTarget

    from .twin import wsgi_app

    base = scenario_server.origin("localhost", second_port=True)
    return {"live": base, "wsgi": WsgiTarget(wsgi_app(scenario_server), base)}


def simulate(server: ScenarioServer, case: CspCase, profile: str, target: object) -> Any:
    """The kit's run of ``case`` on a page with the case's CSP, holding the page's cookie."""
    return simulate_initiator(server, case.case, profile, target, policy_for(server, case))


def ini_answer(case: CspCase) -> str:
    """The case's initiator options and CORS lines, for a failure message."""
    ini = case.case
    return (
        f"{ini.kind} crossorigin={ini.crossorigin} withCredentials={ini.with_credentials} "
        f"{ini.method} body={ini.body!r} type={ini.content_type} upload={ini.upload_listener}; "
        f"{ini.cors()!r}"
    )


def distinct(lines: list[str]) -> list[str]:
    """The lines in order, a repeated one once (Firefox 153 logs a refused font twice)."""
    return list(dict.fromkeys(plain(line) for line in lines))


def problems(run: InitiatorRun, outcome: Any, sent_by_kit: bool | None, engine: str) -> list[str]:
    """What the kit's outcome gets wrong about the browser's ``run``."""
    browser_sent = bool(run.actuals())
    browser_used = browser_sent if run.case.kind == "beacon" else bool(run.page.get("used"))
    out = []
    if browser_sent != (outcome.actual is not None):
        out.append(f"sent: {engine} {browser_sent}, kit {outcome.actual is not None}")
    if sent_by_kit is not None and sent_by_kit != browser_sent:
        out.append(f"the server saw the kit's request: {sent_by_kit}, {engine}'s: {browser_sent}")
    if browser_used != bool(outcome.used):
        out.append(f"used: {engine} {browser_used}, kit {outcome.used}")
    failure = outcome.failure
    logged = distinct(run.console)
    if logged and (failure is None or failure.code != "CSPViolation"):
        out.append(f"{engine} refused by CSP, kit failure {failure and failure.code}")
    if not logged and failure is not None and failure.code == "CSPViolation":
        out.append(f"kit refused by CSP ({failure.message!r}), {engine} logged nothing")
    if logged and failure is not None:
        message = distinct(failure.message.split("\n"))
        if message != logged:
            out.append(f"console differs:\n  {engine}: {logged!r}\n  kit:  {message!r}")
    return out


@pytest.mark.browser
@pytest.mark.parametrize(("case", "engine", "kind"), PAIRS)
def test_engine_matches_the_browser_on_csp_initiators(
    case: CspCase,
    engine: str,
    kind: str,
    csp_initiator_runs: EngineRuns[InitiatorRun],
    scenario_server: ScenarioServer,
    csp_targets: dict[str, Any],
) -> None:
    run = csp_initiator_runs.of(engine)[case.sid]
    scenario_server.take(case.sid)  # whatever the browser left behind
    try:
        outcome = simulate(scenario_server, case, PROFILES[engine], csp_targets[kind])
    finally:
        seen = [r for r in scenario_server.take(case.sid) if not r.is_preflight]
    diffs = problems(run, outcome, bool(seen) if kind == "live" else None, engine)
    if diffs:
        pytest.fail(
            f"kit ({PROFILES[engine]} profile, {kind} target) disagrees with {engine} on "
            f"{case.sid}: {case.title}\n  policy: {case.policy}\n"
            f"  answer: {ini_answer(case)}\n"
            f"  (this run's seed {SEED}: replay with {SEED_ENV}={SEED})\n- "
            + "\n- ".join(diffs)
            + "\n\n"
            + run.transcript()
            + "\n\n"
            + outcome.explain(),
            pytrace=False,
        )


@pytest.mark.browser
def test_the_family_refuses_and_allows(
    csp_initiator_runs: EngineRuns[InitiatorRun],
) -> None:
    """In Chromium, every case went the way CSP says (refused: nothing sent, a console line;
    allowed: sent and used), so the family proves both verdicts for every initiator."""
    runs = csp_initiator_runs.of("chromium")
    wrong = [
        c.sid
        for c in CSP_CASES
        if bool(runs[c.sid].actuals()) != c.allowed or bool(runs[c.sid].console) == c.allowed
    ]
    assert not wrong
    kinds = {c.kind for c in CSP_CASES}
    assert kinds == {c.kind for c in CSP_CASES if c.allowed}
    assert kinds == {c.kind for c in CSP_CASES if not c.allowed}


# -- without a browser -------------------------------------------------------------------------
def test_every_case_has_its_own_page_with_its_policy() -> None:
    with ScenarioServer() as server:
        from .csp_initiators import page_for

        pages = {page_for(server, c) for c in CSP_CASES}
        assert len(pages) == len(CSP_CASES)
        case = next(c for c in CSP_CASES if c.policy == "img-src {LOCAL2}")
        path = page_for(server, case).split(str(server.port), 1)[1]
        sent = server.response_for("GET", path, ())
        local2 = server.origin("localhost", second_port=True)
        assert f"Content-Security-Policy: img-src {local2}" in sent.lines


def test_csp_lines_go_to_their_case() -> None:
    lines = csp_lines([
        "Refused to load http://localhost:1/s/ini-csp-img-2/r because it does not appear in "
        "the img-src directive of the Content Security Policy.",
        "Loading the script 'http://localhost:1/s/ini-csp-script-2/r' violates the following "
        "Content Security Policy directive: \"script-src-elem 'self'\". The action has been "
        "blocked.",
        "Failed to load resource: http://localhost:1/s/ini-csp-img-3/r",
        "Content-Security-Policy: The page's settings blocked the loading of a resource (img-src) "
        "at http://localhost:2/favicon.ico because it violates the following directive: "
        '"default-src http://localhost:1/s/ini-csp-img-4/r"',
    ])  # fmt: skip
    assert sorted(lines) == ["ini-csp-img-2", "ini-csp-script-2"]
    assert distinct(["a \u201cx\u201d", "a \u201cx\u201d", "b"]) == ['a "x"', "b"]
