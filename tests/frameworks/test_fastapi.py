"""FastAPI's CORSMiddleware (Starlette's) through its TestClient and uvicorn."""

from __future__ import annotations

from pytest_cors import simulate_fetch
from tests.targets.apps import ALLOWED, STARLETTE_CORS

from .stacks import FASTAPI
from .suite import FrameworkSuite


class TestFastAPI(FrameworkSuite):
    stack = FASTAPI


def test_handled_errors_keep_cors_unhandled_ones_lose_it():
    """An HTTPException's 4xx passes through CORSMiddleware; an unhandled exception's 500 is
    written by ServerErrorMiddleware outside it, so the page sees a CORS error instead."""
    from fastapi import HTTPException
    from starlette.testclient import TestClient

    from tests.targets.fastapi_app import make_app

    app = make_app(STARLETTE_CORS)

    @app.get("/forbidden")
    def forbidden() -> None:
        raise HTTPException(status_code=403, detail="no")

    with TestClient(app, raise_server_exceptions=False) as client:
        handled = simulate_fetch(client, "/forbidden", origin=ALLOWED)
        unhandled = simulate_fetch(client, "/boom", origin=ALLOWED)
    assert handled.allowed
    assert handled.status == 403
    assert not unhandled.allowed
    assert unhandled.failure.code == "CORSMissingAllowOrigin"
    assert unhandled.actual.response.status == 500
