"""The CORS-preflight cache a browser keeps between fetches (reference §5.5).

One entry per allowed method and per allowed header name, keyed by (origin, full URL,
credentials), plus one record that a preflight for that key succeeded at all. The clock is
passed in, so the cache stays pure and testable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pytest_cors.engine.httpcache import HttpCache
from pytest_cors.engine.profiles import Profile
from pytest_cors.engine.request import SAFELISTED_METHODS
from pytest_cors.errors import hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback


@dataclass(slots=True)
class _Entry:
    origin: str
    url: str
    credentials: bool
    kind: str  # "method", "header", or "key" (a preflight for this key succeeded)
    value: str
    expires: float


@dataclass
class PreflightCache:
    """Live preflight results; ``covers`` says whether a new preflight is needed.

    It also carries the page's HTTP cache (``http``, ``None`` when the profile keeps none), so
    the one object a :class:`~pytest_cors.Browser` holds is everything a page remembers.
    """

    profile: Profile
    entries: list[_Entry] = field(default_factory=list)
    http: HttpCache | None = field(default=None, repr=False)

    #: One HTTP cache per page origin: browsers partition theirs by top-level site, so a page
    #: at another origin never sees what this one stored (``http`` is the first page's).
    partitions: dict[str, HttpCache] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.http is None and self.profile.http_cache is not None:
            self.http = HttpCache(self.profile.http_cache)

    def http_for(self, page_origin: str) -> HttpCache | None:
        """The HTTP cache a page at ``page_origin`` uses (``None`` when the profile keeps none)."""
        if self.http is None:
            return None
        if not self.partitions:
            self.partitions[page_origin] = self.http
        if page_origin not in self.partitions:
            self.partitions[page_origin] = HttpCache(self.http.rules, self.http.wall)
        return self.partitions[page_origin]

    def _matching(self, origin: str, url: str, include: bool, now: float) -> list[_Entry]:
        self.entries = [e for e in self.entries if e.expires > now]
        return [
            e
            for e in self.entries
            if e.origin == origin
            and e.url == url
            and (
                e.credentials == include
                or (e.credentials and self.profile.credentialed_entry_serves_omit)
            )
        ]

    def covers(
        self, origin: str, url: str, include: bool, method: str, headers: list[str], now: float
    ) -> bool:
        """Whether live entries cover the method (if not safelisted) and every unsafe header.

        Only a key some preflight succeeded for can cover anything: a request that needs a
        preflight for no method or header of its own (Firefox after a redirect) still needs one
        unless the key is known.
        """
        entries = self._matching(origin, url, include, now)
        if not entries:
            return False
        exempt = method in SAFELISTED_METHODS and (
            method != "HEAD" or self.profile.cache_exempts_head
        )
        if not exempt and not any(
            e.kind == "method"
            and (
                e.value == method
                or (e.value == "*" and not include and self.profile.cached_wildcard_method_covers)
            )
            for e in entries
        ):
            return False
        for name in headers:
            if not any(
                e.kind == "header"
                and (
                    e.value.lower() == name
                    or (
                        # A preflight's `*` lets Authorization through (deprecated), but a
                        # cached `*` does not in Chromium: it preflights again (random
                        # hardening R5); WebKit's cached `*` covers it.
                        e.value == "*"
                        and not include
                        and self.profile.cached_wildcard_header_covers
                        and (
                            name != "authorization"
                            or self.profile.cached_wildcard_covers_authorization
                        )
                    )
                )
                for e in entries
            ):
                return False
        return True

    def store(
        self,
        origin: str,
        url: str,
        include: bool,
        methods: list[str],
        headers: list[str],
        max_age: int,
        now: float,
    ) -> None:
        """Record a successful preflight's methods and header names for ``max_age`` seconds."""
        if max_age <= 0:
            return
        expires = now + max_age
        # Firefox keeps the key itself until it is evicted or cleared, even once its tokens
        # have expired; only its "a preflight is still needed" rule ever asks about it.
        fresh = {("key", ""): _Entry(origin, url, include, "key", "", math.inf)}
        for kind, values in (("method", methods), ("header", headers)):
            for value in values:
                fresh.pop((kind, value), None)  # a repeated token moves to the end, as a re-put
                fresh[kind, value] = _Entry(origin, url, include, kind, value, expires)
        # One pass instead of one per token: what each token's own replacement would keep.
        self.entries = [
            e
            for e in self.entries
            if not (
                e.origin == origin
                and e.url == url
                and e.credentials == include
                and (e.kind, e.value) in fresh
            )
        ]
        self.entries.extend(fresh.values())

    def clear(self, origin: str, url: str) -> None:
        """A fetch that used this URL failed: forget every entry for (origin, URL)."""
        self.entries = [e for e in self.entries if not (e.origin == origin and e.url == url)]
