"""Benchmark 2: a whole generated contract run by pytest in-process, against a plain loop.

The contract: 50 paths x 10 allowed origins x 4 methods (credentials, two request headers, an
exposed header, a Max-Age range), one denied origin, plus the adversarial origins the kit
derives; the target is the Starlette app of ``bench_apps`` (its ``CORSMiddleware``), named in
the contract as ``target: {app: bench_target:app}``.

The kit's side is the command a user runs, ``pytest cors.yaml`` in a fresh interpreter, so
pytest's start-up, the plugin, loading the YAML and collecting one item per check all count;
other pytest plugins installed in the environment are kept out (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``
with ``-p pytest_cors.pytest_plugin.plugin``): their start-up is not the kit's cost.
The baseline is a fresh interpreter too, running a plain loop that sends the very requests the
kit sent (recorded once beforehand, with the preflights the runner reuses already left out):
  * ``same transport``: the kit's own ASGI transport awaited in one ``asyncio`` loop, the
    floor for these requests; the issue's figure (target <= 1.5);
  * ``TestClient``: Starlette's ``TestClient`` (entered once) sending them, what a team would
    write by hand.
A third pair runs the kit through that very client: the contract names a ``TestClient``
(entered once, left by a ``conftest.py`` at the end) as its target, so the kit and the
``TestClient`` loop send the same requests through the same client: the issue's figure read
with the client a Starlette team tests with.
A fourth figure is pytest's own floor: as many trivial tests as there are checks, against the
same loop, i.e. what one pytest item per check costs before the kit does anything. A fifth
times ``check_contract()`` in this process (no pytest, no start-up) against
the same plain loop, to show what pytest itself adds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from pathlib import Path
from statistics import median
from typing import Any

import _harness as h
import bench_apps as apps

TARGET = 1.5  # issue 6: at most 1.5x the plain loop, pytest's start-up included
FULL = (50, 10, apps.METHODS)
QUICK = (2, 2, ["GET", "PUT"])

TARGET_MODULE = """\
import sys

sys.path.insert(0, {bench!r})
import bench_apps  # noqa: E402

app = bench_apps.starlette_app({paths}, bench_apps.ORIGINS[:{origins}], {methods!r})
"""


CLIENT_MODULE = """\
import sys

sys.path.insert(0, {bench!r})
import bench_apps  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

client = TestClient(
    bench_apps.starlette_app({paths}, bench_apps.ORIGINS[:{origins}], {methods!r})
).__enter__()
"""

CLIENT_CONFTEST = """\
def pytest_unconfigure(config):
    import bench_client

    bench_client.client.__exit__(None, None, None)
"""


def contract_yaml(
    paths: int, origins: int, methods: list[str], app: str = "bench_target:app"
) -> str:
    return f"""\
version: 1
description: generated for the pytest-cors benchmark
target:
  app: {app}
defaults:
  credentials: true
  faults: []  # the checks measured before faults existed: figures stay comparable
  origins:
    allow: [{", ".join(apps.ORIGINS[:origins])}]
    deny: [https://evil.example.net]
  request_headers: [Content-Type, X-Token]
policies:
  - name: api
    paths: [{", ".join(apps.paths(paths))}]
    methods: [{", ".join(methods)}]
    expose_headers: [X-Total]
    max_age: {{min: 60, max: 7200}}
"""


def write_suite(folder: Path, size: tuple[int, int, list[str]]) -> Path:
    """The contract and its target module in ``folder``; returns the contract's path."""
    paths, origins, methods = size
    folder.joinpath("bench_target.py").write_text(
        TARGET_MODULE.format(
            bench=str(Path(__file__).parent), paths=paths, origins=origins, methods=methods
        )
    )
    contract = folder / "cors.yaml"
    contract.write_text(contract_yaml(paths, origins, methods))
    through = folder / "through-testclient"  # the same contract, the kit using a TestClient
    through.mkdir()
    through.joinpath("bench_client.py").write_text(
        CLIENT_MODULE.format(
            bench=str(Path(__file__).parent), paths=paths, origins=origins, methods=methods
        )
    )
    through.joinpath("conftest.py").write_text(CLIENT_CONFTEST)
    through.joinpath("cors.yaml").write_text(
        contract_yaml(paths, origins, methods, app="bench_client:client")
    )
    return contract


class Recorder:
    """An async target that notes every request before the ASGI transport sends it."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.base_url: str = target.base_url
        self.sent: list[Any] = []

    async def send(self, request: Any) -> Any:
        self.sent.append(request)
        return await self.target.send(request)


def record(contract_file: Path, app: Any) -> tuple[int, list[dict[str, Any]]]:
    """(number of checks, the requests ``check_contract`` sends), run once in this process."""
    from pytest_cors.contract import load_contract
    from pytest_cors.contract.checks import FINDINGS, failing
    from pytest_cors.run import check_contract
    from pytest_cors.targets.asgi import AsgiTarget

    contract = load_contract(contract_file, known_findings=FINDINGS)
    recorder = Recorder(AsgiTarget(app))
    results = check_contract(contract, recorder)
    broken = [check.name for check, findings in results if failing(findings)]
    if broken:
        raise SystemExit(f"the benchmark app breaks its own contract: {broken[:5]}")
    requests = [
        {
            "method": r.method,
            "url": r.url,
            "headers": list(r.headers),
            "body": None if r.body is None else r.body.decode("latin-1"),
        }
        for r in recorder.sent
    ]
    return len(results), requests


FLOOR = """\
import pytest


@pytest.mark.parametrize("i", range({checks}))
def test_floor(i):
    assert i >= 0
"""


# -- the plain loops (run as children: ``bench_contract.py --loop FILE --client NAME``) ---------


def loop_main(file: str, client: str) -> None:
    data = json.loads(Path(file).read_text())
    app = apps.starlette_app(data["paths"], apps.ORIGINS[: data["origins"]], data["methods"])
    requests = data["requests"]
    if client == "asgi":
        asyncio.run(asgi_loop(app, requests))
    else:
        from starlette.testclient import TestClient

        with TestClient(app) as test_client:
            for r in requests:
                body = None if r["body"] is None else r["body"].encode("latin-1")
                test_client.request(r["method"], r["url"], headers=r["headers"], content=body)


async def asgi_loop(app: Any, requests: list[dict[str, Any]]) -> None:
    from pytest_cors.http import Headers, Request
    from pytest_cors.targets.asgi import AsgiTarget

    target = AsgiTarget(app)
    for r in requests:
        body = None if r["body"] is None else r["body"].encode("latin-1")
        await target.send(Request(r["method"], r["url"], Headers(r["headers"]), body))


# -- the benchmark -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> h.Report:
    loop = argparse.ArgumentParser(add_help=False)
    loop.add_argument("--loop")
    loop.add_argument("--client", default="asgi")
    known, rest = loop.parse_known_args(argv)
    if known.loop:
        loop_main(known.loop, known.client)
        raise SystemExit(0)
    args, reps, report = h.start(
        __doc__, "contract", "a whole contract through pytest, in-process", "bench_contract.py", 5,
        rest,
    )  # fmt: skip
    size = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        contract = write_suite(folder, size)
        app = apps.starlette_app(size[0], apps.ORIGINS[: size[1]], size[2])
        checks, requests = record(contract, app)
        loop_file = folder / "requests.json"
        loop_file.write_text(
            json.dumps(
                {"paths": size[0], "origins": size[1], "methods": size[2], "requests": requests}
            )
        )
        kit_cmd = [sys.executable, *h.PYTEST_ALONE, "cors.yaml"]
        folder.joinpath("floor").mkdir()
        folder.joinpath("floor", "test_floor.py").write_text(FLOOR.format(checks=checks))
        floor_cmd = [sys.executable, *h.PYTEST_ALONE, "floor"]
        loops = {
            "same transport": [sys.executable, __file__, "--loop", str(loop_file)],
            "TestClient": [sys.executable, __file__, "--loop", str(loop_file), "--client", "tc"],
            "pytest floor": floor_cmd,
        }
        kits = {"kit": kit_cmd, "kit via TestClient": [*kit_cmd[:-1], "through-testclient"]}
        runs: dict[str, list[h.Child]] = {name: [] for name in [*kits, *loops]}
        for cmd in kits.values():  # warm-up: file caches, bytecode of the target modules
            h.run_child(cmd, folder, env=h.ONLY_OUR_PLUGIN)
        for rep in range(reps):
            order = [*kits, *loops] if rep % 2 == 0 else [*loops, *kits]
            for name in order:
                cmd = kits.get(name) or loops[name]
                runs[name].append(h.run_child(cmd, folder, env=h.ONLY_OUR_PLUGIN))
        for name in kits:
            passed = re.search(r"(\d+) passed", runs[name][-1].stdout)
            if passed is None or int(passed.group(1)) != checks:
                raise SystemExit(
                    f"pytest did not pass {checks} checks:\n{runs[name][-1].stdout[-2000:]}"
                )
        for kit_name, name in (
            ("kit", "same transport"),
            ("kit", "TestClient"),
            ("kit via TestClient", "TestClient"),
        ):
            report.figures.append(
                figure(
                    name, runs[kit_name], runs[name], args.clock, checks, len(requests), size,
                    via=kit_name != "kit",
                )
            )  # fmt: skip
        report.figures.append(
            floor(runs["pytest floor"], runs["same transport"], args.clock, checks)
        )
        report.figures.append(in_process(contract, app, requests, reps, args.clock, checks))
    h.finish(report, args)
    return report


def figure(
    name: str,
    kit: list[h.Child],
    base: list[h.Child],
    clock: str,
    checks: int,
    requests: int,
    size: tuple[int, int, list[str]],
    *,
    via: bool = False,
) -> h.Figure:
    """The kit's pytest run (``via``: with a ``TestClient`` as its target) against a loop."""
    other = "wall" if clock == "cpu" else "cpu"
    ratios = [k.seconds(clock) / b.seconds(clock) for k, b in zip(kit, base, strict=True)]
    ratios_other = [k.seconds(other) / b.seconds(other) for k, b in zip(kit, base, strict=True)]
    kit_s = median(k.seconds(clock) for k in kit)
    base_s = median(b.seconds(clock) for b in base)
    kit_wall = median(k.wall for k in kit)
    paths, origins, methods = size
    return h.Figure(
        f"pytest cors.yaml{' via TestClient' if via else ''} vs {name}",
        f"{checks} checks ({paths} paths x {origins} origins x {len(methods)} methods, denied "
        f"and adversarial), {requests} requests, each side a fresh interpreter",
        "a plain loop, " + ("the kit's ASGI transport" if name == "same transport" else
                            "Starlette's TestClient") + " sending the same requests",
        ratios,
        base_s,
        kit_s,
        unit="s",
        target=TARGET if name == "same transport" or via else None,
        extra={
            f"ratio by {other} time": median(ratios_other),
            "checks per second (wall)": checks / kit_wall,
        },
    )  # fmt: skip


def floor(runs: list[h.Child], base: list[h.Child], clock: str, checks: int) -> h.Figure:
    """pytest running as many trivial tests as there are checks, against the same plain loop:
    the least that one pytest item per check can cost, whatever the kit does."""
    ratios = [r.seconds(clock) / b.seconds(clock) for r, b in zip(runs, base, strict=True)]
    return h.Figure(
        "pytest floor vs same transport",
        f"pytest running {checks} trivial parametrised tests (one per check), nothing else",
        "the same-transport plain loop",
        ratios,
        median(b.seconds(clock) for b in base),
        median(r.seconds(clock) for r in runs),
        unit="s",
        extra={"trivial tests per second (wall)": checks / median(r.wall for r in runs)},
    )


def in_process(
    contract_file: Path,
    app: Any,
    requests: list[dict[str, Any]],
    reps: int,
    clock: str,
    checks: int,
) -> h.Figure:
    """``check_contract`` in this process against the same-transport loop in this process."""
    from pytest_cors.contract import load_contract
    from pytest_cors.contract.checks import FINDINGS
    from pytest_cors.run import check_contract

    contract = load_contract(contract_file, known_findings=FINDINGS)

    def kit() -> object:
        return check_contract(contract, app)

    def plain() -> object:
        asyncio.run(asgi_loop(app, requests))
        return None

    ratios, base, cost = h.paired(plain, kit, 1, reps, clock)
    return h.Figure(
        "check_contract() vs same transport",
        f"{checks} checks in this process, no pytest and no start-up",
        "the same plain loop, in this process",
        ratios,
        base,
        cost,
        unit="s",
        extra={"checks per second": checks / cost},
    )


if __name__ == "__main__":
    main(sys.argv[1:])
