"""The response side: the CORS check, the preflight checks, Max-Age and what the page can read.

Each check returns data (a failure kind and its parameter, or ``None``); the fetch flow decides
what to do with it (reference §5.2, §6, §7).
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from pytest_cors._memo import memoised
from pytest_cors.engine.profiles import Profile
from pytest_cors.engine.request import TOKEN
from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, grouped
from pytest_cors.origin import is_valid_url_value

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_OWS = " \t"
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})
_DELTA_SECONDS = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"-[0-9]+")


@dataclass(frozen=True)
class Check:
    """A failed check: Chromium's failure kind and the offending value (``failedParameter``)."""

    kind: str
    parameter: str = ""
    #: the list element that did not parse (Chromium's ``failedParameter`` stays empty)
    token: str = ""


def effective_headers(headers: Headers, profile: Profile) -> Headers:
    """The header lines the browser's HTTP parser keeps.

    A line with blanks around its name (``Name : value``) is malformed; Chromium trims the name
    and keeps it, the standard and Firefox drop the line.
    """
    if profile.header_bytes_made_valid_utf8:
        headers = _made_valid_utf8(headers)
    names = grouped(headers)  # lower-cased, with the blanks they were written with
    joined = "".join(names)
    if (" " not in joined and "\t" not in joined) or all(n == n.strip(_OWS) for n in names):
        return headers  # (no blank in any name at all is the cheap, common answer)
    kept = []
    for name, value in headers:
        stripped = name.strip(_OWS)
        if stripped == name:
            kept.append((name, value))
        elif profile.accepts_space_before_colon and stripped:
            kept.append((stripped, value))
    return Headers(kept)


def _made_valid_utf8(headers: Headers) -> Headers:
    """``headers`` with every value's bytes made valid UTF-8, still one character per byte."""
    if all(value.isascii() for _, value in headers):
        return headers  # (the common answer: nothing to repair)
    return Headers([(name, valid_utf8_bytes(value)) for name, value in headers])


def valid_utf8_bytes(value: str) -> str:
    """A header value (one character per byte) whose byte sequences that are not UTF-8 each
    become the three bytes of U+FFFD, one replacement per byte that does not fit (measured in
    WebKitGTK 2.50.6: ``\\xe2\\x82A`` reads as two replacements, then ``A``); valid UTF-8 is
    kept byte for byte."""
    raw = value.encode("latin-1", "replace")
    out = bytearray()
    while raw:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            out += raw[: bad.start] + b"\xef\xbf\xbd"
            raw = raw[bad.start + 1 :]
        else:
            out += raw
            break
    return out.decode("latin-1")


def cors_check(headers: Headers, origin: str, credentials: str) -> Check | None:
    """Fetch's CORS check, explained as Chromium explains it (reference §6 decision list)."""
    allow_origin = headers.get("Access-Control-Allow-Origin")
    if allow_origin is None:
        return Check("MissingAllowOriginHeader")
    include = credentials == "include"
    if allow_origin == "*":
        # Chromium reports no failedParameter for this one (measured, 156.0.8078.108).
        return Check("WildcardOriginNotAllowed") if include else None
    if allow_origin == "null":
        if origin != "null":
            return Check("AllowOriginMismatch", allow_origin)
    elif "," in allow_origin or " " in allow_origin:
        return Check("MultipleAllowOriginValues", allow_origin)
    elif not is_valid_url_value(allow_origin):
        return Check("InvalidAllowOriginValue", allow_origin)
    elif allow_origin != origin:
        return Check("AllowOriginMismatch", allow_origin)
    if include:
        allow_credentials = headers.get("Access-Control-Allow-Credentials")
        if allow_credentials != "true":
            return Check("InvalidAllowCredentials", allow_credentials or "")
    return None


def parse_header_list(headers: Headers, name: str) -> list[str] | None:
    """Fetch's "extract header list values" for a token list; ``None`` when absent.

    Raises ``ValueError`` (with the bad element) when any element is not a token.
    """
    values = headers.get_all(name)
    if not values:
        return None
    if len(values) == 1:
        return list(_tokens(values[0]))
    items: list[str] = []
    for value in values:
        items.extend(_tokens(value))
    return items


@memoised()
def _tokens(value: str) -> tuple[str, ...]:
    """The elements of one header line's token list (``ValueError`` with the first bad one).

    Memoised: servers send the same few lists on every response (docs/performance.md).
    """
    items: list[str] = []
    for element in value.split(","):
        element = element.strip(_OWS)
        if not element:
            continue
        if not TOKEN.fullmatch(element):
            raise ValueError(element)
        items.append(element)
    return tuple(items)


@dataclass(frozen=True)
class MaxAge:
    """How long the browser may reuse a preflight, and how the header was read."""

    seconds: int
    note: str = ""  # why the value is not simply the header's number


def parse_max_age(headers: Headers, profile: Profile) -> MaxAge:
    """``Access-Control-Max-Age`` as the profile reads it, clamped to its cap."""
    values = headers.get_all("Access-Control-Max-Age")
    return _max_age(
        ", ".join(v.strip(_OWS) for v in values) if values else None,
        profile.default_max_age,
        profile.negative_max_age_disables_cache,
        profile.unparsable_max_age_uses_default,
        profile.max_age_cap,
    )


def _max_age(
    raw: str | None,
    default: int,
    negative_disables: bool,
    unparsable_default: bool,
    cap: int | None,
) -> MaxAge:
    """:func:`parse_max_age` on the joined value (``None``: absent) and the profile fields it
    reads."""
    if raw is None:
        return MaxAge(default, "absent: the default lifetime applies")
    if _DELTA_SECONDS.fullmatch(raw):
        # Past 18 digits the number is "forever" to any cap (and int() refuses >4300 digits).
        seconds = int(raw) if len(raw) <= 18 else 10**18
    elif _NEGATIVE.fullmatch(raw) and negative_disables:
        return MaxAge(0, f"{raw!r} is negative: treated as 0 (no caching)")
    elif unparsable_default:
        return MaxAge(default, f"{raw!r} does not parse: the default lifetime applies")
    else:
        return MaxAge(0, f"{raw!r} does not parse: the preflight is not cached")
    if cap is not None and seconds > cap:
        return MaxAge(cap, f"{seconds} is capped at {cap}")
    return MaxAge(seconds)


def readable_headers(headers: Headers, credentials: str, profile: Profile) -> dict[str, str]:
    """The response headers a page can read from a CORS response (reference §7)."""
    star, exposed = _exposure(tuple(headers.get_all("Access-Control-Expose-Headers")))
    return _collect(headers, profile, None if star and credentials != "include" else exposed)


@memoised()
def _exposure(values: tuple[str, ...]) -> tuple[bool, frozenset[str]]:
    """What ``Access-Control-Expose-Headers`` lines expose: whether they list ``*``, and the
    lower-cased names a page may read besides (the safelisted ones included). A list that does
    not parse exposes nothing more. Memoised, as :func:`_tokens` is."""
    try:
        listed = [item for value in values for item in _tokens(value)]
    except ValueError:
        listed = []
    return "*" in listed, SAFELISTED_RESPONSE_HEADERS.union(n.lower() for n in listed)


def basic_readable_headers(headers: Headers, profile: Profile) -> dict[str, str]:
    """A same-origin response: everything but ``Set-Cookie``."""
    return _collect(headers, profile, None)


def _collect(headers: Headers, profile: Profile, keep: AbstractSet[str] | None) -> dict[str, str]:
    """The readable lines grouped by lower-cased name: those in ``keep`` (all when ``None``),
    never ``Set-Cookie``."""
    return {
        name: (
            values[0].strip(_OWS)
            if len(values) == 1
            else (profile.content_type_join if name == "content-type" else ", ").join(
                [v.strip(_OWS) for v in values]
            )
        )
        for name, values in grouped(headers).items()
        if name not in FORBIDDEN_RESPONSE_HEADERS and (keep is None or name in keep)
    }
