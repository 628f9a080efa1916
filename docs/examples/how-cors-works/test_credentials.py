from api import app

from pytest_cors import assert_cors_allows, simulate_fetch

API = "https://api.example.com"


def test_a_wildcard_serves_everyone_without_cookies():
    assert_cors_allows(app, API + "/public", origin="https://blog.example.org")


def test_a_wildcard_is_refused_when_cookies_are_sent():
    outcome = simulate_fetch(
        app, API + "/public", origin="https://blog.example.org", credentials="include"
    )
    assert not outcome.allowed
    assert outcome.failure.code == "CORSNotSupportingCredentials"


def test_credentials_need_the_exact_origin_and_allow_credentials():
    outcome = assert_cors_allows(
        app, API + "/items", origin="https://app.example.com", credentials="include"
    )
    response = outcome.actual.response
    assert response.headers.get("Access-Control-Allow-Origin") == "https://app.example.com"
    assert response.headers.get("Access-Control-Allow-Credentials") == "true"
