"""Targets: whatever the user's suite already has, turned into ``send(Request) -> Response``.

:func:`adapt` picks the adapter by duck typing. A framework's classes are only looked up in
``sys.modules``: an object of a framework class means that framework is already imported, so
nothing is imported to recognise it, and ``import pytest_cors.targets`` loads no framework,
``requests`` or ``httpx``. The adapter modules that reach a framework's own classes are imported
inside their branch (:func:`_adapters`).

Default base URLs follow each client: ``http://testserver`` for Starlette/FastAPI's
``TestClient``, Django's clients and raw WSGI/ASGI callables; ``http://localhost`` for
werkzeug/Flask's client (or Flask's ``PREFERRED_URL_SCHEME://SERVER_NAME/APPLICATION_ROOT``) and
Quart's (``http://SERVER_NAME``); ``http://falconframework.org`` for Falcon's; an ``httpx``
client's own ``base_url`` (Litestar's ``TestClient`` is one, and Sanic's ``SanicASGITestClient``:
``http://mockserver:1234``); the server's address for aiohttp's; ``http://127.0.0.1[:PORT]`` for
Sanic's ``SanicTestClient``. A Sanic app, bare or behind its test client, is started first.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterable
from inspect import CO_VARARGS
from types import FunctionType, ModuleType
from typing import Any, cast

from pytest_cors.errors import CorsUsageError, UnsupportedTargetError
from pytest_cors.http import Request, Response
from pytest_cors.targets._async import AsyncView, SyncTarget, run_sync
from pytest_cors.targets.asgi import AsgiTarget
from pytest_cors.targets.base import DEFAULT_BASE_URL, AsyncTarget, Target
from pytest_cors.targets.live import LiveTarget, check_base_url
from pytest_cors.targets.wsgi import WsgiTarget

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncTarget",
    "Target",
    "adapt",
    "as_async",
    "as_sync",
    "is_async",
    "run_sync",
]

from pytest_cors.targets.base import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT

SUPPORTED = (
    "a base URL string (a live server); a requests.Session with base_url=; an httpx.Client or "
    "httpx.AsyncClient (any transport, httpx2's too); a Starlette/FastAPI TestClient; a "
    "Flask/werkzeug test client; a django.test.Client or AsyncClient; a WSGI callable "
    "(environ, start_response); an ASGI 3 callable (scope, receive, send), a Sanic app among them; "
    "Quart's, Falcon's, Litestar's, aiohttp's or Sanic's test client; or an object with "
    "base_url and send(Request)"
)


def adapt(
    obj: object,
    base_url: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    allow_origins: Iterable[str] = (),
) -> Target | AsyncTarget:
    """The target for ``obj``; ``base_url`` overrides the client's default base URL.

    ``timeout`` (seconds) applies to live servers reached through ``requests``. A target that
    goes over the network (a URL string, a ``requests.Session``, an ``httpx`` client with a
    network transport) sends requests to its base URL's origin only, never following a redirect
    elsewhere; ``allow_origins`` names further origins it may reach.
    """
    if isinstance(base_url, str):
        check_base_url(base_url)
    if isinstance(obj, str):
        if base_url is not None and base_url.rstrip("/") != obj.rstrip("/"):
            raise CorsUsageError(f"target URL {obj!r} and base_url {base_url!r} disagree")
        return LiveTarget(obj.rstrip("/"), timeout=timeout, allow_origins=allow_origins)
    client = _client_kind(obj)
    if client is not None:
        return client[2](obj, base_url, timeout, allow_origins)
    # What isinstance against the runtime-checkable Target protocols tests (both members
    # present), without typing's per-call walk of the protocol: a suite adapts on every fetch.
    if hasattr(obj, "base_url") and callable(getattr(obj, "send", None)):
        target = cast("Target | AsyncTarget", obj)
        if base_url is None:
            return target
        return _AsyncRebased(target, base_url) if is_async(target) else _Rebased(target, base_url)
    return _app(obj, base_url or DEFAULT_BASE_URL, timeout)


_Build = Callable[[Any, "str | None", float, Iterable[str]], "Target | AsyncTarget"]


def _adapters(module: str) -> ModuleType:
    """One of our adapter modules (``clients``, ``aiohttp_``), imported on first use: lazily, so
    that ``import pytest_cors.targets`` loads no adapter it does not need."""
    return importlib.import_module(f"pytest_cors.targets.{module}")


def _requests_session(
    obj: Any, base_url: str | None, timeout: float, allow_origins: Iterable[str]
) -> Target:
    if base_url is None:
        raise CorsUsageError(
            "a requests.Session needs the server's address: fetch an absolute URL "
            "(simulate_fetch(session, 'https://api.example.com/items', ...)) or pass "
            "adapt(session, base_url='https://api.example.com')"
        )
    return LiveTarget(base_url.rstrip("/"), obj, timeout=timeout, allow_origins=allow_origins)


def _werkzeug(obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]) -> Target:
    target: Target = _adapters("clients").werkzeug_target(obj, base_url)
    return target


def _quart(obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]) -> AsyncTarget:
    target: AsyncTarget = _adapters("clients").quart_target(obj, base_url)
    return target


def _falcon(
    obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]
) -> Target | AsyncTarget:
    target: Target | AsyncTarget = _adapters("clients").falcon_target(
        obj, base_url, _callable_kind(obj.app)
    )
    return target


def _aiohttp(obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]) -> AsyncTarget:
    target: AsyncTarget = _adapters("aiohttp_").AiohttpTarget(obj, base_url, timeout=timeout)
    return target


def _django_async(
    obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]
) -> AsyncTarget:
    target: AsyncTarget = _adapters("clients").AsyncDjangoTarget(
        obj, base_url or DEFAULT_BASE_URL, timeout=timeout
    )
    return target


def _django(obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]) -> Target:
    target: Target = _adapters("clients").DjangoTarget(
        obj, base_url or DEFAULT_BASE_URL, timeout=timeout
    )
    return target


def _sanic_asgi(
    obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]
) -> AsyncTarget:
    target: AsyncTarget = _adapters("sanic_").asgi_client_target(obj, _httpx_base(obj, base_url))
    return target


def _sanic_server(
    obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]
) -> AsyncTarget:
    target: AsyncTarget = _adapters("sanic_").server_client_target(obj, base_url)
    return target


def _httpx_client(asynchronous: bool) -> _Build:
    def build(
        obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]
    ) -> Target | AsyncTarget:
        return _httpx(obj, base_url, asynchronous, allow, timeout)

    return build


def _starlette(obj: Any, base_url: str | None, timeout: float, allow: Iterable[str]) -> Target:
    target: Target = _adapters("httpx_").TestClientTarget(
        obj, _httpx_base(obj, base_url), allow_origins=allow, timeout=timeout
    )
    return target


#: The clients :func:`adapt` knows, in the order it tries them: (module, class, adapter).
_CLIENTS: tuple[tuple[str, str, _Build], ...] = (
    ("requests.sessions", "Session", _requests_session),
    ("starlette.testclient", "TestClient", _starlette),
    # an httpx.AsyncClient, whose send() would skip the start-up Sanic needs
    ("sanic_testing.testing", "SanicASGITestClient", _sanic_asgi),
    ("httpx", "AsyncClient", _httpx_client(True)),
    ("httpx", "Client", _httpx_client(False)),
    ("httpx2", "AsyncClient", _httpx_client(True)),
    ("httpx2", "Client", _httpx_client(False)),
    ("werkzeug.test", "Client", _werkzeug),
    ("quart.testing.client", "QuartClient", _quart),
    ("falcon.testing.client", "TestClient", _falcon),
    ("aiohttp.test_utils", "TestClient", _aiohttp),
    ("sanic_testing.testing", "SanicTestClient", _sanic_server),
    ("django.test.client", "AsyncClient", _django_async),
    ("django.test.client", "Client", _django),
)

#: The entry of ``_CLIENTS`` an object's class matched before. Tried first (and checked again)
#: for the next object of that class: a suite adapts the same client on every fetch, and going
#: down the whole list costs more than the rest of ``adapt``. Keyed by ``type(obj)`` and
#: ``obj.__class__``, which ``isinstance`` reads (they differ for proxies).
_CLIENT_OF_CLASS: dict[tuple[type, type], tuple[str, str, _Build]] = {}


def _client_kind(obj: object) -> tuple[str, str, _Build] | None:
    """The entry of ``_CLIENTS`` ``obj`` is an instance of, the first in order; ``None``."""
    key = (type(obj), getattr(obj, "__class__", type(obj)))
    known = _CLIENT_OF_CLASS.get(key)
    if known is not None and _instance_of(obj, known[0], known[1]):
        return known
    found = next((c for c in _CLIENTS if _instance_of(obj, c[0], c[1])), None)
    if found is not None:
        _CLIENT_OF_CLASS[key] = found
    return found


def _instance_of(obj: object, module: str, name: str) -> bool:
    """``isinstance`` against ``module.name`` only if that module was already imported."""
    mod = sys.modules.get(module)
    cls = getattr(mod, name, None) if mod is not None else None
    return isinstance(cls, type) and isinstance(obj, cls)


def _httpx(
    client: Any,
    base_url: str | None,
    asynchronous: bool,
    allow_origins: Iterable[str],
    timeout: float,
) -> Target | AsyncTarget:
    module = _adapters("httpx_")
    adapter = module.AsyncHttpxTarget if asynchronous else module.HttpxTarget
    target: Target | AsyncTarget = adapter(
        client, _httpx_base(client, base_url), allow_origins=allow_origins, timeout=timeout
    )
    return target


def _httpx_base(client: Any, base_url: str | None) -> str:
    """The base URL given, else the client's own, without a trailing slash."""
    base = base_url or str(client.base_url)
    if not base:
        raise CorsUsageError(
            f"this {type(client).__name__} has no base_url: create it with base_url=..., fetch "
            "an absolute URL, or pass adapt(client, base_url='https://api.example.com')"
        )
    return base[:-1] if base.endswith("/") else base


def _app(obj: object, base_url: str, timeout: float) -> Target | AsyncTarget:
    """A bare WSGI or ASGI callable, told apart by ``async`` or by its number of parameters."""
    kind = _callable_kind(obj)
    if kind == "asgi" and _instance_of(obj, "sanic.app", "Sanic"):
        target: AsyncTarget = _adapters("sanic_").SanicTarget(obj, base_url)  # started first
        return target
    if kind == "asgi":
        return AsgiTarget(obj, base_url, timeout=timeout)  # type: ignore[arg-type]
    if kind == "wsgi":
        return WsgiTarget(obj, base_url, timeout=timeout)  # type: ignore[arg-type]
    hint = ""
    if type(obj).__module__.startswith("aiohttp"):
        hint = (
            " An aiohttp app needs a server: pass aiohttp.test_utils.TestClient(TestServer(app))."
        )
    raise UnsupportedTargetError(
        f"cannot use {type(obj).__module__}.{type(obj).__qualname__} as a CORS target{kind}."
        f"{hint} Supported: {SUPPORTED}."
    )


def _callable_kind(obj: object) -> str:
    """``"asgi"``, ``"wsgi"``, or a reason (starting with ": ") why it is neither."""
    if isinstance(obj, type) or not callable(obj):
        return ""
    method = type(obj).__dict__.get("__call__") if not inspect.isroutine(obj) else None
    if inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(method):
        return "asgi"
    plain = not hasattr(obj, "__wrapped__") and not hasattr(obj, "__signature__")
    if isinstance(obj, FunctionType) and plain:
        # a plain function: its code object says what inspect.signature would, 10x faster
        code = obj.__code__
        return _VARARGS if code.co_flags & CO_VARARGS else _by_count(code.co_argcount)
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return ": its signature cannot be inspected"
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return _VARARGS
    return _by_count(len(positional))


_VARARGS = ": it takes *args, so WSGI and ASGI cannot be told apart (wrap it in a lambda)"


def _by_count(positional: int) -> str:
    """The kind of a callable taking ``positional`` positional parameters and no ``*args``."""
    if positional == 3:
        return "asgi"
    if positional == 2:
        return "wsgi"
    return f": it takes {positional} positional parameters (ASGI 2 apps are not supported)"


def is_async(target: object) -> bool:
    """Whether ``target.send`` is a coroutine function (an :class:`AsyncTarget`)."""
    return inspect.iscoroutinefunction(getattr(target, "send", None))


def as_sync(target: Target | AsyncTarget) -> Target:
    """``target`` itself when sync, else a view that runs it on the private loop."""
    return SyncTarget(target) if is_async(target) else target  # type: ignore[return-value]


def as_async(target: Target | AsyncTarget) -> AsyncTarget:
    """``target`` itself when async, else a view whose ``send`` calls it inline."""
    return target if is_async(target) else AsyncView(target)  # type: ignore[return-value]


class _Rebased:
    """A ready-made sync target placed behind another base URL."""

    def __init__(self, target: Any, base_url: str) -> None:
        self.target = target
        self.base_url = base_url

    def send(self, request: Request) -> Response:
        result: Response = self.target.send(request)
        return result


class _AsyncRebased:
    """A ready-made async target placed behind another base URL."""

    def __init__(self, target: Any, base_url: str) -> None:
        self.target = target
        self.base_url = base_url

    async def send(self, request: Request) -> Response:
        result: Response = await self.target.send(request)
        return result
