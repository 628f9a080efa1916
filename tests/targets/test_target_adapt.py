"""adapt(): which adapter each kind of object gets, with which base URL, and what is refused."""

from __future__ import annotations

import functools
import inspect
import subprocess
import sys

import pytest

from pytest_cors.errors import CorsUsageError, UnsupportedTargetError
from pytest_cors.http import Request, Response
from pytest_cors.targets import adapt, as_async, as_sync, is_async
from pytest_cors.targets.asgi import AsgiTarget
from pytest_cors.targets.clients import AsyncDjangoTarget, DjangoTarget
from pytest_cors.targets.httpx_ import AsyncHttpxTarget, HttpxTarget
from pytest_cors.targets.live import LiveTarget
from pytest_cors.targets.wsgi import WsgiTarget
from tests.targets.apps import fastapi_app, flask_app, recording_asgi, recording_wsgi, starlette_app


def modules_loaded_after(code, names):
    """Which of ``names`` a fresh interpreter has imported after running ``code``."""
    script = f"import sys\n{code}\nprint(sorted(m for m in {names!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_import_loads_no_framework_or_http_client():
    heavy = ["flask", "werkzeug", "django", "starlette", "fastapi", "httpx", "httpx2", "requests"]
    heavy += ["urllib3", "asyncio", "sniffio", "quart", "falcon", "litestar", "aiohttp"]
    assert modules_loaded_after("import pytest_cors.targets", heavy) == "[]"


def test_adapting_a_flask_client_imports_no_other_framework():
    code = "import flask, pytest_cors.targets as t\nt.adapt(flask.Flask('x').test_client())"
    others = ["django", "starlette", "httpx", "httpx2", "requests"]
    assert modules_loaded_after(code, others) == "[]"


def test_url_string_is_a_live_target():
    target = adapt("http://127.0.0.1:8000/")
    assert isinstance(target, LiveTarget)
    assert target.base_url == "http://127.0.0.1:8000"
    assert target.timeout == 10.0
    assert adapt("http://127.0.0.1:8000", timeout=2.5).timeout == 2.5  # type: ignore[attr-defined]


def test_url_string_and_a_different_base_url_disagree():
    with pytest.raises(CorsUsageError, match="disagree"):
        adapt("http://127.0.0.1:8000", base_url="http://127.0.0.1:9000")


def test_requests_session_needs_a_base_url():
    import requests

    session = requests.Session()
    with pytest.raises(CorsUsageError, match="base_url"):
        adapt(session)
    target = adapt(session, base_url="http://127.0.0.1:8000")
    assert isinstance(target, LiveTarget)
    assert target.session is session


def test_httpx_clients_keep_their_base_url():
    import httpx

    with httpx.Client(base_url="http://api.example.com/") as client:
        target = adapt(client)
        assert isinstance(target, HttpxTarget)
        assert target.base_url == "http://api.example.com"
        assert adapt(client, base_url="http://other").base_url == "http://other"
    with httpx.Client() as bare, pytest.raises(CorsUsageError, match="base_url"):
        adapt(bare)
    client = httpx.AsyncClient(base_url="http://api.example.com")
    target = adapt(client)
    assert isinstance(target, AsyncHttpxTarget)
    assert is_async(target)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="httpx2 needs Python 3.11")
def test_httpx2_clients_are_httpx_clients():
    import httpx2

    with httpx2.Client(base_url="http://api.example.com") as client:
        assert isinstance(adapt(client), HttpxTarget)
    assert isinstance(adapt(httpx2.AsyncClient(base_url="http://a")), AsyncHttpxTarget)


def test_starlette_and_fastapi_test_clients_use_testserver():
    from starlette.testclient import TestClient

    for app in (starlette_app(), fastapi_app()):
        target = adapt(TestClient(app))
        assert isinstance(target, HttpxTarget)
        assert target.base_url == "http://testserver"


def test_flask_client_uses_the_flask_base_url():
    app = flask_app()
    target = adapt(app.test_client())
    assert isinstance(target, WsgiTarget)
    assert target.base_url == "http://localhost"
    app.config.update(SERVER_NAME="api.example.com", PREFERRED_URL_SCHEME="https")
    app.config["APPLICATION_ROOT"] = "/v1"
    assert adapt(app.test_client()).base_url == "https://api.example.com/v1"


def test_werkzeug_client_uses_localhost():
    from werkzeug.test import Client

    target = adapt(Client(recording_wsgi([])))
    assert isinstance(target, WsgiTarget)
    assert target.base_url == "http://localhost"


def test_django_clients(django_settings):
    from django.test import AsyncClient, Client

    assert isinstance(adapt(Client()), DjangoTarget)
    target = adapt(AsyncClient())
    assert isinstance(target, AsyncDjangoTarget)
    assert target.base_url == "http://testserver"


class AsgiClass:
    async def __call__(self, scope, receive, send):
        pass


class WsgiClass:
    def __call__(self, environ, start_response):
        return []


async def asgi_function(scope, receive, send):
    pass


def wsgi_function(environ, start_response):
    return []


@pytest.mark.parametrize(
    ("app", "kind"),
    [
        (asgi_function, AsgiTarget),
        (AsgiClass(), AsgiTarget),
        (functools.partial(asgi_function), AsgiTarget),
        (lambda scope, receive, send: asgi_function(scope, receive, send), AsgiTarget),
        (recording_asgi([]), AsgiTarget),
        (starlette_app(), AsgiTarget),
        (fastapi_app(), AsgiTarget),
        (wsgi_function, WsgiTarget),
        (WsgiClass(), WsgiTarget),
        (flask_app(), WsgiTarget),
        (recording_wsgi([]), WsgiTarget),
    ],
)
def test_bare_callables_by_kind(app, kind):
    target = adapt(app)
    assert isinstance(target, kind)
    assert target.base_url == "http://testserver"
    assert adapt(app, base_url="https://api.example.com").base_url == "https://api.example.com"


def test_django_handlers_are_bare_callables(django_settings):
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler

    assert isinstance(adapt(WSGIHandler()), WsgiTarget)
    assert isinstance(adapt(ASGIHandler()), AsgiTarget)


@pytest.mark.parametrize(
    ("obj", "why"),
    [
        (42, "builtins.int"),
        (object(), "builtins.object"),
        (b"http://x", "builtins.bytes"),
        (WsgiClass, "builtins.type"),
        (lambda scope: None, "1 positional parameters"),
        (lambda *args: None, "told apart"),
    ],
)
def test_unsupported_objects_name_what_is_supported(obj, why):
    with pytest.raises(UnsupportedTargetError) as info:
        adapt(obj)
    assert isinstance(info.value, TypeError)
    message = str(info.value)
    assert why in message
    for kind in ("base URL string", "requests.Session", "httpx.Client", "TestClient", "Flask"):
        assert kind in message
    assert "django.test.Client" in message
    assert "WSGI" in message
    assert "ASGI" in message


class Ready:
    base_url = "http://ready"

    def send(self, request: Request) -> Response:
        return Response(204, body=request.url.encode())


class AsyncReady:
    base_url = "http://ready"

    async def send(self, request: Request) -> Response:
        return Response(204, body=request.url.encode())


def test_ready_targets_pass_through_or_are_rebased():
    ready = Ready()
    assert adapt(ready) is ready
    rebased = adapt(ready, base_url="http://elsewhere")
    assert rebased.base_url == "http://elsewhere"
    assert rebased.send(Request("GET", "http://elsewhere/x")).body == b"http://elsewhere/x"
    asynchronous = adapt(AsyncReady(), base_url="http://elsewhere")
    assert is_async(asynchronous)
    assert not is_async(rebased)


def test_as_sync_and_as_async_views():
    sync_view = as_sync(AsyncReady())
    assert not is_async(sync_view)
    assert sync_view.base_url == "http://ready"
    assert sync_view.send(Request("GET", "http://ready/a")).status == 204
    ready = Ready()
    assert as_sync(ready) is ready
    async_view = as_async(ready)
    assert is_async(async_view)
    asynchronous = AsyncReady()
    assert as_async(asynchronous) is asynchronous


def test_a_bare_aiohttp_app_gets_a_hint():
    from tests.targets.more_apps import aiohttp_app

    with pytest.raises(UnsupportedTargetError, match=r"TestClient\(TestServer\(app\)\)"):
        adapt(aiohttp_app())


def _kwonly(environ, start_response, *, extra=1):
    return []


def _posonly(scope, receive, send, /):
    return None


def _star(*args):
    return []


def _wrapping(*args):
    return []


_wrapping.__wrapped__ = _posonly  # what functools.wraps leaves: signature() follows it


def _declared(*args):
    return []


_declared.__signature__ = inspect.signature(_kwonly)


@pytest.mark.parametrize(
    ("app", "kind"),
    [
        (_kwonly, WsgiTarget),  # a keyword-only parameter is not positional
        (_posonly, AsgiTarget),
        (_wrapping, AsgiTarget),  # the wrapped function's three parameters
        (_declared, WsgiTarget),  # an explicit __signature__ wins over the code
    ],
)
def test_a_plain_function_is_told_apart_as_inspect_signature_would(app, kind):
    assert isinstance(adapt(app), kind)


def test_a_plain_function_taking_star_args_is_refused():
    with pytest.raises(UnsupportedTargetError, match="told apart"):
        adapt(_star)
