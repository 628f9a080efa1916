"""Run the benchmarks: ``python benchmarks/run.py [--only NAME ...] [--quick] [--json PATH]``.

Each benchmark runs in its own interpreter (Django's settings, an imported plugin or a warm
cache from one must not flatter the next), prints its table with the machine beside it, and
hands its figures back as JSON; a summary of every figure against its target ends the run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: name -> script, in the order they run
BENCHMARKS = {
    "engine": "bench_engine.py",
    "overhead": "bench_overhead.py",
    "startup": "bench_startup.py",
    "contract": "bench_contract.py",
    "live": "bench_live.py",
    "html": "bench_report_html.py",
    "routes": "bench_routes.py",
    "scan": "bench_scan.py",
    "refactor": "bench_refactor.py",
}


def available() -> dict[str, Path]:
    return {name: HERE / script for name, script in BENCHMARKS.items() if (HERE / script).exists()}


def run_one(script: Path, passthrough: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "figures.json")
        cmd = [sys.executable, str(script), *passthrough, "--json", str(out)]
        proc = subprocess.run(cmd, cwd=HERE.parent, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{script.name} failed with exit code {proc.returncode}")
        data: dict[str, Any] = json.loads(out.read_text())
        return data


def summary(results: list[dict[str, Any]]) -> str:
    lines = ["== summary (ratio = kit / baseline, median of the repetitions) =="]
    for data in results:
        for fig in data["figures"]:
            verdict = {None: "", True: "met", False: "MISSED"}[fig["met"]]
            delta = f"  adds {fig['delta']:.1f} {fig['delta_unit']}" if fig["deltas"] else ""
            lines.append(
                f"  {data['benchmark']:<9} {fig['name']:<38} {fig['median']:7.3f} "
                f"[{fig['min']:.3f} .. {fig['max']:.3f}]{delta}  {verdict}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    scripts = available()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--only",
        action="append",
        choices=sorted(scripts),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(scripts)}",
    )
    p.add_argument("--quick", action="store_true", help="1 repetition, tiny sizes (smoke test)")
    p.add_argument("--reps", type=int, help="repetitions for every benchmark")
    p.add_argument("--json", metavar="PATH", help="write every benchmark's figures here")
    args = p.parse_args(argv)
    passthrough = ["--quick"] if args.quick else []
    if args.reps:
        passthrough += ["--reps", str(args.reps)]
    results = []
    for name in args.only or list(scripts):
        results.append(run_one(scripts[name], passthrough))
        print(flush=True)
    print(summary(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
