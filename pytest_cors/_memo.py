"""The one memoiser the package uses: a bounded cache for pure functions of a few strings.

Kept to the functions a benchmark shows it pays for (``benchmarks/bench_memo.py``, figures in
``docs/performance.md``): every other check runs fresh. A cached function must be pure, take
hashable arguments and return an immutable value (a tuple, a frozen dataclass), as callers share
it; an exception is never cached, so a refused value is refused on every call. Standard library
only, and in the lowest layer, so that ``origin`` and the engine can use it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar, cast

F = TypeVar("F", bound=Callable[..., object])

MEMOISED: list[Callable[..., object]] = []
"""Every memoised function, in definition order: a benchmark turns them off one at a time
(their ``__wrapped__`` is the plain function) to see what each one buys."""


def memoised(maxsize: int = 1024) -> Callable[[F], F]:
    """Cache ``maxsize`` results of the decorated function, least recently used out first.

    Bounded: a suite that names a new URL or header value on every call must not grow a cache
    without end. The function keeps its signature for type checkers.
    """

    def decorate(function: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        MEMOISED.append(cached)
        return cast("F", cached)

    return decorate
