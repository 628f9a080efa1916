"""``pytest-cors scan`` against the CORS scanners on PyPI, on the corpus of ``scan_corpus.py``.

Every app of the corpus (15 misconfiguration classes, 5 correct apps) is served on loopback in
turn, and each scanner is run on it as a command, the way a user runs it: the kit's
``pytest-cors scan`` (given the front end's origin with ``--origin``, and again with the URL
alone), CORScanner and corsair_scan. Corsy is not on PyPI (``pip install corsy``: "No matching
distribution found"), so its row says so. Each scanner is given ``http://api.example.com/data``
with ``HTTP_PROXY`` naming the loopback server (the server reads the proxy-style request target
as its own), so that the scanners which derive their probes from the URL's host see a real
domain. Per scanner:

* **right class**: misconfigured apps where it reports the class the app has (its own names
  mapped to the kit's finding ids: ``prefix_match`` is ``CORS-PREFIX-MATCH``, ...);
* **detected**: misconfigured apps where it reports anything at all;
* **false alarms**: correct apps where it reports something;
* **requests**: requests the servers received from it, over the whole corpus (and on the
  correct apps alone, where no scanner stops early at a first finding);
* **per class**: requests over the classes it catches with the right finding;
* **time**: wall time of its commands over the whole corpus (start-up included), and their
  CPU time (what the scanner's process used, blind to other load on the machine); both are
  medians over the repetitions.

"At the same coverage": the kit is run again restricted with ``--only`` to the classes each
scanner catches (``CORS-REFLECT,CORS-NULL`` for CORScanner, ``CORS-REFLECT,CORS-PREFIX-MATCH,
CORS-SUFFIX-MATCH`` for corsair_scan), so its requests and time compare with theirs for the
same classes. The figures: the kit's scan time over the raw requests it sends (one plain
``GET`` each, through ``http.client``), over each scanner's time, and the restricted scan's
time over that scanner's. Versions run here (pin them to reproduce):
``corscanner==0.9.7`` and ``corsair_scan==0.2.0``, in a virtualenv of their own::

    python -m venv /tmp/scanvenv && /tmp/scanvenv/bin/pip install corscanner==0.9.7 \\
        corsair_scan==0.2.0
    SCANVENV=/tmp/scanvenv python benchmarks/bench_scan.py

Without them (``--quick`` in the smoke test) only the kit's rows and the raw-request figure run.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _harness as h
import scan_corpus as corpus

KIT = "pytest-cors scan --origin"
KIT_URL_ONLY = "pytest-cors scan (URL only)"
# the classes each scanner catches on the corpus: the kit restricted to them, for a comparison
# at the same coverage
SAME_AS_CORSCANNER = "CORS-REFLECT,CORS-NULL"
SAME_AS_CORSAIR = "CORS-REFLECT,CORS-PREFIX-MATCH,CORS-SUFFIX-MATCH"
KIT_AS_CORSCANNER = f"pytest-cors scan --origin --only {SAME_AS_CORSCANNER}"
KIT_AS_CORSAIR = f"pytest-cors scan --origin --only {SAME_AS_CORSAIR}"
CORSCANNER = "CORScanner 0.9.7"
CORSAIR = "corsair_scan 0.2.0"
CORSY = "Corsy"
CORSY_ERROR = "not on PyPI: pip install corsy: No matching distribution found for corsy"

# the scanners' names for what they found, as the kit's finding ids
CORSCANNER_CLASSES = {
    "reflect_origin": "CORS-REFLECT",
    "prefix_match": "CORS-PREFIX-MATCH",
    "suffix_match": "CORS-SUFFIX-MATCH",
    "trust_null": "CORS-NULL",
    "include_match": "CORS-SUBSTRING-MATCH",
    "not_escape_dot": "CORS-UNESCAPED-DOT",
    "custom_third_parties": "CORS-SHARED-HOSTING",
    "special_characters_bypass": "CORS-SPECIAL-CHARS",
    "trust_any_subdomain": "CORS-SUBDOMAIN",
    "https_trust_http": "CORS-HTTP-DOWNGRADE",
}
CORSAIR_CLASSES = {
    "fake_origin": "CORS-REFLECT",
    "post-domain": "CORS-PREFIX-MATCH",
    "sub-domain": "CORS-SUBDOMAIN",
    "pre-domain": "CORS-SUFFIX-MATCH",
}


@dataclass
class Row:
    """One scanner over the corpus."""

    name: str
    error: str | None = None
    right: list[str] = field(default_factory=list)
    detected: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    requests: int = 0
    clean_requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    misses: list[str] = field(default_factory=list)


# -- serving -----------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` on 127.0.0.1 (werkzeug for WSGI, uvicorn for ASGI); yields ``host:port``."""
    if corpus.is_asgi(app):
        import socket

        import uvicorn

        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        config = uvicorn.Config(app, lifespan="off", log_level="error", access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise SystemExit("uvicorn did not start")
            time.sleep(0.01)
        try:
            yield f"127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join()
            sock.close()
        return
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log(self, type: str, message: str, *args: Any) -> None:
            pass

    wsgi = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=wsgi.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{wsgi.server_port}"
    finally:
        wsgi.shutdown()
        wsgi.server_close()
        thread.join()


def counted(case: corpus.Case, counter: corpus.Counter) -> Any:
    app = case.build()
    if corpus.is_asgi(app):
        return corpus.counting_asgi(app, counter)
    return corpus.counting_wsgi(app, counter)


# -- the scanners ------------------------------------------------------------------------------


def proxied(address: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(HTTP_PROXY=f"http://{address}", http_proxy=f"http://{address}", NO_PROXY="")
    return env


_ONLY_LAUNCHER = (
    "import json, sys\n"
    "import pytest_cors.cli\n"
    "from pytest_cors.scan import scan\n"
    "r = scan(sys.argv[1], origins=[sys.argv[2]], only=[sys.argv[3]])\n"
    "sys.stdout.write(json.dumps(r.as_json()))\n"
)


@functools.cache
def cli_has_only() -> bool:
    """Whether ``pytest-cors scan`` takes ``--only`` (else the restricted rows run the same
    scan through :data:`_ONLY_LAUNCHER`, which imports the command's module all the same)."""
    cmd = [sys.executable, "-m", "pytest_cors.cli", "scan", "--help"]
    return "--only" in subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def run_kit(address: str, tmp: Path, *, with_origin: bool, only: str = "") -> set[str]:
    cmd = [sys.executable, "-m", "pytest_cors.cli", "scan", corpus.API_URL, "--json"]
    if with_origin:
        cmd += ["--origin", corpus.APP]
    if only:
        cmd += ["--only", only]
        if not cli_has_only():
            cmd = [sys.executable, "-c", _ONLY_LAUNCHER, corpus.API_URL, corpus.APP, only]
    proc = subprocess.run(cmd, env=proxied(address), capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pytest-cors scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {f["id"] for f in json.loads(proc.stdout)["findings"]}


def run_corscanner(command: str, address: str, tmp: Path) -> set[str]:
    out = tmp / "corscanner.json"
    out.unlink(missing_ok=True)
    cmd = [command, "-u", corpus.API_URL, "-t", "1", "-o", str(out)]
    subprocess.run(cmd, env=proxied(address), capture_output=True, text=True, check=False)
    found = json.loads(out.read_text()) if out.exists() else []
    return {CORSCANNER_CLASSES.get(m.get("type", ""), m.get("type", "?")) for m in found if m}


def run_corsair(command: str, address: str, tmp: Path) -> set[str]:
    data = tmp / "corsair-in.json"
    data.write_text(
        json.dumps({"url": corpus.API_URL, "verb": "GET", "headers": {"Origin": corpus.APP}})
    )
    out = tmp / "corsair.json"
    out.unlink(missing_ok=True)
    cmd = [command, str(data), "-r", str(out)]
    subprocess.run(cmd, env=proxied(address), capture_output=True, text=True, check=False)
    if not out.exists():
        return set()
    report = json.loads(out.read_text())
    found = set()
    for entry in report.get("summary", {}).get("misconfigured", []):
        found |= {CORSAIR_CLASSES.get(t, t) for t in entry.get("misconfigured_test", [])}
    return found


def find_tool(name: str) -> str | None:
    venv = os.environ.get("SCANVENV", "/tmp/scanvenv")
    candidate = Path(venv, "bin", name)
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


def raw_requests(address: str, count: int) -> None:
    """The floor: ``count`` plain GETs with an Origin, one connection, nothing judged."""
    conn = http.client.HTTPConnection(address)
    try:
        for index in range(count):
            conn.request("GET", "/data", headers={"Origin": f"https://o{index}.example.net"})
            conn.getresponse().read()
    finally:
        conn.close()


def measure(
    row: Row, cases: list[corpus.Case], run: Callable[[str, Path], set[str]], tmp: Path
) -> list[float]:
    """Run one scanner over ``cases``; returns its seconds per case."""
    seconds = []
    for case in cases:
        counter = corpus.Counter()
        with serve(counted(case, counter)) as address:
            before = _children_cpu()
            started = time.perf_counter()
            found = run(address, tmp)
            took = time.perf_counter() - started
            row.cpu += _children_cpu() - before
        seconds.append(took)
        row.seconds += took
        row.requests += counter.count
        if case.correct:
            row.clean_requests += counter.count
            if found:
                row.false_alarms.append(f"{case.name} ({', '.join(sorted(found))})")
        elif case.finding in found:
            row.right.append(case.name)
            row.detected.append(case.name)
        elif found:
            row.detected.append(case.name)
            row.misses.append(f"{case.name} (said {', '.join(sorted(found))})")
        else:
            row.misses.append(case.name)
    return seconds


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the scanners' commands), which the load
    of other processes on the machine does not inflate as it does wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def caught(row: Row) -> set[str]:
    """The finding classes ``row`` caught with the right finding on some app."""
    return {corpus.case(name).finding or "" for name in row.right}


def table(rows: list[Row], cases: list[corpus.Case]) -> list[str]:
    bad = sum(not c.correct for c in cases)
    good = sum(c.correct for c in cases)
    out = [
        f"| scanner | right class (of {bad}) | detected (of {bad}) | false alarms (of {good}) "
        "| requests (on correct apps) | wall time (s) | CPU time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.error:
            out.append(f"| {row.name} | - | - | - | - | - | {row.error} |")
            continue
        out.append(
            f"| {row.name} | {len(row.right)} | {len(row.detected)} | {len(row.false_alarms)} "
            f"| {row.requests} ({row.clean_requests}) | {row.seconds:.1f} | {row.cpu:.1f} |"
        )
    return out


def main(argv: list[str] | None = None) -> None:
    args, reps, report = h.start(
        __doc__, "scan", "contract-free scan vs CORS scanners", "bench_scan.py", 1, argv
    )
    report.clock = "wall"  # every figure here is elapsed time: waiting on servers is the cost
    h.compile_package()  # the scanners were installed by pip, compiled: so is the kit
    cases = list(corpus.CASES)
    if args.quick:  # two classes and one correct app: the script works, nothing more
        cases = [corpus.case("prefix"), corpus.case("null"), corpus.case("ok-starlette-list")]
    tools: list[tuple[str, Callable[[str, Path], set[str]] | None, str | None]] = [
        (KIT, lambda a, t: run_kit(a, t, with_origin=True), None),
        (KIT_URL_ONLY, lambda a, t: run_kit(a, t, with_origin=False), None),
    ]
    if not args.quick:
        tools += [
            (
                KIT_AS_CORSCANNER,
                lambda a, t: run_kit(a, t, with_origin=True, only=SAME_AS_CORSCANNER),
                None,
            ),
            (
                KIT_AS_CORSAIR,
                lambda a, t: run_kit(a, t, with_origin=True, only=SAME_AS_CORSAIR),
                None,
            ),
        ]
        for label, command, runner in (
            (CORSCANNER, find_tool("corscanner"), run_corscanner),
            (CORSAIR, find_tool("corsair"), run_corsair),
        ):
            if command is None:
                tools.append((label, None, "not installed (see the docstring)"))
            else:
                tools.append((label, lambda a, t, c=command, r=runner: r(c, a, t), None))
        tools.append((CORSY, None, CORSY_ERROR))
    rows: dict[str, Row] = {}
    per_case: dict[str, list[list[float]]] = {}
    cpu: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        for _name, run, _error in tools:  # one untimed warm-up each (caches, .pyc, tldextract)
            if run is not None:
                with serve(corpus.case("ok-public").build()) as address:
                    run(address, tmp)
        for _ in range(reps):
            for name, run, error in tools:
                row = rows[name] = Row(name, error)
                if run is not None:
                    per_case.setdefault(name, []).append(measure(row, cases, run, tmp))
                    cpu.setdefault(name, []).append(row.cpu)
        raw_seconds = []
        kit_requests = rows[KIT].requests
        for _ in range(reps):
            with serve(corpus.case("ok-public").build()) as address:
                started = time.perf_counter()
                raw_requests(address, kit_requests)
                raw_seconds.append(time.perf_counter() - started)
    kit_times = [sum(times) for times in per_case[KIT]]
    report.figures.append(
        h.Figure(
            name="scan vs raw requests",
            what=f"pytest-cors scan (a command per app) over {len(cases)} corpus apps",
            baseline=f"the same {kit_requests} GETs sent raw over one connection",
            ratios=[k / max(r, 1e-9) for k, r in zip(kit_times, raw_seconds, strict=True)],
            baseline_cost=statistics.median(raw_seconds) * 1e3,
            kit_cost=statistics.median(kit_times) * 1e3,
            unit="ms per corpus",
        )
    )
    for name, same in ((CORSCANNER, KIT_AS_CORSCANNER), (CORSAIR, KIT_AS_CORSAIR)):
        if name not in per_case:
            continue
        theirs = [sum(times) for times in per_case[name]]
        row = rows[name]
        mine = [sum(times) for times in per_case[same]]
        report.figures.append(
            h.Figure(
                name=f"scan at {name.split()[0]}'s coverage",
                what=f"the kit's scan restricted to the classes {name} catches "
                f"(--only {SAME_AS_CORSCANNER if name == CORSCANNER else SAME_AS_CORSAIR})",
                baseline=f"{name} on the same apps ({row.requests} requests)",
                ratios=[k / max(t, 1e-9) for k, t in zip(mine, theirs, strict=True)],
                baseline_cost=statistics.median(theirs) * 1e3,
                kit_cost=statistics.median(mine) * 1e3,
                unit="ms per corpus",
                extra={
                    "classes (kit / them)": f"{len(caught(rows[same]))} / {len(caught(row))}",
                    "requests (kit / them)": f"{rows[same].requests} / {row.requests}",
                },
            )
        )
        report.figures.append(
            h.Figure(
                name=f"scan vs {name.split()[0]}",
                what="wall time of the kit's scan over the whole corpus",
                baseline=f"{name} on the same apps ({row.requests} requests)",
                ratios=[k / max(t, 1e-9) for k, t in zip(kit_times, theirs, strict=True)],
                baseline_cost=statistics.median(theirs) * 1e3,
                kit_cost=statistics.median(kit_times) * 1e3,
                unit="ms per corpus",
                extra={
                    "CPU time, kit / them (s)": f"{statistics.median(cpu[KIT]):.2f} / "
                    f"{statistics.median(cpu[name]):.2f}",
                    "classes (kit / them)": f"{len(rows[KIT].right)} / {len(row.right)}",
                    "requests (kit / them)": f"{rows[KIT].requests} / {row.requests}",
                },
            )
        )
    for name, totals in per_case.items():  # the table shows medians over the repetitions
        rows[name].seconds = statistics.median(sum(times) for times in totals)
        rows[name].cpu = statistics.median(cpu[name])
    lines = table(list(rows.values()), cases)
    for row in rows.values():
        if row.error is None and (classes := caught(row)):
            lines.append(
                f"{row.name}: {row.requests / len(classes):.1f} requests per class caught "
                f"({len(classes)} classes: {', '.join(sorted(classes))})"
            )
    for row in rows.values():
        if row.misses:
            lines.append(f"{row.name} missed: {'; '.join(row.misses)}")
        if row.false_alarms:
            lines.append(f"{row.name} false alarms: {'; '.join(row.false_alarms)}")
    report.notes += lines
    h.finish(report, args, extra_packages=("flask-cors", "django-cors-headers", "starlette"))


if __name__ == "__main__":
    main()
