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

#: Chromium 156's User-Agent on Linux as a user's browser sends it. A headless Chromium (the
#: conformance suite's) says ``HeadlessChrome/156.0.0.0`` instead; servers that sniff for
#: headless browsers would treat the kit as a bot, which a user's browser is not.
CHROMIUM_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
#: Firefox 153 ESR's User-Agent on Linux (measured; headless Firefox sends the same).
FIREFOX_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
#: Safari 26's User-Agent on macOS (WebKit's documented form; not measured here).
SAFARI_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/26.0 Safari/605.1.15"
)


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
    #: After a redirect the new preflight names every unsafe header the script set, those the
    #: redirect removed (``Authorization`` across origins, body headers after a 303) included
    #: (WebKit, measured: WebKitGTK 2.50.6 keeps the script's list; with
    #: ``redirect_keeps_preflight``). ``False``: only the headers the request still carries.
    redirect_preflight_names_removed_headers: bool = False
    #: A preflight whose status is not ok fails on its status before
    #: ``Access-Control-Allow-Origin`` is read (WebKit, measured: a 401/403/404/500 without
    #: ACAO reads ``Preflight response is not successful``); Chromium and Firefox check the
    #: origin first.
    preflight_status_before_allow_origin: bool = False
    #: A cached Access-Control-Allow-Headers ``*`` covers a later ``Authorization`` too
    #: (WebKit, measured); Chromium preflights again for it.
    cached_wildcard_covers_authorization: bool = False
    #: Preflight results for ``null`` after a tainting redirect are cached like an opaque
    #: page's (with ``caches_opaque_origin``); WebKit (measured) never reuses them.
    caches_tainted_null_origin: bool = True
    #: The ``Range`` unit is ASCII case-insensitive: ``BYTES=0-1`` is safelisted (WebKit,
    #: measured); the standard and the other engines want ``bytes`` exactly.
    range_unit_case_insensitive: bool = False
    #: Response header bytes are made valid UTF-8 before anything reads them: a byte sequence
    #: that is not UTF-8 becomes the three bytes of U+FFFD, still one character per byte
    #: (WebKitGTK on libsoup, measured: ``caf\xe9`` reads ``caf\xef\xbf\xbd``, valid UTF-8 is
    #: kept). ``False``: the bytes as they came.
    header_bytes_made_valid_utf8: bool = False
    #: A same-origin request that carried ``Origin`` (a script's POST, PUT, ...) keeps it on
    #: its same-origin redirect hops, even once a 303 has turned it into a GET (WebKit,
    #: measured); the standard decides afresh at each hop, and a same-origin GET carries none.
    same_origin_redirect_keeps_origin: bool = False
    #: A preflight to a URL of the page's own origin (a redirect led back there, so the request
    #: is tainted) skips the Access-Control-Allow-Origin and -Credentials checks; the method and
    #: header checks still apply (Firefox 153 ESR, measured: none, a duplicated or another
    #: origin's ACAO pass, an unlisted method fails; random_modes.py seed 7, rnd-modes-002).
    home_preflight_skips_origin_check: bool = False
    #: A ``no-cors`` request's redirect to another origin sends ``Origin: null`` from then on,
    #: also from a first hop of the page's own origin (Chromium 156, measured: ``app`` 307 to
    #: ``other`` sends ``null``; random_modes.py seed 10, rnd-modes-214); the standard taints
    #: only a redirect away from a URL of another origin than the page's (Firefox, WebKit).
    no_cors_redirect_taints: bool = False
    #: A redirect's ``Location`` is checked against the page's CSP before the redirect response
    #: is CORS-checked, so a blocked target is the reported failure even when that response's
    #: CORS headers are wrong too (Firefox 153 ESR, measured: random_csp.py seed 11,
    #: rnd-csp-009); Chromium and WebKit report the CORS failure.
    csp_checks_redirect_first: bool = False
    #: Any redirect (301, 302, 307, 308) of a ``DELETE`` to another origin (scheme, host or
    #: port) turns it into a ``GET`` without a body, the script's headers kept (WebKitGTK 2.50.6,
    #: measured; its libsoup network layer does it, Safari's CFNetwork one is not measured); the
    #: standard keeps the method.
    cross_origin_redirect_turns_delete_into_get: bool = False
    #: A preflight that passes the CORS check and parses but refuses the request's method or a
    #: header still caches what it allows, so a later request it covers sends no preflight
    #: (WebKit, measured); the standard caches only a preflight that succeeded.
    refused_preflight_stores_entry: bool = False
    #: The preflight cache serves HEAD without ``HEAD`` being listed in Allow-Methods, as it does
    #: GET and POST (Firefox's cache exempts only GET and POST).
    cache_exempts_head: bool = True
    #: The page's HTTP cache: a fresh stored ``GET`` response answers a later fetch of the URL
    #: without a request (a permanent redirect stays fresh in Chromium with no freshness
    #: information at all). ``None``: every request reaches the server.
    http_cache: HttpCacheRules | None = None
    #: Separator the page sees between two ``Content-Type`` response lines.
    content_type_join: str = ", "
    #: Console message style: "chromium", "firefox" or "webkit".
    console: str = "chromium"
    #: What the page's script catches when ``fetch()`` fails a CORS check (each engine words
    #: the same network error its own way).
    script_error: str = "TypeError: Failed to fetch"
    max_redirects: int = 20
    default_max_age: int = 5
    #: The ``User-Agent`` the browser adds (a script-set one wins where the profile keeps it).
    user_agent: str = CHROMIUM_USER_AGENT
    #: The ``Accept-Language`` the browser adds (an English-language install; a script-set one
    #: wins on the request, never on the preflight).
    accept_language: str = "en-US,en;q=0.9"
    #: ``Accept-Encoding`` to a potentially trustworthy URL (https, localhost, 127.0.0.1).
    accept_encoding: str = "gzip, deflate, br, zstd"
    #: ``Accept-Encoding`` to any other URL (plain http).
    accept_encoding_http: str = "gzip, deflate"
    #: A preflight to a plain-http URL still carries ``Sec-Fetch-Mode: cors`` (Fetch Metadata
    #: otherwise goes only to potentially trustworthy URLs).
    preflight_fetch_mode_everywhere: bool = False
    #: User-agent client hints on requests (not preflights) to potentially trustworthy URLs.
    ua_client_hints: tuple[tuple[str, str], ...] = ()
    #: ``Sec-Fetch-Storage-Access: none`` on credentialed cross-site requests to potentially
    #: trustworthy URLs.
    sends_storage_access: bool = False
    #: The ``Priority`` header on every request, preflights included (empty: none).
    priority: str = ""
    #: An ``https`` page may fetch ``http`` on a loopback host (``localhost``, ``127.0.0.0/8``,
    #: ``[::1]``): potentially trustworthy, so not mixed content (Chromium 156, Firefox 153,
    #: measured); WebKitGTK 2.50.6 blocks those too (measured).
    mixed_content_allows_loopback: bool = True
    #: A preflighted request redirected from ``https`` to ``http`` sends the new URL's
    #: preflight (over plain ``http``) before the redirect is blocked as mixed content; the
    #: actual request is never sent (WebKitGTK 2.50.6, measured: random_mixed_content.py seed
    #: 2, mix-rnd-005, then the fixed case mix-fetch-put-redirect). Chromium and Firefox block
    #: the redirect before anything goes out.
    mixed_content_blocked_after_preflight: bool = False
    #: An ``https`` page may reach ``http`` at a *local* (private) IP literal (``10.0.0.0/8``,
    #: ``192.168.0.0/16`` ...): Local Network Access gates it instead, so it is neither blocked
    #: nor upgraded (Chromium 156, measured for fetch(), XHR, ``<script>`` and ``<img>`` to
    #: ``10.1.2.3`` and ``192.168.7.8``: tests/conformance/test_mixed_content.py).
    mixed_content_exempts_local_ip: bool = False
    #: An image, audio or video at a non-loopback IP literal cannot be upgraded (an IP has no
    #: certificate to expect), so it is blocked like a script (Chromium 156, measured for
    #: ``203.0.113.5`` and ``8.8.4.4``); ``False`` loads it over ``http`` (not measured in
    #: Firefox or WebKit, which cannot be pointed at such an address here).
    mixed_content_blocks_ip_media: bool = False
    #: A redirect from ``https`` to an upgradable ``http`` URL (an image, audio, video) is
    #: upgraded before the redirect is judged, so ``https://api`` to ``http://api`` stays
    #: same-origin and the request's origin is not tainted (Chromium 156, measured with a
    #: ``<video crossorigin>``); Firefox 153 and WebKitGTK 2.50.6 taint it (``Origin: null``).
    mixed_content_upgrades_before_redirect: bool = False
    #: Local Network Access (Chromium 142+, measured in 156; Firefox 153 ESR by default,
    #: measured in 153.8): a public page's request to a local or loopback address needs a
    #: permission (:mod:`pytest_cors.engine.lna`); WebKit refuses nothing there.
    local_network_access: bool = False
    #: Local Network Access refuses a public page that is not a secure context whatever its
    #: permission says (Chromium 156, measured); Firefox 153 asks it like any page
    #: (``network.lna.block_insecure_contexts`` off by default, measured).
    lna_refuses_insecure_page: bool = True


CHROMIUM = Profile(
    name="chromium",
    no_cors_redirect_taints=True,
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
    preflight_fetch_mode_everywhere=True,
    ua_client_hints=(
        ("sec-ch-ua", '"Not:A-Brand";v="8", "Chromium";v="156"'),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Linux"'),
    ),
    sends_storage_access=True,
    local_network_access=True,
    mixed_content_exempts_local_ip=True,
    mixed_content_blocks_ip_media=True,
    mixed_content_upgrades_before_redirect=True,
)

# The Standard leaves User-Agent, Accept-Language and Accept-Encoding to the implementation:
# the spec profile sends Chromium's values, and Fetch Metadata exactly as Fetch says.
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
    home_preflight_skips_origin_check=True,
    csp_checks_redirect_first=True,
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
    user_agent=FIREFOX_USER_AGENT,
    priority="u=4",
    # Measured (Firefox 153.8 ESR, default prefs: network.lna.enabled, network.lna.blocking):
    # tests/conformance/test_lna.py
    local_network_access=True,
    lna_refuses_insecure_page=False,
)

# WebKit, measured in WebKitGTK 2.50.6 (Safari 26's WebCore CORS code on libsoup) by
# tests/conformance/test_webkit.py: every field that decides CORS is WebKit's measured
# behaviour, from the 600 s cache cap to its console wording. The User-Agent and the
# Accept-Encoding lines stay Safari's documented values: WebKitGTK's HTTP layer is libsoup, not
# Safari's CFNetwork, so they cannot be measured here (docs/fidelity.md).
SAFARI = Profile(
    name="safari",
    script_error="TypeError: Load failed",
    wildcard_covers_authorization=True,
    client_hints_safelisted=False,
    joins_duplicate_request_headers=True,
    drops_user_agent=False,
    high_bytes_unsafe_in_accept=False,
    accepts_space_before_colon=False,
    negative_max_age_disables_cache=True,
    unparsable_max_age_uses_default=True,
    max_age_cap=600,
    cached_wildcard_method_covers=True,
    credentialed_entry_serves_omit=True,
    tainted_preflight_sends_null=True,
    user_agent=SAFARI_USER_AGENT,
    accept_encoding="gzip, deflate, br",
    accept_encoding_http="gzip, deflate, br",
    caches_opaque_origin=True,
    failed_fetch_clears_cache=False,
    redirect_keeps_preflight=True,
    redirect_preflight_names_removed_headers=True,
    preflight_status_before_allow_origin=True,
    cached_wildcard_covers_authorization=True,
    caches_tainted_null_origin=False,
    range_unit_case_insensitive=True,
    header_bytes_made_valid_utf8=True,
    same_origin_redirect_keeps_origin=True,
    refused_preflight_stores_entry=True,
    cross_origin_redirect_turns_delete_into_get=True,
    mixed_content_allows_loopback=False,
    mixed_content_blocked_after_preflight=True,
    console="webkit",
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
