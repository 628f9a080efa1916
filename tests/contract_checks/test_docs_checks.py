"""docs/contract-checks.md and docs/recipes.md say what the code does, and their examples run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_cors.cli import main
from pytest_cors.contract.checks import FINDINGS
from pytest_cors.probes import ATTACKS, derive, generate_probes

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "contract-checks.md").read_text()
RECIPES = ROOT / "docs" / "examples" / "recipes"
EXAMPLE = ROOT / "docs" / "examples" / "contract-checks"


def finding_sections() -> dict[str, str]:
    parts = re.split(r"^### (CORS-[A-Z-]+)\n", PAGE, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_finding_id_is_documented_once_with_its_severity():
    sections = finding_sections()
    assert list(sections) == list(dict.fromkeys(sections))
    assert set(sections) == set(FINDINGS)
    for finding_id, text in sections.items():
        severity = FINDINGS[finding_id].severity
        assert text.strip().startswith(f"*{severity.title()}.*"), finding_id


def test_the_attack_table_lists_every_class_with_probes_the_kit_really_sends():
    rows = {
        m["name"]: m["rest"]
        for m in re.finditer(r"^\| (?P<name>[a-z-]+) \| (?P<rest>.*)$", PAGE, flags=re.M)
    }
    assert set(ATTACKS) <= set(rows)
    derived = {p.origin for p in derive("https", "app.example.com", None)}
    everything = derived | {
        p.origin for p in generate_probes([], seed=1, scope="x", allows=lambda o: False)
    }
    for name, attack in ATTACKS.items():
        row = rows[name]
        assert f"[{attack.finding}](#{attack.finding.lower()})" in row, name
        shown = re.findall(
            r"`` ?((?:https?://)[^`]*?) ?``|`((?:https?://|null)[^`]*)`", row.split("|")[0]
        )
        shown = [a or b for a, b in shown]
        for origin in shown:
            if name == "random-origin":
                continue  # drawn from the seed
            assert origin in everything, (name, origin)


def test_the_failure_example_is_what_the_command_prints(monkeypatch, capsys):
    expected = (EXAMPLE / "failure-output.txt").read_text().splitlines()
    command = expected[0].removeprefix("$ ").split()
    assert command[:3] == ["pytest-cors", "check", "cors.yaml"]
    monkeypatch.chdir(EXAMPLE)
    # pytest shapes its output by terminal width, and does not cut summary lines on CI
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)
    assert main([*command[1:-1], "null"]) == 1
    printed = [re.sub(r" in [0-9.]+s$", "", line) for line in capsys.readouterr().out.splitlines()]
    assert [_summary(line) for line in printed] == [_summary(line) for line in expected[1:]]


def _summary(line: str) -> str:
    """A line as every supported pytest prints it: pytest 8 ends a ``FAILED`` line of the
    short summary at the node id, pytest 9 adds `` - `` and the message's first words."""
    return line.split(" - ")[0] if line.startswith("FAILED ") else line


@pytest.mark.parametrize("recipe", sorted(p.name for p in RECIPES.iterdir() if p.is_dir()))
def test_each_recipe_keeps_its_contract(recipe, monkeypatch, capsys):
    monkeypatch.chdir(RECIPES / recipe)
    code = main(["check", "cors.yaml"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"cors.yaml: \d{2,} checks, \d+ passed, 0 failed, 0 errors", out), out
    assert f"docs/examples/recipes/{recipe}/cors.yaml" in (ROOT / "docs" / "recipes.md").read_text()
