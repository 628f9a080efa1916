"""Starlette's CORSMiddleware through its TestClient and uvicorn, and the middleware's surprises."""

from __future__ import annotations

from pytest_cors import simulate_fetch
from tests.targets.apps import ALLOWED

from .stacks import STARLETTE
from .suite import FrameworkSuite


class TestStarlette(FrameworkSuite):
    stack = STARLETTE

    def test_a_refused_preflight_is_a_400_that_names_the_reason(self, servers):
        """The middleware answers 400 "Disallowed CORS method" (with the CORS headers): the
        browser reports the status, not the missing method, so the kit shows the body."""
        for way in servers("strict").values():
            outcome = simulate_fetch(way, "/items", origin=ALLOWED, method="DELETE")
            assert outcome.preflight.response.status == 400
            assert outcome.preflight.response.body == b"Disallowed CORS method"
            assert "does not have HTTP ok status" in outcome.failure.message
