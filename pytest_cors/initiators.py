"""The other ways a page reaches across origins: elements, XHR, EventSource and beacons.

Each ``simulate_*`` here is ``simulate_fetch`` with the mode, credentials mode, destination
and headers its initiator uses (the mapping is :mod:`pytest_cors.engine.initiators`), run
against any target by the same driver, and the outcome then says what the page makes of the
answer: ``used`` (an image shown, a script run, a font applied, a beacon delivered) and
``readable`` (a canvas not tainted, a script's errors not muted, an XHR's body). The
``assert_*_allows`` / ``assert_*_denies`` helpers judge those two, since an element can "work"
without CORS: ``<img>`` without ``crossorigin`` shows any image and no CORS header matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pytest_cors.asserts import _judge_allowed, _shown
from pytest_cors.cookies import PROBE_COOKIES, CookieFlow, CookiesArg, jar_for
from pytest_cors.engine import Outcome, Profile, prepare_request, run_fetch
from pytest_cors.engine.initiators import (
    InitiatorRequest,
    beacon_request,
    element_request,
    eventsource_request,
    judge,
    mutes_opaque_script_errors,
    xhr_request,
)
from pytest_cors.engine.outcome import Note
from pytest_cors.engine.request import HeadersArg, is_safelisted_header
from pytest_cors.errors import CorsAssertionError, CorsUsageError, hide_user_error
from pytest_cors.flow import Browser, _absolute, _drive_sync, _in_process, _resolve
from pytest_cors.origin import origin_of_url
from pytest_cors.site import same_site

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_XHR_CREDENTIALS = (
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the "
    "withCredentials attribute."
)

BrowserArg = str | Profile | Browser
"""A browser name or profile (a fresh session), or a :class:`Browser` whose preflight cache
the call shares."""


class _Session(Browser):
    """A :class:`Browser` as this module drives it (the kit's own class: its clock is ours to
    read; a public ``Browser`` clock in :mod:`pytest_cors.flow` would make this go away)."""

    def now(self: Browser) -> float:
        """The session's clock: a fake one in a test of Max-Age windows."""
        return self._clock()


def _session(browser: BrowserArg) -> Browser:
    return browser if isinstance(browser, Browser) else Browser(browser)


def _script_headers(headers: HeadersArg) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return list(headers.items())
    try:
        return [(k, v) for k, v in headers]
    except (TypeError, ValueError):
        raise CorsUsageError("headers must be a mapping or a list of (name, value) pairs") from None


def _run(
    session: Browser,
    target: object,
    url: str,
    origin: str,
    initiator: InitiatorRequest,
    *,
    headers: HeadersArg = None,
    body: str | bytes | None = None,
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
) -> Outcome:
    """One initiator's fetch through ``session`` against ``target``: ``Browser.fetch`` with the
    destination and the use-CORS-preflight flag that ``fetch()`` itself cannot ask for."""
    profile = session.profile
    adapter = _resolve(target, url)
    request = prepare_request(
        _absolute(adapter.base_url, url),
        origin=origin,
        method=initiator.method,
        headers=[*initiator.headers, *_script_headers(headers)],
        credentials=initiator.credentials,
        body=body,
        profile=profile,
        page_csp=page_csp,
        mode=initiator.mode,
    )
    request = replace(
        request,
        destination=initiator.destination,
        use_cors_preflight=initiator.use_cors_preflight,
    )
    attach = None
    if request.credentials != "omit":
        in_process = _in_process(adapter)
        jar = jar_for(cookies, request.url, in_process=in_process)
        if jar:
            attach = CookieFlow(
                jar,
                page=request.origin,
                credentials=request.credentials,
                profile=profile.name,
                in_process=in_process,
            )
    flow = run_fetch(
        request,
        profile,
        session.cache,
        _Session.now(session),
        attach.attach if attach is not None else None,
    )
    return _judged(_drive_sync(flow, adapter, attach), initiator, profile)


def _judged(outcome: Outcome, initiator: InitiatorRequest, profile: Profile) -> Outcome:
    """``outcome`` with its initiator, ``used`` and ``readable``, and the failure worded as
    this browser words it for that initiator."""
    actual = outcome.actual
    status = actual.response.status if actual is not None else None
    content_type = (actual.response.headers.get("Content-Type") or "") if actual else ""
    request = outcome.request
    muted = mutes_opaque_script_errors(
        profile.console, same_site(request.origin, origin_of_url(outcome.url or request.url))
    )
    use = judge(
        initiator.initiator,
        outcome.allowed,
        outcome.response_type,
        status,
        content_type,
        errors_muted=muted,
    )
    outcome.initiator = initiator.initiator
    outcome.used = use.used
    outcome.readable = use.readable
    outcome.notes.insert(
        0,
        Note(
            "initiator",
            f"{initiator.label}: mode {request.mode}, credentials {request.credentials}, "
            f"destination {request.destination}",
        ),
    )
    outcome.notes.append(Note("initiator", use.why, use.used))
    failure = outcome.failure
    if failure is not None and profile.console == "chromium":
        kind = initiator.chromium_kind
        worded = failure.message.replace("Access to fetch at ", f"Access to {kind} at ", 1)
        if initiator.initiator == "xhr" and worded.endswith("credentials mode is 'include'."):
            worded += _XHR_CREDENTIALS  # measured, Chromium 156
        outcome.failure = replace(failure, message=worded)
    return outcome


def simulate_load(
    target: object,
    url: str = "/",
    *,
    origin: str,
    element: str,
    crossorigin: str | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
) -> Outcome:
    """What ``<element src=url crossorigin=...>`` on a page at ``origin`` does with ``target``.

    ``element`` is ``img``, ``script``, ``module`` (``<script type="module">``),
    ``stylesheet`` (``<link rel="stylesheet">``), ``font`` (a CSS ``@font-face`` source),
    ``video`` or ``audio``. A font and a module script are always CORS requests; the others
    only with ``crossorigin`` (``"anonymous"`` or ``"use-credentials"``), and otherwise are
    ``no-cors``: used whatever the CORS headers, never readable. ``outcome.used`` says
    whether the page uses the resource, ``outcome.readable`` whether its script can read it.
    """
    session = _session(browser)
    request = element_request(element, crossorigin, session.profile.console)
    return _run(session, target, url, origin, request, cookies=cookies)


def simulate_xhr(
    target: object,
    url: str = "/",
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    with_credentials: bool = False,
    upload_listeners: bool = False,
    body: str | bytes | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
) -> Outcome:
    """What ``XMLHttpRequest`` from ``origin`` does: ``fetch()``'s CORS rules with credentials
    ``include`` when ``with_credentials`` (else ``same-origin``); ``upload_listeners=True``
    (a listener on ``xhr.upload`` before ``send()``) with a ``body`` forces a preflight."""
    session = _session(browser)
    request = xhr_request(method, with_credentials, upload_listeners, body)
    return _run(
        session,
        target,
        url,
        origin,
        request,
        headers=headers,
        body=body,
        cookies=cookies,
        page_csp=page_csp,
    )


def simulate_eventsource(
    target: object,
    url: str = "/",
    *,
    origin: str,
    with_credentials: bool = False,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
) -> Outcome:
    """What ``new EventSource(url, {withCredentials})`` from ``origin`` does: a CORS GET with
    ``Accept: text/event-stream``; ``used`` only for a 200 ``text/event-stream`` answer."""
    session = _session(browser)
    request = eventsource_request(with_credentials)
    return _run(session, target, url, origin, request, cookies=cookies, page_csp=page_csp)


def simulate_beacon(
    target: object,
    url: str = "/",
    *,
    origin: str,
    body: str | bytes | None = None,
    content_type: str | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
) -> Outcome:
    """What ``navigator.sendBeacon(url, body)`` from ``origin`` does: a POST with the cookies,
    ``no-cors`` unless ``content_type`` (a ``Blob``'s type) is not CORS-safelisted, which
    makes it a preflighted CORS request. ``used``: the POST reached the server; a beacon's
    answer is never readable."""
    session = _session(browser)
    if content_type is not None and not isinstance(content_type, str):
        raise CorsUsageError(f"content_type must be a str or None, got {content_type!r}")
    safelisted = content_type is None or is_safelisted_header(
        "Content-Type", content_type, session.profile
    )
    request = beacon_request(content_type, safelisted)
    return _run(
        session, target, url, origin, request, body=body, cookies=cookies, page_csp=page_csp
    )


def _judge_used(outcome: Outcome, readable: bool, target: object) -> Outcome:
    """``outcome`` if the page uses the resource (and reads it, when ``readable``)."""
    __tracebackhide__ = True
    if not outcome.allowed:
        _judge_allowed(outcome, [], target)
    if not outcome.used or (readable and not outcome.readable):
        what = "use" if not outcome.used else "read"
        fix = (
            "\n\nFix: to read it, load it with crossorigin='anonymous' (or 'use-credentials') "
            "and answer with Access-Control-Allow-Origin."
            if outcome.used and outcome.response_type == "opaque"
            else ""
        )
        raise CorsAssertionError(
            _shown(
                f"The page cannot {what} {outcome.request.url} ({outcome.initiator}).\n\n"
                f"{outcome.explain()}{fix}"
            )
        )
    return outcome


def _judge_unused(outcome: Outcome) -> Outcome:
    __tracebackhide__ = True
    if outcome.used:
        raise CorsAssertionError(
            _shown(
                f"Expected the page not to use {outcome.request.url} ({outcome.initiator}) "
                f"from origin '{outcome.request.origin.serialize()}', but it does.\n\n"
                f"{outcome.explain()}"
            )
        )
    return outcome


def assert_load_allows(
    target: object,
    url: str = "/",
    *,
    origin: str,
    element: str,
    crossorigin: str | None = None,
    readable: bool = True,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
) -> Outcome:
    """Assert the element uses the resource and, unless ``readable=False``, that the page can
    read it (an untainted canvas, unmuted script errors): see :func:`simulate_load`."""
    __tracebackhide__ = True
    outcome = simulate_load(
        target,
        url,
        origin=origin,
        element=element,
        crossorigin=crossorigin,
        browser=browser,
        cookies=cookies,
    )
    return _judge_used(outcome, readable, target)


def assert_load_denies(
    target: object,
    url: str = "/",
    *,
    origin: str,
    element: str,
    crossorigin: str | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
) -> Outcome:
    """Assert the element does not use the resource (its CORS check fails, say)."""
    __tracebackhide__ = True
    outcome = simulate_load(
        target,
        url,
        origin=origin,
        element=element,
        crossorigin=crossorigin,
        browser=browser,
        cookies=cookies,
    )
    return _judge_unused(outcome)


def assert_xhr_allows(
    target: object,
    url: str = "/",
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    with_credentials: bool = False,
    upload_listeners: bool = False,
    body: str | bytes | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
) -> Outcome:
    """Assert the ``XMLHttpRequest`` loads and the page reads it: see :func:`simulate_xhr`."""
    __tracebackhide__ = True
    outcome = simulate_xhr(
        target,
        url,
        origin=origin,
        method=method,
        headers=headers,
        with_credentials=with_credentials,
        upload_listeners=upload_listeners,
        body=body,
        browser=browser,
        cookies=cookies,
    )
    return _judge_used(outcome, True, target)


def assert_xhr_denies(
    target: object,
    url: str = "/",
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    with_credentials: bool = False,
    upload_listeners: bool = False,
    body: str | bytes | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
) -> Outcome:
    """Assert the ``XMLHttpRequest`` fails (its ``error`` event fires)."""
    __tracebackhide__ = True
    outcome = simulate_xhr(
        target,
        url,
        origin=origin,
        method=method,
        headers=headers,
        with_credentials=with_credentials,
        upload_listeners=upload_listeners,
        body=body,
        browser=browser,
        cookies=cookies,
    )
    return _judge_unused(outcome)
