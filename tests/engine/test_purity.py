"""The engine and the values it works on stay pure: standard library and each other only."""

import ast
import sys
from pathlib import Path

import pytest

import pytest_cors

PACKAGE = Path(pytest_cors.__file__).parent
PURE = sorted(
    [*PACKAGE.joinpath("engine").glob("*.py")]
    + [
        PACKAGE / name
        for name in ("origin.py", "http.py", "failures.py", "errors.py", "redaction.py", "_memo.py")
    ]
)
ALLOWED_OWN = {
    "pytest_cors.engine",
    "pytest_cors.origin",
    "pytest_cors.http",
    "pytest_cors.failures",
    "pytest_cors.errors",
    "pytest_cors.redaction",  # what no output shows
    "pytest_cors._memo",  # the one bounded cache
    # Sec-Fetch-Site needs sites (engine/added.py): site.py does no I/O beyond reading, once,
    # the public suffix list packaged with the publicsuffixlist dependency.
    "pytest_cors.site",
}


def imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize("path", PURE, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_pure_modules_import_only_the_standard_library(path):
    for name in imports(path):
        top = name.split(".")[0]
        if top == "pytest_cors":
            assert any(name == m or name.startswith(m + ".") for m in ALLOWED_OWN), name
        else:
            # idna: the UTS #46 tables origin.py maps hosts with (pure functions, no I/O)
            assert top in sys.stdlib_module_names or top in ("__future__", "idna"), name
