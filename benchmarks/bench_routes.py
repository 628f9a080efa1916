"""What the checks nobody wrote down cost: a 50-route app, its faults and its coverage item.

The app: Starlette, 50 routes (``/r0`` .. ``/r49``, GET and POST), wrapped whole in
``CORSMiddleware(app)`` so that its error answers carry CORS (the contract passes). The
contract: 5 policies of 10 paths each, 3 allowed origins, ``coverage: {routes: all}``. It is
run twice by pytest in a fresh interpreter, the command a user runs (``pytest cors.yaml``):
once with ``faults: []`` (what a contract checked before faults existed) and once with the
default faults (``not_found``, ``method_not_allowed``, ``exception`` in-process). Every
request the app receives is counted by an outer ASGI layer and written to a file at exit.

    python benchmarks/bench_routes.py [--reps 3] [--quick] [--json PATH]

The figure is the ratio of the two runs' wall times (same machine, same run) and the number
of requests each sends; the issue's bound is one request per fault per policy and allowed
origin, not per path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import _harness as h

ROUTES = 50
POLICIES = 5
ORIGINS = ["https://app.example.com", "https://admin.example.com", "https://m.example.com"]

APP_MODULE = """\
import atexit

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

COUNT = [0]


async def endpoint(request):
    return JSONResponse({{"ok": True}})


ROUTES = [Route(f"/r{{i}}", endpoint, methods=["GET", "POST"]) for i in range({routes})]
inner = Starlette(routes=ROUTES)
cors = CORSMiddleware(inner, allow_origins={origins!r}, allow_methods=["GET", "POST"])


class Counted:
    # counts every HTTP request, then hands it to the app it wraps (kept in .app)

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            COUNT[0] += 1
        await self.app(scope, receive, send)


app = Counted(cors)
atexit.register(lambda: open({count_file!r}, "w").write(str(COUNT[0])))
"""


def contract(faults: bool) -> str:
    per = ROUTES // POLICIES
    policies = "\n".join(
        f"  - name: group{g}\n"
        f"    paths: [{', '.join(f'/r{i}' for i in range(g * per, (g + 1) * per))}]"
        for g in range(POLICIES)
    )
    return f"""\
version: 1
target:
  app: bench_routes_app:app
coverage:
  routes: all
defaults:
  methods: [GET, POST]
  origins:
    allow: [{", ".join(ORIGINS)}]
{"" if faults else "  faults: []"}
policies:
{policies}
"""


def run_once(folder: Path, faults: bool) -> tuple[float, int, str]:
    """(wall seconds, requests the app received, pytest's summary line)."""
    count_file = folder / "count.txt"
    (folder / "bench_routes_app.py").write_text(
        APP_MODULE.format(routes=ROUTES, origins=ORIGINS, count_file=str(count_file))
    )
    (folder / "cors.yaml").write_text(contract(faults))
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH", "")]))
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=path)
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "pytest_cors.pytest_plugin.plugin",
            "-p",
            "no:cacheprovider",
            "cors.yaml",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    out = done.stdout.strip()
    summary = out.splitlines()[-1] if out else done.stderr[-300:]
    if done.returncode != 0:
        raise SystemExit(
            f"the 50-route contract failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
        )
    return seconds, int(count_file.read_text()), summary


def main(argv: list[str] | None = None) -> h.Report:
    args, reps, report = h.start(
        __doc__,
        "routes",
        "a 50-route app: the default faults and the coverage item vs faults: []",
        "bench_routes.py",
        3,
        argv,
    )
    ratios: list[float] = []
    rows: dict[bool, list[tuple[float, int, str]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):  # interleaved, order alternating: load hits both sides alike
            order = (False, True) if rep % 2 == 0 else (True, False)
            got = {faults: run_once(Path(tmp), faults) for faults in order}
            for faults, row in got.items():
                rows[faults].append(row)
            ratios.append(got[True][0] / got[False][0])
    base = median(r[0] for r in rows[False])
    with_faults = median(r[0] for r in rows[True])
    extra = rows[True][0][1] - rows[False][0][1]
    report.figures.append(
        h.Figure(
            "default faults vs faults: []",
            f"pytest cors.yaml: {ROUTES} routes, {POLICIES} policies x {ROUTES // POLICIES} "
            f"paths, {len(ORIGINS)} origins, default faults, coverage: routes all",
            "the same contract with faults: []",
            ratios,
            base,
            with_faults,
            unit="s/run",
            extra={
                "requests with faults: []": rows[False][0][1],
                "requests with default faults": rows[True][0][1],
                "requests the faults add per policy and allowed origin": round(
                    extra / (POLICIES * len(ORIGINS)), 2
                ),
                "pytest (default faults)": rows[True][0][2],
            },
        )
    )
    h.finish(report, args)
    return report


if __name__ == "__main__":
    main()
