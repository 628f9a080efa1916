"""aiohttp's ``test_utils.TestClient``: an async target reaching the client's ``TestServer``.

The test client's own session keeps a cookie jar, so each request goes through a fresh session
whose jar is a ``DummyCookieJar`` and which adds no ``User-Agent``, ``Accept`` or
``Accept-Encoding``. The connection always goes to the test server's socket; the request URL's
host (an absolute URL may name another) only decides the ``Host`` header the app sees.
Response lines come from ``raw_headers`` (order, case and duplicates as received).

The test server answers only while the loop that started it runs, so when that loop is idle (a
sync test whose async fixture started the client) each request runs on it
(:func:`~pytest_cors.targets._async.on_loop`): ``simulate_fetch`` works from sync tests too.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

from pytest_cors._compat import aiohttp_server_loop
from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, Request, Response
from pytest_cors.targets._async import on_loop
from pytest_cors.targets._wire import wire_error, wire_headers
from pytest_cors.targets.base import DEFAULT_TIMEOUT, async_bounded_read

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_SKIP = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class AiohttpTarget:
    """aiohttp's test client; ``base_url`` defaults to its server's ``http://127.0.0.1:PORT``."""

    def __init__(
        self, client: Any, base_url: str | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.client = client
        self.server = str(client.make_url("")).rstrip("/")
        self.base_url = (base_url or self.server).rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"AiohttpTarget(base_url={self.base_url!r})"

    @property
    def home_loop(self) -> Any:
        """The loop serving the test server (its low-level server keeps it), else ``None``."""
        return aiohttp_server_loop(self.client)

    async def send(self, request: Request) -> Response:
        return await on_loop(self._send(request), self.home_loop)

    async def _send(self, request: Request) -> Response:
        # lazy: aiohttp (with its multidict and yarl) is optional
        import aiohttp  # type: ignore[import-not-found,unused-ignore]
        from multidict import CIMultiDict  # type: ignore[import-not-found,unused-ignore]
        from yarl import URL  # type: ignore[import-not-found,unused-ignore]

        deadline = monotonic() + self.timeout
        parts = urlsplit(request.url)
        path = parts.path or "/"
        url = f"{self.server}{path}?{parts.query}" if parts.query else f"{self.server}{path}"
        try:
            async with (
                aiohttp.ClientSession(
                    cookie_jar=aiohttp.DummyCookieJar(),
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as session,
                session.request(
                    request.method,
                    URL(url, encoded=True),
                    headers=CIMultiDict(wire_headers(request)),
                    data=request.body,
                    allow_redirects=False,
                    skip_auto_headers=_SKIP,
                ) as resp,
            ):
                lines = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.raw_headers]
                # fetch() settles with the head: a body is read to MAX_BODY or the deadline,
                # and one still coming then is cut off (the session's total timeout ends it)
                out = bytearray()
                try:
                    body, truncated = await async_bounded_read(
                        resp.content.iter_any(), deadline, out
                    )
                except asyncio.TimeoutError:
                    body, truncated = bytes(out), True
                return Response(
                    resp.status, Headers(lines), body, resp.reason or "", truncated=truncated
                )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise wire_error(request, exc, repr(self), self.timeout) from exc
