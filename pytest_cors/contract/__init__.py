"""YAML contracts: the CORS policy a team intends, loaded into a typed model with line marks.

``load_contract(path)`` returns a :class:`Contract` or raises
:class:`~pytest_cors.errors.ContractError` listing every problem as ``FILE:LINE:COL: message``.
The format is described in ``docs/contracts.md`` and, for editors, by :func:`schema_path`.

Importing this package does not import PyYAML; loading a file does.
"""

from __future__ import annotations

from pathlib import Path

from pytest_cors.contract.loader import (
    MAX_ALIAS_NODES,
    MAX_CONTRACT_BYTES,
    MAX_DEPTH,
    SUPPORTED_VERSIONS,
    load_contract,
    load_contract_text,
    load_yaml_data,
)
from pytest_cors.contract.model import (
    BROWSER_PROFILES,
    AllowedFinding,
    Contract,
    ContractTarget,
    Mark,
    MaxAgeBounds,
    OriginRule,
    Policy,
)


def schema_path() -> Path:
    """The JSON Schema (draft 2020-12) of the contract format, as installed with the package."""
    return Path(__file__).with_name("schema.json")


__all__ = [
    "BROWSER_PROFILES",
    "MAX_ALIAS_NODES",
    "MAX_CONTRACT_BYTES",
    "MAX_DEPTH",
    "SUPPORTED_VERSIONS",
    "AllowedFinding",
    "Contract",
    "ContractTarget",
    "Mark",
    "MaxAgeBounds",
    "OriginRule",
    "Policy",
    "load_contract",
    "load_contract_text",
    "load_yaml_data",
    "schema_path",
]
