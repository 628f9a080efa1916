"""Whatever it is fed, the loader returns a Contract or raises ContractError, nothing else.

Inputs: random YAML documents built from the contract's own vocabulary (so that they reach
deep into validation), random token soup, random text and bytes, and random mutations of the
valid contracts (text edits and structural edits). Every diagnostic must be one well-formed
``FILE:LINE:COL: message`` line, and loading is deterministic.
"""

import json
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_cors.contract import Contract, load_contract, load_contract_text, load_yaml_data
from pytest_cors.contract.keys import POLICY_KEYS as _POLICY_KEYS
from pytest_cors.contract.keys import TOP_KEYS as _TOP_KEYS
from pytest_cors.errors import ContractError

HERE = Path(__file__).parent
VALID_TEXTS = [
    p.read_text(encoding="utf-8")
    for p in sorted((HERE.parent.parent / "examples" / "contracts").glob("*.yaml"))
    + sorted((HERE / "valid").glob("*.yaml"))
]
FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_N", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# contracts here may use the deprecated private_network key; tests/contract/test_lna_contract.py
# checks its warning
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest_cors.contract.deprecations.ContractDeprecationWarning"
)


def outcome(text: str, filename: str = "f.yaml"):
    """Load ``text``; fail the test on anything but a Contract or a well-formed ContractError."""
    try:
        result = load_contract_text(text, filename)
    except ContractError as exc:
        error = exc
    else:
        error = None
    if error is not None:
        assert error.diagnostics, "a ContractError must say what is wrong"
        for d in error.diagnostics:
            assert d.file == filename
            assert d.line >= 1
            assert d.column >= 1
            assert d.message
            assert "\n" not in d.message
            assert "\r" not in d.message
            assert len(d.message) <= 500
        assert str(error) == "\n".join(str(d) for d in error.diagnostics)
        return [str(d) for d in error.diagnostics]
    assert isinstance(result, Contract)
    assert result.policies
    for policy in result.policies:
        for field in ("name", "paths", "methods[0]", "origins.allow[0]", "nonsense"):
            mark = policy.where(field)
            assert mark.file == filename
            assert mark.line >= 1
            assert mark.column >= 1
    return result


# -- random documents in the contract's vocabulary ------------------------------------------

WORDS = [
    *_TOP_KEYS,
    *_POLICY_KEYS,
    "allow",
    "deny",
    "min",
    "max",
    "app",
    "base_url",
    "id",
    "reason",
    "regex",
    "<<",
    "polices",
]
SCALARS = st.one_of(
    st.sampled_from(
        [
            1,
            2,
            0,
            -1,
            True,
            False,
            None,
            1.5,
            "",
            "/items",
            "items",
            "https://app.example.com",
            "https://app.example.com/",
            "https://*.example.com",
            "null",
            "*",
            "GET",
            "get",
            "TRACE",
            "Cookie",
            "X-Request-Id",
            "chromium",
            "shop:app",
            "https://x.example.com",
            "^https://a$",
            "re:^a$",
            "yes",
        ]
    ),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
)
KEYS = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=5),
    ),
    max_leaves=30,
)


@FUZZ
@given(
    document=st.one_of(
        DOCUMENTS,
        st.fixed_dictionaries(
            {"version": st.just(1), "policies": st.lists(DOCUMENTS, min_size=1, max_size=3)},
            optional={"defaults": DOCUMENTS, "target": DOCUMENTS, "browsers": DOCUMENTS},
        ),
    ),
    flow=st.sampled_from([None, True, False]),
)
def test_random_yaml_documents(document, flow):
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    first = outcome(text)
    assert outcome(text) == first or isinstance(first, Contract)


# -- token soup and raw text ----------------------------------------------------------------

TOKENS = st.sampled_from(
    [
        "version: 1\n",
        "policies:\n",
        "- ",
        "  ",
        "\t",
        "\n",
        ": ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&a ",
        "*a",
        "&b [*a, *a] ",
        "*b",
        "!!str ",
        "!!python/object ",
        "!x ",
        "---\n",
        "...\n",
        "'",
        '"',
        "# c\n",
        "|\n",
        ">-\n",
        "? ",
        "%YAML 1.2\n",
        "<<: ",
        "name: a\n",
        "paths: [/a]\n",
        "public: true\n",
        "\ufeff",
        "\x00",
        "\x85",
        "\u2028",
        "é",
        "\udc80",
    ]
)


@FUZZ
@given(parts=st.lists(TOKENS, max_size=40))
def test_random_token_soup(parts):
    outcome("".join(parts))


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text(text):
    outcome(text)


@FUZZ
@given(data=st.binary(max_size=200))
def test_random_bytes_from_a_file(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_bytes(data)
    try:
        result: object = load_contract(path)
    except ContractError as exc:
        result = exc
    if isinstance(result, ContractError):
        assert result.diagnostics
        assert all(
            d.file == str(path) and d.line >= 1 and d.column >= 1 for d in result.diagnostics
        )
    else:
        assert isinstance(result, Contract)


# -- mutations of valid contracts -----------------------------------------------------------

INSERTS = ["\n", "  ", "- ", ": ", "[", "}", "*a", "&a ", "'", "#", "\t", "x", "-1", "null", "/"]


@FUZZ
@given(
    source=st.sampled_from(VALID_TEXTS),
    seed=st.integers(min_value=0, max_value=2**32),
    edits=st.integers(min_value=1, max_value=6),
)
def test_text_mutations_of_valid_contracts(source, seed, edits):
    rng = random.Random(seed)
    text = source
    for _ in range(edits):
        lines = text.split("\n")
        op = rng.randrange(6)
        at = rng.randrange(len(text) + 1)
        if op == 0 and text:  # delete a slice
            text = text[:at] + text[at + rng.randrange(1, 20) :]
        elif op == 1:  # insert a token
            text = text[:at] + rng.choice(INSERTS) + text[at:]
        elif op == 2:  # duplicate a line
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == 3:  # swap two lines
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 4:  # re-indent a line
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.randrange(8) + lines[i].lstrip()
            text = "\n".join(lines)
        elif text:  # replace one character
            text = text[:at] + chr(rng.randrange(0x20, 0x250)) + text[at + 1 :]
    outcome(text)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@FUZZ
@given(
    source=st.sampled_from(VALID_TEXTS),
    seed=st.integers(min_value=0, max_value=2**32),
    replacement=DOCUMENTS,
    action=st.sampled_from(["replace", "delete", "rename", "wrap"]),
)
def test_structural_mutations_of_valid_contracts(source, seed, replacement, action):
    data = load_yaml_data(source)
    rng = random.Random(seed)
    path = rng.choice([p for p in _paths(data) if p])
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "replace":
        parent[last] = replacement
    elif action == "delete":
        del parent[last]
    elif action == "wrap":
        parent[last] = [parent[last]]
    elif isinstance(last, str):
        parent[last[:-1] or "x"] = parent.pop(last)
    else:
        parent[last] = {str(replacement)[:5]: parent[last]}
    for text in (yaml.safe_dump(data), json.dumps(data, default=str)):
        outcome(text)


def test_the_mutated_sources_are_valid_to_begin_with():
    assert len(VALID_TEXTS) >= 6
    for text in VALID_TEXTS:
        assert isinstance(outcome(text), Contract)
