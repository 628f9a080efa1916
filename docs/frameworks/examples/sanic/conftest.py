import pytest
from app import app


@pytest.fixture
def cors_target():
    return app.asgi_client  # sanic-testing's client; the kit starts the app on first use
