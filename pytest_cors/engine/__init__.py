"""The browser, simulated: pure, no I/O, no framework imports (standard library only).

``request`` decides what a page may send and whether it needs a preflight; ``response`` holds
the CORS check, the preflight checks and exposure; ``cache`` the preflight cache; ``fetch`` the
algorithm that ties them together as a generator; ``profiles`` the browsers' differences.
"""

from __future__ import annotations

from pytest_cors.engine.cache import PreflightCache
from pytest_cors.engine.fetch import FetchRequest, Note, Outcome, prepare_request, run_fetch
from pytest_cors.engine.profiles import PROFILES, Profile, get_profile

__all__ = [
    "PROFILES",
    "FetchRequest",
    "Note",
    "Outcome",
    "PreflightCache",
    "Profile",
    "get_profile",
    "prepare_request",
    "run_fetch",
]
