"""The CI examples run: their commands, executed as the CI service would, pass and write the report.

Each workflow's ``run``/``script`` commands (all but the ``pip install`` that sets up a fresh
machine) run with bash in a copy of the getting-started project, with the environment the CI
service provides (``CI=true``, ``GITHUB_STEP_SUMMARY``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from docs_helpers import EXAMPLES, run_commands

CI = EXAMPLES / "ci"
PROJECT_FILES = ["app.py", "cors.yaml", "test_first.py"]


def project(tmp_path: Path) -> Path:
    for name in PROJECT_FILES:
        shutil.copy(EXAMPLES / "getting-started" / name, tmp_path / name)
    return tmp_path


def github_steps(name: str) -> list[dict]:
    workflow = yaml.safe_load((CI / name).read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert steps
    return steps


@pytest.mark.parametrize("name", ["github-actions.yml", "github-actions-pytest.yml"])
def test_the_github_workflow_publishes_the_report_even_on_failure(name):
    steps = github_steps(name)
    publish = steps[-1]
    assert "$GITHUB_STEP_SUMMARY" in publish["run"]
    assert publish.get("if") == "always()"


@pytest.mark.parametrize("name", ["github-actions.yml", "github-actions-pytest.yml"])
def test_the_github_workflow_runs_and_fills_the_job_summary(tmp_path, name):
    commands = [
        step["run"]
        for step in github_steps(name)
        if "run" in step and not step["run"].startswith("pip install")
    ]
    summary = tmp_path / "summary.md"
    summary.write_text("")
    folder = tmp_path / "project"
    folder.mkdir()
    results = run_commands(commands, project(folder), GITHUB_STEP_SUMMARY=str(summary))
    for command, code, output in results:
        assert code == 0, f"`{command}` exited with {code}:\n{output}"
    report = summary.read_text()
    assert "items" in report  # the contract's policy
    assert "|" in report  # a Markdown table


def test_the_gitlab_job_runs_and_keeps_its_reports(tmp_path):
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text())["cors"]
    assert job["artifacts"]["when"] == "always"
    commands = [line for line in job["script"] if not line.startswith("pip install")]
    folder = tmp_path / "project"
    folder.mkdir()
    project(folder)
    results = run_commands(commands, folder)
    for command, code, output in results:
        assert code == 0, f"`{command}` exited with {code}:\n{output}"
    for path in [*job["artifacts"]["paths"], job["artifacts"]["reports"]["junit"]]:
        assert (folder / path).stat().st_size > 0, path
    assert "testcase" in (folder / job["artifacts"]["reports"]["junit"]).read_text()
