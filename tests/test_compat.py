"""``pytest_cors._compat``: each reach into another library's private API, against the installed
(pinned) library, and its fallback when the private name is gone; and the rule that no other
module of the kit reaches into a private API at all."""

from __future__ import annotations

import ast
import asyncio
import http.client
import io
import re
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from pytest_cors import _compat
from pytest_cors.errors import CorsUsageError
from pytest_cors.http import Request

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_cors"
HTTPX_LIBRARIES = ["httpx", "httpx2"]


def _ok(request):
    return request  # never called: the tests below only look at the transports


# -- httpx ------------------------------------------------------------------------------------


@pytest.fixture(params=HTTPX_LIBRARIES)
def lib(request):
    return pytest.importorskip(request.param)


def test_httpx_transports_are_the_clients_own_and_its_mounts(lib):
    own = lib.MockTransport(_ok)
    mounted = lib.HTTPTransport()
    with lib.Client(transport=own, mounts={"http://api.example.com": mounted}) as client:
        assert _compat.httpx_transport(client) is own
        assert _compat.httpx_transports(client) == [own, mounted]


def test_httpx_transports_fall_back_to_none_found():
    stand_in = SimpleNamespace()  # a client without httpx's private attributes
    assert _compat.httpx_transport(stand_in) is None
    assert _compat.httpx_transports(stand_in) == []
    only_own = SimpleNamespace(_transport="own", _mounts="not a mapping")
    assert _compat.httpx_transports(only_own) == ["own"]


def test_httpx_transport_for_url_applies_the_mounts(lib):
    own = lib.MockTransport(_ok)
    mounted = lib.MockTransport(_ok)
    with lib.Client(transport=own, mounts={"http://api.example.com": mounted}) as client:
        assert _compat.httpx_transport_for_url(client, "http://api.example.com/x", lib.URL) is (
            mounted
        )
        assert _compat.httpx_transport_for_url(client, "http://other.test/", lib.URL) is own


def test_httpx_transport_for_url_falls_back_to_the_own_transport_then_to_none():
    assert _compat.httpx_transport_for_url(SimpleNamespace(_transport="own"), "http://a/", str) == (
        "own"
    )

    def moved(url):
        raise TypeError("the private method takes other arguments now")

    changed = SimpleNamespace(_transport_for_url=moved, _transport="own")
    assert _compat.httpx_transport_for_url(changed, "http://a/", str) is None
    assert _compat.httpx_transport_for_url(SimpleNamespace(), "http://a/", str) is None


async def test_async_httpx_target_without_transport_for_url_still_finds_the_asgi_app(monkeypatch):
    import httpx

    from pytest_cors.targets import httpx_ as adapter

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert adapter._asgi_transport(client, "http://testserver/") is transport
        monkeypatch.setattr(type(client), "_transport_for_url", None)  # gone: the own transport
        assert adapter._asgi_transport(client, "http://testserver/") is transport


# -- Starlette's TestClient -------------------------------------------------------------------


def _starlette_app():
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    @asynccontextmanager
    async def lifespan(app):
        yield {"answer": 42}

    async def state(request):
        return PlainTextResponse(f"{request.state.answer} {request.scope['root_path']}")

    return Starlette(routes=[Route("/state", state)], lifespan=lifespan)


def test_starlette_test_client_reaches_on_the_pinned_version():
    from starlette.testclient import TestClient

    client = TestClient(_starlette_app(), root_path="/root", client=("10.0.0.1", 1234))
    assert _compat.starlette_portal(client) is None  # not entered
    with client:
        assert _compat.starlette_portal(client) is not None
        assert _compat.starlette_raises_server_exceptions(client) is True
        assert _compat.starlette_scope(client) == {
            "root_path": "/root",
            "client": ("10.0.0.1", 1234),
            "state": {"answer": 42},
        }
    quiet = TestClient(_starlette_app(), raise_server_exceptions=False)
    assert _compat.starlette_raises_server_exceptions(quiet) is False


def test_starlette_reaches_fall_back_when_the_names_are_gone(monkeypatch):
    from starlette.testclient import TestClient

    with TestClient(_starlette_app()) as client:
        transport = client._transport
        monkeypatch.delattr(transport, "client")
        assert "client" not in _compat.starlette_scope(client)  # the kit's default stays
        monkeypatch.delattr(client, "app_state")
        assert _compat.starlette_scope(client) is None
        monkeypatch.delattr(transport, "raise_server_exceptions")
        assert _compat.starlette_raises_server_exceptions(client) is False
    bare = SimpleNamespace()
    assert _compat.starlette_portal(bare) is None
    assert _compat.starlette_raises_server_exceptions(bare) is False
    assert _compat.starlette_scope(bare) is None


@pytest.mark.parametrize("gone", ["raise_server_exceptions", "app_state"])
def test_starlette_target_goes_through_httpx_when_the_names_are_gone(monkeypatch, gone):
    from starlette.testclient import TestClient

    from pytest_cors.targets import httpx_
    from pytest_cors.targets.httpx_ import TestClientTarget

    with TestClient(_starlette_app(), root_path="/root") as client:
        target = TestClientTarget(client, "http://testserver")
        driven = target.send(Request("GET", "http://testserver/state"))
        if gone == "app_state":
            monkeypatch.delattr(client, "app_state")
        else:  # Starlette's own transport still needs it: the kit's reach is what fails
            monkeypatch.setattr(httpx_, "starlette_raises_server_exceptions", lambda c: False)
        through_httpx = target.send(Request("GET", "http://testserver/state"))
    assert driven.status == through_httpx.status == 200
    assert driven.body == b"42 /root"
    assert through_httpx.body.startswith(b"42 ")  # the client's own scope, state included


# -- Django -----------------------------------------------------------------------------------


@pytest.fixture
def django_ready():
    from tests.targets.django_app import DJANGO_CORS, django_settings

    with django_settings(DJANGO_CORS):
        yield


def test_django_header_store_is_what_items_yields(django_ready):
    from django.http import HttpResponse

    response = HttpResponse("x")
    response["X-Total"] = "3"
    response["x-other"] = "a"
    assert _compat.django_header_store(response.headers) == list(response.items())


def test_django_header_store_falls_back_to_none_and_the_caller_to_items(django_ready, monkeypatch):
    from django.http import HttpResponse

    from pytest_cors.targets import clients

    assert _compat.django_header_store(SimpleNamespace()) is None
    assert _compat.django_header_store(SimpleNamespace(_store=[("a", "b")])) is None
    assert _compat.django_header_store(object()) is None  # no __dict__ at all
    response = HttpResponse("x")
    response["X-Total"] = "3"
    monkeypatch.setattr(clients, "django_header_store", lambda headers: None)
    assert clients._django_items(response) == list(response.items())


def test_django_stream_closer_closes_the_stream(django_ready):
    from django.http import StreamingHttpResponse

    closed = []

    def stream():
        try:
            yield b"a"
            yield b"b"
        finally:
            closed.append(True)

    response = StreamingHttpResponse(stream())
    next(iter(response.streaming_content))
    _compat.django_stream_closer(response).close()
    assert closed == [True]


def test_django_stream_closer_falls_back_to_leaving_the_stream(django_ready):
    from pytest_cors.targets.clients import _django_body

    assert _compat.django_stream_closer(SimpleNamespace()) is None
    stand_in = SimpleNamespace(streaming=True, is_async=False, streaming_content=iter([b"ab"]))
    assert _django_body(stand_in, deadline=float("inf")) == (b"ab", False)


def test_django_handler_is_the_test_clients(django_ready):
    from django.test import AsyncClient, Client

    for client in (Client(), AsyncClient()):
        assert _compat.django_handler(client) is client.handler
    with pytest.raises(CorsUsageError, match=r"Client\.handler"):
        _compat.django_handler(SimpleNamespace())


async def test_django_async_handler_takes_the_body_from_the_scope(django_ready):
    from django.test import AsyncClient
    from django.test.client import FakePayload

    from pytest_cors.targets.asgi import build_scope

    scope = build_scope(Request("POST", "http://testserver/items", body=b"{}"))
    _compat.django_set_body(scope, FakePayload(b"{}"))
    response = await _compat.django_handler(AsyncClient())(scope)
    assert response.status_code == 200
    assert _compat.DJANGO_BODY_KEY not in scope  # taken
    _compat.django_check_body_read(scope, b"{}")  # nothing to say


async def test_django_body_left_in_the_scope_is_a_usage_error(django_ready):
    from django.http import HttpResponse

    from pytest_cors.targets.clients import AsyncDjangoTarget

    async def handler(scope):  # a Django whose handler no longer reads the key
        return HttpResponse("ok")

    target = AsyncDjangoTarget(SimpleNamespace(handler=handler))
    answer = await target.send(Request("GET", "http://testserver/items"))
    assert answer.body == b"ok"  # no body: nothing lost
    with pytest.raises(CorsUsageError, match="_body_file"):
        await target.send(Request("POST", "http://testserver/items", body=b"{}"))


# -- requests / urllib3 -----------------------------------------------------------------------


def test_urllib3_header_dict_is_the_public_one_and_keeps_duplicates():
    import urllib3

    cls = _compat.urllib3_header_dict()
    assert cls is urllib3.HTTPHeaderDict
    headers = cls()
    headers.add("X-A", "1")
    headers.add("x-a", "2")
    assert headers.getlist("x-a") == ["1", "2"]


def test_urllib3_header_dict_falls_back_to_the_private_module_then_a_usage_error(monkeypatch):
    import urllib3

    private = sys.modules["urllib3._collections"].HTTPHeaderDict
    monkeypatch.delattr(urllib3, "HTTPHeaderDict")  # as urllib3 1.26
    assert _compat.urllib3_header_dict() is private
    monkeypatch.setitem(sys.modules, "urllib3._collections", None)
    with pytest.raises(CorsUsageError, match="HTTPHeaderDict"):
        _compat.urllib3_header_dict()


class _Socket:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode):
        return io.BytesIO(self.data)


def _http_client_response() -> http.client.HTTPResponse:
    original = http.client.HTTPResponse(_Socket(b"HTTP/1.1 200 OK\r\nX-A: 1\r\nX-A: 2\r\n\r\n"))
    original.begin()
    return original


def test_urllib3_original_response_is_http_clients():
    import urllib3

    original = _http_client_response()
    raw = urllib3.HTTPResponse(body=b"", original_response=original, preload_content=False)
    assert _compat.urllib3_original_response(raw) is original
    assert original.getheaders() == [("X-A", "1"), ("X-A", "2")]


def test_urllib3_original_response_falls_back_to_none_and_the_caller_to_raw_headers():
    import requests
    import urllib3

    from pytest_cors.targets.live import _raw_headers

    assert _compat.urllib3_original_response(SimpleNamespace()) is None
    mocked = urllib3.HTTPResponse(body=b"", headers={"X-A": "1"}, preload_content=False)
    assert _compat.urllib3_original_response(mocked) is None  # no socket behind it
    resp = requests.Response()
    resp.raw = mocked
    assert list(_raw_headers(resp)) == [("X-A", "1")]


def test_requests_content_consumed():
    import requests

    resp = requests.Response()
    resp.raw = io.BytesIO(b"body")
    assert _compat.requests_content_consumed(resp) is False
    assert resp.content == b"body"
    assert _compat.requests_content_consumed(resp) is True


def test_requests_content_consumed_falls_back_to_false():
    assert _compat.requests_content_consumed(SimpleNamespace()) is False
    assert _compat.requests_content_consumed(SimpleNamespace(_content_consumed="yes")) is False


# -- asyncio, aiohttp -------------------------------------------------------------------------


async def test_loop_thread_id_is_the_running_loops_thread():
    assert _compat.loop_thread_id(asyncio.get_running_loop()) == threading.get_ident()


def test_loop_thread_id_is_none_when_idle_or_unknown():
    loop = asyncio.new_event_loop()
    try:
        assert _compat.loop_thread_id(loop) is None  # runs nowhere
    finally:
        loop.close()
    assert _compat.loop_thread_id(SimpleNamespace()) is None  # type: ignore[arg-type]


async def test_aiohttp_server_loop_is_the_loop_that_started_the_server():
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    async with TestClient(TestServer(web.Application())) as client:
        assert _compat.aiohttp_server_loop(client) is asyncio.get_running_loop()


def test_aiohttp_server_loop_falls_back_to_none():
    assert _compat.aiohttp_server_loop(SimpleNamespace()) is None
    runner = SimpleNamespace(server=SimpleNamespace())  # a Server without _loop
    assert _compat.aiohttp_server_loop(SimpleNamespace(server=SimpleNamespace(runner=runner))) is (
        None
    )


async def test_aiohttp_replace_handler_changes_what_a_frozen_route_calls():
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    async def own(request):
        return web.Response(text="own")

    async def other(request):
        return web.Response(text="other")

    app = web.Application()
    route = app.router.add_get("/x", own)
    async with TestClient(TestServer(app)) as client:  # started: the router is frozen
        assert _compat.aiohttp_replace_handler(route, other) is own
        assert await (await client.get("/x")).text() == "other"
        assert _compat.aiohttp_replace_handler(route, own) is other
        assert await (await client.get("/x")).text() == "own"


def test_aiohttp_replace_handler_falls_back_to_none():
    route = SimpleNamespace(handler=print)  # a route without _handler
    assert _compat.aiohttp_replace_handler(route, print) is None
    assert route.handler is print


# -- Falcon -----------------------------------------------------------------------------------


def test_falcon_router_finds_the_method_map_of_a_path():
    import falcon

    class Items:
        def on_get(self, req, resp):
            resp.media = []

    app = falcon.App()
    app.add_route("/items/{item_id}", Items())
    resource, methods, params, template = _compat.falcon_router(app).find("/items/7")
    assert isinstance(resource, Items) and params == {"item_id": "7"}
    assert template == "/items/{item_id}" and methods["GET"] == resource.on_get


def test_falcon_router_falls_back_to_none():
    assert _compat.falcon_router(SimpleNamespace()) is None
    assert _compat.falcon_router(SimpleNamespace(_router=SimpleNamespace())) is None


# -- re's parser ------------------------------------------------------------------------------


def test_sre_parse_gives_the_parse_tree():
    tree = list(_compat.sre_parse(r"^a[0-9]+$"))
    assert [str(op) for op, _ in tree] == ["AT", "LITERAL", "MAX_REPEAT", "AT"]
    with pytest.raises(re.error):
        _compat.sre_parse("(")


def test_sre_parse_falls_back_to_an_empty_tree(monkeypatch):
    from pytest_cors.contract.checks import _regex_sample
    from pytest_cors.contract.regex_judge import regex_admits_too_much

    pattern = r"^https://app\.example\.com$"
    assert _regex_sample(pattern) == "https://app.example.com"
    monkeypatch.setitem(sys.modules, "re._parser", None)
    assert list(_compat.sre_parse(r"^a$")) == []
    assert _regex_sample(pattern) == ""  # matches no anchored origin regex: no sample origin
    # the loader judges by its fixed probes only, and still finds a regex open to anyone
    assert regex_admits_too_much(pattern, re.compile(pattern)) is None
    assert "any owner" in regex_admits_too_much("^https://.*$", re.compile("^https://.*$"))


# -- the rule: private reaches live in _compat.py only ------------------------------------------

#: Names with a leading underscore that are public API all the same.
PUBLIC_UNDERSCORED = {"_replace", "_asdict", "_fields", "_make", "_field_defaults"}

#: Undocumented attributes without an underscore, reached in _compat.py only.
UNDOCUMENTED = {"raise_server_exceptions", "app_state", "portal", "handler", "runner"}

#: Private modules of other packages, as imported (``x._y``) or by a deprecated alias.
PRIVATE_MODULE_ALIASES = {"sre_parse", "sre_compile", "sre_constants"}


def _private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in PUBLIC_UNDERSCORED


def _own_names(tree: ast.Module) -> set[str]:
    """Private names a class of this module defines (methods, attributes, ``__slots__``): the
    module that defines a class may use its privates on any of its instances."""
    names: set[str] = set()
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for node in ast.walk(cls):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                    names.add(node.attr)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == "__slots__":
                        names |= {
                            c.value
                            for c in ast.walk(node.value)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str)
                        }
                    elif isinstance(target, ast.Name):
                        names.add(target.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return {n for n in names if _private(n)}


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def private_reaches(source: str, filename: str) -> list[str]:
    """Each reach into another package's private API in ``source``, as ``file:line: what``."""
    tree = ast.parse(source, filename)
    own = _own_names(tree)
    kit_modules: set[str] = set()  # names bound to modules (or objects) of pytest_cors itself
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level or module.split(".")[0] == "pytest_cors":
                kit_modules |= {alias.asname or alias.name for alias in node.names}
                continue
            parts = module.split(".")
            if any(_private(p) for p in parts) or parts[0] in PRIVATE_MODULE_ALIASES:
                found.append((node.lineno, f"from {module} import ..."))
            found += [
                (node.lineno, f"from {module} import {alias.name}")
                for alias in node.names
                if _private(alias.name)
            ]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "pytest_cors":
                    kit_modules.add(alias.asname or parts[0])
                elif any(_private(p) for p in parts) or parts[0] in PRIVATE_MODULE_ALIASES:
                    found.append((node.lineno, f"import {alias.name}"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            mine = isinstance(base, ast.Name) and base.id in {"self", "cls", *kit_modules}
            if not mine and (
                (_private(node.attr) and node.attr not in own) or node.attr in UNDOCUMENTED
            ):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call):
            func = node.func
            reflect = isinstance(func, ast.Name) and func.id in (
                "getattr",
                "hasattr",
                "setattr",
                "delattr",
            )
            name = _text(node.args[1]) if reflect and len(node.args) >= 2 else None
            if name is not None and (_private(name) or name in UNDOCUMENTED):
                found.append((node.lineno, ast.unparse(node)))
            lookup = isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "setdefault")
            key = _text(node.args[0]) if lookup and node.args else None
            if key is not None and _private(key):  # vars(x).get("_y"), scope.get("_y")
                found.append((node.lineno, ast.unparse(node)))
            if isinstance(func, ast.Attribute) and func.attr == "import_module" and node.args:
                module_name = _text(node.args[0]) or ""
                if any(_private(p) for p in module_name.split(".")):
                    found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Subscript):
            key = _text(node.slice)
            if key is not None and _private(key):  # a private key of another API: scope["_y"]
                found.append((node.lineno, ast.unparse(node)))
    return [f"{filename}:{line}: {what}" for line, what in sorted(found)]


def test_no_module_but_compat_reaches_into_a_private_api():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_compat.py" and path.parent == PACKAGE:
            continue
        found += private_reaches(
            path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix()
        )
    assert found == [], "move these into pytest_cors/_compat.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "client._transport",
        "getattr(client, '_mounts', {})",
        "hasattr(loop, '_thread_id')",
        "vars(headers).get('_store')",
        "scope['_body_file'] = 1",
        "from urllib3._collections import HTTPHeaderDict",
        "from re import _parser",
        "import sre_parse",
        "importlib.import_module('urllib3._collections')",
        "getattr(transport, 'raise_server_exceptions', False)",
        "client.app_state",
    ],
)
def test_the_rule_catches_each_kind_of_reach(source):
    assert private_reaches(source, "m.py") != []


@pytest.mark.parametrize(
    "source",
    [
        "self._lock",
        "cls._cache",
        "parts._replace(netloc='x')",
        "row._asdict()",
        "obj.__class__",
        "getattr(obj, '__module__', None)",
        "from pytest_cors.targets import _wire\n_wire.wire_headers",
        "from pytest_cors._compat import sre_parse",
        "class H:\n    __slots__ = ('_items',)\n\ndef f(h):\n    return h._items",
    ],
)
def test_the_rule_lets_the_kits_own_names_through(source):
    assert private_reaches(source, "m.py") == []
