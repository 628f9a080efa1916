"""Hostile YAML is refused quickly and in bounded memory, with a line to point at.

No test here measures time: each checks that the loader stops (a ContractError naming the
alias or the nesting) and, for the expansion attacks, that the memory it allocated on the way
stays small (``tracemalloc`` peak), which a loader that expanded the aliases could not meet.
"""

import itertools
import tracemalloc

import pytest

from pytest_cors.contract import MAX_ALIAS_NODES, MAX_DEPTH, load_contract_text
from pytest_cors.errors import ContractError

POLICY = "policies: [{name: a, paths: [/a], public: true}]\n"


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """The classic: each level lists ``width`` aliases of the level below."""
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(["lol"] * width) + "]"]
    for below, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{below}"] * width) + "]")
    return "version: 1\ndescription: &d x\nx-laughs:\n" + "".join(f"  {line}\n" for line in lines)


def refused(text: str) -> tuple[list[str], int]:
    """The diagnostics for ``text`` and the peak memory (bytes) allocated while loading it."""
    tracemalloc.start()
    try:
        with pytest.raises(ContractError) as info:
            load_contract_text(text, "bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return [str(d) for d in info.value.diagnostics], peak


def test_billion_laughs_stops_at_the_alias_budget_in_little_memory():
    text = billion_laughs()  # 10**9 strings if expanded
    assert len(text) < 2000
    found, peak = refused(text)
    assert found == [
        # l1 and l2 cost 110 + 1110 values; in l3 each '*l2' costs 1111: the 8th crosses.
        f"bomb.yaml:7:47: alias '*l2' takes the contract beyond {MAX_ALIAS_NODES} values "
        "produced by aliases; repeat less, or use 'defaults'"
    ]
    assert peak < 20 * 1024 * 1024


def test_one_wide_anchor_repeated_many_times_is_refused_too():
    wide = "[" + ", ".join(["x"] * 1000) + "]"
    text = f"version: 1\na: &w {wide}\nb: [" + ", ".join(["*w"] * 1000) + "]\n" + POLICY
    found, peak = refused(text)
    assert len(found) == 1
    assert "alias '*w' takes the contract beyond" in found[0]
    assert found[0].startswith("bomb.yaml:3:")
    assert peak < 20 * 1024 * 1024


@pytest.mark.parametrize(("copies", "over"), [(99, False), (100, False), (101, True)])
def test_the_alias_budget_counts_every_value_an_alias_produces(copies, over):
    # The anchor holds 100 values (the list and its 99 items); 100 aliases produce 10 000.
    anchor = "[" + ", ".join(["x"] * 99) + "]"
    text = (
        f"version: 1\nx-data: {{a: &a {anchor}, b: [" + ", ".join(["*a"] * copies) + "]}\n" + POLICY
    )
    found, _ = refused(text)  # the unknown key 'x-data' is always an error
    assert any("takes the contract beyond" in f for f in found) is over
    assert 100 * copies > MAX_ALIAS_NODES or not over


def test_a_recursive_alias_is_reported_not_followed():
    found, _ = refused("version: 1\ndescription: &d [a, *d]\n" + POLICY)
    assert found == [
        "bomb.yaml:2:14: 'description' must be a string, got a list",
        "bomb.yaml:2:21: alias '*d' is used inside its own anchor (a recursive value)",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "- " * 100_000,
        "{a: " * 50_000,
        "a:\n" + "".join(" " * i + "a:\n" for i in range(1, 200)),
    ],
    ids=["flow-lists", "block-lists", "flow-maps", "block-maps"],
)
def test_deep_nesting_is_refused_at_the_depth_bound_not_by_the_stack(text):
    found, _ = refused(text)
    assert len(found) == 1
    assert found[0].endswith(f"values nest deeper than {MAX_DEPTH} levels")


def test_nesting_through_a_chain_of_aliases_is_bounded_too():
    chain = "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 60))
    found, _ = refused("version: 1\na0: &a0 [x]\n" + chain + POLICY)
    assert len(found) == 1
    assert found[0].endswith(f"values nest deeper than {MAX_DEPTH} levels (through aliases)")


def test_a_long_scalar_is_fine_but_its_echo_in_a_message_is_cut():
    found, _ = refused("version: 1\npolicies: [{name: a, paths: [" + "x" * 100_000 + "]}]\n")
    assert all(len(f) < 600 for f in found)
    assert any(f.endswith("...") for f in found)
