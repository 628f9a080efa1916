"""The fetch algorithm as a sans-I/O generator: it yields requests and is sent responses.

``run_fetch`` walks Fetch's main fetch for one ``fetch()`` call: same-origin, ``no-cors``
(an opaque response) or CORS, the preflight (or a cache hit), the actual request, the CORS
check on every response including redirects, and redirect processing with origin tainting, or
the ``redirect`` mode's ``manual`` (an opaque redirect) and ``error``. It never touches the
network; the drivers in :mod:`pytest_cors.flow` carry its requests to a target, sync or async alike.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

from pytest_cors.engine import csp, lna
from pytest_cors.engine.added import added_headers, is_potentially_trustworthy
from pytest_cors.engine.cache import PreflightCache
from pytest_cors.engine.httpcache import HttpCache

# re-exported: these lived here before engine.outcome, and callers import them from here
from pytest_cors.engine.outcome import FetchRequest as FetchRequest
from pytest_cors.engine.outcome import Note as Note
from pytest_cors.engine.outcome import Outcome as Outcome
from pytest_cors.engine.preflight import REDIRECT_STATUSES as REDIRECT_STATUSES
from pytest_cors.engine.preflight import (
    REFUSALS,
    check_preflight,
    malformed_names,
    preflight_reason,
    preflight_request,
    store_refused,
)
from pytest_cors.engine.preflight import redirect_location as redirect_location
from pytest_cors.engine.profiles import Profile
from pytest_cors.engine.request import (
    SAFELISTED_METHODS,
    unsafe_header_names,
)
from pytest_cors.engine.request import prepare_request as prepare_request
from pytest_cors.engine.response import (
    Check,
    basic_readable_headers,
    cors_check,
    effective_headers,
    readable_headers,
)
from pytest_cors.errors import hide_user_error
from pytest_cors.failures import (
    MODE_KINDS,
    Failure,
    csp_failure,
    make_failure,
    mixed_content_failure,
    mode_failure,
)
from pytest_cors.http import (
    Exchange,
    Request,
    Response,
    trusted_headers,
)
from pytest_cors.origin import Origin, origin_of_url

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

#: Failure kinds whose WebKit console line names a whole response header's value.
_WHOLE_VALUE_IN_WEBKIT = {
    "InvalidAllowMethodsPreflightResponse": "Access-Control-Allow-Methods",
    "InvalidAllowHeadersPreflightResponse": "Access-Control-Allow-Headers",
}
_MODE_NOTES = {
    "DisallowedByMode": "mode same-origin, and this URL is of another origin",
    "RedirectModeNotFollow": "mode no-cors needs redirect follow for another origin",
    "RedirectModeError": "redirect error, and the response is a redirect",
}
_BODY_HEADERS = ("content-encoding", "content-language", "content-location", "content-type")


FetchFlow = Generator[Request, Response, Outcome]
#: A step that may send requests and ends with a refusal (``None``: the walk goes on).
_Step = Generator[Request, Response, "_Stop | None"]


@dataclass(frozen=True)
class _Fetch:
    """What stays the same across every hop of one ``fetch()``."""

    req: FetchRequest
    profile: Profile
    cache: PreflightCache | None
    http: HttpCache | None
    now: float
    page_origin: str
    include: bool
    #: The script's CORS-unsafe header names, as the script made the request.
    script_unsafe: list[str]
    #: Adds what the browser's cookie store sends (a ``Cookie`` line) to a request about to go
    #: out: HTTP-network-or-cache fetch appends cookies, so the exchange records them.
    attach: Callable[[Request], Request] | None = None


@dataclass(frozen=True)
class _Hop:
    """One URL of the redirect chain, and what the hops before it decided."""

    url: str
    method: str
    body: bytes | None
    headers: list[tuple[str, str]]
    current: Origin
    #: The ``Origin`` this hop's requests carry, and the preflight cache key's origin.
    serialized: str
    key_origin: str
    #: Response tainting is "cors" (never goes back to "basic").
    cors: bool = False
    #: Response tainting is "opaque": a ``no-cors`` request reached another origin.
    opaque: bool = False
    #: A cross-origin redirect made the request's origin opaque ("null").
    tainted: bool = False
    redirects: int = 0
    #: Script header names the latest redirect removed (Firefox keeps preflighting the rest).
    removed: frozenset[str] = frozenset()
    #: Whether an earlier hop needed a preflight.
    needed_preflight: bool = False


@dataclass(frozen=True)
class _Stop:
    """A refusal found by a check: what ``make_failure`` needs beyond the hop."""

    kind: str
    step: str
    parameter: str = ""
    status: int | None = None
    token: str = ""
    origin: str | None = None
    redirect_to: str | None = None


def run_fetch(
    req: FetchRequest,
    profile: Profile,
    cache: PreflightCache | None = None,
    now: float = 0.0,
    attach: Callable[[Request], Request] | None = None,
) -> FetchFlow:
    """Drive one ``fetch()``: yields each request to send, receives its response.

    It may return without yielding at all: a fetch refused before any request, or one the
    page's caches answer entirely (a fresh stored response), sends nothing. ``attach`` adds the
    browser's cookies to each actual request that goes out (never to a preflight).
    """
    page_origin = req.origin.serialize()
    headers = list(req.headers)
    ctx = _Fetch(
        req=req,
        profile=profile,
        cache=cache,
        http=cache.http_for(page_origin) if cache is not None else None,
        now=now,
        page_origin=page_origin,
        include=req.credentials == "include",
        # Firefox decides "needs a preflight" from the request as the script made it, and a
        # later hop never un-decides it (redirect_keeps_preflight).
        script_unsafe=unsafe_header_names(headers, profile),
        attach=attach,
    )
    out = Outcome(request=req, browser=profile.name, warnings=list(req.warnings))
    hop = _hop(ctx, req.url, req.method, req.body, headers)
    # Every URL the request has been at (Sec-Fetch-Site looks at the whole redirect chain).
    chain: list[Origin] = []
    unread: tuple[Request, bool, Response] | None = None
    while True:
        upgraded = _mixed_content_upgrade(req, hop.url, hop.current)
        if upgraded is not None:
            out.notes.append(Note("actual", f"mixed content: {hop.url} upgraded to https", True))
            hop = replace(hop, url=upgraded, current=origin_of_url(upgraded))
        chain.append(hop.current)
        stopped = _stopped_before_cors(req, hop.url, hop.current, hop.redirects, profile)
        # WebKit preflights a redirect's http URL before it blocks it as mixed content
        after_preflight = (
            stopped is not None
            and stopped.code == "MixedContent"
            and profile.mixed_content_blocked_after_preflight
            and hop.redirects > 0
            and req.mode == "cors"
            and (hop.cors or not req.origin.same_origin(hop.current))
            and _preflight_need(ctx, replace(hop, cors=True))[1]
        )
        if stopped is not None and not after_preflight:
            # Nothing is sent: the page refused the request before any CORS step.
            out.failure = stopped
            out.notes.append(Note(stopped.step, f"{stopped.code}: nothing sent", False))
            return _finish(out, hop)
        if not hop.cors and not hop.opaque and req.origin.same_origin(hop.current):
            sent = _plain_request(ctx, hop, chain)
            out.notes.append(
                Note("actual", f"same-origin request to {hop.url}: no CORS check", True)
            )
        elif req.mode != "cors":
            refused = _mode_refusal(ctx, hop)
            if refused is not None:
                return _failed(ctx, hop, out, refused)
            hop = replace(hop, opaque=True)
            sent = _plain_request(ctx, hop, chain)
            out.notes.append(
                Note("actual", f"no-cors request to {hop.url}: no CORS check, opaque", True)
            )
        else:
            if hop.current.opaque or hop.current.scheme not in ("http", "https"):
                return _failed(ctx, hop, out, _Stop("CorsDisabledScheme", "actual"))
            if not hop.cors:
                hop = replace(hop, cors=True)
            unsafe, needed = _preflight_need(ctx, hop)
            if needed:
                hop = replace(hop, needed_preflight=True)
                refused = yield from _preflight_step(ctx, hop, out, unsafe)
                if refused is not None:
                    return _failed(ctx, hop, out, refused)
            if stopped is not None:  # after_preflight: blocked now, the actual never sent
                out.failure = stopped
                out.notes.append(Note(stopped.step, f"{stopped.code}: after the preflight", False))
                return _finish(out, hop)
            sent = _actual_request(
                hop.method,
                hop.url,
                hop.headers,
                hop.body,
                hop.serialized,
                _actual_added(ctx, hop, chain),
                req.mode,
                req.destination,
            )
        # the HTTP cache: a fresh stored response answers without a request
        credentialed = ctx.include or (
            req.credentials == "same-origin" and not hop.cors and not hop.opaque
        )
        sent, response, stored = yield from _send(ctx, hop, out, sent, credentialed)
        out.exchanges.append(Exchange(sent, response, "actual"))
        effective = effective_headers(response.headers, profile)
        warning = malformed_names(response.headers, effective, profile)
        if warning is not None:
            out.warnings.append(warning)
        location = redirect_location(response.status, effective)
        if ctx.http is not None and not stored:
            # what was sent (and the page never read, after a failed check) is kept as the
            # browser keeps it
            if location is not None or ctx.http.rules.stores_unread_responses:
                ctx.http.store(sent, credentialed, req.origin.opaque, response, now)
            else:
                unread = (sent, credentialed, response)
        if hop.cors:
            check = cors_check(effective, hop.serialized, req.credentials)
            if check is not None and location is not None and profile.csp_checks_redirect_first:
                target = urljoin(hop.url, location)
                blocked = _stopped_before_cors(
                    req, target, origin_of_url(target), hop.redirects + 1, profile
                )
                if blocked is not None and blocked.code == "CSPViolation":
                    out.failure = blocked
                    out.notes.append(Note("redirect", "CSPViolation: not followed", False))
                    return _finish(out, replace(hop, url=target))
            if check is not None:
                # WebKit words a check failing on a redirect as a denied redirection to it.
                denied = urljoin(hop.url, location) if location is not None else None
                refusal = _Stop(
                    check.kind, "actual", check.parameter, response.status, redirect_to=denied
                )
                return _failed(ctx, hop, out, refusal)
            out.notes.append(
                Note(
                    "actual",
                    f"CORS check passed for origin {hop.serialized} (status {response.status})",
                    True,
                )
            )
        if location is not None and req.redirect != "follow":
            if req.redirect == "error":
                return _failed(ctx, hop, out, _Stop("RedirectModeError", "redirect"))
            # "manual": the page gets the redirect as an opaque one, and goes no further
            out.notes.append(
                Note("redirect", f"{response.status} redirect not followed: opaqueredirect", True)
            )
            return _resolved(out, hop, "opaqueredirect", {})
        if location is not None:
            following = _follow(ctx, hop, response.status, location)
            if isinstance(following, _Stop):
                return _failed(ctx, hop, out, following)
            out.notes.append(
                Note("redirect", f"{response.status} redirect to {following.url}", True)
            )
            hop = following
            continue
        if ctx.http is not None and unread is not None:
            # Read to the end by the page: now Chromium's cache completes the entry.
            ctx.http.store(unread[0], unread[1], req.origin.opaque, unread[2], now)
        if hop.opaque:
            return _resolved(out, hop, "opaque", {})
        if hop.cors:
            return _resolved(
                out, hop, "cors", readable_headers(effective, req.credentials, profile)
            )
        return _resolved(out, hop, "basic", basic_readable_headers(effective, profile))


def _resolved(out: Outcome, hop: _Hop, kind: str, readable: dict[str, str]) -> Outcome:
    """``fetch()`` resolves with a response of type ``kind``; ``readable``: what the page reads."""
    out.allowed = True
    out.response_type = kind
    out.readable_headers = readable
    return _finish(out, hop)


def _mode_refusal(ctx: _Fetch, hop: _Hop) -> _Stop | None:
    """What a ``same-origin`` or ``no-cors`` request's mode refuses at a hop of another origin."""
    step = "redirect" if hop.redirects else "actual"
    if ctx.req.mode == "same-origin":
        return _Stop("DisallowedByMode", step)
    if ctx.req.redirect != "follow":
        return _Stop("RedirectModeNotFollow", step)
    return None


def _hop(
    ctx: _Fetch,
    url: str,
    method: str,
    body: bytes | None,
    headers: list[tuple[str, str]],
    *,
    cors: bool = False,
    opaque: bool = False,
    tainted: bool = False,
    redirects: int = 0,
    removed: frozenset[str] = frozenset(),
    needed_preflight: bool = False,
) -> _Hop:
    """The hop at ``url``: its origin and the ``Origin`` its requests carry."""
    serialized = "null" if (ctx.req.origin.opaque or tainted) else ctx.page_origin
    # the Origin a preflight here carries, which is also its cache key
    key_origin = serialized
    if tainted and not ctx.profile.tainted_preflight_sends_null:
        key_origin = ctx.page_origin
    return _Hop(
        url=url,
        method=method,
        body=body,
        headers=headers,
        current=origin_of_url(url),
        serialized=serialized,
        key_origin=key_origin,
        cors=cors,
        opaque=opaque,
        tainted=tainted,
        redirects=redirects,
        removed=removed,
        needed_preflight=needed_preflight,
    )


def _finish(out: Outcome, hop: _Hop) -> Outcome:
    """Where the fetch ended, and whether CORS ever applied."""
    out.url = hop.url
    out.same_origin = not hop.cors and not hop.opaque
    return out


def _plain_request(ctx: _Fetch, hop: _Hop, chain: list[Origin]) -> Request:
    """The request of a hop without CORS (still same-origin, or ``no-cors``): ``Origin`` only
    for a method other than GET and HEAD."""
    req, profile = ctx.req, ctx.profile
    # (a no-cors hop's GET after a 302/303 keeps it only if that redirect stayed on one
    # origin, WebKit measured: API 302 to API keeps it, API 303 to another origin does not)
    stayed = len(chain) < 2 or chain[-2].same_origin(chain[-1])
    keeps_origin = (
        profile.same_origin_redirect_keeps_origin
        and req.method not in ("GET", "HEAD")
        and (not hop.opaque or stayed)
    )
    origin = None if hop.method in ("GET", "HEAD") and not keeps_origin else hop.serialized
    added = _actual_added(ctx, hop, chain)
    return _actual_request(
        hop.method, hop.url, hop.headers, hop.body, origin, added, req.mode, req.destination
    )


def _actual_added(ctx: _Fetch, hop: _Hop, chain: list[Origin]) -> tuple[tuple[str, str], ...]:
    """The headers the browser adds to a hop's actual request (not a preflight)."""
    return added_headers(
        ctx.profile,
        ctx.req.origin,
        hop.current,
        chain,
        preflight=False,
        credentials=ctx.req.credentials,
        script=hop.headers,
    )


def _preflight_need(ctx: _Fetch, hop: _Hop) -> tuple[list[str], bool]:
    """The unsafe header names a preflight here would list, and whether one is needed."""
    profile = ctx.profile
    # the script's own lines until a redirect changes them
    unsafe = unsafe_header_names(hop.headers, profile) if hop.redirects else ctx.script_unsafe
    kept = False
    if profile.redirect_keeps_preflight and hop.redirects:
        unsafe = (
            list(ctx.script_unsafe)
            if profile.redirect_preflight_names_removed_headers
            else [n for n in ctx.script_unsafe if n not in hop.removed]
        )
        kept = hop.needed_preflight or bool(ctx.script_unsafe)
    forced = ctx.req.use_cors_preflight  # XHR's upload listeners
    return unsafe, hop.method not in SAFELISTED_METHODS or bool(unsafe) or kept or forced


def _preflight_step(ctx: _Fetch, hop: _Hop, out: Outcome, unsafe: list[str]) -> _Step:
    """The preflight (or a preflight cache hit) before this hop's actual request."""
    cache, profile, req = ctx.cache, ctx.profile, ctx.req
    key_origin, url, method = hop.key_origin, hop.url, hop.method
    reason = preflight_reason(method, unsafe)
    if req.use_cors_preflight and method in SAFELISTED_METHODS and not unsafe:
        reason = "an xhr.upload listener sets the use-CORS-preflight flag"
    cacheable = cache is not None and (
        key_origin != "null"
        or (
            profile.caches_opaque_origin
            and (req.origin.opaque or profile.caches_tainted_null_origin)
        )
    )
    if (
        cache is not None
        and cacheable
        and cache.covers(key_origin, url, ctx.include, method, unsafe, ctx.now)
    ):
        out.preflight_cached = True
        out.notes.append(Note("preflight", f"{reason}; the preflight cache covers it", True))
        return None
    out.notes.append(Note("preflight", f"preflight needed: {reason}"))
    # A new request of its own: its URL list is just this URL, its credentials mode
    # same-origin, and no script header rides along.
    added = added_headers(profile, req.origin, hop.current, (hop.current,), preflight=True)
    preflight = preflight_request(url, key_origin, method, unsafe, added)
    response = yield preflight
    out.exchanges.append(Exchange(preflight, response, "preflight"))
    home = profile.home_preflight_skips_origin_check and req.origin.same_origin(hop.current)
    verdict, warnings = check_preflight(
        response, key_origin, req.credentials, method, unsafe, profile, check_origin=not home
    )
    out.warnings.extend(warnings)
    if isinstance(verdict, Check):
        refused = verdict.kind in REFUSALS and profile.refused_preflight_stores_entry
        if cache is not None and cacheable and refused:
            store_refused(cache, response, profile, key_origin, url, ctx.include, ctx.now)
        return _Stop(
            verdict.kind, "preflight", verdict.parameter, response.status, verdict.token, key_origin
        )
    methods, names, max_age = verdict
    out.notes.append(
        Note("preflight", f"Max-Age: {max_age.seconds}s {max_age.note}".rstrip(), True)
    )
    if cache is not None and cacheable:
        cache.store(key_origin, url, ctx.include, methods, names, max_age.seconds, ctx.now)
    return None


def _send(
    ctx: _Fetch, hop: _Hop, out: Outcome, sent: Request, credentialed: bool
) -> Generator[Request, Response, tuple[Request, Response, bool]]:
    """Send the actual request, unless the HTTP cache answers it: (the request as it went
    out, with its cookies; the response; whether the cache answered)."""
    http = ctx.http
    stored = None
    if http is not None:
        if hop.method not in ("GET", "HEAD") and http.rules.unsafe_methods_invalidate:
            http.invalidate(hop.url)
        stored = http.lookup(sent, credentialed, ctx.req.origin.opaque, ctx.now)
    if stored is None:
        if ctx.attach is not None:
            sent = ctx.attach(sent)
        response = yield sent
        return sent, response, False
    out.http_cached.append(len(out.exchanges))
    out.notes.append(
        Note("actual", f"answered by the HTTP cache ({stored.status}): nothing sent", True)
    )
    return sent, stored, True


def _follow(ctx: _Fetch, hop: _Hop, status: int, location: str) -> _Hop | _Stop:
    """The next hop of a redirect to ``location``, or why the browser refuses to follow it."""
    req = ctx.req
    redirects = hop.redirects + 1
    try:
        target = urljoin(hop.url, location)
        next_origin = origin_of_url(target)
    except ValueError:
        return _Stop("InvalidRedirectLocation", "redirect")
    if next_origin.opaque or next_origin.scheme not in ("http", "https"):
        return _Stop("InvalidRedirectLocation", "redirect")
    if redirects > ctx.profile.max_redirects:
        return _Stop("TooManyRedirects", "redirect")
    parts = urlsplit(target)
    cross = not req.origin.same_origin(next_origin)
    if (parts.username or parts.password) and (hop.cors or (req.mode == "cors" and cross)):
        # WebKit names the URL with its credentials, then the redirection without them.
        bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        return _Stop("RedirectContainsCredentials", "redirect", token=target, redirect_to=bare)
    method, body, headers = hop.method, hop.body, hop.headers
    removed: set[str] = set()
    if (status in (301, 302) and method == "POST") or (
        status == 303 and method not in ("GET", "HEAD")
    ):
        method, body = "GET", None
        headers = [(n, v) for n, v in headers if n.lower() not in _BODY_HEADERS]
        removed.update(_BODY_HEADERS)
    elif (
        method == "DELETE"
        and ctx.profile.cross_origin_redirect_turns_delete_into_get
        and not hop.current.same_origin(next_origin)
    ):
        method, body = "GET", None  # the script's headers stay (WebKitGTK, measured)
    tainted = hop.tainted
    if ctx.profile.mixed_content_upgrades_before_redirect:
        upgraded = _mixed_content_upgrade(req, target, next_origin)
        if upgraded is not None:
            next_origin = origin_of_url(upgraded)  # the hop goes where the upgrade sends it
    if not hop.current.same_origin(next_origin):
        headers = [(n, v) for n, v in headers if n.lower() != "authorization"]
        removed.add("authorization")
        no_cors = req.mode == "no-cors" and ctx.profile.no_cors_redirect_taints
        if no_cors or not req.origin.same_origin(hop.current):
            tainted = True
    return _hop(
        ctx,
        target.split("#", 1)[0],
        method,
        body,
        headers,
        cors=hop.cors,
        opaque=hop.opaque,
        tainted=tainted,
        redirects=redirects,
        removed=frozenset(removed),
        needed_preflight=hop.needed_preflight,
    )


def _failed(ctx: _Fetch, hop: _Hop, out: Outcome, stop: _Stop) -> Outcome:
    """The outcome of a fetch refused at ``hop``: the failure in this browser's words."""
    profile, kind, token = ctx.profile, stop.kind, stop.token
    if kind in MODE_KINDS:
        refused = mode_failure(
            kind,
            url=hop.url,
            page_origin=ctx.page_origin,
            step=stop.step,
            console=profile.console,
            script_error=profile.script_error,
        )
        out.failure = refused
        out.notes.append(Note(stop.step, f"{refused.code}: {_MODE_NOTES[kind]}", False))
        return _finish(out, hop)
    last = out.exchanges[-1] if out.exchanges else None
    firefox = profile.console == "firefox"
    code = None
    if (
        firefox
        and kind == "MultipleAllowOriginValues"
        and last is not None
        and len(last.response.headers.get_all("Access-Control-Allow-Origin")) < 2
    ):
        code = "CORSAllowOriginNotMatchingOrigin"
    if firefox and kind == "PreflightDisallowedRedirect":
        code = "CORSExternalRedirectNotAllowed"
    asked_method, asked_headers = "", tuple[str, ...]()
    if stop.step == "preflight" and last is not None:
        asked = last.request.headers
        asked_method = asked.get("Access-Control-Request-Method") or ""
        listed = asked.get("Access-Control-Request-Headers") or ""
        asked_headers = tuple(n.strip() for n in listed.split(",") if n.strip())
    webkit = profile.console == "webkit"
    if webkit and kind in _WHOLE_VALUE_IN_WEBKIT and last is not None:
        # WebKit names the whole header value that did not parse, not the bad element.
        lines = effective_headers(last.response.headers, profile)
        token = ", ".join(v.strip(" \t") for v in lines.get_all(_WHOLE_VALUE_IN_WEBKIT[kind]))
    failure = make_failure(
        kind,
        url=hop.url,
        origin=stop.origin or hop.serialized,
        initiator=ctx.page_origin,
        step=stop.step,
        parameter=stop.parameter,
        firefox=firefox,
        initial_url=ctx.req.url,
        status=stop.status,
        code_override=code,
        token=token,
        requested_method=asked_method,
        requested_headers=asked_headers,
        webkit=webkit,
        redirect_to=stop.redirect_to,
    )
    out.failure = failure
    label = failure.chromium_error or failure.code
    out.notes.append(Note(stop.step, f"{label} ({failure.code})", False))
    if ctx.cache is not None and hop.cors and profile.failed_fetch_clears_cache:
        ctx.cache.clear(hop.key_origin, hop.url)
    return _finish(out, hop)


def _stopped_before_cors(
    req: FetchRequest, url: str, current: Origin, redirects: int, profile: Profile
) -> Failure | None:
    """The page's own refusal of a request to ``url`` before it starts: the page's CSP
    (``connect-src`` for ``fetch()``, the destination's own directive for an element), then
    mixed content (an https page, an insecure URL), then Local Network Access (a public page,
    a local or loopback address; profiles with ``local_network_access``)."""
    step = "redirect" if redirects else "actual"
    page = req.origin
    directive = csp.directive_for(req.destination)
    found = csp.violations(req.page_csp, url, page, directive=directive, redirected=bool(redirects))
    if found:
        failures = [
            csp_failure(
                url=url,
                directive=(
                    csp.firefox_text(violation.directive, page)
                    if profile.console == "firefox"
                    else violation.directive.text
                ),
                directive_name=violation.directive.name,
                wanted=violation.wanted,
                step=step,
                console=profile.console,
            )
            for violation in found
        ]
        # one console line per violated policy, then the first one's trailing lines (WebKit's
        # "Blocked by Content Security Policy." after a redirect) once
        head, *rest = (f.message.split("\n") for f in failures)
        message = "\n".join([head[0], *(lines[0] for lines in rest), *head[1:]])
        return replace(failures[0], message=message)
    if _mixed_content(req, current, profile):
        return mixed_content_failure(
            url=url,
            page_url=page.serialize() + "/",
            initial_url=req.url,
            step=step,
            console=profile.console,
            destination=req.destination,
        )
    if req.local_network is None or not profile.local_network_access:
        return None
    first = origin_of_url(req.url)
    refusal = lna.check(
        page,
        current,
        req.local_network,
        first=first,
        insecure_refused=profile.lna_refuses_insecure_page,
    )
    if refusal is None:
        return None
    return lna.lna_failure(
        refusal,
        url=url,
        page_origin=page.serialize(),
        initial_url=req.url,
        step=step,
        console=profile.console,
    )


#: Destinations whose mixed content is upgraded to ``https`` instead of blocked (images, audio,
#: video: Chromium 156, Firefox 153 and WebKitGTK 2.50.6 all upgrade an ``<img>``, with or
#: without ``crossorigin``, keeping the port; measured, tests/conformance/test_mixed_content.py).
UPGRADED_DESTINATIONS = ("image", "audio", "video")


def _mixed_content(req: FetchRequest, current: Origin, profile: Profile) -> bool:
    """Whether an ``https`` page's request to ``current`` is mixed content that is blocked."""
    if not req.mixed_content or req.origin.opaque or req.origin.scheme != "https":
        return False
    if current.opaque or current.scheme != "http":
        return False
    exempt_ip = profile.mixed_content_exempts_local_ip and _is_ip(current.host)
    if exempt_ip and lna.address_space(current.host) == "local":
        return False  # Local Network Access decides instead
    if req.destination in UPGRADED_DESTINATIONS:
        # an image from a loopback host loads over http, not upgraded, in all three (WebKit
        # too, which blocks a fetch() there); other hosts are upgraded, never blocked, except
        # an IP literal, which is not upgraded (Chromium blocks it)
        if profile.mixed_content_blocks_ip_media and _is_ip(current.host):
            return not is_potentially_trustworthy(current)
        return False
    return not (profile.mixed_content_allows_loopback and is_potentially_trustworthy(current))


def _mixed_content_upgrade(req: FetchRequest, url: str, current: Origin) -> str | None:
    """The ``https`` URL an upgradable mixed-content request goes to instead (``None``: not
    upgraded). A loopback host or an IP address is not upgraded (Chromium's console: "not
    upgraded to HTTPS because its URL's host is an IP address"; loopback measured)."""
    if req.destination not in UPGRADED_DESTINATIONS or not req.mixed_content:
        return None
    if req.origin.opaque or req.origin.scheme != "https" or current.opaque:
        return None
    if current.scheme != "http" or is_potentially_trustworthy(current):
        return None
    if _is_ip(current.host):
        return None
    return "https" + url[len("http") :]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _actual_request(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    origin: str | None,
    added: tuple[tuple[str, str], ...] = (),
    mode: str = "cors",
    destination: str = "empty",
) -> Request:
    pairs = list(headers)
    if mode != "cors" or destination != "empty":
        # the browser's Sec-Fetch-Mode and -Dest name the request's mode and destination
        replaced = {"Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": destination}
        added = tuple((n, replaced.get(n, v)) for n, v in added)
    if not any(n.lower() == "accept" for n, _ in pairs):
        pairs.insert(0, ("Accept", "*/*"))
    if origin is not None:
        pairs.append(("Origin", origin))
    pairs += added
    # the script's lines were checked and made plain text by prepare_request; ours are text
    return Request(method, url, trusted_headers(tuple(pairs)), body)
