"""The package's layers, read from every import of every module (lazy ones included): no
module imports a layer above its own, there is no import cycle, and only the pytest glue
imports pytest. The layers are written down in CONTRIBUTING.md ("Layers")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_cors

PACKAGE = Path(pytest_cors.__file__).parent

# Lowest first. A module belongs to the entry that names it or its closest package.
LAYERS: list[tuple[str, ...]] = [
    # the package's own body imports nothing: its names resolve lazily (start-up cost)
    ("pytest_cors", "pytest_cors.errors"),
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
PYTEST_GLUE = {"pytest_cors.pytest_plugin", "pytest_cors.cli"}


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


def runtime_imports(path: Path) -> list[tuple[str, int]]:
    """Every module an import in ``path`` names, with its line, ``TYPE_CHECKING`` blocks
    excepted (they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for sub in node.body for n in ast.walk(sub))
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
