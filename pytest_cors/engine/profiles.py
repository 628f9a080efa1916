"""Browser profiles: the few places where engines (and the written standard) really differ.

Each flag names one measured departure (reference §11.7 and §11.9); everything not listed here
is the same in every engine and is not an option.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pytest_cors.engine.httpcache import CHROMIUM_HTTP_CACHE, FIREFOX_HTTP_CACHE, HttpCacheRules
from pytest_cors.errors import CorsUsageError, hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback


@dataclass(frozen=True)
class Profile:
    """What one browser does where browsers disagree."""

    name: str
    #: Access-Control-Allow-Headers ``*`` covers ``Authorization`` (non-credentialed requests).
    wildcard_covers_authorization: bool
    #: Chromium's extra safelisted client-hint request headers (DPR, Width, Save-Data, ...).
    client_hints_safelisted: bool
    #: Same-name request header values are joined ``a, b`` before any safelist check.
    joins_duplicate_request_headers: bool
    #: A script-set ``User-Agent`` is dropped (no preflight) instead of sent and preflighted.
    drops_user_agent: bool
    #: A byte >= 0x80 in ``Accept``/``Content-Type`` makes the value unsafe.
    high_bytes_unsafe_in_accept: bool
    #: A raw response line ``Name : value`` counts (name trimmed) instead of being ignored.
    accepts_space_before_colon: bool
    #: ``Access-Control-Max-Age`` negative means "do not cache" (spec: parse failure -> default).
    negative_max_age_disables_cache: bool
    #: Unparsable Max-Age: ``True`` caches for the default lifetime, ``False`` does not cache.
    unparsable_max_age_uses_default: bool
    #: Upper bound on a preflight cache entry's lifetime, seconds (``None``: no cap).
    max_age_cap: int | None
    #: A cached ``Access-Control-Allow-Methods: *`` covers a later non-safelisted method.
    cached_wildcard_method_covers: bool
    #: A cache entry made by a credentialed preflight is reused by a non-credentialed request.
    credentialed_entry_serves_omit: bool
    #: The preflight after a cross-origin redirect carries ``null`` (else the page origin).
    tainted_preflight_sends_null: bool
    #: A preflight answered by a redirect is reported as such (Chromium: before the CORS check,
    #: no ``corsError``); the standard sees just a status that is not ok.
    preflight_redirect_reported: bool = True
    #: A cached Access-Control-Allow-Headers ``*`` covers a later, different header name.
    cached_wildcard_header_covers: bool = True
    #: Preflight results for the origin ``null`` (opaque page, tainted redirect) are cached.
    #: Chromium never reuses them (measured: no reuse from a sandboxed page, whatever the
    #: Max-Age, ACAO or credentials); Firefox keys them by the page's own opaque principal, so
    #: one opaque page reuses its entries like any origin (a :class:`Browser` is one page).
    caches_opaque_origin: bool = False
    #: A fetch that fails after its preflight clears that URL's entries (the standard, Firefox);
    #: Chromium keeps them.
    failed_fetch_clears_cache: bool = True
    #: Firefox's preflight order: parse Allow-Methods, check the method, then parse
    #: Allow-Headers (Chromium parses both lists before checking the method).
    method_check_before_header_parse: bool = False
    #: A comma anywhere in a request ``Content-Type`` makes it unsafe (Firefox reads it as a
    #: list); Chromium parses the MIME type up to the first ``;`` and ignores the parameters.
    comma_in_content_type_unsafe: bool = False
    #: Firefox decides "needs a preflight" once, from the request the script made: after a
    #: redirect, every later CORS hop preflights again (ACRM the current method, even GET after
    #: a 303) if an earlier hop needed one or the script set an unsafe header, and names the
    #: script's unsafe headers less those the latest redirect removed. The standard (and
    #: Chromium) decides afresh from the request as it stands at each hop.
    redirect_keeps_preflight: bool = False
    #: The preflight cache serves HEAD without ``HEAD`` being listed in Allow-Methods, as it does
    #: GET and POST (Firefox's cache exempts only GET and POST).
    cache_exempts_head: bool = True
    #: The page's HTTP cache: a fresh stored ``GET`` response answers a later fetch of the URL
    #: without a request (a permanent redirect stays fresh in Chromium with no freshness
    #: information at all). ``None``: every request reaches the server.
    http_cache: HttpCacheRules | None = None
    #: Separator the page sees between two ``Content-Type`` response lines.
    content_type_join: str = ", "
    #: Console message style: "chromium" or "firefox".
    console: str = "chromium"
    #: What the page's script catches when ``fetch()`` fails a CORS check (each engine words
    #: the same network error its own way).
    script_error: str = "TypeError: Failed to fetch"
    max_redirects: int = 20
    default_max_age: int = 5


CHROMIUM = Profile(
    name="chromium",
    wildcard_covers_authorization=True,
    client_hints_safelisted=True,
    joins_duplicate_request_headers=True,
    drops_user_agent=True,
    high_bytes_unsafe_in_accept=False,
    accepts_space_before_colon=True,
    negative_max_age_disables_cache=True,
    unparsable_max_age_uses_default=True,
    max_age_cap=7200,
    cached_wildcard_method_covers=True,
    credentialed_entry_serves_omit=True,
    tainted_preflight_sends_null=True,
    failed_fetch_clears_cache=False,
    http_cache=CHROMIUM_HTTP_CACHE,
)

SPEC = Profile(
    name="spec",
    wildcard_covers_authorization=False,
    client_hints_safelisted=False,
    joins_duplicate_request_headers=False,
    drops_user_agent=False,
    high_bytes_unsafe_in_accept=False,
    accepts_space_before_colon=False,
    negative_max_age_disables_cache=False,
    unparsable_max_age_uses_default=True,
    max_age_cap=None,
    cached_wildcard_method_covers=True,
    credentialed_entry_serves_omit=True,
    tainted_preflight_sends_null=True,
    preflight_redirect_reported=False,
    caches_opaque_origin=True,
)

FIREFOX = Profile(
    name="firefox",
    wildcard_covers_authorization=True,
    client_hints_safelisted=False,
    # Measured (Firefox 153): appended values are joined before the 128-byte check, as in
    # Chromium; the reference's per-entry row was contradicted by the conformance suite.
    joins_duplicate_request_headers=True,
    drops_user_agent=False,
    high_bytes_unsafe_in_accept=True,
    comma_in_content_type_unsafe=True,
    accepts_space_before_colon=False,
    negative_max_age_disables_cache=True,
    unparsable_max_age_uses_default=False,
    max_age_cap=86400,
    cached_wildcard_method_covers=False,
    credentialed_entry_serves_omit=False,
    tainted_preflight_sends_null=False,
    content_type_join=",",
    console="firefox",
    script_error="TypeError: NetworkError when attempting to fetch resource.",
    cached_wildcard_header_covers=False,
    method_check_before_header_parse=True,
    # Measured (Firefox 153): an opaque page reuses its own entries once the page is past
    # Firefox's start-up misses; the earlier "no reuse" (F3) was that warm-up.
    caches_opaque_origin=True,
    redirect_keeps_preflight=True,
    cache_exempts_head=False,
    http_cache=FIREFOX_HTTP_CACHE,
)

# WebKit: only the cache cap is documented as differing (600 s); the rest follows the
# behaviour Chromium and Firefox share, including Authorization under a wildcard (reference
# §11.1) and no preflight-cache reuse for an opaque origin (unmeasured in Safari).
SAFARI = Profile(
    name="safari",
    script_error="TypeError: Load failed",
    wildcard_covers_authorization=True,
    client_hints_safelisted=False,
    joins_duplicate_request_headers=False,
    drops_user_agent=False,
    high_bytes_unsafe_in_accept=False,
    accepts_space_before_colon=False,
    negative_max_age_disables_cache=False,
    unparsable_max_age_uses_default=True,
    max_age_cap=600,
    cached_wildcard_method_covers=True,
    credentialed_entry_serves_omit=True,
    tainted_preflight_sends_null=True,
)

PROFILES = {p.name: p for p in (CHROMIUM, SPEC, FIREFOX, SAFARI)}


def get_profile(browser: str | Profile) -> Profile:
    """Resolve a profile name; an unknown name is a usage error listing the known ones."""
    if isinstance(browser, Profile):
        return browser
    try:
        return PROFILES[browser]
    except (KeyError, TypeError):
        guess = suggest_profile(browser) if isinstance(browser, str) else None
        hint = f"did you mean {guess!r}? " if guess else ""
        raise CorsUsageError(
            f"unknown browser profile {browser!r}; {hint}use one of: {', '.join(sorted(PROFILES))}"
        ) from None


_ALIASES = {"chrome": "chromium", "edge": "chromium", "webkit": "safari", "gecko": "firefox"}


def suggest_profile(name: str) -> str | None:
    """The profile a mistyped or product name most likely means (``chrome`` -> ``chromium``)."""
    word = name.strip().lower()
    if word in PROFILES:
        return word
    if word in _ALIASES:
        return _ALIASES[word]
    close = difflib.get_close_matches(word, list(PROFILES), n=1, cutoff=0.6)
    return close[0] if close else None
