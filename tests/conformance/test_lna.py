"""The ``lna`` family (lna.py) against Chromium: Local Network Access with address-space overrides.

Chromium runs every case once (one context per permission grant); each case then runs through
the engine's ``chromium`` profile with ``local_network=LocalNetwork(...)`` (the context's
permissions, the overridden spaces declared), against the live loopback TLS server and
in-process. They must agree on whether the page used the answer, on every request the server
received (none when the gate refuses, not even a preflight; no PNA header when granted) and the
console line must be the engine's failure ``message``. Firefox and WebKit are not run here:
neither gates (their profiles leave ``local_network_access`` off; Firefox 153 ships LNA prefs,
``network.lna.*``, not measured yet).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import _unavailable
from .lna import CASES, LnaCase, LnaRun, override_flag, run_chromium
from .test_mixed_content import answer_in_process, answer_live
from .tls_server import TlsScenarioServer

pytestmark = pytest.mark.browser

TARGETS = ("live", "in-process")
_STATE = {"prompt": {}, "loopback": {"loopback_network": "granted"},
          "local": {"local_network": "granted"}}  # fmt: skip


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
        return run_chromium(browser, lna_server, CASES)
    finally:
        browser.close()


def run_engine(server: TlsScenarioServer, case: LnaCase, target: str) -> tuple[Any, list[Any]]:
    from pytest_cors import LocalNetwork
    from pytest_cors.engine import get_profile, prepare_request, run_fetch

    profile = get_profile("chromium")
    put = case.method == "PUT"
    network = LocalNetwork(**_STATE[case.grant], page_space="public",  # type: ignore[arg-type]
                           target_space=case.space)  # type: ignore[arg-type]  # fmt: skip
    req = prepare_request(case.url(server), origin=case.page_origin(server), profile=profile,
                          method=case.method, headers=[("X-Custom", "1")] if put else None,
                          body="x" if put else None, local_network=network)  # fmt: skip
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


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.sid)
def test_engine_matches_chromium_on_local_network_access(
    case: LnaCase, target: str, lna_runs: dict[str, LnaRun], lna_server: TlsScenarioServer
) -> None:
    run = lna_runs[case.sid]
    lna_server.take_with_schemes(case.sid)
    try:
        outcome, sent = run_engine(lna_server, case, target)
    finally:
        lna_server.take_with_schemes(case.sid)
    theirs = run.summary()
    ours = {
        "used": outcome.allowed,
        "sent": [_kind(r) for r in sent],
        "pna": any("Access-Control-Request-Private-Network" in r.headers for r in sent),
    }
    diffs = [f"{k}: chromium {theirs[k]!r}, engine {ours[k]!r}" for k in theirs
             if theirs[k] != ours[k]]  # fmt: skip
    failure = outcome.failure
    if failure is not None and failure.message not in run.console:
        diffs.append(f"console: {run.console!r}, engine {failure.message!r}")
    if failure is None and run.console:
        diffs.append(f"console: chromium logged {run.console!r}, engine allowed")
    assert all(urlsplit(r.url).netloc for r in sent)
    if diffs:
        pytest.fail(
            f"engine (chromium profile, {target}) disagrees with Chromium on {case.sid} "
            f"({case.title})\n- " + "\n- ".join(diffs) + "\n\n" + run.transcript()
            + "\n\n" + outcome.explain(),
            pytrace=False,
        )  # fmt: skip
