"""Request headers: the safelist and its value rules, limits, duplicates, forbidden names
(reference §3, §11.4, §11.7, §11.9)."""

import enum

import pytest

from pytest_cors.engine import get_profile, prepare_request, run_fetch
from pytest_cors.engine.request import prepare_headers, unsafe_header_names
from pytest_cors.errors import CorsUsageError
from pytest_cors.http import Request

from .drive import ACAO_ANY, API, PAGE, fetch, resp, server

ALL = ("chromium", "spec", "firefox", "safari")


def unsafe(headers, browser="chromium", body=None):
    """The CORS-unsafe request-header names a page's ``fetch()`` would produce."""
    profile = get_profile(browser)
    return unsafe_header_names(prepare_headers(headers, body, profile).pairs, profile)


def safelisted(name, value, browser="chromium"):
    return unsafe([(name, value)], browser) == []


SAFELIST_ROWS = [
    # Accept: only CORS-unsafe bytes matter
    ("Accept", "application/json", True),
    ("Accept", "text/html, */*;q=0.8", True),
    ("Accept", "a,b/c;d=e", True),
    ("Accept", "a\tb", True),
    ("Accept", 'a"b', False),
    ("Accept", "(x)", False),
    ("Accept", "a@b", False),
    ("Accept", "a:b", False),
    ("Accept", "a<b>", False),
    ("Accept", "a?b", False),
    ("Accept", "[a]", False),
    ("Accept", "a\\b", False),
    ("Accept", "{a}", False),
    ("Accept", "a\x01b", False),
    ("Accept", "a\x1fb", False),
    ("Accept", "a\x7fb", False),
    ("Accept", "", True),
    # Accept-Language / Content-Language: a fixed byte set
    ("Accept-Language", "en-US,en;q=0.9", True),
    ("Accept-Language", "*", True),
    ("Accept-Language", "de DE", True),
    ("Accept-Language", "en_US", False),
    ("Accept-Language", "en/US", False),
    ("Accept-Language", "en:US", False),
    ("Accept-Language", "en\x80", False),
    ("Accept-Language", "fr-é", False),
    ("Content-Language", "de-DE", True),
    ("Content-Language", "x_y", False),
    ("Content-Language", "a(b)", False),
    # Content-Type: essence, compared case-insensitively; parameters ignored unless unsafe bytes
    ("Content-Type", "text/plain", True),
    ("Content-Type", "TEXT/PLAIN", True),
    ("Content-Type", "Text/Plain;charset=utf-8", True),
    ("Content-Type", "application/x-www-form-urlencoded", True),
    ("Content-Type", "multipart/form-data", True),
    ("Content-Type", "multipart/form-data; boundary=abc", True),
    ("Content-Type", "text/plain;", True),
    ("Content-Type", "text/plain ;charset=utf-8", True),
    ("Content-Type", "text/plain;charset=\xe9", True),
    ("Content-Type", "text/plain;;junk", True),
    ("Content-Type", 'text/plain;charset="utf-8"', False),
    ("Content-Type", 'multipart/form-data; boundary="a:b"', False),
    ("Content-Type", "text/plain, text/plain", False),
    ("Content-Type", "", False),
    ("Content-Type", "text/plain\x01", False),
    ("Content-Type", "application/json", False),
    ("Content-Type", "text/html", False),
    ("Content-Type", "text", False),
    ("Content-Type", "text/", False),
    ("Content-Type", "/plain", False),
    ("Content-Type", "text /plain", False),
    ("Content-Type", "text/ plain", False),
    ("Content-Type", "text/plain/x", False),
    # Range: bytes=<digits>-[<digits>], start <= end, nothing else
    ("Range", "bytes=0-", True),
    ("Range", "bytes=100-200", True),
    ("Range", "bytes=5-5", True),
    ("Range", "bytes=007-010", True),
    ("Range", "bytes=-500", False),
    ("Range", "bytes=1-2,3-4", False),
    ("Range", "bytes= 0-1", False),
    ("Range", "bytes=0 -1", False),
    ("Range", "bytes=0- 1", False),
    ("Range", "BYTES=0-1", False),
    ("Range", "Bytes=0-10", False),
    ("Range", "bytes=5-1", False),
    ("Range", "items=0-1", False),
    ("Range", "bytes=a-b", False),
    ("Range", "bytes=1", False),
    # everything else
    ("Authorization", "Bearer x", False),
    ("X-Requested-With", "XMLHttpRequest", False),
    ("Cache-Control", "no-cache", False),
    ("Pragma", "no-cache", False),
    ("If-None-Match", '"abc"', False),
    ("Last-Event-ID", "42", False),
    ("X-Empty", "", False),
]


#: Rows of SAFELIST_ROWS WebKit answers the other way (measured, WebKitGTK 2.50.6): it reads the
#: ``Range`` unit ASCII case-insensitively.
WEBKIT_SAFE = frozenset({("Range", "BYTES=0-1"), ("Range", "Bytes=0-10")})


@pytest.mark.parametrize(("name", "value", "safe"), SAFELIST_ROWS)
@pytest.mark.parametrize("browser", ["chromium", "spec", "safari"])
def test_safelisted_request_header_values(browser, name, value, safe):
    if browser == "safari" and (name, value) in WEBKIT_SAFE:
        safe = not safe
    assert safelisted(name, value, browser) is safe
    # Names match case-insensitively.
    assert safelisted(name.upper(), value, browser) is safe


@pytest.mark.parametrize(
    ("name", "value", "chromium", "firefox"),
    [
        ("Accept", "text/\xe9", True, False),
        ("Accept", "\x80", True, False),
        ("Content-Type", "text/plain;charset=\xe9", True, False),
        ("Accept-Language", "\xe9", False, False),
        ("Accept", "text/html", True, True),
    ],
)
def test_high_bytes_keep_accept_safe_in_chromium_not_in_firefox(name, value, chromium, firefox):
    assert safelisted(name, value, "chromium") is chromium
    assert safelisted(name, value, "spec") is chromium
    assert safelisted(name, value, "firefox") is firefox


@pytest.mark.parametrize(
    "value",
    ["text/plain;a=b,c", "text/plain; charset=a, text/html", "multipart/form-data; boundary=x, a"],
)
def test_a_comma_in_content_type_parameters_preflights_only_in_firefox(value):
    # measured (conformance reqhdr-074..077): Chromium parses up to ';', Firefox reads a list
    assert safelisted("Content-Type", value, "chromium") is True
    assert safelisted("Content-Type", value, "spec") is True
    assert safelisted("Content-Type", value, "firefox") is False


@pytest.mark.parametrize("name", ["Accept", "Accept-Language", "Content-Language", "Content-Type"])
@pytest.mark.parametrize("browser", ALL)
def test_128_bytes_is_inclusive(browser, name):
    base = {"Content-Type": "text/plain;a=", "Accept": "", "Accept-Language": ""}.get(name, "")
    at_limit = base + "a" * (128 - len(base))
    assert len(at_limit) == 128
    assert safelisted(name, at_limit, browser)
    assert not safelisted(name, at_limit + "a", browser)


@pytest.mark.parametrize("browser", ALL)
def test_128_bytes_applies_to_range(browser):
    at_limit = "bytes=0-" + "0" * 120
    assert len(at_limit) == 128
    assert safelisted("Range", at_limit, browser)
    assert not safelisted("Range", at_limit + "0", browser)


def test_128_bytes_counts_the_value_after_trimming():
    padded = "\t " + "a" * 128 + " \t"
    assert safelisted("Accept", padded)
    assert safelisted("Content-Type", " text/plain")
    assert safelisted("Range", "bytes=0-1 ")
    assert prepare_headers({"Accept": " x\t"}, None, get_profile("chromium")).pairs == (
        ("Accept", "x"),
    )


# Chromium's extra safelisted names (reference §11.4): value rule, then the spec's verdict.
CLIENT_HINT_ROWS = [
    ("DPR", "2", True),
    ("DPR", "1.5", True),
    ("DPR", "abc", False),
    ("DPR", "1.", False),
    ("DPR", ".5", False),
    ("DPR", "1.2.3", False),
    ("DPR", "-1", False),
    ("Device-Memory", "8", True),
    ("Device-Memory", "0.25", True),
    ("Device-Memory", "eight", False),
    ("Downlink", "10", True),
    ("Downlink", "1.5", True),
    ("Width", "800", True),
    ("Width", "1.5", False),
    ("Viewport-Width", "800", True),
    ("Viewport-Width", "wide", False),
    ("RTT", "50", True),
    ("RTT", "5.0", False),
    ("ECT", "4g", True),
    ("ECT", "slow-2g", True),
    ("ECT", "2g", True),
    ("ECT", "3g", True),
    ("ECT", "5g", False),
    ("ECT", "4G", False),
    ("Save-Data", "on", True),
    ("Save-Data", "ON", True),
    ("Save-Data", "off", False),
    ("Intervention", "<https://x> anything", True),
    ("Intervention", "", True),
]


@pytest.mark.parametrize(("name", "value", "chromium"), CLIENT_HINT_ROWS)
def test_client_hints_are_safelisted_in_chromium_only(name, value, chromium):
    assert safelisted(name, value, "chromium") is chromium
    for browser in ("spec", "firefox", "safari"):
        assert unsafe([(name, value)], browser) == [name.lower()]


def test_client_hints_over_128_bytes_preflight_in_chromium():
    assert not safelisted("Intervention", "x" * 129)
    assert not safelisted("DPR", "1" * 129)
    assert safelisted("DPR", "1" * 128)


def test_client_hint_warns_that_other_browsers_preflight():
    profile = get_profile("chromium")
    prepared = prepare_headers({"DPR": "2"}, None, profile)
    assert [w.code for w in prepared.warnings] == ["ClientHintSafelisted"]
    assert prepare_headers({"DPR": "two"}, None, profile).warnings == ()
    assert prepare_headers({"Intervention": "x" * 129}, None, profile).warnings == ()
    assert prepare_headers({"DPR": "2"}, None, get_profile("spec")).warnings == ()


def test_1024_bytes_total_is_inclusive_in_chromium():
    headers = {
        "Accept": "a" * 128,
        "Accept-Language": "b" * 128,
        "Content-Language": "c" * 128,
        "Content-Type": "text/plain;x=" + "d" * 115,
        "Range": "bytes=0-" + "0" * 120,
        "DPR": "1" * 128,
        "Device-Memory": "2" * 128,
        "Downlink": "3" * 128,
    }
    assert sum(len(v) for v in headers.values()) == 1024
    assert unsafe(headers) == []
    over = {**headers, "Width": "1"}
    assert unsafe(over) == sorted(n.lower() for n in over)


def test_1024_bytes_total_over_the_spec_entries():
    # The spec checks each appended entry; repeats add up to the total.
    eight = [("Accept", "a" * 128)] * 8
    assert unsafe(eight, "spec") == []
    assert unsafe([*eight, ("Content-Language", "x")], "spec") == ["accept", "content-language"]
    assert unsafe([*eight, ("X-Other", "1")], "spec") == ["x-other"]


@pytest.mark.parametrize(
    ("headers", "chromium", "spec"),
    [
        ([("Accept", "a" * 70), ("Accept", "b" * 70)], ["accept"], []),
        ([("Content-Type", "text/plain"), ("Content-Type", "text/plain")], ["content-type"], []),
        ([("Accept-Language", "en"), ("accept-language", "de")], [], []),
        ([("Accept", "a" * 60), ("Accept", "b" * 60)], [], []),
        ([("X-A", "1"), ("x-a", "2")], ["x-a"], ["x-a"]),
    ],
)
def test_duplicate_request_headers_joined_in_every_browser(headers, chromium, spec):
    # Firefox 153 and WebKitGTK 2.50.6 join too (conformance F1 and test_webkit.py), against
    # the reference's per-entry row.
    assert unsafe(headers, "chromium") == chromium
    assert unsafe(headers, "firefox") == chromium
    assert unsafe(headers, "safari") == chromium
    assert unsafe(headers, "spec") == spec


def test_chromium_sends_the_joined_value_spec_sends_each_line():
    headers = [("Accept", "a"), ("X-Other", "1"), ("accept", "b")]
    chromium = fetch(
        server(resp(200, ACAO_ANY), resp(200, ACAO_ANY, "Access-Control-Allow-Headers: *")),
        headers=headers,
    )
    assert chromium.actual.request.headers.get_all("Accept") == ["a, b"]
    spec = fetch(
        server(resp(200, ACAO_ANY), resp(200, ACAO_ANY, "Access-Control-Allow-Headers: *")),
        headers=headers,
        browser="spec",
    )
    assert spec.actual.request.headers.get_all("Accept") == ["a", "b"]


@pytest.mark.parametrize(
    "name",
    [
        "Accept-Charset",
        "Accept-Encoding",
        "Access-Control-Request-Headers",
        "Access-Control-Request-Method",
        "Connection",
        "Content-Length",
        "Cookie",
        "Cookie2",
        "Date",
        "DNT",
        "Expect",
        "Host",
        "Keep-Alive",
        "Origin",
        "Referer",
        "Set-Cookie",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
        "cookie",
        "ORIGIN",
        "Proxy-Authorization",
        "proxy-anything",
        "Sec-Fetch-Mode",
        "sec-ch-ua",
    ],
)
@pytest.mark.parametrize("browser", ALL)
def test_forbidden_request_headers_are_a_usage_error(browser, name):
    with pytest.raises(CorsUsageError, match="forbidden request header") as info:
        prepare_headers({name: "x"}, None, get_profile(browser))
    assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    ("name", "value", "forbidden"),
    [
        ("X-HTTP-Method-Override", "CONNECT", True),
        ("X-HTTP-Method-Override", "put, trace", True),
        ("X-HTTP-Method", " Track ", True),
        ("X-Method-Override", "connect", True),
        ("X-HTTP-Method-Override", "PUT", False),
        ("X-HTTP-Method-Override", "CONNECTED", False),
        ("X-Method-Override", "GET, DELETE", False),
    ],
)
def test_method_override_headers_are_forbidden_only_for_forbidden_methods(name, value, forbidden):
    profile = get_profile("chromium")
    if forbidden:
        with pytest.raises(CorsUsageError, match="forbidden request header"):
            prepare_headers({name: value}, None, profile)
    else:
        assert unsafe({name: value}) == [name.lower()]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"X A": "1"}, "not a valid HTTP header name"),
        ({"": "1"}, "not a valid HTTP header name"),
        ({"X-A:": "1"}, "not a valid HTTP header name"),
        ({"X-É": "1"}, "not a valid HTTP header name"),
        ({"X-A": "a\x00b"}, "NUL, CR or LF"),
        ({"X-A": "a\rb"}, "NUL, CR or LF"),
        ({"X-A": "a\nb"}, "NUL, CR or LF"),
        ({"X-A": "\u20ac"}, "above U\\+00FF"),
        ([("X-A", 1)], "must be strings"),
        (42, "mapping or a list"),
    ],
)
def test_malformed_headers_are_usage_errors(headers, message):
    with pytest.raises(CorsUsageError, match=message):
        prepare_headers(headers, None, get_profile("chromium"))


def test_user_agent_is_dropped_by_chromium_and_preflighted_by_the_spec():
    chromium = prepare_headers({"User-Agent": "bot"}, None, get_profile("chromium"))
    assert chromium.pairs == ()
    assert [w.code for w in chromium.warnings] == ["UserAgentDropped"]
    for browser in ("spec", "firefox"):
        assert unsafe({"User-Agent": "bot"}, browser) == ["user-agent"]
    outcome = fetch(server(resp(200, ACAO_ANY)), headers={"User-Agent": "bot"})
    assert outcome.preflight is None
    # the browser's own User-Agent goes instead of the script's
    agent = get_profile("chromium").user_agent
    assert outcome.actual.request.headers.get_all("User-Agent") == [agent]
    preflight = resp(200, ACAO_ANY, "Access-Control-Allow-Headers: user-agent")
    spec = fetch(
        server(resp(200, ACAO_ANY), preflight), headers={"User-Agent": "bot"}, browser="spec"
    )
    assert spec.preflight.request.headers.get("Access-Control-Request-Headers") == "user-agent"
    assert spec.actual.request.headers.get_all("User-Agent") == ["bot"]  # the script's wins
    assert spec.preflight.request.headers.get("User-Agent") == get_profile("spec").user_agent


def test_a_string_body_implies_a_safelisted_content_type():
    assert unsafe(None, body=b"hi") == []
    outcome = fetch(server(resp(200, ACAO_ANY)), method="POST", body="{}")
    assert outcome.preflight is None
    assert outcome.actual.request.headers.get("Content-Type") == "text/plain;charset=UTF-8"
    assert outcome.actual.request.body == b"{}"


def test_a_script_content_type_overrides_the_body_one():
    assert unsafe({"content-type": "application/json"}, body=b"{}") == ["content-type"]


def test_a_bodyless_post_has_no_content_type():
    outcome = fetch(server(resp(200, ACAO_ANY)), method="POST")
    assert outcome.preflight is None
    assert "Content-Type" not in outcome.actual.request.headers


@pytest.mark.parametrize("method", ["GET", "HEAD", "get"])
def test_get_and_head_cannot_have_a_body(method):
    with pytest.raises(CorsUsageError, match="cannot have body"):
        fetch(server(resp(200)), method=method, body="x")


class Header(str, enum.Enum):
    TOKEN = "X-Token"
    ACCEPT = "Accept"
    JSON = "application/json"
    SECRET = "s3cret"


def test_str_enum_header_names_and_values_are_sent_as_their_values():
    """``str(Header.TOKEN)`` is ``"Header.TOKEN"``: fetch() gets ``"X-Token"``."""
    profile = get_profile("chromium")
    pairs = prepare_headers(
        {Header.TOKEN: Header.SECRET, Header.ACCEPT: Header.JSON}, None, profile
    ).pairs
    assert pairs == (("X-Token", "s3cret"), ("Accept", "application/json"))
    assert all(type(n) is str and type(v) is str for n, v in pairs)
    assert unsafe([(Header.TOKEN, Header.SECRET), (Header.ACCEPT, Header.JSON)]) == ["x-token"]
    outcome = fetch(
        server(resp(200, ACAO_ANY), resp(204, ACAO_ANY, "Access-Control-Allow-Headers: x-token")),
        headers=[(Header.TOKEN, Header.SECRET)],
    )
    assert outcome.allowed
    assert outcome.preflight.request.headers.get("Access-Control-Request-Headers") == "x-token"
    assert ("X-Token", "s3cret") in list(outcome.actual.request.headers)


def test_a_bytes_secret_header_value_is_refused_without_echoing_it():
    with pytest.raises(CorsUsageError) as info:
        prepare_headers({"Authorization": b"Basic YWxpY2U6c2VjcmV0"}, None, get_profile("chromium"))
    message = str(info.value)
    assert "YWxpY2U6c2VjcmV0" not in message
    assert "'Authorization' (str) with <redacted: 25 bytes> (bytes)" in message


@pytest.mark.parametrize(
    ("value", "webkit", "others"),
    [
        ("BYTES=0-1", True, False),
        ("bYtEs=0-", True, False),
        ("BYTES=5-1", False, False),
        ("BYTES=-5", False, False),
        ("BYTES =0-1", False, False),
        ("bytes=0-1", True, True),
    ],
)
def test_webkit_reads_the_range_unit_in_any_case(value, webkit, others):
    assert safelisted("Range", value, "safari") is webkit
    for browser in ("chromium", "firefox", "spec"):
        assert safelisted("Range", value, browser) is others


# -- cookies the browser attaches --------------------------------------------------------------
def test_the_exchange_records_the_cookie_line_attach_added_and_no_preflight_gets_one():
    """The engine asks ``attach`` for the cookies of each actual request, sends what it returns
    and records exactly that; a preflight goes out without asking (credentials never ride it)."""
    seen: list[str] = []

    def attach(request: Request) -> Request:
        seen.append(request.method)
        return Request(
            request.method, request.url, request.headers.with_header("Cookie", "s=1"), request.body
        )

    req = prepare_request(
        API, origin=PAGE, method="PUT", credentials="include", profile=get_profile("chromium")
    )
    granted = resp(
        200, f"Access-Control-Allow-Origin: {PAGE}", "Access-Control-Allow-Credentials: true"
    )
    preflight = resp(
        204,
        f"Access-Control-Allow-Origin: {PAGE}",
        "Access-Control-Allow-Credentials: true",
        "Access-Control-Allow-Methods: PUT",
    )
    answer = server(granted, preflight)
    flow = run_fetch(req, get_profile("chromium"), attach=attach)
    wire = []
    request = next(flow)
    try:
        while True:
            wire.append(request)
            request = flow.send(answer(request))
    except StopIteration as stop:
        outcome = stop.value
    assert seen == ["PUT"]
    assert [r.headers.get("Cookie") for r in wire] == [None, "s=1"]
    assert [e.request for e in outcome.exchanges] == wire
    assert outcome.allowed
