"""Benchmark 3: a whole contract against a live server on loopback that takes 20 ms per response.

The server is the Starlette app of ``bench_apps`` under uvicorn, in its own process, behind a
middleware that sleeps 20 ms before every response and counts the requests it answers. The
contract is the one of benchmark 2 (``--paths`` paths x 10 origins x 4 methods, denied and
adversarial checks), pointed at the server with ``--cors-base-url``.

Figures (each side a fresh ``pytest`` process with pytest-cors as its only third-party plugin,
wall time, runs in alternating order):
  * ``default concurrency vs sequential``: ``pytest cors.yaml`` as it comes against the same
    with ``--cors-concurrency 1``. Target: at least 8x faster (a ratio of at most 0.125).
  * ``vs CORScanner``: seconds per request of the kit (default concurrency) over CORScanner's
    (``corscanner -i urls -t 50``, gevent, its default 50 workers) on the same server, each
    counted by the server. Below 1 means more requests per second than CORScanner. CORScanner
    sends GETs only, with its own origin list, so the work differs: requests per second, not
    verdicts, are compared.
After each kit run, a ``conftest.py`` hook that runs after the plugin has closed its pool
counts the run's own TCP connections to the server still open (``/proc/net/tcp``: ESTABLISHED
or CLOSE_WAIT with the server's port as remote port); the figure records the largest count.

``--concurrency N`` runs the kit's side with ``--cors-concurrency N`` instead of the default (to
compare concurrencies; the figures say which was used).

CORScanner is found with ``--corscanner PATH``, else ``$CORSCANNER``, else on ``PATH``. It pins old
dependencies and monkey-patches the interpreter with gevent, so install it in a venv of its
own: ``python -m venv /tmp/corscanner && /tmp/corscanner/bin/pip install corscanner``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median
from typing import Any

import _harness as h
import bench_apps as apps
import bench_contract

LATENCY = float(os.environ.get("BENCH_LATENCY", "0.020"))  # seconds per response
TARGET = 1 / 8  # issue 6: default concurrency at least 8x faster than one after another
STATS = "/__bench_stats"

OPEN_STATES = {"01": "ESTABLISHED", "08": "CLOSE_WAIT"}

CONFTEST = '''\
"""Written by bench_live.py: after the session, count our connections to the server still open."""
import os

PORT = {port}
OUT = {out!r}


def open_connections(port):
    """This machine's TCP connections whose remote port is ``port``, ESTABLISHED or CLOSE_WAIT."""
    found = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote, state = fields[2], fields[3]
            if int(remote.rsplit(":", 1)[1], 16) == port and state in ("01", "08"):
                found += 1
    return found


def pytest_unconfigure(config):
    with open(OUT, "a") as out:
        out.write(f"{{open_connections(PORT)}}\\n")
'''


# -- the server (``bench_live.py --serve PATHS``: prints its port, serves until killed) -------


def serve(paths: int, methods: list[str]) -> None:
    import uvicorn

    inner = apps.starlette_app(paths, apps.ORIGINS, methods)
    answered = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal answered
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        if scope["path"] == STATS:
            body = json.dumps({"answered": answered}).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            return await send({"type": "http.response.body", "body": body})
        answered += 1
        await asyncio.sleep(LATENCY)
        return await inner(scope, receive, send)

    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP; with
    # proto 0 the response head and body leave as two segments and Nagle's algorithm meets the
    # client's delayed ACK, 40 ms per keep-alive request. NODELAY on the listener is inherited.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="error",
        access_log=False,
        backlog=2048,
        timeout_keep_alive=30,
    )
    uvicorn.Server(config).run(sockets=[sock])


class Server:
    """The server process, started and stopped around the benchmark."""

    def __init__(self, paths: int, methods: list[str]) -> None:
        cmd = [sys.executable, __file__, "--serve", str(paths), "--methods", ",".join(methods)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise SystemExit(f"the benchmark server did not start: {line!r}")
        self.port = int(line)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.answered()  # waits until it answers

    def answered(self) -> int:
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.base_url + STATS, timeout=5) as resp:
                    count: int = json.loads(resp.read())["answered"]
                    return count
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the benchmark server does not answer")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


# -- the benchmark -------------------------------------------------------------------------------


def corscanner_command(option: str | None) -> str | None:
    """``--corscanner``, else ``$CORSCANNER``, else ``corscanner`` on ``PATH``."""
    option = option or os.environ.get("CORSCANNER")
    if option:
        return option if Path(option).exists() else None
    return shutil.which("corscanner")


def main(argv: list[str] | None = None) -> h.Report:
    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--serve", type=int)
    extra.add_argument("--methods", default=",".join(apps.METHODS))
    extra.add_argument("--paths", type=int, default=50, help="contract paths (default 50)")
    extra.add_argument("--corscanner", help="path of the corscanner command")
    extra.add_argument(
        "--concurrency",
        type=int,
        help="run the kit's side with --cors-concurrency N (default: the plugin's default)",
    )
    known, rest = extra.parse_known_args(argv)
    methods = known.methods.split(",")
    if known.serve:
        serve(known.serve, methods)
        raise SystemExit(0)
    args, reps, report = h.start(
        __doc__, "live", "a whole contract against a loopback server adding 20 ms", "bench_live.py",
        3, rest,
    )  # fmt: skip
    report.clock = "wall"
    report.command += f" --paths {known.paths}" if known.paths != 50 and not args.quick else ""
    report.command += f" --concurrency {known.concurrency}" if known.concurrency else ""
    size = bench_contract.QUICK if args.quick else (known.paths, 10, apps.METHODS)
    scanner = corscanner_command(known.corscanner)
    server = Server(size[0], size[2])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            measure(report, Path(tmp), server, size, reps, scanner, known.concurrency)
    finally:
        server.stop()
    if scanner is None:
        report.notes.append(
            "CORScanner not found (pass --corscanner PATH, set CORSCANNER or put it on PATH): "
            "its comparison was not run"
        )
    h.finish(report, args)
    return report


def measure(
    report: h.Report,
    folder: Path,
    server: Server,
    size: tuple[int, int, list[str]],
    reps: int,
    scanner: str | None,
    concurrency: int | None = None,
) -> None:
    paths, origins, methods = size
    folder.joinpath("cors.yaml").write_text(
        bench_contract.contract_yaml(paths, origins, methods).replace(
            "target:\n  app: bench_target:app\n", ""
        )
    )
    leftovers = folder / "open-connections.txt"
    folder.joinpath("conftest.py").write_text(CONFTEST.format(port=server.port, out=str(leftovers)))
    kit = [sys.executable, *h.PYTEST_ALONE, "--cors-base-url", server.base_url, "cors.yaml"]
    sides: dict[str, list[str]] = {"kit": kit, "sequential": [*kit, "--cors-concurrency", "1"]}
    if concurrency is not None:
        sides["kit"] = [*kit, "--cors-concurrency", str(concurrency)]
    in_flight = f"--cors-concurrency {concurrency}" if concurrency else "default concurrency"
    urls = folder / "urls.txt"
    urls.write_text("".join(f"{server.base_url}{p}\n" for p in apps.paths(paths)))
    if scanner is not None:
        sides["corscanner"] = [scanner, "-i", str(urls), "-t", "50"]
    times: dict[str, list[float]] = {name: [] for name in sides}
    sent: dict[str, list[int]] = {name: [] for name in sides}
    checks = 0
    for rep in range(reps):
        order = list(sides) if rep % 2 == 0 else list(reversed(sides))
        for name in order:
            before = server.answered()
            env = None if name == "corscanner" else h.ONLY_OUR_PLUGIN
            child = h.run_child(sides[name], folder, env=env)
            sent[name].append(server.answered() - before)
            times[name].append(child.wall)
            if name != "corscanner":
                found = re.search(r"(\d+) passed", child.stdout)
                if found is None or "failed" in child.stdout.splitlines()[-1]:
                    raise SystemExit(f"the live contract run failed:\n{child.stdout[-3000:]}")
                checks = int(found.group(1))
            elif "Finished CORS scanning" not in child.stdout:
                raise SystemExit(f"CORScanner did not finish:\n{child.stdout[-2000:]}")
    still_open = [int(line) for line in leftovers.read_text().split()]
    ratios = [k / s for k, s in zip(times["kit"], times["sequential"], strict=True)]
    kit_s = median(times["kit"])
    report.figures.append(
        h.Figure(
            f"{in_flight} vs sequential",
            f"{checks} checks ({paths} paths x {origins} origins x {len(methods)} methods, denied "
            f"and adversarial), {median(sent['kit'])} requests, 20 ms each, pytest start-up "
            "included",
            "the same with --cors-concurrency 1",
            ratios,
            median(times["sequential"]),
            kit_s,
            unit="s",
            target=TARGET,
            extra={
                "speed-up (sequential / concurrent)": 1 / median(ratios),
                f"requests per second, {in_flight}": median(sent["kit"]) / kit_s,
                "requests per second, sequential": median(sent["sequential"])
                / median(times["sequential"]),
                "connections to the server left open after a run (max over runs)": max(still_open),
            },
            conditions={"no connection left open": max(still_open) == 0},
        )
    )
    if scanner is not None:
        per_kit = [t / n for t, n in zip(times["kit"], sent["kit"], strict=True)]
        per_scan = [t / n for t, n in zip(times["corscanner"], sent["corscanner"], strict=True)]
        report.figures.append(
            h.Figure(
                "vs CORScanner (time per request)",
                f"seconds per request answered, the kit at {in_flight}",
                f"CORScanner -t 50 on the same server ({median(sent['corscanner'])} GETs for "
                f"{paths} URLs)",
                [k / s for k, s in zip(per_kit, per_scan, strict=True)],
                median(per_scan) * 1000,
                median(per_kit) * 1000,
                unit="ms/request",
                target=1.0,
                extra={
                    "requests per second, pytest-cors": median(sent["kit"]) / kit_s,
                    "requests per second, CORScanner": median(sent["corscanner"])
                    / median(times["corscanner"]),
                },
            )
        )


if __name__ == "__main__":
    main(sys.argv[1:])
