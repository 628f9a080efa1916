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
from itertools import chain
from typing import Union

from pytest_cors.errors import hide_user_error
from pytest_cors.redaction import NEVER_REDACTED as NEVER_REDACTED
from pytest_cors.redaction import SECRET_HEADERS as SECRET_HEADERS
from pytest_cors.redaction import SECRET_NAME_PATTERNS as SECRET_NAME_PATTERNS
from pytest_cors.redaction import SECRET_PARAMS as SECRET_PARAMS
from pytest_cors.redaction import add_secret_names as add_secret_names
from pytest_cors.redaction import is_secret_header as is_secret_header
from pytest_cors.redaction import is_secret_param as is_secret_param
from pytest_cors.redaction import redact_params as redact_params
from pytest_cors.redaction import redact_url as redact_url
from pytest_cors.redaction import redact_value as redact_value

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

HeaderInput = Union[Mapping[str, str], Iterable[tuple[str, str]], "Headers", None]

# -- what is redacted: the rule lives in :mod:`pytest_cors.redaction`; its names are re-exported
# here, where they were first documented (``pytest_cors.http.add_secret_names``, the sets).


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
