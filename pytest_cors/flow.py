"""``simulate_fetch`` and ``Browser``: the engine driven against a real target.

The engine is a generator that yields requests; this module carries each one to the target
(sync or async) and hands the response back. All browser logic stays in the engine.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from pytest_cors.cookies import PROBE_COOKIES, CookieFlow, CookiesArg, jar_for
from pytest_cors.engine import (
    Outcome,
    PreflightCache,
    Profile,
    get_profile,
    prepare_request,
    run_fetch,
)
from pytest_cors.engine.added import is_potentially_trustworthy
from pytest_cors.engine.fetch import FetchFlow
from pytest_cors.engine.lna import LocalNetwork
from pytest_cors.engine.request import HeadersArg, RedirectMode, RequestMode
from pytest_cors.errors import (
    CorsError,
    CorsUsageError,
    TargetError,
    TargetProtocolError,
    hide_user_error,
)
from pytest_cors.http import Request, Response, head_size
from pytest_cors.options import FetchOptions, fetch_options
from pytest_cors.origin import origin_of_url
from pytest_cors.redaction import hide_userinfo
from pytest_cors.targets import adapt, run_sync
from pytest_cors.targets._wire import origin_of, refuse_unnamed

# the one definition of the head bound: the live client stops reading there too
from pytest_cors.targets.base import MAX_HEAD as MAX_HEADER_BLOCK

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback


def _step(request: Request) -> str:
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return "preflight"
    return "actual"


def _resolve(target: object, url: str) -> Any:
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
    except ValueError as exc:  # e.g. 'http://[::1/x': an IPv6 host without its ']'
        raise CorsUsageError(f"cannot fetch {url!r}: {exc}") from None
    if parts and parts.scheme:
        origin = f"{parts.scheme}://{parts.netloc}"
        library = type(target).__module__.partition(".")[0]
        if library == "requests" or (
            library in ("httpx", "httpx2") and not str(getattr(target, "base_url", ""))
        ):
            # a requests.Session (or an httpx client) without a base URL of its own: an
            # absolute URL names the server
            return adapt(target, base_url=origin)
        if isinstance(target, str):
            # an absolute URL names its server as plainly as the target string does
            return adapt(target, allow_origins=[origin])
    return adapt(target)


def _absolute(base_url: str, url: str) -> str:
    """``url`` made absolute against ``base_url`` (a path goes under the base's own path), as
    the page's ``fetch()`` resolves it; refused if not a string or if it carries credentials."""
    if not isinstance(url, str):
        raise CorsUsageError(
            f"url must be a path such as '/items' or an absolute URL string, "
            f"got {type(url).__name__}: {url!r}"
        )
    if urlsplit(url).scheme:
        return _without_credentials(url)
    if not url.startswith("/"):
        url = "/" + url
    base = urlsplit(base_url)
    # a base URL with a path (https://host/api) prefixes it: "/items" -> /api/items
    return _without_credentials(f"{base.scheme}://{base.netloc}{base.path.rstrip('/')}{url}")


def _without_credentials(url: str) -> str:
    """``url`` itself; a usage error if it carries ``user:password@`` (never echoed back).

    ``fetch()`` throws on such a URL, and a client would turn it into an ``Authorization``
    header the page never set.
    """
    parts = urlsplit(url)
    if "@" in parts.netloc:
        shown = hide_userinfo(parts.geturl())  # as urlsplit spells it, as this line always did
        raise CorsUsageError(
            f"fetch() refuses a URL that includes credentials ({shown}): a page "
            "cannot send user:password that way. Use the URL without them; the kit never sends "
            "credentials the page did not set."
        )
    return url


def _target_error(exc: BaseException, request: Request, adapter: Any) -> TargetError:
    where = f"{request.method} {request.url}"
    if isinstance(exc, TargetError):
        target = exc.target or repr(adapter)
        # the same class (connection, DNS, TLS, timeout, protocol), placed at this step
        return type(exc)(exc.detail, target=target, step=exc.step or _step(request))
    return TargetError(
        f"{where} raised {type(exc).__name__}: {exc}",
        target=repr(adapter),
        step=_step(request),
    )


def _may_send(request: Request, first: Request, adapter: Any) -> None:
    """A networked target only reaches the origins the user named: a redirect elsewhere is
    refused here, before anything is sent (see ``targets._wire.refuse_unnamed``)."""
    named = getattr(adapter, "named_origins", None)
    if named is not None:
        redirect = origin_of(request.url) != origin_of(first.url)
        refuse_unnamed(request, named, repr(adapter), redirect=redirect)


def _received(response: object, request: Request) -> Response:
    """Only a real, sane response reaches the engine: anything else is no verdict."""
    if not isinstance(response, Response):
        raise TargetError(
            f"{request.method} {request.url}: the target returned {type(response).__name__}, "
            "not a pytest_cors.http.Response"
        )
    status = response.status
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 999:
        raise TargetError(
            f"{request.method} {request.url}: the target answered status {status!r}, which is "
            "not an HTTP status (an integer from 100 to 999)"
        )
    if status < 200:
        # a 1xx is interim: the HTTP client reads past it to the final answer, unless it asked
        # to switch protocols, which fetch() never does; a 1xx as the final answer is no
        # response a page can see (Chromium fails the request)
        raise TargetProtocolError(
            f"{request.method} {request.url}: the target's final answer is {status} "
            f"{response.reason or ''}".rstrip()
            + ": a 1xx status is never a fetch() response (fetch() asks for no protocol "
            "switch); a browser fails the request with a network error"
        )
    size = head_size(response)
    if size > MAX_HEADER_BLOCK:
        raise TargetError(
            f"{request.method} {request.url}: the response header block is {size} bytes, over "
            f"the {MAX_HEADER_BLOCK} bytes (256 KiB) a browser reads (Chromium fails it with "
            "net::ERR_RESPONSE_HEADERS_TOO_BIG)"
        )
    return response


def _in_process(adapter: object) -> bool:
    """Whether ``adapter`` drives an app in this process rather than a server over the network
    (a networked target names the origins it may reach; a wrapper keeps its inner ``target``).
    A target may say so itself with an ``in_process`` attribute."""
    said = getattr(adapter, "in_process", None)
    if isinstance(said, bool):
        return said
    for _ in range(4):
        if getattr(adapter, "named_origins", None) is not None:
            return False
        adapter = getattr(adapter, "target", None)
        if adapter is None:
            return True
    return True


def _drive_sync(flow: FetchFlow, adapter: Any, cookies: CookieFlow | None = None) -> Outcome:
    """The driver for a sync caller: an async target's ``send`` runs on an event loop; a sync
    one's driver never suspends, so one step of its coroutine runs the whole fetch."""
    if inspect.iscoroutinefunction(adapter.send):
        return run_sync(_drive(flow, adapter, cookies))
    return _without_loop(_drive(flow, adapter, cookies, awaits=False))


def _without_loop(driver: Coroutine[Any, Any, Outcome]) -> Outcome:
    """The outcome of a driver that never awaits (a sync target's), with no event loop."""
    try:
        driver.send(None)
    except StopIteration as stop:
        outcome: Outcome = stop.value
        return outcome
    driver.close()
    raise AssertionError("a sync target's driver suspended")  # pragma: no cover


async def _drive(
    flow: FetchFlow, adapter: Any, cookies: CookieFlow | None = None, *, awaits: bool = True
) -> Outcome:
    """The one driver loop: each request the engine yields goes to the target (the engine has
    attached its cookies through ``CookieFlow.attach``) and the checked response goes back,
    until the engine returns the outcome. Sync and async differ only in ``awaits``: whether a
    ``send`` that returns an awaitable is awaited (async) or refused as no response (sync, as a
    sync target must answer at once)."""
    try:
        request = first = next(flow)
    except StopIteration as stop:  # refused before any request (e.g. a non-http(s) URL)
        done: Outcome = stop.value
        return done
    while True:
        try:
            _may_send(request, first, adapter)
            result = adapter.send(request)
            if awaits and inspect.isawaitable(result):
                result = await result
            response = _received(result, request)
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
            return cookies.finish(outcome) if cookies is not None else outcome


class Browser:
    """A browser session: keeps the preflight cache across ``fetch`` calls, as the browser does.

    ``clock`` returns seconds; pass a fake one to test Max-Age windows without sleeping.

    Each ``fetch`` is made by a signed-in browser unless ``cookies=`` says otherwise: the
    browser holds :data:`~pytest_cors.cookies.PROBE_COOKIES` (a session cookie for the target)
    and attaches it where the credentials mode, ``SameSite`` and this browser's third-party
    cookie policy let it go (see the API page, "Cookies"). ``cookies=None`` is a signed-out
    browser.

    An ``https`` page's request to a live ``http`` URL that is not loopback is mixed content:
    blocked before CORS (``MixedContent``; images and media are upgraded to ``https``), as the
    browser does. An in-process app has no real scheme, and a loopback server stands in for
    the deployment, so neither is checked. ``mixed_content=False`` never checks it: for
    questions about the server's CORS policy alone (an attacker's page can be ``http``).
    """

    def __init__(
        self,
        browser: str | Profile = "chromium",
        *,
        clock: Callable[[], float] = time.monotonic,
        mixed_content: bool = True,
    ) -> None:
        self.profile = get_profile(browser)
        self.cache = PreflightCache(self.profile)
        self._clock = clock
        self.mixed_content = mixed_content

    def checks_mixed_content(self, adapter: object, url: str) -> bool:
        """Whether a request to ``url`` through ``adapter`` is checked for mixed content: a
        live target's URL that is not potentially trustworthy (see the class docstring)."""
        if not self.mixed_content or _in_process(adapter):
            return False
        return not is_potentially_trustworthy(origin_of_url(url))

    def __repr__(self) -> str:
        return f"Browser({self.profile.name!r})"

    def _flow(
        self, target: object, url: str, options: FetchOptions
    ) -> tuple[FetchFlow, Any, CookieFlow | None]:
        adapter = _resolve(target, url)
        cookies = options.get("cookies", PROBE_COOKIES)
        absolute = _absolute(adapter.base_url, url)
        request = prepare_request(
            absolute,
            origin=options["origin"],
            method=options.get("method", "GET"),
            headers=options.get("headers"),
            credentials=options.get("credentials", "omit"),
            body=options.get("body"),
            profile=self.profile,
            page_csp=options.get("page_csp"),
            mode=options.get("mode", "cors"),
            redirect=options.get("redirect", "follow"),
            local_network=options.get("local_network"),
            mixed_content=self.checks_mixed_content(adapter, absolute),
        )
        if request.credentials == "omit" and cookies is PROBE_COOKIES:
            # no cookie ever goes (the common case): nothing to decide
            return run_fetch(request, self.profile, self.cache, self._clock()), adapter, None
        in_process = _in_process(adapter)
        jar = jar_for(cookies, request.url, in_process=in_process)  # checked even if unused
        if not jar or request.credentials == "omit":
            return run_fetch(request, self.profile, self.cache, self._clock()), adapter, None
        attach = CookieFlow(
            jar,
            page=request.origin,
            credentials=request.credentials,
            profile=self.profile.name,
            in_process=in_process,
        )
        flow = run_fetch(request, self.profile, self.cache, self._clock(), attach.attach)
        return flow, adapter, attach

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
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        mode: RequestMode = "cors",
        redirect: RedirectMode = "follow",
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """Simulate ``fetch(url, {method, headers, credentials, body, mode, redirect})`` from
        ``origin``, in a browser holding ``cookies`` (``None``: signed out), on a page served
        with the ``Content-Security-Policy`` ``page_csp`` (``None``: none)."""
        options = fetch_options(locals())
        return _drive_sync(*self._flow(target, url, options))

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
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        mode: RequestMode = "cors",
        redirect: RedirectMode = "follow",
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``fetch`` for async tests: awaits async targets on the running loop."""
        options = fetch_options(locals())
        return await _drive(*self._flow(target, url, options))

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
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    mode: RequestMode = "cors",
    redirect: RedirectMode = "follow",
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """What a browser at ``origin`` would do with ``fetch(url, ...)`` against ``target``.

    Uses a fresh browser session (empty preflight cache); see :class:`Browser` to keep one.
    The browser holds ``cookies`` for the target: by default a probe session cookie (a
    signed-in user), sent where the credentials mode and the browser's cookie rules let it go;
    ``{"name": "value"}``, a list of :class:`~pytest_cors.Cookie`, a client's cookie jar, or
    ``None`` for a signed-out browser. ``page_csp`` is the page's own
    ``Content-Security-Policy``: a request its ``connect-src`` (or ``default-src``) does not
    allow is refused before it is sent (failure ``CSPViolation``).

    ``mode`` and ``redirect`` are ``fetch()``'s: ``mode="no-cors"`` sends only a GET, HEAD or
    POST with safelisted headers and gives the page an opaque response (``response_type``
    ``"opaque"``: status 0, no header, no body), ``mode="same-origin"`` fails for a URL of
    another origin; ``redirect="manual"`` gives an ``"opaqueredirect"`` response instead of
    following, ``redirect="error"`` fails on any redirect.

    ``local_network`` turns on Local Network Access, Chromium's and Firefox's (a
    :class:`~pytest_cors.LocalNetwork` with the page's permissions and, where the URL's host
    does not say, the address spaces): a public page's request to a local or loopback address
    is refused before it is sent (``LocalNetworkAccessDenied``) unless the permission is
    granted. ``None`` (the default) leaves it off: a test's loopback server usually stands for
    a public one.
    """
    return Browser(browser).fetch(target, url, **fetch_options(locals()))


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
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    mode: RequestMode = "cors",
    redirect: RedirectMode = "follow",
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """``simulate_fetch`` for async tests (pytest-asyncio or anyio)."""
    return await Browser(browser).afetch(target, url, **fetch_options(locals()))
