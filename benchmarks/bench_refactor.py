"""Benchmark: the house refactor (issue 15), before against after, on the paths users run.

The package of two git revisions (``--before``, default ``d9d5cc8``: the tree before the
engine, loader, parser and cache work of issue 15; ``--after``, default the working tree) is
unpacked side by side and each workload runs in a fresh interpreter per revision, with
``PYTHONPATH`` pointing at that revision's package. Only public names that both revisions
have are used (``simulate_fetch``, ``load_contract``), so the same script times both:

* ``wsgi``: ``simulate_fetch`` against a bare WSGI callable (the engine, the flow and the WSGI
  adapter; the app costs next to nothing): a simple GET, a preflighted PUT, a refused origin;
* ``starlette``: the same calls through Starlette's ``TestClient`` and its ``CORSMiddleware``;
* ``live``: the same calls to a loopback HTTP server (the HTTP/1.1 client and its parser);
* ``loader``: ``load_contract`` of a 30-policy contract (the YAML reading and validation).

Each repetition runs the two revisions back to back (which one starts alternates); a child
times its own loop with the CPU time of its process, after a warm-up. The figure is the
median of the per-repetition ratios after/before, with their spread. Features that landed
between the two revisions (cookies, modes, CSP, LNA) are off in these calls or cost nothing
on them; what remains is the refactor's own cost or saving.

    python benchmarks/bench_refactor.py --reps 5
    python benchmarks/bench_refactor.py --before d9d5cc8 --after f9d24d3 --reps 5
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import _harness as h

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("wsgi", "starlette", "live", "loader")

CHILD = r"""
import json, sys, threading, time
from pathlib import Path
import pytest_cors
assert pytest_cors.__file__.startswith(sys.argv[1]), pytest_cors.__file__
workload, count = sys.argv[2], int(sys.argv[3])
from pytest_cors import simulate_fetch
APP = "https://app.example.com"
CALLS = [
    dict(origin=APP),
    dict(origin=APP, method="PUT", headers={"X-Token": "1"}),
    dict(origin="https://evil.example.net"),
]
GRANT = [
    ("Access-Control-Allow-Origin", APP),
    ("Access-Control-Allow-Methods", "GET, PUT"),
    ("Access-Control-Allow-Headers", "X-Token"),
    ("Vary", "Origin"),
]

def wsgi(environ, start_response):
    granted = environ.get("HTTP_ORIGIN") == APP
    start_response("200 OK", [("Content-Type", "text/plain")] + (GRANT if granted else []))
    return [b"ok"]

def calls(target, url):
    def run():
        for call in CALLS:
            simulate_fetch(target, url, **call)
    return run

if workload == "wsgi":
    step = calls(wsgi, "http://testserver/r")
elif workload == "starlette":
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    async def view(request):
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/r", view, methods=["GET", "PUT"])],
        middleware=[Middleware(CORSMiddleware, allow_origins=[APP],
                               allow_methods=["GET", "PUT"], allow_headers=["X-Token"])],
    )
    step = calls(TestClient(app), "/r")
elif workload == "live":
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, wsgi, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    step = calls(f"http://127.0.0.1:{server.server_port}", "/r")
else:
    from pytest_cors.contract import load_contract
    lines = ["version: 1", "policies:"]
    for i in range(30):
        lines += [
            f"  - name: p{i}",
            f"    paths: [/api/v{i}/items, /api/v{i}/items/1]",
            "    origins:",
            "      allow: [https://app.example.com, 'https://*.example.org']",
            "      deny: [https://evil.example.net]",
            "    methods: [GET, PUT, DELETE]",
            "    request_headers: [X-Token, Content-Type]",
            "    expose_headers: [X-Total]",
            "    credentials: true",
            "    max_age: {min: 60, max: 600}",
        ]
    path = Path(sys.argv[4]) / "cors.yaml"
    path.write_text("\n".join(lines) + "\n")
    def step():
        load_contract(path)

step()
step()
start = time.process_time()
for _ in range(count):
    step()
print(json.dumps((time.process_time() - start) / count))
"""


def unpack(rev: str, into: Path) -> Path:
    """The ``pytest_cors`` package of ``rev`` (``WORKTREE``: the files as they are) under
    ``into``; returns the folder to put on ``PYTHONPATH``."""
    into.mkdir(parents=True)
    if rev == "WORKTREE":
        os.symlink(ROOT / "pytest_cors", into / "pytest_cors")
        return into
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "pytest_cors"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def timed(tree: Path, workload: str, count: int, scratch: Path) -> float:
    """Seconds per step of ``workload`` with the package of ``tree``, in a fresh child."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), workload, str(count), str(scratch)],
        capture_output=True,
        text=True,
        env=env,
        cwd=scratch,  # not the repository: '' on sys.path would import its package first
        check=False,
    )
    if done.returncode != 0:  # e.g. a revision this clone does not have
        raise SystemExit(f"{workload} failed with the package at {tree}:\n{done.stderr}")
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


COUNTS = {"wsgi": 300, "starlette": 60, "live": 60, "loader": 20}
WHAT = {
    "wsgi": "simulate_fetch: GET, preflighted PUT, refused origin, against a bare WSGI callable",
    "starlette": "the same calls through Starlette's TestClient and CORSMiddleware",
    "live": "the same calls to a loopback HTTP server (HTTP/1.1 client and parser)",
    "loader": "load_contract of a 30-policy contract",
}


def main(argv: list[str] | None = None) -> h.Report:
    p = h.parser(__doc__.splitlines()[0])
    p.add_argument("--before", default="d9d5cc8", help="git revision before (default d9d5cc8)")
    p.add_argument("--after", default="WORKTREE", help="git revision after (default: the tree)")
    p.add_argument("--only", choices=WORKLOADS, action="append", help="one workload (repeatable)")
    args = p.parse_args(argv)
    reps = h.reps_for(args, 5)
    text = h.command("bench_refactor.py", args)
    if args.before != "d9d5cc8":
        text += f" --before {args.before}"
    if args.after != "WORKTREE":
        text += f" --after {args.after}"
    report = h.Report("refactor", f"{args.after} against {args.before}", text, "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        trees = (unpack(args.before, base / "before"), unpack(args.after, base / "after"))
        for tree in trees:  # both compiled, as installed (a child's loop is timed, not imports)
            h.compile_package(tree / "pytest_cors")
        for workload in args.only or WORKLOADS:
            count = 3 if args.quick else COUNTS[workload]
            ratios: list[float] = []
            before: list[float] = []
            after: list[float] = []
            for rep in range(reps):  # back to back, the order alternating
                order = (0, 1) if rep % 2 == 0 else (1, 0)
                took = {i: timed(trees[i], workload, count, base) for i in order}
                before.append(took[0])
                after.append(took[1])
                ratios.append(took[1] / took[0])
            report.figures.append(
                h.Figure(
                    workload,
                    WHAT[workload],
                    f"the same workload with the package of {args.before}",
                    ratios,
                    statistics.median(before) * 1e3,
                    statistics.median(after) * 1e3,
                    unit="ms/step",
                )
            )
    h.finish(report, args)
    return report


if __name__ == "__main__":
    main()
