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

import difflib
import re
from typing import Any

import pytest

from . import engines_page
from .bidi import BidiClient, BidiError
from .chromium import BrowserRun, page_origin, scenario_url
from .compare import Side, chromium_side, differences, engine_side, wire_from_received
from .conftest import FIREFOX_VERSION as _version
from .firefox import (
    PREFS,
    ConsoleLine,
    FirefoxRun,
    attribute,
    plain,
    reason_code,
    run_engine_as,
    user_js,
)
from .randomized import RANDOM_SCENARIOS, SEED, SEED_ENV
from .scenarios import SCENARIOS, Scenario
from .server import ScenarioServer
from .test_chromium import TARGETS, engine_targets  # noqa: F401  (the same two engine targets)


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


# -- the driver's own parts, without a browser -------------------------------------------------
_AT = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at"
)

# Lines as Firefox 153 printed them (typographic quotes and all), and their MDN names.
MEASURED_LINES = [
    (f"{_AT} ‘http://api.example.org:1/s/a/a’. (Reason: Credential is not supported if the CORS "
     "header ‘Access-Control-Allow-Origin’ is ‘*’). ", "CORSNotSupportingCredentials"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: CORS header ‘Access-Control-Allow-Origin’ "
     "missing). Status code: 200. ", "CORSMissingAllowOrigin"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: CORS request did not succeed). Status code: "
     "(null). ", "CORSDidNotSucceed"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: CORS header ‘Access-Control-Allow-Origin’ "
     "does not match ‘HTTP://APP.EXAMPLE.COM:1’). ", "CORSAllowOriginNotMatchingOrigin"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: Multiple CORS header "
     "‘Access-Control-Allow-Origin’ not allowed). ", "CORSMultipleAllowOriginNotAllowed"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: expected ‘true’ in CORS header "
     "‘Access-Control-Allow-Credentials’). ", "CORSMissingAllowCredentials"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: CORS preflight response did not succeed). "
     "Status code: 400. ", "CORSPreflightDidNotSucceed"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: CORS request external redirect not "
     "allowed). ", "CORSExternalRedirectNotAllowed"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: Did not find method in CORS header "
     "‘Access-Control-Allow-Methods’). ", "CORSMethodNotFound"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: invalid token ‘GET POST PUT’ in CORS header "
     "‘Access-Control-Allow-Methods’). ", "CORSInvalidAllowMethod"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: header ‘x-custom’ is not allowed according "
     "to header ‘Access-Control-Allow-Headers’ from CORS preflight response). ",
     "CORSMissingAllowHeaderFromPreflight"),
    (f"{_AT} http://api.example.org:1/s/a/a. (Reason: invalid token ‘X-Custom;’ in CORS header "
     "‘Access-Control-Allow-Headers’). ", "CORSInvalidAllowHeader"),
    # older wordings (reference §12.2)
    (f"{_AT} http://x/s/a/a. (Reason: missing token ‘x-a’ in CORS header "
     "‘Access-Control-Allow-Headers’ from CORS preflight channel).",
     "CORSMissingAllowHeaderFromPreflight"),
    (f"{_AT} http://x/s/a/a. (Reason: CORS preflight channel did not succeed).",
     "CORSPreflightDidNotSucceed"),
    (f"{_AT} http://x/s/a/a. (Reason: CORS request not http).", "CORSRequestNotHttp"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "code"), MEASURED_LINES)
def test_console_reason_maps_to_mdn_name(line, code):
    assert reason_code(line) == code


def test_lines_without_a_reason_are_not_cors_failures():
    assert reason_code("Content-Security-Policy: blocked an inline script") is None
    assert reason_code(f"{_AT} http://x/. (Reason: something new)").startswith("unknown reason")


def test_plain_makes_quotes_ascii_and_drops_the_trailing_blank():
    assert plain("at ‘http://a/’. (Reason: x ‘*’). ") == "at 'http://a/'. (Reason: x '*')."


def _line(code, at):
    return ConsoleLine(f"(Reason: {code})", at, code)


def test_each_fetch_gets_the_first_reason_logged_after_it_started():
    lines = [
        _line("CORSDidNotSucceed", 1002),  # the second line after a failed preflight
        _line("CORSPreflightDidNotSucceed", 1001),
        _line("CORSAllowHeaderFromPreflightDeprecation", 1200),  # a warning, not a failure
        _line("CORSMissingAllowOrigin", 1300),
    ]
    reasons = attribute(lines, [1000, 1150], 2)
    assert [r.code if r else None for r in reasons] == [
        "CORSPreflightDidNotSucceed",
        "CORSMissingAllowOrigin",
    ]
    assert attribute(lines[:2], [1000, 1150], 2)[1] is None


def test_user_js_has_the_loopback_resolver_and_quiet_services():
    text = user_js({"a.b": True, "c.d": 5, "e.f": 'say "hi"'})
    assert text.splitlines() == [
        'user_pref("a.b", true);',
        'user_pref("c.d", 5);',
        'user_pref("e.f", "say \\"hi\\"");',
    ]
    assert PREFS["network.dns.forceResolve"] == "127.0.0.1"
    assert PREFS["network.trr.mode"] == 5
    off = (
        "app.update.enabled",
        "toolkit.telemetry.enabled",
        "network.captive-portal-service.enabled",
        "browser.safebrowsing.malware.enabled",
        "network.connectivity-service.enabled",
    )
    assert all(PREFS[name] is False for name in off)


@pytest.fixture
def fake_browser():
    """A websocket server answering BiDi commands as scripted, on 127.0.0.1, port 0."""
    import json
    import threading

    from websockets.sync.server import serve

    def handler(ws):
        for raw in ws:
            message = json.loads(raw)
            method, ident = message["method"], message["id"]
            if method == "fail.me":
                ws.send(json.dumps({"type": "error", "id": ident, "error": "unknown command",
                                    "message": "no such thing"}))  # fmt: skip
                continue
            ws.send(json.dumps({"type": "event", "method": "log.entryAdded",
                                "params": {"text": f"before {method}"}}))  # fmt: skip
            if method == "script.callFunction":
                args = json.loads(message["params"]["arguments"][0]["value"])
                value = {"type": "string", "value": json.dumps({"echo": args})}
                result = {"type": "success", "result": value}
            else:
                result = {"echo": message["params"]}
            ws.send(json.dumps({"type": "success", "id": ident, "result": result}))

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/session"
        server.shutdown()


def test_bidi_client_returns_results_and_keeps_events(fake_browser):
    with BidiClient(fake_browser, timeout=10) as client:
        assert client.command("session.new", {"capabilities": {}}) == {"echo": {"capabilities": {}}}
        assert client.call("ctx", "(a, b) => a", {"x": [1, "é"]}, 2) == {
            "echo": [{"x": [1, "é"]}, 2]
        }
        texts = [e["params"]["text"] for e in client.events]
        assert texts == ["before session.new", "before script.callFunction"]
        with pytest.raises(BidiError, match="unknown command: no such thing"):
            client.command("fail.me")


# -- docs/engines.md ---------------------------------------------------------------------------
def test_engines_page_is_current():
    """The committed page says what the profiles and the scenario table say today."""
    expected = engines_page.render()
    current = engines_page.PAGE.read_text(encoding="utf-8") if engines_page.PAGE.exists() else ""
    if current != expected:
        diff = "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "docs/engines.md (committed)",
                "docs/engines.md (generated)",
            )
        )
        pytest.fail(
            "docs/engines.md is out of date; regenerate it with\n"
            "    python -m tests.conformance.engines_page --write\n\n" + diff,
            pytrace=False,
        )


def test_engines_page_puts_each_difference_under_the_rule_that_explains_it():
    """Only scenarios the two profiles answer differently are listed, under the flag that flips."""
    picked = [s for s in SCENARIOS if s.title in ("DPR: '2'", "simple GET, omit: ACAO exact")]
    assert len(picked) == 2
    by_rule, unexplained = engines_page.differences_by_rule(picked)
    listed = {name: [s.title for s in items] for name, items in by_rule.items() if items}
    assert listed == {"client_hints_safelisted": ["DPR: '2'"]}
    assert unexplained == []


def test_engines_page_compares_webkit_with_chromium_rule_by_rule():
    """The WebKit section explains a difference by the safari profile's own flag."""
    picked = [
        s for s in SCENARIOS if s.title in ("Save-Data: 'on'", "simple GET, omit: ACAO exact")
    ]
    assert len(picked) == 2
    by_rule, unexplained = engines_page.differences_by_rule(picked, "safari")
    listed = {name: [s.title for s in items] for name, items in by_rule.items() if items}
    assert listed == {"client_hints_safelisted": ["Save-Data: 'on'"]}
    assert unexplained == []
    page = engines_page.PAGE.read_text(encoding="utf-8")
    assert "## Where Chromium and WebKit differ, rule by rule" in page


@pytest.mark.browser
def test_the_page_names_the_firefox_checked(firefox_runs: dict[str, FirefoxRun]) -> None:
    """The page's Firefox version is the one this run compared with (same major release)."""
    running = re.search(r"(\d+)\.", _version.get("firefox", ""))
    assert running, f"no version from {_version}"
    assert engines_page.FIREFOX_CHECKED.split(".")[0] == running.group(1), (
        f"docs/engines.md says Firefox {engines_page.FIREFOX_CHECKED}, this run used "
        f"{_version['firefox']}: update FIREFOX_CHECKED in tests/conformance/engines_page.py "
        "and regenerate the page"
    )


@pytest.mark.browser
def test_the_script_sees_the_profiles_script_error(firefox_runs: dict[str, FirefoxRun]) -> None:
    """What ``explain()`` says the page's script catches is what Firefox's script caught."""
    from pytest_cors.engine import get_profile

    seen = {
        f.error
        for run in firefox_runs.values()
        for f in run.fetches
        if not f.resolved and not f.construction_error and not f.timed_out
    }
    assert seen == {get_profile("firefox").script_error}
