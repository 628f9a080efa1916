"""Real loopback servers for tests: any WSGI or ASGI app, or a raw socket script.

Every server binds 127.0.0.1 on port 0, runs in a daemon thread and is stopped when its
``with`` block ends::

    with serve_wsgi(app) as base_url:      # werkzeug's threaded server
        ...
    with serve_asgi(app) as base_url:      # uvicorn, lifespan off
        ...
    with serve_aiohttp(app) as base_url:   # aiohttp's own server, on a loop in a thread
        ...
    with serve_raw(handler) as base_url:   # handler(conn, stop) scripts the bytes on the wire
        ...
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

READY_WAIT = 10.0  # seconds a server gets to come up before the test errors out


def _listener() -> tuple[socket.socket, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve a WSGI app with werkzeug's threaded server; yields ``http://127.0.0.1:PORT``."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log(self, type: str, message: str, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    # a short poll interval: shutdown() waits for the serve loop to look at its flag
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn (lifespan off); yields ``http://127.0.0.1:PORT``."""
    import uvicorn

    sock, base_url = _listener()
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="warning",
        server_header=False,
        date_header=False,
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + READY_WAIT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


@contextmanager
def serve_aiohttp(app: Any) -> Iterator[str]:
    """Serve an aiohttp ``web.Application`` from a loop in a thread; yields its base URL."""
    import asyncio

    from aiohttp import web

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    sock, base_url = _listener()

    async def start() -> web.AppRunner:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        return runner

    runner = asyncio.run_coroutine_threadsafe(start(), loop).result(READY_WAIT)
    try:
        yield base_url
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(READY_WAIT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        sock.close()


RawHandler = Callable[[socket.socket, threading.Event], None]


@contextmanager
def serve_raw(handler: RawHandler) -> Iterator[str]:
    """Accept connections and let ``handler(conn, stop)`` write whatever bytes it likes.

    ``stop`` is set when the block ends, so a handler that must hang (a silent server) can
    wait on it; open connections are shut down then too, so a handler blocked reading returns.
    Each connection is closed after its handler returns.
    """
    sock, base_url = _listener()
    stop = threading.Event()
    workers: list[threading.Thread] = []
    conns: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        with conn:
            handler(conn, stop)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            conns.append(conn)
            worker = threading.Thread(target=handle, args=(conn,), daemon=True)
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield base_url
    finally:
        stop.set()
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        acceptor.join()
        for conn in conns:
            with contextlib.suppress(OSError):  # already closed by its handler
                conn.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join()


def read_request(conn: socket.socket) -> bytes:
    """The raw bytes of one HTTP/1.1 request (head, plus a body of Content-Length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def scripted(
    answer: bytes, record: list[bytes] | None = None, *, reset: bool = False
) -> RawHandler:
    """A handler that reads one request (recording it) and writes ``answer`` verbatim.

    With ``reset`` the connection is aborted with a TCP RST right after the answer.
    """

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        request = read_request(conn)
        if record is not None:
            record.append(request)
        conn.sendall(answer)
        if reset:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return handler


def silent(conn: socket.socket, stop: threading.Event) -> None:
    """A handler that reads the request and never answers (until the server stops)."""
    read_request(conn)
    stop.wait()


def keep_alive(answers: list[bytes], record: list[tuple[int, bytes]] | None = None) -> RawHandler:
    """A handler that answers requests on one connection with ``answers`` in turn (shared by
    every connection: the n-th request the server reads gets the n-th answer), recording
    ``(connection number, request bytes)``; the connection closes once the answers run out.
    """
    lock = threading.Lock()
    state = {"answered": 0, "connections": 0}

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        with lock:
            state["connections"] += 1
            number = state["connections"]
        while True:
            request = read_request(conn)
            if not request:
                return
            with lock:
                if record is not None:
                    record.append((number, request))
                index = state["answered"]
                state["answered"] += 1
            if index >= len(answers):
                return
            conn.sendall(answers[index])

    return handler
