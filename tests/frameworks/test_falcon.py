"""Falcon's built-in CORSMiddleware through falcon.testing and werkzeug's server, its surprises."""

from __future__ import annotations

from pytest_cors import simulate_fetch
from tests.targets.apps import ALLOWED

from .stacks import FALCON
from .suite import FrameworkSuite


class TestFalcon(FrameworkSuite):
    stack = FALCON

    def test_any_requested_header_is_granted_and_no_vary(self, servers):
        """No header allowlist: the preflight echoes whatever the page asks for; and the
        answer never carries ``Vary: Origin``."""
        for way in servers("strict").values():
            outcome = simulate_fetch(
                way, "/items", origin=ALLOWED, headers={"X-Anything": "1", "Authorization": "x"}
            )
            assert outcome.allowed
            granted = outcome.preflight.response.headers.get("access-control-allow-headers")
            assert {h.strip().lower() for h in granted.split(",")} == {
                "x-anything",
                "authorization",
            }
            assert "origin" not in (outcome.actual.response.headers.get("vary") or "").lower()
