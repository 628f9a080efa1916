"""The engine's ``safari`` profile against real WebKit (WebKitGTK), scenario by scenario.

The same scenarios as the Firefox suite (the systematic table and this run's random ones),
compared the same way: for each scenario the engine runs with ``browser="safari"`` against the
live scenario server and against the in-process WSGI twin, and each run must match what WebKit
did: allowed or blocked, status, readable headers, every request sent (preflight or not,
``Origin`` per hop, exact ``Access-Control-Request-*``); and each failure's ``code`` must belong
to the reason WebKit printed in its console (WebKit words one reason for several MDN codes: a
missing and a mismatching ``Access-Control-Allow-Origin`` both read ``Origin X is not allowed
by Access-Control-Allow-Origin``).

WebKitGTK is WebKit's CORS code on libsoup, not Safari's CFNetwork: what is checked here is
what WebCore and WebKit's network process decide, not what Apple's HTTP stack sends.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .chromium import BrowserRun
from .compare import (
    Side,
    _masked,
    chromium_side,
    differences,
    engine_side,
    wire_from_received,
)
from .conftest import WEBKIT_VERSION as _version
from .firefox import run_engine_as
from .randomized import RANDOM_SCENARIOS, SEED, SEED_ENV
from .scenarios import SCENARIOS, Scenario
from .server import ScenarioServer
from .test_chromium import TARGETS, engine_targets  # noqa: F401  (the same two engine targets)
from .test_firefox import dropped_problems, forbidden_headers
from .webkit import WebKitRun, pair_console

#: The fixed scenarios on which the ``safari`` profile and WebKitGTK 2.50.6 are known to
#: disagree (every departure measured is a profile field, docs/fidelity.md; the ones below wait
#: for the engine to read theirs). A
#: scenario listed here must still disagree, so that a fix shows up and comes off the list;
#: every other scenario, fixed or random, must agree.
KNOWN_DISAGREEMENTS: frozenset[str] = frozenset()
"""Scenarios where the safari profile knowingly differs from WebKit (each must still differ)."""

#: WebKit's reason texts, most specific first, to the MDN codes each one covers.
REASONS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Cross-origin redirection to", frozenset()),  # refined by the reason after the colon
    ("cannot contain more than one origin", frozenset({"CORSMultipleAllowOriginNotAllowed",
                                                       "CORSAllowOriginNotMatchingOrigin"})),
    ("is not allowed by Access-Control-Allow-Origin", frozenset({"CORSMissingAllowOrigin",
                                                                 "CORSAllowOriginNotMatchingOrigin",
                                                                 "CORSMultipleAllowOriginNotAllowed"})),
    ("Cannot use wildcard in Access-Control-Allow-Origin",
     frozenset({"CORSNotSupportingCredentials"})),
    ("Access-Control-Allow-Credentials is not", frozenset({"CORSMissingAllowCredentials"})),
    ("Preflight response is not successful", frozenset({"CORSPreflightDidNotSucceed",
                                                        "CORSExternalRedirectNotAllowed"})),
    ("Header Access-Control-Allow-Methods has an invalid value",
     frozenset({"CORSInvalidAllowMethod"})),
    ("Header Access-Control-Allow-Headers has an invalid value",
     frozenset({"CORSInvalidAllowHeader"})),
    ("is not allowed by Access-Control-Allow-Methods", frozenset({"CORSMethodNotFound"})),
    ("has credentials", frozenset({"CORSDidNotSucceed"})),
    ("is not allowed by Access-Control-Allow-Headers",
     frozenset({"CORSMissingAllowHeaderFromPreflight"})),
)  # fmt: skip

_REDIRECTION = re.compile(r"^Cross-origin redirection to \S+ denied by Cross-Origin Resource "
                          r"Sharing policy: (.*)$")  # fmt: skip


def reason_codes(line: str | None) -> frozenset[str] | None:
    """The MDN codes a WebKit reason line covers (None: no line, empty: not recognised)."""
    if line is None:
        return None
    match = _REDIRECTION.match(line)
    if match:
        line = match.group(1)
    for needle, codes in REASONS[1:]:
        if needle in line:
            return codes
    return frozenset()


def webkit_side(run: WebKitRun) -> Side:
    side = chromium_side(BrowserRun(run.scenario, run.fetches, run.requests, [], []))
    side.name = "WebKit"
    side.cors_errors = []
    side.console = []
    side.transcript = run.transcript()
    return side


def code_problems(run: WebKitRun, results: list[Any]) -> list[str]:
    """Each engine failure's code must be one WebKit's reason line stands for."""
    problems = []
    for i, (line, result) in enumerate(zip(run.reasons, results, strict=True), 1):
        if isinstance(result, Exception) or result.failure is None:
            continue
        codes = reason_codes(line)
        if codes is None:
            problems.append(f"fetch {i}: WebKit logged no reason, engine {result.failure.code}")
        elif result.failure.code not in codes:
            problems.append(
                f"fetch {i}: failure code {result.failure.code} is not what WebKit's reason "
                f"{line!r} stands for ({', '.join(sorted(codes)) or 'unrecognised'})"
            )
    return problems


def console_problems(run: WebKitRun, results: list[Any]) -> list[str]:
    """Each engine failure's ``message`` must be WebKit's console lines for that fetch (its
    reason, then ``Fetch API cannot load URL due to access control checks.``)."""
    problems = []
    for i, (lines, result) in enumerate(zip(run.console, results, strict=True), 1):
        if isinstance(result, Exception) or result.failure is None:
            continue
        logged = _masked(["\n".join(lines)])[0]
        if _masked([result.failure.message])[0] != logged:
            problems.append(
                f"fetch {i}: console differs:\n  WebKit: {logged!r}\n"
                f"  engine: {result.failure.message!r}"
            )
    return problems


def _check(
    scenario: Scenario,
    kind: str,
    runs: dict[str, WebKitRun],
    server: ScenarioServer,
    targets: dict[str, Any],
) -> None:
    run = runs[scenario.sid]
    server.take(scenario.sid)  # whatever an earlier engine run left behind
    forbidden = forbidden_headers(scenario)
    without = frozenset(name.lower() for name, _ in forbidden)
    results = run_engine_as("safari", server, scenario, targets[kind], without)
    wires = None
    if kind == "live":
        wires = [wire_from_received(r) for r in server.take(scenario.sid)]
    browser = webkit_side(run)
    engine = engine_side(kind, results, wires)
    engine.cors_errors = []
    diffs = [d.replace("Chromium", "WebKit") for d in differences(browser, engine, console=False)]
    diffs += code_problems(run, results)
    diffs += console_problems(run, results)
    diffs += [
        p.replace("Firefox", "WebKit")
        for p in dropped_problems(server, scenario, targets[kind], run, forbidden)  # type: ignore[arg-type]
    ]
    if scenario.sid in KNOWN_DISAGREEMENTS:
        assert diffs, (
            f"{scenario.sid} ({kind}): the safari profile now agrees with WebKit: take it off "
            "KNOWN_DISAGREEMENTS"
        )
        return
    if diffs:
        replay = ""
        if scenario.family == "random":
            replay = f" (random seed {SEED}; replay with {SEED_ENV}={SEED})"
        pytest.fail(
            f"engine (safari profile, {kind} target) disagrees with "
            f"{_version.get('webkit', 'WebKit')}{replay}\n\n"
            + scenario.describe()
            + "\n\nDifferences:\n- "
            + "\n- ".join(diffs)
            + "\n\nWebKit verdicts: "
            + "; ".join(map(str, browser.verdicts))
            + "\nEngine verdicts: "
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
def test_engine_matches_webkit(
    scenario: Scenario,
    kind: str,
    webkit_runs: dict[str, WebKitRun],
    scenario_server: ScenarioServer,
    engine_targets: dict[str, Any],  # noqa: F811
) -> None:
    _check(scenario, kind, webkit_runs, scenario_server, engine_targets)


@pytest.mark.browser
def test_webkit_console_reasons_were_captured(webkit_runs: dict[str, WebKitRun]) -> None:
    """Every rejected fetch has a reason line; without one the code comparison proves nothing."""
    missing, unknown = [], set()
    for sid, run in webkit_runs.items():
        for i, (f, lines) in enumerate(zip(run.fetches, run.console, strict=True), 1):
            if f.resolved or f.construction_error or f.timed_out:
                continue
            if len(lines) < 2:
                missing.append(f"{sid} fetch {i}: {lines}")
            elif reason_codes(lines[0]) == frozenset():
                unknown.add(lines[0])
    assert not missing, f"rejected without a reason and a 'Fetch API' line: {missing}"
    assert not unknown, f"WebKit reasons this suite does not know: {sorted(unknown)}"


@pytest.mark.browser
def test_the_script_sees_the_profiles_script_error(webkit_runs: dict[str, WebKitRun]) -> None:
    """What ``explain()`` says the page's script catches is what WebKit's script caught."""
    from pytest_cors.engine import get_profile

    seen = {
        f.error
        for run in webkit_runs.values()
        for f in run.fetches
        if not f.resolved and not f.construction_error and not f.timed_out
    }
    assert seen == {get_profile("safari").script_error}


# -- the driver's own parts, without a browser -------------------------------------------------
def test_console_lines_pair_reason_and_fetch_line_per_scenario():
    lines = [
        "some GTK noise\n",
        "CONSOLE SECURITY ERROR Origin http://a:1 is not allowed by "
        "Access-Control-Allow-Origin. Status code: 200\n",
        "CONSOLE JS ERROR Fetch API cannot load http://b:1/s/x-1/a due to access control checks.\n",
        "CONSOLE SECURITY ERROR Preflight response is not successful. Status code: 404\n",
        "CONSOLE JS ERROR Fetch API cannot load http://b:1/s/x-2/a due to access control checks.\n",
        "CONSOLE JS ERROR Fetch API cannot load http://b:1/s/x-1/a due to access control checks.\n",
    ]
    paired = pair_console(lines)
    assert [len(group) for group in paired["x-1"]] == [2, 1]
    assert paired["x-2"][0][0].startswith("Preflight response is not successful")


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200",
         "CORSMissingAllowOrigin"),
        ("Cross-origin redirection to http://x/s/a/b denied by Cross-Origin Resource Sharing "
         'policy: Credentials flag is true, but Access-Control-Allow-Credentials is not "true".',
         "CORSMissingAllowCredentials"),
        ("Method PUT is not allowed by Access-Control-Allow-Methods.", "CORSMethodNotFound"),
        ("Request header field x-a is not allowed by Access-Control-Allow-Headers.",
         "CORSMissingAllowHeaderFromPreflight"),
        ("Header Access-Control-Allow-Headers has an invalid value: X Custom",
         "CORSInvalidAllowHeader"),
    ],
)  # fmt: skip
def test_webkit_reasons_map_to_mdn_codes(line, code):
    assert code in reason_codes(line)
    assert reason_codes("something new") == frozenset()
    assert reason_codes(None) is None
