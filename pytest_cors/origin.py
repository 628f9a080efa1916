"""Origins as browsers serialise and compare them (pure: standard library only).

An origin is a (scheme, host, port) tuple or the opaque origin ``null``. The serialisation is
what a browser puts in the ``Origin`` header and what ``Access-Control-Allow-Origin`` is compared
with byte for byte, so every normalisation the URL parser does (lower-case scheme and host,
IDNA to punycode, canonical IP addresses, default ports dropped) happens here and nowhere else.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from pytest_cors.errors import CorsUsageError, hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_FORBIDDEN_HOST_CHARS = set(" #%/:<>?@[\\]^|\t\r\n\x00")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_EXAMPLE = "'https://app.example.com'"


@dataclass(frozen=True)
class Origin:
    """A tuple origin, or the opaque origin when ``scheme`` is empty."""

    scheme: str
    host: str
    port: int | None = None

    @property
    def opaque(self) -> bool:
        return not self.scheme

    def serialize(self) -> str:
        """The ASCII serialisation: ``scheme://host[:port]``, or ``null`` when opaque."""
        if self.opaque:
            return "null"
        if self.port is None:
            return f"{self.scheme}://{self.host}"
        return f"{self.scheme}://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.serialize()

    def same_origin(self, other: Origin) -> bool:
        """Same scheme, host and port; an opaque origin is same-origin with nothing we can name."""
        if self.opaque or other.opaque:
            return False
        return (self.scheme, self.host, self.port) == (other.scheme, other.host, other.port)


NULL_ORIGIN = Origin("", "", None)


def _canonical_host(raw: str) -> str:
    """The URL parser's host serialisation: IP canonical form, else lower-cased punycode."""
    if raw.startswith("[") and raw.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(raw[1:-1]).compressed}]"
        except ValueError as exc:
            raise ValueError(f"invalid IPv6 address {raw!r}") from exc
    if not raw:
        raise ValueError("empty host")
    host = raw.lower()
    if any(c in _FORBIDDEN_HOST_CHARS for c in host):
        raise ValueError(f"host {raw!r} contains a character a URL host cannot have")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError as exc:
            raise ValueError(f"host {raw!r} is not a valid internationalised domain name") from exc
    ipv4 = _whatwg_ipv4(host)
    return host if ipv4 is None else ipv4


def _ipv4_number(part: str) -> int | None:
    """The URL Standard's IPv4 number parser (decimal, ``0x`` hex, leading-zero octal)."""
    if part == "":
        return None
    if part.startswith(("0x", "0X")):
        digits, base, allowed = part[2:], 16, "0123456789abcdefABCDEF"
    elif len(part) > 1 and part.startswith("0"):
        digits, base, allowed = part[1:], 8, "01234567"
    else:
        digits, base, allowed = part, 10, "0123456789"
    if digits == "":
        return 0
    if not all(c in allowed for c in digits):
        return None
    return int(digits, base)


def _whatwg_ipv4(host: str) -> str | None:
    """The URL Standard's IPv4 parser: hex, octal and short forms all become dotted decimal.

    ``None`` when the host is a domain; a host whose last label is a number must be a valid
    address, else the URL does not parse (``ValueError``), as in the URL Standard.
    """
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    hex_digits = last[2:] if last[:2] == "0x" else None
    ends_in_number = (last != "" and all(c in "0123456789" for c in last)) or (
        hex_digits is not None and all(c in "0123456789abcdef" for c in hex_digits)
    )
    if not ends_in_number:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    values = [n for n in numbers if n is not None]
    if (
        len(parts) > 4
        or len(values) != len(parts)
        or any(n > 255 for n in values[:-1])
        or values[-1] >= 256 ** (5 - len(values))
    ):
        raise ValueError(f"host {host!r} ends in a number but is not a valid IPv4 address")
    address = values[-1]
    for i, n in enumerate(values[:-1]):
        address += n * 256 ** (3 - i)
    return str(ipaddress.IPv4Address(address))


def split_url(url: str) -> SplitResult:
    """``urlsplit(url)``, whose ``ValueError`` for an unbalanced bracket says what is wrong."""
    try:
        return urlsplit(url)
    except ValueError as exc:
        if str(exc) != "Invalid IPv6 URL":
            raise
        raise ValueError(
            "it has a '[' without its ']' (or the reverse); an IPv6 host is written in "
            "brackets, as in 'http://[::1]:8000'"
        ) from None


def hide_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` shown as ``<redacted>@``: messages never echo them."""
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    cut = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    authority = rest[:cut]
    if "@" not in authority:
        return url
    return f"{scheme}{sep}<redacted>@{authority.rpartition('@')[2]}{rest[cut:]}"


@functools.lru_cache(maxsize=1024)
def origin_of_url(url: str) -> Origin:
    """The origin of an absolute URL (its scheme, host and effective port)."""
    parts = split_url(url)
    scheme = parts.scheme.lower()
    if not scheme or not _SCHEME.fullmatch(scheme):
        raise ValueError(f"{url!r} is not an absolute URL")
    if scheme not in DEFAULT_PORTS:
        return NULL_ORIGIN
    netloc = parts.netloc.rsplit("@", 1)[-1]
    host_part, port = _split_port(netloc, url)
    host = _canonical_host(host_part)
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return Origin(scheme, host, port)


def _split_port(netloc: str, text: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise ValueError(f"{text!r} has an unterminated IPv6 host")
        host, rest = netloc[: end + 1], netloc[end + 1 :]
    else:
        host, _, port_text = netloc.partition(":")
        rest = ":" + port_text if _ else ""
    if not rest:
        return host, None
    if not rest.startswith(":"):
        raise ValueError(f"{text!r} has an invalid authority")
    digits = rest[1:]
    if digits == "":
        return host, None
    if not _ASCII_DIGITS.fullmatch(digits):
        if digits.isdigit():  # '８０８０' or '٨٠٨٠': str.isdigit() and int() accept them
            raise ValueError(
                f"{text!r} has an invalid port {digits!r}: the port must be ASCII digits (0-9)"
            )
        raise ValueError(f"{text!r} has an invalid port {digits!r}")
    if int(digits) > 65535:
        raise ValueError(f"{text!r} has an invalid port {digits!r}")
    return host, int(digits)


def parse_origin(text: str) -> Origin:
    """Parse an origin as a browser would send it; reject any other spelling with the fix.

    ``"null"`` is the opaque origin. Anything with a path, trailing slash, query, userinfo or an
    explicit default port could never appear in an ``Origin`` header, so it is refused with the
    spelling that would.
    """
    if not isinstance(text, str):
        raise CorsUsageError(
            f"origin must be a string such as 'https://app.example.com' or 'null', got {text!r}"
        )
    return _parse_origin(text)


_SCHEME_WITHOUT_SLASHES = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(/*)(.*)", re.DOTALL)


def origin_spelling_problem(text: str) -> str | None:
    """The message for an origin written without ``://`` in a way that has a specific fix.

    ``NULL`` (the opaque origin is written ``null``, lower case), ``*`` and the empty string
    (no page has them as its origin), ``https:/app.example.com`` (a scheme missing its ``//``).
    ``None`` for any other text, which the caller reports as having no scheme.
    """
    if text != "null" and text.strip().lower() == "null":
        return (
            f"origin {text!r} is not how a browser writes the opaque origin: it is written "
            "'null', in lower case"
        )
    if text.strip() == "*":
        return (
            "origin '*' is a wildcard, and an origin cannot be one: '*' belongs in the "
            "Access-Control-Allow-Origin response header, while a request's Origin names the "
            f"one page it comes from, such as {_EXAMPLE} (or 'null')"
        )
    if not text.strip():
        return (
            f"origin {text!r} is empty, and an origin cannot be: a request's Origin names the "
            f"page it comes from, such as {_EXAMPLE} (or 'null')"
        )
    match = _SCHEME_WITHOUT_SLASHES.fullmatch(text)
    if match is None:
        return None
    scheme, slashes, rest = match[1], match[2], match[3]
    if scheme.lower() not in DEFAULT_PORTS:
        if not slashes:
            return None  # 'localhost:8080': a host and a port, without a scheme
        return (
            f"origin {text!r} has scheme {scheme.lower()!r}; only http(s)/ws(s)/ftp origins "
            "are tuples (use 'null' for an opaque origin)"
        )
    try:
        fixed = origin_of_url(f"{scheme}://{rest}").serialize()
    except ValueError as exc:
        return (
            f"origin {text!r} needs '//' after '{scheme}:', and is not valid with it either "
            f"({exc}); a browser sends e.g. {_EXAMPLE}"
        )
    return f"origin {text!r} needs '//' after '{scheme}:'; did you mean {fixed!r}?"


@functools.lru_cache(maxsize=1024)
def _parse_origin(text: str) -> Origin:
    """``parse_origin`` for a string; cached, since a suite names the same few origins often."""
    if text == "null":
        return NULL_ORIGIN
    if "@" in text:  # an origin never has user:password; never echo them in a message
        scheme, sep, rest = text.partition("://")
        shown = f"{scheme}{sep}<redacted>@{rest.rpartition('@')[2]}" if sep else "<redacted>"
        try:
            hint = f"; did you mean {origin_of_url(text).serialize()!r}?"
        except ValueError:
            hint = ""
        raise CorsUsageError(
            f"origin {shown!r} contains user:password@; an origin is scheme://host[:port] "
            f"only{hint}"
        )
    if "://" not in text:
        problem = origin_spelling_problem(text)
        if problem is None:
            try:
                fixed = origin_of_url("https://" + text.strip("/")).serialize()
                problem = f"origin {text!r} has no scheme; a browser sends e.g. {fixed!r}"
            except ValueError as exc:
                problem = (
                    f"origin {text!r} has no scheme, and is not valid with one either ({exc}); "
                    f"a browser sends e.g. {_EXAMPLE}"
                )
        raise CorsUsageError(problem)
    try:
        origin = origin_of_url(text)
    except ValueError as exc:
        raise CorsUsageError(f"origin {text!r} is not valid: {exc}") from None
    if origin.opaque:
        raise CorsUsageError(
            f"origin {text!r} has scheme {urlsplit(text).scheme!r}; only http(s)/ws(s)/ftp "
            "origins are tuples (use 'null' for an opaque origin)"
        )
    canonical = origin.serialize()
    if text != canonical:
        raise CorsUsageError(
            f"origin {text!r} is not how a browser writes it (no path, trailing slash, "
            f"default port or upper case); did you mean {canonical!r}?"
        )
    return origin


@functools.lru_cache(maxsize=1024)
def is_valid_url_value(value: str) -> bool:
    """Whether an ``Access-Control-Allow-Origin`` value parses as an absolute URL at all.

    Cached: a pure function of the string, asked once per CORS check with the same few values.
    """
    scheme, sep, _rest = value.partition(":")
    if not sep or not _SCHEME.fullmatch(scheme):
        return False
    if scheme.lower() in DEFAULT_PORTS:
        try:
            origin_of_url(value)
        except ValueError:
            return False
        return bool(urlsplit(value).netloc)
    return True
