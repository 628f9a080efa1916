"""The request side: what a page may send, and which requests need a preflight.

Implements Fetch's method normalisation, forbidden methods and request-headers, the
CORS-safelisted request-header rules (every value rule, the 128-byte and 1024-byte limits) and
"CORS-unsafe request-header names" (reference §2–§4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pytest_cors._memo import memoised
from pytest_cors.engine.lna import LocalNetwork
from pytest_cors.engine.outcome import FetchRequest
from pytest_cors.engine.profiles import Profile
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.failures import CorsWarning
from pytest_cors.http import redact_value
from pytest_cors.origin import Origin, origin_of_url, parse_origin

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
_NORMALISED_METHODS = {"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
_FORBIDDEN_METHODS = {"CONNECT", "TRACE", "TRACK"}
_FORBIDDEN_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
_METHOD_OVERRIDE_HEADERS = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)
_UNSAFE_BYTES = frozenset(
    [chr(c) for c in range(0x20) if c != 0x09] + list('"():<>?@[\\]{}') + ["\x7f"]
)
_LANGUAGE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
_SAFE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_RANGE = re.compile(r"bytes=([0-9]+)-([0-9]*)")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")
_HTWS = " \t\r\n"
CREDENTIALS_MODES = ("omit", "same-origin", "include")
RequestMode = Literal["cors", "no-cors", "same-origin"]
"""``fetch()``'s ``mode``: the kit simulates these three (``navigate`` is no script's)."""
RedirectMode = Literal["follow", "manual", "error"]
"""``fetch()``'s ``redirect`` option."""
REQUEST_MODES: tuple[RequestMode, ...] = ("cors", "no-cors", "same-origin")
REDIRECT_MODES: tuple[RedirectMode, ...] = ("follow", "manual", "error")
#: What a ``no-cors`` request keeps: the no-CORS-safelisted names, with safelisted values.
_NO_CORS_NAMES = frozenset({"accept", "accept-language", "content-language", "content-type"})


def normalize_method(method: str) -> str:
    """Validate a script-supplied method the way ``fetch()`` does and normalise its case."""
    if type(method) is str and method in _NORMALISED_METHODS:
        return method  # already a valid, normalised method: the common case, answered at once
    if isinstance(method, str):
        # the characters themselves: str() of a ``class M(str, Enum)`` member is "M.DELETE"
        # (only enum.StrEnum gives its value), but fetch() is handed the member's value
        method = str.__str__(method)
    if not isinstance(method, str) or not TOKEN.fullmatch(method):
        raise CorsUsageError(
            f"Failed to execute 'fetch' on 'Window': '{method}' is not a valid HTTP method. "
            "A method must be an HTTP token such as GET, PUT or PATCH."
        )
    upper = method.upper()
    if upper in _FORBIDDEN_METHODS:
        raise CorsUsageError(
            f"Failed to execute 'fetch' on 'Window': '{method}' HTTP method is unsupported. "
            "Browsers refuse CONNECT, TRACE and TRACK."
        )
    return upper if upper in _NORMALISED_METHODS else method


def normalize_credentials(credentials: object) -> str:
    """``"omit"``/``"same-origin"``/``"include"``, or a bool (``True`` means ``"include"``)."""
    if credentials is True:
        return "include"
    if credentials is False or credentials is None:
        return "omit"
    if isinstance(credentials, str) and credentials in CREDENTIALS_MODES:
        return credentials
    raise CorsUsageError(
        f"unknown credentials mode {credentials!r}; use 'omit', 'same-origin', 'include' "
        "or a bool (True means 'include')"
    )


def normalize_mode(mode: object) -> RequestMode:
    """A request mode ``fetch()`` accepts, or the usage error it would throw."""
    for known in REQUEST_MODES:
        if mode == known:
            return known
    raise CorsUsageError(
        f"unknown request mode {mode!r}; use 'cors' (the default), 'no-cors' or 'same-origin'"
        + (
            " ('navigate' is the browser's own, no script can ask for it)"
            if mode == "navigate"
            else ""
        )
    )


def normalize_redirect(redirect: object) -> RedirectMode:
    """A redirect mode ``fetch()`` accepts, or the usage error it would throw."""
    for known in REDIRECT_MODES:
        if redirect == known:
            return known
    raise CorsUsageError(
        f"unknown redirect mode {redirect!r}; use 'follow' (the default), 'manual' or 'error'"
    )


def is_forbidden_header(name: str, value: str) -> bool:
    """Whether a page's ``fetch()`` can never set this header (Fetch's forbidden request-header)."""
    lname = name.lower()
    if lname in _FORBIDDEN_HEADERS or lname.startswith(("proxy-", "sec-")):
        return True
    if lname in _METHOD_OVERRIDE_HEADERS:
        return any(v.strip(_HTWS).upper() in _FORBIDDEN_METHODS for v in value.split(","))
    return False


def _has_unsafe_byte(value: str) -> bool:
    return any(c in _UNSAFE_BYTES for c in value)


def _content_type_safe(value: str) -> bool:
    if _has_unsafe_byte(value):
        return False
    essence = value.split(";", 1)[0].strip(_HTWS)
    type_, slash, subtype = essence.partition("/")
    if not slash or not TOKEN.fullmatch(type_) or not TOKEN.fullmatch(subtype):
        return False
    return essence.lower() in _SAFE_CONTENT_TYPES


def _range_safe(value: str, unit_any_case: bool = False) -> bool:
    if unit_any_case and value[:6].lower() == "bytes=":
        value = "bytes=" + value[6:]  # WebKit compares the unit ASCII case-insensitively
    match = _RANGE.fullmatch(value)
    if not match:
        return False
    start, end = match.groups()
    return end == "" or int(start) <= int(end)


def _client_hint_safe(lname: str, value: str) -> bool | None:
    """Chromium's extra safelisted names; ``None`` when ``lname`` is not one of them."""
    if lname in ("dpr", "device-memory", "downlink"):
        return bool(_DECIMAL.fullmatch(value))
    if lname in ("width", "viewport-width", "rtt"):
        return bool(_DIGITS.fullmatch(value))
    if lname == "ect":
        return value in ("slow-2g", "2g", "3g", "4g")
    if lname == "save-data":
        return value.lower() == "on"
    if lname == "intervention":
        return True
    return None


def is_safelisted_header(name: str, value: str, profile: Profile) -> bool:
    """Fetch's CORS-safelisted request-header, with the profile's extra names."""
    return _safelisted(
        name,
        value,
        profile.high_bytes_unsafe_in_accept,
        profile.comma_in_content_type_unsafe,
        profile.client_hints_safelisted,
        profile.range_unit_case_insensitive,
    )


@memoised(maxsize=2048)
def _safelisted(
    name: str,
    value: str,
    high_bytes_unsafe: bool,
    comma_unsafe: bool,
    client_hints: bool,
    range_any_case: bool = False,
) -> bool:
    """``is_safelisted_header`` on the profile flags it reads: cached, because a suite sends the
    same few header lines over and over and the value rules walk every character."""
    if len(value.encode("latin-1", "replace")) > 128:
        return False
    lname = name.lower()
    if lname == "accept":
        if high_bytes_unsafe and any(ord(c) >= 0x80 for c in value):
            return False
        return not _has_unsafe_byte(value)
    if lname in ("accept-language", "content-language"):
        return all(c in _LANGUAGE_CHARS for c in value)
    if lname == "content-type":
        if high_bytes_unsafe and any(ord(c) >= 0x80 for c in value):
            return False
        if comma_unsafe and "," in value:
            return False
        return _content_type_safe(value)
    if lname == "range":
        return _range_safe(value, range_any_case)
    if client_hints:
        return bool(_client_hint_safe(lname, value))
    return False


def unsafe_header_names(headers: Iterable[tuple[str, str]], profile: Profile) -> list[str]:
    """Fetch's "CORS-unsafe request-header names": sorted, lower-cased, de-duplicated."""
    if type(headers) is list and not headers:
        return []  # a fetch without script-set headers, the most common one
    unsafe: set[str] = set()
    potentially: set[str] = set()
    total = 0
    for name, value in headers:
        if is_safelisted_header(name, value, profile):
            potentially.add(name.lower())
            total += len(value.encode("latin-1", "replace"))
        else:
            unsafe.add(name.lower())
    if total > 1024:
        unsafe |= potentially
    return sorted(unsafe, key=lambda n: n.encode("latin-1", "replace"))


HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]] | None


@dataclass(frozen=True)
class PreparedHeaders:
    """The script's header list after ``Headers`` normalisation, plus the page's warnings."""

    pairs: tuple[tuple[str, str], ...]
    warnings: tuple[CorsWarning, ...]


def prepare_headers(headers: HeadersArg, body: bytes | None, profile: Profile) -> PreparedHeaders:
    """Validate and normalise script-set headers; forbidden names are a usage error."""
    if headers is None and body is None:
        return _NO_HEADERS  # nothing to validate, add or warn about
    if headers is None:
        raw: list[tuple[str, str]] = []
    elif isinstance(headers, Mapping):
        raw = [(k, v) for k, v in headers.items()]
    else:
        try:
            raw = [(k, v) for k, v in headers]
        except (TypeError, ValueError):
            raise CorsUsageError(
                "headers must be a mapping or a list of (name, value) pairs"
            ) from None
    warnings: list[CorsWarning] = []
    pairs: list[tuple[str, str]] = []
    for name, value in raw:
        if not isinstance(name, str) or not isinstance(value, str):
            shown = redact_value(name, repr(value)) if isinstance(name, str) else "a value"
            raise CorsUsageError(
                f"header names and values must be strings, got {name!r} "
                f"({type(name).__name__}) with {shown} ({type(value).__name__})"
            )
        name, value = str.__str__(name), str.__str__(value)  # a str Enum member's value
        value = _checked_line(name, value)
        if name.lower() == "user-agent" and profile.drops_user_agent:
            warnings.append(
                CorsWarning(
                    "UserAgentDropped",
                    "Chromium drops a script-set User-Agent (no preflight); the Fetch Standard "
                    "and Firefox send it and preflight with 'user-agent' in "
                    "Access-Control-Request-Headers.",
                )
            )
            continue
        pairs.append((name, value))
    if body is not None and not any(n.lower() == "content-type" for n, _ in pairs):
        pairs.append(("Content-Type", "text/plain;charset=UTF-8"))
    if profile.joins_duplicate_request_headers and len(pairs) > 1:
        pairs = _join_duplicates(pairs)
    if not pairs and not warnings:
        return _NO_HEADERS
    hints = (
        [
            n
            for n, v in pairs
            if _client_hint_safe(n.lower(), v) is not None and is_safelisted_header(n, v, profile)
        ]
        if profile.client_hints_safelisted
        else []
    )
    if hints:
        warnings.append(
            CorsWarning(
                "ClientHintSafelisted",
                f"Chromium sends {', '.join(hints)} without a preflight; the Fetch Standard, "
                "Firefox and Safari preflight it, so the server must also allow it there.",
            )
        )
    return PreparedHeaders(tuple(pairs), tuple(warnings))


_NO_HEADERS = PreparedHeaders((), ())


@memoised()
def _checked_line(name: str, value: str) -> str:
    """A script-set header line as ``fetch()`` stores it (value trimmed), or the usage error
    ``fetch()`` would throw. Cached: a pure function of two strings a suite repeats often."""
    if not TOKEN.fullmatch(name):
        raise CorsUsageError(f"{name!r} is not a valid HTTP header name (it must be a token)")
    value = value.strip(_HTWS)
    if any(c in value for c in "\x00\r\n"):
        raise CorsUsageError(f"the value of header {name!r} contains NUL, CR or LF")
    if any(ord(c) > 0xFF for c in value):
        raise CorsUsageError(
            f"the value of header {name!r} has a character above U+00FF; fetch() only "
            "accepts byte strings (encode it, e.g. percent-encoding or RFC 8187)"
        )
    if is_forbidden_header(name, value):
        raise CorsUsageError(
            f"a page cannot set the forbidden request header {name!r}: fetch() silently "
            "drops it, so the browser would never send it. The browser adds Origin, Cookie "
            "and Host itself; use credentials='include' to model cookies."
        )
    return value


def _join_duplicates(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Chromium combines same-name values into one ``v1, v2`` entry at the first position."""
    if len({name.lower() for name, _ in pairs}) == len(pairs):
        return pairs  # no name twice: nothing to join
    order: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        key = name.lower()
        if key not in values:
            order.append(key)
            names[key] = name
            values[key] = []
        values[key].append(value)
    return [(names[k], ", ".join(values[k])) for k in order]


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
    mode: str = "cors",
    redirect: str = "follow",
    local_network: LocalNetwork | None = None,
) -> FetchRequest:
    """Check the arguments like ``fetch()`` does (a usage error where it would throw).

    ``local_network`` turns on the Local Network Access gate of the profiles that have one
    (Chromium's, Firefox's; ``None``: off).
    """
    page_origin = origin if isinstance(origin, Origin) else parse_origin(origin)
    try:
        target_origin = origin_of_url(url)
    except ValueError as exc:
        raise CorsUsageError(f"cannot fetch {url!r}: {exc}") from None
    if not target_origin.opaque and not urlsplit(url).netloc:
        raise CorsUsageError(f"cannot fetch {url!r}: it has no host")
    normalized = normalize_method(method)
    credentials_mode = normalize_credentials(credentials)
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
    if local_network is not None and not isinstance(local_network, LocalNetwork):
        raise CorsUsageError(
            f"local_network must be a LocalNetwork or None, got {type(local_network).__name__}"
        )
    request_mode = normalize_mode(mode)
    redirect_mode = normalize_redirect(redirect)
    if request_mode == "no-cors" and normalized not in SAFELISTED_METHODS:
        raise CorsUsageError(
            f"Failed to execute 'fetch' on 'Window': '{method}' is unsupported in no-cors mode. "
            "A no-cors request may only be GET, HEAD or POST."
        )
    prepared = prepare_headers(headers, data, profile)
    if request_mode == "no-cors":
        _check_no_cors_headers(prepared.pairs, profile)
    return FetchRequest(
        url=url.split("#", 1)[0],
        origin=page_origin,
        method=normalized,
        headers=prepared.pairs,
        credentials=credentials_mode,
        body=data,
        warnings=prepared.warnings,
        page_csp=page_csp or None,
        mixed_content=mixed_content,
        mode=request_mode,
        redirect=redirect_mode,
        local_network=local_network,
    )


def _check_no_cors_headers(pairs: Iterable[tuple[str, str]], profile: Profile) -> None:
    """A usage error for a header a ``no-cors`` request would lose: ``fetch()`` silently drops
    every header but safelisted ``Accept``, ``Accept-Language``, ``Content-Language`` and
    ``Content-Type`` (``Range`` included), so a test that sets one would test nothing."""
    for name, value in pairs:
        if name.lower() in _NO_CORS_NAMES and is_safelisted_header(name, value, profile):
            continue
        raise CorsUsageError(
            f"in no-cors mode fetch() silently drops the request header {name!r} "
            f"({redact_value(name, value)!r}): the browser would never send it. A no-cors "
            "request keeps only Accept, Accept-Language, Content-Language and a text/plain, "
            "multipart/form-data or application/x-www-form-urlencoded Content-Type; remove "
            "the header, or use mode='cors'."
        )
