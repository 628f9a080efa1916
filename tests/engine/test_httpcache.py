"""The page's HTTP cache: which later fetches reach the server at all (random hardening R4).

Rows are the conformance suite's measurements (``hcache-*`` scenarios, Chromium 156 and
Firefox 153): a fresh stored ``GET`` response answers without a request and still goes through
the CORS check; the profiles differ in which responses are stored and fresh.
"""

import dataclasses
import math

import pytest

from pytest_cors.engine import PreflightCache, get_profile
from pytest_cors.engine.httpcache import CHROMIUM_HTTP_CACHE, FIREFOX_HTTP_CACHE, lifetime

from .drive import ACAC_TRUE, ACAO_PAGE, API, PAGE, fetch, resp, routes, server

NOW = 1_800_000_000.0  # the wall clock the tests pin (2027-01-15)
FRESH = "Cache-Control: max-age=600"


class Page:
    """One page's caches, and every request that reached the server."""

    def __init__(self, answer, browser="chromium"):
        self.answer = answer
        self.browser = browser
        self.sent = []
        self.cache = PreflightCache(get_profile(browser))
        if self.cache.http is not None:
            self.cache.http.wall = lambda: NOW

    def fetch(self, at=0.0, **kw):
        def record(request):
            self.sent.append((request.method, request.url))
            return self.answer(request)

        return fetch(record, browser=self.browser, cache=self.cache, now=at, **kw)

    def sends(self, at=0.0, **kw):
        """How many requests this fetch sent (and it must have been allowed)."""
        before = len(self.sent)
        outcome = self.fetch(at, **kw)
        assert outcome.allowed, outcome.explain()
        return len(self.sent) - before


OK = (ACAO_PAGE, ACAC_TRUE)


def fresh_page(*lines, status=200, browser="chromium", body=b"hello"):
    return Page(server(resp(status, *OK, *lines, body=body)), browser)


@pytest.mark.parametrize(
    ("lines", "status", "chromium", "firefox"),
    [
        ((FRESH,), 200, 0, 0),
        ((), 200, 1, 1),
        (("Cache-Control: no-cache", 'ETag: "e"'), 200, 1, 1),
        (("Cache-Control: no-store", FRESH), 200, 1, 1),
        ((FRESH, "Cache-Control: no-cache"), 200, 1, 1),
        ((FRESH, "Pragma: no-cache"), 200, 1, 1),
        (("Cache-Control: s-maxage=600",), 200, 1, 1),
        (("Cache-Control: private, max-age=600",), 200, 0, 0),
        (("Last-Modified: Tue, 01 Jan 2019 00:00:00 GMT",), 200, 0, 0),
        (("Expires: Tue, 01 Jan 2199 00:00:00 GMT",), 200, 0, 0),
        (("Expires: Tue, 01 Jan 2019 00:00:00 GMT",), 200, 1, 1),
        (("Date: Tue, 01 Jan 2019 00:00:00 GMT", "Expires: Tue, 01 Jan 2019 00:10:00 GMT"),
         200, 1, 1),
        ((FRESH, "Vary: *"), 200, 1, 1),
        ((FRESH,), 201, 0, 1),
        ((FRESH,), 203, 0, 0),
        ((FRESH,), 204, 0, 0),
        ((FRESH,), 404, 0, 1),
        ((FRESH,), 500, 0, 1),
        ((FRESH,), 300, 0, 1),
        ((), 300, 0, 1),
        ((), 410, 0, 0),
    ],
)  # fmt: skip
def test_which_responses_answer_a_second_get(lines, status, chromium, firefox):
    for browser, expected in (("chromium", chromium), ("firefox", firefox)):
        page = fresh_page(*lines, status=status, browser=browser)
        assert page.sends() == 1
        assert page.sends(1) == expected, (browser, lines, status)


@pytest.mark.parametrize("browser", ["spec", "safari"])
def test_profiles_without_an_http_cache_always_send(browser):
    page = fresh_page(FRESH, browser=browser)
    assert page.cache.http is None
    assert [page.sends(t) for t in (0, 1)] == [1, 1]


def test_a_stored_response_ages_out():
    page = fresh_page("Cache-Control: max-age=10")
    assert page.sends(0) == 1
    assert page.sends(9.9) == 0
    assert page.sends(10) == 1
    assert page.sends(15) == 0, "the new response is stored in turn"


def test_lifetimes():
    heuristic = resp(301, "Location: /b")
    assert lifetime(heuristic, CHROMIUM_HTTP_CACHE, NOW) == math.inf
    assert lifetime(heuristic, FIREFOX_HTTP_CACHE, NOW) == 0
    modified = resp(200, "Last-Modified: Fri, 15 Jan 2027 07:00:00 GMT")
    assert lifetime(modified, CHROMIUM_HTTP_CACHE, NOW) == pytest.approx(360.0)  # an hour / 10
    assert lifetime(resp(200, "Cache-Control: max-age=x"), CHROMIUM_HTTP_CACHE, NOW) == 0
    assert lifetime(resp(200, "Expires: soon"), CHROMIUM_HTTP_CACHE, NOW) == 0


def permanent(status=301, *lines):
    """``API`` redirects to ``API/b`` (a final that is never fresh)."""
    return routes(
        {
            API: (resp(status, f"Location: {API}/b", *(lines or OK)), resp(204, *OK)),
            f"{API}/b": (resp(200, *OK), resp(204, *OK, "Access-Control-Allow-Headers: *")),
        }
    )


@pytest.mark.parametrize(
    ("status", "lines", "chromium"),
    [
        (301, (), 1),
        (308, (), 1),
        (302, (), 2),
        (307, (), 2),
        (301, (*OK, "Cache-Control: no-cache"), 2),
        (302, (*OK, FRESH), 1),
        (301, (*OK, 'ETag: "e"', "Set-Cookie: r=1"), 1),
    ],
)
def test_a_stored_redirect_sends_only_the_next_hop(status, lines, chromium):
    # Seeds 646999839 rnd-033 and 2128716381 rnd-053: Chromium keeps a 301/308 with no
    # freshness information; Firefox keeps only explicitly fresh ones.
    for browser in ("chromium", "firefox"):
        page = Page(permanent(status, *lines), browser)
        assert page.sends() == 2
        second = page.fetch(1)
        assert second.allowed and second.redirected
        expected = chromium if browser == "chromium" or FRESH in lines else 2
        assert len(page.sent) - 2 == expected, browser
        assert second.http_cached == ([0] if expected == 1 else [])


def test_a_stored_redirect_is_checked_again_and_fails_again():
    page = Page(routes({API: resp(301, f"Location: {API}/b")}))
    first, second = page.fetch(0), page.fetch(1)
    assert not first.allowed and not second.allowed
    assert second.failure.code == first.failure.code == "CORSMissingAllowOrigin"
    assert page.sent == [("GET", API)]
    assert second.http_cached == [0]


def test_head_is_answered_from_a_stored_get_in_chromium():
    for browser, sends in (("chromium", 0), ("firefox", 1)):
        page = fresh_page(FRESH, browser=browser)
        page.sends()
        outcome = page.fetch(1, method="HEAD")
        assert outcome.allowed and outcome.status == 200
        assert len(page.sent) - 1 == sends
        assert page.sends(2, method="HEAD") == sends
    # a HEAD stores nothing for a later GET
    page = fresh_page(FRESH)
    assert page.sends(method="HEAD") == 1
    assert page.sends(1) == 1


@pytest.mark.parametrize(("browser", "third"), [("chromium", 1), ("firefox", 0)])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_another_method_evicts_the_entry_in_chromium(browser, third, method):
    answer = server(
        resp(200, *OK, FRESH),
        resp(204, *OK, "Access-Control-Allow-Methods: PUT, DELETE", "Access-Control-Max-Age: 0"),
    )
    page = Page(answer, browser)
    page.sends()
    page.fetch(1, method=method, body=None if method == "DELETE" else "x")
    assert page.sends(2) == third


@pytest.mark.parametrize(
    ("first", "second", "chromium", "firefox"),
    [
        ("omit", "include", 0, 1),
        ("include", "omit", 0, 1),
        ("include", "include", 0, 0),
        ("same-origin", "omit", 0, 0),
        ("same-origin", "include", 0, 1),
    ],
)
def test_firefox_keeps_credentialed_and_anonymous_entries_apart(first, second, chromium, firefox):
    for browser, expected in (("chromium", chromium), ("firefox", firefox)):
        page = fresh_page(FRESH, browser=browser)
        assert page.sends(credentials=first) == 1
        assert page.sends(1, credentials=second) == expected


ALLOW_ALL = resp(
    204, *OK, "Access-Control-Allow-Headers: Cache-Control, Pragma, If-None-Match, Range, X-A",
    "Access-Control-Max-Age: 0",
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value", "chromium", "firefox"),
    [
        # (reads the cache, stores the answer) per browser
        ("Cache-Control", "no-cache", (False, True), (False, True)),
        ("Cache-Control", "max-age=0", (False, True), (False, True)),
        ("Pragma", "no-cache", (False, True), (True, True)),
        ("Cache-Control", "no-store", (True, True), (False, False)),
        ("If-None-Match", '"e"', (False, False), (False, False)),
        ("If-Modified-Since", "Tue, 01 Jan 2019 00:00:00 GMT", (False, False), (False, False)),
        ("X-A", "1", (True, True), (True, True)),
    ],
)
def test_request_headers_that_bypass_the_cache(name, value, chromium, firefox):
    for browser, (reads, stores) in (("chromium", chromium), ("firefox", firefox)):
        page = Page(server(resp(200, *OK, FRESH), ALLOW_ALL), browser)
        page.sends()
        outcome = page.fetch(1, headers={name: value})
        assert (outcome.http_cached != []) is reads, (browser, name)
        later = Page(server(resp(200, *OK, FRESH), ALLOW_ALL), browser)
        later.fetch(0, headers={name: value})
        assert (later.sends(1) == 0) is stores, (browser, name)


@pytest.mark.parametrize(
    ("value", "status", "body", "content_range"),
    [
        ("bytes=0-1", 206, b"he", "bytes 0-1/5"),
        ("bytes=1-", 206, b"ello", "bytes 1-4/5"),
        ("bytes=-2", 206, b"lo", "bytes 3-4/5"),
        ("bytes=3-99", 206, b"lo", "bytes 3-4/5"),
        ("bytes=10-20", 200, b"hello", None),
        ("bytes=0-1,3-4", None, None, None),
        ("bytes=2-1", None, None, None),
        ("items=0-1", None, None, None),
    ],
)
def test_chromium_cuts_a_range_from_a_stored_whole_response(value, status, body, content_range):
    page = Page(server(resp(200, *OK, FRESH, body=b"hello"), ALLOW_ALL))
    page.sends()
    outcome = page.fetch(1, headers={"Range": value})
    assert outcome.allowed
    if status is None:  # another form: the server is asked
        assert outcome.http_cached == []
        return
    assert outcome.http_cached == [len(outcome.exchanges) - 1]  # after a preflight for -2
    answer = outcome.actual.response
    assert (answer.status, answer.body, answer.headers.get("Content-Range")) == (
        status,
        body,
        content_range,
    )
    if status == 206:
        assert answer.headers.get("Content-Length") == str(len(body))
    firefox = Page(server(resp(200, *OK, FRESH, body=b"hello"), ALLOW_ALL), "firefox")
    firefox.sends()
    assert firefox.fetch(1, headers={"Range": value}).http_cached == []


def test_vary_compares_the_named_request_headers():
    page = fresh_page(FRESH, "Vary: Accept-Language")
    assert page.sends(headers={"Accept-Language": "en"}) == 1
    assert page.sends(1, headers={"Accept-Language": "en"}) == 0
    assert page.sends(2, headers={"Accept-Language": "de"}) == 1


@pytest.mark.parametrize(("browser", "second"), [("chromium", 1), ("firefox", 0)])
def test_a_response_failing_its_check_is_kept_only_by_firefox(browser, second):
    # Chromium completes an entry only once the page has read the body, which a failed check
    # never lets it do; a redirect has nothing to read and is kept (test above).
    page = Page(server(resp(200, FRESH)), browser)
    assert not page.fetch(0).allowed
    assert not page.fetch(1).allowed
    assert len(page.sent) == 1 + second


@pytest.mark.parametrize(("browser", "second"), [("chromium", 1), ("firefox", 0)])
def test_an_opaque_page_has_no_http_cache_in_chromium(browser, second):
    page = Page(server(resp(200, "Access-Control-Allow-Origin: *", FRESH)), browser)
    assert page.sends(origin="null") == 1
    assert page.sends(1, origin="null") == second


def test_a_fetch_the_cache_answers_yields_no_request():
    # The flow returns its outcome from the first next(): the drivers send nothing.
    from pytest_cors.engine import prepare_request, run_fetch

    profile = get_profile("chromium")
    page = fresh_page(FRESH)
    page.sends()
    request = prepare_request(API, origin=PAGE, profile=profile)
    flow = run_fetch(request, profile, page.cache, 1.0)
    with pytest.raises(StopIteration) as stop:
        next(flow)
    outcome = stop.value.value
    assert outcome.allowed and outcome.http_cached == [0] and outcome.status == 200


def test_browser_sends_nothing_for_a_fresh_stored_response():
    from pytest_cors import Browser

    seen = []

    def app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response(
            "200 OK", [("Access-Control-Allow-Origin", PAGE), ("Cache-Control", "max-age=600")]
        )
        return [b"ok"]

    browser = Browser("chromium", clock=lambda: 0.0)
    for _ in range(2):
        outcome = browser.fetch(app, "http://api.example.org/r", origin=PAGE)
        assert outcome.allowed and outcome.status == 200
    assert seen == ["/r"]
    assert outcome.http_cached == [0]
    browser.clear_cache()
    browser.fetch(app, "http://api.example.org/r", origin=PAGE)
    assert seen == ["/r", "/r"]


def test_a_truncated_response_is_never_stored():
    """The kit keeps only a bounded part of an endless body: a fresh response cut short is
    judged, but no later fetch is answered from it."""
    whole = fresh_page("Cache-Control: max-age=600")
    assert whole.sends(0) == 1
    assert whole.sends(1) == 0
    cut = resp(200, *OK, "Cache-Control: max-age=600", body=b"hello")
    page = Page(server(dataclasses.replace(cut, truncated=True)), "chromium")
    assert page.sends(0) == 1
    assert page.sends(1) == 1
