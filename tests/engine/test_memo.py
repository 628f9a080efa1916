"""The engine's memoised checks answer exactly as fresh ones would.

Several pure per-string checks are cached for speed (safelisting, a header line's validation,
token lists, origin values) and the page's HTTP cache works out an entry's worth lazily. These
tests pin what a cache could get wrong: a result leaking from one profile to another, an error
remembered as a success, a caller mutating a shared result, a clock read at the wrong time.
"""

from __future__ import annotations

import math

import pytest

from pytest_cors.engine import PreflightCache, get_profile
from pytest_cors.engine.httpcache import CHROMIUM_HTTP_CACHE, FIREFOX_HTTP_CACHE, HttpCache
from pytest_cors.engine.request import (
    _client_hint_safe,
    is_safelisted_header,
    normalize_method,
    prepare_headers,
    unsafe_header_names,
)
from pytest_cors.engine.response import (
    effective_headers,
    parse_header_list,
    parse_max_age,
    readable_headers,
)
from pytest_cors.errors import CorsUsageError
from pytest_cors.http import Headers, Request, Response, trusted_headers
from pytest_cors.origin import is_valid_url_value

CHROMIUM = get_profile("chromium")
FIREFOX = get_profile("firefox")
SPEC = get_profile("spec")
PAGE_ORIGIN = "https://app.example.com"


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


def test_storing_a_preflight_replaces_its_own_entries_only():
    """One pass over the entries keeps what a replacement per token would keep, in order."""
    cache = PreflightCache(CHROMIUM)
    url, other = "https://api.example.org/r", "https://api.example.org/s"
    cache.store(PAGE_ORIGIN, url, False, ["PUT", "DELETE"], ["x-a"], 60, 0.0)
    cache.store(PAGE_ORIGIN, other, False, ["PUT"], [], 60, 0.0)
    cache.store(PAGE_ORIGIN, url, True, ["PUT"], [], 60, 0.0)
    # the same key again, a token listed twice, and tokens that differ only in case
    cache.store(PAGE_ORIGIN, url, False, ["PATCH", "PUT", "PATCH"], ["X-A", "x-a"], 120, 10.0)
    rows = [(e.url == url, e.credentials, e.kind, e.value, e.expires) for e in cache.entries]
    assert rows == [
        (True, False, "method", "DELETE", 60.0),
        (False, False, "key", "", math.inf),
        (False, False, "method", "PUT", 60.0),
        (True, True, "key", "", math.inf),
        (True, True, "method", "PUT", 60.0),
        (True, False, "key", "", math.inf),
        (True, False, "method", "PUT", 130.0),
        (True, False, "method", "PATCH", 130.0),
        (True, False, "header", "X-A", 130.0),
        (True, False, "header", "x-a", 130.0),
    ]
    assert cache.covers(PAGE_ORIGIN, url, False, "DELETE", ["x-a"], 100.0) is False  # expired
    assert cache.covers(PAGE_ORIGIN, url, False, "PATCH", ["x-a"], 100.0) is True


HINTS = ["DPR", "Device-Memory", "Downlink", "Width", "Viewport-Width", "RTT", "ECT"]


@pytest.mark.parametrize(
    "name", [*HINTS, "Save-Data", "Intervention", "X-Token", "Content-Type", "Accept", "Range"]
)
def test_the_client_hint_warning_names_exactly_the_safelisted_hints(name):
    value = {"ECT": "4g", "Save-Data": "on", "Content-Type": "text/plain"}.get(name, "2")
    if name == "Range":
        value = "bytes=0-1"
    warnings = prepare_headers({name: value}, None, CHROMIUM).warnings
    hint = _client_hint_safe(name.lower(), value) is not None
    assert [w.code for w in warnings] == (["ClientHintSafelisted"] if hint else [])
    assert prepare_headers({name: value}, None, FIREFOX).warnings == ()


@pytest.mark.parametrize(
    ("lines", "browser", "seconds", "note"),
    [
        ((), "chromium", 5, "absent"),
        (("600",), "chromium", 600, ""),
        (("86400",), "chromium", 7200, "capped at 7200"),
        (("86400",), "firefox", 86400, ""),
        (("-1",), "chromium", 0, "negative"),
        (("-1",), "spec", 5, "does not parse"),
        (("x",), "firefox", 0, "not cached"),
        (("600", "600"), "chromium", 5, "does not parse"),
    ],
)
def test_max_age_reads_the_same_on_every_call_for_each_profile(lines, browser, seconds, note):
    headers = Headers([("Access-Control-Max-Age", v) for v in lines])
    for _ in range(2):
        for other in ("chromium", "firefox", "spec"):  # other profiles in between
            parse_max_age(headers, get_profile(other))
        max_age = parse_max_age(headers, get_profile(browser))
        assert max_age.seconds == seconds
        assert note in max_age.note
        assert bool(max_age.note) is bool(note)


@pytest.mark.parametrize("rules", [CHROMIUM_HTTP_CACHE, FIREFOX_HTTP_CACHE], ids=str)
@pytest.mark.parametrize(
    "lines",
    [
        (),
        (("If-None-Match", '"e"'),),
        (("if-range", "x"),),
        (("Cache-Control", "no-store"),),
        (("Cache-Control", "max-age=0, no-store"),),
        (("Cache-Control", "no-cache"),),
        (("Pragma", "no-cache"),),
    ],
)
def test_storing_asks_the_same_question_as_the_request_modes(rules, lines):
    cache = HttpCache(rules, lambda: NOW)
    request = Request("GET", REQUEST.url, Headers(lines))
    assert cache._may_write(request) is cache._modes(request)[1]
    response = Response(200, Headers([("Cache-Control", "max-age=60")]), b"x")
    cache.store(request, False, False, response, 0.0)
    assert len(cache.entries) == (1 if cache._modes(request)[1] else 0)


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        ([("X-A", "1")], [("X-A", "1")]),
        ([("X A", "1")], [("X A", "1")]),  # a blank inside a name is no blank around it
        (
            [("X-A ", "1"), ("Y", "2")],
            {"chromium": [("X-A", "1"), ("Y", "2")], "firefox": [("Y", "2")]},
        ),
        ([("\tX-A", "1")], {"chromium": [("X-A", "1")], "firefox": []}),
    ],
)
def test_the_parser_keeps_lines_by_the_blanks_around_their_names(browser, lines, kept):
    raw = Headers(lines)
    expected = kept if isinstance(kept, list) else kept[browser]
    for _ in range(2):
        effective = effective_headers(raw, get_profile(browser))
        assert list(effective) == expected
        assert (effective is raw) is (expected == lines)
