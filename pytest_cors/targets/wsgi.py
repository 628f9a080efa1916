"""Drive a WSGI callable in-process with a hand-built environ (PEP 3333), no server, no client.

Building the environ ourselves means no test client can add cookies, auth or a User-Agent, and
reading ``start_response`` ourselves keeps every response header line as the app wrote it.

**Bounds.** At most :data:`~pytest_cors.targets.base.MAX_BODY` bytes of body are kept: the
app's iterable is not iterated further and its ``close()`` is called, so an endless iterable (a
stream) gives a verdict from its status and headers. ``timeout`` is looked at between the
iterable's items: an app that has not called ``start_response`` by then is a
:class:`~pytest_cors.errors.TargetTimeoutError`; one that has is cut off there. A WSGI app runs
in the caller's thread, and Python cannot safely interrupt a thread: an app that blocks for
ever *inside* a call (the app callable itself, or one ``next()`` of its iterable) blocks the
test with it. Give such a call its own time-out, or test the app behind a live server.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from time import monotonic
from typing import Any
from urllib.parse import unquote

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, Request, Response
from pytest_cors.targets._wire import (
    DeadlineExceeded,
    app_error,
    split_url,
    wire_headers,
)
from pytest_cors.targets.base import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, MAX_BODY

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_END = object()


def build_environ(request: Request, script_name: str = "") -> dict[str, Any]:
    """The environ a WSGI server would build for ``request``.

    Duplicate request header lines are joined with ``", "`` because an environ key holds one
    value (servers do the same). ``script_name`` (no trailing slash) is cut off the path's start.
    """
    url = split_url(request.url)
    path = unquote(url.path, encoding="latin-1")  # as servers decode it
    if script_name and (path == script_name or path.startswith(script_name + "/")):
        path = path[len(script_name) :]
    else:
        script_name = ""
    body = request.body or b""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.host,
        "SERVER_PORT": str(url.port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in wire_headers(request):
        key = _environ_key(name)
        environ[key] = f"{environ[key]}, {value}" if key in environ else value
    return environ


def _environ_key(name: str) -> str:
    """The environ key of a header name: ``HTTP_X_TOKEN``; ``CONTENT_TYPE``/``_LENGTH`` bare."""
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def call_wsgi(
    app: WsgiApp, environ: dict[str, Any], *, timeout: float = DEFAULT_TIMEOUT
) -> Response:
    """Run ``app`` once, keeping at most ``MAX_BODY`` bytes of body and iterating no longer
    than ``timeout`` seconds (see above); exceptions propagate to the caller (who wraps them).
    """
    deadline = monotonic() + timeout
    started: list[tuple[str, list[tuple[str, str]]]] = []
    written: list[bytes] = []
    size = 0
    truncated = False

    def write(data: bytes) -> None:
        """Keep ``data`` up to the bound (the ``write`` callable too, as PEP 3333 has it)."""
        nonlocal size, truncated
        room = MAX_BODY - size
        if len(data) > room:
            data, truncated = data[:room], True
        if data:
            written.append(data)
            size += len(data)

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [(_checked_status(status), _checked_headers(headers))]
        return write

    result = app(environ, start_response)
    try:
        chunks = iter(result)
        while not truncated:
            if monotonic() >= deadline:
                if not started:
                    raise DeadlineExceeded(
                        "the WSGI app had not called start_response by the deadline", timeout
                    )
                truncated = True  # a body still coming: cut off, as a live one would be
                break
            chunk: Any = next(chunks, _END)
            if chunk is _END:
                break
            write(bytes(chunk))
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not started:
        raise RuntimeError("the WSGI app returned without calling start_response")
    status, headers = started[0]
    code, _, reason = status.partition(" ")
    body = written[0] if len(written) == 1 and type(written[0]) is bytes else b"".join(written)
    return Response(int(code), Headers(headers), body, reason, truncated=truncated)


def _checked_status(status: object) -> str:
    """PEP 3333's status: a str such as ``"200 OK"``. A server would refuse anything else, so
    the kit does too, rather than guess a verdict."""
    if not isinstance(status, str) or not (status[:3].isdigit() and status[3:4] in ("", " ")):
        raise TypeError(
            f"the WSGI app's status must be a str such as '200 OK' (PEP 3333), got {status!r}"
        )
    return status


def _checked_headers(headers: object) -> list[tuple[str, str]]:
    """PEP 3333's headers: a list of ``(str, str)`` pairs. The message names the header, never
    its value (it may be a cookie)."""
    if not isinstance(headers, list):
        raise TypeError(
            "the WSGI app's response headers must be a list of (str, str) pairs (PEP 3333), "
            f"got {type(headers).__name__}"
        )
    for item in headers:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(
                "the WSGI app's response headers must be (str, str) pairs (PEP 3333), got a "
                f"{type(item).__name__}"
            )
        name, value = item
        if type(name) is not str or type(value) is not str:
            raise TypeError(
                "the WSGI app's response headers must be (str, str) pairs (PEP 3333), got a "
                f"{type(name).__name__} name and a {type(value).__name__} value for header "
                f"{_text(name)!r}"
            )
    return list(headers)


def _text(name: object) -> str:
    return name.decode("latin-1") if isinstance(name, bytes) else str(name)


class WsgiTarget:
    """A WSGI app behind ``base_url``; a path in ``base_url`` becomes ``SCRIPT_NAME``.

    ``timeout`` (seconds) bounds the iteration of the app's response (see above).
    """

    def __init__(
        self, app: WsgiApp, base_url: str = DEFAULT_BASE_URL, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.app = app
        self.base_url = base_url
        self.timeout = timeout
        self._script_name = split_url(base_url).path.rstrip("/")

    def __repr__(self) -> str:
        return f"WsgiTarget({self.app!r}, base_url={self.base_url!r})"

    def send(self, request: Request) -> Response:
        environ = build_environ(request, self._script_name)
        try:
            return call_wsgi(self.app, environ, timeout=self.timeout)
        except Exception as exc:
            raise app_error(request, exc, repr(self)) from exc
