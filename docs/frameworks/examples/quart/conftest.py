import pytest
from app import app


@pytest.fixture
def cors_target():
    return app.test_client()
