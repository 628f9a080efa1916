"""The faults example of docs/contract-checks.md runs as the page says: every fault checked
(the exception one too), all passing; and without the CORS layer all three are masked."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from pytest_cors.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "contract-checks" / "faults"
PAGE = (Path(__file__).resolve().parents[2] / "docs" / "contract-checks.md").read_text()


def faults(report: Path) -> dict[str, tuple[str, list[str]]]:
    data = json.loads(report.read_text())
    return {
        check["check"].split("(fault: ")[1].split(")")[0]: (
            check["status"],
            [f["id"] for f in check["findings"]],
        )
        for contract in data["contracts"]
        for policy in contract["policies"]
        for check in policy["checks"]
        if check["kind"] == "fault"
    }


def test_the_page_includes_the_example():
    for name in ("api.py", "cors.yaml"):
        assert f'--8<-- "docs/examples/contract-checks/faults/{name}"' in PAGE


def own_api_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """This folder's ``api.py``, not another example's; and none left behind for later tests
    (``setitem`` records the entry so that undoing it removes the module imported here)."""
    monkeypatch.setitem(sys.modules, "api", sys.modules.get("api"))
    del sys.modules["api"]


def test_every_fault_is_checked_and_passes(tmp_path, monkeypatch):
    for name in ("api.py", "cors.yaml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    own_api_module(monkeypatch)
    assert main(["check", "cors.yaml", "--report", "report.json"]) == 0
    assert faults(tmp_path / "report.json") == {
        "not_found": ("passed", []),
        "method_not_allowed": ("passed", []),
        "exception": ("passed", []),
    }


def test_without_the_cors_layer_every_fault_is_masked(tmp_path, monkeypatch):
    source = (EXAMPLE / "api.py").read_text()
    assert "Litestar([items], cors_config=cors)" in source
    (tmp_path / "api.py").write_text(source.replace(", cors_config=cors)", ")"))
    shutil.copy(EXAMPLE / "cors.yaml", tmp_path / "cors.yaml")
    monkeypatch.chdir(tmp_path)
    own_api_module(monkeypatch)
    assert main(["check", "cors.yaml", "--report", "report.json"]) == 1
    found = faults(tmp_path / "report.json")
    assert set(found) == {"not_found", "method_not_allowed", "exception"}
    for status, ids in found.values():
        assert status == "failed" and "CORS-ERROR-MASKED" in ids
