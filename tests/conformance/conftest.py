"""Session fixtures for the real-browser conformance suite.

One scenario server and one Chromium for the whole session: every scenario (the systematic
table and this run's random ones) runs in the browser once, in a batch, before the first
comparison; each comparison is then its own test. Without Chromium the suite skips with the
reason, except under ``CI=true`` where a missing browser is a failure.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from .chromium import BrowserRun, Chromium, find_chromium
from .firefox import Firefox, FirefoxRun, find_firefox, firefox_version
from .randomized import RANDOM_SCENARIOS, SEED, SEED_ENV
from .scenarios import ADDED_HEADER_SCENARIOS, DEFAULT_PORT_SCENARIOS, SCENARIOS
from .server import ScenarioServer
from .webkit import WebKit, WebKitRun, webkit_missing

_stats: dict[str, object] = {}


def _chromium_version() -> str:
    exe = find_chromium()
    if exe is None:
        return "not installed"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unusable ({exc})"
    return out.stdout.strip() or out.stderr.strip()


def _firefox_version() -> str:
    from .firefox import find_firefox, firefox_version

    exe = find_firefox()
    return (firefox_version(exe) or "Firefox unusable") if exe else "Firefox not installed"


def random_family_counts() -> dict[str, int]:
    """This run's random cases by family, all drawn from the one seed (``SEED``)."""
    # lazy: the family modules import the page runners; the header needs only their sizes
    from .random_csp import RANDOM_CSP_SCENARIOS
    from .random_csp_initiators import RANDOM_CSP_INITIATOR_CASES
    from .random_initiators import RANDOM_INITIATOR_CASES
    from .random_lna import RANDOM_LNA_CASES
    from .random_mixed_content import RANDOM_MIXED_CASES
    from .random_modes import RANDOM_MODE_SCENARIOS

    return {
        "fetch": len(RANDOM_SCENARIOS),
        "modes": len(RANDOM_MODE_SCENARIOS),
        "csp": len(RANDOM_CSP_SCENARIOS),
        "initiators": len(RANDOM_INITIATOR_CASES),
        "csp-initiators": len(RANDOM_CSP_INITIATOR_CASES),
        "mixed-content": len(RANDOM_MIXED_CASES),
        "lna": len(RANDOM_LNA_CASES),
    }


def _header_line() -> str:
    families = ", ".join(f"{n} {family}" for family, n in random_family_counts().items())
    return (
        f"pytest-cors conformance: {_chromium_version()}; {_firefox_version()}; "
        f"{len(SCENARIOS) + len(DEFAULT_PORT_SCENARIOS)} scenarios + random ({families}), "
        f"seed {SEED} (replay: {SEED_ENV}={SEED})"
    )


def pytest_report_header(config: pytest.Config) -> str:
    return _header_line()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "version" in _stats:
        terminalreporter.write_line(
            f"conformance: compared with Chromium {_stats['version']}; random seed {SEED} "
            f"(replay with {SEED_ENV}={SEED})"
        )


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser suite must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def scenario_server() -> Iterator[ScenarioServer]:
    with ScenarioServer() as server:
        yield server


@pytest.fixture(scope="session")
def chromium_runs(scenario_server: ScenarioServer) -> dict[str, BrowserRun]:
    """Every scenario run once in Chromium; the server's record of each is taken with it."""
    exe = find_chromium()
    if exe is None:
        _unavailable("Chromium not found (install Debian's 'chromium' package)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright-python is not installed")
    try:
        browser = Chromium(exe, default_port_to=scenario_server.port)  # type: ignore[arg-type]
    except Exception as exc:
        _unavailable(f"Chromium at {exe} did not start: {exc}")
        raise
    try:
        _stats["version"] = browser.version
        return browser.run(
            scenario_server,
            SCENARIOS + DEFAULT_PORT_SCENARIOS + RANDOM_SCENARIOS + ADDED_HEADER_SCENARIOS,
        )
    finally:
        browser.close()


#: The Firefox that ran (``firefox-esr --version``), once ``firefox_runs`` has run.
FIREFOX_VERSION: dict[str, str] = {}


@pytest.fixture(scope="session")
def firefox_runs(scenario_server: ScenarioServer) -> dict[str, FirefoxRun]:
    """Every scenario run once in Firefox; the server's record of each is taken with it (here,
    not in test_firefox.py, so that every module shares the one session's Firefox)."""
    exe = find_firefox()
    if exe is None:
        _unavailable("Firefox not found (install Debian's 'firefox-esr' package)")
    try:
        import websockets  # noqa: F401
    except ImportError:
        _unavailable("the 'websockets' package is not installed (pip install -e '.[test]')")
    FIREFOX_VERSION["firefox"] = firefox_version(exe)  # type: ignore[arg-type]
    try:
        browser = Firefox(exe)  # type: ignore[arg-type]
    except Exception as exc:
        _unavailable(f"Firefox at {exe} did not start: {exc}")
        raise
    try:
        return browser.run(scenario_server, SCENARIOS + RANDOM_SCENARIOS + ADDED_HEADER_SCENARIOS)
    finally:
        browser.close()


#: The WebKitGTK that ran (``WebKitGTK 2.50.6``), once ``webkit_runs`` has run.
WEBKIT_VERSION: dict[str, str] = {}


@pytest.fixture(scope="session")
def webkit_runs(scenario_server: ScenarioServer) -> dict[str, WebKitRun]:
    """Every scenario (the fixed table and this run's random ones) run once in WebKitGTK
    (headless under Xvfb, one web view for the session); the server's record of each is taken
    with it."""
    reason = webkit_missing()
    if reason is not None:
        _unavailable(f"WebKit unavailable: {reason}")
    try:
        browser = WebKit()
    except Exception as exc:
        _unavailable(f"WebKitGTK did not start: {exc}")
        raise
    WEBKIT_VERSION["webkit"] = browser.version
    try:
        return browser.run(scenario_server, SCENARIOS + RANDOM_SCENARIOS)
    finally:
        browser.close()
