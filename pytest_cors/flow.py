"""``simulate_fetch`` and ``Browser``: the engine driven against a real target.

The engine is a generator that yields requests; this module carries each one to the target
(sync or async) and hands the response back. All browser logic stays in the engine.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

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
from pytest_cors.errors import CorsError, TargetError
from pytest_cors.http import Request, Response

T = TypeVar("T")


def _step(request: Request) -> str:
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return "preflight"
    return "actual"


def _resolve(target: object) -> Any:
    from pytest_cors.targets import adapt

    return adapt(target)


def _absolute(base_url: str, url: str) -> str:
    if urlsplit(url).scheme:
        return url
    if not url.startswith("/"):
        url = "/" + url
    return urljoin(base_url, url)


def _target_error(exc: BaseException, request: Request, adapter: Any) -> TargetError:
    where = f"{request.method} {request.url}"
    if isinstance(exc, TargetError):
        return TargetError(str(exc), target=getattr(adapter, "base_url", ""), step=_step(request))
    return TargetError(
        f"{where} raised {type(exc).__name__}: {exc}",
        target=getattr(adapter, "base_url", ""),
        step=_step(request),
    )


def _run_coroutine(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from sync code, also when this thread already runs an event loop."""

    async def runner() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(runner())
    result: list[T] = []
    error: list[BaseException] = []

    def work() -> None:
        try:
            result.append(asyncio.run(runner()))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=work, name="pytest-cors-async")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def _drive_sync(flow: FetchFlow, adapter: Any) -> Outcome:
    send = adapter.send
    if inspect.iscoroutinefunction(send):
        return _run_coroutine(lambda: _drive_async(flow, adapter))
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
        adapter = _resolve(target)
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
        """Simulate ``fetch(url, {method, headers, credentials, body})`` from a page at ``origin``."""
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
