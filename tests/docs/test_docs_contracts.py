"""The contract reference documents every key of the JSON Schema; the example contract is valid."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from docs_helpers import DOCS, EXAMPLES

from pytest_cors.contract import load_contract, schema_path

SCHEMA = json.loads(schema_path().read_text())
REFERENCE = DOCS / "contracts.md"


def property_names(node: object) -> Iterator[str]:
    """Every key the schema defines anywhere: top level, policies, defaults and nested objects."""
    if isinstance(node, dict):
        yield from node.get("properties", {})
        for value in node.values():
            yield from property_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from property_names(item)


KEYS = sorted(set(property_names(SCHEMA)))


def test_the_schema_scan_sees_the_fixed_keys():
    fixed = {"version", "target", "app", "base_url", "defaults", "policies", "name", "paths",
             "origins", "allow", "deny", "methods", "request_headers", "expose_headers",
             "credentials", "max_age", "min", "max", "public", "cors"}  # fmt: skip
    assert fixed <= set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_every_schema_key_is_in_the_contract_reference(key):
    assert REFERENCE.exists(), (
        "docs/contracts.md (the contract reference) is missing: it must document every key "
        "of pytest_cors/contract/schema.json"
    )
    text = REFERENCE.read_text()
    assert re.search(rf"`{re.escape(key)}`|\b{re.escape(key)}:", text), (
        f"docs/contracts.md does not document the schema key {key!r}"
    )


def test_the_getting_started_contract_loads_and_matches_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    path = EXAMPLES / "getting-started" / "cors.yaml"
    contract = load_contract(path)
    assert [p.name for p in contract.policies] == ["items"]
    jsonschema.validate(yaml.safe_load(path.read_text()), SCHEMA)
