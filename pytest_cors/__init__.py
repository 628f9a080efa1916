"""pytest-cors: a browser's CORS algorithm, simulated faithfully, for your test suite.

Only the names in ``__all__`` are public API. They load on first use, so that the pytest
plugin (which imports this package in every pytest run) costs next to nothing at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Browser": "pytest_cors.flow",
    "ContractError": "pytest_cors.errors",
    "Cookie": "pytest_cors.cookies",
    "CorsAssertionError": "pytest_cors.errors",
    "CorsError": "pytest_cors.errors",
    "CorsUsageError": "pytest_cors.errors",
    "CorsWarning": "pytest_cors.failures",
    "Exchange": "pytest_cors.http",
    "Failure": "pytest_cors.failures",
    "FetchOptions": "pytest_cors.options",
    "LocalNetwork": "pytest_cors.engine.lna",
    "Headers": "pytest_cors.http",
    "Outcome": "pytest_cors.engine",
    "Profile": "pytest_cors.engine",
    "Request": "pytest_cors.http",
    "Response": "pytest_cors.http",
    "Route": "pytest_cors.routing",
    "TargetConnectionError": "pytest_cors.errors",
    "TargetDNSError": "pytest_cors.errors",
    "TargetError": "pytest_cors.errors",
    "TargetProtocolError": "pytest_cors.errors",
    "TargetTLSError": "pytest_cors.errors",
    "TargetTimeoutError": "pytest_cors.errors",
    "UnsupportedTargetError": "pytest_cors.errors",
    "assert_cors_allows": "pytest_cors.asserts",
    "assert_cors_denies": "pytest_cors.asserts",
    "assert_load_allows": "pytest_cors.asserts",
    "assert_load_denies": "pytest_cors.asserts",
    "assert_xhr_allows": "pytest_cors.asserts",
    "assert_xhr_denies": "pytest_cors.asserts",
    "async_simulate_beacon": "pytest_cors.initiators",
    "async_simulate_eventsource": "pytest_cors.initiators",
    "async_simulate_fetch": "pytest_cors.flow",
    "async_simulate_load": "pytest_cors.initiators",
    "async_simulate_xhr": "pytest_cors.initiators",
    "routes": "pytest_cors.routing",
    "routes_from_openapi": "pytest_cors.routing",
    "simulate_beacon": "pytest_cors.initiators",
    "simulate_eventsource": "pytest_cors.initiators",
    "simulate_fetch": "pytest_cors.flow",
    "simulate_load": "pytest_cors.initiators",
    "simulate_xhr": "pytest_cors.initiators",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:
    from pytest_cors.asserts import assert_cors_allows as assert_cors_allows
    from pytest_cors.asserts import assert_cors_denies as assert_cors_denies
    from pytest_cors.asserts import assert_load_allows as assert_load_allows
    from pytest_cors.asserts import assert_load_denies as assert_load_denies
    from pytest_cors.asserts import assert_xhr_allows as assert_xhr_allows
    from pytest_cors.asserts import assert_xhr_denies as assert_xhr_denies
    from pytest_cors.cookies import Cookie as Cookie
    from pytest_cors.engine import Outcome as Outcome
    from pytest_cors.engine import Profile as Profile
    from pytest_cors.engine.lna import LocalNetwork as LocalNetwork
    from pytest_cors.errors import ContractError as ContractError
    from pytest_cors.errors import CorsAssertionError as CorsAssertionError
    from pytest_cors.errors import CorsError as CorsError
    from pytest_cors.errors import CorsUsageError as CorsUsageError
    from pytest_cors.errors import TargetConnectionError as TargetConnectionError
    from pytest_cors.errors import TargetDNSError as TargetDNSError
    from pytest_cors.errors import TargetError as TargetError
    from pytest_cors.errors import TargetProtocolError as TargetProtocolError
    from pytest_cors.errors import TargetTimeoutError as TargetTimeoutError
    from pytest_cors.errors import TargetTLSError as TargetTLSError
    from pytest_cors.errors import UnsupportedTargetError as UnsupportedTargetError
    from pytest_cors.failures import CorsWarning as CorsWarning
    from pytest_cors.failures import Failure as Failure
    from pytest_cors.flow import Browser as Browser
    from pytest_cors.flow import async_simulate_fetch as async_simulate_fetch
    from pytest_cors.flow import simulate_fetch as simulate_fetch
    from pytest_cors.http import Exchange as Exchange
    from pytest_cors.http import Headers as Headers
    from pytest_cors.http import Request as Request
    from pytest_cors.http import Response as Response
    from pytest_cors.initiators import async_simulate_beacon as async_simulate_beacon
    from pytest_cors.initiators import async_simulate_eventsource as async_simulate_eventsource
    from pytest_cors.initiators import async_simulate_load as async_simulate_load
    from pytest_cors.initiators import async_simulate_xhr as async_simulate_xhr
    from pytest_cors.initiators import simulate_beacon as simulate_beacon
    from pytest_cors.initiators import simulate_eventsource as simulate_eventsource
    from pytest_cors.initiators import simulate_load as simulate_load
    from pytest_cors.initiators import simulate_xhr as simulate_xhr
    from pytest_cors.options import FetchOptions as FetchOptions
    from pytest_cors.routing import Route as Route
    from pytest_cors.routing import routes as routes
    from pytest_cors.routing import routes_from_openapi as routes_from_openapi


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_cors' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
