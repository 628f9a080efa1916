"""The page's CSP (``page_csp=``) against Chromium, Firefox and WebKit, scenario by scenario.

The ``csp`` family (csp_scenarios.py) runs in each real browser on pages served with the
scenario's ``Content-Security-Policy`` header, and through the engine (``page_csp=`` the same
policy) against the live scenario server and the in-process WSGI twin. Each must match: the
verdict, every request sent (none when the policy blocks the URL), and, for a blocked fetch,
the failure code ``CSPViolation`` and a ``message`` equal to the browser's own console lines.

The random scenarios of this run's seed (random_csp.py) run alongside the fixed ones, in the
same browsers and checks; a fetch their policy lets start may then fail CORS, which the
verdict and the requests sent compare (the CSP console check is then that nothing was logged).

The browsers run here, not in the session fixtures of conftest.py: those hold every other
scenario to CORS reasons (a CSP block has none), and each policy needs a page of its own.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .chromium import BrowserRun, Chromium, find_chromium, page_origin, scenario_url
from .compare import Side, chromium_side, differences, engine_side, wire_from_received
from .conftest import _unavailable
from .csp_scenarios import CSP_SCENARIOS
from .firefox import ConsoleLine, Firefox, FirefoxRun, find_firefox, plain
from .random_csp import FAMILY as RANDOM_FAMILY
from .random_csp import RANDOM_CSP_SCENARIOS
from .randomized import SEED, SEED_ENV
from .scenarios import Scenario
from .server import ScenarioServer, split_page
from .test_chromium import TARGETS, engine_targets  # noqa: F401  (the same two engine targets)
from .test_firefox import firefox_side
from .test_webkit import webkit_side
from .webkit import _CONSOLE, WebKit, WebKitRun, webkit_missing

_SID = re.compile(r"/s/([A-Za-z0-9_.-]+)/")

#: Scenarios an engine profile is known to get wrong, per browser; each must still disagree
#: (so a fix shows up and comes off the list). Firefox quotes a host source written without a
#: scheme with the page's scheme added (``http://*.example.com:*``): ``csp.firefox_text`` says
#: so, and these come off once ``engine/fetch.py`` passes it to ``csp_failure`` for Firefox.
KNOWN_DISAGREEMENTS: dict[str, frozenset[str]] = {}
"""Per engine, scenarios where its profile knowingly differs (each must still differ)."""
_CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")
#: The fixed table and this run's random scenarios (random_csp.py), run alike.
ALL_CSP_SCENARIOS = CSP_SCENARIOS + RANDOM_CSP_SCENARIOS


class _CspFirefox(Firefox):
    """Firefox keeping its CSP console lines (the base driver keeps only CORS ones)."""

    def _warm_up(
        self, server: ScenarioServer, context: str, page_name: str, tries: int = 5
    ) -> bool:
        return True  # about the preflight cache; every scenario here is one fetch

    @staticmethod
    def _console_lines(events: list[dict[str, Any]]) -> dict[str, list[ConsoleLine]]:
        out: dict[str, list[ConsoleLine]] = {}
        for event in events:
            if event.get("method") != "log.entryAdded":
                continue
            text = str(event["params"].get("text", ""))
            match = _SID.search(text)
            if match and any(word in text for word in _CSP_WORDS):
                line = ConsoleLine(text, int(event["params"].get("timestamp", 0)), None)
                out.setdefault(match.group(1), []).append(line)
        return out


def webkit_lines_by_scenario(raw: list[str]) -> dict[str, list[str]]:
    """WebKit's console lines per scenario: a line naming no URL (``Blocked by Content
    Security Policy.``) goes with the next line that names one."""
    out: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in raw:
        match = _CONSOLE.match(line.rstrip("\n"))
        if match is None:
            continue
        text = match.group(1).strip()
        sid = _SID.search(text)
        if sid is None:
            pending.append(text)
            continue
        out.setdefault(sid.group(1), []).extend([*pending, text])
        pending = []
    return out


def csp_lines_only(lines: list[str]) -> list[str]:
    """A page's WebKit lines when its CSP blocked the fetch (``Fetch API cannot load ...``
    included: WebKit logs it after a block at a redirect), else none: the lines of a fetch the
    policy let start are CORS's, which the verdict and the requests sent already compare."""
    return lines if any("Content Security Policy" in line for line in lines) else []


class _CspWebKit(WebKit):
    """WebKit keeping every console line of each page (the base driver pairs CORS ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, list[str]] = {}

    def _lines_between(self, start: str, end: str) -> list[str]:
        raw = super()._lines_between(start, end)
        self.lines.update(webkit_lines_by_scenario(raw))
        return raw


@pytest.fixture(scope="module")
def csp_chromium(scenario_server: ScenarioServer) -> dict[str, BrowserRun]:
    exe = find_chromium()
    if exe is None:
        _unavailable("Chromium not found (install Debian's 'chromium' package)")
    browser = Chromium(exe, default_port_to=scenario_server.port)  # type: ignore[arg-type]
    try:
        return browser.run(scenario_server, ALL_CSP_SCENARIOS)
    finally:
        browser.close()


@pytest.fixture(scope="module")
def csp_firefox(scenario_server: ScenarioServer) -> dict[str, FirefoxRun]:
    exe = find_firefox()
    if exe is None:
        _unavailable("Firefox not found (install Debian's 'firefox-esr' package)")
    browser = _CspFirefox(exe)  # type: ignore[arg-type]
    try:
        return browser.run(scenario_server, ALL_CSP_SCENARIOS)
    finally:
        browser.close()


@pytest.fixture(scope="module")
def csp_webkit(
    scenario_server: ScenarioServer,
) -> tuple[dict[str, WebKitRun], dict[str, list[str]]]:
    reason = webkit_missing()
    if reason is not None:
        _unavailable(f"WebKit unavailable: {reason}")
    browser = _CspWebKit()
    try:
        runs = browser.run(scenario_server, ALL_CSP_SCENARIOS)
    finally:
        browser.close()
    return runs, browser.lines


def run_engine_csp(
    profile: str, server: ScenarioServer, scenario: Scenario, target: object
) -> list[Any]:
    """The scenario's fetches through one engine ``Browser(profile)`` with the page's CSP."""
    from pytest_cors import Browser

    policy = split_page(scenario.page)[1]
    assert policy is not None, f"{scenario.sid} has no page CSP"
    browser = Browser(profile)
    return [
        browser.fetch(
            target,
            scenario_url(server, scenario),
            origin=page_origin(server, scenario.page),
            method=f.method,
            headers=list(f.headers),
            credentials=f.credentials,
            body=f.body,
            page_csp=server.filler("")(policy),
        )
        for f in scenario.fetches
    ]


def csp_problems(name: str, logged: list[str], results: list[Any]) -> list[str]:
    """A fetch the policy blocked: code ``CSPViolation`` and the browser's console lines as
    ``message``; one it let start: no CSP line in the console. A fetch the policy let start may
    still fail CORS (random scenarios): the verdict and the requests sent compare that, so a
    CORS failure where the browser logged a CSP line shows up here as a missing line."""
    failures = [r.failure for r in results if r.failure is not None]
    blocked = [f for f in failures if f.code == "CSPViolation"]
    problems = []
    if not logged and blocked:
        problems.append("engine failure code CSPViolation, but the browser logged no CSP line")
    if logged and not blocked:
        codes = [f.code for f in failures] or ["none"]
        problems.append(f"engine failure code {', '.join(codes)}, want CSPViolation")
    message = "\n".join(plain(f.message) for f in blocked)
    seen = "\n".join(plain(line) for line in logged)
    if message != seen:
        problems.append(f"console differs:\n  {name}: {seen!r}\n  engine: {message!r}")
    return problems


def _check(
    name: str,
    profile: str,
    browser: Side,
    logged: list[str],
    scenario: Scenario,
    kind: str,
    server: ScenarioServer,
    targets: dict[str, Any],
) -> None:
    server.take(scenario.sid)
    results = run_engine_csp(profile, server, scenario, targets[kind])
    wires = [wire_from_received(r) for r in server.take(scenario.sid)] if kind == "live" else None
    engine = engine_side(kind, results, wires)
    browser.cors_errors, engine.cors_errors = [], []
    diffs = [d.replace("Chromium", name) for d in differences(browser, engine, console=False)]
    diffs += csp_problems(name, logged, results)
    if scenario.sid in KNOWN_DISAGREEMENTS.get(name, ()):
        assert diffs, f"{scenario.sid} ({kind}): now agrees with {name}: take it off the list"
        return
    if diffs:
        replay = ""
        if scenario.family == RANDOM_FAMILY:
            replay = f" (random seed {SEED}; replay with {SEED_ENV}={SEED})"
        pytest.fail(
            f"engine ({profile} profile, {kind} target) disagrees with {name}{replay}\n\n"
            + scenario.describe()
            + f"\n  policy: {split_page(scenario.page)[1]}"
            + "\n\nDifferences:\n- "
            + "\n- ".join(diffs)
            + "\n\n"
            + browser.transcript
            + "\n\n"
            + engine.transcript,
            pytrace=False,
        )


_IDS = {"ids": lambda s: s.sid}


@pytest.mark.browser
@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("scenario", ALL_CSP_SCENARIOS, **_IDS)
def test_csp_matches_chromium(scenario, kind, csp_chromium, scenario_server, engine_targets):  # noqa: F811
    run = csp_chromium[scenario.sid]
    # the violation line; Chromium's second line (``Fetch API cannot load URL. Refused to
    # connect because ...``) is its network error, as ``net::ERR_FAILED`` is for CORS
    logged = [line for line in run.console if line.startswith("Connecting to ")]
    _check("Chromium", "chromium", chromium_side(run), logged, scenario, kind,
           scenario_server, engine_targets)  # fmt: skip


@pytest.mark.browser
@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("scenario", ALL_CSP_SCENARIOS, **_IDS)
def test_csp_matches_firefox(scenario, kind, csp_firefox, scenario_server, engine_targets):  # noqa: F811
    run = csp_firefox[scenario.sid]
    side = firefox_side(run)
    side.console = []
    _check("Firefox", "firefox", side, [line.text for line in run.console], scenario, kind,
           scenario_server, engine_targets)  # fmt: skip


@pytest.mark.browser
@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("scenario", ALL_CSP_SCENARIOS, **_IDS)
def test_csp_matches_webkit(scenario, kind, csp_webkit, scenario_server, engine_targets):  # noqa: F811
    runs, lines = csp_webkit
    _check("WebKit", "safari", webkit_side(runs[scenario.sid]),
           csp_lines_only(lines.get(scenario.sid, [])), scenario, kind, scenario_server,
           engine_targets)  # fmt: skip


@pytest.mark.browser
def test_the_family_blocks_and_allows(csp_chromium):
    """Both verdicts occur, and a blocked fetch sent nothing: the family proves something."""
    blocked = [r for r in csp_chromium.values() if not r.fetches[0].resolved]
    allowed = [r for r in csp_chromium.values() if r.fetches[0].resolved]
    assert len(blocked) >= 10 and len(allowed) >= 8
    assert any(not r.requests for r in blocked)


# -- without a browser -------------------------------------------------------------------------
def test_page_names_carry_the_policy_and_the_server_sends_it():
    page = CSP_SCENARIOS[0].page
    assert split_page(page) == ("app", "connect-src 'self'")
    assert split_page("app") == ("app", None)
    with ScenarioServer() as server:
        from .chromium import page_url

        url = page_url(server, page)
        assert page_origin(server, page) == server.origin("app.example.com")
        path = url.split(str(server.port), 1)[1]
        sent = server.response_for("GET", path, ())
        assert "Content-Security-Policy: connect-src 'self'" in sent.lines
        assert page_origin(server, "null|csp:connect-src *|n:1") == "null"


def test_webkit_lines_go_to_their_scenario():
    raw = [
        "CONSOLE SECURITY ERROR Refused to connect to http://o:1/s/csp-1/b because ...\n",
        "CONSOLE SECURITY ERROR Blocked by Content Security Policy.\n",
        "CONSOLE JS ERROR Fetch API cannot load http://a:1/s/csp-1/a due to access control "
        "checks.\n",
        "noise\n",
        "CONSOLE SECURITY ERROR Refused to connect to http://a:1/s/csp-2/a because ...\n",
    ]
    lines = webkit_lines_by_scenario(raw)
    assert len(lines["csp-1"]) == 3 and lines["csp-1"][1] == "Blocked by Content Security Policy."
    assert len(lines["csp-2"]) == 1
