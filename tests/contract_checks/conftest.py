"""Fixtures for the modules that run whole contracts through pytest (pytester)."""

from __future__ import annotations

from pathlib import Path

import pytest

FULL_CONTRACT = (Path(__file__).parent / "contracts" / "full.yaml").read_text()


@pytest.fixture
def ini(pytester):
    """An ini file of the inner run's own, so the outer suite's settings stay out."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


@pytest.fixture
def project(pytester, ini):
    """A pytester project holding the full example contract as ``cors.yaml``."""
    pytester.makefile(".yaml", cors=FULL_CONTRACT)
    return pytester
