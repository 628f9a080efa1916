"""``simulate_fetch`` and ``Browser``: the engine driven against a real target.

The engine is a generator that yields requests; this module carries each one to the target
(sync or async) and hands the response back. All browser logic stays in the engine.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pytest_cors.engine import (
    Outcome,
    PreflightCache,
    Profile,
    get_profile,
    prepare_request,
    run_fetch,
)
from pytest_cors.engine.fetch import FetchFlow
from pytest_cors.engine.request import HeadersArg
from pytest_cors.errors import CorsError, CorsUsageError, TargetError
from pytest_cors.http import Request, Response


def _step(request: Request) -> str:
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return "preflight"
    return "actual"


def _resolve(target: object, url: str) -> Any:
    from pytest_cors.targets import adapt

    parts = urlsplit(url)
    if parts.scheme and type(target).__module__.startswith("requests."):
        # a requests.Session has no base URL of its own: an absolute URL names the server
        return adapt(target, base_url=f"{parts.scheme}://{parts.netloc}")
    return adapt(target)


def _absolute(base_url: str, url: str) -> str:
    if not isinstance(url, str):
        raise CorsUsageError(f"url must be a path or an absolute URL string, got {url!r}")
    if urlsplit(url).scheme:
        return url
    if not url.startswith("/"):
        url = "/" + url
    base = urlsplit(base_url)
    # a base URL with a path (https://host/api) prefixes it: "/items" -> /api/items
    return f"{base.scheme}://{base.netloc}{base.path.rstrip('/')}{url}"


def _target_error(exc: BaseException, request: Request, adapter: Any) -> TargetError:
    where = f"{request.method} {request.url}"
    if isinstance(exc, TargetError):
        return TargetError(exc.detail, target=exc.target, step=exc.step or _step(request))
    return TargetError(
        f"{where} raised {type(exc).__name__}: {exc}",
        target=getattr(adapter, "base_url", ""),
        step=_step(request),
    )


def _drive_sync(flow: FetchFlow, adapter: Any) -> Outcome:
    send = adapter.send
    if inspect.iscoroutinefunction(send):
        from pytest_cors.targets import run_sync

        return run_sync(_drive_async(flow, adapter))
    request = next(flow)
    while True:
        try:
            response: Response = send(request)
        except CorsError as exc:
            if isinstance(exc, TargetError):
                raise _target_error(exc, request, adapter) from exc
            raise
        except Exception as exc:
            raise _target_error(exc, request, adapter) from exc
        try:
            request = flow.send(response)
        except StopIteration as stop:
            outcome: Outcome = stop.value
            return outcome


async def _drive_async(flow: FetchFlow, adapter: Any) -> Outcome:
    request = next(flow)
    while True:
        try:
            result = adapter.send(request)
            response: Response = await result if inspect.isawaitable(result) else result
        except TargetError as exc:
            raise _target_error(exc, request, adapter) from exc
        except CorsError:
            raise
        except Exception as exc:
            raise _target_error(exc, request, adapter) from exc
        try:
            request = flow.send(response)
        except StopIteration as stop:
            outcome: Outcome = stop.value
            return outcome


class Browser:
    """A browser session: keeps the preflight cache across ``fetch`` calls, as the browser does.

    ``clock`` returns seconds; pass a fake one to test Max-Age windows without sleeping.
    """

    def __init__(
        self, browser: str | Profile = "chromium", *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.profile = get_profile(browser)
        self.cache = PreflightCache(self.profile)
        self._clock = clock

    def __repr__(self) -> str:
        return f"Browser({self.profile.name!r})"

    def _flow(
        self,
        target: object,
        url: str,
        origin: str,
        method: str,
        headers: HeadersArg,
        credentials: object,
        body: str | bytes | None,
    ) -> tuple[FetchFlow, Any]:
        adapter = _resolve(target, url)
        request = prepare_request(
            _absolute(adapter.base_url, url),
            origin=origin,
            method=method,
            headers=headers,
            credentials=credentials,
            body=body,
            profile=self.profile,
        )
        return run_fetch(request, self.profile, self.cache, self._clock()), adapter

    def fetch(
        self,
        target: object,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        credentials: object = "omit",
        body: str | bytes | None = None,
    ) -> Outcome:
        """Simulate ``fetch(url, {method, headers, credentials, body})`` from ``origin``."""
        flow, adapter = self._flow(target, url, origin, method, headers, credentials, body)
        return _drive_sync(flow, adapter)

    async def afetch(
        self,
        target: object,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        credentials: object = "omit",
        body: str | bytes | None = None,
    ) -> Outcome:
        """``fetch`` for async tests: awaits async targets on the running loop."""
        flow, adapter = self._flow(target, url, origin, method, headers, credentials, body)
        return await _drive_async(flow, adapter)

    def clear_cache(self) -> None:
        self.cache = PreflightCache(self.profile)


def simulate_fetch(
    target: object,
    url: str = "/",
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    credentials: object = "omit",
    body: str | bytes | None = None,
    browser: str | Profile = "chromium",
) -> Outcome:
    """What a browser at ``origin`` would do with ``fetch(url, ...)`` against ``target``.

    Uses a fresh browser session (empty preflight cache); see :class:`Browser` to keep one.
    """
    return Browser(browser).fetch(
        target,
        url,
        origin=origin,
        method=method,
        headers=headers,
        credentials=credentials,
        body=body,
    )


async def async_simulate_fetch(
    target: object,
    url: str = "/",
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    credentials: object = "omit",
    body: str | bytes | None = None,
    browser: str | Profile = "chromium",
) -> Outcome:
    """``simulate_fetch`` for async tests (pytest-asyncio or anyio)."""
    return await Browser(browser).afetch(
        target,
        url,
        origin=origin,
        method=method,
        headers=headers,
        credentials=credentials,
        body=body,
    )
