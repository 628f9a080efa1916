"""Flask + flask-cors through Flask's test client and werkzeug's server, and its surprises."""

from __future__ import annotations

import pytest

from pytest_cors import simulate_fetch
from pytest_cors.errors import TargetError
from tests.targets.apps import ALLOWED, FLASK_CORS, flask_app

from .stacks import FLASK
from .suite import FrameworkSuite


class TestFlask(FrameworkSuite):
    stack = FLASK


def test_preflight_answered_by_a_trailing_slash_redirect():
    """flask-cors #257: werkzeug redirects /things to /things/ before flask-cors runs, and a
    browser never follows a redirect for a preflight. A simple GET follows it fine."""
    app = flask_app(FLASK_CORS)
    app.add_url_rule("/things/", "things", lambda: {"things": []}, methods=["GET", "PUT"])
    client = app.test_client()
    put = simulate_fetch(client, "/things", origin=ALLOWED, method="PUT")
    assert put.preflight.response.status == 308
    assert put.failure.code == "CORSPreflightDidNotSucceed"
    assert "Redirect is not allowed for a preflight request" in put.failure.message
    get = simulate_fetch(client, "/things", origin=ALLOWED)
    assert get.allowed
    assert get.redirected


def test_one_exact_origin_gets_no_vary_header_two_do():
    """flask-cors adds ``Vary: Origin`` only for several origins or a pattern: with one, a
    shared cache may hand the answer without CORS headers to the allowed page."""
    for origins, vary in ([ALLOWED], None), ([ALLOWED, "https://admin.example.com"], "Origin"):
        client = flask_app({**FLASK_CORS, "origins": origins}).test_client()
        outcome = simulate_fetch(client, "/items", origin=ALLOWED)
        assert outcome.allowed
        assert outcome.actual.response.headers.get("vary") == vary


def test_testing_mode_propagates_the_error_and_the_kit_says_so():
    """With TESTING on, the test client re-raises a view's exception: there is no response,
    so no verdict, and the kit raises TargetError instead of guessing."""
    client = flask_app(FLASK_CORS).test_client()
    with pytest.raises(TargetError, match="the app raised RuntimeError: boom"):
        simulate_fetch(client, "/boom", origin=ALLOWED)
