"""The runner: in-process without threads, live concurrently over one bounded pool, identical
preflights reused where a browser would cache them, targets resolved as documented."""

from __future__ import annotations

import socket
import sys
import threading
import time

import pytest

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import FINDINGS, build_checks, evaluate, failing
from pytest_cors.errors import CorsUsageError, TargetError
from pytest_cors.run import (
    ContractRun,
    SameOriginProbe,
    TargetSpec,
    check_contract,
    import_app,
)
from tests.servers import serve_asgi

from . import apps
from .apps import ORIGINS, allow_listed, good_headers, scripted

SPA = """\
version: 1
{extra}policies:
  - name: spa-api
    paths: [/items, /items/1]
    origins:
      allow: [https://app.example.com, https://admin.example.com]
    methods: [GET, POST, PUT]
    request_headers: [Content-Type, X-Request-Id]
    expose_headers: [X-Total-Count]
    credentials: true
    max_age: {{min: 60, max: 7200}}
    faults: []  # the faults' own requests: test_faults.py
"""


def contract(extra=""):
    return load_contract_text(SPA.format(extra=extra), "cors.yaml", known_findings=FINDINGS)


class Watch:
    """WSGI middleware: counts requests, connections and the most requests in flight at once."""

    def __init__(self, app, pause=0.0):
        self.app = app
        self.pause = pause
        self.lock = threading.Lock()
        self.inflight = 0
        self.most = 0
        self.methods = []
        self.preflights = []  # (path, header lines) of each OPTIONS request that arrived
        self.peers = set()

    def __call__(self, environ, start_response):
        with self.lock:
            self.inflight += 1
            self.most = max(self.most, self.inflight)
            self.methods.append(environ["REQUEST_METHOD"])
            if environ["REQUEST_METHOD"] == "OPTIONS":
                self.preflights.append(
                    (
                        environ.get("PATH_INFO"),
                        tuple(sorted((k, v) for k, v in environ.items() if k.startswith("HTTP_"))),
                    )
                )
            self.peers.add(environ.get("REMOTE_PORT"))
        try:
            if self.pause:
                time.sleep(self.pause)  # lets requests overlap; nothing is timed
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.inflight -= 1


def test_in_process_checks_run_in_the_callers_thread_without_a_pool():
    seen = set()

    def app(environ, start_response):
        seen.add(threading.get_ident())
        return apps.flask_good(environ, start_response)

    c = contract()
    run = ContractRun(c, TargetSpec.resolve(c), target=app)
    checks = build_checks(c)
    before = threading.active_count()
    run.prefetch(checks)
    for check in checks:
        assert not failing(evaluate(check, run.result(check))), check.name
    run.close()
    assert seen == {threading.get_ident()}
    assert threading.active_count() == before
    assert run._ahead is None


class AsgiWatch:
    """ASGI middleware: the most requests in flight at once, and the client ports seen."""

    def __init__(self, app):
        self.app = app
        self.inflight = 0
        self.most = 0
        self.requests = 0
        self.peers = set()

    async def __call__(self, scope, receive, send):
        import asyncio

        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.inflight += 1
        self.requests += 1
        self.most = max(self.most, self.inflight)
        self.peers.add(scope["client"][1])
        try:
            await asyncio.sleep(0.005)  # lets requests overlap; nothing is timed
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1


def test_live_checks_run_concurrently_within_the_bound_over_one_pool():
    watch = AsgiWatch(apps.starlette_good)
    c = contract()
    checks = build_checks(c)
    with serve_asgi(watch) as base_url:
        run = ContractRun(c, TargetSpec(None, base_url, "cors.yaml"), concurrency=4)
        assert run.live
        run.prefetch(checks)
        results = [evaluate(check, run.result(check)) for check in checks]
        run.close()
    assert not any(failing(r) for r in results)
    assert 2 <= watch.most <= 4
    # one pool of at most 4 kept-alive connections: never a connection per request
    assert 2 <= len(watch.peers) <= 4 < watch.requests


def _preflights(evidence):
    outcome = evidence.outcome
    own = len(outcome.preflights) if outcome else 0
    return own + sum(1 for e in evidence.extra if e.kind == "preflight")


def test_identical_preflights_are_sent_once_when_a_browser_would_cache_them():
    c = contract("browsers: [chromium, firefox]\n")
    watch = Watch(allow_listed(scripted(*good_headers()), ORIGINS))
    run = ContractRun(c, TargetSpec.resolve(c), target=watch)
    per_browser = {"chromium": 0, "firefox": 0, "safari": 0}
    checks = build_checks(c)
    for check in checks:
        per_browser[check.browser] += _preflights(run.result(check))
    sent = watch.methods.count("OPTIONS")
    assert per_browser["firefox"] > 0
    # every preflight a flow needed was sent once, or reused: never sent twice
    assert sent + run.stats["reused"] == sum(per_browser.values())
    # a flow needing a preflight already answered is given that answer, not sending it again
    # (this contract's checks never repeat one since the PNA preflight checks went)
    again = next(check for check in checks if _preflights(run.result(check)))
    reused = run.stats["reused"]
    assert _preflights(run.result(again)) == 1
    assert run.stats["reused"] > reused and watch.methods.count("OPTIONS") == sent
    assert len(set(watch.preflights)) == sent
    # a browser's preflight carries its own lines (User-Agent, ...): Firefox's twin of a
    # Chromium preflight is another request, sent, not answered with Chromium's answer
    agents = {dict(headers).get("HTTP_USER_AGENT", "") for _, headers in watch.preflights}
    assert any("Firefox/" in a for a in agents) and any("Chrome/" in a for a in agents)


def test_preflights_with_max_age_zero_are_never_reused():
    preflight, actual = good_headers()
    preflight["Access-Control-Max-Age"] = "0"
    c = load_contract_text(
        SPA.format(extra="browsers: [chromium, firefox]\n").replace(
            "    max_age: {min: 60, max: 7200}\n", ""
        ),
        "cors.yaml",
    )
    # not allow-listed: every preflight, the private-network one too, says Max-Age: 0
    run = ContractRun(c, TargetSpec.resolve(c), target=scripted(preflight, actual))
    for check in build_checks(c):
        run.result(check)
    assert run.stats["reused"] == 0


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_stops_the_run_without_passing_anything():
    c = contract()
    run = ContractRun(c, TargetSpec(None, f"http://127.0.0.1:{_closed_port()}", "cors.yaml"))
    checks = build_checks(c)
    with pytest.raises(TargetError, match="connection refused"):
        run.result(checks[0])
    with pytest.raises(TargetError, match="not attempted: an earlier request could not reach"):
        run.result(checks[1])
    run.close()


def test_a_probe_from_the_targets_own_origin_is_not_a_cors_request():
    text = SPA.format(extra="").replace("https://admin.example.com", "http://testserver")
    c = load_contract_text(text, "cors.yaml")
    run = ContractRun(c, TargetSpec.resolve(c), target=apps.flask_good)
    check = next(ch for ch in build_checks(c) if ch.origin == "http://testserver")
    with pytest.raises(SameOriginProbe, match="target's own origin"):
        run.result(check)


def test_app_is_imported_from_the_contract_folder(tmp_path, monkeypatch):
    folder = tmp_path / "service"
    folder.mkdir()
    (folder / "corsy_service_app.py").write_text("def app(environ, start_response):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # restored afterwards, with the folder added below
    obj = import_app("corsy_service_app:app", str(folder / "cors.yaml"))
    assert obj.__name__ == "app"


FACTORY_MODULE = """
CALLS = []

def app(environ, start_response):  # an app: two parameters, never called at import
    CALLS.append("app")
    start_response("200 OK", [])
    return [b""]

def create_app(config=None):
    CALLS.append("create_app")
    return app

def broken_factory():
    raise RuntimeError("no database")
"""


@pytest.fixture
def factory_module(tmp_path, monkeypatch):
    (tmp_path / "corsy_factory_app.py").write_text(FACTORY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "corsy_factory_app", raising=False)
    return tmp_path / "cors.yaml"


@pytest.mark.parametrize("spec", ["corsy_factory_app:create_app", "corsy_factory_app:create_app()"])
def test_an_app_factory_is_called_for_the_app(factory_module, spec):
    obj = import_app(spec, str(factory_module))
    module = sys.modules["corsy_factory_app"]
    assert obj is module.app
    assert module.CALLS == ["create_app"]


def test_an_app_is_not_mistaken_for_a_factory(factory_module):
    assert import_app("corsy_factory_app:app", str(factory_module)).__name__ == "app"
    assert sys.modules["corsy_factory_app"].CALLS == []


def test_a_factory_that_raises_is_a_usage_error_naming_it(factory_module):
    with pytest.raises(
        CorsUsageError,
        match=r"factory 'corsy_factory_app:broken_factory\(\)' raised RuntimeError: no database",
    ):
        import_app("corsy_factory_app:broken_factory()", str(factory_module))


def test_a_factory_runs_a_contract_from_the_command_line(pytester):
    pytester.makepyfile(corsy_cli_factory=FACTORY_MODULE.replace('[b""]', '[b"{}"]'))
    pytester.makefile(".yaml", cors=SPA.format(extra=""))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--cors-app", "corsy_cli_factory:create_app"
    )
    outcomes = result.parseoutcomes()
    assert "errors" not in outcomes  # imported and called: the checks ran and were judged
    assert outcomes["failed"] > 0  # the app sends no CORS headers: the allowed checks fail


def test_the_import_error_names_each_folder_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorsUsageError) as info:
        import_app("no_such_module_for_cors:app", str(tmp_path / "cors.yaml"))
    assert str(info.value).count(str(tmp_path.resolve())) == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nomodule", "must be written module:attr"),
        ("no_such_module_for_cors:app", "cannot import target app 'no_such_module_for_cors:app'"),
        ("tests.contract_checks.apps:nothing", "module 'tests.contract_checks.apps' has no"),
    ],
)
def test_bad_app_specs_are_usage_errors(spec, message):
    with pytest.raises(CorsUsageError, match=message):
        import_app(spec, "cors.yaml")


def test_command_line_target_overrides_the_contract():
    c = load_contract_text(
        SPA.format(extra="target:\n  base_url: https://staging.example.com\n"), "cors.yaml"
    )
    assert TargetSpec.resolve(c).base_url == "https://staging.example.com"
    assert TargetSpec.resolve(c).live
    override = TargetSpec.resolve(c, app="tests.contract_checks.apps:flask_good")
    assert (override.app, override.base_url, override.live) == (
        "tests.contract_checks.apps:flask_good",
        None,
        False,
    )


def test_no_target_anywhere_is_a_usage_error():
    c = contract()
    run = ContractRun(c, TargetSpec.resolve(c))
    with pytest.raises(CorsUsageError, match="no target to check"):
        run.result(build_checks(c)[0])


def _permissive(conn, stop, ended):
    """Answer every request on a kept-alive connection as a CORS server that allows anything;
    ``/items/1`` gets garbage instead. Appends to ``ended`` when the client closes."""
    from tests.servers import read_request

    while raw := read_request(conn):
        head = raw.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        path = head[0].split(" ")[1]
        fields = dict(line.split(": ", 1) for line in head[1:])
        if path == "/items/1":
            conn.sendall(b"NOT HTTP\r\n\r\n")
            continue
        origin = fields.get("Origin", "*")
        lines = [f"Access-Control-Allow-Origin: {origin}", "Access-Control-Allow-Credentials: true"]
        if head[0].startswith("OPTIONS"):
            lines += [
                "Access-Control-Allow-Methods: GET, POST, PUT",
                "Access-Control-Allow-Headers: Content-Type, X-Request-Id",
                "Access-Control-Max-Age: 600",
            ]
        answer = "HTTP/1.1 200 OK\r\n" + "".join(f"{line}\r\n" for line in lines)
        conn.sendall((answer + "Content-Length: 0\r\n\r\n").encode())
    ended.append(True)


def test_live_checks_raise_their_own_errors_and_close_every_connection():
    from tests.servers import serve_raw

    started, ended = [], []

    def handler(conn, stop):
        started.append(True)
        _permissive(conn, stop, ended)

    c = contract()
    checks = build_checks(c)
    with serve_raw(handler) as base_url:
        run = ContractRun(c, TargetSpec(None, base_url, "cors.yaml"), concurrency=3)
        run.prefetch(checks)
        outcomes = {}
        for check in checks:
            try:
                run.result(check)
                outcomes[check.name] = "ok"
            except TargetError as exc:
                outcomes[check.name] = str(exc)
        connections = run.stats["sent"]
        run.close()
        for _ in range(500):  # the server notices each close a moment later
            if len(ended) == len(started):
                break
            time.sleep(0.01)
    bad = {c.name for c in checks if c.path == "/items/1"}
    assert bad
    for name, outcome in outcomes.items():
        if name in bad:
            assert "the answer is not HTTP" in outcome, name
        else:
            assert outcome == "ok", (name, outcome)
    assert connections > len(checks) // 2
    # every connection the run opened was closed by it (one more for each garbage answer)
    assert len(ended) == len(started) >= 1
    assert run._ahead is None


def test_credentialed_checks_carry_the_cookie_where_each_browser_would_send_it():
    """The probe cookie follows the profile's cookie rules: Chromium sends the SameSite=None
    session cookie from any site (a page on another site is what an attack comes from),
    Safari blocks third-party cookies; no preflight ever carries it."""
    seen = []
    target = scripted(*good_headers(), record=seen)
    c = contract("browsers: [chromium, safari]\n")
    run = ContractRun(c, TargetSpec.resolve(c), target=target)
    cookies = {"chromium": set(), "safari": set()}
    checks = [check for check in build_checks(c) if check.credentials]
    assert {check.browser for check in checks} == {"chromium", "safari"}
    for check in checks:
        seen.clear()
        evidence = run.result(check)
        for environ in seen:
            if environ["REQUEST_METHOD"] == "OPTIONS":
                assert "HTTP_COOKIE" not in environ
            else:
                cookies[check.browser].add(environ.get("HTTP_COOKIE"))
        for exchange in evidence.exchanges:
            sent = exchange.request.headers.get("Cookie")
            assert sent == (
                "pytest_cors_session=probe"
                if check.browser == "chromium" and exchange.kind == "actual"
                else None
            )
    # the target is http://testserver, another site than every probe origin
    assert cookies == {"chromium": {"pytest_cors_session=probe"}, "safari": {None}}


def test_only_allowed_checks_count_mixed_content_denied_checks_ask_the_server(monkeypatch):
    """Mixed content decides whether the page works, never that the server refuses an origin:
    an attacker's page can be http:// (a denied check blocked by it would be a false pass)."""
    import pytest_cors.run as run_module
    from pytest_cors.flow import Browser

    seen: list[bool] = []

    class Spy(Browser):
        def __init__(self, browser="chromium", *, mixed_content=True, **kwargs):
            seen.append(mixed_content)
            super().__init__(browser, mixed_content=mixed_content, **kwargs)

    monkeypatch.setattr(run_module, "Browser", Spy)
    c = contract()
    results = check_contract(c, apps.flask_good)
    assert not any(failing(found) for _, found in results)
    allowed = sum(check.kind in ("allowed", "error-path") for check, _ in results)
    refusals = ("origin", "credentials", "method", "header")
    denied = sum(check.kind in refusals for check, _ in results)
    assert seen.count(True) == allowed > 0
    assert seen.count(False) >= denied > 0
