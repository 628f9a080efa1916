"""The one-method target protocol every adapter implements.

A target turns a :class:`~pytest_cors.http.Request` (absolute URL, exact header list) into the
:class:`~pytest_cors.http.Response` that came back, and nothing else: it never follows
redirects, never adds cookies or auth, and keeps every raw response header line.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Request, Response

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback


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
