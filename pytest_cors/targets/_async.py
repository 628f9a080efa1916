"""Driving async targets from sync code, and sync targets from async code.

``run_sync`` runs every coroutine on one private event loop that lives in a daemon worker thread
for the life of the process. One loop, always the same, whether or not the calling thread
already runs a loop: an ``httpx.AsyncClient`` keeps pooled connections bound to the loop that
opened them, so a fresh loop per call (``asyncio.run``) would break its second request, and the
caller's own running loop cannot be re-entered. The price: the coroutine runs in another thread,
without the caller's context variables.

Some async clients are bound to a loop of their own (aiohttp's ``TestClient`` serves its app on
the loop that started it): :func:`on_loop` makes sure that *home* loop runs while they wait.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from pytest_cors._compat import loop_thread_id
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.http import Request, Response

if TYPE_CHECKING:  # asyncio is imported on first use: `import pytest_cors.targets` stays cheap
    import asyncio

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

T = TypeVar("T")


class _LoopThread:
    """A lazily started event loop running forever in a daemon thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def loop(self) -> asyncio.AbstractEventLoop:
        import asyncio  # lazy: `import pytest_cors.targets` loads no asyncio (start-up cost)

        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=run, name="pytest-cors-async", daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
                atexit.register(self.stop)
            return self._loop

    def stop(self) -> None:
        """Stop and close the loop (at interpreter exit), so no unclosed-loop warning fires."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


_LOOP = _LoopThread()
_WAITING: set[int] = set()  # ids of the threads blocked in run_sync right now


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on the private loop and return its result (or raise)."""
    if threading.current_thread() is _LOOP.thread:
        coro.close()
        raise CorsUsageError(
            "a sync pytest-cors call was made from inside an async target; use the async API"
        )
    import asyncio  # lazy: `import pytest_cors.targets` loads no asyncio (start-up cost)

    me = threading.get_ident()
    _WAITING.add(me)
    try:
        return asyncio.run_coroutine_threadsafe(coro, _LOOP.loop()).result()
    finally:
        _WAITING.discard(me)


async def on_loop(coro: Coroutine[Any, Any, T], home: asyncio.AbstractEventLoop | None) -> T:
    """Await ``coro`` on ``home``, the loop a client is bound to, from whatever loop runs now.

    * ``home`` is this loop (an async test), runs in another thread, is unknown or closed:
      awaited here.
    * ``home`` is idle (a sync test whose async fixture started the client, then returned):
      run to completion in a worker thread, as the test's thread is waiting for the answer.
    * ``home`` runs in a thread that is itself waiting in :func:`run_sync` (a sync call inside
      an async test): it can never answer, so this is a usage error, not a time-out.
    """
    import asyncio  # lazy: `import pytest_cors.targets` loads no asyncio (start-up cost)

    if home is None or home is asyncio.get_running_loop() or home.is_closed():
        return await coro
    if not home.is_running():
        return await asyncio.to_thread(home.run_until_complete, coro)
    if loop_thread_id(home) in _WAITING:
        coro.close()
        raise CorsUsageError(
            "this async client is served by the event loop of the test that is waiting "
            "for it: in an async test, use `await async_simulate_fetch(...)`"
        )
    return await coro


class _View:
    """Another face of a target: same base URL, ``send`` adapted."""

    def __init__(self, target: Any) -> None:
        self.target = target

    @property
    def base_url(self) -> str:
        return str(self.target.base_url)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.target!r})"


class SyncTarget(_View):
    """A sync view of an async target: each ``send`` runs on the private loop."""

    def send(self, request: Request) -> Response:
        result: Response = run_sync(self.target.send(request))
        return result


class AsyncView(_View):
    """An async view of a sync target (for ``async_simulate_fetch``): ``send`` runs inline.

    Inline, not in a worker thread: in-process apps (Django's database connection, Flask's
    contexts) expect the test's own thread. A live URL blocks the loop for one request.
    """

    async def send(self, request: Request) -> Response:
        result: Response = self.target.send(request)
        return result
