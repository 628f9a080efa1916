"""Every copy-paste example of ``docs/frameworks/`` runs green in a folder of its own, so the
pages cannot rot: each in a fresh pytest process (Django's settings and the frameworks' app
registries are process-wide), with warnings as errors and pytest-asyncio in its default
strict mode, as in a new project. The one setting such a project is asked to make is made:
pytest-asyncio warns at start-up until ``asyncio_default_fixture_loop_scope`` is set."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "frameworks" / "examples"
NEW_PROJECT = (
    "-W",
    "error",
    "-p",
    "no:cacheprovider",
    "-o",
    "asyncio_default_fixture_loop_scope=function",
)
FRAMEWORKS = [
    "flask",
    "django",
    "starlette",
    "fastapi",
    "quart",
    "falcon",
    "litestar",
    "aiohttp",
    "sanic",
]


def count_tests(path: Path) -> int:
    tree = ast.parse(path.read_text())
    return sum(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
        for node in ast.walk(tree)
    )


def test_every_example_folder_is_listed():
    assert sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) == sorted(FRAMEWORKS)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_example_passes(pytester, framework):
    folder = EXAMPLES / framework
    for name in ("app.py", "conftest.py", "test_first.py"):
        shutil.copy(folder / name, pytester.path / name)
    result = pytester.runpytest_subprocess(*NEW_PROJECT)
    result.assert_outcomes(passed=count_tests(folder / "test_first.py"))
    assert count_tests(folder / "test_first.py") >= 2


def test_a_broken_policy_fails_the_example(pytester):
    """The example tests can fail: the Flask app allowing every origin makes them red."""
    folder = EXAMPLES / "flask"
    shutil.copy(folder / "conftest.py", pytester.path / "conftest.py")
    shutil.copy(folder / "test_first.py", pytester.path / "test_first.py")
    app = (folder / "app.py").read_text()
    broken = app.replace('origins=["https://app.example.com"]', 'origins="*"')
    assert broken != app
    (pytester.path / "app.py").write_text(broken)
    result = pytester.runpytest_subprocess(*NEW_PROJECT)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_other_sites_may_not*"])


PAGES = EXAMPLES.parent
ANY_CREDENTIALS = {  # the index table's words for each measured behaviour
    "reflect": "reflects any origin",
    "refuse": "refuses",
    "cookie-reflect": "reflects when a cookie is sent",
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_page_includes_its_example_files_and_is_in_the_nav(framework):
    page = (PAGES / f"{framework}.md").read_text()
    for name in ("conftest.py", "test_first.py", "app.py"):
        assert f'--8<-- "docs/frameworks/examples/{framework}/{name}"' in page
    nav = (PAGES.parents[1] / "mkdocs.yml").read_text()
    assert f": frameworks/{framework}.md" in nav


def test_the_overview_table_says_what_the_suite_measured():
    from .stacks import STACKS

    rows = {}
    for line in (PAGES / "index.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("["):
            rows[cells[0].split("](")[1].split(".md")[0]] = cells
    assert sorted(rows) == sorted(FRAMEWORKS)
    for name, stack in STACKS.items():
        _, _, any_credentials, patterns, on_500 = rows[name]
        assert ANY_CREDENTIALS[stack.any_credentials] in any_credentials, name
        assert (on_500 == "yes") is stack.cors_on_500, name
        assert (patterns == "none") is (stack.regex_hole is None), name
