"""The ``initiators`` family (elements, XHR, EventSource, sendBeacon) in all three engines.

Each engine loads every case of :mod:`.initiators` (the fixed table and this run's random
cases, :mod:`.random_initiators`) in one page; each case is then run through the kit's
``simulate_load`` / ``simulate_xhr`` / ``simulate_eventsource`` / ``simulate_beacon``, against
the same live server and against its in-process WSGI twin, and the two must agree on what the
server saw (a request sent, a preflight, ``Origin``, ``Cookie``, ``Sec-Fetch-Mode`` and
``-Dest``, on the first request when there is a redirect) and on what the page made of it
(``used``; ``readable`` where the page could tell). In Chromium the kit's failure message must
also be the console line (``Access to image at ...``), in WebKit its last line one of WebKit's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .initiator_harness import EngineRuns
from .initiators import CASES, Case, InitiatorRun, case_url, run_chromium, run_firefox, run_webkit
from .random_initiators import RANDOM_INITIATOR_CASES, REDIRECT_TARGETS
from .randomized import SEED, SEED_ENV
from .server import ScenarioServer

pytestmark = pytest.mark.browser

PROFILES = {"chromium": "chromium", "firefox": "firefox", "webkit": "safari"}
TARGETS = ("live", "wsgi")
ALL_CASES = CASES + RANDOM_INITIATOR_CASES
PAIRS = [
    pytest.param(case, engine, kind, id=f"{case.sid}-{engine}-{kind}")
    for case in ALL_CASES
    for engine in PROFILES
    for kind in TARGETS
]


@pytest.fixture(scope="module")
def initiator_runs(scenario_server: ScenarioServer) -> EngineRuns[InitiatorRun]:
    """Each engine's runs, on first use: a missing engine skips (CI=true: fails) only its tests."""
    runners = {"chromium": run_chromium, "firefox": run_firefox, "webkit": run_webkit}
    return EngineRuns(runners, scenario_server, ALL_CASES)


@pytest.fixture(scope="module")
def initiator_targets(scenario_server: ScenarioServer) -> Iterator[dict[str, Any]]:
    """The resource's origin, live (allowed to follow a case's redirect to its other origins)
    and in-process (the server's WSGI twin, which answers every origin alike)."""
    from pytest_cors.targets.live import LiveTarget
    from pytest_cors.targets.wsgi import WsgiTarget

    from .twin import wsgi_app

    base = scenario_server.origin("localhost", second_port=True)
    fill = scenario_server.filler("-")
    others = [fill(where) for where in REDIRECT_TARGETS if fill(where) != base]
    live = LiveTarget(base, allow_origins=others)
    yield {"live": live, "wsgi": WsgiTarget(wsgi_app(scenario_server), base)}
    live.close()


def simulate(
    server: ScenarioServer, case: Case, profile: str, target: object, page_csp: str | None = None
) -> Any:
    """The kit's run of ``case`` against ``target``, holding the page's cookie (on a page with
    ``page_csp``: the CSP-initiators family)."""
    import pytest_cors as pc

    url = case_url(server, case)
    common: dict[str, Any] = {
        "origin": server.origin("localhost"),
        "browser": profile,
        "cookies": {"pc": "1"},
        "page_csp": page_csp,
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
    """The kit's facts, the request ones from its first actual request (as the browser's are:
    after a redirect, the first hop is the one the page's own settings shaped)."""
    actual = outcome.actual
    first = next((e for e in outcome.exchanges if e.kind == "actual"), None)
    sent = first.request.headers if first is not None else None
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


@pytest.mark.parametrize(("case", "engine", "kind"), PAIRS)
def test_engine_matches_the_browser_on_initiators(
    case: Case,
    engine: str,
    kind: str,
    initiator_runs: EngineRuns[InitiatorRun],
    scenario_server: ScenarioServer,
    initiator_targets: dict[str, Any],
) -> None:
    run = initiator_runs.of(engine)[case.sid]
    scenario_server.take(case.sid)  # whatever the browser left behind
    try:
        outcome = simulate(scenario_server, case, PROFILES[engine], initiator_targets[kind])
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
        # as WebKit logs them behind "CONSOLE <source> <level> "; a line without the case's URL
        # ("Origin ... is not allowed", "Cross-origin script load denied ...") is not tied to
        # the case (_by_sid), so the kit's lines that name it are the ones compared
        printed = [re.sub(r"^CONSOLE \w+ \w+ ", "", line) for line in run.console]
        named = [line for line in failure.message.split("\n") if f"/s/{case.sid}/" in line]
        missing = [line for line in named if line not in printed]
        if missing:
            diffs.append(f"console: {printed!r}, kit's lines {missing!r} not among them")
    if diffs:
        pytest.fail(
            f"kit ({PROFILES[engine]} profile, {kind} target) disagrees with {engine} on "
            f"{case.sid}{': ' + case.title if case.title else ''}\n"
            f"  answer: {case.cors()!r}, status {case.status}, redirect {case.redirect}\n"
            f"  (this run's seed {SEED}: replay with {SEED_ENV}={SEED})\n- "
            + "\n- ".join(diffs)
            + "\n\n"
            + run.transcript()
            + "\n\n"
            + outcome.explain(),
            pytrace=False,
        )
