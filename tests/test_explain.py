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
