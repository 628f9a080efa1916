"""The package's layers, read from every import of every module (lazy ones included): no
module imports a layer above its own, there is no import cycle, and only the pytest glue
imports pytest. The layers are written down in CONTRIBUTING.md ("Layers"). An import inside a
function says why it is not at the module's top, in a ``# lazy:`` comment."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

import pytest_cors

PACKAGE = Path(pytest_cors.__file__).parent

# Lowest first. A module belongs to the entry that names it or its closest package.
LAYERS: list[tuple[str, ...]] = [
    # the package's own body imports nothing: its names resolve lazily (start-up cost)
    ("pytest_cors", "pytest_cors.errors", "pytest_cors.defaults"),
    (
        "pytest_cors._memo",
        "pytest_cors.redaction",
        "pytest_cors.http",
        "pytest_cors.origin",
        "pytest_cors.failures",
        "pytest_cors.devtools",
        "pytest_cors.probes",
        "pytest_cors._compat",
    ),
    ("pytest_cors.site",),
    ("pytest_cors.engine", "pytest_cors.engine.lna"),
    (
        "pytest_cors.cookies",
        "pytest_cors.targets",
        "pytest_cors.routing",
        "pytest_cors.openapi_document",
        "pytest_cors.options",
    ),
    ("pytest_cors.flow",),
    ("pytest_cors.hints",),
    ("pytest_cors.asserts", "pytest_cors.initiators"),
    (
        "pytest_cors.contract",
        "pytest_cors.contract.model",
        "pytest_cors.contract.yaml_source",
        "pytest_cors.contract.keys",
        "pytest_cors.contract.deprecations",
        "pytest_cors.contract.drafts",
        "pytest_cors.contract.diagnostics",
        "pytest_cors.contract.regex_judge",
        "pytest_cors.contract.validate_values",
        "pytest_cors.contract.validate_origins",
        "pytest_cors.contract.validate_policy",
        "pytest_cors.contract.validate_contract",
        "pytest_cors.contract.loader",
        "pytest_cors.contract.checks",
    ),
    (
        "pytest_cors.run",
        "pytest_cors.contract.record",
        "pytest_cors.contract.init",
        "pytest_cors.scan",
        "pytest_cors.oneoff",
    ),
    ("pytest_cors.report_html",),
    ("pytest_cors.report",),
    # the pytest glue; pytest_cors.plugin is the plugin's old import path, re-exporting it
    ("pytest_cors.pytest_plugin", "pytest_cors.plugin"),
    ("pytest_cors.cli",),
]
# What may import pytest: the plugin package, and the CLI (``pytest-cors check`` runs pytest).
# Not pytest_cors.plugin, the old import path: it re-exports the plugin without importing pytest.
PYTEST_GLUE = {"pytest_cors.pytest_plugin"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best, depth = -1, -1
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and name.count(".") > depth:
                best, depth = index, name.count(".")
    return best


def type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes inside ``if TYPE_CHECKING:`` blocks (they never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for sub in node.body for n in ast.walk(sub))
    return skipped


def runtime_imports(path: Path) -> list[tuple[str, int]]:
    """Every module an import in ``path`` names, with its line, ``TYPE_CHECKING`` blocks
    excepted (they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.append((child if child in MODULES else node.module, node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    return {
        name: {m for m, _ in runtime_imports(path) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer_of(m) < 0] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_layer_above_its_own(module):
    own = layer_of(module)
    upward = [
        f"line {line}: {name} (layer {layer_of(name)} > {own})"
        for name, line in runtime_imports(MODULES[module])
        if name in MODULES and layer_of(name) > own
    ]
    assert upward == []


def test_there_is_no_import_cycle():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_pytest_glue_imports_pytest(module):
    tops = {name.split(".")[0] for name, _ in runtime_imports(MODULES[module])}
    assert "_pytest" not in tops
    if not any(module == glue or module.startswith(glue + ".") for glue in PYTEST_GLUE):
        assert "pytest" not in tops


def test_the_check_sees_a_cycle_and_an_upward_import(tmp_path, monkeypatch):
    """The rules can fail: a lower module importing a higher one is caught by both."""
    fake = dict(MODULES)
    low = tmp_path / "errors.py"
    low.write_text("def f():\n    from pytest_cors.cli import main\n")  # lazy, still counted
    fake["pytest_cors.errors"] = low
    monkeypatch.setattr(__import__(__name__, fromlist=["MODULES"]), "MODULES", fake)
    assert ("pytest_cors.cli", 2) in runtime_imports(low)
    assert layer_of("pytest_cors.cli") > layer_of("pytest_cors.errors")
    edges = graph()
    assert "pytest_cors.cli" in edges["pytest_cors.errors"]


# -- imports inside functions say why -----------------------------------------------------------

LAZY = "# lazy:"


def unexplained_lazy_imports(source: str) -> list[str]:
    """The imports inside a function (``TYPE_CHECKING`` blocks excepted) that give no reason:
    a ``# lazy: <reason>`` comment on one of the import's own lines, or in the comment lines
    directly above it or above the first of its group (imports on consecutive lines: a blank
    line ends a group). Comments are read with ``tokenize``, so ``# lazy:`` inside a string
    does not count."""
    tree = ast.parse(source)
    lines = source.splitlines()
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
    skipped = type_checking_only(tree)

    def explained(node: ast.stmt, siblings: list[ast.stmt]) -> bool:
        end = node.end_lineno or node.lineno
        if any(comments.get(n, "").startswith(LAZY) for n in range(node.lineno, end + 1)):
            return True
        first = siblings.index(node)
        while first > 0 and isinstance(siblings[first - 1], (ast.Import, ast.ImportFrom)):
            between = lines[(siblings[first - 1].end_lineno or 0) : siblings[first].lineno - 1]
            if between:
                break  # a blank or comment line between them: the group ends here
            first -= 1
        above = siblings[first].lineno - 1  # 1-based number of the line above
        while above >= 1 and lines[above - 1].lstrip().startswith("#"):
            if lines[above - 1].lstrip().startswith(LAZY):
                return True
            above -= 1
        return False

    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for block in ast.walk(function):
            for field in ("body", "orelse", "finalbody", "handlers"):
                siblings = getattr(block, field, None)
                if not isinstance(siblings, list):
                    continue
                for node in siblings:
                    if (
                        isinstance(node, (ast.Import, ast.ImportFrom))
                        and id(node) not in skipped
                        and not explained(node, siblings)
                    ):
                        found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return sorted(set(found), key=lambda text: int(text.split(":")[0].split()[1]))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_import_inside_a_function_says_why_it_is_lazy(module):
    """Imports sit at the module's top unless start-up cost, an optional dependency or a
    Python version keeps one inside a function; then a ``# lazy: <reason>`` comment says so."""
    unexplained = unexplained_lazy_imports(MODULES[module].read_text(encoding="utf-8"))
    assert not unexplained, "no '# lazy:' reason for:\n" + "\n".join(unexplained)


def test_the_lazy_import_check_sees_an_import_without_a_reason():
    source = (
        "def f():\n"
        "    import json\n"  # no reason
        "    import os  # lazy: a reason\n"
        "    # lazy: one reason for the group below\n"
        "    import shlex\n"
        "    from zlib import crc32\n"
        "    from re import (\n"
        "        compile,  # lazy: on a line of its own\n"
        "    )\n"
        "    x = '# lazy: not a comment'; import sys\n"
        "    # a comment that gives no reason\n"
        "    import abc\n"
        "    if x:\n"
        "        import csv\n"
        "    try:\n"
        "        # lazy: optional\n"
        "        import yaml\n"
        "    except ImportError:\n"
        "        import enum\n"
        "\n"
        "    import io\n"  # a blank line ended the group above
        "    return crc32, compile, yaml\n"
        "\n"
        "\n"
        "import typing  # at the top: needs no reason\n"
        "if typing.TYPE_CHECKING:\n"
        "    def g():\n"
        "        import decimal\n"
    )
    assert unexplained_lazy_imports(source) == [
        "line 2: import json",
        "line 10: import sys",
        "line 12: import abc",
        "line 14: import csv",
        "line 19: import enum",
        "line 21: import io",
    ]
