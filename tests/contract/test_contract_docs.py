"""docs/contracts.md documents every key the loader knows and shows every example contract."""

import re
from pathlib import Path

import pytest

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.keys import POLICY_KEYS as _POLICY_KEYS
from pytest_cors.contract.keys import TOP_KEYS as _TOP_KEYS
from pytest_cors.errors import ContractError

ROOT = Path(__file__).parent.parent.parent
PAGE = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
SUBKEYS = ["target.app", "target.base_url", "origins.allow", "origins.deny", "max_age.min"]


@pytest.mark.parametrize("key", sorted({*_TOP_KEYS, *_POLICY_KEYS}))
def test_every_key_has_a_row_or_a_heading(key):
    assert re.search(rf"^(\| `{key}` |\| \[`{key}`\]|#+ `{key}`)", PAGE, re.MULTILINE), key


@pytest.mark.parametrize("key", SUBKEYS)
def test_nested_keys_are_documented(key):
    child = key.split(".")[1]
    assert f"`{key}`" in PAGE or f"| `{child}` |" in PAGE


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples" / "contracts").glob("*.yaml")), ids=lambda p: p.name
)
def test_every_example_contract_is_shown_in_the_page_exactly(path):
    assert f"```yaml\n{path.read_text(encoding='utf-8')}```\n" in PAGE


def test_the_page_names_the_schema_comment_and_the_limits():
    assert "# yaml-language-server: $schema=" in PAGE
    assert "1 MiB" in PAGE
    assert "10 000 values" in PAGE
    assert "32 levels" in PAGE


def test_the_page_says_to_quote_a_query_in_a_flow_list_as_the_loader_does():
    text = " ".join(PAGE.split())
    wrong, right = "paths: [/items, /items?page=2]", 'paths: [/items, "/items?page=2"]'
    assert f"`{wrong}` is a YAML syntax error" in text
    assert f"`{right}`" in text
    contract = "version: 1\npolicies:\n  - name: api\n    {}\n    public: true\n"
    assert load_contract_text(contract.format(right)).policies[0].paths == (
        "/items",
        "/items?page=2",
    )
    with pytest.raises(ContractError, match='quote the item, as in "/items\\?page=2"'):
        load_contract_text(contract.format(wrong))
