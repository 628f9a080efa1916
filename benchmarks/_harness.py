"""Shared machinery for the benchmark scripts: the machine, repetitions, ratios, output.

Every figure is a ratio of the kit's time to a baseline timed in the same process and the same
repetition, so a slower or busier machine moves both sides together. Each repetition times the
baseline and the kit back to back (their order alternating from one repetition to the next, so
a drift in clock speed does not always favour one side); the figure is the median of the
per-repetition ratios, and the spread is their minimum and maximum.

Output: a human table on stdout, and with ``--json PATH`` a machine-readable record that
``run.py`` merges and ``docs/performance.md`` quotes.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = (
    "pytest-cors",
    "pytest",
    "starlette",
    "httpx",
    "httpx2",
    "flask",
    "flask-cors",
    "werkzeug",
    "django",
    "django-cors-headers",
    "requests",
    "urllib3",
    "uvicorn",
    "pyyaml",
)


def cpu_model() -> str:
    """The CPU's marketing name (``platform.processor()`` is often empty on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "pytest_cors"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + (" (pytest_cors/ modified)" if dirty else "")


def machine(extra_packages: Sequence[str] = ()) -> dict[str, Any]:
    """What the figures were measured on: printed beside them, stored in the JSON."""
    versions: dict[str, str] = {}
    for name in (*PACKAGES, *extra_packages):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 0,
        "usable_cores": usable,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "revision": git_revision(),
        "packages": versions,
    }


def describe_machine(info: dict[str, Any]) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v != "not installed")
    return (
        f"machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), "
        f"{info['python']}, {info['platform']}\n"
        f"revision: {info['revision']}\npackages: {packages}"
    )


@dataclass
class Figure:
    """One result: the kit's time over the baseline's, per repetition, and what it is for."""

    name: str
    what: str
    baseline: str
    ratios: list[float]
    #: the baseline's own cost per operation, in the unit below (context, not the figure)
    baseline_cost: float
    kit_cost: float
    unit: str = "us/op"
    #: the ratio must not exceed this (``None``: no target, a figure for information)
    target: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: per-repetition kit minus baseline, in ``delta_unit``, where the target is absolute
    deltas: list[float] = field(default_factory=list)
    delta_unit: str = "ms"
    delta_target: float | None = None
    #: further parts of the target, each met or not (e.g. "no connection left open")
    conditions: dict[str, bool] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def delta(self) -> float | None:
        return statistics.median(self.deltas) if self.deltas else None

    @property
    def met(self) -> bool | None:
        checks = []
        if self.target is not None:
            checks.append(self.median <= self.target)
        if self.delta_target is not None and self.delta is not None:
            checks.append(self.delta <= self.delta_target)
        checks.extend(self.conditions.values())
        return all(checks) if checks else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            median=self.median,
            min=min(self.ratios),
            max=max(self.ratios),
            reps=len(self.ratios),
            met=self.met,
            delta=self.delta,
        )
        return data


@dataclass
class Report:
    """All figures of one benchmark script."""

    benchmark: str
    title: str
    command: str
    clock: str = "wall"
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self, info: dict[str, Any]) -> str:
        lines = [
            f"== {self.benchmark}: {self.title} ==",
            f"command: {self.command}   (clock: {CLOCK_TEXT[self.clock]})",
        ]
        lines.append(describe_machine(info))
        for fig in self.figures:
            spread = f"[{min(fig.ratios):.3f} .. {max(fig.ratios):.3f}]"
            targets = []
            if fig.target is not None:
                targets.append(f"ratio <= {fig.target:g}")
            if fig.delta_target is not None:
                targets.append(f"adds <= {fig.delta_target:g} {fig.delta_unit}")
            targets.extend(fig.conditions)
            if targets:
                verdict = f"target {', '.join(targets)}: {'met' if fig.met else 'MISSED'}"
            else:
                verdict = "(no target)"
            lines.append(
                f"  {fig.name:<36} ratio {fig.median:8.3f} {spread:<20} over {len(fig.ratios)} "
                f"reps  {verdict}"
            )
            lines.append(
                f"  {'':<36} {fig.what}; baseline = {fig.baseline} "
                f"({fig.baseline_cost:.4g} {fig.unit}; kit {fig.kit_cost:.4g} {fig.unit})"
            )
            if fig.deltas:
                lines.append(
                    f"  {'':<36} adds {fig.delta:.2f} {fig.delta_unit} "
                    f"[{min(fig.deltas):.2f} .. {max(fig.deltas):.2f}]"
                )
            for key, value in fig.extra.items():
                shown = f"{value:.1f}" if isinstance(value, float) else str(value)
                lines.append(f"  {'':<36} {key}: {shown}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def as_dict(self, info: dict[str, Any]) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "title": self.title,
            "command": self.command,
            "clock": self.clock,
            "machine": info,
            "figures": [fig.as_dict() for fig in self.figures],
            "notes": self.notes,
        }


CLOCK_TEXT = {
    "cpu": "CPU time, of this process or of the child timed",
    "wall": "elapsed wall time",
}

CLOCKS: dict[str, Callable[[], float]] = {
    "cpu": time.process_time,  # this process's CPU time, all threads: blind to other processes
    "wall": time.perf_counter,
}


def parser(description: str, clock: str = "cpu") -> argparse.ArgumentParser:
    """The options every script takes; ``clock`` is the script's default clock."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default=clock,
        help=f"cpu: this process's CPU time (default here: {clock}); wall: elapsed time",
    )
    p.add_argument("--quick", action="store_true", help="1 repetition, tiny sizes (smoke test)")
    p.add_argument("--reps", type=int, default=None, help="repetitions (default per benchmark)")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.add_argument(
        "--proposals",
        action="store_true",
        help="apply the prototyped speed-ups of _proposals.py first (this process only)",
    )
    return p


def start(
    doc: str, benchmark: str, title: str, script: str, reps: int, argv: list[str] | None
) -> tuple[argparse.Namespace, int, Report]:
    """Parse a script's options: (options, repetitions to run, its empty report)."""
    args = parser(doc.splitlines()[0]).parse_args(argv)
    report = Report(benchmark, title, command(script, args), args.clock)
    if args.proposals:
        import _proposals

        applied = _proposals.apply()
        report.notes.append(
            f"with the prototyped proposals {', '.join(applied)} applied (monkeypatched, "
            "this process only; see docs/performance.md)"
        )
    return args, reps_for(args, reps), report


def compile_package(folder: Path | None = None) -> None:
    """Write fresh bytecode for the kit's modules, as ``pip install`` does for a wheel.

    A source checkout whose ``__pycache__`` is stale (or an environment with
    ``PYTHONDONTWRITEBYTECODE=1``, which keeps it stale) recompiles every module in every new
    interpreter: tens of milliseconds no installed copy pays, while the tools compared with
    it were installed by pip, compiled. ``py_compile`` writes whatever that variable says.
    """
    import compileall

    import pytest_cors

    compileall.compile_dir(
        str(folder or Path(pytest_cors.__file__).parent), quiet=1, workers=1, force=False
    )


def reps_for(args: argparse.Namespace, default: int) -> int:
    if args.reps is not None:
        return max(1, args.reps)
    return 1 if args.quick else default


BLOCK = 10  # calls per side before switching: fine enough to cancel a neighbour's load


def paired(
    baseline: Callable[[], object],
    kit: Callable[[], object],
    count: int,
    reps: int,
    clock: str = "wall",
) -> tuple[list[float], float, float]:
    """Per-repetition ratios kit/baseline, and the median seconds per call of each side.

    Within a repetition the two sides take turns in blocks of ``BLOCK`` calls (the side that
    starts alternating), so load from other processes on the machine falls on both alike.
    """
    baseline()  # warm-up: first-call imports and caches are not what we measure
    kit()
    ratios: list[float] = []
    base_times: list[float] = []
    kit_times: list[float] = []
    now = CLOCKS[clock]
    for rep in range(reps):
        gc.collect()
        spent = [0.0, 0.0]
        sides = (baseline, kit) if rep % 2 == 0 else (kit, baseline)
        done = 0
        while done < count:
            block = min(BLOCK, count - done)
            for fn in sides:
                start = now()
                for _ in range(block):
                    fn()
                spent[fn is kit] += now() - start
            done += block
        b, k = spent[0] / count, spent[1] / count
        base_times.append(b)
        kit_times.append(k)
        ratios.append(k / b)
    return ratios, statistics.median(base_times), statistics.median(kit_times)


@dataclass
class Child:
    """A finished child process: its CPU time (all its threads), elapsed time and output."""

    cpu: float
    wall: float
    stdout: str
    stderr: str

    def seconds(self, clock: str) -> float:
        return self.cpu if clock == "cpu" else self.wall


#: pytest with pytest-cors as its only third-party plugin: what the kit costs, not what else
#: happens to be installed (hypothesis' plugin alone imports for a second or more)
ONLY_OUR_PLUGIN = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
PYTEST_ALONE = [
    "-m",
    "pytest",
    "-p",
    "pytest_cors.pytest_plugin.plugin",
    "-p",
    "no:cacheprovider",
    "-q",
]


def run_child(
    cmd: Sequence[str],
    cwd: str | Path,
    ok: Sequence[int] = (0,),
    env: dict[str, str] | None = None,
) -> Child:
    """Run ``cmd`` and time it both ways; a failure stops the benchmark with the output.

    CPU time comes from ``os.wait4`` (where the platform lacks it, elapsed time stands in).
    ``PYTEST_ADDOPTS`` and ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` are removed from its environment,
    so every pytest run loads the same plugins; ``env`` is added after that.
    """
    child_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_ADDOPTS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    }
    child_env.update(env or {})
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=child_env, stdout=out, stderr=err)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - start
            cpu = usage.ru_utime + usage.ru_stime
        else:  # pragma: no cover - not on Linux
            proc.wait()
            wall = cpu = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{stdout[-3000:]}{stderr}")
    return Child(cpu, wall, stdout, stderr)


def finish(report: Report, args: argparse.Namespace, extra_packages: Sequence[str] = ()) -> None:
    """Print the report; write the JSON when asked."""
    info = machine(extra_packages)
    print(report.render(info), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report.as_dict(info), indent=2) + "\n")


def well_formed(data: dict[str, Any]) -> list[str]:
    """Problems with one benchmark's JSON record (empty when it is well formed)."""
    problems = []
    for key in ("benchmark", "title", "command", "machine", "figures"):
        if key not in data:
            problems.append(f"missing {key}")
    for key in ("cpu", "cores", "python", "packages"):
        if key not in data.get("machine", {}):
            problems.append(f"machine: missing {key}")
    if not data.get("figures"):
        problems.append("no figures")
    for fig in data.get("figures", []):
        ratios = fig.get("ratios") or []
        if not ratios or not all(
            isinstance(r, float) and math.isfinite(r) and r > 0 for r in ratios
        ):
            problems.append(f"{fig.get('name')}: ratios not positive finite numbers: {ratios}")
            continue
        if not fig["min"] <= fig["median"] <= fig["max"]:
            problems.append(f"{fig['name']}: min <= median <= max does not hold")
        if fig["reps"] != len(ratios):
            problems.append(f"{fig['name']}: reps {fig['reps']} != {len(ratios)} ratios")
        for key in ("baseline_cost", "kit_cost"):
            value = fig.get(key)
            if not (isinstance(value, float) and math.isfinite(value) and value >= 0):
                problems.append(f"{fig['name']}: {key} is not a finite number: {value}")
    return problems


def command(script: str, args: argparse.Namespace, default_clock: str = "cpu") -> str:
    """The command line that reproduces these figures."""
    text = f"python benchmarks/{script}"
    if args.quick:
        text += " --quick"
    if args.reps is not None:
        text += f" --reps {args.reps}"
    if getattr(args, "clock", default_clock) != default_clock:
        text += f" --clock {args.clock}"
    if getattr(args, "proposals", False):
        text += " --proposals"
    return text


if __name__ == "__main__":  # pragma: no cover - a library module
    sys.exit("run benchmarks/run.py")
