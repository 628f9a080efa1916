"""Quart + quart-cors through Quart's test client and uvicorn, and the middleware's surprises."""

from __future__ import annotations

from pytest_cors.targets import run_sync
from tests.targets.more_apps import quart_app

from .stacks import QUART
from .suite import FrameworkSuite


class TestQuart(FrameworkSuite):
    stack = QUART


def test_wildcard_with_credentials_breaks_every_request():
    """quart-cors refuses ``allow_origin="*"`` with credentials, but only when a response is
    finished: every request, same-origin ones without an Origin too, becomes a 500."""
    app = quart_app(QUART.presets["any_credentials"])

    async def plain_get() -> int:
        response = await app.test_client().get("/items")
        return response.status_code

    assert run_sync(plain_get()) == 500
