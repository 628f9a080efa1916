"""What is redacted and what is escaped: one rule for secret names, one helper for control bytes.

The rule (``pytest_cors.http``): a header or URL parameter whose name is listed or matches a
glob is shown by its length only, everywhere a value is shown; the CORS headers themselves
never are. The helper (``pytest_cors.http.visible``): no control character a server sent is
written to a terminal or a report as it is. Markdown reports escape server text outside code, so
no HTML, image or link in it renders.
"""

from __future__ import annotations

import json

import pytest

from pytest_cors import Headers, Request, redaction, simulate_fetch
from pytest_cors import http as kit_http
from pytest_cors.engine.story import curl_line
from pytest_cors.http import (
    add_secret_names,
    is_secret_header,
    is_secret_param,
    redact_params,
    redact_url,
    redact_value,
    visible,
)
from pytest_cors.report import redact, terminal_summary, to_markdown

APP = "https://app.example.com"
KEY = "k3y-4e1d0c"  # distinctive values: a grep finds only leaks
TOKEN = "t0k-9b2a77"
CODE = "c0de-5f3e21"
ESC = "\x1b"

CORS_NAMES = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Allow-Private-Network",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Private-Network",
    "Origin",
    "Vary",
)


@pytest.fixture
def own_lists(monkeypatch):
    """The module's lists as copies, so a test may extend them without leaking to others
    (the same copies under both names: ``http`` re-exports the sets ``redaction`` reads)."""
    for name in ("SECRET_HEADERS", "SECRET_PARAMS", "SECRET_NAME_PATTERNS"):
        copy = set(getattr(redaction, name))
        monkeypatch.setattr(redaction, name, copy)
        monkeypatch.setattr(kit_http, name, copy)


# -- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "set-cookie",
        "X-Api-Key",
        "x-api-key",
        "X_API_KEY",
        "Api-Key",
        "X-ApiKey",
        "X-Auth-Token",
        "X-CSRF-Token",
        "X-Session-Token",
        "X-Client-Secret",
        "X-Hub-Signature",
        "X-Db-Password",
        "X-Amz-Credential",
        "X-Auth",
        "X-Authorization",
        "X-Session-Id",
        " X-Api-Key ",
    ],
)
def test_secret_header_names(name):
    assert is_secret_header(name)
    assert redact_value(name, "abcdef") == "<redacted: 6 bytes>"


@pytest.mark.parametrize(
    "name",
    ["Content-Type", "X-Request-Id", "X-Total-Count", "Location", "WWW-Authenticate", "Author"],
)
def test_ordinary_header_names_stay_visible(name):
    assert not is_secret_header(name)
    assert redact_value(name, "abcdef") == "abcdef"


@pytest.mark.parametrize(
    "name",
    ["token", "access_token", "Access_Token", "access%5Ftoken", "api_key", "apikey", "key", "sig",
     "signature", "password", "secret", "client_secret", "code", "X-Amz-Signature", "PHPSESSID",
     "refresh_token", "csrf-token"],
)  # fmt: skip
def test_secret_param_names(name):
    assert is_secret_param(name)


@pytest.mark.parametrize("name", ["page", "q", "state", "author", "sort", "origin"])
def test_ordinary_param_names_stay_visible(name):
    assert not is_secret_param(name)


def test_the_cors_headers_are_never_redacted_even_by_a_catch_all_pattern(own_lists):
    kit_http.SECRET_NAME_PATTERNS.add("*")  # a user who redacts everything
    kit_http.SECRET_HEADERS.update(n.lower() for n in CORS_NAMES)
    for name in CORS_NAMES:
        for spelling in (name, name.lower(), name.upper()):
            assert not is_secret_header(spelling), spelling
            assert redact_value(spelling, "https://app.example.com?token=1") == (
                "https://app.example.com?token=1"
            )
    assert is_secret_header("X-Anything")  # the catch-all works for the rest


def test_redacted_urls_keep_the_parameter_names_and_lengths():
    url = f"https://api.example.com/items?token={TOKEN}&page=2&API_KEY={KEY};sig=abc#code={CODE}"
    shown = redact_url(url)
    assert shown == (
        "https://api.example.com/items?token=<redacted: 10 bytes>&page=2"
        "&API_KEY=<redacted: 10 bytes>;sig=<redacted: 3 bytes>#code=<redacted: 11 bytes>"
    )
    assert redact_url(shown) == shown  # idempotent
    assert redact_url("https://api.example.com/items?page=2&q=") == (
        "https://api.example.com/items?page=2&q="
    )
    text = f"Access to fetch at 'https://a.example/x?access_token={TOKEN}' from origin 'x'"
    assert redact_params(text) == (
        "Access to fetch at 'https://a.example/x?access_token=<redacted: 10 bytes>' from origin 'x'"
    )


def test_names_added_to_the_lists_are_redacted_everywhere(own_lists):
    assert not is_secret_header("X-Tenant")
    add_secret_names(["X-Tenant", "*-pin"])
    assert is_secret_header("x-tenant") and is_secret_param("X-Tenant")
    assert is_secret_header("X-Card-Pin") and is_secret_param("card_pin")
    kit_http.SECRET_PARAMS.add("otp")  # the sets themselves are the documented interface
    assert redact_url("/a?otp=123456") == "/a?otp=<redacted: 6 bytes>"
    assert "Origin" not in kit_http.SECRET_HEADERS and not is_secret_header("Origin")


# -- where values are shown: explain, curl lines, reprs, reports ---------------------------------


def custom_secret_app(environ, start_response):
    """Grants APP with every CORS header, and answers with custom secrets of its own."""
    start_response(
        "200 OK",
        [
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", "X-Api-Key, X-Auth-Token"),
            ("Access-Control-Expose-Headers", "X-Session-Token"),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin"),
            ("X-Session-Token", TOKEN),
            ("X-Upstream-Secret", KEY),
            ("Location", f"https://app.example.com/cb?code={CODE}&state=ok"),
            ("Content-Type", "text/plain"),
        ],
    )
    return [f"your key {KEY} and token {TOKEN}".encode()]


def fetch_with_custom_secrets():
    return simulate_fetch(
        custom_secret_app,
        f"/items?token={TOKEN}&page=2",
        origin=APP,
        method="PUT",
        headers={"X-Api-Key": KEY, "X-Auth-Token": TOKEN},
        credentials="include",
    )


def test_explain_redacts_custom_secret_headers_and_query_tokens():
    outcome = fetch_with_custom_secrets()
    assert outcome.allowed
    text = outcome.explain()
    for secret in (KEY, TOKEN, CODE):
        assert secret not in text
    assert "> X-Api-Key: <redacted: 10 bytes>" in text
    assert "> X-Auth-Token: <redacted: 10 bytes>" in text
    assert "< X-Session-Token: <redacted: 10 bytes>" in text
    assert "< X-Upstream-Secret: <redacted: 10 bytes>" in text
    assert "< Location: https://app.example.com/cb?code=<redacted: 11 bytes>&state=ok" in text
    assert "> PUT http://testserver/items?token=<redacted: 10 bytes>&page=2" in text
    assert text.startswith("PUT http://testserver/items?token=<redacted: 10 bytes>&page=2 ")
    assert "< your key <redacted: 10 bytes> and token <redacted: 10 bytes>" in text  # the body
    last = outcome.exchanges[-1].request
    line = curl_line(last)
    assert "'http://testserver/items?token=<redacted: 10 bytes>&page=2'" in line
    assert "'X-Api-Key: <redacted: 10 bytes>'" in line
    assert KEY not in line and TOKEN not in line


def test_the_rule_leaves_every_cors_header_and_origin_visible():
    outcome = fetch_with_custom_secrets()
    text = outcome.explain()
    sent = [(k, v) for e in outcome.exchanges for k, v in [*e.request.headers, *e.response.headers]]
    cors = [(k, v) for k, v in sent if k.lower().startswith("access-control-") or k == "Origin"]
    assert {k for k, _ in cors} >= {"Origin", "Access-Control-Request-Method",
                                    "Access-Control-Request-Headers", *CORS_NAMES[:6]}  # fmt: skip
    for name, value in cors:
        assert f"{name}: {value}" in text  # the value itself, never its length
    assert "Access-Control-Request-Headers: x-api-key,x-auth-token" in text
    assert "Access-Control-Allow-Headers: X-Api-Key, X-Auth-Token" in text
    assert "Vary: Origin" in text


def test_reprs_follow_the_rule():
    outcome = fetch_with_custom_secrets()
    shown = repr(outcome.exchanges) + repr(outcome.actual)
    for secret in (KEY, TOKEN, CODE):
        assert secret not in shown
    assert "('X-Api-Key', '<redacted: 10 bytes>')" in shown
    assert "body=<40 bytes>" in shown  # a response body by its length: it may hold anything
    # the page's request (engine/fetch.py) redacts its header values through the same rule
    assert KEY not in repr(outcome.request)
    assert "('X-Auth-Token', '<redacted: 10 bytes>')" in repr(outcome.request)
    request = Request("GET", f"https://a.example/x?api_key={KEY}", Headers({"X-Api-Key": KEY}))
    assert KEY not in repr(request)
    assert "api_key=<redacted: 10 bytes>" in repr(request)


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        (f"  > X-Api-Key: {KEY}", KEY),
        (f"  < x-session-token: {TOKEN}", TOKEN),
        (f"X-Client-Secret:{KEY}", KEY),
        (f"GET https://api.example.com/items?access_token={TOKEN}&page=1", TOKEN),
        (f"redirected to /cb#code={CODE}", CODE),
    ],
)
def test_report_redaction_follows_the_rule(text, leaked):
    cleaned = redact(text)
    assert leaked not in cleaned
    assert "<redacted: " in cleaned
    assert redact(cleaned) == cleaned


def test_report_redaction_leaves_cors_lines_and_check_names_alone():
    text = (
        "  < Access-Control-Allow-Headers: X-Api-Key, X-Auth-Token\n"
        "  > Origin: https://app.example.com\n"
        "auth-api::GET /items from https://app.example.com -> allowed\n"
        "  > GET /items?page=2&state=ok"
    )
    assert redact(text) == text


# -- control characters ------------------------------------------------------------------------


def test_visible_escapes_every_control_character_but_tab_and_line_feed():
    controls = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\t\n"]
    shown = visible("".join(controls) + "\u202e\u2066\t\n")
    assert shown.isprintable() is False  # tab and line feed remain
    assert all(c.isprintable() or c in "\t\n" for c in shown)
    assert visible("\x1b[31mred") == "\\x1b[31mred"
    assert visible("a\rb\x9bc") == "a\\x0db\\x9bc"
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("d\u00e9j\u00e0 vu \u00a0ok") == "d\u00e9j\u00e0 vu \u00a0ok"


# -- a hostile server: explain, failure text, terminal summary, every report ---------------------

HOSTILE_ACAO = "<img src=x onerror=alert(1)> ![](https://attacker.example/pixel) [x](https://attacker.example/go)"
HOSTILE_APP = f"""
KEY = "{KEY}"


def app(environ, start_response):
    start_response("200 OK", [
        ("Access-Control-Allow-Origin", {HOSTILE_ACAO!r}),
        ("X-Colour", "\\x1b[31mred\\x1b[0m \\x1b]0;owned\\x07"),
        ("X-Api-Key", KEY),
    ])
    return [b""]
"""
CONTRACT = f"""
version: 1
policies:
  - name: api
    paths: ["/items?token={TOKEN}"]
    origins:
      allow: [https://app.example.com]
    methods: [GET]
"""


def hostile_app(environ, start_response):
    start_response(
        "200 OK",
        [("Access-Control-Allow-Origin", HOSTILE_ACAO), ("X-Colour", "\x1b[31mred\x1b[0m")],
    )
    return [b""]


def test_explain_writes_no_control_byte_a_server_sent():
    text = simulate_fetch(hostile_app, "/items", origin=APP).explain()
    assert ESC not in text
    assert "< X-Colour: \\x1b[31mred\\x1b[0m" in text


def _rendered(markdown_text):
    markdown_it = pytest.importorskip("markdown_it")
    return (
        markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown_text)
    )


def _run_hostile(pytester, suffix):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makefile(".yaml", cors=CONTRACT)
    pytester.makepyfile(hostile=HOSTILE_APP)
    pytester.syspathinsert()
    report = pytester.path / f"report{suffix}"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--cors-app", "hostile:app", f"--cors-report={report}"
    )
    assert result.parseoutcomes()["failed"] == 1
    return result, report.read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".md", ".json", ".sarif"])
def test_a_hostile_server_reaches_no_terminal_and_no_report_raw(pytester, suffix):
    result, text = _run_hostile(pytester, suffix)
    output = result.stdout.str() + result.stderr.str()
    assert ESC not in output  # the failure text and the contract summary
    assert "\\x1b[31mred" in output
    assert "\x07" not in output
    assert ESC not in text and "\x07" not in text
    assert KEY not in output and KEY not in text
    assert TOKEN not in text  # the report shows the contract's path redacted too
    if suffix == ".json":
        assert ESC not in json.dumps(json.loads(text), ensure_ascii=False)


def test_the_markdown_report_renders_no_html_image_or_link_from_the_server(pytester):
    _, text = _run_hostile(pytester, ".md")
    html = _rendered(text)
    assert "<img" not in html
    assert "attacker.example" in html  # shown as text ...
    assert 'href="https://attacker' not in html  # ... never as a link or an image
    assert "onerror=alert(1)" in html and "&lt;img src=x onerror=alert(1)" in html
    assert "<summary>" in html and "<details>" in html  # the page's own structure holds
    assert ESC not in html


def test_markdown_escapes_server_text_outside_code_and_keeps_code_verbatim():
    record = {
        "origin": APP, "path": "/a", "expect": "allowed", "status": "failed", "attack": None,
        "contract": "cors.yaml", "policy": "p", "check": "p::GET /a <b>", "browser": "chromium",
        "seed": "1", "target": "x",
        "transcript": "< X-Evil: <script>alert(1)</script> ![](https://attacker.example/p.png)",
        "findings": [{"id": "CORS-BLOCKED", "severity": "error", "silenced": None, "line": 1,
                      "column": 1, "message": "value '<img src=x>' & ![i](https://attacker.example/"
                      "i.png) [l](https://attacker.example/) <!-- x --> &amp; \x1b[2J"}],
    }  # fmt: skip
    text = to_markdown([record])
    assert ESC not in text
    html = _rendered(text)
    assert "<img" not in html and "<script" not in html and "<!--" not in html
    assert 'href="https://attacker' not in html
    assert "value '&lt;img src=x&gt;' &amp; ![i](https://attacker.example/i.png)" in html
    assert "&amp;amp; \\x1b[2J" in html  # an entity is shown as typed, the ESC as an escape
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the transcript: a code block
    assert "<summary>p::GET /a &lt;b></summary>" in html
    assert ESC not in "\n".join(terminal_summary([{**record, "check": f"p::{ESC}[2J"}]))


def test_every_output_path_uses_the_one_redaction_module():
    """One rule, one place: ``http`` and ``report`` hand out ``redaction``'s own functions and
    sets, so a name added through either is redacted by all of them."""
    from pytest_cors import origin, report

    for name in (
        "SECRET_HEADERS",
        "SECRET_PARAMS",
        "SECRET_NAME_PATTERNS",
        "NEVER_REDACTED",
        "add_secret_names",
        "is_secret_header",
        "is_secret_param",
        "redact_params",
        "redact_url",
        "redact_value",
    ):
        assert getattr(kit_http, name) is getattr(redaction, name), name
    assert report.redact is redaction.redact
    assert origin.hide_userinfo is redaction.hide_userinfo
