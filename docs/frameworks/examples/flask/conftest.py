import pytest
from app import create_app


@pytest.fixture
def cors_target():
    return create_app().test_client()
