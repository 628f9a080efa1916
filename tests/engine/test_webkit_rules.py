"""The rules only the ``safari`` profile follows (measured in WebKitGTK 2.50.6)."""

import pytest

from pytest_cors.engine import get_profile
from pytest_cors.engine.cache import PreflightCache
from pytest_cors.engine.response import valid_utf8_bytes

from .drive import ACAO_ANY, ACAO_PAGE, API, PAGE, fetch, resp, server


@pytest.mark.parametrize(
    ("browser", "code"),
    [("safari", "CORSPreflightDidNotSucceed"), ("chromium", "CORSMissingAllowOrigin")],
)
def test_webkit_reads_a_preflights_status_before_its_allow_origin(browser, code):
    out = fetch(server(resp(200, ACAO_ANY), resp(404)), method="PUT", browser=browser)
    assert out.failure is not None and out.failure.code == code
    if browser == "safari":
        assert out.failure.message == (
            "Preflight response is not successful. Status code: 404\n"
            f"Fetch API cannot load {API} due to access control checks."
        )


def test_webkit_console_names_the_origin_and_status():
    out = fetch(server(resp(200)), browser="safari")
    assert out.failure is not None
    assert out.failure.message == (
        f"Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 200\n"
        f"Fetch API cannot load {API} due to access control checks."
    )


def test_webkit_names_the_headers_a_redirect_removed_in_the_next_preflight():
    allow = resp(
        204, ACAO_ANY, "Access-Control-Allow-Headers: *", "Access-Control-Allow-Methods: *"
    )

    def answer(request):
        if request.method == "OPTIONS":
            return allow
        if request.url.endswith("/b"):
            return resp(200, ACAO_ANY)
        return resp(303, ACAO_ANY, f"Location: {API}/b")

    for browser, named in (("safari", "content-type"), ("firefox", None)):
        out = fetch(
            answer,
            method="POST",
            headers={"Content-Type": "application/json"},
            body="x",
            browser=browser,
        )
        assert out.allowed
        last = out.preflights[-1].request.headers
        assert last.get("Access-Control-Request-Headers") == named, browser


def test_webkit_keeps_a_same_origin_posts_origin_after_a_303():
    def answer(request):
        if request.url.endswith("/b"):
            return resp(200)
        return resp(303, f"Location: {PAGE}/b")

    for browser, origin in (("safari", PAGE), ("chromium", None)):
        out = fetch(answer, f"{PAGE}/a", method="POST", body="x", browser=browser)
        assert out.allowed
        assert out.exchanges[-1].request.headers.get("Origin") == origin, browser


@pytest.mark.parametrize(("browser", "reused"), [("safari", True), ("chromium", False)])
def test_a_cached_wildcard_covers_authorization_in_webkit(browser, reused):
    cache = PreflightCache(get_profile(browser))
    answer = server(resp(200, ACAO_ANY), resp(204, ACAO_ANY, "Access-Control-Allow-Headers: *"))
    fetch(answer, headers={"X-Foo": "1"}, browser=browser, cache=cache)
    second = fetch(answer, headers={"Authorization": "t"}, browser=browser, cache=cache)
    assert second.allowed and second.preflight_cached is reused


@pytest.mark.parametrize(("browser", "reused"), [("safari", True), ("spec", False)])
def test_webkit_caches_what_a_refusing_preflight_allowed(browser, reused):
    cache = PreflightCache(get_profile(browser))
    answer = server(
        resp(200, ACAO_PAGE),
        resp(204, ACAO_PAGE, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: 60"),
    )
    first = fetch(answer, headers={"X-Foo": "1"}, browser=browser, cache=cache)
    assert not first.allowed
    second = fetch(answer, method="PUT", browser=browser, cache=cache)
    assert second.allowed and second.preflight_cached is reused


@pytest.mark.parametrize(("browser", "stored"), [("safari", False), ("spec", True)])
def test_webkit_never_reuses_entries_for_null_after_a_tainting_redirect(browser, stored):
    cache = PreflightCache(get_profile(browser))
    other = "https://other.example.net/r"

    def answer(request):
        if request.method == "OPTIONS":
            return resp(204, ACAO_ANY, "Access-Control-Allow-Methods: PUT")
        if request.url.startswith(other):
            return resp(200, ACAO_ANY)
        return resp(307, ACAO_ANY, f"Location: {other}")

    assert fetch(answer, method="PUT", body="x", browser=browser, cache=cache).allowed
    assert any(e.origin == "null" for e in cache.entries) is stored


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("caf\xe9", "caf\xef\xbf\xbd"),
        ("caf\xc3\xa9", "caf\xc3\xa9"),
        ("\xe2\x82A", "\xef\xbf\xbd\xef\xbf\xbdA"),
        ("plain", "plain"),
    ],
)
def test_webkit_makes_response_header_bytes_valid_utf8(raw, read):
    assert valid_utf8_bytes(raw) == read
    exposed = resp(200, ACAO_ANY, "Access-Control-Expose-Headers: X-A", f"X-A: {raw}")
    assert fetch(server(exposed), browser="safari").readable_headers["x-a"] == read
    assert fetch(server(exposed), browser="chromium").readable_headers["x-a"] == raw
