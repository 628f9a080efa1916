"""The benchmark scripts keep working: each runs in ``--quick`` mode and yields well-formed figures.

No figure is compared with its target here (that would be a timed test); only the shape of the
output is checked: ratios that are positive finite numbers, one repetition, the machine
described, and the summary of ``run.py``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCH.glob("bench_*.py") if p.name != "bench_apps.py")


@pytest.fixture
def harness(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import _harness

    return _harness


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=BENCH.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_every_benchmark_is_listed_by_run_py(harness, monkeypatch):
    import run as runner

    assert sorted(runner.available().values()) == sorted(BENCH / s for s in SCRIPTS)
    assert {"engine", "overhead", "startup"} <= set(runner.available())


@pytest.mark.parametrize("script", SCRIPTS)
def test_quick_run_gives_well_formed_figures(script, tmp_path, harness):
    out = tmp_path / "figures.json"
    proc = run([str(BENCH / script), "--quick", "--json", str(out)], tmp_path)
    data = json.loads(out.read_text())
    assert harness.well_formed(data) == []
    assert all(fig["reps"] == 1 for fig in data["figures"])
    assert data["command"] == f"python benchmarks/{script} --quick"
    # the machine and every figure are printed, not only stored
    assert f"machine: {data['machine']['cpu']}" in proc.stdout
    assert data["machine"]["packages"]["pytest-cors"] != "not installed"
    for fig in data["figures"]:
        assert fig["name"] in proc.stdout
        assert fig["met"] in (True, False, None)
    if script == "bench_live.py":
        # not a timing: the plugin must close every pooled connection before pytest exits
        assert data["figures"][0]["conditions"] == {"no connection left open": True}


def test_run_py_runs_the_chosen_benchmark_and_summarises(tmp_path, harness):
    out = tmp_path / "all.json"
    proc = run([str(BENCH / "run.py"), "--only", "engine", "--quick", "--json", str(out)], tmp_path)
    results = json.loads(out.read_text())
    assert [r["benchmark"] for r in results] == ["engine"]
    assert harness.well_formed(results[0]) == []
    summary = proc.stdout.split("== summary", 1)[1]
    assert "engine vs flask requests" in summary
    assert "overhead" not in summary


def test_well_formed_rejects_broken_figures(harness):
    fig = harness.Figure("f", "what", "base", [1.0, 2.0], 1.0, 2.0, target=1.5)
    report = harness.Report("b", "title", "cmd", figures=[fig])
    good = report.as_dict(harness.machine())
    assert harness.well_formed(good) == []
    assert good["figures"][0]["median"] == 1.5
    assert good["figures"][0]["met"] is True
    bad = json.loads(json.dumps(good))
    bad["figures"][0]["ratios"] = [math.nan]
    assert harness.well_formed(bad)
    bad = json.loads(json.dumps(good))
    bad["figures"][0]["median"] = 9.0
    assert harness.well_formed(bad) == ["f: min <= median <= max does not hold"]
    bad = json.loads(json.dumps(good))
    del bad["machine"]["cpu"]
    assert harness.well_formed(bad) == ["machine: missing cpu"]


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 | _io
import time:       300 |        300 |     _pytest.foo
import time:       200 |        500 |   pytest
import time:        50 |         50 |     yaml
import time:        70 |        120 |   pytest_cors
import time:      1000 |       1620 | pytest_cors.plugin
"""


def test_importtime_parser_takes_the_plugin_less_pytest(harness):
    import bench_startup

    own, pytest_us, modules = bench_startup.parse_importtime(IMPORTTIME)
    assert pytest_us == 500
    assert own == 1120  # 1620 cumulative, less pytest's 500
    # pytest's own subtree and interpreter start-up are not the plugin's
    assert modules == ["pytest_cors", "pytest_cors.plugin", "yaml"]


def test_proposals_flag_applies_the_prototypes_and_says_so(tmp_path, harness):
    out = tmp_path / "figures.json"
    run([str(BENCH / "bench_engine.py"), "--quick", "--proposals", "--json", str(out)], tmp_path)
    data = json.loads(out.read_text())
    assert harness.well_formed(data) == []
    assert data["command"] == "python benchmarks/bench_engine.py --quick --proposals"
    assert any("P1, P2" in note for note in data["notes"])


def test_scan_benchmark_tallies_a_scanner_on_served_corpus_apps(tmp_path, harness):
    """bench_scan's bookkeeping, without the third-party scanners: a one-request scanner that
    only sees reflection is served three corpus apps; the server counts its requests."""
    import http.client

    import bench_scan
    import scan_corpus

    def reflection_only(address, _tmp):
        conn = http.client.HTTPConnection(address)
        conn.request("GET", scan_corpus.API_URL, headers={"Origin": "https://x.example.net"})
        granted = conn.getresponse().getheader("Access-Control-Allow-Origin")
        conn.close()
        return {"CORS-REFLECT"} if granted == "https://x.example.net" else set()

    cases = [scan_corpus.case(n) for n in ("reflect-any", "prefix", "ok-public")]
    row = bench_scan.Row("mini")
    seconds = bench_scan.measure(row, cases, reflection_only, tmp_path)
    assert len(seconds) == 3 and all(s > 0 for s in seconds)
    assert (row.right, row.misses, row.false_alarms) == (["reflect-any"], ["prefix"], [])
    assert (row.requests, row.clean_requests) == (3, 1)
    table = bench_scan.table([row, bench_scan.Row("Corsy", bench_scan.CORSY_ERROR)], cases)
    assert table[2] == f"| mini | 1 | 1 | 0 | 3 (1) | {row.seconds:.1f} | {row.cpu:.1f} |"
    assert "No matching distribution found for corsy" in table[3]
