"""Determinism: the adversarial origins and the random probe are seeded and reproducible.

The seed is printed (session header, contract summary, reports) and passing it back with
``--cors-seed`` (or ``pytest-cors check --seed``) gives the same probes, in the same order,
in another process with another hash seed. Without a seed the probes are fixed (seed 1), so
check ids stay stable for ``--lf``, ``-k`` and pytest-xdist.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_cors.probes import DEFAULT_SEED, generate_probes, random_origin

ROOT = Path(__file__).resolve().parents[2]
INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
CONTRACT = """
version: 1
policies:
  - name: api
    paths: [/items]
    origins:
      allow: [https://app.example.com, "https://*.example.com"]
    methods: [GET, PUT]
  - name: admin
    paths: [/admin]
    cors: false
"""
APP = """
def app(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", "https://app.example.com")])
    return [b""]
"""


class Rule:
    """An ``origins.allow`` entry as probe derivation reads it (RuleLike)."""

    def __init__(self, text):
        from pytest_cors.origin import parse_origin

        self.kind, self.text, self.origin = "exact", text, parse_origin(text)
        self.scheme, self.suffix, self.port = "https", "", None


def probes(seed, scope="api"):
    return generate_probes(
        [Rule("https://app.example.com")], seed=seed, scope=scope, allows=lambda o: False
    )


# -- the probes module ------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_probes():
    assert probes(7) == probes(7)
    assert probes("release-42") == probes("release-42")


def test_only_the_random_origin_depends_on_the_seed():
    first, second = probes(1), probes(2)
    assert len(first) == len(second) > 20
    changed = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    assert changed
    assert {a.attack for a, _ in changed} == {"random-origin"}


def test_seeds_and_scopes_spread_the_random_origin():
    origins = {random_origin(seed, "api") for seed in range(200)}
    assert len(origins) > 190
    assert random_origin(5, "api") != random_origin(5, "admin")
    for origin in origins:
        assert re.fullmatch(r"https://[a-z]{10}\.(com|net|org|io)", origin)


def test_the_random_origin_does_not_depend_on_the_process_or_its_hash_seed():
    code = "from pytest_cors.probes import random_origin; print(random_origin(1234, 'api'))"
    seen = set()
    for hash_seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        seen.add(run.stdout.strip())
    assert seen == {random_origin(1234, "api")}


def test_the_default_seed_is_fixed():
    assert DEFAULT_SEED == 1
    assert probes(DEFAULT_SEED)[0].origin == random_origin(1, "api")


# -- through pytest: printed, passed back, reproduced ---------------------------------------------


def contract_project(pytester):
    pytester.makeini(INI)
    pytester.makefile(".yaml", cors=CONTRACT)
    pytester.makepyfile(seeded_app=APP)


def run_ids(pytester, *args, hash_seed="0", monkeypatch=None):
    """Run the contract in a fresh process; (every check id in order, the whole output)."""
    monkeypatch.setenv("PYTHONHASHSEED", hash_seed)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(pytester.path), str(ROOT)]))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--cors-app", "seeded_app:app", "-rA", *args
    )
    ids = re.findall(r"^(?:PASSED|FAILED|ERROR|SKIPPED) (cors\.yaml::\S.*?)(?: - .*)?$",
                     result.stdout.str(), re.M)  # fmt: skip
    assert ids, result.stdout.str()
    return ids, result.stdout.str()


def random_origins(ids):
    """The random-origin probes among the check ids: unrelated ``https://xxxxxxxxxx.tld``."""
    return sorted({m for i in ids for m in re.findall(r"https://[a-z]{10}\.(?:com|net|org|io)", i)})


def test_a_random_seed_is_printed_and_passing_it_back_reproduces_the_run(pytester, monkeypatch):
    contract_project(pytester)
    first, output = run_ids(pytester, "--cors-seed", "random", monkeypatch=monkeypatch)
    header = re.search(r"^pytest-cors: .*\bseed=(\d+)", output, re.M)
    assert header, output
    seed = header.group(1)
    assert f"(seed {seed}," in output  # the contract summary says it again
    again, _ = run_ids(pytester, "--cors-seed", seed, hash_seed="77", monkeypatch=monkeypatch)
    assert again == first
    assert random_origins(first) == sorted({random_origin(seed, p) for p in ("api", "admin")})


def test_another_seed_changes_only_the_random_probes(pytester, monkeypatch):
    contract_project(pytester)
    one, _ = run_ids(pytester, "--cors-seed", "11", monkeypatch=monkeypatch)
    two, _ = run_ids(pytester, "--cors-seed", "12", monkeypatch=monkeypatch)
    assert random_origins(one) != random_origins(two)
    strip = re.compile(r"https://[a-z]{10}\.(?:com|net|org|io)")
    assert [strip.sub("RANDOM", i) for i in one] == [strip.sub("RANDOM", i) for i in two]


def test_without_a_seed_the_ids_are_stable_across_processes(pytester, monkeypatch):
    contract_project(pytester)
    one, output = run_ids(pytester, hash_seed="1", monkeypatch=monkeypatch)
    two, _ = run_ids(pytester, hash_seed="2", monkeypatch=monkeypatch)
    assert one == two
    assert random_origins(one) == sorted({random_origin(1, p) for p in ("api", "admin")})
    assert "(seed 1," in output


@pytest.mark.parametrize("suffix", [".json", ".md"])
def test_the_report_records_the_seed_to_pass_back(pytester, monkeypatch, suffix):
    contract_project(pytester)
    report = pytester.path / f"report{suffix}"
    run_ids(pytester, "--cors-seed", "987", f"--cors-report={report}", monkeypatch=monkeypatch)
    text = report.read_text(encoding="utf-8")
    if suffix == ".json":
        data = json.loads(text)
        assert data["seed"] == 987
        assert {c["seed"] for c in data["contracts"]} == {987}
    else:
        assert "--cors-seed 987" in text


def test_the_command_line_tool_prints_the_seed_and_takes_it_back(tmp_path):
    (tmp_path / "cors.yaml").write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "seeded_app.py").write_text(APP, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}

    def check(*args):
        run = subprocess.run(
            [sys.executable, "-c", "import sys; from pytest_cors.cli import main; "
             "sys.exit(main(sys.argv[1:]))", "check", "cors.yaml", "--app", "seeded_app:app",
             "-v", *args],
            capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
        )  # fmt: skip
        return run.stdout

    first = check("--seed", "random")
    seed = re.search(r"\(seed (\d+), target", first)
    assert seed, first
    again = check("--seed", seed.group(1))
    lines = [line for line in first.splitlines() if line.startswith("cors.yaml::")]
    assert lines
    assert lines == [line for line in again.splitlines() if line.startswith("cors.yaml::")]
    assert random_origin(seed.group(1), "api") in "\n".join(lines)  # -v keeps origins intact
