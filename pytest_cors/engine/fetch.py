"""The fetch algorithm as a sans-I/O generator: it yields requests and is sent responses.

``run_fetch`` walks Fetch's main fetch for one ``fetch()`` call: same-origin or CORS, the
preflight (or a cache hit), the actual request, the CORS check on every response including
redirects, and redirect processing with origin tainting. It never touches the network; the
drivers in :mod:`pytest_cors.flow` carry its requests to a target, sync or async alike.
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from pytest_cors.engine import csp
from pytest_cors.engine.added import added_headers, is_potentially_trustworthy
from pytest_cors.engine.cache import PreflightCache
from pytest_cors.engine.profiles import Profile
from pytest_cors.engine.request import (
    SAFELISTED_METHODS,
    HeadersArg,
    normalize_credentials,
    normalize_method,
    prepare_headers,
    unsafe_header_names,
)
from pytest_cors.engine.response import (
    Check,
    MaxAge,
    basic_readable_headers,
    cors_check,
    effective_headers,
    parse_header_list,
    parse_max_age,
    readable_headers,
)
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.failures import (
    CorsWarning,
    Failure,
    csp_failure,
    make_failure,
    mixed_content_failure,
)
from pytest_cors.http import (
    Exchange,
    Headers,
    Request,
    Response,
    redact_url,
    redact_value,
    trusted_headers,
)
from pytest_cors.origin import Origin, origin_of_url, parse_origin

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Failure kinds whose WebKit console line names a whole response header's value.
_WHOLE_VALUE_IN_WEBKIT = {
    "InvalidAllowMethodsPreflightResponse": "Access-Control-Allow-Methods",
    "InvalidAllowHeadersPreflightResponse": "Access-Control-Allow-Headers",
}
_BODY_HEADERS = ("content-encoding", "content-language", "content-location", "content-type")


@dataclass(frozen=True)
class FetchRequest:
    """What the page's script asked for, validated as ``fetch()`` validates it."""

    url: str
    origin: Origin
    method: str
    headers: tuple[tuple[str, str], ...]
    credentials: str
    body: bytes | None
    warnings: tuple[CorsWarning, ...] = ()
    #: The page's ``Content-Security-Policy`` (``None``: the page has none).
    page_csp: str | None = None
    #: Block an ``https`` page's requests to plain ``http`` (mixed content). Off by default:
    #: in-process targets answer at ``http://testserver`` while tests name ``https`` pages.
    mixed_content: bool = False

    def __repr__(self) -> str:
        # pytest prints reprs on a failing assert and in JUnit XML: no secret values, no body
        headers = tuple((k, redact_value(k, v)) for k, v in self.headers)
        body = "None" if self.body is None else f"<{len(self.body)} bytes>"
        return (
            f"FetchRequest(url={redact_url(self.url)!r}, origin={self.origin!r}, "
            f"method={self.method!r}, "
            f"headers={headers!r}, credentials={self.credentials!r}, body={body}, "
            f"warnings={self.warnings!r})"
        )


def prepare_request(
    url: str,
    *,
    origin: str | Origin,
    method: str = "GET",
    headers: HeadersArg = None,
    credentials: object = "omit",
    body: str | bytes | None = None,
    profile: Profile,
    page_csp: str | None = None,
    mixed_content: bool = False,
) -> FetchRequest:
    """Check the arguments like ``fetch()`` does (a usage error where it would throw)."""
    page_origin = origin if isinstance(origin, Origin) else parse_origin(origin)
    try:
        target_origin = origin_of_url(url)
    except ValueError as exc:
        raise CorsUsageError(f"cannot fetch {url!r}: {exc}") from None
    if not target_origin.opaque and not _has_host(url):
        raise CorsUsageError(f"cannot fetch {url!r}: it has no host")
    normalized = normalize_method(method)
    mode = normalize_credentials(credentials)
    if isinstance(body, str):
        data: bytes | None = body.encode("utf-8")
    elif body is None or isinstance(body, bytes):
        data = body
    else:
        raise CorsUsageError(f"body must be str, bytes or None, got {type(body).__name__}")
    if data is not None and normalized in ("GET", "HEAD"):
        raise CorsUsageError(
            "Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body."
        )
    if page_csp is not None and not isinstance(page_csp, str):
        raise CorsUsageError(f"page_csp must be a str or None, got {type(page_csp).__name__}")
    prepared = prepare_headers(headers, data, profile)
    return FetchRequest(
        url=url.split("#", 1)[0],
        origin=page_origin,
        method=normalized,
        headers=prepared.pairs,
        credentials=mode,
        body=data,
        warnings=prepared.warnings,
        page_csp=page_csp or None,
        mixed_content=mixed_content,
    )


@functools.lru_cache(maxsize=1024)
def _has_host(url: str) -> bool:
    """Whether ``url`` names a host (cached, like the origin parsing it follows)."""
    return bool(urlsplit(url).netloc)


@dataclass(frozen=True)
class Note:
    """One line of the story: which step, what was checked, and whether it passed."""

    step: str
    text: str
    ok: bool | None = None


@dataclass
class Outcome:
    """What a browser would do with one ``fetch()``: the verdict and the whole story."""

    request: FetchRequest
    browser: str
    allowed: bool = False
    exchanges: list[Exchange] = field(default_factory=list)
    failure: Failure | None = None
    warnings: list[CorsWarning] = field(default_factory=list)
    readable_headers: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    #: CORS never applied: every hop stayed same-origin with the page (tainting "basic")
    same_origin: bool = False
    preflight_cached: bool = False
    url: str = ""
    #: Indices into ``exchanges`` the HTTP cache answered: those requests were never sent.
    http_cached: list[int] = field(default_factory=list)

    @property
    def preflight(self) -> Exchange | None:
        """The last preflight sent (``None`` when none was needed or the cache answered)."""
        return next((e for e in reversed(self.exchanges) if e.kind == "preflight"), None)

    @property
    def actual(self) -> Exchange | None:
        """The last actual request and its response (``None`` when a preflight blocked it)."""
        return next((e for e in reversed(self.exchanges) if e.kind == "actual"), None)

    @property
    def preflights(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.kind == "preflight"]

    @property
    def status(self) -> int | None:
        """The status the page sees; ``None`` when ``fetch()`` rejected."""
        actual = self.actual
        return actual.response.status if self.allowed and actual else None

    @property
    def redirected(self) -> bool:
        return sum(1 for e in self.exchanges if e.kind == "actual") > 1

    def explain(self) -> str:
        """The whole story as text: requests, responses, each check and its result."""
        from pytest_cors.engine.story import explain

        return explain(self)

    def __repr__(self) -> str:
        verdict = "allowed" if self.allowed else f"blocked ({self.failure and self.failure.code})"
        return (
            f"<Outcome {self.request.method} {redact_url(self.request.url)} from "
            f"{self.request.origin.serialize()}: {verdict}>"
        )


FetchFlow = Generator[Request, Response, Outcome]


def run_fetch(
    req: FetchRequest, profile: Profile, cache: PreflightCache | None = None, now: float = 0.0
) -> FetchFlow:
    """Drive one ``fetch()``: yields each request to send, receives its response.

    It may return without yielding at all: a fetch refused before any request, or one the
    page's caches answer entirely (a fresh stored response), sends nothing.
    """
    page_origin = req.origin.serialize()
    http = cache.http_for(page_origin) if cache is not None else None
    out = Outcome(request=req, browser=profile.name, warnings=list(req.warnings))
    url, method, body = req.url, req.method, req.body
    headers = list(req.headers)
    include = req.credentials == "include"
    cors_tainting = False
    tainted = False
    redirects = 0
    # Firefox decides "needs a preflight" from the request as the script made it, and a later
    # hop never un-decides it (redirect_keeps_preflight): the script's unsafe names, less those
    # the latest redirect removed, and whether any earlier hop needed a preflight.
    script_unsafe = unsafe_header_names(headers, profile)
    removed_by_redirect: set[str] = set()
    needed_preflight = False
    unread: tuple[Request, bool, Response] | None = None
    # Every URL the request has been at (Sec-Fetch-Site looks at the whole redirect chain).
    hops: list[Origin] = []

    def fail(
        kind: str,
        step: str,
        parameter: str = "",
        status: int | None = None,
        token: str = "",
        origin: str | None = None,
        redirect_to: str | None = None,
    ) -> Outcome:
        firefox = profile.console == "firefox"
        code = None
        if (
            firefox
            and kind == "MultipleAllowOriginValues"
            and len(out.exchanges[-1].response.headers.get_all("Access-Control-Allow-Origin")) < 2
        ):
            code = "CORSAllowOriginNotMatchingOrigin"
        if firefox and kind == "PreflightDisallowedRedirect":
            code = "CORSExternalRedirectNotAllowed"
        asked_method, asked_headers = "", tuple[str, ...]()
        if step == "preflight" and out.exchanges:
            asked = out.exchanges[-1].request.headers
            asked_method = asked.get("Access-Control-Request-Method") or ""
            listed = asked.get("Access-Control-Request-Headers") or ""
            asked_headers = tuple(n.strip() for n in listed.split(",") if n.strip())
        webkit = profile.console == "webkit"
        if webkit and kind in _WHOLE_VALUE_IN_WEBKIT:
            # WebKit names the whole header value that did not parse, not the bad element.
            lines = effective_headers(out.exchanges[-1].response.headers, profile)
            token = ", ".join(v.strip(" \t") for v in lines.get_all(_WHOLE_VALUE_IN_WEBKIT[kind]))
        out.failure = make_failure(
            kind,
            url=url,
            origin=origin or serialized,
            initiator=page_origin,
            step=step,
            parameter=parameter,
            firefox=firefox,
            initial_url=req.url,
            status=status,
            code_override=code,
            token=token,
            requested_method=asked_method,
            requested_headers=asked_headers,
            webkit=webkit,
            redirect_to=redirect_to,
        )
        label = out.failure.chromium_error or out.failure.code
        out.notes.append(Note(step, f"{label} ({out.failure.code})", False))
        if cache is not None and cors_tainting and profile.failed_fetch_clears_cache:
            cache.clear(key_origin, url)
        out.url = url
        out.same_origin = not cors_tainting
        return out

    while True:
        current = origin_of_url(url)
        hops.append(current)
        serialized = "null" if (req.origin.opaque or tainted) else page_origin
        # The Origin a preflight here carries, which is also its cache key.
        key_origin = serialized
        if tainted and not profile.tainted_preflight_sends_null:
            key_origin = page_origin
        stopped = _stopped_before_cors(req, url, current, redirects, profile)
        if stopped is not None:
            # Nothing is sent: the page refused the request before any CORS step.
            out.failure = stopped
            out.notes.append(Note(stopped.step, f"{stopped.code}: nothing sent", False))
            out.url = url
            out.same_origin = not cors_tainting
            return out
        if not cors_tainting and req.origin.same_origin(current):
            sent = _actual_request(
                method,
                url,
                headers,
                body,
                None
                if method in ("GET", "HEAD")
                and not (
                    profile.same_origin_redirect_keeps_origin and req.method not in ("GET", "HEAD")
                )
                else serialized,
                added_headers(
                    profile,
                    req.origin,
                    current,
                    hops,
                    preflight=False,
                    credentials=req.credentials,
                    script=headers,
                ),
            )
            out.notes.append(Note("actual", f"same-origin request to {url}: no CORS check", True))
        else:
            if current.opaque or current.scheme not in ("http", "https"):
                return fail("CorsDisabledScheme", "actual")
            cors_tainting = True
            # the script's own lines until a redirect changes them
            unsafe = unsafe_header_names(headers, profile) if redirects else script_unsafe
            kept = False
            if profile.redirect_keeps_preflight and redirects:
                unsafe = (
                    list(script_unsafe)
                    if profile.redirect_preflight_names_removed_headers
                    else [n for n in script_unsafe if n not in removed_by_redirect]
                )
                kept = needed_preflight or bool(script_unsafe)
            if method not in SAFELISTED_METHODS or unsafe or kept:
                needed_preflight = True
                reason = _preflight_reason(method, unsafe)
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
                    and cache.covers(key_origin, url, include, method, unsafe, now)
                ):
                    out.preflight_cached = True
                    out.notes.append(
                        Note("preflight", f"{reason}; the preflight cache covers it", True)
                    )
                else:
                    out.notes.append(Note("preflight", f"preflight needed: {reason}"))
                    # A new request of its own: its URL list is just this URL, its
                    # credentials mode same-origin, and no script header rides along.
                    added = added_headers(profile, req.origin, current, (current,), preflight=True)
                    preflight = _preflight_request(url, key_origin, method, unsafe, added)
                    response = yield preflight
                    out.exchanges.append(Exchange(preflight, response, "preflight"))
                    verdict = _check_preflight(
                        response, key_origin, req.credentials, method, unsafe, profile, out
                    )
                    if isinstance(verdict, Check):
                        if (
                            cache is not None
                            and cacheable
                            and profile.refused_preflight_stores_entry
                            and verdict.kind in _REFUSALS
                        ):
                            _store_refused(cache, response, profile, key_origin, url, include, now)
                        return fail(
                            verdict.kind,
                            "preflight",
                            verdict.parameter,
                            response.status,
                            verdict.token,
                            key_origin,
                        )
                    methods, names, max_age = verdict
                    out.notes.append(
                        Note(
                            "preflight",
                            f"Max-Age: {max_age.seconds}s {max_age.note}".rstrip(),
                            True,
                        )
                    )
                    if cache is not None and cacheable:
                        cache.store(key_origin, url, include, methods, names, max_age.seconds, now)
            added = added_headers(
                profile,
                req.origin,
                current,
                hops,
                preflight=False,
                credentials=req.credentials,
                script=headers,
            )
            sent = _actual_request(method, url, headers, body, serialized, added)
        # The HTTP cache: a fresh stored response answers without a request; what was sent
        # (and the page never read, after a failed check) is kept as the browser keeps it.
        credentialed = include or (req.credentials == "same-origin" and not cors_tainting)
        stored = None
        if http is not None:
            if method not in ("GET", "HEAD") and http.rules.unsafe_methods_invalidate:
                http.invalidate(url)
            stored = http.lookup(sent, credentialed, req.origin.opaque, now)
        if stored is not None:
            response = stored
            out.http_cached.append(len(out.exchanges))
            out.notes.append(
                Note(
                    "actual", f"answered by the HTTP cache ({response.status}): nothing sent", True
                )
            )
        else:
            response = yield sent
        out.exchanges.append(Exchange(sent, response, "actual"))
        effective = effective_headers(response.headers, profile)
        _warn_malformed_names(response.headers, effective, profile, out)
        location = redirect_location(response.status, effective)
        if http is not None and stored is None:
            if location is not None or http.rules.stores_unread_responses:
                http.store(sent, credentialed, req.origin.opaque, response, now)
            else:
                unread = (sent, credentialed, response)
        if cors_tainting:
            check = cors_check(effective, serialized, req.credentials)
            if check is not None:
                # WebKit words a check failing on a redirect as a denied redirection to it.
                denied = urljoin(url, location) if location is not None else None
                return fail(
                    check.kind, "actual", check.parameter, response.status, redirect_to=denied
                )
            out.notes.append(
                Note(
                    "actual",
                    f"CORS check passed for origin {serialized} (status {response.status})",
                    True,
                )
            )
        if location is not None:
            redirects += 1
            try:
                target = urljoin(url, location)
                next_origin = origin_of_url(target)
            except ValueError:
                return fail("InvalidRedirectLocation", "redirect")
            if next_origin.opaque or next_origin.scheme not in ("http", "https"):
                return fail("InvalidRedirectLocation", "redirect")
            if redirects > profile.max_redirects:
                return fail("TooManyRedirects", "redirect")
            parts = urlsplit(target)
            if (parts.username or parts.password) and (
                cors_tainting or not req.origin.same_origin(next_origin)
            ):
                # WebKit names the URL with its credentials, then the redirection without them.
                bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
                return fail(
                    "RedirectContainsCredentials", "redirect", token=target, redirect_to=bare
                )
            removed_by_redirect = set()
            if (response.status in (301, 302) and method == "POST") or (
                response.status == 303 and method not in ("GET", "HEAD")
            ):
                method, body = "GET", None
                headers = [(n, v) for n, v in headers if n.lower() not in _BODY_HEADERS]
                removed_by_redirect.update(_BODY_HEADERS)
            if not current.same_origin(next_origin):
                headers = [(n, v) for n, v in headers if n.lower() != "authorization"]
                removed_by_redirect.add("authorization")
                if not req.origin.same_origin(current):
                    tainted = True
            out.notes.append(Note("redirect", f"{response.status} redirect to {target}", True))
            url = target.split("#", 1)[0]
            continue
        out.allowed = True
        if http is not None and unread is not None:
            # Read to the end by the page: now Chromium's cache completes the entry.
            http.store(unread[0], unread[1], req.origin.opaque, unread[2], now)
        out.url = url
        out.same_origin = not cors_tainting
        if cors_tainting:
            out.readable_headers = readable_headers(effective, req.credentials, profile)
        else:
            out.readable_headers = basic_readable_headers(effective, profile)
        return out


def _stopped_before_cors(
    req: FetchRequest, url: str, current: Origin, redirects: int, profile: Profile
) -> Failure | None:
    """The page's own refusal of a request to ``url`` before it starts: the page's CSP
    (``connect-src`` for ``fetch()``), then mixed content (an https page, an insecure URL)."""
    step = "redirect" if redirects else "actual"
    page = req.origin
    violation = csp.check(req.page_csp, url, page, redirected=bool(redirects))
    if violation is not None:
        return csp_failure(
            url=url,
            directive=violation.directive.text,
            directive_name=violation.directive.name,
            wanted=violation.wanted,
            step=step,
            console=profile.console,
        )
    if not req.mixed_content or page.opaque or page.scheme != "https":
        return None
    if current.opaque or current.scheme != "http":
        return None
    if profile.mixed_content_allows_loopback and is_potentially_trustworthy(current):
        return None
    return mixed_content_failure(
        url=url,
        page_url=page.serialize() + "/",
        initial_url=req.url,
        step=step,
        console=profile.console,
    )


_REFUSALS = frozenset(
    {"MethodDisallowedByPreflightResponse", "HeaderDisallowedByPreflightResponse"}
)


def _store_refused(
    cache: PreflightCache,
    response: Response,
    profile: Profile,
    origin: str,
    url: str,
    include: bool,
    now: float,
) -> None:
    """Cache what a preflight allowed although it refused this request's method or a header."""
    headers = effective_headers(response.headers, profile)
    try:
        methods = parse_header_list(headers, "Access-Control-Allow-Methods") or []
        names = parse_header_list(headers, "Access-Control-Allow-Headers") or []
    except ValueError:
        return
    max_age = parse_max_age(headers, profile)
    cache.store(origin, url, include, methods, names, max_age.seconds, now)


def redirect_location(status: int, headers: Headers) -> str | None:
    """The ``Location`` a redirect response points at, ``None`` when it is no redirect.

    Only 301/302/303/307/308 redirect, and only with a non-empty ``Location``; of several
    lines the first non-empty one counts (as Chromium's network stack reads it).
    """
    if status not in REDIRECT_STATUSES:
        return None
    return next((v.strip(" \t") for v in headers.get_all("Location") if v.strip(" \t")), None)


def _preflight_reason(method: str, unsafe: list[str]) -> str:
    parts = []
    if method not in SAFELISTED_METHODS:
        parts.append(f"method {method} is not GET, HEAD or POST")
    if unsafe:
        parts.append(f"request headers {', '.join(unsafe)} are not CORS-safelisted")
    if not parts:
        return (
            "the request needed a preflight before the redirect, and this browser keeps "
            "preflighting every later hop"
        )
    return " and ".join(parts)


def _preflight_request(
    url: str,
    origin: str,
    method: str,
    unsafe: list[str],
    added: tuple[tuple[str, str], ...] = (),
) -> Request:
    headers = [("Accept", "*/*"), ("Origin", origin), ("Access-Control-Request-Method", method)]
    if unsafe:
        headers.append(("Access-Control-Request-Headers", ",".join(unsafe)))
    headers += added  # the browser's own lines, after the decision: they never change it
    return Request("OPTIONS", url, trusted_headers(tuple(headers)))  # all text, ours or checked


def _actual_request(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    origin: str | None,
    added: tuple[tuple[str, str], ...] = (),
) -> Request:
    pairs = list(headers)
    if not any(n.lower() == "accept" for n, _ in pairs):
        pairs.insert(0, ("Accept", "*/*"))
    if origin is not None:
        pairs.append(("Origin", origin))
    pairs += added
    # the script's lines were checked and made plain text by prepare_request; ours are text
    return Request(method, url, trusted_headers(tuple(pairs)), body)


def _check_preflight(
    response: Response,
    origin: str,
    credentials: str,
    method: str,
    unsafe: list[str],
    profile: Profile,
    out: Outcome,
) -> Check | tuple[list[str], list[str], MaxAge]:
    """The preflight checks in Chromium's order; the first failure is the one reported."""
    headers = effective_headers(response.headers, profile)
    _warn_malformed_names(response.headers, headers, profile, out)
    redirect = redirect_location(response.status, headers) is not None
    if redirect and profile.preflight_redirect_reported:
        return Check("PreflightDisallowedRedirect")
    ok_status = 200 <= response.status <= 299
    if not ok_status and profile.preflight_status_before_allow_origin:
        return Check("PreflightInvalidStatus")
    check = cors_check(headers, origin, credentials)
    if check is not None:
        return check
    if not ok_status:
        return Check("PreflightInvalidStatus")
    include = credentials == "include"
    try:
        methods = parse_header_list(headers, "Access-Control-Allow-Methods") or []
    except ValueError as bad:
        return Check("InvalidAllowMethodsPreflightResponse", token=str(bad))
    wildcard = "*" in methods and not include
    method_ok = method in SAFELISTED_METHODS or method in methods or wildcard
    if not method_ok and profile.method_check_before_header_parse:
        return Check("MethodDisallowedByPreflightResponse", method)
    try:
        names = parse_header_list(headers, "Access-Control-Allow-Headers") or []
    except ValueError as bad:
        return Check("InvalidAllowHeadersPreflightResponse", token=str(bad))
    if not method_ok:
        return Check("MethodDisallowedByPreflightResponse", method)
    listed = {n.lower() for n in names}
    for name in unsafe:
        if name in listed:
            continue
        if "*" in names and not include:
            if name != "authorization":
                continue
            if profile.wildcard_covers_authorization:
                out.warnings.append(
                    CorsWarning(
                        "AuthorizationCoveredByWildcard",
                        "Access-Control-Allow-Headers: * let the Authorization header through, "
                        "as browsers do today with a deprecation warning; the Fetch Standard "
                        "requires listing Authorization explicitly.",
                    )
                )
                continue
        return Check("HeaderDisallowedByPreflightResponse", name)
    max_age = parse_max_age(headers, profile)
    if max_age.seconds == 0 and max_age.note and profile.negative_max_age_disables_cache:
        raw = headers.get("Access-Control-Max-Age") or ""
        if raw.startswith("-"):
            out.warnings.append(
                CorsWarning(
                    "NegativeMaxAge",
                    f"Access-Control-Max-Age {raw} disables the preflight cache in this browser; "
                    "the Fetch Standard treats it as unparsable and caches for 5 seconds.",
                )
            )
    return methods, names, max_age


def _warn_malformed_names(raw: Headers, kept: Headers, profile: Profile, out: Outcome) -> None:
    if raw is kept:
        return
    bad = sorted({n.strip() for n, _ in raw if n != n.strip(" \t")})
    if not bad:
        return  # only the values changed (made valid UTF-8): no malformed line
    what = (
        "accepted them with the name trimmed"
        if profile.accepts_space_before_colon
        else "ignored them"
    )
    out.warnings.append(
        CorsWarning(
            "MalformedHeaderLine",
            f"response header lines with blanks around the name ({', '.join(bad)}): "
            f"this browser {what}; Chromium accepts such lines, Firefox and the standard "
            "drop them.",
        )
    )
