import pytest
from app import app
from starlette.testclient import TestClient


@pytest.fixture
def cors_target():
    with TestClient(app) as client:  # runs the app's lifespan
        yield client
