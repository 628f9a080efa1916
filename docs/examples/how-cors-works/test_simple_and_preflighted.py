from api import app

from pytest_cors import simulate_fetch

API = "https://api.example.com"
SPA = "https://app.example.com"


def test_a_simple_get_goes_straight_to_the_server():
    outcome = simulate_fetch(app, API + "/items", origin=SPA)
    assert outcome.preflight is None
    assert outcome.actual.request.headers.get("Origin") == SPA
    assert outcome.allowed


def test_a_put_with_json_is_asked_for_first():
    outcome = simulate_fetch(
        app, API + "/items", origin=SPA, method="PUT", headers={"Content-Type": "application/json"}
    )
    preflight = outcome.preflight.request
    assert preflight.method == "OPTIONS"
    assert preflight.headers.get("Access-Control-Request-Method") == "PUT"
    assert preflight.headers.get("Access-Control-Request-Headers") == "content-type"
    assert outcome.allowed


def test_a_method_the_preflight_does_not_grant_is_never_sent():
    outcome = simulate_fetch(app, API + "/items", origin=SPA, method="PATCH")
    assert not outcome.allowed
    assert outcome.failure.code == "CORSMethodNotFound"
    assert outcome.actual is None  # the PATCH itself never left the browser
