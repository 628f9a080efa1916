"""The example projects the pages include run green (or fail exactly as the page shows)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from docs_helpers import DOCS, EXAMPLES, assert_lines_in_order, run_commands
from docs_pages import blocks, read

from pytest_cors.contract import load_contract

GETTING_STARTED = EXAMPLES / "getting-started"


def count_tests(folder: Path, files: list[str] | None = None) -> int:
    """How many test functions the example files define: each must run and pass."""
    paths = [folder / f for f in files] if files else sorted(folder.glob("test_*.py"))
    return sum(
        isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        for path in paths
        for node in ast.walk(ast.parse(path.read_text()))
    )


def test_the_first_test_passes(example_project):
    project = example_project("getting-started", ["app.py", "test_first.py"])
    result = project.runpytest("test_first.py")
    result.assert_outcomes(passed=count_tests(GETTING_STARTED, ["test_first.py"]))


def test_the_cors_fixture_example_passes(example_project):
    project = example_project("getting-started", ["app.py", "conftest.py", "test_with_fixture.py"])
    result = project.runpytest("test_with_fixture.py")
    result.assert_outcomes(passed=1)


def test_the_contract_without_target_runs_against_the_fixture(example_project):
    project = example_project(
        "getting-started", ["app.py", "conftest.py", "cors-from-fixture.yaml"]
    )
    result = project.runpytest("cors-from-fixture.yaml")
    with_target = example_project("getting-started", ["app.py", "cors.yaml"]).runpytest("cors.yaml")
    outcomes = result.parseoutcomes()
    # the same checks; the test client's own origin (http://localhost) is same-origin: skipped
    assert set(outcomes) <= {"passed", "skipped"} and outcomes["passed"] > 40
    assert outcomes["passed"] + outcomes.get("skipped", 0) == with_target.parseoutcomes()["passed"]
    result.stdout.fnmatch_lines(["*target the cors_target fixture (FlaskClient)*"])


def test_the_failing_example_prints_what_the_page_shows(example_project):
    project = example_project("getting-started", ["app.py", "test_request_id.py"])
    result = project.runpytest("test_request_id.py")
    result.assert_outcomes(failed=1)
    shown = (GETTING_STARTED / "failure-output.txt").read_text().splitlines()
    assert len([line for line in shown if line.strip() not in ("", "...")]) >= 5
    assert_lines_in_order(shown, result.outlines)


def test_the_how_cors_works_examples_pass(example_project):
    folder = EXAMPLES / "how-cors-works"
    project = example_project("how-cors-works")
    result = project.runpytest()
    result.assert_outcomes(passed=count_tests(folder))


def test_the_getting_started_commands_run_as_shown(tmp_path):
    """Every ``$`` command of the page, in order, in a folder holding the page's files."""
    for name in ("app.py", "test_first.py", "cors.yaml", "conftest.py", "cors-from-fixture.yaml"):
        shutil.copy(GETTING_STARTED / name, tmp_path / name)
    page = read(DOCS / "getting-started.md")
    commands, shown = [], []
    for block in blocks(page):
        if block.lang == "console":
            for line in block.body.splitlines():
                if line.startswith(("$ pip install", "$ python -m build")):
                    continue  # installed here already; tests/test_packaging.py builds the wheel
                if line.startswith("$ "):
                    commands.append(line[2:])
                elif line.strip():
                    shown.append(line.strip())
    assert any(c.startswith("pytest-cors record") for c in commands)
    results = run_commands(commands, tmp_path)
    for command, code, output in results:
        assert code == 0, f"`{command}` exited with {code}:\n{output}"
    outputs = "\n".join(output for _, _, output in results)
    for line in shown:  # what the page says the commands print
        assert line in outputs
    recorded = load_contract(tmp_path / "cors.yaml")  # written by `pytest-cors record`
    assert {p for policy in recorded.policies for p in policy.paths} == {"/items", "/items/1"}


def test_the_fix_the_page_suggests_makes_the_failing_test_pass(example_project):
    project = example_project("getting-started", ["app.py", "test_request_id.py"])
    app = project.path / "app.py"
    before = 'allow_headers=["Content-Type"]'
    assert before in app.read_text()  # the line the page tells the reader to change
    app.write_text(
        app.read_text().replace(before, 'allow_headers=["Content-Type", "X-Request-Id"]')
    )
    result = project.runpytest("test_request_id.py")
    result.assert_outcomes(passed=1)
