from api import app

from pytest_cors import simulate_fetch

API = "https://api.example.com"


def test_a_redirect_is_checked_before_it_is_followed():
    outcome = simulate_fetch(app, API + "/old-items", origin="https://app.example.com")
    assert outcome.allowed
    assert [e.request.url for e in outcome.exchanges] == [API + "/old-items", API + "/items"]


def test_a_redirect_without_cors_headers_stops_the_fetch():
    outcome = simulate_fetch(app, API + "/old-items", origin="https://blog.example.org")
    assert outcome.failure.code == "CORSMissingAllowOrigin"
    assert len(outcome.exchanges) == 1  # the browser never requested /items


def test_after_a_cross_origin_hop_the_origin_is_null():
    outcome = simulate_fetch(app, API + "/moved", origin="https://app.example.com")
    second = outcome.exchanges[-1].request
    assert second.url == "https://cdn.example.net/mirror"
    assert second.headers.get("Origin") == "null"
    assert outcome.readable_headers["x-seen-origin"] == "null"
