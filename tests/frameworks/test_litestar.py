"""Litestar's CORSConfig through its TestClient and uvicorn, and its surprises."""

from __future__ import annotations

from pytest_cors import simulate_fetch
from tests.targets.apps import ALLOWED
from tests.targets.more_apps import litestar_app

from .stacks import EVIL, LITESTAR
from .suite import FrameworkSuite


class TestLitestar(FrameworkSuite):
    stack = LITESTAR


def litestar_client(cors):
    from litestar.testing import TestClient

    return TestClient(litestar_app(cors))


def test_a_pattern_alone_still_allows_every_origin():
    """``allow_origins`` defaults to ``["*"]``: a CORSConfig given only allow_origin_regex
    answers ``*`` to everyone."""
    with litestar_client({"allow_origin_regex": r"https://app\.example\.com"}) as client:
        outcome = simulate_fetch(client, "/items", origin=EVIL)
    assert outcome.allowed
    assert outcome.actual.response.headers.get("access-control-allow-origin") == "*"


def test_all_origins_echoes_the_origin_of_requests_with_a_cookie():
    """With ``*`` allowed, a request carrying a Cookie gets its own Origin back: the preflight
    (never sent with cookies) fails, a simple credentialed read from any site works."""
    with litestar_client({"allow_credentials": True}) as client:
        # signed in: the kit's browser holds a session cookie for the target by default
        simple = simulate_fetch(client, "/items", origin=EVIL, credentials=True)
        put = simulate_fetch(client, "/items", origin=EVIL, method="PUT", credentials=True)
        without_cookie = simulate_fetch(
            client, "/items", origin=ALLOWED, credentials=True, cookies=None
        )
    assert simple.allowed
    assert simple.actual.response.headers.get("access-control-allow-origin") == EVIL
    assert put.failure.code == "CORSNotSupportingCredentials"
    assert put.failure.step == "preflight"
    assert without_cookie.failure.code == "CORSNotSupportingCredentials"
