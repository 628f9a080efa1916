"""The text rendering of an outcome: verdict, transcript, checks, curl line, redaction."""

import pytest

from pytest_cors import Headers, Request, simulate_fetch
from pytest_cors.explain import curl_line

APP = "https://app.example.com"


def app(environ, start_response):
    start_response(
        "200 OK", [("Access-Control-Allow-Origin", APP), ("Set-Cookie", "session=very-secret")]
    )
    return [b""]


def test_explain_shows_verdict_exchanges_checks_and_redacts_secrets():
    outcome = simulate_fetch(
        app, "/a", origin=APP, method="PUT", headers={"Authorization": "Bearer top-secret"}
    )
    text = outcome.explain()
    first = text.splitlines()[0]
    assert (
        first == f"PUT http://testserver/a from origin {APP}: BLOCKED (CORSMethodNotFound) - "
        "script sees TypeError: Failed to fetch"
    )
    assert "> Access-Control-Request-Headers: authorization" in text
    assert "top-secret" not in text and "very-secret" not in text
    assert "[FAIL] preflight: MethodDisallowedByPreflightResponse (CORSMethodNotFound)" in text
    assert "curl -i -X OPTIONS http://testserver/a" in text


def test_explain_of_an_allowed_fetch_lists_readable_headers():
    outcome = simulate_fetch(app, "/a", origin=APP)
    text = outcome.explain()
    assert ": ALLOWED (CORS, status 200)" in text.splitlines()[0]
    assert "Readable response headers: (none)" in text


def test_curl_line_quotes_and_redacts():
    request = Request("GET", "http://testserver/a?q=1 2", Headers({"Authorization": "Basic x"}))
    line = curl_line(request)
    assert line.startswith("curl -i -X GET 'http://testserver/a?q=1 2'")
    assert "'Authorization: <redacted: 7 bytes>'" in line


def test_an_exchange_the_http_cache_answered_is_labelled_as_not_sent():
    from pytest_cors import Browser

    def cached(environ, start_response):
        start_response(
            "200 OK", [("Access-Control-Allow-Origin", "*"), ("Cache-Control", "max-age=600")]
        )
        return [b""]

    browser = Browser("chromium")
    browser.fetch(cached, "/a", origin=APP)
    again = browser.fetch(cached, "/a", origin=APP)
    assert again.http_cached == [0]
    assert "Request (answered by the HTTP cache: nothing was sent):" in again.explain()


@pytest.mark.parametrize(
    ("browser", "error"),
    [
        ("chromium", "TypeError: Failed to fetch"),
        ("firefox", "TypeError: NetworkError when attempting to fetch resource."),
        ("safari", "TypeError: Load failed"),
    ],
)
def test_the_verdict_line_says_what_each_browsers_script_catches(browser, error):
    outcome = simulate_fetch(app, "/a", origin=APP, method="PUT", browser=browser)
    assert (
        outcome.explain()
        .splitlines()[0]
        .endswith(f"BLOCKED (CORSMethodNotFound) - script sees {error}")
    )


# -- response bodies: short text shown, anything else summed up ---------------------------------


def test_starlettes_refusal_body_names_the_cause_of_a_400_preflight():
    from tests.targets.apps import ALLOWED, starlette_app

    app = starlette_app()  # the real CORSMiddleware: allow_methods GET, PUT, POST
    text = simulate_fetch(app, "/items", origin=ALLOWED, method="DELETE").explain()
    lines = text.splitlines()
    assert "  < 400 Bad Request" in lines
    at = lines.index("  < Disallowed CORS method")
    assert lines[at - 1] == "  <"  # a blank line between the headers and the body
    assert lines[at - 2] == "  < content-type: text/plain; charset=utf-8"

    headers = simulate_fetch(app, "/items", origin=ALLOWED, method="PUT", headers={"X-No": "1"})
    assert "  < Disallowed CORS headers" in headers.explain().splitlines()


def _shown(body, content_type=None, **request_headers):
    from pytest_cors.explain import render_exchange
    from pytest_cors.http import Exchange, Response

    lines = [("Content-Length", str(len(body)))]
    if content_type is not None:
        lines.append(("Content-Type", content_type))
    exchange = Exchange(
        Request("GET", "http://testserver/a", Headers(request_headers)),
        Response(500, Headers(lines), body),
    )
    return render_exchange(exchange)[len(request_headers) + 1 + len(lines) + 1 :]


@pytest.mark.parametrize(
    ("body", "content_type", "shown"),
    [
        (b"Internal Server Error", "text/plain", ["  <", "  < Internal Server Error"]),
        (b"no type\r\nsecond line\n", None, ["  <", "  < no type", "  < second line"]),
        (
            "d\u00e9j\u00e0 vu".encode(),
            "text/html; charset=utf-8",
            ["  <", "  < d\u00e9j\u00e0 vu"],
        ),
        (b"", "text/plain", []),
        (b'{"error": "boom"}', "application/json", ["  < (17 byte body)"]),
        (b"x" * 201, "text/plain", ["  < (201 byte body)"]),
        (b"x" * 200, "text/plain", ["  <", "  < " + "x" * 200]),
        (b"\xff\xfeshort and stout\x00", None, ["  < (18 byte body)"]),
        (b"bell\x07", "text/plain", ["  < (5 byte body)"]),
    ],
)
def test_a_response_body_is_shown_when_it_is_short_text(body, content_type, shown):
    assert _shown(body, content_type) == shown


def test_secret_header_values_are_redacted_in_a_shown_body_too():
    body = b"bad token s3cr3t-token for sid-s3cr3t-cookie"
    shown = _shown(
        body, "text/plain", Authorization="Bearer s3cr3t-token", Cookie="sid=sid-s3cr3t-cookie; a=1"
    )
    assert shown[1] == "  < bad token <redacted: 12 bytes> for <redacted: 17 bytes>"
