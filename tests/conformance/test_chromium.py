"""The engine's ``chromium`` profile against real Chromium, scenario by scenario.

For each scenario the engine runs twice, against the live scenario server (through the kit's
``LiveTarget``) and against the same responses served in-process (WSGI); each run must match
what Chromium did: allowed or blocked, status, readable headers, every request sent (preflight
or not, ``Origin`` per hop, exact ``Access-Control-Request-*``), the DevTools ``corsError`` and
the console line.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from .chromium import BrowserRun
from .compare import (
    chromium_side,
    differences,
    dropped_header_problems,
    engine_side,
    run_engine,
    wire_from_received,
)
from .randomized import RANDOM_SCENARIOS, SEED, SEED_ENV
from .scenarios import DEFAULT_PORT_SCENARIOS, SCENARIOS, Scenario
from .server import ScenarioServer
from .twin import live_session, wsgi_app

pytestmark = pytest.mark.browser

TARGETS = ("live", "wsgi")


@pytest.fixture(scope="module")
def engine_targets(scenario_server: ScenarioServer) -> Iterator[dict[str, Any]]:
    from pytest_cors.targets.live import LiveTarget
    from pytest_cors.targets.wsgi import WsgiTarget

    # The browser follows a redirect anywhere; the kit's live target only reaches origins it
    # was given, so it is given every origin a scenario can name.
    marks = scenario_server.placeholders("-")
    origins = [marks[m] for m in ("{API2}", "{APP}", "{APP2}", "{EVIL}", "{OTHER}", "{APP80}",
                                  "{API80}")]  # fmt: skip
    named: dict[str, Any] = {}
    if "allow_origins" in inspect.signature(LiveTarget).parameters:  # the origin guard
        named["allow_origins"] = origins
    live = LiveTarget(scenario_server.api, session=live_session(scenario_server.port), **named)
    yield {"live": live, "wsgi": WsgiTarget(wsgi_app(scenario_server), scenario_server.api)}
    live.close()


def _check(
    scenario: Scenario,
    kind: str,
    runs: dict[str, BrowserRun],
    server: ScenarioServer,
    targets: dict[str, Any],
    replay: str = "",
) -> None:
    run = runs[scenario.sid]
    server.take(scenario.sid)  # whatever an earlier engine run left behind
    results = run_engine(server, scenario, targets[kind])
    wires = None
    if kind == "live":
        wires = [wire_from_received(r) for r in server.take(scenario.sid)]
    browser = chromium_side(run)
    engine = engine_side(kind, results, wires)
    diffs = differences(browser, engine)
    diffs += dropped_header_problems(server, scenario, targets[kind], run)
    if diffs:
        pytest.fail(
            f"engine ({kind} target) disagrees with Chromium{replay}\n\n"
            + scenario.describe()
            + "\n\nDifferences:\n- "
            + "\n- ".join(diffs)
            + "\n\nChromium verdicts: "
            + "; ".join(map(str, browser.verdicts))
            + "\nEngine verdicts:   "
            + "; ".join(map(str, engine.verdicts))
            + "\n\n"
            + browser.transcript
            + "\n\n"
            + engine.transcript,
            pytrace=False,
        )


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize(
    "scenario", SCENARIOS + DEFAULT_PORT_SCENARIOS + RANDOM_SCENARIOS, ids=lambda s: s.sid
)
def test_engine_matches_chromium(
    scenario: Scenario,
    kind: str,
    chromium_runs: dict[str, BrowserRun],
    scenario_server: ScenarioServer,
    engine_targets: dict[str, Any],
) -> None:
    replay = ""
    if scenario.family == "random":
        replay = f" (random seed {SEED}; replay with {SEED_ENV}={SEED})"
    _check(scenario, kind, chromium_runs, scenario_server, engine_targets, replay)


@pytest.mark.browser
def test_the_script_sees_the_profiles_script_error(chromium_runs: dict[str, BrowserRun]) -> None:
    """What ``explain()`` says the page's script catches is what Chromium's script caught."""
    from pytest_cors.engine import get_profile

    seen = {
        f.error
        for run in chromium_runs.values()
        for f in run.fetches
        if not f.resolved and not f.construction_error and not f.timed_out
    }
    assert seen == {get_profile("chromium").script_error}
