"""The debugging page's commands run as shown, in the folder of its example app."""

from __future__ import annotations

import shutil

from docs_helpers import DOCS, EXAMPLES, assert_lines_in_order, run_commands
from docs_pages import blocks, read

PAGE = DOCS / "debugging.md"


def examples() -> list[tuple[str, list[str]]]:
    """Each ``$`` command of the page (``\\`` continuations and a here-document included),
    with the lines the page shows it printing."""
    found: list[tuple[str, list[str]]] = []
    for block in blocks(read(PAGE)):
        if block.lang != "console":
            continue
        lines = block.body.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                found[-1][1].append(lines[i])
                i += 1
                continue
            command = [lines[i][2:]]
            ending = "EOF" if "<<'EOF'" in lines[i] else None
            while command[-1].endswith("\\") or (ending and command[-1] != ending):
                i += 1
                command.append(lines[i])
            found.append(("\n".join(command), []))
            i += 1
    return found


def test_the_pages_commands_print_what_the_page_shows(tmp_path):
    shutil.copy(EXAMPLES / "debugging" / "api.py", tmp_path / "api.py")
    shown = examples()
    assert len(shown) == 4
    results = run_commands([command for command, _ in shown], tmp_path)
    for (command, expected), (_, code, output) in zip(shown, results, strict=True):
        blocked = any("BLOCKED" in line or line.startswith("blocked ") for line in expected)
        assert code == (1 if blocked else 0), f"`{command}` exited with {code}:\n{output}"
        assert_lines_in_order(expected, output.splitlines())
        assert "s3cret" not in output and "7f3a9c" not in output
