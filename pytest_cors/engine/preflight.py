"""The CORS preflight: why one is needed, its request, and the checks on its response.

Checks return data (a refusal or what the response allows, plus warnings); the fetch
algorithm in :mod:`pytest_cors.engine.fetch` decides what to record. Pure: no I/O.
"""

from __future__ import annotations

from pytest_cors.engine.cache import PreflightCache
from pytest_cors.engine.profiles import Profile
from pytest_cors.engine.request import SAFELISTED_METHODS
from pytest_cors.engine.response import (
    Check,
    MaxAge,
    cors_check,
    effective_headers,
    parse_header_list,
    parse_max_age,
)
from pytest_cors.failures import CorsWarning
from pytest_cors.http import Headers, Request, Response, trusted_headers

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def redirect_location(status: int, headers: Headers) -> str | None:
    """The ``Location`` a redirect response points at, ``None`` when it is no redirect.

    Only 301/302/303/307/308 redirect, and only with a non-empty ``Location``; of several
    lines the first non-empty one counts (as Chromium's network stack reads it).
    """
    if status not in REDIRECT_STATUSES:
        return None
    return next((v.strip(" \t") for v in headers.get_all("Location") if v.strip(" \t")), None)


REFUSALS = frozenset({"MethodDisallowedByPreflightResponse", "HeaderDisallowedByPreflightResponse"})


def store_refused(
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


def preflight_reason(method: str, unsafe: list[str]) -> str:
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


def preflight_request(
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


def check_preflight(
    response: Response,
    origin: str,
    credentials: str,
    method: str,
    unsafe: list[str],
    profile: Profile,
    *,
    check_origin: bool = True,
) -> tuple[Check | tuple[list[str], list[str], MaxAge], list[CorsWarning]]:
    """The preflight checks in Chromium's order: the first failure (the one reported), or what
    the response allows; and the warnings the response earned on the way. ``check_origin``
    ``False`` skips the ACAO and ACAC checks (``Profile.home_preflight_skips_origin_check``)."""
    headers = effective_headers(response.headers, profile)
    warnings: list[CorsWarning] = []
    malformed = malformed_names(response.headers, headers, profile)
    if malformed is not None:
        warnings.append(malformed)
    redirect = redirect_location(response.status, headers) is not None
    if redirect and profile.preflight_redirect_reported:
        return Check("PreflightDisallowedRedirect"), warnings
    ok_status = 200 <= response.status <= 299
    if not ok_status and profile.preflight_status_before_allow_origin:
        return Check("PreflightInvalidStatus"), warnings
    check = cors_check(headers, origin, credentials) if check_origin else None
    if check is not None:
        return check, warnings
    if not ok_status:
        return Check("PreflightInvalidStatus"), warnings
    include = credentials == "include"
    try:
        methods = parse_header_list(headers, "Access-Control-Allow-Methods") or []
    except ValueError as bad:
        return Check("InvalidAllowMethodsPreflightResponse", token=str(bad)), warnings
    wildcard = "*" in methods and not include
    method_ok = method in SAFELISTED_METHODS or method in methods or wildcard
    if not method_ok and profile.method_check_before_header_parse:
        return Check("MethodDisallowedByPreflightResponse", method), warnings
    try:
        names = parse_header_list(headers, "Access-Control-Allow-Headers") or []
    except ValueError as bad:
        return Check("InvalidAllowHeadersPreflightResponse", token=str(bad)), warnings
    if not method_ok:
        return Check("MethodDisallowedByPreflightResponse", method), warnings
    listed = {n.lower() for n in names}
    for name in unsafe:
        if name in listed:
            continue
        if "*" in names and not include:
            if name != "authorization":
                continue
            if profile.wildcard_covers_authorization:
                warnings.append(
                    CorsWarning(
                        "AuthorizationCoveredByWildcard",
                        "Access-Control-Allow-Headers: * let the Authorization header through, "
                        "as browsers do today with a deprecation warning; the Fetch Standard "
                        "requires listing Authorization explicitly.",
                    )
                )
                continue
        return Check("HeaderDisallowedByPreflightResponse", name), warnings
    max_age = parse_max_age(headers, profile)
    if max_age.seconds == 0 and max_age.note and profile.negative_max_age_disables_cache:
        raw = headers.get("Access-Control-Max-Age") or ""
        if raw.startswith("-"):
            warnings.append(
                CorsWarning(
                    "NegativeMaxAge",
                    f"Access-Control-Max-Age {raw} disables the preflight cache in this browser; "
                    "the Fetch Standard treats it as unparsable and caches for 5 seconds.",
                )
            )
    return (methods, names, max_age), warnings


def malformed_names(raw: Headers, kept: Headers, profile: Profile) -> CorsWarning | None:
    """The warning for response header lines with blanks around the name, if any."""
    if raw is kept:
        return None
    bad = sorted({n.strip() for n, _ in raw if n != n.strip(" \t")})
    if not bad:
        return None  # only the values changed (made valid UTF-8): no malformed line
    what = (
        "accepted them with the name trimmed"
        if profile.accepts_space_before_colon
        else "ignored them"
    )
    return CorsWarning(
        "MalformedHeaderLine",
        f"response header lines with blanks around the name ({', '.join(bad)}): "
        f"this browser {what}; Chromium accepts such lines, Firefox and the standard "
        "drop them.",
    )
