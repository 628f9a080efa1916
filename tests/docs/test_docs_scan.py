"""docs/scan.md: the commands the page shows run on its example apps and print what it shows."""

from __future__ import annotations

import re
import shutil

from docs_helpers import DOCS, EXAMPLES, run_commands
from docs_pages import blocks, read, snippet_paths

PAGE = DOCS / "scan.md"
FOLDER = EXAMPLES / "scan"


def page_commands() -> list[str]:
    return [
        line[2:].strip()
        for block in blocks(read(PAGE))
        if block.lang == "console"
        for line in block.body.splitlines()
        if line.startswith("$ ") and "--app" in line
    ]


def test_the_page_includes_the_example_files():
    shown = {path for path, _ in snippet_paths(read(PAGE))}
    assert shown == {
        f"docs/examples/scan/{n}" for n in ("api.py", "api_fixed.py", "scan-output.txt")
    }


def test_the_commands_print_what_the_page_shows(tmp_path):
    for name in ("api.py", "api_fixed.py"):
        shutil.copy(FOLDER / name, tmp_path / name)
    commands = page_commands()
    assert [("api_fixed:app" in c) for c in commands] == [False, True]
    (_, code, output), (_, fixed_code, fixed_output) = run_commands(commands, tmp_path)
    assert code == 1, output
    assert output.splitlines() == (FOLDER / "scan-output.txt").read_text().splitlines()
    assert fixed_code == 0, fixed_output
    assert "No finding: every adversarial origin was refused." in fixed_output


def test_every_finding_on_the_page_is_a_documented_id():
    from pytest_cors.contract.checks import FINDINGS

    named = set(re.findall(r"CORS-[A-Z0-9-]*[A-Z0-9]", read(PAGE)))
    assert named and named <= set(FINDINGS)
