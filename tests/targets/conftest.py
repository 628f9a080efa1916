"""Shared set-up for the target tests: the repository root importable, Django configured once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:  # `tests.servers` must import under plain `pytest` too
    sys.path.insert(0, ROOT)


@pytest.fixture
def django_settings():
    """Django configured, with this package's URLs and django-cors-headers for one test."""
    from tests.targets.django_app import DJANGO_CORS, django_settings

    with django_settings(DJANGO_CORS):
        yield
