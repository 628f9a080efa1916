"""The ``lna`` family (lna.py) against Chromium and Firefox: Local Network Access with
address-space overrides.

Each browser runs every case once (one context per permission grant); each case then runs
through the engine's matching profile (``chromium``, ``firefox``) with
``local_network=LocalNetwork(...)`` (the context's permissions, the overridden spaces
declared), against the live loopback TLS server and in-process. They must agree on whether the
page used the answer, on every request the server received (none when the gate refuses, not
even a preflight; no PNA header when granted) and the console line must be the engine's failure
``message``. Firefox 153 ESR gates by default (``network.lna.enabled`` and
``network.lna.blocking`` are on as shipped); unlike Chromium it asks a page that is not a secure
context like any other. WebKit is not run here: it has no address-space override to make the
page public, and its profile leaves ``local_network_access`` off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import _unavailable
from .firefox import plain
from .lna import (
    CASES,
    LnaCase,
    LnaRun,
    firefox_prefs,
    override_flag,
    permissions,
    run_chromium,
    run_firefox,
)
from .random_lna import RANDOM_LNA_CASES, replay_hint
from .test_mixed_content import answer_in_process, answer_live
from .tls_server import TlsScenarioServer

pytestmark = pytest.mark.browser

TARGETS = ("live", "in-process")
ALL_CASES = [*CASES, *RANDOM_LNA_CASES]


def _state(grant: str) -> dict[str, str]:
    """The grant's permission states as ``LocalNetwork`` keywords."""
    return {name.replace("-", "_"): state for name, state in permissions(grant).items()}


@pytest.fixture(scope="module")
def lna_server() -> Iterator[TlsScenarioServer]:
    with TlsScenarioServer(extra_ports=1) as server:
        yield server


@pytest.fixture(scope="module")
def lna_runs(lna_server: TlsScenarioServer) -> dict[str, LnaRun]:
    from .chromium import Chromium, find_chromium

    exe = find_chromium()
    if exe is None:
        _unavailable("Chromium not found (install Debian's 'chromium' package)")
    try:
        browser = Chromium(  # type: ignore[arg-type]
            exe, extra_args=["--ignore-certificate-errors", override_flag(lna_server)]
        )
    except Exception as exc:
        _unavailable(f"Chromium did not start: {exc}")
        raise
    try:
        return run_chromium(browser, lna_server, ALL_CASES)
    finally:
        browser.close()


@pytest.fixture(scope="module")
def lna_firefox_runs(lna_server: TlsScenarioServer) -> dict[str, LnaRun]:
    from .firefox import Firefox, find_firefox

    exe = find_firefox()
    if exe is None:
        _unavailable("Firefox not found (install Debian's 'firefox-esr' package)")
    try:
        browser = Firefox(  # type: ignore[arg-type]
            exe, prefs=firefox_prefs(lna_server), accept_insecure_certs=True
        )
    except Exception as exc:
        _unavailable(f"Firefox did not start: {exc}")
        raise
    try:
        return run_firefox(browser, lna_server, ALL_CASES)
    finally:
        browser.close()


def run_engine(
    server: TlsScenarioServer, case: LnaCase, target: str, browser: str = "chromium"
) -> tuple[Any, list[Any]]:
    from pytest_cors import LocalNetwork
    from pytest_cors.engine import get_profile, prepare_request, run_fetch

    profile = get_profile(browser)
    network = LocalNetwork(**_state(case.grant),  # type: ignore[arg-type]
                           page_space=case.page_space,  # type: ignore[arg-type]
                           target_space=case.space)  # type: ignore[arg-type]  # fmt: skip
    spec = case.spec(server)
    req = prepare_request(case.url(server), origin=case.page_origin(server), profile=profile,
                          method=case.method, headers=list(case.fetch_headers()),
                          body=spec["body"], local_network=network)  # fmt: skip
    answer = answer_live if target == "live" else answer_in_process
    flow = run_fetch(req, profile)
    sent: list[Any] = []
    try:
        request = next(flow)
        while True:
            sent.append(request)
            request = flow.send(answer(server, request))
    except StopIteration as stop:
        return stop.value, sent


def _kind(request: Any) -> str:
    preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
    return "preflight" if preflight else request.method


def compare(
    browser: str, case: LnaCase, target: str, run: LnaRun, server: TlsScenarioServer
) -> None:
    server.take_with_schemes(case.sid)
    try:
        outcome, sent = run_engine(server, case, target, browser)
    finally:
        server.take_with_schemes(case.sid)
    theirs = run.summary()
    ours = {
        "used": outcome.allowed,
        "sent": [_kind(r) for r in sent],
        "pna": any("Access-Control-Request-Private-Network" in r.headers for r in sent),
    }
    diffs = [f"{k}: {browser} {theirs[k]!r}, engine {ours[k]!r}" for k in theirs
             if theirs[k] != ours[k]]  # fmt: skip
    console = [plain(line) for line in run.console]
    failure = outcome.failure
    if failure is not None and failure.message not in console:
        diffs.append(f"console: {console!r}, engine {failure.message!r}")
    if failure is None and console:
        diffs.append(f"console: {browser} logged {console!r}, engine allowed")
    assert all(urlsplit(r.url).netloc for r in sent)
    if diffs:
        pytest.fail(
            f"engine ({browser} profile, {target}) disagrees with {browser} on {case.sid} "
            f"({case.title}){replay_hint(case)}\n- " + "\n- ".join(diffs) + "\n\n"
            + run.transcript() + "\n\n" + outcome.explain(),
            pytrace=False,
        )  # fmt: skip


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.sid)
def test_engine_matches_chromium_on_local_network_access(
    case: LnaCase, target: str, lna_runs: dict[str, LnaRun], lna_server: TlsScenarioServer
) -> None:
    compare("chromium", case, target, lna_runs[case.sid], lna_server)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.sid)
def test_engine_matches_firefox_on_local_network_access(
    case: LnaCase, target: str, lna_firefox_runs: dict[str, LnaRun], lna_server: TlsScenarioServer
) -> None:
    compare("firefox", case, target, lna_firefox_runs[case.sid], lna_server)
