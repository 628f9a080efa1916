"""The plugin's old import path, kept for ``-p pytest_cors.plugin``, ``pytest_plugins`` lines
and ``from pytest_cors.plugin import ...``: the plugin is :mod:`pytest_cors.pytest_plugin.plugin`.

This module is no plugin itself (it re-exports no hook and no fixture, which pytest would run
twice); registered, it registers the real plugin under its entry point's name, ``cors``, unless
that is registered or blocked already. So ``-p pytest_cors.plugin`` loads the plugin with
``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` set, and loads it once with the entry point active.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pytest_cors.pytest_plugin import plugin as _plugin
from pytest_cors.pytest_plugin.plugin import (
    LIVE_CONCURRENCY,
    SEED_ACCEPTED,
    CorsSession,
    get_option,
    is_contract_name,
    seed_problem,
    session_state,
)

if TYPE_CHECKING:
    from pluggy import PluginManager

__all__ = [
    "LIVE_CONCURRENCY",
    "SEED_ACCEPTED",
    "CorsSession",
    "get_option",
    "is_contract_name",
    "seed_problem",
    "session_state",
]

ENTRY_POINT = "cors"
"""The ``pytest11`` entry point's name (``pyproject.toml``): the name the plugin goes by."""


def pytest_plugin_registered(plugin: object, manager: PluginManager) -> None:
    """When this module is registered, register the plugin itself, once."""
    if plugin is not sys.modules[__name__] or manager.is_registered(_plugin):
        return
    if manager.is_blocked(ENTRY_POINT):  # -p no:cors
        return
    # under the entry point's name, so that loading the entry points then skips it; under its
    # own when that name is taken (an install made before the move names this module there)
    free = manager.get_plugin(ENTRY_POINT) is None
    manager.register(_plugin, ENTRY_POINT if free else None)
