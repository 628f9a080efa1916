"""Deadlines and the body bound (issue 14 #7): no fetch hangs, no body fills the memory.

Each request the simulated browser sends has one deadline (its target's ``timeout``) for the
whole exchange, and at most ``MAX_BODY`` bytes of a body are kept. Faults that used to hang a
fetch or grow its memory without end are played here against each kind of target: a live
server that trickles its head or body, an endless stream of ``103 Early Hints``, endless bodies
in each framing, and in-process ASGI and WSGI apps that never answer or never stop.

A test that would hang on a regression runs its fetch in a thread and waits :data:`GUARD`
seconds for it, far above the deadline under test: it asserts that an answer (or the error)
arrived, never how fast. Every "endless" source gives up after :data:`CAP` bytes, so a kit that
reads on fails the test instead of exhausting the machine's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pytest_cors import async_simulate_fetch, simulate_fetch
from pytest_cors.errors import TargetProtocolError, TargetTimeoutError
from pytest_cors.targets import adapt
from pytest_cors.targets.asgi import AsgiTarget
from pytest_cors.targets.wsgi import WsgiTarget
from tests.reliability.faults import APP, FETCH, GOOD_PREFLIGHT, is_preflight
from tests.servers import read_request, serve_raw

DEADLINE = 1.0  # the targets' timeout here: seconds one request may take
GUARD = 30.0  # seconds a test waits before it calls the fetch hung (no timing is asserted)
BOUND = 1 << 20  # the documented body bound (MAX_BODY)
INTERIM = 16  # the documented bound on interim answers (MAX_INTERIM)
CAP = 32 * BOUND  # bytes an "endless" source sends before giving up on a kit that reads on
BLOCK = b"x" * 65536
ALLOWS_APP = b"Access-Control-Allow-Origin: https://app.example.com\r\n"


def test_the_bounds_are_the_documented_ones():
    from pytest_cors.targets._http1 import MAX_INTERIM
    from pytest_cors.targets.base import DEFAULT_TIMEOUT, MAX_BODY

    assert (DEFAULT_TIMEOUT, MAX_BODY, MAX_INTERIM) == (10.0, BOUND, INTERIM)
    assert AsgiTarget(Silent()).timeout == WsgiTarget(list).timeout == DEFAULT_TIMEOUT


# -- helpers -----------------------------------------------------------------------------------


def within_guard(fetch: Callable[[], Any]) -> Any:
    """``fetch()``'s result, or its exception raised here, asserting it came within GUARD s."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fetch()
        except BaseException as exc:  # handed to the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive(), f"the fetch hangs: no answer and no error after {GUARD} s"
    if "error" in box:
        raise box["error"]
    return box["result"]


def failure(fetch: Callable[[], Any]) -> BaseException:
    """The exception ``fetch()`` raised (within the guard); it must raise."""
    try:
        within_guard(fetch)
    except Exception as exc:
        return exc
    raise AssertionError("the fetch gave a verdict; an error was expected")


@pytest.fixture
def live():
    """``live(kind, base_url)``: the kit's own client ("url") or a ``requests.Session``."""
    made: list[Any] = []

    def make(kind: str, base_url: str) -> Any:
        if kind == "url":
            target = adapt(base_url, timeout=DEADLINE)
        else:
            import requests

            session = requests.Session()
            made.append(session)
            target = adapt(session, base_url=base_url, timeout=DEADLINE)
        made.append(target)
        return target

    yield make
    for thing in made:
        thing.close()


def trickle(conn: socket.socket, data: bytes, stop: threading.Event) -> None:
    """Write ``data`` one byte per 0.3 s until done, the client hangs up or the server stops."""
    with contextlib.suppress(OSError):
        for i in range(len(data)):
            if stop.wait(0.3):
                return
            conn.sendall(data[i : i + 1])
        stop.wait()


def endless(conn: socket.socket, block: bytes) -> None:
    """Write ``block`` over and over until the client hangs up, or CAP bytes went."""
    with contextlib.suppress(OSError):
        for _ in range(CAP // len(block)):
            conn.sendall(block)


# -- a live server -----------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["preflight", "actual"])
def test_a_head_trickled_a_byte_at_a_time_is_a_timeout_at_its_step(live, step):
    """Each byte comes well within the timeout, the whole head never does."""
    pad = b"X-Pad: " + b"a" * 200 + b"\r\n"
    head = b"HTTP/1.1 200 OK\r\n" + ALLOWS_APP + pad + b"Content-Length: 0\r\n\r\n"

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        while raw := read_request(conn):
            if step == "actual" and is_preflight(raw):
                conn.sendall(GOOD_PREFLIGHT)
                continue
            trickle(conn, head, stop)
            return

    with serve_raw(handler) as base_url:
        target = live("url", base_url)
        error = failure(lambda: simulate_fetch(target, "/items", **FETCH))
    assert isinstance(error, TargetTimeoutError), repr(error)
    assert error.step == step
    assert str(error).startswith(f"[{step}] ")
    assert "timed out after 1 s" in str(error)


@pytest.mark.parametrize("count", [INTERIM, "endless"])
def test_interim_answers_are_bounded(live, count):
    """Up to 16 ``103 Early Hints`` are skipped as a browser skips them; an endless stream of
    them is a protocol error, not a fetch that waits for ever."""
    hint = b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n"
    final = b"HTTP/1.1 200 OK\r\n" + ALLOWS_APP + b"Content-Length: 2\r\n\r\nok"

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        if count == "endless":
            endless(conn, hint)  # a kit that skipped them all would then wait for the rest
            stop.wait()
        else:
            conn.sendall(hint * count + final)
            stop.wait()

    with serve_raw(handler) as base_url:
        target = live("url", base_url)
        if count == "endless":
            error = failure(lambda: simulate_fetch(target, "/items", origin=APP))
            assert isinstance(error, TargetProtocolError), repr(error)
            assert "interim" in str(error)
        else:
            outcome = within_guard(lambda: simulate_fetch(target, "/items", origin=APP))
            assert outcome.allowed
            assert outcome.actual.response.body == b"ok"


ENDLESS_FRAMINGS = {
    # no length: the body would end at a close that never comes
    "to-close": (b"", BLOCK),
    "chunked": (b"Transfer-Encoding: chunked\r\n", b"10000\r\n" + BLOCK + b"\r\n"),
    "content-length": (b"Content-Length: 1000000000000\r\n", BLOCK),
}


@pytest.mark.parametrize("kind", ["url", "session"])
@pytest.mark.parametrize("framing", list(ENDLESS_FRAMINGS))
def test_an_endless_body_gives_a_verdict_and_keeps_only_the_bound(live, kind, framing):
    """The verdict comes from the head; at most 1 MiB of body is kept, and the connection it
    came on is closed, never handed to the next request."""
    lines, block = ENDLESS_FRAMINGS[framing]
    head = b"HTTP/1.1 200 OK\r\n" + ALLOWS_APP + lines + b"\r\n"
    connections: list[int] = []

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        connections.append(1)
        raw = read_request(conn)
        if b" /next " in raw.partition(b"\r\n")[0]:
            conn.sendall(b"HTTP/1.1 200 OK\r\n" + ALLOWS_APP + b"Content-Length: 4\r\n\r\nnext")
            stop.wait()
            return
        conn.sendall(head)
        endless(conn, block)

    with serve_raw(handler) as base_url:
        target = live(kind, base_url)
        outcome = within_guard(lambda: simulate_fetch(target, "/stream", origin=APP))
        assert outcome.allowed
        response = outcome.actual.response
        assert len(response.body) == BOUND
        assert response.truncated
        following = within_guard(lambda: simulate_fetch(target, "/next", origin=APP))
        assert following.actual.response.body == b"next"
    assert len(connections) == 2


@pytest.mark.parametrize("size", [BOUND, BOUND + 1])
def test_a_body_of_exactly_the_bound_is_whole_and_its_connection_kept(live, size):
    """The bound keeps 1 MiB: a body of that size is complete and its connection pooled; one
    byte more is cut off and its connection closed."""
    answer = b"HTTP/1.1 200 OK\r\n" + ALLOWS_APP + b"Content-Length: %d\r\n\r\n" % size
    connections: list[int] = []

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        connections.append(1)
        with contextlib.suppress(OSError):  # the client may hang up on the byte too many
            while read_request(conn):
                conn.sendall(answer + b"z" * size)

    with serve_raw(handler) as base_url:
        target = live("url", base_url)
        for _ in range(2):
            outcome = within_guard(lambda: simulate_fetch(target, "/items", origin=APP))
            response = outcome.actual.response
            assert len(response.body) == BOUND
            assert response.truncated is (size > BOUND)
    assert len(connections) == (1 if size == BOUND else 2)


@pytest.mark.parametrize("kind", ["url", "session"])
def test_a_body_trickled_a_byte_at_a_time_is_cut_off_at_the_deadline(live, kind):
    """``fetch()`` settles with the head: a body still coming at the deadline is cut off there
    and the verdict stands, in bounded time."""
    head = b"HTTP/1.1 200 OK\r\n" + ALLOWS_APP + b"Content-Length: 1000\r\n\r\n"

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(head)
        trickle(conn, b"y" * 1000, stop)

    with serve_raw(handler) as base_url:
        target = live(kind, base_url)
        outcome = within_guard(lambda: simulate_fetch(target, "/items", origin=APP))
    assert outcome.allowed
    response = outcome.actual.response
    assert response.truncated
    assert len(response.body) < 1000


# -- in-process ASGI ---------------------------------------------------------------------------


class Silent:
    """An ASGI app that reads the request and never answers; it records being cancelled."""

    def __init__(self) -> None:
        self.cancelled = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


def test_an_asgi_app_that_never_answers_is_a_timeout_and_is_cancelled():
    app = Silent()
    target = AsgiTarget(app, timeout=DEADLINE)
    error = failure(lambda: simulate_fetch(target, "/items", **FETCH))
    assert isinstance(error, TargetTimeoutError), repr(error)
    assert error.step == "preflight"
    assert "timed out after 1 s" in str(error)
    assert "http.response.start" in str(error)
    assert app.cancelled


def test_adapt_hands_its_timeout_to_an_in_process_app():
    """``adapt(app, timeout=...)`` (and the contract runner, which calls it) reaches the app."""
    app = Silent()
    error = failure(lambda: simulate_fetch(adapt(app, timeout=DEADLINE), "/items", **FETCH))
    assert isinstance(error, TargetTimeoutError), repr(error)
    assert "timed out after 1 s" in str(error)


async def test_an_asgi_app_that_never_answers_is_a_timeout_in_an_async_test_too():
    app = Silent()
    fetch = async_simulate_fetch(AsgiTarget(app, timeout=DEADLINE), "/items", origin=APP)
    with pytest.raises(TargetTimeoutError, match=r"^\[actual\] .*timed out after 1 s"):
        await asyncio.wait_for(fetch, GUARD)
    assert app.cancelled


class Ended:
    """Wraps an ASGI app and records that it returned or was cancelled."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.ended = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            self.ended = True


BIG_EVENT = b"data: " + b"e" * 65526 + b"\n\n"  # 64 KiB


def streaming_app(*, sync: bool, event: bytes = BIG_EVENT, pause: float = 0.0) -> Any:
    """Starlette with CORSMiddleware: ``/events`` streams server-sent events for ever (well,
    until CAP bytes went: a kit that reads on gets an error, not all of the memory)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    def events_sync() -> Iterator[bytes]:
        for _ in range(CAP // len(event)):
            yield event
        raise RuntimeError("read past the bound: the stream was not cut off")

    async def events_async() -> Any:
        for _ in range(CAP // len(event)):
            yield event
            await asyncio.sleep(pause)
        raise RuntimeError("read past the bound: the stream was not cut off")

    async def events(request: Any) -> Any:
        body = events_sync() if sync else events_async()
        return StreamingResponse(body, media_type="text/event-stream")

    return Starlette(
        routes=[Route("/events", events)],
        middleware=[Middleware(CORSMiddleware, allow_origins=[APP])],
    )


@pytest.mark.parametrize("generator", ["async", "sync"])
def test_an_endless_asgi_stream_gives_a_verdict_from_its_head(generator):
    app = Ended(streaming_app(sync=generator == "sync"))
    outcome = within_guard(lambda: simulate_fetch(app, "/events", origin=APP))
    assert outcome.allowed
    response = outcome.actual.response
    assert response.headers.get("content-type", "").startswith("text/event-stream")
    assert len(response.body) == BOUND
    assert response.truncated
    assert app.ended


def test_an_endless_asgi_stream_through_starlettes_test_client():
    from starlette.testclient import TestClient

    app = Ended(streaming_app(sync=False))
    with TestClient(app) as client:
        outcome = within_guard(lambda: simulate_fetch(client, "/events", origin=APP))
    assert outcome.allowed
    assert len(outcome.actual.response.body) == BOUND
    assert outcome.actual.response.truncated
    assert app.ended


def test_a_slow_asgi_stream_is_cut_off_at_the_deadline():
    """Server-sent events at their own pace never reach the bound: the deadline ends them."""
    app = Ended(streaming_app(sync=False, event=b"data: tick\n\n", pause=0.05))
    target = AsgiTarget(app, timeout=DEADLINE)
    outcome = within_guard(lambda: simulate_fetch(target, "/events", origin=APP))
    assert outcome.allowed
    response = outcome.actual.response
    assert response.truncated
    assert 0 < len(response.body) < BOUND
    assert app.ended


# -- in-process WSGI ---------------------------------------------------------------------------


class EndlessBody:
    """A WSGI response iterable that never ends (until CAP bytes) and records ``close()``."""

    def __init__(self, block: bytes = BLOCK, pause: float = 0.0) -> None:
        self.block = block
        self.pause = pause
        self.sent = 0
        self.closed = False
        self.give_up = threading.Event()

    def __iter__(self) -> EndlessBody:
        return self

    def __next__(self) -> bytes:
        if self.sent >= CAP or self.give_up.is_set():
            raise RuntimeError("read past the bound: the iterable was not cut off")
        if self.pause:
            time.sleep(self.pause)
        self.sent += len(self.block)
        return self.block

    def close(self) -> None:
        self.closed = True


def test_an_endless_wsgi_iterable_gives_a_verdict_and_is_closed():
    body = EndlessBody()

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Access-Control-Allow-Origin", APP)])
        return body

    outcome = within_guard(lambda: simulate_fetch(app, "/stream", origin=APP))
    assert outcome.allowed
    response = outcome.actual.response
    assert len(response.body) == BOUND
    assert response.truncated
    assert body.closed
    assert body.sent <= BOUND + len(BLOCK)  # not iterated past the bound


def test_a_slow_wsgi_iterable_is_cut_off_at_the_deadline_and_closed():
    body = EndlessBody(b"data: tick\n\n", pause=0.01)

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Access-Control-Allow-Origin", APP)])
        return body

    try:
        outcome = within_guard(
            lambda: simulate_fetch(WsgiTarget(app, timeout=DEADLINE), "/events", origin=APP)
        )
    finally:
        body.give_up.set()  # a regression's thread stops iterating too
    assert outcome.allowed
    assert outcome.actual.response.truncated
    assert body.closed


def test_a_wsgi_app_that_never_starts_its_response_is_a_timeout():
    """A generator app that yields empty chunks and never calls start_response."""
    give_up = threading.Event()
    closed: list[bool] = []

    def app(environ: Any, start_response: Any) -> Iterator[bytes]:
        try:
            while not give_up.is_set():
                time.sleep(0.01)
                yield b""
        finally:
            closed.append(True)

    try:
        error = failure(
            lambda: simulate_fetch(WsgiTarget(app, timeout=DEADLINE), "/items", origin=APP)
        )
    finally:
        give_up.set()
    assert isinstance(error, TargetTimeoutError), repr(error)
    assert error.step == "actual"
    assert "timed out after 1 s" in str(error)
    assert "start_response" in str(error)
    assert closed
