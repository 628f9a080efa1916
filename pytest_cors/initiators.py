"""The other ways a page reaches across origins: elements, XHR, EventSource and beacons.

Each ``simulate_*`` here is ``simulate_fetch`` with the mode, credentials mode, destination
and headers its initiator uses (the mapping is :mod:`pytest_cors.engine.initiators`), run
against any target by the same driver, and the outcome then says what the page makes of the
answer: ``used`` (an image shown, a script run, a font applied, a beacon delivered) and
``readable`` (a canvas not tainted, a script's errors not muted, an XHR's body). Each has an
``async_simulate_*`` twin for async tests, which awaits an async target on the running loop.
The assertion helpers that judge those two (``assert_load_allows``, ...) are in
:mod:`pytest_cors.asserts`, since an element can "work" without CORS: ``<img>`` without
``crossorigin`` shows any image and no CORS header matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pytest_cors.cookies import PROBE_COOKIES, CookieFlow, CookiesArg, jar_for
from pytest_cors.engine import Outcome, Profile, prepare_request, run_fetch
from pytest_cors.engine.fetch import FetchFlow
from pytest_cors.engine.initiators import (
    InitiatorRequest,
    beacon_request,
    element_request,
    eventsource_request,
    judge,
    mutes_opaque_script_errors,
    xhr_request,
)
from pytest_cors.engine.lna import LocalNetwork
from pytest_cors.engine.outcome import Note
from pytest_cors.engine.request import HeadersArg, is_safelisted_header
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.flow import Browser, _absolute, _drive, _drive_sync, _in_process, _resolve
from pytest_cors.origin import origin_of_url
from pytest_cors.site import same_site

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_FETCH_ONLY_ADVICE = " Have the server send the header with a valid value."
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


def _flow(
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
    local_network: LocalNetwork | None = None,
) -> tuple[FetchFlow, Any, CookieFlow | None]:
    """One initiator's fetch through ``session`` against ``target``, ready to drive:
    ``Browser.fetch``'s flow with the destination and the use-CORS-preflight flag that
    ``fetch()`` itself cannot ask for (the destination also picks the page's CSP directive)."""
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
        local_network=local_network,
        mixed_content=session.checks_mixed_content(adapter, _absolute(adapter.base_url, url)),
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
    return flow, adapter, attach


def _run(
    session: Browser, target: object, url: str, origin: str, initiator: InitiatorRequest, **kw: Any
) -> Outcome:
    """:func:`_flow`, driven for a sync caller and judged."""
    outcome = _drive_sync(*_flow(session, target, url, origin, initiator, **kw))
    return _judged(outcome, initiator, session.profile)


async def _arun(
    session: Browser, target: object, url: str, origin: str, initiator: InitiatorRequest, **kw: Any
) -> Outcome:
    """:func:`_flow`, awaited on the running loop (an async target's ``send`` is awaited)."""
    outcome = await _drive(*_flow(session, target, url, origin, initiator, **kw))
    return _judged(outcome, initiator, session.profile)


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
        # fetch()'s advice after an Access-Control-Allow-Origin value it refuses: Chromium 156
        # prints it for fetch() only (measured: elements, XHR, EventSource, beacons)
        worded = worded.replace(_FETCH_ONLY_ADVICE, "")
        if initiator.initiator == "xhr" and worded.endswith("credentials mode is 'include'."):
            worded += _XHR_CREDENTIALS  # measured, Chromium 156
        outcome.failure = replace(failure, message=worded)
    elif failure is not None and profile.console == "webkit" and failure.code not in _BEFORE_CORS:
        worded = _webkit_worded(failure.message, initiator, element_url=request.url)
        outcome.failure = replace(failure, message=worded)
    failure = outcome.failure
    if failure is not None and failure.code == "MixedContent" and initiator.initiator == "xhr":
        outcome.failure = replace(failure, message=_xhr_mixed_content(failure.message, initiator))
    return outcome


def _xhr_mixed_content(message: str, xhr: InitiatorRequest) -> str:
    """A blocked mixed-content ``fetch()`` line as each browser words it for XHR (measured:
    Chromium 156 says "XMLHttpRequest endpoint", WebKitGTK 2.50.6 ends "XMLHttpRequest cannot
    load"; Firefox 153's line names no initiator)."""
    message = message.replace(
        "requested an insecure resource '", "requested an insecure XMLHttpRequest endpoint '", 1
    )
    return _webkit_worded(message, xhr)


#: Failures the page refuses before any CORS step: worded by their own rules (failures.py).
_BEFORE_CORS = ("CSPViolation", "MixedContent", "LocalNetworkAccessDenied")

#: WebKit's last console line of a CORS refusal, per initiator, where it is not fetch()'s
#: "Fetch API cannot load URL due to access control checks." ("" where WebKit prints none):
#: measured in WebKitGTK 2.50.6 (tests/conformance/test_initiators.py compares them).
_WEBKIT_LAST_LINES = {
    "img": "Cannot load image {url} due to access control checks.",
    "script": "Cross-origin script load denied by Cross-Origin Resource Sharing policy.",
    "xhr": "XMLHttpRequest cannot load {url} due to access control checks.",
    "eventsource": "EventSource cannot load {url} due to access control checks.",
    "beacon": "Beacon API cannot load {url}. {reason}",
    "module": "",
    "stylesheet": "",
    "video": "",
    "audio": "",
}


#: The initiators whose WebKit line names the URL the page asked for, not the one that failed
#: after a redirect (measured, WebKitGTK 2.50.6: an image does; XHR and EventSource do not).
_WEBKIT_NAMES_THE_ELEMENT_URL = ("img",)


def _webkit_worded(
    message: str, initiator: InitiatorRequest, *, element_url: str | None = None
) -> str:
    """``message`` (the profile's ``fetch()`` wording) as WebKit words it for ``initiator``;
    ``element_url``: the URL the page asked for (an image's line names it)."""
    last = _WEBKIT_LAST_LINES.get(initiator.initiator)
    if last is None:
        return message
    lines = message.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("Fetch API cannot load ") and line.endswith(
            " due to access control checks."
        ):
            url = line[len("Fetch API cannot load ") : -len(" due to access control checks.")]
            if element_url and initiator.initiator in _WEBKIT_NAMES_THE_ELEMENT_URL:
                url = element_url
            if last:
                lines[index] = last.format(url=url, reason=lines[0])
            else:
                del lines[index]
            break
    return "\n".join(lines)


# -- the requests each initiator makes ------------------------------------------------------


def _beacon(session: Browser, content_type: str | None) -> InitiatorRequest:
    if content_type is not None and not isinstance(content_type, str):
        raise CorsUsageError(f"content_type must be a str or None, got {content_type!r}")
    safelisted = content_type is None or is_safelisted_header(
        "Content-Type", content_type, session.profile
    )
    return beacon_request(content_type, safelisted)


# -- elements ---------------------------------------------------------------------------------


def simulate_load(
    target: object,
    url: str = "/",
    *,
    origin: str,
    element: str,
    crossorigin: str | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """What ``<element src=url crossorigin=...>`` on a page at ``origin`` does with ``target``.

    ``element`` is ``img``, ``script``, ``module`` (``<script type="module">``),
    ``stylesheet`` (``<link rel="stylesheet">``), ``font`` (a CSS ``@font-face`` source),
    ``video`` or ``audio``. A font and a module script are always CORS requests; the others
    only with ``crossorigin`` (``"anonymous"`` or ``"use-credentials"``), and otherwise are
    ``no-cors``: used whatever the CORS headers, never readable. ``outcome.used`` says
    whether the page uses the resource, ``outcome.readable`` whether its script can read it.

    ``page_csp`` is the page's ``Content-Security-Policy``: the element's own directive
    decides (``img-src``, ``font-src``, ``script-src-elem``, ``style-src-elem``,
    ``media-src``, each falling back as CSP says, to ``default-src`` last); a URL it does not
    allow fails with ``CSPViolation`` before anything is sent. ``local_network`` is
    :func:`~pytest_cors.simulate_fetch`'s: the Local Network Access gate.
    """
    session = _session(browser)
    request = element_request(element, crossorigin, session.profile.console)
    return _run(
        session,
        target,
        url,
        origin,
        request,
        cookies=cookies,
        page_csp=page_csp,
        local_network=local_network,
    )


async def async_simulate_load(
    target: object,
    url: str = "/",
    *,
    origin: str,
    element: str,
    crossorigin: str | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """:func:`simulate_load` for async tests: awaits an async target on the running loop."""
    session = _session(browser)
    request = element_request(element, crossorigin, session.profile.console)
    return await _arun(
        session,
        target,
        url,
        origin,
        request,
        cookies=cookies,
        page_csp=page_csp,
        local_network=local_network,
    )


# -- XMLHttpRequest ---------------------------------------------------------------------------


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
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """What ``XMLHttpRequest`` from ``origin`` does: ``fetch()``'s CORS rules with credentials
    ``include`` when ``with_credentials`` (else ``same-origin``); ``upload_listeners=True``
    (a listener on ``xhr.upload`` before ``send()``) with a ``body`` forces a preflight.
    ``page_csp`` is checked against ``connect-src`` (then ``default-src``), as for ``fetch()``.
    """
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
        local_network=local_network,
    )


async def async_simulate_xhr(
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
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """:func:`simulate_xhr` for async tests: awaits an async target on the running loop."""
    session = _session(browser)
    request = xhr_request(method, with_credentials, upload_listeners, body)
    return await _arun(
        session,
        target,
        url,
        origin,
        request,
        headers=headers,
        body=body,
        cookies=cookies,
        page_csp=page_csp,
        local_network=local_network,
    )


# -- EventSource ------------------------------------------------------------------------------


def simulate_eventsource(
    target: object,
    url: str = "/",
    *,
    origin: str,
    with_credentials: bool = False,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """What ``new EventSource(url, {withCredentials})`` from ``origin`` does: a CORS GET with
    ``Accept: text/event-stream``; ``used`` only for a 200 ``text/event-stream`` answer.
    ``page_csp`` is checked against ``connect-src`` (then ``default-src``)."""
    session = _session(browser)
    request = eventsource_request(with_credentials)
    return _run(
        session,
        target,
        url,
        origin,
        request,
        cookies=cookies,
        page_csp=page_csp,
        local_network=local_network,
    )


async def async_simulate_eventsource(
    target: object,
    url: str = "/",
    *,
    origin: str,
    with_credentials: bool = False,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """:func:`simulate_eventsource` for async tests: awaits an async target on the running
    loop."""
    session = _session(browser)
    request = eventsource_request(with_credentials)
    return await _arun(
        session,
        target,
        url,
        origin,
        request,
        cookies=cookies,
        page_csp=page_csp,
        local_network=local_network,
    )


# -- navigator.sendBeacon ---------------------------------------------------------------------


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
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """What ``navigator.sendBeacon(url, body)`` from ``origin`` does: a POST with the cookies,
    ``no-cors`` unless ``content_type`` (a ``Blob``'s type) is not CORS-safelisted, which
    makes it a preflighted CORS request. ``used``: the POST reached the server; a beacon's
    answer is never readable. ``page_csp`` is checked against ``connect-src`` (then
    ``default-src``)."""
    session = _session(browser)
    request = _beacon(session, content_type)
    return _run(
        session,
        target,
        url,
        origin,
        request,
        body=body,
        cookies=cookies,
        page_csp=page_csp,
        local_network=local_network,
    )


async def async_simulate_beacon(
    target: object,
    url: str = "/",
    *,
    origin: str,
    body: str | bytes | None = None,
    content_type: str | None = None,
    browser: BrowserArg = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """:func:`simulate_beacon` for async tests: awaits an async target on the running loop."""
    session = _session(browser)
    request = _beacon(session, content_type)
    return await _arun(
        session,
        target,
        url,
        origin,
        request,
        body=body,
        cookies=cookies,
        page_csp=page_csp,
        local_network=local_network,
    )
