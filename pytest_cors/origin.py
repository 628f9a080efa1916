"""Origins as browsers serialise and compare them (pure: standard library and ``idna``).

An origin is a (scheme, host, port) tuple or the opaque origin ``null``. The serialisation is
what a browser puts in the ``Origin`` header and what ``Access-Control-Allow-Origin`` is compared
with byte for byte, so every normalisation the URL parser does (lower-case scheme and host,
UTS #46 IDNA to punycode, canonical IP addresses, default ports dropped) happens here and
nowhere else.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote_to_bytes, urlsplit

from idna.core import IDNAError, check_bidi, uts46_remap, valid_contextj

from pytest_cors._memo import memoised
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.redaction import hide_userinfo as hide_userinfo

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# The URL Standard's forbidden host code points (refused as written) and forbidden domain code
# points (refused once the host is percent-decoded and mapped: also '%', C0 controls and DEL).
_FORBIDDEN_HOST_CHARS = frozenset(" #/:<>?@[\\]^|\t\r\n\x00")
_FORBIDDEN_DOMAIN_CHARS = _FORBIDDEN_HOST_CHARS | {"%", "\x7f"} | {chr(c) for c in range(0x20)}
_LABEL_DOTS = re.compile("[.\u3002\uff0e\uff61]")  # the only code points UTS #46 maps to '.'
_RTL = frozenset(("R", "AL", "AN"))
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
    """The URL parser's host serialisation: IP canonical form, else the domain in ASCII.

    As the URL Standard's host parser: percent-decode, UTS #46 "domain to ASCII", refuse a
    forbidden domain code point, then read a host ending in a number as an IPv4 address.
    """
    if raw.startswith("[") and raw.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(raw[1:-1]).compressed}]"
        except ValueError as exc:
            raise ValueError(f"invalid IPv6 address {raw!r}") from exc
    if not raw:
        raise ValueError("empty host")
    if any(c in _FORBIDDEN_HOST_CHARS for c in raw):
        raise ValueError(f"host {raw!r} contains a character a URL host cannot have")
    domain = raw
    if "%" in raw:
        domain = unquote_to_bytes(raw).decode("utf-8", errors="replace")
        if "\ufffd" in domain and "\ufffd" not in raw:
            raise ValueError(f"host {raw!r} is not UTF-8 once its %XX escapes are decoded")
    host = _domain_to_ascii(domain, raw)
    if not host:
        raise ValueError(f"host {raw!r} is empty once the characters browsers ignore are dropped")
    if any(c in _FORBIDDEN_DOMAIN_CHARS for c in host):
        raise ValueError(f"host {raw!r} contains a character a URL host cannot have")
    ipv4 = _whatwg_ipv4(host)
    return host if ipv4 is None else ipv4


# UTS #46 with the URL Standard's options, as Chromium and Firefox apply them (measured: the
# table in tests/conformance/test_idna.py): Transitional_Processing=false ('straße.de' is
# 'xn--strae-oqa.de', not 'strasse.de'), CheckHyphens=false ('-a', 'a-', 'ab--c' are fine),
# CheckBidi and CheckJoiners on, UseSTD3ASCIIRules=false ('a_b'), VerifyDnsLength=false (empty
# labels, labels over 63 and hosts over 253 characters are fine).
#
# The idna package supplies the UTS #46 mapping table, the joiner rules and the bidi rule, but
# not its ``idna.encode``: that one is IDNA 2008 rather than UTS #46, refusing code points
# UTS #46 and both browsers accept ('☃.net' is 'xn--n3h.net', 'a·b.com' is 'xn--ab-0ea.com'),
# labels over 63 characters and leading or trailing hyphens, while it applies the bidi rule
# only to labels with right-to-left characters, where UTS #46 applies it to every label of a
# domain that has one ('אב.1com' is refused by both browsers, accepted by ``idna.encode``).
# Falling back label by label on its refusals would still take that last case wrong, so the
# steps below are UTS #46's own, each refusal saying what a browser checked. One measured
# difference is left: Chromium skips all of it for a host written all in ASCII, keeping an
# 'xn--' label that is not valid Punycode ('xn--abc.com'); the URL Standard and Firefox refuse
# it, and so does the kit.
def _domain_to_ascii(domain: str, raw: str) -> str:
    if domain.isascii() and "xn--" not in domain.lower():
        return domain.lower()  # all UTS #46 does to ASCII without Punycode is lower-case it
    labels = _LABEL_DOTS.split(domain)
    unicode_labels: list[str] = []
    ascii_labels: list[str] = []
    for label in labels:
        label = _mapped(label, raw)
        if label.startswith("xn--"):
            unicode_labels.append(_decoded(label, raw))
            ascii_labels.append(label)
            continue
        _check_label(label, raw)
        unicode_labels.append(label)
        ascii_labels.append(label if label.isascii() else "xn--" + _punycode(label, raw))
    if any(unicodedata.bidirectional(c) in _RTL for label in unicode_labels for c in label):
        for label in unicode_labels:
            _check_bidi(label, raw)
    return ".".join(ascii_labels)


def _idn_error(raw: str, why: str) -> ValueError:
    return ValueError(f"host {raw!r} is not a valid internationalised domain name: {why}")


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '(unnamed)')}"


def _mapped(label: str, raw: str) -> str:
    """UTS #46's mapping of one label: case folded, compatibility forms mapped, NFC."""
    if label.isascii():  # ASCII is only lower-cased (and idna refuses over 1024 characters)
        return label.lower()
    try:
        return uts46_remap(label, std3_rules=False, transitional=False)
    except IDNAError:
        for char in label:
            try:
                uts46_remap(char, std3_rules=False, transitional=False)
            except IDNAError:
                raise _idn_error(raw, f"browsers refuse {_name(char)} in a host") from None
        raise _idn_error(raw, f"label {label!r} is too long to convert") from None


def _decoded(label: str, raw: str) -> str:
    """An ``xn--`` label's Unicode, which must be valid as though it had been written so."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        raise _idn_error(raw, f"label {label!r} is not valid Punycode") from None
    if decoded.isascii():  # also the empty 'xn--'
        raise _idn_error(raw, f"label {label!r} encodes no non-ASCII character")
    try:
        valid = _mapped(decoded, raw) == decoded
    except ValueError:
        valid = False
    if not valid:  # an upper-case, ignored, mapped or refused code point in the decoded label
        raise _idn_error(
            raw, f"label {label!r} decodes to {decoded!r}, which a browser would not produce"
        )
    _check_label(decoded, raw)
    return decoded


def _check_label(label: str, raw: str) -> None:
    """UTS #46's validity criteria for a mapped label (CheckHyphens off, CheckJoiners on)."""
    if not unicodedata.is_normalized("NFC", label):
        raise _idn_error(raw, f"label {label!r} is not in Unicode normalisation form C")
    if label.startswith("xn--"):
        raise _idn_error(raw, f"label {label!r} is an 'xn--' label once decoded")
    if label and unicodedata.category(label[0]).startswith("M"):
        raise _idn_error(raw, f"label {label!r} starts with the combining mark {_name(label[0])}")
    for pos, char in enumerate(label):
        if char in "\u200c\u200d":
            try:
                valid = valid_contextj(label, pos)
            except ValueError:
                valid = False
            if not valid:
                place = "after a virama" if char == "\u200d" else "between joining letters"
                raise _idn_error(
                    raw,
                    f"{_name(char)} in label {label!r} is only allowed {place} "
                    "(browsers check the joiner rules of RFC 5892)",
                )


def _check_bidi(label: str, raw: str) -> None:
    """RFC 5893's bidi rule, which UTS #46 applies to every label of a right-to-left domain."""
    if not label:
        return
    try:
        check_bidi(label, check_ltr=True)
    except IDNAError:
        raise _idn_error(
            raw,
            f"label {label!r} breaks the bidi rule of RFC 5893, which browsers apply to every "
            "label of a domain with right-to-left characters (e.g. a right-to-left label must "
            "not start with a digit, nor mix Latin letters in)",
        ) from None


def _punycode(label: str, raw: str) -> str:
    try:
        return label.encode("punycode").decode("ascii")
    except UnicodeError:
        raise _idn_error(raw, f"label {label!r} cannot be written in Punycode") from None


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


@memoised()
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


@memoised()
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


@memoised()
def is_valid_url_value(value: str) -> bool:
    """Whether an ``Access-Control-Allow-Origin`` value parses as an absolute URL at all.

    Memoised: asked on every CORS check, with the same few values (docs/performance.md).
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
