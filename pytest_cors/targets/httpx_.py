"""``httpx.Client`` / ``httpx.AsyncClient`` (any transport), and the same from ``httpx2`` (its
successor, same API), which covers Starlette's and FastAPI's ``TestClient`` (a client of either
library over an in-process ASGI transport; recent Starlette prefers ``httpx2``).

We build the ``httpx.Request`` ourselves rather than calling ``client.request``: that would merge
the client's default headers and cookie jar. ``send`` runs with ``auth=None`` and
``follow_redirects=False``, and the client's cookie jar is restored afterwards so a simulated
``Set-Cookie`` does not leak into the user's later requests. Response lines come from
``response.headers.raw`` (order, case and duplicates as the transport delivered them).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType
from typing import Any

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


def _response(resp: Any) -> Response:
    headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw)
    return Response(resp.status_code, headers, resp.content, resp.reason_phrase)


# No auth (not even the client's own), no redirect following.
_SEND: dict[str, Any] = {"auth": None, "follow_redirects": False}


def _retry(client: Any, exc: Exception) -> bool:
    """A pooled connection that died before any answer gets one more try (see _wire)."""
    return isinstance(exc, library(client).TransportError) and died_before_answer(exc)


def networked(client: Any) -> bool:
    """Whether the client reaches servers over the network (an ``HTTPTransport``, mounted or
    not) rather than an in-process app (ASGI/WSGI transports, Starlette's ``TestClient``)."""
    lib = library(client)
    kinds = (lib.HTTPTransport, lib.AsyncHTTPTransport)
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    return any(isinstance(t, kinds) for t in transports)


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
    """A synchronous ``httpx.Client``; ``base_url`` defaults to the client's own."""

    def __init__(self, client: Any, base_url: str, *, allow_origins: Iterable[str] = ()) -> None:
        self.client = client
        self.base_url = base_url
        self.named_origins = _guard(client, base_url, allow_origins)

    def __repr__(self) -> str:
        return f"HttpxTarget({type(self.client).__name__}, base_url={self.base_url!r})"

    def send(self, request: Request) -> Response:
        if self.named_origins is not None:
            refuse_unnamed(request, self.named_origins, repr(self))
        saved = list(self.client.cookies.jar)
        try:
            try:
                resp = self.client.send(_build(self.client, request), **_SEND)
            except Exception as exc:
                if not _retry(self.client, exc):
                    raise
                resp = self.client.send(_build(self.client, request), **_SEND)
        except Exception as exc:
            raise _failure(request, exc, repr(self), self.client) from exc
        finally:
            _restore(self.client, saved)
        return _response(resp)


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
        portal = getattr(self.client, "portal", None)
        transport = getattr(self.client, "_transport", None)
        if portal is None or not getattr(transport, "raise_server_exceptions", False):
            return super().send(request)
        scope = build_scope(request)
        scope["root_path"] = getattr(transport, "root_path", "")
        scope["client"] = getattr(transport, "client", scope["client"])
        scope["state"] = dict(getattr(self.client, "app_state", {}))
        try:
            response: Response = portal.call(call_asgi, self.client.app, scope, request.body or b"")
        except Exception as exc:
            raise app_error(request, exc, repr(self)) from exc
        return response


class AsyncHttpxTarget:
    """An ``httpx.AsyncClient``; an async target (see ``run_sync`` for sync callers)."""

    def __init__(self, client: Any, base_url: str, *, allow_origins: Iterable[str] = ()) -> None:
        self.client = client
        self.base_url = base_url
        self.named_origins = _guard(client, base_url, allow_origins)

    def __repr__(self) -> str:
        return f"AsyncHttpxTarget({type(self.client).__name__}, base_url={self.base_url!r})"

    async def send(self, request: Request) -> Response:
        if self.named_origins is not None:
            refuse_unnamed(request, self.named_origins, repr(self))
        saved = list(self.client.cookies.jar)
        try:
            try:
                resp = await self.client.send(_build(self.client, request), **_SEND)
            except Exception as exc:
                if not _retry(self.client, exc):
                    raise
                resp = await self.client.send(_build(self.client, request), **_SEND)
        except Exception as exc:
            raise _failure(request, exc, repr(self), self.client) from exc
        finally:
            _restore(self.client, saved)
        return _response(resp)


def _restore(client: Any, saved: list[Any]) -> None:
    jar = client.cookies.jar
    jar.clear()
    for cookie in saved:
        jar.set_cookie(cookie)
