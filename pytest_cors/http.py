"""Plain HTTP values shared by the engine and the targets (pure: standard library only).

Headers are kept as ordered ``(name, value)`` pairs exactly as they came off the wire:
duplicates, order and spelling all matter to a browser (two ``Access-Control-Allow-Origin``
lines fail where one passes), so nothing here merges or normalises them. Values are ``str``
holding latin-1 decoded bytes, the way browsers expose header bytes to script.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from itertools import chain
from typing import Union
from urllib.parse import unquote

from pytest_cors.errors import hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

HeaderInput = Union[Mapping[str, str], Iterable[tuple[str, str]], "Headers", None]

# -- what is redacted ----------------------------------------------------------------------------
#
# One rule, used wherever a value is shown (``explain()``, curl lines, failure transcripts,
# reports, reprs): a header or query parameter is *secret* when its name, compared without case
# and with ``_`` read as ``-``, is listed in SECRET_HEADERS (headers) or SECRET_PARAMS (query and
# fragment parameters of URLs), or matches a glob of SECRET_NAME_PATTERNS (both). The names of
# NEVER_REDACTED (the CORS headers themselves) are never secret. A secret value is shown as its
# length only: ``X-Api-Key: <redacted: 32 bytes>``, ``?token=<redacted: 12 bytes>``.
#
# The three collections are plain module-level sets: add names to them (a ``conftest.py`` is a
# good place), or call :func:`add_secret_names`. See docs/reliability.md.

SECRET_HEADERS: set[str] = {
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "apikey",
    "x-csrf-token",
    "x-xsrf-token",
}
"""Header names whose values are secret (lower case), besides SECRET_NAME_PATTERNS."""

SECRET_PARAMS: set[str] = {
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth",
    "api_key",
    "apikey",
    "key",
    "sig",
    "signature",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "code",
    "jwt",
    "session",
    "sessionid",
    "x-amz-credential",
    "x-amz-signature",
    "x-amz-security-token",
    "x-goog-credential",
    "x-goog-signature",
}
"""URL query (and fragment) parameter names whose values are secret, besides the patterns."""

SECRET_NAME_PATTERNS: set[str] = {
    "*-token",
    "*-secret",
    "*-key",
    "*-signature",
    "*-password",
    "*-credential",
    "*-credentials",
    "*api-key*",
    "*apikey*",
    "*auth",
    "*auth-*",
    "*authorization*",
    "*authentication*",
    "*-session",
    "*session-id",
    "*sessionid",
    "*sessid",
}
"""Globs (``fnmatch``, ``*`` and ``?``) over a lower-cased name with ``_`` read as ``-``: a
header or parameter whose name matches is secret (``X-Auth-Token``, ``client_secret``, ...)."""

NEVER_REDACTED: tuple[str, ...] = ("access-control-*", "origin", "vary")
"""Globs of names never redacted whatever the other lists say: the CORS headers themselves,
which every verdict is about."""


def _normal(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _secret_name(name: str, listed: set[str]) -> bool:
    normal = _normal(name)
    if any(fnmatchcase(normal, glob) for glob in NEVER_REDACTED):
        return False
    if normal in {_normal(n) for n in listed}:
        return True
    return any(fnmatchcase(normal, _normal(glob)) for glob in SECRET_NAME_PATTERNS)


def is_secret_header(name: str) -> bool:
    """Whether the values of header ``name`` are shown by their length only (see above)."""
    return _secret_name(name, SECRET_HEADERS)


def is_secret_param(name: str) -> bool:
    """Whether the values of URL parameter ``name`` (``?name=value``) are shown by their length
    only; a percent-encoded name is decoded first (``access%5Ftoken``)."""
    return _secret_name(unquote(name), SECRET_PARAMS)


def add_secret_names(names: Iterable[str]) -> None:
    """Treat ``names`` as secret from now on: a name with ``*`` or ``?`` is a glob for
    SECRET_NAME_PATTERNS, any other is added to both SECRET_HEADERS and SECRET_PARAMS.

    For a ``conftest.py``: ``pytest_cors.http.add_secret_names(["X-Tenant", "*-pin"])``.
    """
    for name in names:
        normal = name.strip().lower()
        if not normal:
            continue
        if "*" in normal or "?" in normal:
            SECRET_NAME_PATTERNS.add(normal)
        else:
            SECRET_HEADERS.add(normal)
            SECRET_PARAMS.add(normal)


class Headers:
    """An ordered, duplicate-keeping header list with case-insensitive look-ups."""

    __slots__ = ("_index", "_items")

    def __init__(self, items: HeaderInput = None) -> None:
        if items is None:
            self._items: tuple[tuple[str, str], ...] = ()
        elif isinstance(items, Headers):
            self._items = items._items
        elif type(items) is not list and isinstance(items, Mapping):
            # (a list of lines, the usual input, is never a Mapping: no ABC check for it)
            self._items = _lines(items.items())
        else:
            self._items = _lines(items)
        self._index: dict[str, list[str]] | None = None

    def _lookup(self) -> dict[str, list[str]]:
        """Values by lower-cased name, built once: the engine looks up many names per response."""
        if self._index is None:
            index: dict[str, list[str]] = {}
            for k, v in self._items:
                index.setdefault(k.lower(), []).append(v)
            self._index = index
        return self._index

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and other._items == self._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        # redacted: pytest prints reprs in assertion failures (``where 200 = Response(...)``)
        return f"Headers({self.redacted()!r})"

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name.lower() in self._lookup()

    def items(self) -> tuple[tuple[str, str], ...]:
        return self._items

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name`` (case-insensitive), in order."""
        return list(self._lookup().get(name.lower(), ()))

    def get(self, name: str, default: str | None = None) -> str | None:
        """Fetch's "get": every ``name`` line trimmed and joined with ``", "``, or default."""
        values = self._lookup().get(name.lower())  # no copy: nothing here keeps the list
        if not values:
            return default
        if len(values) == 1:
            return values[0].strip(" \t")
        return ", ".join(v.strip(" \t") for v in values)

    def with_header(self, name: str, value: str) -> Headers:
        return Headers((*self._items, (name, value)))

    def without(self, *names: str) -> Headers:
        drop = {n.lower() for n in names}
        return Headers((k, v) for k, v in self._items if k.lower() not in drop)

    def redacted(self) -> list[tuple[str, str]]:
        """The pairs with secret values replaced, for transcripts and reports."""
        return [(k, redact_value(k, v)) for k, v in self._items]


def grouped(headers: Headers) -> Mapping[str, list[str]]:
    """The values of ``headers`` by lower-cased name, names in order of first appearance.

    The index the look-ups share, built once per header list: read it, never change it. For the
    engine, which reads every line of a response this way (exposure, the parser's checks).
    """
    return headers._lookup()


def trusted_headers(pairs: tuple[tuple[str, str], ...]) -> Headers:
    """``Headers(pairs)`` for pairs already known to be ``str`` (the engine builds its requests
    from lines it validated): skips the per-line conversion, which the hot path pays for."""
    headers = Headers.__new__(Headers)
    headers._items = pairs
    headers._index = None
    return headers


def _lines(pairs: Iterable[tuple[object, object]]) -> tuple[tuple[str, str], ...]:
    """Header lines as text pairs; ``_text`` inlined for the usual ``str`` names and values, as
    every response pays for this loop."""
    return tuple(
        [(k if type(k) is str else _text(k), v if type(v) is str else _text(v)) for k, v in pairs]
    )


def _text(value: object) -> str:
    """A header name or value as text: bytes as the latin-1 they are on the wire (never as
    ``"b'...'"``, which would silently break every comparison), anything else through str."""
    if type(value) is str:
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


def _redact(value: str) -> str:
    return f"<redacted: {len(value)} bytes>"


def redact_value(name: str, value: str) -> str:
    """``value`` of header ``name`` as shown anywhere: a secret header's value is only its
    length; in any other value but a CORS header's, URLs have their secret parameters redacted
    (a ``Location``, a ``Link``, a ``Refresh``)."""
    if is_secret_header(name):
        return _redact(value)
    if any(fnmatchcase(_normal(name), glob) for glob in NEVER_REDACTED):
        return value
    return redact_params(value)


def redact_url(url: str) -> str:
    """``url`` with the value of every secret query or fragment parameter replaced by its
    length (``/items?token=<redacted: 12 bytes>&page=2``); anything else kept as it is."""
    start = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=-1)
    if start < 0:
        return url
    out = [url[: start + 1]]
    for piece in re.split(r"([&#;])", url[start + 1 :]):
        name, eq, value = piece.partition("=")
        if eq and value and is_secret_param(name) and not value.startswith("<redacted: "):
            piece = f"{name}={_redact(value)}"
        out.append(piece)
    return "".join(out)


_PARAM = re.compile(r"(?P<head>[?&#;](?P<name>[^=&#?;\s'\"<>]+)=)(?P<value>[^&#;\s'\"<>]+)")


def redact_params(text: str) -> str:
    """Free ``text`` (a message, a header value, a report) with the values of secret URL
    parameters replaced by their length: ``?name=value`` or ``&name=value`` (also after ``#``
    or ``;``), the value ending at the next separator, blank, quote or angle bracket."""
    if "=" not in text:
        return text
    return _PARAM.sub(
        lambda m: f"{m['head']}{_redact(m['value'])}" if is_secret_param(m["name"]) else m[0],
        text,
    )


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` safe to print on a terminal or write to a report: every control character but
    tab and line feed (C0, DEL, C1, and the bidirectional overrides) as a visible escape such
    as ``\\x1b``, so a server's bytes cannot recolour, move the cursor or reorder text."""
    return _CONTROLS.sub(lambda m: _escaped(m[0]), text)


@dataclass(frozen=True)
class Request:
    """One HTTP request as the simulated browser sends it (absolute URL)."""

    method: str
    url: str
    headers: Headers = field(default_factory=Headers)
    body: bytes | None = None

    def __repr__(self) -> str:
        return _shown_repr(self)


@dataclass(frozen=True)
class Response:
    """One HTTP response as received: status, raw header lines, body."""

    status: int
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    reason: str = ""
    #: The body was cut off at ``targets.base.MAX_BODY`` bytes or at the request's deadline
    #: (a stream that does not end); status and header lines are complete all the same.
    truncated: bool = False

    def __repr__(self) -> str:
        return _shown_repr(self)


def _shown_repr(value: Request | Response) -> str:
    """The dataclass repr with secrets out: pytest prints reprs on a failing assert and in JUnit
    XML (``where 200 = Response(...)``). Secret URL parameters redacted, a body by its length,
    headers by their own redacted repr."""
    parts = []
    for item in fields(value):
        shown = getattr(value, item.name)
        if item.name == "url":
            text = repr(redact_url(shown))
        elif item.name == "body" and shown is not None:
            text = f"<{len(shown)} bytes>"
        else:
            text = repr(shown)
        parts.append(f"{item.name}={text}")
    return f"{type(value).__name__}({', '.join(parts)})"


def head_size(response: Response) -> int:
    """Bytes of the response head on an HTTP/1.1 wire: status line, header lines, blank line."""
    status_line = len(f"HTTP/1.1 {response.status} {response.reason}\r\n")
    headers = response.headers
    if type(headers) is Headers:  # str pairs by construction: let C sum the lengths
        lines = headers._items
        return status_line + sum(map(len, chain.from_iterable(lines))) + 4 * len(lines) + 2
    return status_line + sum([len(k) + len(v) + 4 for k, v in headers]) + 2


@dataclass(frozen=True)
class Exchange:
    """A request sent and the response that came back."""

    request: Request
    response: Response
    kind: str = "actual"  # "preflight" or "actual"
