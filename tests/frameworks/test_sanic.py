"""Sanic + sanic-ext through Sanic's ASGI test client and its own server, and the surprises."""

from __future__ import annotations

import pytest

from pytest_cors import simulate_fetch
from pytest_cors.errors import TargetError
from tests.targets.sanic_app import sanic_app

from .stacks import EVIL, SANIC
from .suite import FrameworkSuite

# sanic-testing (Sanic's test clients) imports websockets.legacy, which warns on import since
# websockets 14; nothing here uses websockets, and the warning is not ours to fix
pytestmark = pytest.mark.filterwarnings(
    "ignore:websockets.legacy is deprecated:DeprecationWarning:websockets.legacy"
)
WILDCARD_CREDENTIALS = {"CORS_ORIGINS": "*", "CORS_SUPPORTS_CREDENTIALS": True}


class TestSanic(FrameworkSuite):
    stack = SANIC

    def test_all_origins_echoes_the_origin_with_vary(self, servers):
        """``CORS_ORIGINS = "*"`` answers with the page's own origin, not ``*`` (unless
        ``CORS_SEND_WILDCARD``), and says ``Vary: Origin``."""
        for way in servers("public").values():
            response = simulate_fetch(way, "/items", origin=EVIL).actual.response
            assert response.headers.get("access-control-allow-origin") == EVIL
            assert response.headers.get("vary") == "origin"


def test_send_wildcard_sends_a_star():
    app = sanic_app({"CORS_ORIGINS": "*", "CORS_SEND_WILDCARD": True})
    outcome = simulate_fetch(app, "/items", origin=EVIL, credentials=True)
    assert outcome.actual.response.headers.get("access-control-allow-origin") == "*"
    assert outcome.failure.code == "CORSNotSupportingCredentials"


def test_wildcard_with_credentials_refuses_to_start():
    """sanic-ext refuses ``"*"`` with credentials when it is set up: ``Extend(app)`` raises,
    and an app that Sanic extends itself at start-up never starts, so through the kit every
    request is an error. (The ``any_credentials`` preset allows every origin with a pattern
    instead, which sanic-ext does not refuse.)"""
    from sanic.exceptions import SanicException

    with pytest.raises(SanicException, match="origin string of '\\*'"):
        sanic_app(WILDCARD_CREDENTIALS)
    app = sanic_app(WILDCARD_CREDENTIALS, extend=False)
    for _ in range(2):  # tried again, it is no better
        with pytest.raises(TargetError, match="the app raised SanicException: Cannot use"):
            simulate_fetch(app, "/items", origin=EVIL, credentials=True)
