"""Sanic through adapt(): the app itself, sanic-testing's ``SanicASGITestClient``
(``app.asgi_client``) and ``SanicTestClient`` (``app.test_client``).

Sanic answers nothing before its start-up (routers built, sanic-ext applied, start listeners
run): driven as raw ASGI, or through the ASGI client's httpx ``send``, a Sanic app that nothing
started failed every request (``TypeError: 'NoneType' object is not callable``, or "Loop can
only be retrieved after the app has started running"). The kit now starts it, once.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pytest_cors import async_simulate_fetch, simulate_fetch
from pytest_cors.http import Headers, Request
from pytest_cors.targets import adapt, as_sync, run_sync
from pytest_cors.targets.sanic_ import SanicTarget
from tests.targets.apps import ALLOWED
from tests.targets.sanic_app import sanic_app

# sanic-testing (Sanic's test clients) imports websockets.legacy, which warns on import since
# websockets 14; nothing here uses websockets, and the warning is not ours to fix
pytestmark = pytest.mark.filterwarnings(
    "ignore:websockets.legacy is deprecated:DeprecationWarning:websockets.legacy"
)
JSON = {"Content-Type": "application/json"}
WAYS = {  # how the app is handed to the kit, and the base URL each way implies
    "app": (lambda app: app, "http://testserver"),
    "asgi_client": (lambda app: app.asgi_client, "http://mockserver:1234"),
    "test_client": (lambda app: app.test_client, "http://127.0.0.1"),
}


@pytest.fixture(params=list(WAYS))
def sanic(request):
    """(app, what the kit is given, its sync target, base URL), for a fresh app each time."""
    make, base_url = WAYS[request.param]
    app = sanic_app()
    given = make(app)
    return app, given, as_sync(adapt(given)), base_url


def test_adapter_and_default_base_url(sanic):
    _, given, _, base_url = sanic
    target = adapt(given)
    assert isinstance(target, SanicTarget)
    assert target.base_url == base_url


def test_a_fetch_is_judged_instead_of_failing(sanic):
    """The regression: before the fix, every request raised out of the unstarted app."""
    _, given, _, _ = sanic
    outcome = simulate_fetch(
        given, "/items", origin=ALLOWED, method="PUT", headers=JSON, credentials="include"
    )
    assert outcome.allowed, outcome.explain()
    assert outcome.preflight.response.status == 204  # sanic-ext's automatic OPTIONS handler
    assert outcome.readable_headers["x-total"] == "3"
    denied = simulate_fetch(given, "/items", origin="https://evil.example.net")
    assert denied.failure.code == "CORSMissingAllowOrigin"


def test_exactly_the_request_lines_reach_the_app(sanic):
    _, _, target, base_url = sanic
    headers = Headers([("Origin", ALLOWED), ("X-Token", "t")])
    response = target.send(Request("GET", f"{base_url}/echo-headers", headers))
    host = base_url.split("://")[1]
    assert json.loads(response.body) == [["host", host], ["origin", ALLOWED], ["x-token", "t"]]
    absolute = target.send(Request("GET", "https://api.example.com:8443/echo-headers"))
    assert json.loads(absolute.body) == [["host", "api.example.com:8443"]]


def test_set_cookie_is_returned_and_not_replayed(sanic):
    _, _, target, base_url = sanic
    login = target.send(Request("GET", f"{base_url}/login"))
    assert "session=secret" in (login.headers.get("set-cookie") or "")
    assert target.send(Request("GET", f"{base_url}/echo-cookie")).body == b"<none>"


def test_redirect_comes_back_unfollowed(sanic):
    _, _, target, base_url = sanic
    response = target.send(Request("GET", f"{base_url}/redirect"))
    assert response.status == 302
    assert response.headers.get("location") == "/items"


def test_a_raising_view_is_sanics_500_as_through_its_clients(sanic):
    """Sanic's error handler answers (its clients never raise the view's exception), and
    sanic-ext's headers are on that 500, so the page reads it."""
    _, given, target, base_url = sanic
    response = target.send(Request("GET", f"{base_url}/boom", Headers([("Origin", ALLOWED)])))
    assert response.status == 500
    assert response.headers.get("access-control-allow-origin") == ALLOWED
    assert simulate_fetch(given, "/boom", origin=ALLOWED).status == 500


def test_the_start_up_runs_once_and_its_listeners_with_it():
    app = sanic_app()
    started = []

    @app.before_server_start
    async def record(app):
        started.append(app.name)

    for _ in range(3):
        assert simulate_fetch(app, "/items", origin=ALLOWED).allowed
    assert started == [app.name]


def test_the_asgi_clients_own_jar_and_requests_are_left_alone(monkeypatch):
    """The client keeps working beside the kit: it restarts the app before each request of
    its own, which Sanic refuses after an optimising start-up outside test mode (the kit's
    starts skip that optimisation); and its cookie jar never reaches the app through the kit."""
    from sanic import Sanic

    monkeypatch.setattr(Sanic, "test_mode", False)  # as before any sanic-testing client
    app = sanic_app()
    assert simulate_fetch(app, "/items", origin=ALLOWED).allowed  # started by the kit
    client = app.asgi_client  # now in test mode, as sanic-testing puts Sanic
    _, login = run_sync(client.get("/login"))
    assert login.status == 200
    assert "session" in dict(client.cookies)
    _, echoed = run_sync(client.get("/echo-cookie"))
    assert echoed.text == "session=secret"  # the client sends its jar itself
    target = as_sync(adapt(client))
    assert target.send(Request("GET", f"{target.base_url}/echo-cookie")).body == b"<none>"


async def test_async_simulate_fetch_with_the_asgi_client():
    client = sanic_app().asgi_client
    outcome = await async_simulate_fetch(
        client, "/items", origin=ALLOWED, method="PUT", headers=JSON, credentials="include"
    )
    assert outcome.allowed, outcome.explain()
    assert outcome.readable_headers["x-total"] == "3"


def test_the_test_clients_base_url_names_its_port_once_it_has_one():
    client = sanic_app().test_client
    client.port = 8123  # as after its first request, on a random port
    assert adapt(client).base_url == "http://127.0.0.1:8123"


def test_importing_the_kit_loads_no_sanic():
    names = ["sanic", "sanic_ext", "sanic_testing", "sanic_routing"]
    script = (
        "import sys, pytest_cors.pytest_plugin.plugin, pytest_cors.targets\n"
        f"print(sorted(m for m in {names!r} if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
