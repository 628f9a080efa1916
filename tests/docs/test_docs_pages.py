"""Page hygiene: code on the pages comes from tested files, and every example file is used."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from docs_helpers import DOCS, EXAMPLES, ROOT
from docs_pages import blocks, read, snippet_paths

MY_PAGES = [
    "index.md",
    "getting-started.md",
    "how-cors-works.md",
    "failures.md",
    "ci.md",
    "api.md",
    "debugging.md",
]
CODE_LANGS = {"python", "py", "yaml", "yml", "toml", "ini", "json", "cfg", "sh", "bash"}
# support files: imported by an included example rather than shown themselves
NOT_SHOWN = {"fixes/django_urls.py"}


@pytest.mark.parametrize("page", MY_PAGES)
def test_code_blocks_are_included_from_tested_files(page):
    for block in blocks(read(DOCS / page)):
        if block.lang not in CODE_LANGS:
            continue
        lines = [line for line in block.body.splitlines() if line.strip()]
        assert lines, f"empty {block.lang} block in {page}"
        assert all(line.strip().startswith("--8<--") for line in lines), (
            f"{page}: a {block.lang} block written inline; put it in docs/examples/ and include "
            f"it with --8<-- so the test suite runs it:\n{block.body}"
        )


def all_snippets():
    for page in sorted(DOCS.rglob("*.md")):
        for path, section in snippet_paths(read(page)):
            yield page, path, section


def test_every_included_section_exists():
    checked = 0
    for page, path, section in all_snippets():
        text = (ROOT / path).read_text()
        if section:
            assert f"[start:{section}]" in text, f"{page.name}: {path} has no section {section}"
            assert f"[end:{section}]" in text, f"{page.name}: {path} never ends {section}"
            checked += 1
    assert checked >= 5


def test_every_example_file_is_shown_on_a_page():
    shown = {path for _, path, _ in all_snippets()}
    for file in sorted(EXAMPLES.rglob("*")):
        if file.is_dir() or "__pycache__" in file.parts:
            continue
        relative = file.relative_to(EXAMPLES).as_posix()
        if relative in NOT_SHOWN:
            continue
        assert f"docs/examples/{relative}" in shown, f"docs/examples/{relative} is on no page"


def console_commands():
    """Commands of the console blocks: the ``$ `` lines, or every line when none has ``$``."""
    for page in MY_PAGES:
        for block in blocks(read(DOCS / page)):
            if block.lang != "console":
                continue
            lines = block.body.splitlines()
            prompted = [line[2:] for line in lines if line.startswith("$ ")]
            for command in prompted or lines:
                if command.strip():
                    yield page, command.strip()


def help_text(command: str) -> str:
    if command.startswith("pytest-cors"):
        sub = command.split()[1]
        main = "import sys; from pytest_cors.cli import main; sys.exit(main())"
        args = [sys.executable, "-c", main, sub, "--help"]
    else:
        args = [sys.executable, "-m", "pytest", "--help"]
    run = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize(("page", "command"), list(console_commands()))
def test_console_commands_use_options_that_exist(page, command):
    if command.startswith(("pip ", "python -m build ")):
        return  # install commands: tests/docs/test_docs_install.py checks each of them
    assert command.startswith(("pytest ", "pytest-cors ")), command
    flags = re.findall(r"(?<!\S)(--[a-z][a-z-]*)", command)
    text = help_text(command)
    for flag in flags:
        assert flag in text, f"{page}: `{command}` uses {flag}, which the command does not know"
