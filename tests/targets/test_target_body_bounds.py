"""The body bound and the deadline on the httpx and Django paths (issue 14 #7).

Every target reads at most ``MAX_BODY`` bytes of a body and stops reading once the request's
``timeout`` has passed; the response then says ``truncated`` and its verdict comes from its
head. Here: ``httpx`` clients over Starlette's in-process transport, over ``httpx``'s own
``ASGITransport`` and over the network to a loopback server, and Django's test clients with a
``StreamingHttpResponse`` that never ends.

Every endless source gives up after :data:`CAP` bytes with an error, so a kit that reads on
fails the test instead of filling the memory; each fetch runs in a thread that must end within
:data:`GUARD` seconds (a hang detector: no timing is asserted).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from pytest_cors import async_simulate_fetch, simulate_fetch
from pytest_cors.targets import adapt
from pytest_cors.targets.clients import AsyncDjangoTarget, DjangoTarget
from pytest_cors.targets.httpx_ import AsyncHttpxTarget, HttpxTarget
from tests.servers import read_request, serve_raw

APP = "https://app.example.com"
BOUND = 1 << 20  # MAX_BODY, as documented
CAP = 32 * BOUND  # bytes an endless source sends before it gives up on a kit that reads on
BLOCK = b"x" * 65536
GUARD = 30.0
DEADLINE = 1.0


def within_guard(fetch: Callable[[], Any]) -> Any:
    """``fetch()``'s result (or its exception, raised here), asserting it came within GUARD."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fetch()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive(), f"the fetch hangs: nothing after {GUARD} s"
    if "error" in box:
        raise box["error"]
    return box["result"]


def assert_cut_off_at_the_bound(outcome: Any) -> None:
    assert outcome.allowed, outcome.explain()
    response = outcome.actual.response
    assert response.truncated
    assert len(response.body) == BOUND


# -- in-process ASGI through httpx --------------------------------------------------------------


class Stream:
    """A Starlette app whose ``/events`` streams 64 KiB events for ever (until CAP), with
    CORSMiddleware allowing APP; records whether the app ended (returned or was cancelled)."""

    def __init__(self, *, sync: bool = False, pause: float = 0.0, block: bytes = BLOCK) -> None:
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware
        from starlette.responses import StreamingResponse
        from starlette.routing import Route

        self.ended = False
        self.sent = 0

        def events_sync() -> Iterator[bytes]:
            while self.sent < CAP:
                self.sent += len(block)
                yield block
            raise RuntimeError("read past the bound: the stream was not cut off")

        async def events_async() -> AsyncIterator[bytes]:
            while self.sent < CAP:
                self.sent += len(block)
                yield block
                await asyncio.sleep(pause)
            raise RuntimeError("read past the bound: the stream was not cut off")

        async def events(request: Any) -> Any:
            body = events_sync() if sync else events_async()
            return StreamingResponse(body, media_type="text/event-stream")

        self.app = Starlette(
            routes=[Route("/events", events)],
            middleware=[Middleware(CORSMiddleware, allow_origins=[APP])],
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            self.ended = True


@pytest.mark.parametrize("generator", ["async", "sync"])
def test_starlette_test_client_not_entered_cuts_an_endless_stream_off(generator):
    """Not entered, the TestClient goes through httpx (Starlette's transport streams)."""
    from starlette.testclient import TestClient

    app = Stream(sync=generator == "sync")
    client = TestClient(app)
    try:
        outcome = within_guard(lambda: simulate_fetch(client, "/events", origin=APP))
    finally:
        client.close()
    assert_cut_off_at_the_bound(outcome)
    assert app.ended  # cancelled when the response was closed
    assert app.sent <= BOUND + 2 * len(BLOCK)


def test_starlette_test_client_without_raising_cuts_an_endless_stream_off():
    """Entered but with raise_server_exceptions=False: through httpx too."""
    from starlette.testclient import TestClient

    app = Stream()
    with TestClient(app, raise_server_exceptions=False) as client:
        outcome = within_guard(lambda: simulate_fetch(client, "/events", origin=APP))
    assert_cut_off_at_the_bound(outcome)
    assert app.ended


def test_a_slow_stream_through_the_test_client_is_cut_off_at_the_deadline():
    from starlette.testclient import TestClient

    app = Stream(pause=0.05, block=b"data: tick\n\n")
    client = TestClient(app)
    try:
        target = HttpxTarget(client, "http://testserver", timeout=DEADLINE)
        outcome = within_guard(lambda: simulate_fetch(target, "/events", origin=APP))
    finally:
        client.close()
    assert outcome.allowed
    response = outcome.actual.response
    assert response.truncated
    assert 0 < len(response.body) < BOUND


async def test_httpx_asgi_transport_cuts_an_endless_stream_off():
    """httpx's ASGITransport collects a whole body: the kit drives such an app itself."""
    import httpx

    app = Stream()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        outcome = await asyncio.wait_for(async_simulate_fetch(client, "/events", origin=APP), GUARD)
    assert_cut_off_at_the_bound(outcome)
    assert app.ended


async def test_httpx_asgi_transport_keeps_its_root_path_and_client():
    import httpx

    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope["root_path"], tuple(scope["client"])))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    transport = httpx.ASGITransport(app=app, root_path="/api", client=("10.0.0.7", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await adapt(client).send(  # type: ignore[misc]
            __import__("pytest_cors").Request("GET", "http://testserver/x")
        )
    assert response.status == 204
    assert seen == [("/api", ("10.0.0.7", 1234))]


# -- httpx over the network ---------------------------------------------------------------------


def endless(framing: str) -> Any:
    """A raw handler: a head allowing APP, then a body that never ends (until CAP)."""
    head = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: " + APP.encode() + b"\r\n"
    if framing == "chunked":
        head += b"Transfer-Encoding: chunked\r\n\r\n"
        block = b"%x\r\n" % len(BLOCK) + BLOCK + b"\r\n"
    elif framing == "length":
        head += b"Content-Length: %d\r\n\r\n" % (64 * CAP)
        block = BLOCK
    else:
        head += b"Connection: close\r\n\r\n"
        block = BLOCK

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        with contextlib.suppress(OSError):
            conn.sendall(head)
            for _ in range(CAP // len(block)):
                conn.sendall(block)

    return handler


@pytest.mark.parametrize("framing", ["chunked", "length", "close"])
def test_httpx_client_cuts_an_endless_body_off(framing):
    import httpx

    with serve_raw(endless(framing)) as base_url, httpx.Client(base_url=base_url) as client:
        outcome = within_guard(lambda: simulate_fetch(client, "/stream", origin=APP))
    assert_cut_off_at_the_bound(outcome)


def test_async_httpx_client_cuts_an_endless_body_off():
    import httpx

    async def run(base_url: str) -> Any:
        async with httpx.AsyncClient(base_url=base_url) as client:
            return await async_simulate_fetch(client, "/stream", origin=APP)

    with serve_raw(endless("chunked")) as base_url:
        outcome = within_guard(lambda: asyncio.run(run(base_url)))
    assert_cut_off_at_the_bound(outcome)


def test_httpx_client_cuts_a_trickling_body_off_at_the_deadline():
    """Each read comes well within httpx's own read timeout; the deadline ends the body."""
    import httpx

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        with contextlib.suppress(OSError):
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n"
            )
            while not stop.wait(0.05):
                conn.sendall(b"tick\n")

    with serve_raw(handler) as base_url, httpx.Client(base_url=base_url) as client:
        target = HttpxTarget(client, base_url, timeout=DEADLINE)
        outcome = within_guard(lambda: simulate_fetch(target, "/stream", origin=APP))
    assert outcome.allowed
    response = outcome.actual.response
    assert response.truncated
    assert response.body.startswith(b"tick\n")


def test_httpx_client_cuts_a_body_off_when_a_read_times_out():
    """A read timing out after the head is a cut-off body, not a failed request."""
    import httpx

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        with contextlib.suppress(OSError):
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n"
                b"Content-Length: 10\r\n\r\nhalf"
            )
            stop.wait()

    with (
        serve_raw(handler) as base_url,
        httpx.Client(base_url=base_url, timeout=0.3) as client,
    ):
        outcome = within_guard(lambda: simulate_fetch(client, "/slow", origin=APP))
    assert outcome.allowed
    assert outcome.actual.response.truncated
    assert outcome.actual.response.body == b"half"


def test_a_complete_httpx_body_is_not_truncated():
    import httpx

    answer = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 5\r\n\r\nhello"

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(answer)

    with serve_raw(handler) as base_url, httpx.Client(base_url=base_url) as client:
        outcome = within_guard(lambda: simulate_fetch(client, "/x", origin=APP))
    assert outcome.allowed
    assert outcome.actual.response.body == b"hello"
    assert not outcome.actual.response.truncated


def test_the_adapters_default_to_the_documented_deadline():
    import httpx

    from pytest_cors.targets.base import DEFAULT_TIMEOUT

    with httpx.Client() as client:
        assert HttpxTarget(client, "http://x").timeout == DEFAULT_TIMEOUT
    assert AsyncHttpxTarget(httpx.AsyncClient(), "http://x").timeout == DEFAULT_TIMEOUT
    assert DjangoTarget(object()).timeout == AsyncDjangoTarget(object()).timeout == DEFAULT_TIMEOUT


def test_adapt_hands_its_timeout_to_the_httpx_and_django_adapters(django_settings):
    import httpx
    from django.test import AsyncClient, Client
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    with httpx.Client(base_url="http://x") as client:
        assert adapt(client, timeout=0.25).timeout == 0.25
    asynchronous = httpx.AsyncClient(base_url="http://x")
    assert adapt(asynchronous, timeout=0.25).timeout == 0.25
    with TestClient(Starlette()) as test_client:
        assert adapt(test_client, timeout=0.25).timeout == 0.25
    assert adapt(Client(), timeout=0.25).timeout == 0.25
    assert adapt(AsyncClient(), timeout=0.25).timeout == 0.25
    asyncio.run(asynchronous.aclose())


# -- Django -------------------------------------------------------------------------------------


class Endless:
    """A Django streaming body: blocks for ever (until CAP), sync or async; records close."""

    def __init__(self, pause: float = 0.0, block: bytes = BLOCK) -> None:
        self.sent = 0
        self.closed = False
        self.pause = pause
        self.block = block

    def sync(self) -> Iterator[bytes]:
        try:
            while self.sent < CAP:
                if self.pause:
                    time.sleep(self.pause)
                self.sent += len(self.block)
                yield self.block
            raise RuntimeError("read past the bound: the stream was not cut off")
        finally:
            self.closed = True

    async def asynchronous(self) -> AsyncIterator[bytes]:
        try:
            while self.sent < CAP:
                await asyncio.sleep(self.pause)
                self.sent += len(self.block)
                yield self.block
            raise RuntimeError("read past the bound: the stream was not cut off")
        finally:
            self.closed = True


BODIES: dict[str, Endless] = {}


def stream_view(request: Any) -> Any:
    from django.http import StreamingHttpResponse

    body = BODIES["current"]
    kind = request.GET.get("kind", "sync")
    content = body.sync() if kind == "sync" else body.asynchronous()
    return StreamingHttpResponse(content, content_type="text/event-stream")


def _urlpatterns() -> list[Any]:
    from django.urls import path

    return [path("stream", stream_view)]


@pytest.fixture
def django_stream(django_settings):
    """This module's stream view behind django-cors-headers; the body it streams."""
    from django.test.utils import override_settings

    global urlpatterns
    urlpatterns = _urlpatterns()
    BODIES["current"] = body = Endless()
    with override_settings(ROOT_URLCONF=__name__):
        yield body
    BODIES.clear()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_django_client_cuts_an_endless_stream_off(django_stream, kind):
    from django.test import Client

    outcome = within_guard(lambda: simulate_fetch(Client(), f"/stream?kind={kind}", origin=APP))
    assert_cut_off_at_the_bound(outcome)
    assert django_stream.closed
    assert django_stream.sent <= BOUND + len(BLOCK)


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_django_async_client_cuts_an_endless_stream_off(django_stream, kind):
    from django.test import AsyncClient

    outcome = await asyncio.wait_for(
        async_simulate_fetch(AsyncClient(), f"/stream?kind={kind}", origin=APP), GUARD
    )
    assert_cut_off_at_the_bound(outcome)
    assert django_stream.sent <= BOUND + len(BLOCK)
    if kind == "sync":  # an async generator is left to its loop's finalizer, as Django leaves it
        assert django_stream.closed


def test_django_client_cuts_a_slow_stream_off_at_the_deadline(django_stream):
    from django.test import Client

    django_stream.pause = 0.02
    django_stream.block = b"data: tick\n\n"
    target = DjangoTarget(Client(), timeout=DEADLINE)
    outcome = within_guard(lambda: simulate_fetch(target, "/stream", origin=APP))
    assert outcome.allowed
    response = outcome.actual.response
    assert response.truncated
    assert 0 < len(response.body) < BOUND
    assert django_stream.closed


def test_a_finite_django_stream_is_read_whole(django_settings):
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    global urlpatterns
    urlpatterns = [path("few", lambda request: StreamingHttpResponse(iter([b"a", b"b"])))]
    with override_settings(ROOT_URLCONF=__name__):
        outcome = simulate_fetch(Client(), "/few", origin=APP)
    response = outcome.actual.response
    assert response.body == b"ab"
    assert not response.truncated


urlpatterns: list[Any] = []


# -- aiohttp ------------------------------------------------------------------------------------


def _endless_aiohttp_app(delay: float) -> Any:
    """An aiohttp app whose /events streams without end (``delay`` seconds between chunks),
    and raises once CAP bytes are out, so unbounded reading fails instead of eating memory."""
    from aiohttp import web

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Access-Control-Allow-Origin": "*"})
        await response.prepare(request)
        sent = 0
        while sent < 32 * 2**20:
            await response.write(b"x" * 65536)
            sent += 65536
            if delay:
                await asyncio.sleep(delay)
        raise AssertionError("the whole endless body was read")

    app = web.Application()
    app.router.add_get("/events", events)
    return app


@pytest.mark.parametrize(("delay", "timeout"), [(0.0, 10.0), (0.05, 0.5)], ids=["fast", "slow"])
async def test_aiohttp_client_cuts_an_endless_stream_off(delay, timeout):
    from aiohttp.test_utils import TestClient, TestServer

    from pytest_cors.targets.aiohttp_ import AiohttpTarget
    from pytest_cors.targets.base import MAX_BODY

    async with TestClient(TestServer(_endless_aiohttp_app(delay))) as client:
        target = AiohttpTarget(client, None, timeout=timeout)
        outcome = await async_simulate_fetch(target, "/events", origin="https://a.example")
    assert outcome.allowed
    response = outcome.actual.response
    assert response.truncated
    assert 0 < len(response.body) <= MAX_BODY
