"""Hostile YAML is refused quickly and in bounded memory, with a line to point at.

No test here measures time: each checks that the loader stops (a ContractError naming the
alias or the nesting) and, for the expansion attacks, that the memory it allocated on the way
stays small (``tracemalloc`` peak), which a loader that expanded the aliases could not meet.
"""

import itertools
import sys
import tracemalloc
from pathlib import Path

import pytest

from pytest_cors.contract import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    checks,
    diagnostics,
    drafts,
    keys,
    load_contract,
    load_contract_text,
    loader,
    model,
    regex_judge,
    validate_contract,
    validate_origins,
    validate_policy,
    validate_values,
    yaml_source,
)
from pytest_cors.errors import ContractError

# contracts here may use the deprecated private_network key; tests/contract/test_lna_contract.py
# checks its warning
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest_cors.contract.deprecations.ContractDeprecationWarning"
)


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


# -- scale: the number of checks, and loading in linear time ---------------------------------


def many_paths(count: int, *, browsers: str = "") -> str:
    paths = ", ".join(f"/r{i}" for i in range(count))
    return (
        f"version: 1\n{browsers}defaults: {{faults: []}}\npolicies:\n  - name: small\n"
        "    paths: [/a]\n    origins: {allow: [https://app.example.com]}\n"
        f"  - name: big\n    paths: [{paths}]\n    origins: {{allow: [https://app.example.com]}}\n"
    )


def test_a_policy_past_the_check_bound_is_refused_by_name_before_any_check_is_built(monkeypatch):
    contract = load_contract_text(many_paths(20_000), "big.yaml")

    def build(*args):
        raise AssertionError("a check was built")

    monkeypatch.setattr(checks, "_policy_checks", build)
    with pytest.raises(ContractError) as info:
        checks.build_checks(contract)
    (diagnostic,) = info.value.diagnostics
    per_path = checks.count_checks(
        contract.policies[0], checks._policy_probes(contract.policies[0], 1), 1
    )
    count = per_path * 20_000
    assert str(diagnostic) == (
        f"big.yaml:7:5: policy 'big' (big.yaml:7) would make {count} checks (20000 paths), more "
        f"than the {checks.MAX_CHECKS} a contract may make; list fewer paths (one per route is "
        "enough) or split the policy across contract files"
    )
    assert count == 980_000  # the million, less the PNA checks (gone with LNA)


def test_the_bound_counts_every_browser_and_the_policies_before(monkeypatch):
    browsers = "browsers: [chromium, firefox]\n"
    contract = load_contract_text(many_paths(3, browsers=browsers), "c.yaml")
    small, big = (checks.count_checks(p, checks._policy_probes(p, 1), 2) for p in contract.policies)
    assert big == 3 * small  # the same policy with 3 paths instead of 1
    monkeypatch.setattr(checks, "MAX_CHECKS", small + big)
    assert len(checks.build_checks(contract)) <= small + big  # exactly at the bound
    monkeypatch.setattr(checks, "MAX_CHECKS", small + big - 1)
    with pytest.raises(ContractError) as info:
        checks.build_checks(contract)
    assert [str(d) for d in info.value.diagnostics] == [
        f"c.yaml:8:5: policy 'big' (c.yaml:8) would take the contract to {small + big} checks "
        f"(it makes {big}), more than the {small + big - 1} a contract may make; split the "
        "policies across several contract files"
    ]
    # --cors-browser runs one profile: the same contract then fits
    checks.build_checks(contract, browser="firefox")


VALID = sorted((Path(__file__).parent / "valid").glob("*.yaml")) + sorted(
    (Path(__file__).parent.parent.parent / "examples" / "contracts").glob("*.yaml")
)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_the_check_count_is_what_the_builders_make(path):
    contract = load_contract(path)
    seed = checks.resolved_seed(contract)
    for policy, probes, browsers in checks._bounded(contract, seed, None):
        built = checks._policy_checks(contract.file, policy, seed, probes)
        assert checks.count_checks(policy, probes, len(browsers)) == len(built) * len(browsers)


def loader_steps(text: str) -> int:
    """Lines the loader's own code executes to load ``text`` (PyYAML's parser, linear by
    construction, is left out): an operation count, the same on every machine and every run."""
    own = {
        module.__file__
        for module in (
            loader,
            yaml_source,
            keys,
            drafts,
            validate_values,
            validate_origins,
            validate_policy,
            validate_contract,
            regex_judge,
            diagnostics,
            model,
        )
    }
    steps = 0

    def count(frame, event, arg):
        nonlocal steps
        steps += 1
        return count

    def enter(frame, event, arg):
        return count(frame, event, arg) if frame.f_code.co_filename in own else None

    before = sys.gettrace()
    sys.settrace(enter)
    try:
        load_contract_text(text, "scale.yaml")
    finally:
        sys.settrace(before)
    return steps


def policies(n: int) -> str:
    return "version: 1\npolicies:\n" + "".join(
        f"- {{name: p{i}, paths: [/{i}], origins: {{allow: [https://a{i}.example.com]}}}}\n"
        for i in range(n)
    )


def big_defaults(n: int) -> str:
    """``n`` policies inheriting ``n`` allowed, ``n`` denied origins and ``n`` error paths."""
    allow = ", ".join(f"https://a{i}.example.com" for i in range(n))
    deny = ", ".join(f"https://d{i}.example.net" for i in range(n))
    errors = ", ".join(f"/e{i}" for i in range(n))
    return (
        f"version: 1\ndefaults:\n  origins: {{allow: [{allow}], deny: [{deny}]}}\n"
        f"  error_paths: [{errors}]\npolicies:\n"
        + "".join(f"- {{name: p{i}, paths: [/{i}]}}\n" for i in range(n))
    )


def wide_policy(n: int) -> str:
    """One policy with ``n`` allowed origins and patterns, ``n`` denied, ``n`` paths."""
    allow = ", ".join(f"https://a{i}.example.com, 'https://*.s{i}.example.com'" for i in range(n))
    deny = ", ".join(f"https://d{i}.example.net" for i in range(n))
    paths = ", ".join(f"/p{i}" for i in range(n))
    errors = ", ".join(f"/e{i}" for i in range(n))
    return (
        f"version: 1\npolicies:\n- name: p\n  paths: [{paths}]\n  error_paths: [{errors}]\n"
        f"  origins: {{allow: [{allow}], deny: [{deny}]}}\n"
    )


@pytest.mark.parametrize("shape", [policies, big_defaults, wide_policy], ids=lambda f: f.__name__)
def test_loading_takes_steps_linear_in_the_size_of_the_contract(shape):
    # Twice the contract, about twice the steps: a loader that compares every policy with
    # every other, or every denied origin with every allowed one, takes four times as many.
    small, large = loader_steps(shape(150)), loader_steps(shape(300))
    assert large < 2.3 * small, (small, large)
