import pytest
from app import app
from falcon.testing import TestClient


@pytest.fixture
def cors_target():
    return TestClient(app)
