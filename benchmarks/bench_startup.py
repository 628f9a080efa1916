"""Benchmark 4: what the plugin adds to pytest's start-up.

Two measurements, each repeated in fresh interpreters:
  * ``python -X importtime -c "import pytest; import pytest_cors.pytest_plugin.plugin"`` (the
    entry point, loaded after pytest as pytest loads it):
    the plugin's own import time (its cumulative time less the ``pytest`` import nested inside
    it), as a ratio to ``pytest``'s import; the modules it pulls in besides pytest's are
    listed, so a stray ``yaml``, ``httpx`` or framework import shows up by name.
  * ``pytest --collect-only`` of an empty suite (one empty test file, in a temporary folder)
    with the plugin, against the same with ``-p no:cors`` (which keeps pytest from importing
    the entry point at all). Target: the plugin adds at most 15 ms.
  * ``pytest.main`` repeated inside one warm process, with and without the plugin: what its
    hooks cost once its modules are imported (the two figures above add up to the third).
Both runs of a pair start back to back, in alternating order. By default a run is timed by the
CPU time the child used (``os.wait4``), which other processes' load does not inflate; with
``--clock wall`` by elapsed time.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
from pathlib import Path

import _harness as h

EMPTY = (0, 5)  # pytest exits 5 when it collected no test: what an empty suite does
TARGET_MS = 15.0  # issue 6: the plugin adds at most 15 ms to pytest's start-up


def parse_importtime(stderr: str) -> tuple[float, float, list[str]]:
    """(plugin's own microseconds, pytest's microseconds, modules the plugin added).

    Each ``-X importtime`` line reads ``import time: self | cumulative | <indent>name``, and
    comes after the lines of the imports nested in it (indented two spaces deeper). The
    plugin's cost is the cumulative time of the top-level ``pytest_cors*`` lines less the
    ``pytest`` import nested in them; its modules are those nested lines outside pytest's.
    """
    entries: list[tuple[int, str, int]] = []
    for line in stderr.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3 or "imported package" in line:
            continue
        raw = parts[2]
        depth = (len(raw) - len(raw.lstrip(" ")) - 1) // 2
        entries.append((depth, raw.strip(), int(parts[1].strip())))
    total = 0
    pytest_us = 0
    modules: set[str] = set()
    for index, (depth, name, cumulative) in enumerate(entries):
        if depth != 0 or not name.startswith("pytest_cors"):
            continue
        total += cumulative
        nested = _subtree(entries, index)
        skip_below: int | None = None
        for sub_depth, sub_name, sub_cumulative in reversed(nested):  # a parent, then its kids
            if skip_below is not None and sub_depth > skip_below:
                continue
            skip_below = None
            if sub_name == "pytest":
                pytest_us += sub_cumulative
                skip_below = sub_depth
                continue
            modules.add(sub_name)
        modules.add(name)
    if pytest_us == 0:  # pytest was imported before the plugin: time it where it stands
        pytest_us = next((c for d, n, c in entries if d == 0 and n == "pytest"), 0)
    else:
        total -= pytest_us
    return float(total), float(pytest_us), sorted(modules)


def _subtree(entries: list[tuple[int, str, int]], index: int) -> list[tuple[int, str, int]]:
    """The entries nested in ``entries[index]`` (the deeper lines just before it)."""
    depth = entries[index][0]
    start = index
    while start > 0 and entries[start - 1][0] > depth:
        start -= 1
    return entries[start:index]


IMPORTS = "import pytest; import pytest_cors.pytest_plugin.plugin"


def importtime(reps: int) -> h.Figure:
    ratios, own, base = [], [], []
    modules: list[str] = []
    for _ in range(reps):
        child = h.run_child(
            # pytest first, as pytest itself loads the entry point: the stdlib modules pytest
            # needs are then pytest's, not the plugin's (whichever line imports them first)
            [sys.executable, "-X", "importtime", "-c", IMPORTS],
            h.ROOT,
        )
        plugin_us, pytest_us, modules = parse_importtime(child.stderr)
        if pytest_us <= 0:
            raise SystemExit("could not find pytest's import in -X importtime's output")
        ratios.append(plugin_us / pytest_us)
        own.append(plugin_us / 1000)
        base.append(pytest_us / 1000)
    return h.Figure(
        "import pytest_cors.pytest_plugin.plugin",
        "the plugin's own import time, after pytest's (as pytest loads its entry points)",
        "import pytest",
        ratios,
        statistics.median(base),
        statistics.median(own),
        unit="ms",
        extra={"modules loaded besides pytest's": ", ".join(modules) or "(none)"},
    )


def collect_only(reps: int, clock: str) -> h.Figure:
    base_cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    with tempfile.TemporaryDirectory() as suite:
        Path(suite, "test_empty.py").write_text("")
        h.run_child(base_cmd, suite, EMPTY)  # warm the OS file cache once
        ratios, deltas, withs, withouts = [], [], [], []
        for rep in range(reps):
            order = [True, False] if rep % 2 == 0 else [False, True]
            spent = {}
            for plugin in order:
                cmd = base_cmd if plugin else [*base_cmd, "-p", "no:cors"]
                spent[plugin] = h.run_child(cmd, suite, EMPTY).seconds(clock)
            ratios.append(spent[True] / spent[False])
            deltas.append((spent[True] - spent[False]) * 1000)
            withs.append(spent[True] * 1000)
            withouts.append(spent[False] * 1000)
    return h.Figure(
        "pytest --collect-only (empty)",
        "pytest start-up and collection of an empty suite, with the plugin",
        "the same with -p no:cors",
        ratios,
        statistics.median(withouts),
        statistics.median(withs),
        unit="ms",
        deltas=deltas,
        delta_target=TARGET_MS,
    )


def in_process(reps: int, count: int, clock: str) -> h.Figure:
    """``pytest.main`` run again and again in this process: the plugin's hooks alone.

    Its modules are imported by the first run, so later runs time what the plugin does in
    every pytest run (options, ini keys, markers, fixtures registered; its hooks called).
    """
    import pytest

    with tempfile.TemporaryDirectory() as suite:
        Path(suite, "test_empty.py").write_text("")
        args = ["--collect-only", "-q", "-p", "no:cacheprovider", suite]

        def run(extra: list[str]) -> object:
            with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
                code = pytest.main([*args, *extra])
            if code not in (0, 5):
                raise SystemExit(f"pytest.main({args + extra}) returned {code}")
            return code

        ratios, base, cost = h.paired(
            lambda: run(["-p", "no:cors"]), lambda: run([]), count, reps, clock
        )
        # the same pairs, as milliseconds added per run: ratio x baseline - baseline
        deltas = [(r - 1) * base * 1000 for r in ratios]
    return h.Figure(
        "pytest.main in-process (hooks)",
        "a collect-only run of an empty suite in a warm process, with the plugin",
        "the same with -p no:cors",
        ratios,
        base * 1000,
        cost * 1000,
        unit="ms",
        deltas=deltas,
    )


def main(argv: list[str] | None = None) -> h.Report:
    args, reps, report = h.start(
        __doc__,
        "startup",
        "what the plugin adds to pytest's start-up",
        "bench_startup.py",
        21,
        argv,
    )
    h.compile_package()  # as installed: a stale __pycache__ would time the compiler
    report.figures.append(importtime(reps))
    report.figures.append(collect_only(reps, args.clock))
    report.figures.append(in_process(reps, 1 if args.quick else 10, args.clock))
    report.notes.append(
        "collect-only pairs are timed by "
        + ("the child's CPU time (os.wait4)" if args.clock == "cpu" else "elapsed time")
        + "; the importtime figure by the interpreter's own -X importtime clock"
    )
    h.finish(report, args)
    return report


if __name__ == "__main__":
    main()
