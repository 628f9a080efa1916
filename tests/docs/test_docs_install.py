"""The install instructions work today: no release is on PyPI yet, so none says to install one.

Getting started installs from a checkout (editable, or a wheel built from it) and the CI
examples install that wheel, committed to the project. tests/test_packaging.py builds the wheel
and installs it in a clean environment; here the pages and examples must name exactly that
file.
"""

from __future__ import annotations

import re

import pytest
import yaml
from docs_helpers import DOCS, EXAMPLES
from docs_pages import blocks, read, sections

import pytest_cors

WHEEL = f"pytest_cors-{pytest_cors.__version__}-py3-none-any.whl"
CHECKOUT = "/path/to/pytest-cors"
NOT_ON_PYPI = re.compile(r"no release of pytest-cors on PyPI yet|not on PyPI yet")
REQUIREMENT = re.compile(r"pytest[-_.]cors(\[[^\]]*\])?([<>=~!].*)?", re.IGNORECASE)
CI_FILES = sorted((EXAMPLES / "ci").glob("*.yml"))


def console_lines(markdown: str) -> list[str]:
    return [
        line.removeprefix("$ ").strip()
        for block in blocks(markdown)
        if block.lang == "console"
        for line in block.body.splitlines()
        if line.startswith("$ ")
    ]


def ci_install_lines(path) -> list[str]:
    data = yaml.safe_load(path.read_text())
    commands = []
    for job in data.get("jobs", data).values():  # GitHub nests jobs under `jobs:`
        if not isinstance(job, dict):
            continue
        commands += [step.get("run", "") for step in job.get("steps", [])]
        commands += job.get("script", [])
    return [c for c in commands if c.startswith("pip install")]


def test_getting_started_says_there_is_no_release_and_installs_from_a_checkout():
    install = sections(read(DOCS / "getting-started.md"))["1. Install"]
    assert NOT_ON_PYPI.search(" ".join(install.split()))
    commands = console_lines(install)
    assert commands == [
        f"pip install -e {CHECKOUT}",
        f"python -m build {CHECKOUT}",
        f"pip install {CHECKOUT}/dist/{WHEEL}",  # where `python -m build` puts it by default
    ]


@pytest.mark.parametrize("page", ["getting-started.md", "ci.md", "index.md"])
def test_no_page_tells_anyone_to_install_a_release_from_pypi(page):
    for command in console_lines(read(DOCS / page)):
        if command.startswith("pip install "):
            # a requirement by name (not a path) would ask PyPI for a release
            names = [t for t in command.split()[2:] if REQUIREMENT.fullmatch(t)]
            assert not names, f"{page}: `{command}` installs pytest-cors from PyPI"


@pytest.mark.parametrize("path", CI_FILES, ids=lambda p: p.name)
def test_ci_examples_install_the_committed_wheel(path):
    (line,) = ci_install_lines(path)
    assert line == f"pip install wheels/{WHEEL} -e ."
    assert NOT_ON_PYPI.search(path.read_text())  # the comment over the step says why


def test_the_ci_page_explains_where_the_wheel_comes_from():
    page = " ".join(read(DOCS / "ci.md").split())
    install = " ".join(sections(read(DOCS / "ci.md"))["Installing pytest-cors"].split())
    assert NOT_ON_PYPI.search(install)
    assert f"python -m build {CHECKOUT}" in install
    assert f"`wheels/{WHEEL}`" in install
    assert "pip install pytest-cors" not in page.replace("cannot `pip install pytest-cors`", "")
