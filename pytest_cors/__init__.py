"""pytest-cors: a browser's CORS algorithm, simulated faithfully, for your test suite.

Only the names in ``__all__`` are public API.
"""

from __future__ import annotations

from pytest_cors.asserts import assert_cors_allows, assert_cors_denies
from pytest_cors.engine import Outcome, Profile
from pytest_cors.errors import (
    ContractError,
    CorsAssertionError,
    CorsError,
    CorsUsageError,
    TargetError,
    UnsupportedTargetError,
)
from pytest_cors.failures import CorsWarning, Failure
from pytest_cors.flow import Browser, async_simulate_fetch, simulate_fetch
from pytest_cors.http import Exchange, Headers, Request, Response

__version__ = "0.1.0"

__all__ = [
    "Browser",
    "ContractError",
    "CorsAssertionError",
    "CorsError",
    "CorsUsageError",
    "CorsWarning",
    "Exchange",
    "Failure",
    "Headers",
    "Outcome",
    "Profile",
    "Request",
    "Response",
    "TargetError",
    "UnsupportedTargetError",
    "__version__",
    "assert_cors_allows",
    "assert_cors_denies",
    "async_simulate_fetch",
    "simulate_fetch",
]
