import app  # noqa: F401  (configures Django: use pytest-django's settings in a real project)
import pytest
from django.test import Client


@pytest.fixture
def cors_target():
    return Client()
