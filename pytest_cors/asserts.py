"""Assertion helpers for tests: the browser's verdict, or a failure that reads like DevTools.

``fetch()``'s (``assert_cors_allows``, ``assert_cors_denies``), the other initiators' (an
element is judged "used" and "readable", :mod:`pytest_cors.initiators`), and the ``cors``
fixture's :class:`CorsHelpers`, bound to its target.
"""

from __future__ import annotations

from collections.abc import Iterable

from pytest_cors.cookies import PROBE_COOKIES, CookiesArg
from pytest_cors.engine import Outcome, Profile
from pytest_cors.engine.lna import LocalNetwork
from pytest_cors.engine.outcome import OPAQUE_TYPES
from pytest_cors.engine.request import HeadersArg, RedirectMode, RequestMode
from pytest_cors.engine.story import explain
from pytest_cors.errors import CorsAssertionError, CorsUsageError, hide_user_error
from pytest_cors.flow import Browser, simulate_fetch
from pytest_cors.hints import outcome_hint
from pytest_cors.http import redact_params, visible
from pytest_cors.initiators import (
    BrowserArg,
    simulate_beacon,
    simulate_eventsource,
    simulate_load,
    simulate_xhr,
)
from pytest_cors.options import fetch_options

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_GRANTING = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
)


def assert_cors_allows(
    target: object,
    url: str = "/",
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    credentials: object = "omit",
    expose: Iterable[str] | None = None,
    body: str | bytes | None = None,
    browser: str | Profile = "chromium",
    cookies: CookiesArg = PROBE_COOKIES,
    page_csp: str | None = None,
    mode: RequestMode = "cors",
    redirect: RedirectMode = "follow",
    local_network: LocalNetwork | None = None,
) -> Outcome:
    """Assert the browser lets the page read the response (and the ``expose`` headers).

    ``cookies`` is what the browser holds for the target (see :func:`simulate_fetch`): by
    default a probe session cookie, so a credentialed fetch is a signed-in user's.
    ``page_csp`` is the page's ``Content-Security-Policy`` (see :func:`simulate_fetch`).
    """
    __tracebackhide__ = True
    names = _header_names(expose)
    outcome = simulate_fetch(target, url, browser=browser, **fetch_options(locals()))
    return _judge_allowed(outcome, names, target)


def _judge_allowed(outcome: Outcome, names: list[str], target: object = None) -> Outcome:
    """``outcome`` if the page can read it and the ``names`` headers, else the failure; its
    fix names the setting of ``target``'s framework when the kit knows it (:mod:`hints`)."""
    __tracebackhide__ = True
    if not outcome.allowed:
        failure = outcome.failure
        first = failure.message if failure else "The browser would block this request."
        hint = f"\n\nFix: {failure.hint}" if failure else ""
        hint += _in_framework(target, outcome)
        story = explain(outcome, with_failure=False)
        raise CorsAssertionError(_shown(f"{first}\n\n{story}{hint}"))
    missing = [h for h in names if h.lower() not in outcome.readable_headers]
    if missing and outcome.response_type in OPAQUE_TYPES:
        raise CorsAssertionError(
            _shown(
                f"fetch() resolves, but with an {outcome.response_type} response: the page "
                f"reads no status, no header and no body, so not {', '.join(missing)}."
                f"\n\n{outcome.explain()}\n\nFix: fetch with mode='cors' and "
                "redirect='follow' (the defaults) for a response the page can read."
            )
        )
    if missing:
        actual = outcome.actual
        present = actual.response.headers if actual else None
        absent = [h for h in missing if present is None or h not in present]
        detail = (
            f"the response does not carry {', '.join(absent)} at all"
            if absent
            else "they are not CORS-safelisted and not listed in Access-Control-Expose-Headers"
        )
        raise CorsAssertionError(
            _shown(
                f"fetch() resolves, but the page cannot read response header(s) "
                f"{', '.join(missing)}: {detail}.\n\n{outcome.explain()}\n\n"
                f"Fix: add {', '.join(missing)} to Access-Control-Expose-Headers on the actual "
                "response ('*' does not work with credentials)."
                f"{_in_framework(target, outcome, missing)}"
            )
        )
    return outcome


def _in_framework(target: object, outcome: Outcome, expose: list[str] | None = None) -> str:
    """The fix in the target's framework, on a line of its own, or "" when it is unknown."""
    found = outcome_hint(target, outcome, expose or ())
    return f"\n{found}" if found else ""


def _shown(text: str) -> str:
    """A failure message as every output shows text: secrets redacted, controls escaped."""
    return visible(redact_params(text))


def _header_names(expose: object) -> list[str]:
    """``expose`` as a list of header names; anything else is a usage error saying what works.

    A bare string is refused rather than iterated letter by letter.
    """
    if expose is None:
        return []
    accepted = "expose takes a list of response header names, e.g. expose=['X-Total-Count']"
    if isinstance(expose, (str, bytes)) or not isinstance(expose, Iterable):
        raise CorsUsageError(f"{accepted}; got {type(expose).__name__} {expose!r}")
    names = list(expose)
    wrong = [n for n in names if not isinstance(n, str) or not n.strip()]
    if wrong:
        raise CorsUsageError(f"{accepted}; got {wrong[0]!r} in the list")
    return names


def assert_cors_denies(
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
    """Assert the browser blocks the page from reading the response.

    With ``credentials="include"`` the browser is signed in (``cookies``, by default a probe
    session cookie): a server that lets an origin in only when a session cookie arrives is
    caught wherever the browser would send that cookie. ``cookies=None`` checks a signed-out
    browser.
    """
    __tracebackhide__ = True
    outcome = simulate_fetch(target, url, browser=browser, **fetch_options(locals()))
    return _judge_denied(outcome)


def _judge_denied(outcome: Outcome) -> Outcome:
    """``outcome`` if the browser blocks the page from reading it, else the failure."""
    __tracebackhide__ = True
    failure = outcome.failure
    if failure is not None and failure.code == "MixedContent":
        raise CorsAssertionError(
            _shown(
                f"Cannot tell whether the server lets '{outcome.request.origin.serialize()}' "
                f"read {outcome.request.method} {outcome.request.url}: the browser refused the "
                "request as mixed content (an https page, an http URL) before any CORS step, "
                "and an attacker's page on http:// is not refused. Check the API's https URL, "
                "or the same origin with http://.\n\n" + outcome.explain()
            )
        )
    if outcome.allowed:
        if outcome.response_type in OPAQUE_TYPES:
            why = (
                f"it resolves with an {outcome.response_type} response. The page reads "
                "nothing of it, but no CORS check runs (mode='no-cors', or a redirect not "
                "followed under redirect='manual'), so the request reached the server. To "
                "check that a page cannot read the response, fetch with mode='cors'"
            )
        elif outcome.same_origin:
            why = "the page and the URL are same-origin, so CORS does not apply at all"
        else:
            granting = []
            for exchange in outcome.exchanges:
                for name in _GRANTING:
                    value = exchange.response.headers.get(name)
                    if value is not None:
                        granting.append(f"  {exchange.kind}: {name}: {value}")
            why = "these response headers let the origin in:\n" + "\n".join(granting)
        raise CorsAssertionError(
            _shown(
                f"Expected the browser to block {outcome.request.method} {outcome.request.url} "
                f"from origin '{outcome.request.origin.serialize()}', but fetch() would resolve: "
                f"{why}\n\n{outcome.explain()}"
            )
        )
    return outcome


# -- the other initiators: the page uses the resource, and reads it --------------------------


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
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
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
        page_csp=page_csp,
        local_network=local_network,
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
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
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
        page_csp=page_csp,
        local_network=local_network,
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
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
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
        page_csp=page_csp,
        local_network=local_network,
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
    page_csp: str | None = None,
    local_network: LocalNetwork | None = None,
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
        page_csp=page_csp,
        local_network=local_network,
    )
    return _judge_unused(outcome)


class CorsHelpers:
    """The ``cors`` fixture: the helpers bound to the ``cors_target`` fixture's target.

    It keeps one :class:`~pytest_cors.flow.Browser` session per test, so preflight caching
    across calls behaves as in one browser tab.
    """

    def __init__(self, target: object, browser: str | Profile = "chromium") -> None:
        self.target = target
        self.browser = browser
        self.session = Browser(browser)
        self._sessions: dict[str | Profile, Browser] = {browser: self.session}

    def _session(self, browser: str | Profile | None) -> Browser:
        """This test's browser session for ``browser`` (one preflight cache per browser)."""
        key = self.browser if browser is None else browser
        if key not in self._sessions:
            self._sessions[key] = Browser(key)
        return self._sessions[key]

    def fetch(
        self,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        credentials: object = "omit",
        body: str | bytes | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        mode: RequestMode = "cors",
        redirect: RedirectMode = "follow",
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``simulate_fetch`` against the bound target, sharing this test's preflight cache
        (one per browser; ``browser`` defaults to the fixture's, ``--cors-browser``)."""
        options = fetch_options(locals())
        return self._session(browser).fetch(self.target, url, **options)

    def allows(
        self,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        credentials: object = "omit",
        expose: Iterable[str] | None = None,
        body: str | bytes | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        mode: RequestMode = "cors",
        redirect: RedirectMode = "follow",
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``assert_cors_allows`` against the bound target, in this test's browser session."""
        __tracebackhide__ = True
        names = _header_names(expose)
        outcome = self.fetch(url, browser=browser, **fetch_options(locals()))
        return _judge_allowed(outcome, names, self.target)

    def denies(
        self,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        credentials: object = "omit",
        body: str | bytes | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        mode: RequestMode = "cors",
        redirect: RedirectMode = "follow",
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``assert_cors_denies`` against the bound target, in this test's browser session."""
        __tracebackhide__ = True
        outcome = self.fetch(url, browser=browser, **fetch_options(locals()))
        return _judge_denied(outcome)

    # -- the other initiators, in this test's browser session --------------------------------

    def load(
        self,
        url: str = "/",
        *,
        origin: str,
        element: str,
        crossorigin: str | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``simulate_load`` against the bound target, in this test's browser session."""
        return simulate_load(
            self.target,
            url,
            origin=origin,
            element=element,
            crossorigin=crossorigin,
            browser=self._session(browser),
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )

    def xhr(
        self,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        with_credentials: bool = False,
        upload_listeners: bool = False,
        body: str | bytes | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``simulate_xhr`` against the bound target, in this test's browser session."""
        return simulate_xhr(
            self.target,
            url,
            origin=origin,
            method=method,
            headers=headers,
            with_credentials=with_credentials,
            upload_listeners=upload_listeners,
            body=body,
            browser=self._session(browser),
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )

    def eventsource(
        self,
        url: str = "/",
        *,
        origin: str,
        with_credentials: bool = False,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``simulate_eventsource`` against the bound target, in this test's browser session."""
        return simulate_eventsource(
            self.target,
            url,
            origin=origin,
            with_credentials=with_credentials,
            browser=self._session(browser),
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )

    def beacon(
        self,
        url: str = "/",
        *,
        origin: str,
        body: str | bytes | None = None,
        content_type: str | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``simulate_beacon`` against the bound target, in this test's browser session."""
        return simulate_beacon(
            self.target,
            url,
            origin=origin,
            body=body,
            content_type=content_type,
            browser=self._session(browser),
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )

    def load_allows(
        self,
        url: str = "/",
        *,
        origin: str,
        element: str,
        crossorigin: str | None = None,
        readable: bool = True,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``assert_load_allows`` against the bound target, in this test's browser session."""
        __tracebackhide__ = True
        outcome = self.load(
            url,
            origin=origin,
            element=element,
            crossorigin=crossorigin,
            browser=browser,
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )
        return _judge_used(outcome, readable, self.target)

    def load_denies(
        self,
        url: str = "/",
        *,
        origin: str,
        element: str,
        crossorigin: str | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``assert_load_denies`` against the bound target, in this test's browser session."""
        __tracebackhide__ = True
        outcome = self.load(
            url,
            origin=origin,
            element=element,
            crossorigin=crossorigin,
            browser=browser,
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )
        return _judge_unused(outcome)

    def xhr_allows(
        self,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        with_credentials: bool = False,
        upload_listeners: bool = False,
        body: str | bytes | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``assert_xhr_allows`` against the bound target, in this test's browser session."""
        __tracebackhide__ = True
        outcome = self.xhr(
            url,
            origin=origin,
            method=method,
            headers=headers,
            with_credentials=with_credentials,
            upload_listeners=upload_listeners,
            body=body,
            browser=browser,
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )
        return _judge_used(outcome, True, self.target)

    def xhr_denies(
        self,
        url: str = "/",
        *,
        origin: str,
        method: str = "GET",
        headers: HeadersArg = None,
        with_credentials: bool = False,
        upload_listeners: bool = False,
        body: str | bytes | None = None,
        browser: str | Profile | None = None,
        cookies: CookiesArg = PROBE_COOKIES,
        page_csp: str | None = None,
        local_network: LocalNetwork | None = None,
    ) -> Outcome:
        """``assert_xhr_denies`` against the bound target, in this test's browser session."""
        __tracebackhide__ = True
        outcome = self.xhr(
            url,
            origin=origin,
            method=method,
            headers=headers,
            with_credentials=with_credentials,
            upload_listeners=upload_listeners,
            body=body,
            browser=browser,
            cookies=cookies,
            page_csp=page_csp,
            local_network=local_network,
        )
        return _judge_unused(outcome)
