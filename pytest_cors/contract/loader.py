"""Load a contract file into the typed model, reporting every problem with its line.

The entry points only; the work is done in stages, each bounded so that no input can hang the
loader or exhaust memory, and each in a module of its own:

1. bytes -> text -> marked tree (:mod:`~pytest_cors.contract.yaml_source`): at most
   :data:`MAX_CONTRACT_BYTES` of UTF-8, read as YAML 1.2 with aliases expanded within
   :data:`MAX_ALIAS_NODES` values and nesting within :data:`MAX_DEPTH` levels.
2. marked tree -> typed drafts -> :class:`~pytest_cors.contract.model.Contract`
   (:mod:`~pytest_cors.contract.validate_contract`, which hands each policy to
   :mod:`~pytest_cors.contract.validate_policy`): every key checked, every problem collected.
3. problems -> one :class:`~pytest_cors.errors.ContractError` listing them all
   (:mod:`~pytest_cors.contract.diagnostics`).

PyYAML is imported inside functions so that importing this module (the plugin does, at
start-up) stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import Any

from pytest_cors.contract.diagnostics import diagnostic, finish
from pytest_cors.contract.model import Contract, Mark
from pytest_cors.contract.validate_contract import SUPPORTED_VERSIONS, ContractChecks
from pytest_cors.contract.validate_values import ValueChecks, base_url_problem
from pytest_cors.contract.yaml_source import (
    MAX_ALIAS_NODES,
    MAX_CONTRACT_BYTES,
    MAX_DEPTH,
    Fatal,
    decode,
    plain,
    read_tree,
    text_mark,
    too_big,
)
from pytest_cors.errors import ContractError, Diagnostic, hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_CONTRACT_BYTES",
    "MAX_DEPTH",
    "SUPPORTED_VERSIONS",
    "base_url_problem",
    "load_contract",
    "load_contract_text",
    "load_yaml_data",
]


def _load(text: str, file: str, known_findings: Collection[str] | None) -> Contract:
    values = ValueChecks(file, known_findings)
    contract = None
    try:
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise Fatal(
                text_mark(file, text, exc.start),
                "the text holds a lone surrogate code point, which UTF-8 cannot encode",
            ) from None
        if size > MAX_CONTRACT_BYTES:
            raise too_big(file)
        root = read_tree(text, file, values.error)
        contract = ContractChecks(values).contract(root)
    except Fatal as fatal:
        values.error(Mark(file, fatal.mark.line, fatal.mark.column), fatal.message)
    if values.diagnostics or contract is None:
        raise finish(values.diagnostics)
    return contract


def load_contract_text(
    text: str, filename: str = "<contract>", *, known_findings: Collection[str] | None = None
) -> Contract:
    """Load a contract from ``text``; ``filename`` is what diagnostics name.

    ``known_findings``, when given, is the set of finding ids ``allow_findings`` may name;
    any other id is reported with a "did you mean".

    Raises :class:`~pytest_cors.errors.ContractError` listing every problem found.
    """
    return _load(text, filename, known_findings)


def load_contract(
    path: str | os.PathLike[str], *, known_findings: Collection[str] | None = None
) -> Contract:
    """Read and load the contract file at ``path`` (see :func:`load_contract_text`)."""
    file = os.fspath(path)
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_CONTRACT_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        problem = Diagnostic(file, 1, 1, f"cannot read the contract: {reason}")
        raise ContractError([problem]) from None
    try:
        text = decode(data, file)
    except Fatal as fatal:
        raise ContractError([diagnostic(fatal.mark, fatal.message)]) from None
    return _load(text, file, known_findings)


def load_yaml_data(text: str, filename: str = "<contract>") -> Any:
    """The plain data in ``text``, read exactly as the loader reads it (YAML 1.2 core schema,
    bounded aliases, duplicate keys refused), without checking it is a contract.

    For tools that need the same view of the file, such as a JSON Schema validation.
    """
    diagnostics: list[Diagnostic] = []

    def report(mark: Mark, message: str) -> None:
        diagnostics.append(diagnostic(mark, message))

    try:
        root = read_tree(text, filename, report)
    except Fatal as fatal:
        report(Mark(filename, fatal.mark.line, fatal.mark.column), fatal.message)
        root = None
    if diagnostics:
        raise finish(diagnostics)
    return None if root is None else plain(root)
