from api import app

from pytest_cors import simulate_fetch

API = "https://api.example.com"
PAGE = "https://app.example.com"


def test_the_pages_csp_stops_the_request_before_cors():
    outcome = simulate_fetch(app, API + "/public", origin=PAGE, page_csp="connect-src 'self'")
    assert outcome.failure.code == "CSPViolation"
    assert outcome.exchanges == []  # nothing reached the API: no CORS header can help
    assert "connect-src 'self'" in outcome.failure.message


def test_listing_the_api_in_connect_src_lets_cors_decide():
    csp = "default-src 'self'; connect-src 'self' https://api.example.com"
    assert simulate_fetch(app, API + "/public", origin=PAGE, page_csp=csp).allowed
