"""Drive an ASGI callable in-process: one HTTP scope, our own ``receive`` and ``send``.

No server and no HTTP parser sit in between, so the app sees exactly the request's header lines
(names lower-cased, as ASGI servers pass them) and every response line comes back as the app
sent it. Raw ASGI runs **no lifespan**: an app that sets up state in its startup handler should
be passed as its framework's ``TestClient`` (entered with ``with``) instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, Request, Response
from pytest_cors.targets._wire import app_error, split_url, wire_headers

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_BASE_URL = "http://testserver"


def build_scope(request: Request) -> dict[str, Any]:
    """The HTTP connection scope an ASGI server would build for ``request``."""
    url = split_url(request.url)
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": unquote(url.path),
        "raw_path": url.path.encode("latin-1"),
        "query_string": url.query.encode("latin-1"),
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in wire_headers(request)
        ],
        "client": ("127.0.0.1", 50000),
        "server": (url.host, url.port),
        "extensions": {},
    }


class _Event:
    """An event for the running async library: trio when it runs us, asyncio otherwise."""

    def __init__(self) -> None:
        try:
            import sniffio

            library = sniffio.current_async_library()
        except Exception:  # sniffio missing or no library detected: asyncio it is
            library = "asyncio"
        if library == "trio":
            import trio  # type: ignore[import-untyped,import-not-found,unused-ignore]

            self._event: Any = trio.Event()
        else:
            import asyncio

            self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()


async def call_asgi(app: AsgiApp, scope: Scope, body: bytes) -> Response:
    """Run ``app`` for one request; protocol errors raise ``RuntimeError``, app errors propagate."""
    request_read = False
    finished = _Event()
    start: Message | None = None
    chunks: list[bytes] = []
    complete = False

    async def receive() -> Message:
        nonlocal request_read
        if not request_read:
            request_read = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()  # the client stays connected until the response is complete
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal start, complete
        kind = message.get("type")
        if kind == "http.response.start":
            if start is not None:
                raise RuntimeError("the ASGI app sent http.response.start twice")
            start = message
        elif kind == "http.response.body":
            if start is None:
                raise RuntimeError("the ASGI app sent a body before http.response.start")
            if complete:
                raise RuntimeError("the ASGI app sent a body after the response was complete")
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                complete = True
                finished.set()
        else:
            raise RuntimeError(f"the ASGI app sent an unexpected message {kind!r}")

    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    if start is None:
        raise RuntimeError("the ASGI app returned without sending a response")
    if not complete:
        raise RuntimeError("the ASGI app returned before finishing the response body")
    headers = Headers(_checked_header(pair) for pair in start.get("headers", ()))
    status = start.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError(f"the ASGI app's status must be an int (ASGI spec), got {status!r}")
    status = int(status)  # an HTTPStatus member too
    return Response(status, headers, b"".join(chunks), _phrase(status))


def _checked_header(pair: Any) -> tuple[str, str]:
    """One ``(bytes, bytes)`` header pair as the ASGI spec requires; a server refuses anything
    else, so the kit does too. The message names the header, never its value."""
    name, value = pair
    if not isinstance(name, (bytes, bytearray)) or not isinstance(value, (bytes, bytearray)):
        raise TypeError(
            "the ASGI app's response headers must be (bytes, bytes) pairs (ASGI spec), got a "
            f"{type(name).__name__} name and a {type(value).__name__} value for header {name!r}"
        )
    return bytes(name).decode("latin-1"), bytes(value).decode("latin-1")


def _phrase(status: int) -> str:
    """ASGI carries no reason phrase; servers send the standard one, so do we."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class AsgiTarget:
    """An ASGI app behind ``base_url``; an async target (see ``run_sync`` for sync callers)."""

    def __init__(self, app: AsgiApp, base_url: str = DEFAULT_BASE_URL) -> None:
        self.app = app
        self.base_url = base_url

    def __repr__(self) -> str:
        return f"AsgiTarget({self.app!r}, base_url={self.base_url!r})"

    async def send(self, request: Request) -> Response:
        try:
            return await call_asgi(self.app, build_scope(request), request.body or b"")
        except Exception as exc:
            raise app_error(request, exc, repr(self)) from exc
