"""assert_cors_allows / assert_cors_denies against the shipped example WSGI app."""

import pytest

from examples.app import app
from pytest_cors import CorsAssertionError, assert_cors_allows, assert_cors_denies

API = "https://api.example.com"
APP = "https://app.example.com"


def test_allows_returns_the_outcome_with_exposed_headers():
    outcome = assert_cors_allows(
        app,
        f"{API}/items",
        origin=APP,
        method="PUT",
        credentials="include",
        headers={"Content-Type": "application/json"},
        expose=["X-Total-Count"],
    )
    assert outcome.preflight is not None
    assert outcome.readable_headers["x-total-count"] == "2"


def test_allows_failure_starts_with_the_devtools_message_then_explains_and_hints():
    with pytest.raises(CorsAssertionError) as info:
        assert_cors_allows(app, f"{API}/items", origin="https://evil.example.net")
    text = str(info.value)
    assert text.startswith(
        f"Access to fetch at '{API}/items' from origin 'https://evil.example.net' has been "
        "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present"
    )
    assert "> Origin: https://evil.example.net" in text
    assert "Fix: Send 'Access-Control-Allow-Origin: https://evil.example.net'" in text


def test_allows_fails_when_an_expected_header_is_not_exposed():
    with pytest.raises(CorsAssertionError, match="cannot read response header"):
        assert_cors_allows(app, f"{API}/items", origin=APP, expose=["X-Total-Count", "ETag"])


def test_wildcard_font_is_public_but_not_with_credentials():
    assert_cors_allows(app, f"{API}/fonts/roboto.woff2", origin="https://blog.example.org")
    outcome = assert_cors_denies(
        app, f"{API}/fonts/roboto.woff2", origin="https://blog.example.org", credentials=True
    )
    assert outcome.failure is not None
    assert outcome.failure.code == "CORSNotSupportingCredentials"


def test_denies_failure_names_the_granting_headers():
    with pytest.raises(CorsAssertionError) as info:
        assert_cors_denies(
            app, f"{API}/legacy", origin="https://evil.example.net", credentials="include"
        )
    text = str(info.value)
    assert "but fetch() would resolve" in text
    assert "actual: Access-Control-Allow-Origin: https://evil.example.net" in text
    assert "actual: Access-Control-Allow-Credentials: true" in text


def test_denies_says_when_the_request_is_same_origin():
    with pytest.raises(CorsAssertionError, match="same-origin"):
        assert_cors_denies(app, f"{API}/items", origin=API)


def test_method_not_in_allow_methods_is_denied_with_the_method_named():
    outcome = assert_cors_denies(
        app, f"{API}/items", origin=APP, method="PATCH", credentials="include"
    )
    assert outcome.failure is not None
    assert outcome.failure.code == "CORSMethodNotFound"
    assert "Method PATCH is not allowed" in outcome.failure.message
    assert outcome.actual is None


def test_authorization_must_be_listed_for_credentialed_requests():
    outcome = assert_cors_denies(
        app,
        f"{API}/items",
        origin=APP,
        headers={"Authorization": "Bearer secret-token"},
        credentials="include",
    )
    assert outcome.failure is not None
    assert outcome.failure.failed_parameter == "authorization"
    assert "secret-token" not in outcome.explain()


COUNTED = []


def max_age_app(environ, start_response):
    """Allows PUT from APP for an hour; counts the preflights it answers."""
    if environ["REQUEST_METHOD"] == "OPTIONS":
        COUNTED.append(environ["PATH_INFO"])
    start_response(
        "200 OK",
        [
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "3600"),
            ("Vary", "Origin"),
        ],
    )
    return [b""]


def test_the_cors_fixture_helpers_share_one_browser_session_per_test():
    """allows, denies and fetch of one ``cors`` fixture keep one preflight cache (per browser),
    as one browser tab does."""
    from pytest_cors.asserts import CorsHelpers

    COUNTED.clear()
    cors = CorsHelpers(max_age_app)
    first = cors.allows("/items", origin=APP, method="PUT")
    second = cors.allows("/items", origin=APP, method="PUT")
    third = cors.fetch("/items", origin=APP, method="PUT")
    assert first.preflight is not None
    assert second.preflight_cached and third.preflight_cached
    assert COUNTED == ["/items"]
    cors.allows("/items", origin=APP, method="PUT", browser="firefox")  # its own cache
    assert COUNTED == ["/items", "/items"]


def test_assertion_messages_escape_control_bytes_and_redact_url_secrets():
    def app(environ, start_response):
        start_response("200 OK", [("Access-Control-Allow-Origin", "https://x\x1b[31m.example")])
        return [b""]

    with pytest.raises(CorsAssertionError) as info:
        assert_cors_allows(app, "/items?token=abcdef123456", origin=APP)
    message = str(info.value)
    assert "\x1b" not in message and "\\x1b" in message
    assert "abcdef123456" not in message

    def granting(environ, start_response):
        start_response("200 OK", [("Access-Control-Allow-Origin", "*"), ("X-Note", "\x1b[2J")])
        return [b""]

    with pytest.raises(CorsAssertionError) as info:
        assert_cors_denies(granting, "/items?api_key=abcdef123456", origin=APP)
    assert "\x1b" not in str(info.value)
    assert "abcdef123456" not in str(info.value)


def test_the_fixture_helpers_are_signed_in_unless_told_otherwise():
    from pytest_cors.asserts import CorsHelpers
    from tests.test_cookies import signed_in_only_app

    cors = CorsHelpers(signed_in_only_app())
    with pytest.raises(CorsAssertionError, match="but fetch\\(\\) would resolve"):
        cors.denies("/me", origin="https://evil.example", credentials="include")
    cors.denies("/me", origin="https://evil.example", credentials="include", cookies=None)
    cors.denies("/me", origin="https://evil.example", credentials="include", browser="safari")
    outcome = cors.allows(
        "/me", origin="https://evil.example", credentials=True, cookies={"session": "s3cr3t!"}
    )
    assert outcome.actual.request.headers.get("Cookie") == "session=s3cr3t!"
    assert "s3cr3t!" not in outcome.explain()


def test_allows_with_credentials_needs_the_session_a_signed_in_browser_sends():
    from tests.test_cookies import signed_in_only_app

    app = signed_in_only_app()
    assert_cors_allows(app, "/me", origin=APP, credentials="include")
    with pytest.raises(CorsAssertionError, match="No 'Access-Control-Allow-Origin' header"):
        assert_cors_allows(app, "/me", origin=APP, credentials="include", cookies={})


def test_page_csp_in_the_assertions_and_the_fixture_helpers():
    from pytest_cors import assert_cors_allows, assert_cors_denies
    from pytest_cors.asserts import CorsHelpers

    def app(environ, start_response):
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b"ok"]

    url, page = "https://api.example.com/x", "https://app.example.com"
    denied = assert_cors_denies(app, url, origin=page, page_csp="default-src 'none'")
    assert denied.failure.code == "CSPViolation"
    assert_cors_allows(app, url, origin=page, page_csp="connect-src https://api.example.com")
    helpers = CorsHelpers(app)
    assert helpers.fetch(url, origin=page, page_csp="connect-src 'self'").failure.code == (
        "CSPViolation"
    )
    assert helpers.denies(url, origin=page, page_csp="connect-src 'self'").failure
    helpers.allows(url, origin=page, page_csp="connect-src *")


def _public(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", "*"), ("X-Total", "3")])
    return [b"ok"]


def test_no_cors_allows_means_fetch_resolves_opaque_and_reads_nothing():
    from pytest_cors.asserts import CorsHelpers

    outcome = assert_cors_allows(_public, f"{API}/x", origin=APP, mode="no-cors")
    assert outcome.response_type == "opaque" and outcome.status == 0
    assert CorsHelpers(_public).allows(f"{API}/x", origin=APP, mode="no-cors").allowed
    with pytest.raises(CorsAssertionError, match="with an opaque response: the page reads no"):
        assert_cors_allows(_public, f"{API}/x", origin=APP, mode="no-cors", expose=["X-Total"])


def test_denies_explains_that_an_opaque_response_still_reached_the_server():
    with pytest.raises(CorsAssertionError) as caught:
        assert_cors_denies(_public, f"{API}/x", origin=APP, mode="no-cors")
    text = str(caught.value)
    assert "resolves with an opaque response" in text and "mode='cors'" in text


def test_same_origin_mode_and_redirect_error_are_denied_with_their_codes():
    from pytest_cors.asserts import CorsHelpers

    denied = assert_cors_denies(_public, f"{API}/x", origin=APP, mode="same-origin")
    assert denied.failure.code == "DisallowedByMode"
    with pytest.raises(CorsAssertionError, match='Request mode is "same-origin"'):
        assert_cors_allows(_public, f"{API}/x", origin=APP, mode="same-origin")
    assert CorsHelpers(_public).denies(f"{API}/x", origin=APP, mode="same-origin").failure
