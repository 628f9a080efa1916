"""Running a contract's checks against its target.

* The target is the command line's (``--cors-app`` / ``--cors-base-url``) or the contract's
  ``target``; an app is imported as ``module:attr`` with the contract's directory and the
  current directory on ``sys.path``.
* In-process apps run each check when its pytest item runs: sequential, no threads.
* Live URLs run concurrently: :meth:`ContractRun.prefetch` hands every selected check, in the
  items' order, to ``--cors-concurrency`` worker threads (see :data:`DEFAULT_CONCURRENCY`)
  sharing **one** :class:`~pytest_cors.targets.live.LiveTarget`, so one pool of kept-alive
  connections sized to the concurrency; each item then waits for its own result.
* A successful preflight that a browser would cache (``Max-Age`` not 0 or negative) is sent
  once per contract run: an identical preflight (same URL and header lines) reuses its answer.
* Credentialed checks are made by a signed-in browser: it holds a session cookie for the
  target's host (:data:`~pytest_cors.cookies.PROBE_COOKIES`) and sends it where that browser
  would (:mod:`pytest_cors.cookies`: SameSite, and the profile's third-party cookie policy);
  it is never sent to any other host.

No verdict without a response: any failure to get one raises :class:`TargetError`, which makes
the pytest item an error, never a pass. One exception: an ``error_paths`` check against an
in-process app that raises judges the bare 500 a real server answers then (see
:func:`bare_500`), as the browser would see it.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from pytest_cors.contract.checks import Evidence, Finding, PlannedCheck, build_checks, evaluate
from pytest_cors.contract.faults import framework_of, injected, raising_view
from pytest_cors.cookies import PROBE_COOKIES, CookieFlow, jar_for
from pytest_cors.defaults import DEFAULT_CONCURRENCY as DEFAULT_CONCURRENCY
from pytest_cors.errors import (
    CorsError,
    CorsUsageError,
    TargetConnectionError,
    TargetDNSError,
    TargetError,
    hide_user_error,
)
from pytest_cors.flow import Browser
from pytest_cors.http import Exchange, Headers, Request, Response
from pytest_cors.initiators import (
    simulate_beacon,
    simulate_eventsource,
    simulate_load,
    simulate_xhr,
)
from pytest_cors.origin import origin_of_url, parse_origin
from pytest_cors.targets import DEFAULT_TIMEOUT, adapt, as_sync
from pytest_cors.targets.live import LiveTarget

if TYPE_CHECKING:
    from pytest_cors.contract.model import Contract
    from pytest_cors.engine import Outcome

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback


PROBE_COOKIE = "; ".join(f"{name}={value}" for name, value in PROBE_COOKIES.items())
"""The cookie credentialed checks send to the target (where the browser would send it): a
stand-in for a signed-in user's. The jar itself is :data:`~pytest_cors.cookies.PROBE_COOKIES`."""

_LISTS = ("method", "header")  # checks about the preflight's lists: the actual adds nothing
# the failures that say the target is down (nothing answers at that address): a live run stops
# sending once one is seen, rather than wait out every remaining check against it
_NO_CONNECTION = (TargetConnectionError, TargetDNSError)


def _unreachable(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it was raised from, is one of :data:`_NO_CONNECTION`.

    Decided by class, never by message: a message quotes the URL, whose path may hold any word.
    The flow and the runner re-raise a target's error with their step, ``from`` the original.
    """
    for _ in range(8):
        if isinstance(exc, _NO_CONNECTION):
            return True
        if exc.__cause__ is None:
            return False
        exc = exc.__cause__
    return False


def bare_500() -> Response:
    """What a server answers when the app it runs raises instead of answering: uvicorn and
    gunicorn send a plain ``500 Internal Server Error``, with none of the app's own headers (its
    CORS headers included: they were never sent). Judged for an ``error_paths`` check when an
    in-process app raises, where a test client hands over the exception instead."""
    body = b"Internal Server Error"
    headers = Headers([("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return Response(500, headers, body, "Internal Server Error")


def _in_process(target: object) -> bool:
    """Whether ``target`` drives an app in this process: not a live URL, nor a client that goes
    over the network (both have ``named_origins``, the origins they may reach), also behind a
    view (``SyncTarget``) that keeps it as ``target``."""
    for _ in range(4):
        if getattr(target, "named_origins", None) is not None:
            return False
        target = getattr(target, "target", None)
        if target is None:
            return True
    return True


def app_exception(exc: BaseException) -> Exception | None:
    """The in-process app's own exception that ``exc`` reports, or ``None``.

    An in-process target turns an exception out of the app into a plain :class:`TargetError`
    raised ``from`` it. Decided by class and by where it was raised, never by message: a
    subclass (connection, timeout, protocol) is not the app's; nor is an exception the kit
    raised itself (an ASGI app that returned without answering, a WSGI status that is not a
    string), whose innermost frame is in ``pytest_cors``.
    """
    for _ in range(8):
        if type(exc) is not TargetError or exc.__cause__ is None:
            break
        exc = exc.__cause__
    if not isinstance(exc, Exception) or isinstance(exc, CorsError):
        return None
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    if module == "pytest_cors" or module.startswith("pytest_cors."):
        return None
    return exc


class NotApplicable(Exception):
    """The check does not apply to this target; the message says why (never a pass)."""


class SameOriginProbe(NotApplicable):
    """The check's origin is the target's own origin: a browser would not use CORS at all."""


class TargetSpec:
    """Where a contract runs: an importable app, a live base URL, or both (app behind a URL)."""

    def __init__(self, app: str | None, base_url: str | None, contract_file: str) -> None:
        self.app = app
        self.base_url = base_url.rstrip("/") if base_url else None
        self.contract_file = contract_file

    @classmethod
    def resolve(
        cls, contract: Contract, *, app: str | None = None, base_url: str | None = None
    ) -> TargetSpec:
        """The command line's target if it names one, else the contract's."""
        if app or base_url:
            return cls(app, base_url, contract.file)
        target = contract.target
        return cls(
            target.app if target else None, target.base_url if target else None, contract.file
        )

    @property
    def live(self) -> bool:
        return self.app is None and self.base_url is not None

    def describe(self) -> str:
        if self.app and self.base_url:
            return f"app {self.app} at {self.base_url}"
        if self.app:
            return f"app {self.app}"
        return self.base_url or "no target"


def import_app(spec: str, contract_file: str) -> object:
    """Import ``module:attr``, looking in the contract's directory and the current directory.

    ``module:create_app()`` calls the factory; ``module:create_app`` names an app, or a factory
    when it is a plain function that needs no argument (an app takes two or three).
    """
    module_name, _, attr = spec.partition(":")
    call = attr.endswith("()")
    attr = attr.removesuffix("()")
    if not module_name or not attr:
        raise CorsUsageError(
            f"target app {spec!r} must be written module:attr (an app) or module:factory(), "
            "e.g. myapp:app or myapp:create_app()"
        )
    for folder in (str(Path(contract_file).resolve().parent), os.getcwd()):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        folders = dict.fromkeys([str(Path(contract_file).resolve().parent), os.getcwd()])
        raise CorsUsageError(
            f"cannot import target app {spec!r}: {type(exc).__name__}: {exc} (looked in "
            f"{' and '.join(folders)} besides sys.path)"
        ) from exc
    obj: object = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise CorsUsageError(
                f"cannot use target app {spec!r}: module {module_name!r} has no {attr!r}"
            ) from None
    if call or _is_factory(obj):
        if not callable(obj):
            raise CorsUsageError(f"cannot call target app factory {spec!r}: it is not callable")
        try:
            obj = obj()
        except Exception as exc:
            raise CorsUsageError(
                f"the target app factory {spec!r} raised {type(exc).__name__}: {exc}"
            ) from exc
    return obj


def _is_factory(obj: object) -> bool:
    """A plain (not async) function every parameter of which has a default: it makes an app."""
    if not inspect.isfunction(obj) or inspect.iscoroutinefunction(obj):
        return False
    params = inspect.signature(obj).parameters.values()
    return all(p.default is not p.empty or p.kind == p.VAR_KEYWORD for p in params)


def _cacheable(response: Response) -> bool:
    """Whether a browser would keep this preflight answer (2xx, Max-Age absent or positive)."""
    if not 200 <= response.status <= 299:
        return False
    raw = response.headers.get("Access-Control-Max-Age")
    return raw is None or (raw.isdigit() and int(raw) > 0)


class _Memo:
    """The shared target plus the preflight answers a browser would cache, safe across threads.

    A preflight in flight is a ``Future`` the same preflight from another thread waits on; once
    answered, the answer itself is kept (or dropped if a browser would not cache it), so that
    no ``Future`` outlives its request.
    """

    def __init__(self, target: Any) -> None:
        self.target = target
        self.base_url: str = target.base_url
        self.in_process = _in_process(target)
        self._lock = threading.Lock()
        self._answers: dict[tuple[Any, ...], Response | Future[Response]] = {}
        self.sent = 0
        self.reused = 0
        self._framework: str | None = None
        self.controls: dict[tuple[Any, ...], bool] = {}
        """Whether the unrelated origin of a reflect control was granted, per request shape."""

    @property
    def framework(self) -> str:
        """The framework serving an in-process app, ``""`` for a live server or none known."""
        if self._framework is None:
            self._framework = framework_of(self.target) if self.in_process else ""
        return self._framework

    def send(self, request: Request) -> Response:
        with self._lock:
            self.sent += 1
        response: Response = self.target.send(request)
        return response

    def preflight(self, request: Request) -> Response:
        key = (request.url, request.headers.items())
        with self._lock:
            known = self._answers.get(key)
            if known is None:
                pending: Future[Response] = Future()
                self._answers[key] = pending
            elif isinstance(known, Response):
                self.reused += 1
                return known
        if known is not None:
            response = known.result()
            with self._lock:
                self.reused += 1
            return response
        try:
            response = self.send(request)
        except BaseException as exc:
            with self._lock:
                del self._answers[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            if _cacheable(response):
                self._answers[key] = response
            else:
                del self._answers[key]
        pending.set_result(response)
        return response


class _CheckTarget:
    """The target as one check sees it: cached preflights (the simulated browser adds the
    probe cookie where it would send it).

    With ``error_path``, an in-process app that raises answers :func:`bare_500`, and what it
    raised is kept in ``app_errors``.
    """

    def __init__(self, memo: _Memo, *, error_path: bool = False) -> None:
        self.memo = memo
        self.base_url = memo.base_url
        self.in_process = memo.in_process  # read by the flow: an app's URL stands for https
        self.error_path = error_path and memo.in_process
        self.app_errors: list[str] = []

    def send(self, request: Request) -> Response:
        if not self.error_path:
            return self._send(request)
        try:
            return self._send(request)
        except TargetError as exc:
            raised = app_exception(exc)
            if raised is None and injected(exc):
                raised = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
            if raised is None:
                raise
            self.app_errors.append(
                f"{request.method} {request.url} raised {type(raised).__name__}: {raised}"
            )
            return bare_500()

    def _send(self, request: Request) -> Response:
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            return self.memo.preflight(request)
        return self.memo.send(request)


def execute(check: PlannedCheck, memo: _Memo) -> Evidence:
    """Run one check against the target: the browser's flow, plus the raw requests the check
    needs beyond it (the private-network preflight; the actual request the browser never sent
    after a refused preflight, to compare the two answers)."""

    url = urljoin(memo.base_url + "/", check.path.lstrip("/"))
    if check.origin != "null" and parse_origin(check.origin).same_origin(origin_of_url(url)):
        raise SameOriginProbe(
            f"{check.origin} is the target's own origin: a browser sends no CORS request"
        )
    target = _CheckTarget(memo, error_path=check.kind in ("error-path", "fault"))
    if check.kind == "fault":
        return _fault(check, memo, target)
    outcome = _fetch(check, target) if check.initiator is None else _initiate(check, target)
    evidence = Evidence(outcome)
    if check.control and _granted(outcome.exchanges, check.origin):
        evidence.reflected = _control(check, memo, target)
    failure = outcome.failure
    by_fetch = check.initiator is None  # another initiator's request differs from fetch()'s
    if (
        by_fetch
        and failure is not None
        and failure.step == "preflight"
        and check.kind not in _LISTS
    ):
        pairs = [("Accept", "*/*"), *outcome.request.headers, ("Origin", check.origin)]
        actual = Request(check.method, outcome.request.url, Headers(pairs))
        if check.credentials:  # with the cookie the browser would have sent with it
            cookies = CookieFlow(
                jar_for(PROBE_COOKIES, actual.url, in_process=memo.in_process),
                page=outcome.request.origin,
                credentials="include",
                profile=check.browser,
                in_process=memo.in_process,
            )
            actual = cookies.attach(actual)
        evidence.extra.append(Exchange(actual, _send_raw(target, actual, "actual")))
    evidence.app_errors = target.app_errors
    return evidence


def _fetch(check: PlannedCheck, target: _CheckTarget, origin: str | None = None) -> Outcome:
    # Mixed content decides whether the page works (an allowed check), never whether the
    # server refuses an origin: an attacker's page can be http:// (the denied checks, controls)
    works = check.kind in ("allowed", "error-path") and origin is None
    return Browser(check.browser, mixed_content=works).fetch(
        target,
        check.path,
        origin=origin or check.origin,
        method=check.method,
        headers=list(check.headers),
        credentials="include" if check.credentials else "omit",
        cookies=PROBE_COOKIES,
    )


def _initiate(check: PlannedCheck, target: _CheckTarget) -> Outcome:
    """An allowed check by one of the policy's ``initiators`` other than ``fetch()``: the
    element's load, the ``XMLHttpRequest``, the ``EventSource`` or the beacon, as the checked
    browser makes it (with the probe session cookie, where it goes)."""
    initiator = check.initiator
    assert initiator is not None
    if initiator.element:
        return simulate_load(
            target,
            check.path,
            origin=check.origin,
            element=initiator.name,
            crossorigin=initiator.crossorigin,
            browser=check.browser,
            cookies=PROBE_COOKIES,
        )
    if initiator.name == "xhr":
        return simulate_xhr(
            target,
            check.path,
            origin=check.origin,
            method=check.method,
            headers=list(check.headers),
            with_credentials=check.credentials,
            browser=check.browser,
            cookies=PROBE_COOKIES,
        )
    if initiator.name == "eventsource":
        return simulate_eventsource(
            target,
            check.path,
            origin=check.origin,
            with_credentials=check.credentials,
            browser=check.browser,
            cookies=PROBE_COOKIES,
        )
    content_type = next((v for n, v in check.headers if n.lower() == "content-type"), None)
    return simulate_beacon(
        target,
        check.path,
        origin=check.origin,
        body="pytest-cors beacon",
        content_type=content_type,
        browser=check.browser,
        cookies=PROBE_COOKIES,
    )


def _granted(exchanges: Iterable[Exchange], origin: str) -> bool:
    return any(e.response.headers.get("Access-Control-Allow-Origin") == origin for e in exchanges)


def _control(check: PlannedCheck, memo: _Memo, target: _CheckTarget) -> bool:
    """Whether the check's unrelated ``control`` origin is granted the same request: then the
    server reflects any origin, and a look-alike that got in is that one cause. Asked once per
    request shape and run (only after a look-alike got in)."""
    key = (check.path, check.method, check.headers, check.credentials, check.browser, check.control)
    known = memo.controls.get(key)
    if known is None:
        known = _granted(_fetch(check, target, check.control).exchanges, check.control)
        memo.controls[key] = known
    return known


def _fault(check: PlannedCheck, memo: _Memo, target: _CheckTarget) -> Evidence:
    """A ``faults`` check: the error provoked (for ``exception``, a view made to raise while the
    request runs), the browser's flow, and the framework that answered."""
    if check.fault == "exception":
        if not memo.in_process:
            raise NotApplicable(
                "fault exception: not applicable to a live server (no view of it can be made "
                "to raise); it applies to an in-process app"
            )
        injection = raising_view(memo.target, check.path, check.method)
        if isinstance(injection, str):
            raise NotApplicable(f"fault exception: not applicable: {injection}")
        with injection():
            outcome = _fetch(check, target)
    else:
        outcome = _fetch(check, target)
        answered = outcome.actual or outcome.preflight
        status = answered.response.status if answered is not None else None
        if status is not None and status < 400:
            raise NotApplicable(
                f"fault {check.fault}: not applicable: {check.method} {check.path} answered "
                f"{status}, not an error (a route serves it), so there is no error to judge"
            )
    return Evidence(outcome, app_errors=target.app_errors, framework=memo.framework)


def _send_raw(target: _CheckTarget, request: Request, step: str) -> Response:
    try:
        return target.send(request)
    except TargetError as exc:
        raise type(exc)(str(exc), target=target.base_url, step=step) from exc
    except Exception as exc:
        raise TargetError(
            f"{request.method} {request.url} raised {type(exc).__name__}: {exc}",
            target=target.base_url,
            step=step,
        ) from exc


class _Ahead:
    """Live checks run ahead of their pytest items by ``workers`` threads, in the items' order.

    Lighter than a ``ThreadPoolExecutor``: no ``Future`` (a condition, a lock, a deque and
    bound methods each, thousands of objects the session's closing ``gc.collect`` walks) and one
    lock taken once per check, to hand in a result and take the next check together.
    """

    def __init__(self, run: Callable[[PlannedCheck], Evidence], workers: int) -> None:
        self._run = run
        self._workers = workers
        self._cond = threading.Condition(threading.Lock())
        self._todo: deque[PlannedCheck] = deque()
        self._queued: set[str] = set()  # names added, result not yet taken
        self._done: dict[str, Evidence | BaseException] = {}  # a check's evidence or error
        self._wanted: set[str] = set()  # names a caller waits for
        self._threads: list[threading.Thread] = []
        self._idle = 0  # threads that found no work and ended
        self._stopped = False

    def add(self, checks: Iterable[PlannedCheck]) -> None:
        with self._cond:
            for check in checks:
                if check.name not in self._queued:
                    self._queued.add(check.name)
                    self._todo.append(check)
            running = len(self._threads) - self._idle
            start = min(self._workers - running, len(self._todo))
        for _ in range(max(start, 0)):
            thread = threading.Thread(target=self._work, name="pytest-cors", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _work(self) -> None:
        name: str | None = None
        result: Evidence | BaseException | None = None
        while True:
            with self._cond:
                if name is not None and result is not None:
                    self._done[name] = result
                    if name in self._wanted:
                        self._cond.notify_all()
                if self._stopped or not self._todo:
                    self._idle += 1
                    return
                check = self._todo.popleft()
            name = check.name
            try:
                result = self._run(check)
            except BaseException as exc:  # handed to the item, which reports it
                result = exc

    def take(self, name: str) -> Evidence | BaseException | None:
        """The result for ``name`` once ready (waiting for it), or None if it was never added."""
        with self._cond:
            if name not in self._queued:
                return None
            if name not in self._done:
                self._wanted.add(name)
                while name not in self._done:
                    self._cond.wait()
                self._wanted.discard(name)
            self._queued.discard(name)
            return self._done.pop(name)

    def stop(self) -> None:
        """Start no further check; wait for those under way."""
        with self._cond:
            self._stopped = True
            self._todo.clear()
        for thread in self._threads:
            thread.join()


class ContractRun:
    """One contract's checks against one target, for one pytest session."""

    def __init__(
        self,
        contract: Contract,
        spec: TargetSpec,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float | None = None,
        target: object = None,
        fixture: bool = False,
    ) -> None:
        if concurrency < 1:
            raise CorsUsageError(f"--cors-concurrency must be at least 1, got {concurrency}")
        self.contract = contract
        self.spec = spec
        self.concurrency = concurrency
        self.timeout = timeout
        self._given = target
        self.live = spec.live if target is None else isinstance(target, str)
        self.fixture = fixture
        """Whether each check gets its target from the ``cors_target`` fixture: given to
        :meth:`result`, checks run one at a time, in the pytest item."""

        self._lock = threading.Lock()
        self._memo: _Memo | None = None
        self._target_error: BaseException | None = None
        self._closers: list[Callable[[], None]] = []
        self._ahead: _Ahead | None = None
        self._down: TargetError | None = None

    # -- the target ----------------------------------------------------------------------

    def memo(self) -> _Memo:
        """The shared target, built on first use (importing the app or opening the pool)."""
        memo = self._memo
        if memo is not None:  # every check asks: no lock once it exists
            return memo
        with self._lock:
            if self._target_error is not None:
                raise self._target_error
            if self._memo is None:
                try:
                    self._memo = _Memo(self._build())
                except BaseException as exc:
                    self._target_error = exc
                    raise
            return self._memo

    def _build(self) -> Any:
        spec = self.spec
        timeout = self.timeout if self.timeout is not None else DEFAULT_TIMEOUT
        if self._given is not None:
            built = adapt(self._given, spec.base_url, timeout=timeout)
            if isinstance(self._given, str):  # a pool of the kit's own: closed with the run
                close = getattr(built, "close", None)
                if close is not None:
                    self._closers.append(close)
            return as_sync(built)
        if spec.app is None and spec.base_url is None:
            raise CorsUsageError(
                f"{self.contract.file}: no target to check. Add 'target: {{app: module:attr}}' "
                "or 'target: {base_url: https://...}' to the contract, or pass --cors-app or "
                "--cors-base-url."
            )
        if spec.app is not None:
            return as_sync(adapt(import_app(spec.app, spec.contract_file), spec.base_url))
        assert spec.base_url is not None
        live = LiveTarget(spec.base_url, timeout=timeout, pool_size=self.concurrency)
        self._closers.append(live.close)
        return live

    def describe(self) -> str:
        """The target in words, for reports: the contract's, or the fixture's value."""
        if not self.fixture:
            return self.spec.describe()
        given = self._given
        shown = given if isinstance(given, str) else type(given).__name__
        return "the cors_target fixture" + ("" if given is None else f" ({shown})")

    # -- running ---------------------------------------------------------------------------

    def run(self, check: PlannedCheck) -> Evidence:
        """Run ``check`` now, in this thread."""
        memo = self.memo()
        if self._down is not None:
            raise TargetError(
                f"not attempted: an earlier request could not reach the target ({self._down})",
                target=self.describe(),
            )
        try:
            return execute(check, memo)
        except TargetError as exc:
            if _unreachable(exc):
                self._down = exc
            raise

    def prefetch(self, checks: Iterable[PlannedCheck]) -> None:
        """Start every check of a live run on the worker threads (a no-op for in-process apps)."""
        if not self.live:
            return
        with self._lock:
            if self._ahead is None:
                self._ahead = _Ahead(self.run, self.concurrency)
        self._ahead.add(checks)

    def use(self, target: object) -> None:
        """Check against ``target`` from now on (a ``cors_target`` fixture's value): the same
        object, or an equal URL, keeps the pooled connections and cached preflights."""
        given = self._given
        if target is given or (isinstance(target, str) and target == given):
            return
        with self._lock:
            self._given = target
            self._memo = None
            self._target_error = None
            self._down = None
            for close in self._closers:
                close()
            self._closers.clear()

    def result(self, check: PlannedCheck, target: object = None) -> Evidence:
        """The evidence for ``check``: its prefetched result, or a run now (against ``target``,
        a ``cors_target`` fixture's value, when the contract has no target of its own)."""
        if target is not None:
            self.use(target)
            return self.run(check)
        ahead = self._ahead
        if ahead is not None:
            found = ahead.take(check.name)
            if isinstance(found, BaseException):
                raise found
            if found is not None:
                return found
        return self.run(check)

    @property
    def stats(self) -> dict[str, int]:
        memo = self._memo
        return {"sent": memo.sent, "reused": memo.reused} if memo else {"sent": 0, "reused": 0}

    def close(self) -> None:
        """Stop the pool and close every pooled connection."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.stop()
        for close in self._closers:
            close()
        self._closers.clear()


def check_contract(
    contract: Contract,
    target: object = None,
    *,
    seed: int | str | None = None,
    browser: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[tuple[PlannedCheck, list[Finding]]]:
    """Run every check of ``contract`` without pytest: against ``target`` (anything
    :func:`~pytest_cors.targets.adapt` accepts) or else the contract's own target.

    Returns each check with its findings; :func:`~pytest_cors.contract.checks.failing` tells
    which break the contract. A :class:`TargetError` propagates: there is no verdict without a
    response.
    """
    run = ContractRun(
        contract, TargetSpec.resolve(contract), concurrency=concurrency, target=target
    )
    checks = build_checks(contract, seed=seed, browser=browser, live=run.live)
    try:
        run.prefetch(checks)
        results = []
        for check in checks:
            try:
                evidence = run.result(check)
            except NotApplicable:
                continue
            results.append((check, evaluate(check, evidence)))
        return results
    finally:
        run.close()
