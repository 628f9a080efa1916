"""Drive an ASGI callable in-process: one HTTP scope, our own ``receive`` and ``send``.

No server and no HTTP parser sit in between, so the app sees exactly the request's header lines
(names lower-cased, as ASGI servers pass them) and every response line comes back as the app
sent it. Raw ASGI runs **no lifespan**: an app that sets up state in its startup handler should
be passed as its framework's ``TestClient`` (entered with ``with``) instead.

**Bounds.** The app runs for at most ``timeout`` seconds
(:data:`~pytest_cors.targets.base.DEFAULT_TIMEOUT`), then is cancelled: with no
``http.response.start`` by then the request is a :class:`~pytest_cors.errors.TargetTimeoutError`;
with one, the body sent so far is kept and the response says ``truncated``. At most
:data:`~pytest_cors.targets.base.MAX_BODY` bytes of body are kept: once over, the app is told the
client went away (``http.disconnect``) and cancelled, so an endless stream (server-sent events,
a ``StreamingResponse`` that never ends) gives a verdict from its head. An app that completed its
response is awaited until it returns (background tasks), up to the same deadline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from time import monotonic
from typing import Any
from urllib.parse import unquote

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, Request, Response
from pytest_cors.targets._wire import DeadlineExceeded, app_error, split_url, wire_headers
from pytest_cors.targets.base import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, MAX_BODY

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_GRACE = 1.0
"""Seconds a cancelled app gets to unwind before the kit stops waiting for it."""


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


def _library() -> str:
    """``"trio"`` when trio runs us, else ``"asyncio"``."""
    try:
        import sniffio  # lazy: sniffio is optional

        return str(sniffio.current_async_library())
    except Exception:  # sniffio missing or no library detected: asyncio it is
        return "asyncio"


class _Event:
    """An event for the running async library: trio when it runs us, asyncio otherwise."""

    def __init__(self, library: str | None = None) -> None:
        if (library or _library()) == "trio":
            # lazy: trio is optional
            import trio  # type: ignore[import-untyped,import-not-found,unused-ignore]

            self._event: Any = trio.Event()
        else:
            # lazy: `import pytest_cors.targets` loads no asyncio (start-up cost)
            import asyncio

            self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()


async def call_asgi(
    app: AsgiApp, scope: Scope, body: bytes, *, timeout: float = DEFAULT_TIMEOUT
) -> Response:
    """Run ``app`` for one request, within ``timeout`` seconds and ``MAX_BODY`` bytes of body
    (see above); protocol errors raise ``RuntimeError``, app errors propagate, no response
    start by the deadline raises ``DeadlineExceeded``."""
    library = _library()
    deadline = monotonic() + timeout
    request_read = False
    finished = _Event(library)  # the response is complete or cut off: the client is gone
    start: Message | None = None
    chunks: list[bytes] = []
    size = 0
    complete = False
    truncated = False
    runner = _Trio(timeout) if library == "trio" else _Asyncio(timeout)

    async def receive() -> Message:
        nonlocal request_read
        if not request_read:
            request_read = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()  # the client stays connected until the response is complete
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal start, complete, size, truncated
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
            if truncated:
                await runner.stop()  # the client stopped reading: this send never returns
            data = bytes(message.get("body", b""))
            room = MAX_BODY - size
            if len(data) > room:
                data, truncated = data[:room], True
            chunks.append(data)
            size += len(data)
            if not message.get("more_body", False):
                complete = True
                finished.set()
            elif truncated or monotonic() >= deadline:
                # over the bound, or a stream still going at the deadline: cut off here. The
                # app hears that the client went away, and is cancelled
                truncated = True
                finished.set()
                await runner.stop()
        else:
            raise RuntimeError(f"the ASGI app sent an unexpected message {kind!r}")

    try:
        stopped = await runner.run(app(scope, receive, send))
    finally:
        finished.set()
    if start is None:
        if stopped:
            raise DeadlineExceeded(
                "the ASGI app had sent no http.response.start by the deadline", timeout
            )
        raise RuntimeError("the ASGI app returned without sending a response")
    if not complete:
        if not stopped:
            raise RuntimeError("the ASGI app returned before finishing the response body")
        truncated = True  # still streaming at the deadline: what came is kept
    headers = Headers(_checked_header(pair) for pair in start.get("headers", ()))
    status = start.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError(f"the ASGI app's status must be an int (ASGI spec), got {status!r}")
    status = int(status)  # an HTTPStatus member too
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return Response(status, headers, body, _phrase(status), truncated=truncated)


class _Asyncio:
    """Runs the app as a task of its own, which the deadline or the body bound cancels."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._done: Any = None  # set when the app returned, the deadline passed, or stop()

    async def run(self, call: Awaitable[None]) -> bool:
        """Run ``call`` until it returns, ``timeout`` passes or :meth:`stop` is awaited;
        whether it was cancelled (then what it raises is not its own error)."""
        # lazy: `import pytest_cors.targets` loads no asyncio (start-up cost)
        import asyncio

        loop = asyncio.get_running_loop()
        done = self._done = loop.create_future()

        def settle(_: object = None) -> None:
            if not done.done():
                done.set_result(None)

        task = asyncio.ensure_future(call)
        task.add_done_callback(settle)
        timer = loop.call_later(self.timeout, settle)
        cancelled = False
        try:
            await done
        finally:
            timer.cancel()
            if not task.done():
                cancelled = task.cancel()
                await asyncio.wait((task,), timeout=_GRACE)
        if cancelled or not task.done():
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: whatever a cancelled app raised is not reported
            return True
        task.result()  # the app's own error, raised here
        return False

    async def stop(self) -> None:
        """Called by the app's ``send``: end :meth:`run` now; never returns (cancelled)."""
        # lazy: `import pytest_cors.targets` loads no asyncio (start-up cost)
        import asyncio

        if self._done is not None and not self._done.done():
            self._done.set_result(None)
        await asyncio.get_running_loop().create_future()


class _Trio:
    """Runs the app in a cancel scope with the deadline; the body bound cancels it too."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._scope: Any = None

    async def run(self, call: Awaitable[None]) -> bool:
        # lazy: trio is optional
        import trio  # type: ignore[import-untyped,import-not-found,unused-ignore]

        with trio.move_on_after(self.timeout) as scope:
            self._scope = scope
            await call
        return bool(scope.cancelled_caught)

    async def stop(self) -> None:
        # lazy: trio is optional
        import trio  # type: ignore[import-untyped,import-not-found,unused-ignore]

        self._scope.cancel()
        await trio.sleep_forever()


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
    """An ASGI app behind ``base_url``; an async target (see ``run_sync`` for sync callers).

    ``timeout`` (seconds) is how long one request may run (see above).
    """

    def __init__(
        self, app: AsgiApp, base_url: str = DEFAULT_BASE_URL, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.app = app
        self.base_url = base_url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"AsgiTarget({self.app!r}, base_url={self.base_url!r})"

    async def send(self, request: Request) -> Response:
        try:
            return await call_asgi(
                self.app, build_scope(request), request.body or b"", timeout=self.timeout
            )
        except Exception as exc:
            raise app_error(request, exc, repr(self)) from exc
