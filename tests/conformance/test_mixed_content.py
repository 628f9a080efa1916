"""The ``mixed-content`` family (mixed_content.py) against Chromium, Firefox and WebKit.

Each engine loads the https page once and runs every case; each case then runs through the
engine's profile (``prepare_request(..., mixed_content=True)``, an element's or XHR's
destination and mode as ``engine/initiators`` maps them) twice: against the live loopback TLS
server, and in-process against the same responses. The two must agree with the browser on
whether the page used the answer and on every request the server received, with its scheme
(nothing for a blocked request; ``https`` for an upgraded image). For a blocked ``fetch()`` or
element the engine's failure ``message`` lines must be among the browser's console lines.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import _unavailable
from .initiator_harness import EngineRuns
from .mixed_content import (
    CASES,
    IP_RESOLVER_RULES,
    MixCase,
    MixRun,
    page_origin,
    run_chromium,
    run_firefox,
    run_webkit,
)
from .random_mixed_content import RANDOM_MIXED_CASES, replay_hint
from .tls_server import TlsScenarioServer

pytestmark = pytest.mark.browser

PROFILES = {"chromium": "chromium", "firefox": "firefox", "webkit": "safari"}
TARGETS = ("live", "in-process")
#: Console lines are compared for every blocked initiator (XHR's own wording comes from the
#: kit's initiator layer, ``pytest_cors.initiators``; an image or media is blocked only at an
#: IP literal, in Chromium).
WORDED = ("fetch", "xhr", "script", "font", "stylesheet", "img", "audio", "video")
ALL_CASES = [*CASES, *RANDOM_MIXED_CASES]


@pytest.fixture(scope="module")
def tls_server() -> Iterator[TlsScenarioServer]:
    with TlsScenarioServer() as server:
        yield server


@pytest.fixture(scope="module")
def mixed_runs(tls_server: TlsScenarioServer) -> EngineRuns[MixRun]:
    """Each engine's runs, on first use: a missing engine skips (CI=true: fails) only its tests."""
    runners = {"chromium": run_chromium, "firefox": run_firefox, "webkit": run_webkit}
    return MixedEngineRuns(runners, tls_server, ALL_CASES, insecure_certs=True)


class MixedEngineRuns(EngineRuns[MixRun]):
    """:class:`EngineRuns` whose Chromium also maps the family's IP literals to loopback
    (the ``--host-resolver-rules`` given last wins, so it repeats the scenario hosts' rules)."""

    def of(self, name: str) -> dict[str, MixRun]:
        if name != "chromium" or name in self._done:
            return super().of(name)
        from .chromium import Chromium, find_chromium, resolver_rules

        exe = find_chromium()
        if exe is None:
            _unavailable("Chromium not found (install Debian's 'chromium' package)")
        rules = f"--host-resolver-rules={resolver_rules()}, {IP_RESOLVER_RULES}"
        try:
            browser = Chromium(exe, extra_args=["--ignore-certificate-errors", rules])  # type: ignore[arg-type]
        except Exception as exc:
            _unavailable(f"chromium did not start: {exc}")
            raise
        try:
            self._done[name] = run_chromium(browser, self.server, self.cases)
        finally:
            browser.close()
        return self._done[name]


def answer_live(server: TlsScenarioServer, request: Any) -> Any:
    """Send ``request`` to the loopback server over its URL's scheme (the name dialled as
    127.0.0.1, the self-signed certificate accepted), as the browser did."""
    from pytest_cors.http import Headers, Response

    parts = urlsplit(request.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, context=context, timeout=10
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Host": parts.netloc, **dict(request.headers.items())}
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(request.method, path, body=request.body, headers=headers)
        reply = conn.getresponse()
        return Response(reply.status, Headers(reply.getheaders()), reply.read(), reply.reason)
    finally:
        conn.close()


def answer_in_process(server: TlsScenarioServer, request: Any) -> Any:
    """The same response, from the server's table without a socket (nothing is recorded)."""
    from pytest_cors.http import Headers, Response

    from .server import split_line

    parts = urlsplit(request.url)
    status, reason, lines, body = server.wire_response(
        request.method, parts.path, tuple(request.headers.items())
    )
    return Response(status, Headers([split_line(line) for line in lines]), body, reason)


def run_engine(
    server: TlsScenarioServer, case: MixCase, profile_name: str, target: str
) -> tuple[Any, list[tuple[str, str, str]]]:
    """The engine's outcome for ``case`` and what it sent: (method, step, scheme) each."""
    from pytest_cors.engine import get_profile, prepare_request, run_fetch
    from pytest_cors.engine.initiators import element_request, xhr_request
    from pytest_cors.initiators import _judged

    profile = get_profile(profile_name)
    url = case.url(server)
    made = None
    if case.kind == "fetch":
        req = prepare_request(url, origin=page_origin(server), profile=profile,
                              method=case.method, headers=list(case.fetch_headers()),
                              body=case.fetch_body(), credentials=case.credentials,
                              mixed_content=True)  # fmt: skip
    else:
        body = "x" if case.method == "PUT" else None
        made = (
            xhr_request(case.method, False, False, body)
            if case.kind == "xhr"
            else element_request(case.kind, case.crossorigin, profile.console)
        )
        req = prepare_request(url, origin=page_origin(server), profile=profile,
                              method=made.method, headers=list(made.headers), body=body,
                              credentials=made.credentials, mode=made.mode,
                              mixed_content=True)  # fmt: skip
        req = replace(req, destination=made.destination)
    answer = answer_live if target == "live" else answer_in_process
    flow = run_fetch(req, profile)
    sent: list[tuple[str, str, str]] = []
    try:
        request = next(flow)
        while True:
            parts = urlsplit(request.url)
            sent.append((request.method, parts.path.split("/")[-1], parts.scheme))
            request = flow.send(answer(server, request))
    except StopIteration as stop:
        outcome = stop.value
    # an initiator's use of the answer and its console wording: the kit's own layer
    return (outcome if made is None else _judged(outcome, made, profile)), sent


def _seen(line: str, console: list[str]) -> bool:
    """``line`` is among ``console``; WebKit's web process and network process share fd 2,
    so a long line of one may be cut by the other's write (seen once in ~50 runs): a cut
    line of 40 or more characters that starts ``line`` counts."""
    return any(c == line or (len(c) >= 40 and line.startswith(c)) for c in console)


PAIRS = [
    pytest.param(case, engine, target, id=f"{case.sid}-{engine}-{target}")
    for case in ALL_CASES
    for engine in PROFILES
    if engine in case.engines
    for target in TARGETS
]


@pytest.mark.parametrize(("case", "engine", "target"), PAIRS)
def test_engine_matches_the_browser_on_mixed_content(
    case: MixCase,
    engine: str,
    target: str,
    mixed_runs: EngineRuns[MixRun],
    tls_server: TlsScenarioServer,
) -> None:
    run = mixed_runs.of(engine)[case.sid]
    tls_server.take_with_schemes(case.sid)
    try:
        outcome, sent = run_engine(tls_server, case, PROFILES[engine], target)
    finally:
        tls_server.take_with_schemes(case.sid)  # the engine's own live requests
    theirs = run.summary()
    used = outcome.allowed if case.kind == "fetch" else outcome.used
    ours = {"used": used, "sent": sent}
    diffs = [f"{k}: {engine} {theirs[k]!r}, engine {ours[k]!r}" for k in theirs
             if theirs[k] != ours[k]]  # fmt: skip
    failure = outcome.failure
    if failure is not None and failure.code == "MixedContent" and case.kind in WORDED:
        plain = [line.translate(str.maketrans("\u201c\u201d", '""')) for line in run.console]
        missing = [line for line in failure.message.split("\n") if not _seen(line, plain)]
        if missing:
            diffs.append(f"console: engine lines {missing!r} not among {engine}'s")
    if diffs:
        pytest.fail(
            f"engine ({PROFILES[engine]} profile, {target}) disagrees with {engine} on "
            f"{case.sid} ({case.title}){replay_hint(case)}\n- " + "\n- ".join(diffs) + "\n\n"
            + run.transcript() + "\n\n" + outcome.explain(),
            pytrace=False,
        )  # fmt: skip
