"""``httpx.Client`` / ``httpx.AsyncClient`` (any transport), and the same from ``httpx2`` (its
successor, same API), which covers Starlette's and FastAPI's ``TestClient`` (a client of either
library over an in-process ASGI transport; recent Starlette prefers ``httpx2``).

We build the ``httpx.Request`` ourselves rather than calling ``client.request``: that would merge
the client's default headers and cookie jar. ``send`` runs with ``auth=None`` and
``follow_redirects=False``, and the client's cookie jar is restored afterwards so a simulated
``Set-Cookie`` does not leak into the user's later requests. Response lines come from
``response.headers.raw`` (order, case and duplicates as the transport delivered them).

**Bounds.** The response is streamed: at most :data:`~pytest_cors.targets.base.MAX_BODY` bytes
of its body are read, and none once ``timeout`` seconds
(:data:`~pytest_cors.targets.base.DEFAULT_TIMEOUT`) have passed since the request went; then the
response is closed (its connection dropped, an in-process app cancelled) and says
``truncated``, so an endless stream gives a verdict from its head. A read that times out once
the head is here cuts the body off the same way. The client's own timeouts still bound the
connect and each read. ``httpx.ASGITransport`` collects a whole body before it answers, so an
``AsyncClient`` over it (raising the app's exceptions, its default) has its app driven by the
kit's own ASGI transport instead, which streams, as an entered ``TestClient`` has.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from time import monotonic
from types import ModuleType
from typing import Any

from pytest_cors._compat import (
    httpx_transport_for_url,
    httpx_transports,
    starlette_portal,
    starlette_raises_server_exceptions,
    starlette_scope,
)
from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, Request, Response
from pytest_cors.targets._wire import (
    app_error,
    died_before_answer,
    named_origins,
    refuse_unnamed,
    wire_error,
    wire_headers,
    without_userinfo,
)
from pytest_cors.targets.asgi import build_scope, call_asgi
from pytest_cors.targets.base import (
    DEFAULT_TIMEOUT,
    async_bounded_read,
    bounded_read,
)

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback


def library(client: Any) -> ModuleType:
    """The package the client's class comes from (``httpx`` or ``httpx2``), subclasses too."""
    for cls in type(client).__mro__:
        root = cls.__module__.partition(".")[0]
        if root in ("httpx", "httpx2"):
            return importlib.import_module(root)
    raise TypeError(f"{type(client).__name__} is not an httpx client")


def _build(client: Any, request: Request) -> Any:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in wire_headers(request)]
    return library(client).Request(
        request.method, without_userinfo(request.url), headers=headers, content=request.body
    )


def _response(resp: Any, body: bytes, truncated: bool) -> Response:
    headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw)
    return Response(resp.status_code, headers, body, resp.reason_phrase, truncated=truncated)


def _read(client: Any, resp: Any, deadline: float) -> tuple[bytes, bool]:
    """The streamed response's body, bounded (see above); the response is closed after."""
    out = bytearray()
    try:
        return bounded_read(resp.iter_bytes(), deadline, out)
    except library(client).TimeoutException:
        return bytes(out), True  # the head is here and the body is late: cut off there
    finally:
        resp.close()


async def _aread(client: Any, resp: Any, deadline: float) -> tuple[bytes, bool]:
    out = bytearray()
    try:
        return await async_bounded_read(resp.aiter_bytes(), deadline, out)
    except library(client).TimeoutException:
        return bytes(out), True
    finally:
        await resp.aclose()


# No auth (not even the client's own), no redirect following; the body streamed.
_SEND: dict[str, Any] = {"auth": None, "follow_redirects": False, "stream": True}


def _retry(client: Any, exc: Exception) -> bool:
    """A pooled connection that died before any answer gets one more try (see _wire)."""
    return isinstance(exc, library(client).TransportError) and died_before_answer(exc)


def networked(client: Any) -> bool:
    """Whether the client reaches servers over the network (an ``HTTPTransport``, mounted or
    not) rather than an in-process app (ASGI/WSGI transports, Starlette's ``TestClient``)."""
    lib = library(client)
    kinds = (lib.HTTPTransport, lib.AsyncHTTPTransport)
    return any(isinstance(t, kinds) for t in httpx_transports(client))


def _guard(client: Any, base_url: str, allow_origins: Iterable[str]) -> frozenset[str] | None:
    """The origins a networked client may reach (see ``LiveTarget``); ``None`` in-process."""
    return named_origins(base_url, allow_origins) if networked(client) else None


def _failure(request: Request, exc: Exception, target: str, client: Any) -> Exception:
    """Transport failures read as wire errors; anything else came out of an in-process app."""
    if isinstance(exc, library(client).TransportError):
        timeout = client.timeout.read or 0.0
        return wire_error(request, exc, target, timeout)
    return app_error(request, exc, target)


class HttpxTarget:
    """A synchronous ``httpx.Client``; ``base_url`` defaults to the client's own. ``timeout``
    (seconds) bounds the reading of each response's body (see above)."""

    def __init__(
        self,
        client: Any,
        base_url: str,
        *,
        allow_origins: Iterable[str] = (),
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.timeout = timeout
        self.named_origins = _guard(client, base_url, allow_origins)

    def __repr__(self) -> str:
        return f"HttpxTarget({type(self.client).__name__}, base_url={self.base_url!r})"

    def send(self, request: Request) -> Response:
        if self.named_origins is not None:
            refuse_unnamed(request, self.named_origins, repr(self))
        saved = list(self.client.cookies.jar)
        deadline = monotonic() + self.timeout
        try:
            try:
                resp = self.client.send(_build(self.client, request), **_SEND)
            except Exception as exc:
                if not _retry(self.client, exc):
                    raise
                resp = self.client.send(_build(self.client, request), **_SEND)
            body, truncated = _read(self.client, resp, deadline)
        except Exception as exc:
            raise _failure(request, exc, repr(self), self.client) from exc
        finally:
            _restore(self.client, saved)
        return _response(resp, body, truncated)


class TestClientTarget(HttpxTarget):
    """Starlette's (and FastAPI's) ``TestClient``.

    While it is entered (``with TestClient(app) as client``: its portal and the app's lifespan
    running), the app is driven by the kit's own ASGI transport on that portal, as werkzeug's,
    Quart's and Falcon's clients are bypassed for their apps: one thread hop per request instead
    of one per ASGI message, and nothing of the client's defaults slips in. The scope carries
    what the client's would: its root path, its client address and the lifespan state. Not
    entered, or built with ``raise_server_exceptions=False`` (whose 500 pages are the answers
    to judge), it goes through httpx like any client.
    """

    __test__ = False  # not a test class, whatever its name says

    def send(self, request: Request) -> Response:
        portal = starlette_portal(self.client)
        if portal is None or not starlette_raises_server_exceptions(self.client):
            return super().send(request)
        extra = starlette_scope(self.client)
        if extra is None:  # Starlette's internals moved: through httpx, as any client
            return super().send(request)
        scope = build_scope(request)
        scope.update(extra)  # root path, client address, lifespan state
        try:
            response: Response = portal.call(
                _call_asgi, self.client.app, scope, request.body or b"", self.timeout
            )
        except Exception as exc:
            raise app_error(request, exc, repr(self)) from exc
        return response


async def _call_asgi(app: Any, scope: Any, body: bytes, timeout: float) -> Response:
    """``call_asgi`` with its timeout passed positionally (a portal passes no keywords)."""
    return await call_asgi(app, scope, body, timeout=timeout)


def _asgi_transport(client: Any, url: str) -> Any:
    """The client's ``ASGITransport`` for ``url`` when it raises the app's exceptions (then the
    kit drives the app itself, see above), else ``None``."""
    lib = library(client)
    transport = httpx_transport_for_url(client, url, lib.URL)  # None: httpx sends as it can
    if type(transport) is lib.ASGITransport and getattr(transport, "raise_app_exceptions", False):
        return transport
    return None


class AsyncHttpxTarget:
    """An ``httpx.AsyncClient``; an async target (see ``run_sync`` for sync callers).
    ``timeout`` (seconds) bounds each response's body, or the whole of an in-process
    ``ASGITransport`` app's answer (see above)."""

    def __init__(
        self,
        client: Any,
        base_url: str,
        *,
        allow_origins: Iterable[str] = (),
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.timeout = timeout
        self.named_origins = _guard(client, base_url, allow_origins)

    def __repr__(self) -> str:
        return f"AsyncHttpxTarget({type(self.client).__name__}, base_url={self.base_url!r})"

    async def send(self, request: Request) -> Response:
        if self.named_origins is not None:
            refuse_unnamed(request, self.named_origins, repr(self))
        transport = (
            None if self.named_origins is not None else _asgi_transport(self.client, request.url)
        )
        if transport is not None:
            return await self._send_asgi(transport, request)
        saved = list(self.client.cookies.jar)
        deadline = monotonic() + self.timeout
        try:
            try:
                resp = await self.client.send(_build(self.client, request), **_SEND)
            except Exception as exc:
                if not _retry(self.client, exc):
                    raise
                resp = await self.client.send(_build(self.client, request), **_SEND)
            body, truncated = await _aread(self.client, resp, deadline)
        except Exception as exc:
            raise _failure(request, exc, repr(self), self.client) from exc
        finally:
            _restore(self.client, saved)
        return _response(resp, body, truncated)

    async def _send_asgi(self, transport: Any, request: Request) -> Response:
        """The transport's app, driven as an ``AsgiTarget`` drives one: bounded, streamed."""
        scope = build_scope(request)
        scope["root_path"] = getattr(transport, "root_path", "")
        scope["client"] = getattr(transport, "client", scope["client"])
        try:
            return await call_asgi(transport.app, scope, request.body or b"", timeout=self.timeout)
        except Exception as exc:
            raise app_error(request, exc, repr(self)) from exc


def _restore(client: Any, saved: list[Any]) -> None:
    jar = client.cookies.jar
    jar.clear()
    for cookie in saved:
        jar.set_cookie(cookie)
