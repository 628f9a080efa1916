import pytest

from pytest_cors import (
    Cookie,
    CorsAssertionError,
    assert_cors_allows,
    assert_cors_denies,
    simulate_fetch,
)

ME = "https://api.example.com/me"
EVIL = "https://evil.example"


def session_api(environ, start_response):
    """Lets an origin in only for signed-in users: any Origin, when a cookie arrives."""
    headers = [("Content-Type", "application/json")]
    if "HTTP_COOKIE" in environ and "HTTP_ORIGIN" in environ:
        headers += [
            ("Access-Control-Allow-Origin", environ["HTTP_ORIGIN"]),
            ("Access-Control-Allow-Credentials", "true"),
        ]
    start_response("200 OK", headers)
    return [b'{"user": "alice"}']


def test_a_signed_in_chromium_lets_any_site_read_the_session():
    # the browser holds a session cookie (SameSite=None; Secure) and sends it
    with pytest.raises(CorsAssertionError, match="but fetch\\(\\) would resolve"):
        assert_cors_denies(session_api, ME, origin=EVIL, credentials="include")


def test_a_signed_out_browser_would_hide_the_hole():
    assert_cors_denies(session_api, ME, origin=EVIL, credentials="include", cookies=None)


def test_safari_blocks_third_party_cookies():
    assert_cors_denies(session_api, ME, origin=EVIL, credentials="include", browser="safari")


def test_a_lax_cookie_goes_to_the_same_site_only():
    jar = [Cookie("session", "abc123", samesite="Lax")]
    outcome = assert_cors_allows(
        session_api, ME, origin="https://app.example.com", credentials="include", cookies=jar
    )
    assert outcome.actual.request.headers.get("Cookie") == "session=abc123"
    assert "Cookie: <redacted: 14 bytes>" in outcome.explain()
    cross_site = simulate_fetch(session_api, ME, origin=EVIL, credentials="include", cookies=jar)
    assert not cross_site.allowed
