"""The engine's memoised checks answer exactly as fresh ones would.

Several pure per-string checks are cached for speed (safelisting, a header line's validation,
token lists, origin values) and the page's HTTP cache works out an entry's worth lazily. These
tests pin what a cache could get wrong: a result leaking from one profile to another, an error
remembered as a success, a caller mutating a shared result, a clock read at the wrong time.
"""

from __future__ import annotations

import pytest

from pytest_cors.engine import get_profile
from pytest_cors.engine.httpcache import CHROMIUM_HTTP_CACHE, HttpCache
from pytest_cors.engine.request import (
    is_safelisted_header,
    normalize_method,
    prepare_headers,
    unsafe_header_names,
)
from pytest_cors.engine.response import parse_header_list, readable_headers
from pytest_cors.errors import CorsUsageError
from pytest_cors.http import Headers, Request, Response, trusted_headers
from pytest_cors.origin import is_valid_url_value

CHROMIUM = get_profile("chromium")
FIREFOX = get_profile("firefox")
SPEC = get_profile("spec")


@pytest.mark.parametrize("first", ["chromium", "firefox"])
@pytest.mark.parametrize(
    ("name", "value", "chromium", "firefox"),
    [
        ("Content-Type", "text/plain;a=b,c", True, False),  # Firefox: a comma is a list
        ("Accept", "text/\xe9", True, False),  # Firefox: a high byte is unsafe
        ("DPR", "2", True, False),  # Chromium's client hints
    ],
)
def test_a_safelist_answer_never_leaks_from_one_profile_to_another(
    first, name, value, chromium, firefox
):
    order = ["chromium", "firefox"] if first == "chromium" else ["firefox", "chromium"]
    expected = {"chromium": chromium, "firefox": firefox}
    for browser in order * 2:
        assert is_safelisted_header(name, value, get_profile(browser)) is expected[browser]


def test_unsafe_names_follow_the_profile_on_repeated_lines():
    lines = [("Content-Type", "text/plain;a=b,c"), ("DPR", "2")]
    for _ in range(2):
        assert unsafe_header_names(lines, CHROMIUM) == []
        assert unsafe_header_names(lines, FIREFOX) == ["content-type", "dpr"]
        assert unsafe_header_names(lines, SPEC) == ["dpr"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"X-A": "a\nb"}, "NUL, CR or LF"),
        ({"Bad Name": "x"}, "not a valid HTTP header name"),
        ({"Host": "x"}, "forbidden request header"),
        ({"X-A": "\u0100"}, "above U\\+00FF"),
    ],
)
def test_a_refused_header_line_is_refused_every_time(headers, message):
    for _ in range(3):
        with pytest.raises(CorsUsageError, match=message):
            prepare_headers(headers, None, CHROMIUM)


def test_repeated_header_lines_keep_trimming_joining_and_warnings():
    for _ in range(2):
        prepared = prepare_headers([("X-A", " 1 "), ("x-a", "2")], None, CHROMIUM)
        assert prepared.pairs == (("X-A", "1, 2"),)
        assert prepare_headers([("X-A", " 1 "), ("x-a", "2")], None, SPEC).pairs == (
            ("X-A", "1"),
            ("x-a", "2"),
        )
        dropped = prepare_headers({"User-Agent": "bot"}, None, CHROMIUM)
        assert dropped.pairs == ()
        assert [w.code for w in dropped.warnings] == ["UserAgentDropped"]
        assert prepare_headers({"User-Agent": "bot"}, None, FIREFOX).pairs == (
            ("User-Agent", "bot"),
        )
        assert prepare_headers(None, b"x", CHROMIUM).pairs == (
            ("Content-Type", "text/plain;charset=UTF-8"),
        )


@pytest.mark.parametrize("written", ["GET", "get", "Get", "PATCH", "patch"])
def test_methods_normalise_the_same_on_every_call(written):
    expected = written.upper() if written.upper() != "PATCH" else written
    assert normalize_method(written) == normalize_method(written) == expected


def test_a_str_subclass_method_is_normalised_to_plain_text():
    class Method(str):
        pass

    normalised = normalize_method(Method("GET"))
    assert normalised == "GET"
    assert type(normalised) is str


def test_a_token_list_is_a_fresh_list_each_call():
    headers = Headers([("Access-Control-Allow-Methods", "GET, PUT")])
    first = parse_header_list(headers, "Access-Control-Allow-Methods")
    assert first == ["GET", "PUT"]
    first.append("DELETE")
    assert parse_header_list(headers, "Access-Control-Allow-Methods") == ["GET", "PUT"]


def test_a_bad_token_list_raises_every_time():
    headers = Headers([("Access-Control-Allow-Headers", "X-A, b@d")])
    for _ in range(2):
        with pytest.raises(ValueError, match="b@d"):
            parse_header_list(headers, "Access-Control-Allow-Headers")
    # the exposure list that does not parse exposes only the safelisted names, every time
    exposed = Headers([("Access-Control-Expose-Headers", "b@d"), ("X-A", "1"), ("Expires", "0")])
    for _ in range(2):
        assert readable_headers(exposed, "omit", CHROMIUM) == {"expires": "0"}


def test_exposure_star_depends_on_credentials_on_every_call():
    headers = Headers([("Access-Control-Expose-Headers", "*"), ("X-A", "1"), ("Set-Cookie", "s")])
    for _ in range(2):
        everything = readable_headers(headers, "omit", CHROMIUM)
        assert everything == {"access-control-expose-headers": "*", "x-a": "1"}
        assert readable_headers(headers, "include", CHROMIUM) == {}


@pytest.mark.parametrize(
    ("value", "valid"),
    [("https://a.example", True), ("https://", False), ("https://a b", False), ("x:y", True)],
)
def test_allow_origin_values_are_judged_the_same_on_every_call(value, valid):
    assert [is_valid_url_value(value) for _ in range(3)] == [valid] * 3


def test_trusted_headers_are_headers_like_any_other():
    pairs = (("Accept", "*/*"), ("X-A", "1"), ("x-a", "2"))
    trusted = trusted_headers(pairs)
    assert trusted == Headers(pairs)
    assert hash(trusted) == hash(Headers(pairs))
    assert trusted.get("x-A") == "1, 2"
    assert trusted.get_all("X-A") == ["1", "2"]
    assert "accept" in trusted
    assert list(trusted) == list(pairs)
    assert trusted.without("x-a") == Headers([("Accept", "*/*")])


def test_a_single_value_get_is_trimmed_like_fetch_get():
    assert Headers([("A", " \tv \t")]).get("a") == "v"
    assert Headers([("A", " v\r")]).get("a") == "v\r"  # only spaces and tabs are trimmed


REQUEST = Request("GET", "https://api.example.org/r", Headers([("Accept", "*/*")]))
NOW = 1_800_000_000.0


def test_a_stored_entry_measures_its_dates_from_the_wall_clock_when_stored():
    """The entry's lifetime is worked out on the first look-up, from the clock of the store."""
    readings = []

    def wall():
        readings.append(None)
        return NOW + 1000.0 * (len(readings) - 1)  # each reading jumps 1000 s

    # Expires 600 s after the first reading, no Date: fresh for 600 s from the store
    expires = "Fri, 15 Jan 2027 08:10:00 GMT"
    response = Response(200, Headers([("Expires", expires)]), b"x")
    cache = HttpCache(CHROMIUM_HTTP_CACHE, wall)
    cache.store(REQUEST, False, False, response, 0.0)
    assert len(readings) == 1  # one reading per stored response, as before
    wall()  # the clock moves on before the look-up
    assert cache.lookup(REQUEST, False, False, 10.0) is response
    assert cache.lookup(REQUEST, False, False, 599.0) is response
    assert cache.lookup(REQUEST, False, False, 601.0) is None
    assert len(readings) == 2  # a look-up never reads the wall clock


def test_an_entry_keyed_by_vary_answers_only_the_matching_request():
    response = Response(200, Headers([("Cache-Control", "max-age=60"), ("Vary", "X-A")]), b"x")
    sent = Request("GET", REQUEST.url, Headers([("X-A", "1")]))
    cache = HttpCache(CHROMIUM_HTTP_CACHE, lambda: NOW)
    cache.store(sent, False, False, response, 0.0)
    other = Request("GET", REQUEST.url, Headers([("X-A", "2")]))
    for _ in range(2):
        assert cache.lookup(other, False, False, 1.0) is None
        assert cache.lookup(sent, False, False, 1.0) is response


def test_an_empty_cache_answers_nothing():
    cache = HttpCache(CHROMIUM_HTTP_CACHE, lambda: NOW)
    assert cache.lookup(REQUEST, False, False, 0.0) is None
    assert cache.entries == []
