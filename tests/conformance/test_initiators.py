"""The ``initiators`` family (elements, XHR, EventSource, sendBeacon) in all three engines.

Each engine loads every case of :mod:`.initiators` in one page; each case is then run through
the kit's ``simulate_load`` / ``simulate_xhr`` / ``simulate_eventsource`` / ``simulate_beacon``
against the same live server, and the two must agree on what the server saw (a request sent,
a preflight, ``Origin``, ``Cookie``, ``Sec-Fetch-Mode`` and ``-Dest``) and on what the page
made of it (``used``; ``readable`` where the page could tell). In Chromium the kit's failure
message must also be the console line (``Access to image at ...``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .initiator_harness import EngineRuns
from .initiators import CASES, Case, InitiatorRun, case_url, run_chromium, run_firefox, run_webkit
from .server import ScenarioServer

pytestmark = pytest.mark.browser

PROFILES = {"chromium": "chromium", "firefox": "firefox", "webkit": "safari"}
PAIRS = [
    pytest.param(case, engine, id=f"{case.sid}-{engine}") for case in CASES for engine in PROFILES
]


@pytest.fixture(scope="module")
def initiator_runs(scenario_server: ScenarioServer) -> EngineRuns[InitiatorRun]:
    """Each engine's runs, on first use: a missing engine skips (CI=true: fails) only its tests."""
    runners = {"chromium": run_chromium, "firefox": run_firefox, "webkit": run_webkit}
    return EngineRuns(runners, scenario_server, CASES)


def simulate(server: ScenarioServer, case: Case, profile: str) -> Any:
    """The kit's run of ``case`` against the live scenario server, holding the page's cookie."""
    import pytest_cors as pc

    url = case_url(server, case)
    target = server.origin("localhost", second_port=True)
    common: dict[str, Any] = {
        "origin": server.origin("localhost"),
        "browser": profile,
        "cookies": {"pc": "1"},
    }
    if case.kind == "xhr":
        headers = [("Content-Type", case.content_type)] if case.content_type else None
        return pc.simulate_xhr(
            target,
            url,
            method=case.method,
            headers=headers,
            with_credentials=case.with_credentials,
            upload_listeners=case.upload_listener,
            body=case.body,
            **common,
        )
    if case.kind == "eventsource":
        return pc.simulate_eventsource(
            target, url, with_credentials=case.with_credentials, **common
        )
    if case.kind == "beacon":
        return pc.simulate_beacon(
            target, url, body=case.body, content_type=case.content_type, **common
        )
    return pc.simulate_load(target, url, element=case.kind, crossorigin=case.crossorigin, **common)


def kit_summary(outcome: Any) -> dict[str, Any]:
    actual = outcome.actual
    sent = actual.request.headers if actual is not None else None
    return {
        "sent": actual is not None,
        "preflight": outcome.preflight is not None,
        "origin": sent is not None and "Origin" in sent,
        "cookie": sent is not None and "Cookie" in sent,
        "mode": sent.get("Sec-Fetch-Mode") if sent is not None else None,
        "dest": sent.get("Sec-Fetch-Dest") if sent is not None else None,
        "accept": sent.get("Accept") if sent is not None else None,
        "used": outcome.used,
        "readable": outcome.readable,
    }


def browser_summary(run: InitiatorRun) -> dict[str, Any]:
    seen = run.summary()
    seen["accept"] = run.first("Accept")
    if run.case.kind == "beacon":
        seen["used"] = seen["sent"]  # a beacon is "used" when it is delivered
        seen["readable"] = False
    return seen


@pytest.mark.parametrize(("case", "engine"), PAIRS)
def test_engine_matches_the_browser_on_initiators(
    case: Case,
    engine: str,
    initiator_runs: EngineRuns[InitiatorRun],
    scenario_server: ScenarioServer,
) -> None:
    run = initiator_runs.of(engine)[case.sid]
    scenario_server.take(case.sid)  # whatever the browser left behind
    try:
        outcome = simulate(scenario_server, case, PROFILES[engine])
    finally:
        scenario_server.take(case.sid)  # the kit's own requests, before another engine runs
    ours, theirs = kit_summary(outcome), browser_summary(run)
    if not theirs["used"] or theirs["readable"] is None:
        # the page cannot tell whether an unused resource (or media) would be readable
        ours.pop("readable")
        theirs.pop("readable")
    diffs = [
        f"{k}: {engine} {theirs[k]!r}, kit {ours[k]!r}" for k in theirs if theirs[k] != ours[k]
    ]
    failure = outcome.failure
    if engine == "chromium" and run.console and failure and failure.message not in run.console:
        diffs.append(f"console: {run.console[0]!r}, kit {outcome.failure.message!r}")
    if engine == "webkit" and run.console and failure:
        # the initiator's own last line ("Cannot load image URL due to access control checks.",
        # none after the reason for some), as WebKit logs it behind "CONSOLE <source> <level> "
        printed = [re.sub(r"^CONSOLE \w+ \w+ ", "", line) for line in run.console]
        last = failure.message.split("\n")[-1]
        if last not in printed:
            diffs.append(f"console: {printed!r}, kit's last line {last!r}")
    if diffs:
        pytest.fail(
            f"kit ({PROFILES[engine]} profile) disagrees with {engine} on {case.sid}\n- "
            + "\n- ".join(diffs)
            + "\n\n"
            + run.transcript()
            + "\n\n"
            + outcome.explain(),
            pytrace=False,
        )
