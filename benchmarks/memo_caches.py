"""What each of the package's memoisers buys: the same workloads with it on and with it off.

``python benchmarks/memo_caches.py [--groups | --kept [--also NAME ...]] [--reps N] [--count N]``
(not a ``bench_*`` script: it gives no harness figures, only this table). Three workloads,
each timed with every cache in place and with one cache (or a group) replaced by the plain
function it wraps, back to back in the same process and repetition (order alternating); each
figure is the ratio of the fastest CPU time of each side: ``1.30`` means the workload takes
30 % longer without that cache.

* ``engine``: benchmark 5's verdicts from stored exchanges (``prepare_request`` +
  ``run_fetch``), the pure engine alone;
* ``flask`` and ``wsgi``: ``simulate_fetch`` end to end through Flask's test client and through
  the raw WSGI app (the kit's own in-process WSGI adapter).
"""

from __future__ import annotations

import argparse
import functools
import gc
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import bench_apps as apps
import bench_engine

from pytest_cors import simulate_fetch

GROUPS = {
    "origin": ("pytest_cors.origin.",),
    "engine.response": ("pytest_cors.engine.response.",),
    "engine.request": ("pytest_cors.engine.request.",),
    "engine.added+csp": ("pytest_cors.engine.added.", "pytest_cors.engine.csp."),
    "targets": ("pytest_cors.targets.",),
    "flow+cookies": ("pytest_cors.flow.", "pytest_cors.cookies."),
}
#: the caches left on by ``--kept``: those the package keeps (origin parsing, URL splitting,
#: token lists), and those in modules outside this measurement's change
KEPT = (
    "pytest_cors.origin.origin_of_url",
    "pytest_cors.origin._parse_origin",
    "pytest_cors.origin.is_valid_url_value",
    "pytest_cors.targets._wire.split_url",
    "pytest_cors.engine.response._tokens",
    "pytest_cors.engine.response._exposure",
    # not ours to remove in this change (engine/request.py, flow.py, cookies.py): left on
    "pytest_cors.engine.request.",
    "pytest_cors.flow.",
    "pytest_cors.cookies.",
)


def memoisers() -> dict[str, list[tuple[Any, str, Any]]]:
    """Every ``functools`` cache reachable as a module attribute of the package: by the cached
    function's qualified name, each place that holds it (module, attribute, the wrapper)."""
    found: dict[str, list[tuple[Any, str, Any]]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("pytest_cors") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if hasattr(value, "cache_info") and hasattr(value, "__wrapped__"):
                wrapped = value.__wrapped__
                if not wrapped.__module__.startswith("pytest_cors"):
                    continue  # a library's own cache (urllib.parse.urlsplit)
                key = f"{wrapped.__module__}.{wrapped.__qualname__}"
                found.setdefault(key, []).append((module, attr, value))
    return found


@contextmanager
def without(places: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """The cached functions replaced by what they wrap (``__wrapped__`` kept, for callers that
    bypass the cache by it), then put back."""
    for module, attr, wrapper in places:
        plain = functools.wraps(wrapper.__wrapped__)(_plain(wrapper.__wrapped__))
        setattr(module, attr, plain)
    try:
        yield
    finally:
        for module, attr, wrapper in places:
            setattr(module, attr, wrapper)


def _plain(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return call


def timed(work: Callable[[], object], count: int) -> float:
    gc.collect()
    start = time.process_time()  # CPU time: other processes on a shared machine count less
    for _ in range(count):
        work()
    return (time.process_time() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument(
        "--groups", action="store_true", help="only the groups below, not each cache alone"
    )
    parser.add_argument("--kept", action="store_true", help="only the kept set (and --also)")
    parser.add_argument("--also", action="append", default=[], help="a cache kept on top")
    args = parser.parse_args()

    client = apps.flask_app().test_client()
    stored = bench_engine.record(client)
    wsgi_app = client.application

    def engine() -> object:
        return [bench_engine.verdict(item) for item in stored]

    def through(target: Any) -> Callable[[], object]:
        def run() -> object:
            return [
                simulate_fetch(target, "/r1", **kwargs) for kwargs in bench_engine.FETCHES.values()
            ]

        return run

    workloads = {"engine": engine, "flask": through(client), "wsgi": through(wsgi_app)}
    for work in workloads.values():
        work()  # import everything, fill every cache
    caches = memoisers()
    alone = not (args.groups or args.kept)
    variants = dict(sorted(caches.items())) if alone else {}

    def off(*prefixes: str, keep: tuple[str, ...] = ("pytest_cors.site._psl",)) -> list[Any]:
        """The places of every cache named by a prefix, but those in ``keep``."""
        return [
            place
            for key, places in caches.items()
            if key.startswith(prefixes) and not key.startswith(keep)
            for place in places
        ]

    # _psl loads the public suffix list once: a load, not a memo, so never turned off here
    if args.groups:
        for group in GROUPS:
            variants[f"({group} off)"] = off(*GROUPS[group])
        variants["(all off)"] = off("pytest_cors.")
    variants["(all off but KEPT)"] = off("pytest_cors.", keep=("pytest_cors.site._psl", *KEPT))
    for extra in args.also:
        variants[f"(all off but KEPT + {extra})"] = off(
            "pytest_cors.", keep=("pytest_cors.site._psl", *KEPT, extra)
        )
    print(f"{len(caches)} memoisers; fastest CPU time without / with, {args.reps} reps")
    print(f"{'cache':60} " + " ".join(f"{w:>8}" for w in workloads))
    for label, places in variants.items():
        ons: dict[str, list[float]] = {w: [] for w in workloads}
        offs: dict[str, list[float]] = {w: [] for w in workloads}
        for rep in range(args.reps):
            for wname, work in workloads.items():
                if rep % 2:
                    on = timed(work, args.count)
                    with without(places):
                        off = timed(work, args.count)
                else:
                    with without(places):
                        off = timed(work, args.count)
                    on = timed(work, args.count)
                ons[wname].append(on)
                offs[wname].append(off)
        # the fastest repetition of each side: the one least disturbed by the machine
        cells = " ".join(f"{min(offs[w]) / min(ons[w]):8.3f}" for w in workloads)
        print(f"{label:60} {cells}", flush=True)


if __name__ == "__main__":
    main()
