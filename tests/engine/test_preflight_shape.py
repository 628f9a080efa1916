"""The preflight exactly as the browser builds it, and when it is sent (reference §4, §5.1)."""

import pytest

from pytest_cors.engine import get_profile
from pytest_cors.http import Headers

from .drive import ACAC_TRUE, ACAO_ANY, ACAO_PAGE, PAGE, fetch, resp, server, without_added

ALLOW_ALL = resp(
    204, ACAO_ANY, "Access-Control-Allow-Methods: *", "Access-Control-Allow-Headers: *"
)
ALLOW_CREDENTIALED = resp(
    204,
    ACAO_PAGE,
    ACAC_TRUE,
    "Access-Control-Allow-Methods: PUT",
    "Access-Control-Allow-Headers: authorization, x-a",
)


@pytest.mark.parametrize("browser", ["chromium", "spec", "firefox", "safari"])
def test_preflight_headers_are_exactly_these(browser):
    outcome = fetch(
        server(resp(200, ACAO_ANY), ALLOW_ALL),
        "https://api.example.org/items?q=1#frag",
        method="PUT",
        headers=[("X-B", "1"), ("x-a", "2"), ("Content-Type", "application/json")],
        browser=browser,
    )
    preflight = outcome.preflight.request
    assert preflight.method == "OPTIONS"
    assert preflight.url == "https://api.example.org/items?q=1"
    assert preflight.body is None
    profile = get_profile(browser)
    # the browser's own lines follow (reference §5.1): https page to an https API of another site
    added = [
        ("Referer", f"{PAGE}/"),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Mode", "cors"),
        ("Sec-Fetch-Dest", "empty"),
        ("User-Agent", profile.user_agent),
        ("Accept-Language", profile.accept_language),
        ("Accept-Encoding", profile.accept_encoding),
    ]
    if profile.priority:
        added.append(("Priority", profile.priority))
    assert preflight.headers == Headers(
        [
            ("Accept", "*/*"),
            ("Origin", PAGE),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type,x-a,x-b"),
            *added,
        ]
    )
    assert outcome.actual.request.url == "https://api.example.org/items?q=1"


@pytest.mark.parametrize(
    ("headers", "acrh"),
    [
        ({"X-Foo": "1", "Accept": "text/plain"}, "x-foo"),
        ([("X-A", "1"), ("x-a", "2"), ("X-a", "3")], "x-a"),
        ({"Z-Last": "1", "A-First": "2", "M-Mid": "3"}, "a-first,m-mid,z-last"),
        ({"X-Upper": "1", "x_under": "2", "X-01": "3"}, "x-01,x-upper,x_under"),
        ({"Content-Type": "text/plain", "X-Y": "1"}, "x-y"),
        ({"Content-Type": "application/json"}, "content-type"),
        ({"Accept": "a" * 129}, "accept"),
        ({"Authorization": "Bearer t", "X-A": "1"}, "authorization,x-a"),
    ],
)
@pytest.mark.parametrize("browser", ["chromium", "spec"])
def test_request_headers_list_is_sorted_lower_case_deduplicated_bare_comma(browser, headers, acrh):
    outcome = fetch(server(resp(200, ACAO_ANY), ALLOW_ALL), headers=headers, browser=browser)
    pf = outcome.preflight.request.headers
    assert pf.get_all("Access-Control-Request-Headers") == [acrh]
    assert pf.get("Access-Control-Request-Method") == "GET"


def test_no_request_headers_line_when_only_the_method_forces_the_preflight():
    outcome = fetch(server(resp(200, ACAO_ANY), ALLOW_ALL), method="DELETE")
    assert "Access-Control-Request-Headers" not in outcome.preflight.request.headers
    assert outcome.preflight.request.headers.get("Access-Control-Request-Method") == "DELETE"


def test_the_preflight_never_carries_credentials_or_script_headers():
    outcome = fetch(
        server(resp(200, ACAO_PAGE, ACAC_TRUE), ALLOW_CREDENTIALED),
        method="PUT",
        headers={"Authorization": "Bearer secret", "X-A": "1"},
        credentials="include",
        body="payload",
    )
    assert outcome.allowed, outcome.explain()
    pf = outcome.preflight.request
    names = {n.lower() for n, _ in without_added(pf)}
    assert names == {
        "accept",
        "origin",
        "access-control-request-method",
        "access-control-request-headers",
    }
    assert pf.body is None
    actual = outcome.actual.request
    assert actual.headers.get("Authorization") == "Bearer secret"
    assert actual.headers.get("Origin") == PAGE
    assert actual.body == b"payload"


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("PUT", {"X-Custom": "1"}),
        ("DELETE", None),
        ("GET", {"Content-Type": "application/json"}),
        ("patch", None),
    ],
)
def test_same_origin_requests_never_preflight(method, headers):
    outcome = fetch(
        server(resp(200)), "https://app.example.com/api", method=method, headers=headers
    )
    assert outcome.allowed
    assert outcome.same_origin
    assert outcome.preflight is None
    assert len(outcome.exchanges) == 1


@pytest.mark.parametrize(
    ("method", "origin_sent"),
    [("GET", None), ("HEAD", None), ("POST", PAGE), ("PUT", PAGE), ("DELETE", PAGE)],
)
def test_same_origin_sends_origin_only_for_unsafe_methods(method, origin_sent):
    outcome = fetch(server(resp(200)), "https://app.example.com/api", method=method)
    assert outcome.actual.request.headers.get("Origin") == origin_sent


def test_same_origin_response_is_read_without_cors_headers():
    outcome = fetch(
        server(resp(404, "ETag: x", "Set-Cookie: a=b", "X-Secret: s")),
        "https://app.example.com/api",
    )
    assert outcome.allowed
    assert outcome.status == 404
    assert outcome.readable_headers == {"etag": "x", "x-secret": "s"}


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com:8443/api",  # a port difference alone
        "http://app.example.com/api",  # scheme
        "https://api.app.example.com/x",  # subdomain
        "https://example.com/",  # parent domain
    ],
)
def test_cross_origin_is_any_scheme_host_or_port_difference(url):
    outcome = fetch(server(resp(200)), url, method="PUT")
    assert not outcome.same_origin
    assert outcome.preflight is not None


def test_cross_origin_actual_request_always_carries_origin():
    for method in ("GET", "HEAD", "POST"):
        outcome = fetch(server(resp(200, ACAO_ANY)), method=method)
        assert outcome.actual.request.headers.get_all("Origin") == [PAGE]


def test_opaque_origin_sends_null():
    outcome = fetch(server(resp(200, ACAO_ANY), ALLOW_ALL), origin="null", method="PUT")
    assert outcome.preflight.request.headers.get("Origin") == "null"
    assert outcome.actual.request.headers.get("Origin") == "null"
    assert not outcome.same_origin
