"""A server that gates on Fetch Metadata answers the kit as it answers a browser.

The gate is the Fetch Metadata half of Go's ``http.CrossOriginProtection`` (also what ASGI
cross-origin-protection middleware does), written here as a Starlette middleware in front of
Starlette's ``CORSMiddleware``: a state-changing request whose ``Sec-Fetch-Site`` is anything
but ``same-origin`` (or ``none``) is refused with a 403. Before the kit sent ``Sec-Fetch-Site``,
such an app let the kit's cross-site ``PUT`` through while refusing the browser's.
``test_added_headers.py`` replays what Chromium and Firefox really sent through the same
decision; here the kit talks to the app itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from pytest_cors import simulate_fetch

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_origin_protection(method: str, headers: Iterable[tuple[str, str]]) -> int:
    """The status the gate answers: safe methods pass; otherwise ``Sec-Fetch-Site`` must be
    ``same-origin`` or ``none`` when present (403 when not). A request without it passes here
    (Go then compares ``Origin`` with ``Host``: left out, so only Fetch Metadata decides)."""
    if method.upper() in SAFE_METHODS:
        return 200
    site = next((v for k, v in headers if k.lower() == "sec-fetch-site"), None)
    if site is None or site in ("same-origin", "none"):
        return 200
    return 403


def gated_app(allow_origins: list[str]) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def gate(request: Any, call_next: Any) -> Any:
        status = cross_origin_protection(request.method, request.headers.items())
        if status == 403:
            return PlainTextResponse("cross-origin request refused", status_code=403)
        return await call_next(request)

    async def item(request: Any) -> Any:
        return PlainTextResponse("saved")

    return Starlette(
        routes=[Route("/items/1", item, methods=["GET", "PUT"])],
        middleware=[
            Middleware(CORSMiddleware, allow_origins=allow_origins, allow_methods=["GET", "PUT"]),
            Middleware(BaseHTTPMiddleware, dispatch=gate),
        ],
    )


PAGES = ["http://localhost:3000", "https://app.example.com", "http://app.example.com"]


@pytest.mark.parametrize(
    ("page", "url", "method", "status", "site"),
    [
        # the browser sends Sec-Fetch-Site to potentially trustworthy URLs: refused
        ("http://localhost:3000", "http://127.0.0.1:8000/items/1", "PUT", 403, "cross-site"),
        ("http://localhost:3000", "http://localhost:8000/items/1", "PUT", 403, "same-site"),
        ("https://app.example.com", "https://api.example.org/items/1", "PUT", 403, "cross-site"),
        ("https://app.example.com", "https://api.example.com/items/1", "PUT", 403, "same-site"),
        # same origin, or a safe method: let through
        ("https://app.example.com", "https://app.example.com/items/1", "PUT", 200, "same-origin"),
        ("https://app.example.com", "https://api.example.org/items/1", "GET", 200, "cross-site"),
        # to a plain-http URL the browser sends no Fetch Metadata: the gate cannot tell
        ("http://app.example.com", "http://api.example.org/items/1", "PUT", 200, None),
    ],
)
@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_the_gate_answers_the_kit_as_it_answers_the_browser(
    browser, page, url, method, status, site
):
    app = gated_app(PAGES)
    outcome = simulate_fetch(
        app, url, origin=page, method=method, body="x" if method == "PUT" else None,
        browser=browser,
    )  # fmt: skip
    assert outcome.allowed, outcome.explain()  # CORS lets the page read the answer ...
    assert outcome.status == status, outcome.explain()  # ... which is the gate's
    assert outcome.actual.request.headers.get("Sec-Fetch-Site") == site
    if outcome.preflight is not None:  # the preflight is OPTIONS: the gate lets it pass
        assert outcome.preflight.response.status == 200
    if status == 403:
        assert "  < cross-origin request refused" in outcome.explain().splitlines()


def test_without_sec_fetch_site_the_gate_would_have_let_the_kit_through():
    """What the kit got before it sent Fetch Metadata: the gate cannot refuse what it cannot
    see, so the test passed where the browser's request fails."""
    outcome = simulate_fetch(
        gated_app(PAGES), "http://127.0.0.1:8000/items/1", origin="http://localhost:3000",
        method="PUT", body="x",
    )  # fmt: skip
    sent = [(k, v) for k, v in outcome.actual.request.headers if not k.lower().startswith("sec-")]
    assert cross_origin_protection("PUT", outcome.actual.request.headers) == 403
    assert cross_origin_protection("PUT", sent) == 200
