"""Framework test clients: werkzeug's (Flask's), Quart's, Falcon's, Django's sync and async.

Each keeps a cookie jar and default headers, so none is asked to build the request: werkzeug's,
Quart's and Falcon's clients are bypassed for their app (driven as raw WSGI/ASGI), and Django's
request handler (which keeps the test client's relaxed CSRF checks) is fed an environ or scope
that we built. A Django response holds one value per header name (plus one ``Set-Cookie`` line
per cookie), so Django apps cannot produce duplicate lines of other headers in the first place.

A Django ``StreamingHttpResponse`` is read as a server reads it, bounded as every target is: at
most :data:`~pytest_cors.targets.base.MAX_BODY` bytes, and nothing once the request's
``timeout`` (:data:`~pytest_cors.targets.base.DEFAULT_TIMEOUT`) has passed; then its iterator is
closed (as a server closes it when the client goes away) and the response says ``truncated``.
The deadline is looked at between the stream's items: one item that never comes blocks, as in
any WSGI app.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from time import monotonic
from typing import Any

from pytest_cors._compat import (
    django_check_body_read,
    django_handler,
    django_header_store,
    django_set_body,
    django_stream_closer,
)
from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, Request, Response
from pytest_cors.targets._wire import app_error
from pytest_cors.targets.asgi import AsgiTarget, build_scope
from pytest_cors.targets.base import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    async_bounded_read,
    bounded_read,
)
from pytest_cors.targets.wsgi import WsgiTarget, build_environ

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback


def werkzeug_target(client: Any, base_url: str | None) -> WsgiTarget:
    """A werkzeug/Flask test client's app, at the base URL that client would use.

    Flask's client defaults to ``PREFERRED_URL_SCHEME://SERVER_NAME`` (``localhost`` when unset)
    plus ``APPLICATION_ROOT``; werkzeug's plain client to ``http://localhost``.
    """
    app = client.application
    if base_url is None:
        config = getattr(app, "config", None)
        if config is not None and "PREFERRED_URL_SCHEME" in config:
            scheme = config["PREFERRED_URL_SCHEME"]
            host = config.get("SERVER_NAME") or "localhost"
            root = config.get("APPLICATION_ROOT") or "/"
            base_url = f"{scheme}://{host}{root.rstrip('/')}"
        else:
            base_url = "http://localhost"
    return WsgiTarget(app, base_url)


def quart_target(client: Any, base_url: str | None) -> AsgiTarget:
    """Quart's test client's app, at ``http://SERVER_NAME`` (``localhost`` when unset), as the
    client addresses it. Like raw ASGI (and like Quart's client) no lifespan runs."""
    app = client.app
    host = app.config.get("SERVER_NAME") or "localhost"
    return AsgiTarget(app, base_url or f"http://{host}")


def falcon_target(client: Any, base_url: str | None, kind: str) -> WsgiTarget | AsgiTarget:
    """Falcon's ``testing.TestClient``: its WSGI or ASGI app at Falcon's default test host."""
    base = base_url or "http://falconframework.org"
    return AsgiTarget(client.app, base) if kind == "asgi" else WsgiTarget(client.app, base)


def _django_lines(response: Any) -> Headers:
    """The lines Django's WSGI handler would write: its headers, then one per cookie."""
    lines = _django_items(response)
    cookies = response.cookies
    if cookies:  # most responses set none
        lines += [("Set-Cookie", morsel.OutputString()) for morsel in cookies.values()]
    return Headers(lines)


def _django_response_classes() -> tuple[Any, Any]:
    """Django's ``HttpResponseBase`` and ``ResponseHeaders``, imported when first used (later
    calls find them in ``sys.modules``)."""
    # lazy: django is optional
    from django.http.response import HttpResponseBase, ResponseHeaders  # type: ignore[import-untyped,import-not-found,unused-ignore]

    return HttpResponseBase, ResponseHeaders


def _django_items(response: Any) -> list[tuple[str, str]]:
    """``list(response.items())``, read straight from Django's header store when the response
    and its header mapping are Django's own: ``items()`` finds each value again by name, which
    costs as much as the rest of the adapter's work on the response."""
    base, mapping = _django_response_classes()
    headers = getattr(response, "headers", None)
    if type(headers) is mapping and type(response).items is base.items:
        # the (name as written, value) pairs items() yields, in the same order
        store = django_header_store(headers)
        if store is not None:
            return store
    return [*response.items()]


def _django_response(response: Any, body: bytes, truncated: bool) -> Response:
    return Response(
        response.status_code,
        _django_lines(response),
        body,
        response.reason_phrase,
        truncated=truncated,
    )


def _django_body(response: Any, deadline: float) -> tuple[bytes, bool]:
    """A response's body, a stream's bounded (see above); an asynchronous stream is read on an
    event loop of asgiref's, as Django's own sync iteration would (which reads it to the end)."""
    if not response.streaming:
        return response.content, False
    if response.is_async:
        from asgiref.sync import async_to_sync  # lazy: asgiref comes with django, optional

        result: tuple[bytes, bool] = async_to_sync(_django_abody)(response, deadline)
        return result
    try:
        return bounded_read(response.streaming_content, deadline)
    finally:
        # the test client's wrapper around the stream: closing it closes the response, as a
        # WSGI server calls close() (a no-op once the stream ended)
        close = getattr(django_stream_closer(response), "close", None)
        if close is not None:
            close()


async def _django_abody(response: Any, deadline: float) -> tuple[bytes, bool]:
    """:func:`_django_body` from async code (the sync stream of an async view is read here,
    item by item, on the loop: it is bounded, never read whole)."""
    if not response.streaming:
        return response.content, False
    if not response.is_async:
        return _django_body(response, deadline)
    chunks = response.streaming_content  # a generator of Django's over the stream
    try:
        return await async_bounded_read(chunks, deadline)
    finally:
        # it, then the test client's wrapper (which closes the response, as ASGI servers do)
        for source in (chunks, django_stream_closer(response)):
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()


#: The list a send in progress collects its view's exceptions in (``None``: no send running).
#: A context variable, so concurrent async sends never see each other's exceptions.
_CAUGHT: ContextVar[list[BaseException] | None] = ContextVar("pytest_cors_caught", default=None)
_listening: list[bool] = []  # one receiver, connected on first use and kept


def _store_exception(**kwargs: Any) -> None:
    """``got_request_exception`` receiver: keep the view's exception for the send running."""
    caught = _CAUGHT.get()
    exc = sys.exc_info()[1]  # the signal is sent while the view's exception is handled
    if caught is not None and exc is not None:
        caught.append(exc)


def _listen() -> None:
    """Connect :func:`_store_exception` once: connecting and disconnecting a receiver around
    every request costs more than the rest of the adapter together."""
    if not _listening:
        # lazy: django is optional
        from django.core.signals import got_request_exception  # type: ignore[import-untyped,import-not-found,unused-ignore]

        got_request_exception.connect(
            _store_exception, dispatch_uid="pytest-cors-request-exception", weak=False
        )
        _listening.append(True)


class _ViewExceptions:
    """Turn an exception the view raised into a TargetError, as the test client re-raises it.

    Django's handler answers a raising view with a 500 page and reports the exception through
    the ``got_request_exception`` signal; the test client (``raise_request_exception=True`` by
    default) raises it instead, and so do we. A class rather than a ``@contextmanager``: it is
    entered around every request, and a generator costs more to set up.
    """

    __slots__ = ("caught", "client", "request", "target", "token")

    def __init__(self, client: Any, request: Request, target: object) -> None:
        self.client = client
        self.request = request
        self.target = target  # named in the error by its repr, built only on an error
        self.caught: list[BaseException] = []

    def __enter__(self) -> None:
        _listen()
        self.token = _CAUGHT.set(self.caught)

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        _CAUGHT.reset(self.token)
        if isinstance(exc, Exception):
            raise app_error(self.request, exc, repr(self.target)) from exc
        if exc is None and self.caught and getattr(self.client, "raise_request_exception", True):
            raise app_error(self.request, self.caught[0], repr(self.target)) from self.caught[0]


class DjangoTarget:
    """``django.test.Client``: the environ goes straight to the client's request handler."""

    def __init__(
        self, client: Any, base_url: str = DEFAULT_BASE_URL, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"DjangoTarget(base_url={self.base_url!r})"

    def send(self, request: Request) -> Response:
        handler: Callable[[dict[str, Any]], Any] = django_handler(self.client)
        deadline = monotonic() + self.timeout
        with _ViewExceptions(self.client, request, self):
            response = handler(build_environ(request))
            body, truncated = _django_body(response, deadline)
        return _django_response(response, body, truncated)


class AsyncDjangoTarget:
    """``django.test.AsyncClient``: the scope goes straight to the client's async handler."""

    def __init__(
        self, client: Any, base_url: str = DEFAULT_BASE_URL, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"AsyncDjangoTarget(base_url={self.base_url!r})"

    async def send(self, request: Request) -> Response:
        # lazy: django is optional
        from django.test.client import FakePayload  # type: ignore[import-untyped,import-not-found,unused-ignore]

        scope = build_scope(request)
        django_set_body(scope, FakePayload(request.body or b""))
        handler = django_handler(self.client)
        deadline = monotonic() + self.timeout
        with _ViewExceptions(self.client, request, self):
            response = await handler(scope)
            body, truncated = await _django_abody(response, deadline)
        django_check_body_read(scope, request.body)
        return _django_response(response, body, truncated)
