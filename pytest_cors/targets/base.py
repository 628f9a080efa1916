"""The one-method target protocol every adapter implements.

A target turns a :class:`~pytest_cors.http.Request` (absolute URL, exact header list) into the
:class:`~pytest_cors.http.Response` that came back, and nothing else: it never follows
redirects, never adds cookies or auth, and keeps every raw response header line.

Two bounds hold for every request a simulated ``fetch()`` sends (a preflight, each redirect
hop, the actual request), whatever the target: :data:`DEFAULT_TIMEOUT` and :data:`MAX_BODY`.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from time import monotonic
from typing import Protocol, runtime_checkable

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Request, Response

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

DEFAULT_TIMEOUT = 10.0
"""Seconds one request may take, as a whole: connecting, sending, and reading the response
head (interim ``1xx`` answers included) and body. A live server or an in-process ASGI app with
no complete response head by then is a :class:`~pytest_cors.errors.TargetTimeoutError`; a body
still arriving then is cut off there (a browser's ``fetch()`` settles when the head arrives,
and the verdict never reads the body). ``adapt(url, timeout=...)`` sets it for a live server."""

DEFAULT_BASE_URL = "http://testserver"
"""The base URL of an in-process app when none is given: the host Starlette's, Django's and
Flask's test clients answer at, so that a path joins to the URL the app's own tests see."""

MAX_BODY = 1 << 20
"""Bytes of a response body kept (1 MiB): the rest is not read, the connection it came on is
closed (an in-process app is stopped: its iterable closed, its task cancelled) and the
:class:`~pytest_cors.http.Response` says ``truncated``. An endless stream (server-sent events,
a ``StreamingResponse`` that never ends) is judged from its head like any other answer."""

MAX_HEAD = 256 * 1024
"""Bytes of response head (status line and header lines) a browser reads before giving up:
Chromium's ``kMaxHeaderBufSize``. Here, the lowest layer needing it: the live client stops
reading there and the flow refuses a bigger head from any target."""


@runtime_checkable
class Target(Protocol):
    """A synchronous target. ``base_url`` is what a path such as ``/items`` is joined to."""

    base_url: str

    def send(self, request: Request) -> Response: ...


@runtime_checkable
class AsyncTarget(Protocol):
    """An asynchronous target (``httpx.AsyncClient``, aiohttp's test client, raw ASGI)."""

    base_url: str

    async def send(self, request: Request) -> Response: ...


def bounded_read(
    chunks: Iterable[bytes], deadline: float, out: bytearray | None = None
) -> tuple[bytes, bool]:
    """At most :data:`MAX_BODY` bytes of ``chunks``, taken until ``deadline`` (a
    ``time.monotonic()`` value), and whether the body was cut off (over the bound, or still
    coming at the deadline). The rest is never asked for: the caller closes the source. The
    deadline is looked at between chunks, so a source that blocks inside one read is not cut
    off by it. The bytes go to ``out`` as they come, so that a caller whose source fails
    half-way still has what came before."""
    out = bytearray() if out is None else out
    for chunk in chunks:
        room = MAX_BODY - len(out)
        out += chunk[:room]
        if len(chunk) > room or monotonic() >= deadline:
            return bytes(out), True
    return bytes(out), False


async def async_bounded_read(
    chunks: AsyncIterable[bytes], deadline: float, out: bytearray | None = None
) -> tuple[bytes, bool]:
    """:func:`bounded_read` for an asynchronous source."""
    out = bytearray() if out is None else out
    async for chunk in chunks:
        room = MAX_BODY - len(out)
        out += chunk[:room]
        if len(chunk) > room or monotonic() >= deadline:
            return bytes(out), True
    return bytes(out), False
