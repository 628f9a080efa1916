"""Framework test clients and bare framework apps, each driven through adapt().

Every client below keeps a cookie jar; each test first logs in *through the client itself* (so
the jar holds ``session=secret``) and then shows that nothing the Request does not hold reaches
the app, that redirects come back unfollowed, and that a raising view is a TargetError.
"""

from __future__ import annotations

import contextlib
import inspect
import json

import pytest

from pytest_cors.errors import TargetError
from pytest_cors.http import Headers, Request
from pytest_cors.targets import adapt, as_sync, run_sync
from tests.targets.apps import ALLOWED, fastapi_app, flask_app, starlette_app
from tests.targets.more_apps import falcon_app, litestar_app, quart_app


def flask_client():
    return flask_app().test_client()


def werkzeug_client():
    from werkzeug.test import Client

    return Client(flask_app())


def starlette_client():
    from starlette.testclient import TestClient

    return TestClient(starlette_app())


def fastapi_client():
    from starlette.testclient import TestClient

    return TestClient(fastapi_app())


def httpx_wsgi_client():
    import httpx

    transport = httpx.WSGITransport(app=flask_app())
    return httpx.Client(transport=transport, base_url="http://testserver")


def httpx_async_client():
    import httpx

    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fastapi_app()), base_url="http://testserver"
    )


def django_client():
    from django.test import Client

    return Client()


def django_async_client():
    from django.test import AsyncClient

    return AsyncClient()


def quart_client():
    return quart_app().test_client()


def falcon_client():
    from falcon.testing import TestClient

    return TestClient(falcon_app())


def falcon_asgi_client():
    from falcon.testing import TestClient

    return TestClient(falcon_app(asgi=True))


def litestar_client():
    from litestar.testing import TestClient

    return TestClient(litestar_app())


CLIENTS = {
    "flask": (flask_client, "http://localhost"),
    "werkzeug": (werkzeug_client, "http://localhost"),
    "starlette": (starlette_client, "http://testserver"),
    "fastapi": (fastapi_client, "http://testserver"),
    # entered (``with TestClient(app)``): the kit drives the app on the client's portal
    "starlette-entered": (starlette_client, "http://testserver"),
    "fastapi-entered": (fastapi_client, "http://testserver"),
    "httpx-wsgi": (httpx_wsgi_client, "http://testserver"),
    "httpx-async": (httpx_async_client, "http://testserver"),
    "django": (django_client, "http://testserver"),
    "django-async": (django_async_client, "http://testserver"),
    "quart": (quart_client, "http://localhost"),
    "falcon": (falcon_client, "http://falconframework.org"),
    "falcon-asgi": (falcon_asgi_client, "http://falconframework.org"),
    "litestar": (litestar_client, "http://testserver.local"),
}
# Clients whose app lets a view's exception out (test mode); the others answer 500 themselves.
# Quart, Falcon and Litestar turn it into a 500 even in test mode when driven as ASGI/WSGI.
RAISES = {"flask", "werkzeug", "starlette", "fastapi", "httpx-wsgi", "httpx-async", "django"}
RAISES |= {"django-async", "starlette-entered", "fastapi-entered"}


@pytest.fixture(params=list(CLIENTS))
def native(request):
    """(client, target, base_url) for each framework client, Django set up when needed."""
    make, base_url = CLIENTS[request.param]
    if request.param.startswith("django"):
        request.getfixturevalue("django_settings")
    client = make()
    with contextlib.ExitStack() as stack:
        if request.param == "litestar" or request.param.endswith("-entered"):
            stack.enter_context(client)  # in a with block, as their docs show (lifespan)
        yield client, as_sync(adapt(client)), base_url
    if request.param == "httpx-async":
        run_sync(client.aclose())
    elif request.param in ("starlette", "fastapi", "httpx-wsgi"):
        client.close()


def login_natively(client):
    """Use the client the way its owner would, so that its cookie jar holds a session."""
    get = getattr(client, "simulate_get", None) or client.get  # Falcon's client
    result = get("/login")
    if inspect.isawaitable(result):
        run_sync(result)


def test_default_base_url(native):
    _, target, base_url = native
    assert target.base_url == base_url


def test_preflight_reaches_the_cors_middleware(native):
    _, target, base_url = native
    headers = Headers(
        [
            ("Origin", ALLOWED),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ]
    )
    response = target.send(Request("OPTIONS", f"{base_url}/items", headers))
    assert response.status in (200, 204)
    assert response.headers.get("Access-Control-Allow-Origin") == ALLOWED
    assert response.headers.get("Access-Control-Allow-Credentials") == "true"
    assert "PUT" in (response.headers.get("Access-Control-Allow-Methods") or "")


def test_actual_request_exposes_headers(native):
    _, target, base_url = native
    response = target.send(Request("GET", f"{base_url}/items", Headers([("Origin", ALLOWED)])))
    assert response.status == 200
    assert response.headers.get("access-control-allow-origin") == ALLOWED
    assert response.headers.get("X-Total") == "3"
    assert json.loads(response.body) == {"items": [1, 2, 3]}


def test_exactly_the_request_lines_reach_the_app(native):
    client, target, base_url = native
    login_natively(client)
    headers = Headers([("Origin", ALLOWED), ("X-Token", "t")])
    response = target.send(Request("GET", f"{base_url}/echo-headers", headers))
    host = base_url.split("://")[1]
    assert json.loads(response.body) == [["host", host], ["origin", ALLOWED], ["x-token", "t"]]


def test_no_cookie_from_the_clients_jar(native):
    client, target, base_url = native
    login_natively(client)
    response = target.send(Request("GET", f"{base_url}/echo-cookie"))
    assert response.body == b"<none>"


def test_set_cookie_is_returned_and_not_replayed(native):
    _, target, base_url = native
    login = target.send(Request("GET", f"{base_url}/login"))
    assert "session=secret" in (login.headers.get("set-cookie") or "")
    assert target.send(Request("GET", f"{base_url}/echo-cookie")).body == b"<none>"


def test_redirect_comes_back_unfollowed(native):
    _, target, base_url = native
    response = target.send(Request("GET", f"{base_url}/redirect"))
    assert response.status == 302
    assert (response.headers.get("location") or "").endswith("/items")


def test_raising_view_is_a_target_error(native, request):
    _, target, base_url = native
    if request.node.callspec.params["native"] not in RAISES:
        assert target.send(Request("GET", f"{base_url}/boom")).status == 500
        return
    with pytest.raises(
        TargetError, match=f"GET {base_url}/boom: the app raised RuntimeError: boom"
    ):
        target.send(Request("GET", f"{base_url}/boom"))


def test_absolute_url_sets_the_host_the_app_sees(native):
    _, target, _ = native
    response = target.send(Request("GET", "https://api.example.com:8443/echo-headers"))
    assert json.loads(response.body)[0] == ["host", "api.example.com:8443"]


def test_flask_without_testing_answers_500():
    app = flask_app()
    app.config["TESTING"] = False
    app.logger.disabled = True
    response = adapt(app.test_client()).send(Request("GET", "http://localhost/boom"))
    assert response.status == 500


def test_starlette_client_without_raising_answers_500():
    from starlette.testclient import TestClient

    with TestClient(starlette_app(), raise_server_exceptions=False) as client:
        response = adapt(client).send(Request("GET", "http://testserver/boom"))
    assert response.status == 500


def test_django_500_when_the_client_does_not_raise(django_settings):
    from django.test import Client

    client = Client(raise_request_exception=False)
    response = adapt(client).send(Request("GET", "http://testserver/boom"))
    assert response.status == 500


def test_test_client_in_with_block_runs_lifespan_raw_asgi_does_not():
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    @asynccontextmanager
    async def lifespan(app):
        yield {"greeting": "started"}

    async def hello(request):
        return PlainTextResponse(getattr(request.state, "greeting", "no lifespan"))

    app = Starlette(routes=[Route("/", hello)], lifespan=lifespan)
    with TestClient(app) as client:
        assert adapt(client).send(Request("GET", "http://testserver/")).body == b"started"
    raw = as_sync(adapt(app)).send(Request("GET", "http://testserver/"))
    assert raw.body == b"no lifespan"


def test_flask_client_with_application_root():
    app = flask_app()
    app.config["APPLICATION_ROOT"] = "/api"
    target = adapt(app.test_client())
    assert target.base_url == "http://localhost/api"
    assert target.send(Request("GET", "http://localhost/api/items")).status == 200


# -- Starlette's TestClient, entered: the app on the client's own portal -----------------------


def lifespan_app(root_path: str = ""):
    """A Starlette app whose lifespan puts a value in the state that its view reads back."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    @asynccontextmanager
    async def lifespan(app):
        yield {"greeting": "from-lifespan"}

    def hello(request):
        if request.query_params.get("boom"):
            raise RuntimeError("the view broke")
        headers = {"X-Greeting": request.state.greeting, "X-Root": request.scope["root_path"]}
        return PlainTextResponse("hi", headers=headers)

    cors = Middleware(CORSMiddleware, allow_origins=[ALLOWED], expose_headers=["X-Greeting"])
    return Starlette(routes=[Route("/hello", hello)], middleware=[cors], lifespan=lifespan)


def test_an_entered_testclient_runs_the_app_on_its_portal_with_the_lifespan_state():
    from starlette.testclient import TestClient

    from pytest_cors import simulate_fetch

    with TestClient(lifespan_app(), root_path="/api") as client:
        client._transport.handle_request = None  # the httpx path would now fail: unused
        outcome = simulate_fetch(client, "/hello", origin=ALLOWED)
    assert outcome.allowed
    assert outcome.readable_headers["x-greeting"] == "from-lifespan"
    assert outcome.actual.response.headers.get("X-Root") == "/api"


def test_a_testclient_that_answers_500_itself_goes_through_httpx():
    from starlette.testclient import TestClient

    from pytest_cors import simulate_fetch

    with TestClient(lifespan_app(), raise_server_exceptions=False) as client:
        outcome = simulate_fetch(client, "/hello?boom=1", origin=ALLOWED)
    assert outcome.actual.response.status == 500  # judged (blocked: no CORS header on it)


def test_a_view_raising_behind_an_entered_testclient_is_a_target_error():
    from starlette.testclient import TestClient

    from pytest_cors import simulate_fetch

    with TestClient(lifespan_app()) as client, pytest.raises(TargetError, match="the view broke"):
        simulate_fetch(client, "/hello?boom=1", origin=ALLOWED)
