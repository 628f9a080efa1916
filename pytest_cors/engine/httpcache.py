"""The HTTP cache, as far as it decides which requests of a page reach the server at all.

A browser answers a later ``GET`` from its HTTP cache when a stored response is still fresh:
then nothing is sent, but the stored response still goes through the CORS check (so a stored
redirect that fails it fails again). Freshness follows RFC 9111 for a private cache
(``Cache-Control: max-age``, ``Expires`` against ``Date``, ``no-cache``/``no-store``,
``Pragma: no-cache``, the Last-Modified heuristic, ``Vary``); where Chromium and Firefox part
(which statuses are stored or fresh without any freshness information, whether a response the
page never read is kept, the request headers that bypass the cache ...) the profile's
:class:`HttpCacheRules` says which, as measured in Chromium 156 and Firefox 153 by the
conformance suite. The engine sends no validators, so a revalidation is a plain request.

Times: ``now`` (the same clock as the preflight cache) measures an entry's age; ``wall`` (Unix
seconds) is read once per stored response, to turn its absolute dates into a lifetime.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Headers, Request, Response, grouped

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_CONDITIONAL = frozenset(
    {"if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"}
)


@dataclass(frozen=True)
class HttpCacheRules:
    """Where one browser's HTTP cache departs from the shared RFC 9111 behaviour."""

    name: str
    #: Statuses fresh without any freshness information (Chromium: the permanent ones).
    heuristic_statuses: frozenset[int]
    #: Statuses that may be stored; ``None``: any but 206 (a partial answer to a whole request).
    storable_statuses: frozenset[int] | None
    #: Requests that send credentials and requests that do not use separate entries.
    keyed_by_credentials: bool
    #: A response the page never read to the end (its CORS check failed) is kept anyway;
    #: otherwise only redirects, which have nothing to read, are kept after a failure.
    stores_unread_responses: bool
    #: A ``HEAD`` is answered from the entry a ``GET`` stored.
    head_from_get: bool
    #: A request with another method to the URL evicts its entry.
    unsafe_methods_invalidate: bool
    #: A page with an opaque origin (sandboxed) has an HTTP cache at all.
    opaque_page: bool
    #: A single byte ``Range`` is cut from a stored whole 200 (a 206); else Range requests go out.
    serves_ranges: bool
    #: A request's ``Pragma: no-cache`` sends it to the server (it is still stored).
    request_pragma_bypasses: bool
    #: A request's ``Cache-Control: no-store`` neither reads nor writes the cache.
    request_no_store_bypasses: bool

    def __str__(self) -> str:
        return self.name


CHROMIUM_HTTP_CACHE = HttpCacheRules(
    name="Chromium's",
    heuristic_statuses=frozenset({300, 301, 308, 410}),
    storable_statuses=None,
    keyed_by_credentials=False,
    stores_unread_responses=False,
    head_from_get=True,
    unsafe_methods_invalidate=True,
    opaque_page=False,
    serves_ranges=True,
    request_pragma_bypasses=True,
    request_no_store_bypasses=False,
)

FIREFOX_HTTP_CACHE = HttpCacheRules(
    name="Firefox's",
    heuristic_statuses=frozenset({410}),
    storable_statuses=frozenset({200, 203, 204, 206, 301, 302, 303, 307, 308, 410}),
    keyed_by_credentials=True,
    stores_unread_responses=True,
    head_from_get=False,
    unsafe_methods_invalidate=False,
    opaque_page=True,
    serves_ranges=False,
    request_pragma_bypasses=False,
    request_no_store_bypasses=True,
)


def _directives(headers: Headers, name: str) -> dict[str, str | None]:
    """``Cache-Control``-style directives of every ``name`` line: lower-cased name -> value."""
    out: dict[str, str | None] = {}
    for line in headers.get_all(name):
        for item in line.split(","):
            key, sep, value = item.strip().partition("=")
            key = key.strip().lower()
            if key and key not in out:
                out[key] = value.strip().strip('"') if sep else None
    return out


def _date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _seconds(value: str | None) -> float | None:
    if value is None or not value.isdigit():
        return None
    return float(value)


def initial_age(response: Response, wall: float) -> float:
    """How old ``response`` already is when received: its ``Age``, or ``Date`` in the past."""
    age = _seconds((response.headers.get("Age") or "").strip()) or 0.0
    date = _date(response.headers.get("Date"))
    return max(age, wall - date if date is not None else 0.0, 0.0)


def lifetime(response: Response, rules: HttpCacheRules, wall: float) -> float:
    """How long ``response`` stays fresh, seconds (0: stale at once, so it is fetched again)."""
    headers = response.headers
    control = _directives(headers, "Cache-Control")
    if "no-cache" in control or "no-cache" in _directives(headers, "Pragma"):
        return 0.0
    if "max-age" in control:
        return _seconds(control["max-age"]) or 0.0
    date = _date(headers.get("Date")) or wall
    if headers.get("Expires") is not None:
        expires = _date(headers.get("Expires"))
        return max(expires - date, 0.0) if expires is not None else 0.0
    if response.status in rules.heuristic_statuses:
        return math.inf
    modified = _date(headers.get("Last-Modified"))
    if modified is not None and modified < date:
        return (date - modified) / 10
    return 0.0


class _Stored:
    """One stored response. What it is worth (its ``Vary`` key, lifetime and initial age) is
    worked out on the first look-up that reaches it: most entries (the last response of every
    throw-away ``simulate_fetch`` session) are never looked up at all."""

    def __init__(
        self,
        url: str,
        credentialed: bool,
        request: Request,
        response: Response,
        stored_at: float,
        wall: float,
        rules: HttpCacheRules,
    ) -> None:
        self.url = url
        self.credentialed = credentialed
        self.request = request
        self.response = response
        self.stored_at = stored_at
        #: the wall clock read when the response was stored: its dates are measured from it
        self.wall = wall
        self._rules = rules

    @functools.cached_property
    def vary(self) -> tuple[tuple[str, str | None], ...] | None:
        """The request's value of each name in the response's ``Vary`` (``None``: ``Vary: *``)."""
        return _vary(self.request, self.response)

    @functools.cached_property
    def lifetime(self) -> float:
        return lifetime(self.response, self._rules, self.wall)

    @functools.cached_property
    def initial_age(self) -> float:
        return initial_age(self.response, self.wall)


def _vary(request: Request, response: Response) -> tuple[tuple[str, str | None], ...] | None:
    names = [
        n.strip().lower() for line in response.headers.get_all("Vary") for n in line.split(",")
    ]
    if "*" in names:
        return None
    return tuple((n, _joined(request.headers, n)) for n in names if n)


def _joined(headers: Headers, name: str) -> str | None:
    values = headers.get_all(name)
    return ", ".join(values) if values else None


@dataclass
class HttpCache:
    """One page's HTTP cache: ``lookup`` before a request is sent, ``store`` after."""

    rules: HttpCacheRules
    wall: Callable[[], float] = time.time
    entries: list[_Stored] = field(default_factory=list)

    def _modes(self, request: Request) -> tuple[bool, bool]:
        """(may read, may write) for this request, from the headers the script set."""
        headers = request.headers
        if not _CONDITIONAL.isdisjoint(grouped(headers)):
            return False, False  # Fetch: a conditional request is the script's own business
        control = _directives(headers, "Cache-Control")
        if "no-store" in control and self.rules.request_no_store_bypasses:
            return False, False
        read = not ("no-cache" in control or control.get("max-age") == "0")
        if self.rules.request_pragma_bypasses and "no-cache" in _directives(headers, "Pragma"):
            read = False
        return read, True

    def _may_write(self, request: Request) -> bool:
        """``_modes(request)[1]`` without working out the read side ``store`` has no use for."""
        if not _CONDITIONAL.isdisjoint(grouped(request.headers)):
            return False
        return not (
            self.rules.request_no_store_bypasses
            and "no-store" in _directives(request.headers, "Cache-Control")
        )

    def lookup(
        self, request: Request, credentialed: bool, opaque_page: bool, now: float
    ) -> Response | None:
        """The stored response that answers ``request`` (``None``: it goes to the server)."""
        if not self.entries:
            return None  # the common case, and the cheapest answer: nothing stored yet
        if opaque_page and not self.rules.opaque_page:
            return None
        if request.method != "GET" and not (request.method == "HEAD" and self.rules.head_from_get):
            return None
        read, _ = self._modes(request)
        ranged = request.headers.get("Range")
        if not read or (ranged is not None and not self.rules.serves_ranges):
            return None
        for entry in reversed(self.entries):
            if (
                entry.url != request.url
                or (self.rules.keyed_by_credentials and entry.credentialed != credentialed)
                or entry.vary is None
                or any(_joined(request.headers, n) != v for n, v in entry.vary)
                or entry.initial_age + now - entry.stored_at >= entry.lifetime
            ):
                continue
            response = entry.response
            if ranged is not None and response.status == 200:
                cut = _cut(response, ranged)
                if cut is None:
                    return None
                response = cut
            if request.method == "HEAD":
                response = Response(response.status, response.headers, b"")
            return response
        return None

    def store(
        self,
        request: Request,
        credentialed: bool,
        opaque_page: bool,
        response: Response,
        now: float,
    ) -> None:
        """Keep ``response`` to ``request`` if the browser would."""
        if opaque_page and not self.rules.opaque_page:
            return
        if request.method != "GET" or not self._may_write(request):
            return
        if response.truncated:  # the kit kept only part of the body: never answer from it
            return
        allowed = self.rules.storable_statuses
        if response.status == 206 if allowed is None else response.status not in allowed:
            return
        if "no-store" in _directives(response.headers, "Cache-Control"):
            return
        self.invalidate(request.url, credentialed)
        self.entries.append(
            _Stored(request.url, credentialed, request, response, now, self.wall(), self.rules)
        )

    def invalidate(self, url: str, credentialed: bool | None = None) -> None:
        """Forget the URL's entries (of one credentials key, or all of them)."""
        if not self.entries:
            return  # nothing to forget (and keep the list the cache was made with)
        self.entries = [
            e
            for e in self.entries
            if not (
                e.url == url
                and (
                    credentialed is None
                    or not self.rules.keyed_by_credentials
                    or e.credentialed == credentialed
                )
            )
        ]


def _cut(response: Response, ranged: str) -> Response | None:
    """Chromium's answer to a single byte range from a stored whole response.

    A 206 holding the range; the whole stored response when the range starts past the end;
    ``None`` (ask the server) for any other form.
    """
    unit, _, spec = ranged.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    body = response.body or b""
    size = len(body)
    if not dash or not (first.isdigit() or last.isdigit()) or (last and not last.isdigit()):
        return None
    if first.isdigit():
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    else:
        start, end = max(size - int(last), 0), size - 1
    if start >= size:
        return response
    if end < start:
        return None
    part = body[start : end + 1]
    pairs = [(n, v) for n, v in response.headers if n.lower() != "content-length"]
    pairs += [("Content-Range", f"bytes {start}-{end}/{size}"), ("Content-Length", str(len(part)))]
    return Response(206, Headers(pairs), part)
