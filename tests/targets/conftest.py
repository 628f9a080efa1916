"""Shared set-up for the target tests: the repository root importable, Django configured once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:  # `tests.servers` must import under plain `pytest` too
    sys.path.insert(0, ROOT)


def _configure_django() -> None:
    """Configure Django in-process once; other test modules may have done it already."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="pytest-cors-tests",
            ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
            INSTALLED_APPS=["corsheaders"],
            MIDDLEWARE=[],
            ROOT_URLCONF="tests.targets.django_app",
            DATABASES={},
            USE_TZ=True,
        )
        django.setup()


@pytest.fixture
def django_settings():
    """Django configured, with this package's URLs and django-cors-headers for one test."""
    _configure_django()
    from django.test.utils import override_settings

    with override_settings(
        ROOT_URLCONF="tests.targets.django_app",
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost", "api.example.com"],
        MIDDLEWARE=[
            "corsheaders.middleware.CorsMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        CORS_ALLOWED_ORIGINS=["https://app.example.com"],
        CORS_ALLOW_CREDENTIALS=True,
        CORS_EXPOSE_HEADERS=["X-Total"],
        CORS_ALLOW_METHODS=["GET", "PUT", "POST"],
        CORS_ALLOW_HEADERS=["content-type", "x-token"],
    ):
        yield
