"""Shared helpers for the documentation tests: where the docs live, and example projects."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"

# pytester projects run with warnings as errors, like this suite.
INI = "[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n"


@pytest.fixture
def example_project(pytester: pytest.Pytester):
    """Copy files of one ``docs/examples/<name>/`` folder into a pytester project."""

    def copy(name: str, files: Iterable[str] | None = None) -> pytest.Pytester:
        folder = EXAMPLES / name
        chosen = sorted(p.name for p in folder.iterdir() if p.is_file()) if files is None else files
        for file_name in chosen:
            shutil.copy(folder / file_name, pytester.path / file_name)
            # several examples have an ``api.py``: the project imports its own, not one an
            # earlier test left in sys.modules
            if file_name.endswith(".py"):
                sys.modules.pop(file_name[:-3], None)
        pytester.makeini(INI)
        pytester.syspathinsert(pytester.path)
        return pytester

    return copy


def assert_lines_in_order(expected: Sequence[str], actual: Sequence[str]) -> None:
    """Every line of ``expected`` (``...`` lines skipped) occurs in ``actual``, in order."""
    __tracebackhide__ = True
    position = 0
    stripped = [line.rstrip() for line in actual]
    for line in expected:
        if line.strip() in ("", "..."):
            continue
        try:
            position = stripped.index(line.rstrip(), position) + 1
        except ValueError:
            pytest.fail(
                f"line not found (in order) in the output:\n{line}\n\noutput:\n" + "\n".join(actual)
            )


def run_commands(commands: list[str], cwd: Path, **env: str) -> list[tuple[str, int, str]]:
    """Run each command like a CI step (bash, stop at the first error), even after a failure."""
    environment = {
        **os.environ,
        "CI": "true",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        **env,
    }
    environment.pop("PYTEST_ADDOPTS", None)
    results = []
    for command in commands:
        run = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", command],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        results.append((command, run.returncode, run.stdout + run.stderr))
    return results
