"""Every page that describes the contract's seed gives the default the code uses.

The truth comes from the code: a contract without ``seed``, run without ``--cors-seed``, is
checked with :data:`pytest_cors.probes.DEFAULT_SEED`, a fixed number (not a random one).
"""

from __future__ import annotations

import re

import pytest
from docs_helpers import DOCS
from docs_pages import read, sections

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import build_checks, resolved_seed
from pytest_cors.probes import DEFAULT_SEED, random_origin

UNSEEDED = "version: 1\npolicies: [{name: api, paths: [/a], origins: {allow: [https://a.test]}}]"

# (page, heading level, heading) of each passage that states the default
PASSAGES = [
    ("contracts.md", 3, "`seed`"),
    ("contract-checks.md", 3, "Seeds"),
    ("ci.md", 2, "Reproducible probes"),
]
STATES_THE_DEFAULT = re.compile(
    rf"(else|without it,? the seed is|default(s| is)?:?) `{DEFAULT_SEED}`", re.IGNORECASE
)
SAYS_RANDOM_DEFAULT = re.compile(
    r"without (it|a seed)[^.]*\b(random|chosen|drawn)|none \(random", re.IGNORECASE
)


def passage(page: str, level: int, heading: str) -> str:
    return " ".join(sections(read(DOCS / page), level)[heading].split())


def test_the_default_seed_is_the_fixed_one_in_the_code():
    contract = load_contract_text(UNSEEDED)
    assert contract.seed is None
    assert resolved_seed(contract) == DEFAULT_SEED
    assert isinstance(DEFAULT_SEED, int)
    origins = {check.origin for check in build_checks(contract)}
    assert random_origin(DEFAULT_SEED, "api") in origins  # the probes really use it


@pytest.mark.parametrize(("page", "level", "heading"), PASSAGES, ids=[p[0] for p in PASSAGES])
def test_each_page_states_the_real_default(page, level, heading):
    text = passage(page, level, heading)
    assert STATES_THE_DEFAULT.search(text), f"{page} ({heading}) must say the default is 1"
    assert not SAYS_RANDOM_DEFAULT.search(text), f"{page} ({heading}) says the default is random"


def test_the_contract_reference_table_gives_the_default():
    (row,) = [
        line for line in read(DOCS / "contracts.md").splitlines() if line.startswith("| `seed` |")
    ]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[3] == f"`{DEFAULT_SEED}`", row  # the "default" column
