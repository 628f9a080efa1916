"""The CORS-preflight cache, per profile, with explicit clock values (reference §5.5, §11.7)."""

import pytest

from pytest_cors.engine import PreflightCache, get_profile

from .drive import ACAC_TRUE, ACAO_ANY, ACAO_PAGE, API, fetch, resp, routes, server


class Session:
    """One browser's preflight cache and a fake clock, driving fetches against ``answer``."""

    def __init__(self, answer, browser="chromium"):
        self.answer = answer
        self.browser = browser
        self.cache = PreflightCache(get_profile(browser))

    def fetch(self, at=0.0, **kw):
        outcome = fetch(self.answer, browser=self.browser, cache=self.cache, now=at, **kw)
        self.last = outcome
        return outcome

    def preflighted(self, at=0.0, **kw):
        """Whether this fetch sent a preflight (it must still need one)."""
        outcome = self.fetch(at, **kw)
        assert outcome.allowed, outcome.explain()
        assert outcome.preflight is not None or outcome.preflight_cached
        return outcome.preflight is not None


def allow(*lines, status=204):
    base = [ACAO_PAGE, ACAC_TRUE, "Access-Control-Allow-Methods: PUT"]
    return server(resp(200, ACAO_PAGE, ACAC_TRUE), resp(status, *base, *lines))


ALL = ("chromium", "spec", "firefox", "safari")


@pytest.mark.parametrize("browser", ALL)
def test_no_max_age_caches_for_five_seconds(browser):
    s = Session(allow(), browser)
    assert s.preflighted(0, method="PUT")
    assert not s.preflighted(0.001, method="PUT")
    assert s.last.preflight_cached
    assert s.last.exchanges[0].kind == "actual"
    assert not s.preflighted(4.9, method="PUT")
    assert s.preflighted(5.0, method="PUT")


@pytest.mark.parametrize("browser", ALL)
def test_max_age_600_three_requests_one_preflight(browser):
    s = Session(allow("Access-Control-Max-Age: 600"), browser)
    assert [s.preflighted(t, method="PUT") for t in (0, 1, 599)] == [True, False, False]
    assert s.preflighted(600.5, method="PUT")


def test_max_age_1_expires_after_a_second():
    s = Session(allow("Access-Control-Max-Age: 1"))
    assert s.preflighted(0, method="PUT")
    assert not s.preflighted(0.5, method="PUT")
    assert s.preflighted(1.6, method="PUT")


@pytest.mark.parametrize(
    ("value", "cached"),
    [
        ("0", {"chromium": False, "spec": False, "firefox": False, "safari": False}),
        ("-1", {"chromium": False, "spec": True, "firefox": False, "safari": False}),
        (" 600 ", {"chromium": True, "spec": True, "firefox": True, "safari": True}),
        ("abc", {"chromium": True, "spec": True, "firefox": False, "safari": True}),
        ("10.5", {"chromium": True, "spec": True, "firefox": False, "safari": True}),
        ("600, 600", {"chromium": True, "spec": True, "firefox": False, "safari": True}),
        (["600", "600"], {"chromium": True, "spec": True, "firefox": False, "safari": True}),
    ],
)
@pytest.mark.parametrize("browser", ALL)
def test_max_age_forms_decide_reuse(browser, value, cached):
    values = [value] if isinstance(value, str) else value
    s = Session(allow(*[f"Access-Control-Max-Age: {v}" for v in values]), browser)
    assert s.preflighted(0, method="PUT")
    assert s.preflighted(0.01, method="PUT") is not cached[browser]


@pytest.mark.parametrize(
    ("browser", "cap"), [("chromium", 7200), ("firefox", 86400), ("safari", 600)]
)
def test_max_age_is_capped(browser, cap):
    s = Session(allow("Access-Control-Max-Age: 999999"), browser)
    assert s.preflighted(0, method="PUT")
    assert not s.preflighted(cap - 1, method="PUT")
    assert s.preflighted(cap + 1, method="PUT")


def test_spec_profile_has_no_cap():
    s = Session(allow("Access-Control-Max-Age: 999999"), "spec")
    assert s.preflighted(0, method="PUT")
    assert not s.preflighted(999998, method="PUT")


def test_entries_are_per_method_and_header_name():
    answer = server(
        resp(200, ACAO_ANY),
        resp(204, ACAO_ANY, "Access-Control-Allow-Methods: PUT, DELETE, PATCH",
             "Access-Control-Allow-Headers: X-Foo", "Access-Control-Max-Age: 600"),
    )  # fmt: skip
    s = Session(answer)
    assert s.preflighted(0, method="PUT")
    assert not s.preflighted(1, method="DELETE")
    assert not s.preflighted(1, method="PUT", headers={"x-foo": "1"})
    # Not covered: a new full preflight naming everything the request needs.
    s2 = Session(
        server(resp(200, ACAO_ANY), resp(204, ACAO_ANY, "Access-Control-Allow-Methods: PUT",
                                         "Access-Control-Max-Age: 600"))
    )  # fmt: skip
    assert s2.preflighted(0, method="PUT")
    outcome = s2.fetch(1, method="DELETE", headers={"X-Bar": "1"})
    assert outcome.preflight.request.headers.get("Access-Control-Request-Method") == "DELETE"
    assert outcome.preflight.request.headers.get("Access-Control-Request-Headers") == "x-bar"
    outcome = s2.fetch(2, method="PUT", headers={"X-Bar": "1"})
    assert outcome.preflight is not None
    assert outcome.preflight.request.headers.get("Access-Control-Request-Method") == "PUT"


@pytest.mark.parametrize(
    ("browser", "covered"),
    [("chromium", True), ("spec", True), ("safari", True), ("firefox", False)],
)
def test_cached_wildcard_method(browser, covered):
    answer = server(
        resp(200, ACAO_ANY),
        resp(204, ACAO_ANY, "Access-Control-Allow-Methods: *", "Access-Control-Max-Age: 600"),
    )
    s = Session(answer, browser)
    assert s.preflighted(0, method="PUT")
    assert s.preflighted(1, method="PATCH") is not covered


@pytest.mark.parametrize(
    ("browser", "other", "authorization"),
    [
        ("chromium", True, False),
        ("safari", True, True),
        ("firefox", False, False),
        ("spec", True, None),
    ],
)
def test_cached_wildcard_header(browser, other, authorization):
    # Firefox stores the token "*" and compares cached names by equality (conformance F2).
    # A cached "*" never covers Authorization: Chromium preflights again, and the new
    # preflight's "*" lets it through (random hardening R5, seed 1028407412 rnd-102).
    answer = server(
        resp(200, ACAO_ANY),
        resp(
            204,
            ACAO_ANY,
            "Access-Control-Allow-Headers: *",
            "Access-Control-Allow-Headers: x-a",
            "Access-Control-Max-Age: 600",
        ),
    )
    s = Session(answer, browser)
    assert s.preflighted(0, headers={"X-A": "1"})
    assert s.preflighted(1, headers={"X-Other": "1"}) is not other
    assert not s.preflighted(2, headers={"X-A": "2"})
    outcome = s.fetch(3, headers={"Authorization": "t"})
    if authorization is None:
        assert not outcome.allowed  # spec: the new preflight does not allow it either
    else:
        assert outcome.allowed
        assert outcome.preflight_cached is authorization


@pytest.mark.parametrize(("browser", "reused"), [("chromium", True), ("firefox", False)])
def test_a_wildcard_only_entry_serves_nothing_in_firefox(browser, reused):
    # Conformance F2 / rnd-039: Firefox keeps the literal "*" token, so not even the same
    # method or header is served from it.
    answer = server(
        resp(200, ACAO_ANY),
        resp(
            204,
            ACAO_ANY,
            "Access-Control-Allow-Methods: *",
            "Access-Control-Allow-Headers: *",
            "Access-Control-Max-Age: 600",
        ),
    )
    s = Session(answer, browser)
    assert s.preflighted(0, method="PUT", headers={"Cache-Control": "no-cache"})
    assert s.preflighted(1, method="PUT", headers={"Cache-Control": "no-cache"}) is not reused
    assert s.preflighted(2, method="PUT") is not reused
    assert s.preflighted(3, headers={"Cache-Control": "x"}) is not reused


@pytest.mark.parametrize(
    ("browser", "reused"), [("chromium", True), ("spec", True), ("firefox", False)]
)
def test_credentials_flag_of_entries(browser, reused):
    s = Session(allow("Access-Control-Max-Age: 600"), browser)
    assert s.preflighted(0, method="PUT", credentials="include")
    assert s.preflighted(1, method="PUT", credentials="omit") is not reused
    assert not s.preflighted(2, method="PUT", credentials="include")
    fresh = Session(allow("Access-Control-Max-Age: 600"), browser)
    assert fresh.preflighted(0, method="PUT", credentials="omit")
    assert fresh.preflighted(1, method="PUT", credentials="include"), "omit never serves include"


def test_a_failed_preflight_creates_no_entry():
    s = Session(server(resp(200, ACAO_ANY), resp(204, ACAO_ANY, "Access-Control-Max-Age: 600")))
    for t in (0, 1):
        outcome = s.fetch(t, method="PUT")
        assert not outcome.allowed
        assert outcome.preflight is not None
    assert s.cache.entries == []


@pytest.mark.parametrize(
    ("browser", "cleared"),
    [("chromium", False), ("spec", True), ("firefox", True), ("safari", False)],
)
def test_a_failing_actual_response_and_the_cache(browser, cleared):
    # Spec and Firefox clear the URL's entries; Chromium keeps them (conformance E3).
    answers = iter([resp(200), resp(200), resp(200, ACAO_ANY)])
    preflight = resp(
        204, ACAO_ANY, "Access-Control-Allow-Methods: PUT, DELETE", "Access-Control-Max-Age: 600"
    )

    def answer(request):
        return preflight if request.method == "OPTIONS" else next(answers)

    s = Session(answer, browser)
    first = s.fetch(0, method="PUT")
    assert not first.allowed and first.preflight is not None
    assert (s.cache.entries == []) is cleared
    second = s.fetch(1, method="PUT")
    assert not second.allowed
    assert (second.preflight is not None) is cleared
    assert second.preflight_cached is not cleared
    third = s.fetch(2, method="DELETE")
    assert third.allowed
    assert (third.preflight is not None) is cleared


@pytest.mark.parametrize(
    ("browser", "reused"),
    [("chromium", False), ("firefox", True), ("safari", True), ("spec", True)],
)
@pytest.mark.parametrize("credentials", ["omit", "include"])
@pytest.mark.parametrize("max_age", ["600", None])
@pytest.mark.parametrize("acao", ["*", "null"])
def test_reuse_for_an_opaque_origin(browser, reused, max_age, acao, credentials):
    # Chromium never reuses an opaque page's entries (conformance E4); Firefox keys them by the
    # page's own opaque principal and reuses them within the page (random hardening R2: the
    # earlier F3 "no reuse" was Firefox's start-up misses). include + ACAO * fails anyway.
    if credentials == "include" and acao == "*":
        return
    lines = [f"Access-Control-Allow-Origin: {acao}", "Access-Control-Allow-Methods: PUT"]
    if credentials == "include":
        lines.append(ACAC_TRUE)
    if max_age:
        lines.append(f"Access-Control-Max-Age: {max_age}")
    s = Session(
        server(resp(200, f"Access-Control-Allow-Origin: {acao}", ACAC_TRUE), resp(204, *lines)),
        browser,
    )
    assert s.preflighted(0, method="PUT", origin="null", credentials=credentials)
    assert s.preflighted(1, method="PUT", origin="null", credentials=credentials) is not reused


@pytest.mark.parametrize(
    ("browser", "reused"),
    [("chromium", True), ("spec", True), ("safari", True), ("firefox", False)],
)
def test_head_served_from_an_entry_without_head(browser, reused):
    # Firefox's cache exempts only GET and POST from the method match: a HEAD with an unsafe
    # header needs HEAD itself in a cached Allow-Methods (random hardening R3).
    answer = server(
        resp(200, ACAO_ANY),
        resp(
            204, ACAO_ANY, "Access-Control-Allow-Headers: X-Custom", "Access-Control-Max-Age: 600"
        ),
    )
    s = Session(answer, browser)
    assert s.preflighted(0, method="HEAD", headers={"X-Custom": "1"})
    assert s.preflighted(1, method="HEAD", headers={"X-Custom": "1"}) is not reused
    assert not s.preflighted(2, method="GET", headers={"X-Custom": "1"})
    assert not s.preflighted(3, method="POST", headers={"X-Custom": "1"})
    listed = Session(
        server(
            resp(200, ACAO_ANY),
            resp(204, ACAO_ANY, "Access-Control-Allow-Methods: HEAD",
                 "Access-Control-Allow-Headers: X-Custom", "Access-Control-Max-Age: 600"),
        ),
        browser,
    )  # fmt: skip
    assert listed.preflighted(0, method="HEAD", headers={"X-Custom": "1"})
    assert not listed.preflighted(1, method="HEAD", headers={"X-Custom": "1"})


@pytest.mark.parametrize(
    ("browser", "second_url_reused"),
    [("chromium", False), ("firefox", True), ("spec", True)],
)
def test_tainted_redirect_entries(browser, second_url_reused):
    # cache-029: the first URL's entry (page origin) is reused; the second URL's preflight
    # carried Origin: null in Chromium (never reused) and the page origin in Firefox.
    other = "https://other.example.com/s"
    allow = resp(
        204,
        ACAO_ANY,
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Methods: PUT",
        "Access-Control-Max-Age: 600",
    )
    allow = resp(204, ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: 600")
    answer = routes(
        {
            API: (resp(307, ACAO_ANY, f"Location: {other}"), allow),
            other: (resp(200, ACAO_ANY), allow),
        }
    )
    s = Session(answer, browser)
    first = s.fetch(0, method="PUT")
    assert first.allowed and len(first.preflights) == 2
    second = s.fetch(1, method="PUT")
    assert second.allowed
    assert [e.request.url for e in second.preflights] == ([] if second_url_reused else [other])


def test_the_key_is_the_full_url_and_the_origin():
    answer = allow("Access-Control-Max-Age: 600")
    s = Session(answer)
    assert s.preflighted(0, method="PUT")
    assert s.preflighted(1, method="PUT", url=API + "?page=2")
    assert not s.preflighted(2, method="PUT", url=API + "?page=2")
    assert not s.preflighted(2, method="PUT", url=API + "#frag")
    other = Session(
        server(
            resp(200, ACAO_ANY),
            resp(204, ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: 600"),
        )
    )
    assert other.preflighted(0, method="PUT")
    assert other.preflighted(1, method="PUT", origin="https://evil.example.net")


def test_after_a_redirect_the_new_url_needs_its_own_preflight():
    allow_put = resp(
        204, ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: 600"
    )
    answer = routes(
        {
            API: (resp(307, ACAO_ANY, f"Location: {API}2"), allow_put),
            f"{API}2": (resp(200, ACAO_ANY), allow_put),
        }
    )
    s = Session(answer)
    first = s.fetch(0, method="PUT")
    assert len(first.preflights) == 2
    second = s.fetch(1, method="PUT")
    assert second.preflights == []
    assert second.preflight_cached


def test_safelisted_requests_never_consult_the_cache():
    s = Session(server(resp(200, ACAO_ANY)))
    outcome = s.fetch(0)
    assert outcome.allowed and outcome.preflight is None and not outcome.preflight_cached
