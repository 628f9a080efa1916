"""The ``modes`` family (``mode`` and ``redirect``) in Chromium, Firefox and WebKit.

Each engine runs the family once (a browser of its own for the module, so the shared runs and
their checks stay as they are); each scenario is then compared with the matching profile, live
and in-process: resolved, rejected or thrown, the status, the readable headers, the response
type (``opaque``, ``opaqueredirect``, ``basic``, ``cors``) and every request sent. A header the
browser silently drops in ``no-cors`` mode is left out of the engine's run and must, given on
its own, be a usage error that says the browser would drop it. The random scenarios of this
run's seed (random_modes.py) run alongside the fixed ones, in the same browsers and checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .chromium import page_origin, scenario_url
from .compare import Side, Verdict, chromium_side, differences, engine_side, wire_from_received
from .conftest import _unavailable
from .modes import MODE_SCENARIOS
from .random_modes import FAMILY as RANDOM_FAMILY
from .random_modes import RANDOM_MODE_SCENARIOS
from .randomized import SEED, SEED_ENV
from .scenarios import Scenario
from .server import ScenarioServer
from .test_chromium import TARGETS, engine_targets  # noqa: F401  (the same two engine targets)

pytestmark = pytest.mark.browser

PROFILES = {"chromium": "chromium", "firefox": "firefox", "webkit": "safari"}
#: The fixed table and this run's random scenarios (random_modes.py), run alike.
ALL_MODE_SCENARIOS = MODE_SCENARIOS + RANDOM_MODE_SCENARIOS


def _start(name: str, server: ScenarioServer) -> dict[str, Any]:
    """Run the family in one engine, or skip (fail under CI=true) when it is not there."""
    if name == "chromium":
        from .chromium import Chromium, find_chromium

        exe = find_chromium()
        if exe is None:
            _unavailable("Chromium not found (install Debian's 'chromium' package)")
        make: Callable[[], Any] = lambda: Chromium(exe)  # noqa: E731
    elif name == "firefox":
        from .firefox import Firefox, find_firefox

        exe = find_firefox()
        if exe is None:
            _unavailable("Firefox not found (install Debian's 'firefox-esr' package)")
        make = lambda: Firefox(exe)  # noqa: E731
    else:
        from .webkit import WebKit, webkit_missing

        reason = webkit_missing()
        if reason is not None:
            _unavailable(f"WebKit unavailable: {reason}")
        make = WebKit
    try:
        browser = make()
    except Exception as exc:
        _unavailable(f"{name} did not start: {exc}")
        raise
    try:
        runs: dict[str, Any] = browser.run(server, ALL_MODE_SCENARIOS)
        return runs
    finally:
        browser.close()


@pytest.fixture(scope="module")
def mode_runs() -> dict[str, dict[str, Any]]:
    return {}  # filled per engine on first use: a missing engine skips only its own tests


def _runs(cache: dict[str, dict[str, Any]], name: str, server: ScenarioServer) -> dict[str, Any]:
    if name not in cache:
        cache[name] = _start(name, server)
    return cache[name]


def _page_side(engine: str, run: Any) -> Side:
    """What the page saw in Firefox or WebKit (their console lines are pinned by unit tests)."""
    verdicts = [
        Verdict(
            f.resolved,
            f.status if f.resolved else None,
            tuple(sorted((k.lower(), v) for k, v in f.headers)) if f.resolved else (),
            raised=f.construction_error,
        )
        for f in run.fetches
    ]
    wires = [wire_from_received(r) for r in run.requests]
    timed_out = any(f.timed_out for f in run.fetches)
    return Side(engine, wires, verdicts, [], [], run.transcript(), {"timed_out": timed_out})


def run_engine(server: ScenarioServer, scenario: Scenario, target: object, profile: str) -> list:
    """The scenario's fetches through one ``Browser``, without the headers the browser drops."""
    from pytest_cors import Browser
    from pytest_cors.errors import CorsUsageError

    browser = Browser(profile)
    results: list[Any] = []
    for f in scenario.fetches:
        dropped = {name.lower() for name in f.drops}
        try:
            results.append(
                browser.fetch(
                    target,
                    scenario_url(server, scenario),
                    origin=page_origin(server, scenario.page),
                    method=f.method,
                    headers=[(k, v) for k, v in f.headers if k.lower() not in dropped],
                    credentials=f.credentials,
                    body=f.body,
                    mode=f.mode,  # type: ignore[arg-type]
                    redirect=f.redirect,  # type: ignore[arg-type]
                )
            )
        except CorsUsageError as exc:
            results.append(exc)
    return results


def _dropped_problems(
    server: ScenarioServer, scenario: Scenario, target: object, run: Any, profile: str
) -> list[str]:
    from pytest_cors import simulate_fetch
    from pytest_cors.errors import CorsUsageError

    problems = []
    for f in scenario.fetches:
        for name in f.drops:
            value = next(v for k, v in f.headers if k == name)
            if any(
                k.lower() == name.lower() and v == value for r in run.requests for k, v in r.headers
            ):
                problems.append(f"the browser sent the header {name}: {value} in {f.mode} mode")
            try:
                simulate_fetch(
                    target,
                    scenario_url(server, scenario),
                    origin=page_origin(server, scenario.page),
                    method=f.method,
                    headers=[(name, value)],
                    body=f.body,
                    mode=f.mode,  # type: ignore[arg-type]
                    browser=profile,
                )
            except CorsUsageError as exc:
                if name.lower() not in str(exc).lower() or "drop" not in str(exc):
                    problems.append(f"usage error for {name} does not say it is dropped: {exc}")
            else:
                problems.append(f"engine accepted {name} in {f.mode} mode (want CorsUsageError)")
    return problems


@pytest.mark.parametrize("engine", PROFILES)
@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("scenario", ALL_MODE_SCENARIOS, ids=lambda s: s.sid)
def test_engine_matches_the_browser_on_modes(
    scenario: Scenario,
    kind: str,
    engine: str,
    mode_runs: dict[str, dict[str, Any]],
    scenario_server: ScenarioServer,
    engine_targets: dict[str, Any],  # noqa: F811
) -> None:
    run = _runs(mode_runs, engine, scenario_server)[scenario.sid]
    profile = PROFILES[engine]
    scenario_server.take(scenario.sid)  # whatever an earlier engine run left behind
    results = run_engine(scenario_server, scenario, engine_targets[kind], profile)
    wires = None
    if kind == "live":
        wires = [wire_from_received(r) for r in scenario_server.take(scenario.sid)]
    browser = chromium_side(run) if engine == "chromium" else _page_side(engine, run)
    ours = engine_side(kind, results, wires)
    if engine != "chromium":  # DevTools codes and "Access to fetch" lines are Chromium's
        ours.cors_errors, ours.console = [], []
    diffs = differences(browser, ours)
    seen = [f.type if f.resolved else "" for f in run.fetches]
    typed = [
        getattr(r, "response_type", "") if getattr(r, "allowed", False) else "" for r in results
    ]
    if seen != typed:
        diffs.append(f"response type: {engine} {seen}, engine {typed}")
    diffs += _dropped_problems(scenario_server, scenario, engine_targets[kind], run, profile)
    if diffs:
        options = "; ".join(f"mode={f.mode} redirect={f.redirect}" for f in scenario.fetches)
        replay = ""
        if scenario.family == RANDOM_FAMILY:
            replay = f" (random seed {SEED}; replay with {SEED_ENV}={SEED})"
        pytest.fail(
            f"engine ({profile} profile, {kind} target) disagrees with {engine}{replay}\n\n"
            + scenario.describe()
            + f"\n  {options}\n\nDifferences:\n- "
            + "\n- ".join(diffs)
            + "\n\n"
            + run.transcript()
            + "\n\n"
            + ours.transcript,
            pytrace=False,
        )
