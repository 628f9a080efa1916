"""Prototypes of the speed-ups proposed in docs/performance.md, applied by monkeypatching.

``--proposals`` on ``bench_engine.py`` and ``bench_overhead.py`` applies them before measuring,
so the owners of the code can see what a change would buy before making it. Nothing here
changes the package on disk; each patch keeps the function's behaviour (same results, same
exceptions) and only avoids repeated work.

Both are in the package now (P1 as it stands here; P2 as ``adapt()`` remembering each client
class's branch and a cached URL join, since an adapter kept per object would miss a client
whose settings change between fetches), so ``--proposals`` measures only what the object-keyed
adapter cache below would add on top: little.
"""

from __future__ import annotations

import functools
from typing import Any


def apply() -> list[str]:
    """Apply every prototype; returns their ids, for the report."""
    return [patch() for patch in (_p1_origin_cache, _p2_flow_caches)]


def _p1_origin_cache() -> str:
    """P1: memoise origin parsing (pure functions of a string; errors are not cached)."""
    import pytest_cors.engine.fetch as fetch
    import pytest_cors.origin as origin

    of_url = functools.lru_cache(maxsize=1024)(origin.origin_of_url)
    parse = functools.lru_cache(maxsize=256)(origin.parse_origin)
    origin.origin_of_url = of_url  # type: ignore[assignment]
    origin.parse_origin = parse  # type: ignore[assignment]
    fetch.origin_of_url = of_url  # type: ignore[assignment]
    fetch.parse_origin = parse  # type: ignore[assignment]
    return "P1"


def _p2_flow_caches() -> str:
    """P2: keep the adapter per target object (not safe to ship as is: a Flask client whose
    ``SERVER_NAME`` changes keeps its old base URL here); join a path to the base URL once."""
    import pytest_cors.flow as flow

    resolve = flow._resolve
    adapters: dict[int, tuple[object, Any]] = {}

    def cached_resolve(target: object, url: str) -> Any:
        hit = adapters.get(id(target))
        if hit is None or hit[0] is not target or "://" in url:
            hit = (target, resolve(target, url))
            if "://" not in url:
                adapters[id(target)] = hit
        return hit[1]

    flow._resolve = cached_resolve  # type: ignore[assignment]
    flow._absolute = functools.lru_cache(maxsize=1024)(flow._absolute)  # type: ignore[assignment]
    return "P2"
