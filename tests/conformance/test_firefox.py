"""The engine's ``firefox`` profile against real Firefox ESR, scenario by scenario.

The same scenarios as the Chromium suite (the systematic table and this run's random ones),
compared the same way: for each scenario the engine runs with ``browser="firefox"`` against the
live scenario server and against the in-process WSGI twin, and each run must match what Firefox
did: allowed or blocked, status, readable headers, every request sent (preflight or not,
``Origin`` per hop, exact ``Access-Control-Request-*``); and each failure's ``code`` must be the
MDN name of the reason Firefox printed in its console.

A forbidden request header (lead decision 1) is a usage error in the engine and silently dropped
by Firefox: the engine must refuse it with a ``CorsUsageError`` saying the browser drops it,
Firefox must not have sent or named it, and the rest of the request (run without it) is compared
as usual.
"""

from __future__ import annotations

from typing import Any

import pytest

from .chromium import BrowserRun, page_origin, scenario_url
from .compare import Side, chromium_side, differences, engine_side, wire_from_received
from .conftest import _unavailable
from .firefox import (
    Firefox,
    FirefoxRun,
    find_firefox,
    firefox_version,
    plain,
    run_engine_as,
)
from .randomized import RANDOM_SCENARIOS, SEED, SEED_ENV
from .scenarios import SCENARIOS, Scenario
from .server import ScenarioServer
from .test_chromium import TARGETS, engine_targets  # noqa: F401  (the same two engine targets)

_version: dict[str, str] = {}


@pytest.fixture(scope="session")
def firefox_runs(scenario_server: ScenarioServer) -> dict[str, FirefoxRun]:
    """Every scenario run once in Firefox; the server's record of each is taken with it."""
    exe = find_firefox()
    if exe is None:
        _unavailable("Firefox not found (install Debian's 'firefox-esr' package)")
    try:
        import websockets  # noqa: F401
    except ImportError:
        _unavailable("the 'websockets' package is not installed (pip install -e '.[test]')")
    _version["firefox"] = firefox_version(exe)  # type: ignore[arg-type]
    try:
        browser = Firefox(exe)  # type: ignore[arg-type]
    except Exception as exc:
        _unavailable(f"Firefox at {exe} did not start: {exc}")
        raise
    try:
        return browser.run(scenario_server, SCENARIOS + RANDOM_SCENARIOS)
    finally:
        browser.close()


def firefox_side(run: FirefoxRun) -> Side:
    """Firefox's run in the Chromium suite's shape; ``cors_errors`` holds one code per fetch."""
    side = chromium_side(BrowserRun(run.scenario, run.fetches, run.requests, [], []))
    side.name = "Firefox"
    side.cors_errors = [code or "-" for code in run.codes]
    side.console = [plain(line.text) for line in run.reasons if line is not None]
    side.transcript = run.transcript()
    return side


def engine_codes(results: list[Any]) -> list[str]:
    """The engine's ``failure.code`` per fetch ('-' where it allowed or raised)."""
    return [
        "-" if isinstance(r, Exception) or r.failure is None else r.failure.code for r in results
    ]


def firefox_differences(browser: Side, engine: Side) -> list[str]:
    """The Chromium suite's comparison, worded for Firefox; codes compared per fetch."""
    diffs = differences(browser, engine)
    return [
        d.replace("DevTools corsError: Chromium", "failure code: Firefox console").replace(
            "Chromium", "Firefox"
        )
        for d in diffs
    ]


def forbidden_headers(scenario: Scenario) -> list[tuple[str, str]]:
    from pytest_cors.engine.request import is_forbidden_header

    return [(k, v) for f in scenario.fetches for k, v in f.headers if is_forbidden_header(k, v)]


def dropped_problems(
    server: ScenarioServer,
    scenario: Scenario,
    target: object,
    run: FirefoxRun,
    forbidden: list[tuple[str, str]],
) -> list[str]:
    """Lead decision 1: Firefox drops a forbidden header silently, the engine refuses it."""
    from pytest_cors import simulate_fetch
    from pytest_cors.errors import CorsUsageError

    problems: list[str] = []
    sent = {(k.lower(), v) for r in run.requests for k, v in r.headers}
    named = {
        name.strip()
        for r in run.requests
        for name in (r.get("Access-Control-Request-Headers") or "").split(",")
    }
    for name, value in forbidden:
        if (name.lower(), value) in sent:
            problems.append(f"Firefox sent the forbidden header {name}: {value}")
        if name.lower() in named:
            problems.append(f"Firefox named the forbidden header {name} in a preflight")
        try:
            simulate_fetch(
                target,
                scenario_url(server, scenario),
                origin=page_origin(server, scenario.page),
                headers=[(name, value)],
                browser="firefox",
            )
        except CorsUsageError as exc:
            if name.lower() not in str(exc).lower() or "drop" not in str(exc):
                problems.append(f"usage error for {name} does not say it is dropped: {exc}")
        else:
            problems.append(f"engine accepted the forbidden header {name} (want CorsUsageError)")
    return problems


def _check(
    scenario: Scenario,
    kind: str,
    runs: dict[str, FirefoxRun],
    server: ScenarioServer,
    targets: dict[str, Any],
) -> None:
    run = runs[scenario.sid]
    server.take(scenario.sid)  # whatever an earlier engine run left behind
    forbidden = forbidden_headers(scenario)
    without = frozenset(name.lower() for name, _ in forbidden)
    results = run_engine_as("firefox", server, scenario, targets[kind], without)
    wires = None
    if kind == "live":
        wires = [wire_from_received(r) for r in server.take(scenario.sid)]
    browser = firefox_side(run)
    engine = engine_side(kind, results, wires)
    engine.cors_errors = engine_codes(results)
    diffs = firefox_differences(browser, engine)
    diffs += dropped_problems(server, scenario, targets[kind], run, forbidden)
    if diffs:
        replay = ""
        if scenario.family == "random":
            replay = f" (random seed {SEED}; replay with {SEED_ENV}={SEED})"
        pytest.fail(
            f"engine (firefox profile, {kind} target) disagrees with "
            f"{_version.get('firefox', 'Firefox')}{replay}\n\n"
            + scenario.describe()
            + "\n\nDifferences:\n- "
            + "\n- ".join(diffs)
            + "\n\nFirefox verdicts: "
            + "; ".join(map(str, browser.verdicts))
            + "\nEngine verdicts:  "
            + "; ".join(map(str, engine.verdicts))
            + "\n\n"
            + browser.transcript
            + "\n\n"
            + engine.transcript,
            pytrace=False,
        )


@pytest.mark.browser
@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("scenario", SCENARIOS + RANDOM_SCENARIOS, ids=lambda s: s.sid)
def test_engine_matches_firefox(
    scenario: Scenario,
    kind: str,
    firefox_runs: dict[str, FirefoxRun],
    scenario_server: ScenarioServer,
    engine_targets: dict[str, Any],  # noqa: F811
) -> None:
    _check(scenario, kind, firefox_runs, scenario_server, engine_targets)


@pytest.mark.browser
def test_firefox_console_reasons_were_captured(firefox_runs: dict[str, FirefoxRun]) -> None:
    """Every rejected fetch has a reason; without one the code comparison would prove nothing."""
    missing = [
        f"{sid} fetch {i}"
        for sid, run in firefox_runs.items()
        for i, (f, code) in enumerate(zip(run.fetches, run.codes, strict=True), 1)
        if not f.resolved and not f.construction_error and code is None
    ]
    unknown = sorted(
        {line.text for run in firefox_runs.values() for line in run.console
         if line.code and line.code.startswith("unknown")}
    )  # fmt: skip
    assert not missing, f"rejected without a console reason: {missing}"
    assert not unknown, f"console reasons with no MDN name: {unknown}"
