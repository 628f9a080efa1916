"""aiohttp + aiohttp-cors through aiohttp's TestClient and its own server, and its surprises."""

from __future__ import annotations

from pytest_cors import simulate_fetch

from .stacks import AIOHTTP, EVIL
from .suite import FrameworkSuite


class TestAiohttp(FrameworkSuite):
    stack = AIOHTTP

    def test_all_origins_echoes_the_origin_without_vary(self, servers):
        """``"*"`` in aiohttp-cors' defaults never sends ``*``: it echoes the Origin, and no
        ``Vary: Origin`` tells caches the answer depends on it (aiohttp-cors #351)."""
        for way in servers("public").values():
            response = simulate_fetch(way, "/items", origin=EVIL).actual.response
            assert response.headers.get("access-control-allow-origin") == EVIL
            assert "vary" not in response.headers
