"""The headers the browser adds on its own (reference §3.3, §5.1; engine/added.py).

Values as measured in Chromium 156 and Firefox 153 (tests/conformance/test_added_headers.py
checks them against the browsers); none of them may change the preflight decision or the
Access-Control-Request-Headers list.
"""

import pytest

from pytest_cors.engine import get_profile
from pytest_cors.engine.added import fetch_site, is_potentially_trustworthy, referrer
from pytest_cors.engine.request import unsafe_header_names
from pytest_cors.origin import origin_of_url, parse_origin

from .drive import ACAC_TRUE, ACAO_ANY, ACAO_PAGE, BROWSER_ADDED, fetch, resp, routes, server

ALLOW_ALL = resp(
    204,
    ACAO_ANY,
    "Access-Control-Allow-Methods: *",
    "Access-Control-Allow-Headers: *, authorization",  # the spec's * never covers it
)
PROFILES = ["chromium", "firefox", "safari", "spec"]


def _added(request):
    return {n.lower(): v for n, v in request.headers if n.lower() in BROWSER_ADDED}


@pytest.mark.parametrize(
    ("url", "trustworthy"),
    [
        ("https://api.example.org/", True),
        ("wss://api.example.org/", True),
        ("http://localhost:8000/", True),
        ("http://app.localhost/", True),
        ("http://127.0.0.1:8000/", True),
        ("http://127.8.9.10/", True),
        ("http://[::1]:8000/", True),
        ("http://api.example.org/", False),
        ("http://localhost.example.org/", False),
        ("http://10.0.0.1/", False),
        ("http://[::2]/", False),
        ("http://testserver/", False),
    ],
)
def test_potentially_trustworthy_urls(url, trustworthy):
    assert is_potentially_trustworthy(origin_of_url(url)) is trustworthy


@pytest.mark.parametrize(
    ("page", "hops", "site"),
    [
        ("https://app.example.com", ["https://app.example.com/x"], "same-origin"),
        ("https://app.example.com", ["https://api.example.com/x"], "same-site"),
        ("https://app.example.com", ["https://example.com/x"], "same-site"),
        ("https://app.example.com", ["https://app.example.com:8443/x"], "same-site"),
        ("https://app.example.com", ["https://api.example.org/x"], "cross-site"),
        # schemeful: http and https of one host are different sites
        ("http://app.example.com", ["https://app.example.com/x"], "cross-site"),
        # the public suffix list, private section included
        ("https://shop.example.co.uk", ["https://api.example.co.uk/"], "same-site"),
        ("https://a.example.co.uk", ["https://b.other.co.uk/"], "cross-site"),
        ("https://alice.github.io", ["https://bob.github.io/"], "cross-site"),
        ("http://localhost:3000", ["http://localhost:8000/"], "same-site"),
        ("http://localhost:3000", ["http://127.0.0.1:3000/"], "cross-site"),
        # the whole redirect chain counts: once cross-site, always cross-site
        (
            "https://app.example.com",
            ["https://api.example.org/", "https://app.example.com/back"],
            "cross-site",
        ),
        (
            "https://app.example.com",
            ["https://api.example.com/", "https://app.example.com/back"],
            "same-site",
        ),
        ("null", ["https://app.example.com/"], "cross-site"),
    ],
)
def test_sec_fetch_site(page, hops, site):
    assert fetch_site(parse_origin(page), [origin_of_url(u) for u in hops]) == site


@pytest.mark.parametrize(
    ("page", "url", "expected"),
    [
        ("https://app.example.com", "https://api.example.org/r?q=1", "https://app.example.com/"),
        ("https://app.example.com", "https://app.example.com/r", "https://app.example.com/"),
        ("http://app.example.com:8080", "http://api.example.org/r", "http://app.example.com:8080/"),
        ("http://localhost:3000", "http://api.example.org/r", "http://localhost:3000/"),
        # a downgrade: strict-origin-when-cross-origin sends nothing
        ("https://app.example.com", "http://api.example.org/r", None),
        ("https://app.example.com", "http://localhost:8000/r", None),
        # the opaque page of a sandboxed iframe (measured: no Referer)
        ("null", "https://api.example.org/r", None),
    ],
)
def test_referer_follows_strict_origin_when_cross_origin_for_a_page_at_slash(page, url, expected):
    assert referrer(parse_origin(page), origin_of_url(url)) == expected
    outcome = fetch(server(resp(200, ACAO_ANY)), url, origin=page)
    assert outcome.actual.request.headers.get("Referer") == expected


@pytest.mark.parametrize("browser", PROFILES)
def test_a_trustworthy_url_gets_fetch_metadata_on_the_preflight_and_the_request(browser):
    profile = get_profile(browser)
    outcome = fetch(
        server(resp(200, ACAO_ANY), ALLOW_ALL),
        "https://api.example.org/r",
        method="PUT",
        headers={"X-A": "1"},
        body="x",
        browser=browser,
    )
    for exchange in outcome.exchanges:
        added = _added(exchange.request)
        assert added["sec-fetch-site"] == "cross-site"
        assert added["sec-fetch-mode"] == "cors"
        assert added["sec-fetch-dest"] == "empty"
        assert added["referer"] == "https://app.example.com/"
        assert added["user-agent"] == profile.user_agent
        assert added["accept-language"] == profile.accept_language
        assert added["accept-encoding"] == profile.accept_encoding
        assert added.get("priority") == (profile.priority or None)
        hints = dict(profile.ua_client_hints)
        if exchange.kind == "actual":
            assert {k: added[k] for k in hints} == hints
        else:  # measured: Chromium sends no client hints on a preflight
            assert not set(hints) & set(added)


@pytest.mark.parametrize("browser", PROFILES)
def test_a_plain_http_url_gets_no_fetch_metadata(browser):
    profile = get_profile(browser)
    outcome = fetch(
        server(resp(200, ACAO_ANY), ALLOW_ALL),
        "http://api.example.org/r",
        origin="http://app.example.com",
        method="PUT",
        body="x",
        browser=browser,
    )
    actual = _added(outcome.actual.request)
    assert not any(name.startswith("sec-") for name in actual)
    assert actual["accept-encoding"] == profile.accept_encoding_http
    preflight = _added(outcome.preflight.request)
    # measured: only Chromium puts Sec-Fetch-Mode on a preflight to a plain-http URL
    fetch_metadata = {k: v for k, v in preflight.items() if k.startswith("sec-")}
    expected = {"sec-fetch-mode": "cors"} if profile.preflight_fetch_mode_everywhere else {}
    assert fetch_metadata == expected
    assert preflight["referer"] == "http://app.example.com/"


def test_measured_values_per_engine():
    chromium, firefox = get_profile("chromium"), get_profile("firefox")
    assert "HeadlessChrome" not in chromium.user_agent and "Chrome/" in chromium.user_agent
    assert "Firefox/" in firefox.user_agent and "Gecko/" in firefox.user_agent
    assert chromium.accept_encoding == firefox.accept_encoding == "gzip, deflate, br, zstd"
    assert chromium.accept_encoding_http == firefox.accept_encoding_http == "gzip, deflate"
    assert chromium.accept_language == firefox.accept_language == "en-US,en;q=0.9"
    assert firefox.priority == "u=4" and not chromium.priority


def test_same_origin_requests_carry_them_too():
    outcome = fetch(
        server(resp(200)),
        "https://app.example.com/r",
        method="PUT",
        headers={"X-A": "1"},
        body="x",
    )
    assert outcome.same_origin and outcome.preflight is None
    added = _added(outcome.actual.request)
    assert added["sec-fetch-site"] == "same-origin"
    assert added["referer"] == "https://app.example.com/"  # the page is taken to be at /


@pytest.mark.parametrize(
    ("credentials", "url", "storage"),
    [
        ("include", "https://api.example.org/r", "none"),
        ("omit", "https://api.example.org/r", None),
        ("same-origin", "https://api.example.org/r", None),
        ("include", "https://api.example.com/r", None),  # same-site
        ("include", "http://api.example.org/r", None),  # not trustworthy
    ],
)
def test_chromium_sends_storage_access_on_credentialed_cross_site_requests(
    credentials, url, storage
):
    credentialed = resp(200, ACAO_PAGE, ACAC_TRUE)
    preflight = resp(204, ACAO_PAGE, ACAC_TRUE, "Access-Control-Allow-Methods: PUT")
    for browser, sends in (("chromium", True), ("firefox", False)):
        outcome = fetch(
            server(credentialed, preflight),
            url,
            method="PUT",
            body="x",
            credentials=credentials,
            browser=browser,
        )
        assert outcome.allowed, outcome.explain()
        value = outcome.actual.request.headers.get("Sec-Fetch-Storage-Access")
        assert value == (storage if sends else None)
        assert "Sec-Fetch-Storage-Access" not in outcome.preflight.request.headers


def test_the_redirect_chain_decides_sec_fetch_site_and_the_preflight_only_its_url():
    first, second = "https://api.example.com/r", "https://cdn.example.net/s"
    hop = resp(307, ACAO_PAGE, f"Location: {second}")
    outcome = fetch(
        routes({first: (hop, ALLOW_ALL), second: (resp(200, ACAO_ANY), ALLOW_ALL)}),
        first,
        method="PUT",
        body="x",
    )
    sites = [(e.kind, e.request.headers.get("Sec-Fetch-Site")) for e in outcome.exchanges]
    assert sites == [
        ("preflight", "same-site"),
        ("actual", "same-site"),
        ("preflight", "cross-site"),
        ("actual", "cross-site"),
    ]
    # the Origin turns null after the cross-origin redirect, the Referer stays the page's
    assert outcome.actual.request.headers.get("Origin") == "null"
    assert outcome.actual.request.headers.get("Referer") == "https://app.example.com/"


@pytest.mark.parametrize("browser", ["spec", "firefox", "safari"])
def test_script_set_values_win_where_the_script_may_set_them(browser):
    profile = get_profile(browser)
    preflight = resp(204, ACAO_ANY, "Access-Control-Allow-Headers: user-agent, priority")
    outcome = fetch(
        server(resp(200, ACAO_ANY), preflight),
        headers={"User-Agent": "bot/1", "Accept-Language": "de", "Priority": "u=1"},
        browser=browser,
    )
    actual = outcome.actual.request.headers
    assert actual.get_all("User-Agent") == ["bot/1"]
    assert actual.get_all("Accept-Language") == ["de"]
    assert actual.get_all("Priority") == ["u=1"]
    # the preflight carries no script line: the browser's own values
    pf = outcome.preflight.request.headers
    assert pf.get_all("User-Agent") == [profile.user_agent]
    assert pf.get_all("Accept-Language") == [profile.accept_language]
    assert pf.get_all("Access-Control-Request-Headers") == ["priority,user-agent"]


def test_chromium_sends_its_own_user_agent_instead_of_the_scripts():
    outcome = fetch(server(resp(200, ACAO_ANY)), headers={"User-Agent": "bot/1"})
    assert outcome.preflight is None
    agent = get_profile("chromium").user_agent
    assert outcome.actual.request.headers.get_all("User-Agent") == [agent]


def test_a_script_set_range_asks_for_the_identity_coding():
    outcome = fetch(server(resp(206, ACAO_ANY)), headers={"Range": "bytes=0-10"})
    assert outcome.preflight is None
    assert outcome.actual.request.headers.get_all("Accept-Encoding") == ["identity"]


# -- they never change what CORS decides ---------------------------------------------------------

SCRIPT_HEADERS = [
    {},
    {"Accept": "text/plain", "Accept-Language": "de", "Content-Language": "fr"},
    {"Content-Type": "text/plain"},
    {"Content-Type": "application/json"},
    {"X-Request-Id": "1"},
    {"Authorization": "Bearer t", "X-A": "1"},
    {"Range": "bytes=0-10"},
    {"DPR": "2", "Save-Data": "on"},
    {"User-Agent": "bot/1"},
    {"Priority": "u=1"},
]
URLS = [
    "https://api.example.org/r",  # trustworthy, cross-site: every added header
    "https://api.example.com/r",  # same-site
    "http://api.example.org/r",  # plain http: fewest added headers
    "http://localhost:8000/r",
]


@pytest.mark.parametrize("browser", PROFILES)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
@pytest.mark.parametrize("headers", SCRIPT_HEADERS, ids=lambda h: ",".join(h) or "none")
def test_added_headers_never_change_the_preflight_decision_or_acrh(browser, method, headers):
    profile = get_profile(browser)
    body = None if method == "GET" else "x"
    script = [
        (k, v) for k, v in headers.items() if not (k == "User-Agent" and profile.drops_user_agent)
    ]
    if body is not None and "Content-Type" not in headers:
        script.append(("Content-Type", "text/plain;charset=UTF-8"))
    unsafe = unsafe_header_names(script, profile)
    wanted = method == "PUT" or bool(unsafe)
    for url in URLS:
        outcome = fetch(
            server(resp(200, ACAO_ANY), ALLOW_ALL),
            url,
            method=method,
            headers=headers,
            body=body,
            browser=browser,
        )
        # the requests do carry the browser's own lines ...
        assert "user-agent" in _added(outcome.actual.request)
        # ... and the decision is the script's headers' alone
        assert (outcome.preflight is not None) is wanted, (url, outcome.explain())
        if wanted:
            acrh = outcome.preflight.request.headers.get("Access-Control-Request-Headers")
            assert acrh == (",".join(unsafe) or None)
