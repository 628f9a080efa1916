"""The shipped JSON Schema and the loader agree.

Every example contract and valid fixture passes both; every malformed contract that is a YAML
document at all is refused by the loader, and by the schema too unless its problem is one a
JSON Schema cannot express (listed below, with the reason). Single values are compared one by
one, and by property-based tests over the shapes users type.
"""

import json
import string
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_cors.contract import (
    BROWSER_PROFILES,
    load_contract,
    load_contract_text,
    load_yaml_data,
    schema_path,
)
from pytest_cors.engine.request import _FORBIDDEN_HEADERS
from pytest_cors.errors import ContractError

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
VALID = sorted((ROOT / "examples" / "contracts").glob("*.yaml")) + sorted(
    (HERE / "valid").glob("*.yaml")
)

# contracts here may use the deprecated private_network key; tests/contract/test_lna_contract.py
# checks its warning
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest_cors.contract.deprecations.ContractDeprecationWarning"
)

MALFORMED = sorted((HERE / "malformed").glob("*.yaml"))

# Problems that need more than one value at a time, which JSON Schema cannot compare.
SCHEMA_CANNOT_SEE = {
    "allow-empty-list": "needs to know whether defaults or public/cors decide instead",
    "no-allowed-origin": "needs to know whether defaults supply origins.allow",
    "allow-findings-duplicate": "same id with different reasons: uniqueItems compares whole items",
    "header-duplicate-case": "uniqueItems is case-sensitive, header names are not",
    "defaults-max-age-conflict": "compares numbers across defaults and a policy",
    "max-age-min-above-max": "compares two numbers",
    "deny-allowed-origin": "matches origins against patterns",
    "probe-allowed-origin": "matches origins against patterns",
    "duplicate-policy-name": "uniqueness of one field across items",
    "error-path-also-path": "compares two lists",
    "regex-does-not-compile": "JSON Schema cannot compile a Python regular expression",
    "pattern-public-suffix-list": "needs the public suffix list",
    "regex-admits-every-origin": "judges a regex by the origins it admits",
    "regex-admits-null": "judges a regex by the origins it admits",
    "regex-split-alternation": "judges a regex by the origins it admits",
    "regex-other-owner": "judges a regex by the origins it admits",
    "regex-scheme-open": "judges a regex by the origins it admits",
    "regex-backtracking": "judges the structure of a regex",
    "initiators-duplicate": "'img' and {element: img} are one initiator in two spellings",
    "initiators-use-credentials-without-credentials": "compares an initiator with 'credentials'",
}


class Schema:
    """The shipped schema as a validator, with a short repr for hypothesis' reports."""

    def __init__(self) -> None:
        schema = json.loads(schema_path().read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        self.validator = jsonschema.Draft202012Validator(schema)

    def iter_errors(self, data):
        return self.validator.iter_errors(data)

    def __repr__(self) -> str:
        return "<contract schema>"


@pytest.fixture(scope="module")
def validator():
    return Schema()


def schema_ok(validator, data) -> bool:
    return not list(validator.iter_errors(data))


def test_the_schema_ships_inside_the_package_and_declares_draft_2020_12():
    path = schema_path()
    assert path.parent.name == "contract"
    assert path.parent.parent.name == "pytest_cors"
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$defs"]["browsers"]["items"]["enum"] == list(BROWSER_PROFILES)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_example_is_valid_for_the_loader_and_the_schema(path, validator):
    assert load_contract(path).policies
    data = load_yaml_data(path.read_text(encoding="utf-8"), path.name)
    assert list(validator.iter_errors(data)) == []


def test_examples_point_editors_at_the_schema():
    for path in sorted((ROOT / "examples" / "contracts").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../pytest_cors/contract/schema.json"


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.stem)
def test_malformed_contracts_are_refused_by_the_schema_too(path, validator):
    with pytest.raises(ContractError):
        load_contract(path)
    try:
        data = load_yaml_data(path.read_bytes().decode("utf-8"), path.name)
    except (ContractError, UnicodeDecodeError):
        # Not a YAML document the schema could be applied to (syntax, encoding, aliases...).
        assert path.stem not in SCHEMA_CANNOT_SEE
        return
    assert schema_ok(validator, data) is (path.stem in SCHEMA_CANNOT_SEE)


def test_the_blind_spots_are_real_cases():
    assert set(SCHEMA_CANNOT_SEE) <= {p.stem for p in MALFORMED}


# -- value by value -------------------------------------------------------------------------


def contract_with(field: str, value) -> dict:
    """A minimal valid contract (as data) whose policy sets ``field`` to ``value``."""
    policy = {"name": "p", "paths": ["/a"], "origins": {"allow": ["https://a.example.com"]}}
    if field.startswith("origins."):
        policy["origins"][field.split(".")[1]] = value
    else:
        policy[field] = value
    return {"version": 1, "policies": [policy]}


def loader_ok(data) -> bool:
    try:
        load_contract_text(json.dumps(data), "c.json")  # JSON is YAML
    except ContractError:
        return False
    return True


VALUE_TABLE = [
    ("origins.allow", ["https://app.example.com"], True),
    ("origins.allow", ["http://localhost:3000", "null", "http://[::1]:8080"], True),
    ("origins.allow", ["https://*.example.com", "http://*.localhost:8000"], True),
    ("origins.allow", [{"regex": "^https://(a|b)\\.example\\.com$"}], True),
    ("origins.allow", ["https://app.example.com/"], False),
    ("origins.allow", ["https://app.example.com:443"], False),
    ("origins.allow", ["http://app.example.com:80"], False),
    ("origins.allow", ["https://App.example.com"], False),
    ("origins.allow", ["app.example.com"], False),
    ("origins.allow", ["wss://app.example.com"], False),
    ("origins.allow", ["*"], False),
    ("origins.allow", ["https://*.com"], False),
    ("origins.allow", ["https://a.*.example.com"], False),
    ("origins.allow", ["re:^https://a$"], False),
    ("origins.allow", [{"regex": "https://a"}], False),
    ("origins.allow", [{"regex": "^https://a\\$"}], False),
    ("origins.allow", [{"regex": "^a$", "flags": "i"}], False),
    ("origins.allow", ["https://app.example.com", "https://app.example.com"], False),
    ("origins.deny", ["https://evil.example.net", "null"], True),
    ("origins.deny", ["https://app.example.com`.evil.net"], True),
    ("origins.deny", ["https://*.evil.net"], False),
    ("methods", ["GET", "PATCH", "M-SEARCH", "x-custom"], True),
    ("methods", ["get"], False),
    ("methods", ["Patch"], False),
    ("methods", ["TRACE"], False),
    ("methods", ["*"], False),
    ("methods", ["P UT"], False),
    ("methods", [], False),
    ("methods", "GET", False),
    ("request_headers", ["Authorization", "Content-Type", "X-Request-Id"], True),
    ("request_headers", ["Cookie"], False),
    ("request_headers", ["sec-fetch-mode"], False),
    ("request_headers", ["Access-Control-Allow-Origin"], False),
    ("request_headers", ["X Y"], False),
    ("expose_headers", ["X-Total-Count", "ETag"], True),
    ("expose_headers", ["set-cookie"], False),
    ("expose_headers", ["*"], False),
    ("paths", ["/", "/a?b=c&d=%20"], True),
    ("paths", ["a"], False),
    ("paths", ["//a"], False),
    ("paths", ["/a#b"], False),
    ("paths", ["/a b"], False),
    ("paths", ["/é"], False),
    ("paths", [], False),
    ("error_paths", [], True),
    ("name", "spa-api.v2", True),
    ("name", "spa api", False),
    ("max_age", {"min": 0, "max": 86400}, True),
    ("max_age", {"min": -1}, False),
    ("max_age", {}, False),
    ("max_age", 60, False),
    ("credentials", True, True),
    ("credentials", "yes", False),
    ("browsers", ["chromium", "safari"], True),
    ("browsers", ["chrome"], False),
    ("browsers", ["firefox", "firefox"], False),
    ("browsers", [], False),
    ("probes", ["http://app.example.com"], True),
    ("allow_findings", [{"id": "wildcard-origin", "reason": "intended"}], True),
    ("allow_findings", [{"id": "wildcard-origin"}], False),
    ("allow_findings", [{"id": "wildcard-origin", "reason": " "}], False),
    ("allow_findings", [{"id": "1x", "reason": "r"}], False),
    ("private_network", True, True),
    ("vary", None, False),
]


@pytest.mark.parametrize(("field", "value", "ok"), VALUE_TABLE)
def test_loader_and_schema_agree_value_by_value(field, value, ok, validator):
    data = contract_with(field, value)
    assert loader_ok(data) is ok
    assert schema_ok(validator, data) is ok


@pytest.mark.parametrize("name", sorted(_FORBIDDEN_HEADERS))
def test_every_forbidden_request_header_is_refused_by_both(name, validator):
    for spelling in (name, name.upper(), name.title()):
        data = contract_with("request_headers", [spelling])
        assert not loader_ok(data)
        assert not schema_ok(validator, data)


@pytest.mark.parametrize(
    ("top", "ok"),
    [
        ({"target": {"app": "shop.asgi:app"}}, True),
        ({"target": {"base_url": "https://staging.example.com/api"}}, True),
        ({"target": {}}, False),
        ({"target": {"app": "shop:app", "base_url": "https://x.example.com"}}, False),
        ({"target": {"app": "shop"}}, False),
        ({"target": {"base_url": "https://x.example.com/?q"}}, False),
        ({"target": {"base_url": "https://u:p@x.example.com"}}, False),
        ({"seed": 0}, True),
        ({"seed": -1}, False),
        ({"version": 2}, False),
        ({"description": "text"}, True),
        ({"defaults": {"credentials": True, "origins": {"deny": ["https://e.example.net"]}}}, True),
        ({"defaults": {"name": "x"}}, False),
        ({"defaults": {"paths": ["/x"]}}, False),
        ({"defaults": {"public": True, "credentials": True}}, False),
        ({"defaults": {"cors": False, "expose_headers": ["X-A"]}}, False),
        ({"extra": 1}, False),
    ],
)
def test_loader_and_schema_agree_on_top_level_keys(top, ok, validator):
    data = {**contract_with("methods", ["GET"]), **top}
    assert loader_ok(data) is ok
    assert schema_ok(validator, data) is ok


# -- property-based agreement over what users type ------------------------------------------

labels = st.text(alphabet=string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=8)
hosts = (
    st.lists(labels, min_size=1, max_size=4)
    .map(".".join)
    .filter(
        lambda h: not h.split(".")[-1][:1].isdigit()  # numeric last labels are IPv4 territory
    )
    # an 'xn--' label is Punycode, valid or not by IDNA rules no JSON schema can state
    .filter(lambda h: not any(label.startswith("xn--") for label in h.split(".")))
)
origin_like = st.builds(
    lambda scheme, star, host, port, tail, upper: (
        f"{scheme}://{star}{host.upper() if upper else host}{port}{tail}"
    ),
    st.sampled_from(["https"] * 4 + ["http"] * 3 + ["ws", "ftp", "HTTPS"]),
    st.sampled_from([""] * 6 + ["*."] * 3 + ["*", "a.*."]),
    hosts,
    st.sampled_from([""] * 8 + [":80", ":443", ":8080", ":0", ":65535", ":65536", ":080"]),
    st.sampled_from([""] * 10 + ["/", "/x", "?q", "#f"]),
    st.sampled_from([False] * 6 + [True]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry=origin_like)
def test_loader_and_schema_agree_on_origin_spellings(entry, validator):
    data = contract_with("origins.allow", [entry])
    assert loader_ok(data) == schema_ok(validator, data), entry


methods = st.text(alphabet=string.ascii_letters + "-!*_", min_size=1, max_size=8) | st.sampled_from(
    ["get", "Get", "PATCH", "patch", "trace", "Connect", "OPTIONS", "options", "*"]
)


@settings(max_examples=300, deadline=None)
@given(method=methods)
def test_loader_and_schema_agree_on_methods(method, validator):
    data = contract_with("methods", [method])
    assert loader_ok(data) == schema_ok(validator, data), method


header_names = st.text(alphabet=string.ascii_letters + "-_ ", min_size=1, max_size=20) | (
    st.sampled_from(["sec-", "Proxy-", "Access-Control-", "x-"]).flatmap(
        lambda prefix: st.text(alphabet=string.ascii_letters + "-", max_size=8).map(
            lambda rest: prefix + rest
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(name=header_names)
def test_loader_and_schema_agree_on_request_header_names(name, validator):
    data = contract_with("request_headers", [name])
    assert loader_ok(data) == schema_ok(validator, data), name


paths = st.text(alphabet="/?#=&%ab. é\t", max_size=10) | st.text(
    alphabet="/?=&%ab.-~", max_size=10
).map(lambda rest: "/" + rest)


@settings(max_examples=300, deadline=None)
@given(path=paths)
def test_loader_and_schema_agree_on_paths(path, validator):
    data = contract_with("paths", [path])
    assert loader_ok(data) == schema_ok(validator, data), path


base_urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    st.sampled_from(["https://"] * 4 + ["http://", "ftp://", "", "HTTPS://"]),
    st.sampled_from(
        [
            "api.example.com",
            "localhost",
            "127.0.0.1",
            "a-b_c.example",
            "[::1]",
            "[staging",
            "u:p@x.example.com",
            "x y.example.com",
            "",
            "A.Example.COM",
            "b\u00fccher.example",
        ]
    ),
    st.sampled_from([""] * 5 + [":8443", ":0", ":99999", ":65535", ":65536", ":", ":0443"]),
    st.sampled_from([""] * 4 + ["/", "/api/v1", "/a?b", "/a#b", "/a b"]),
)


@settings(max_examples=300, deadline=None)
@given(url=base_urls)
def test_loader_and_schema_agree_on_base_urls(url, validator):
    data = {**contract_with("methods", ["GET"]), "target": {"base_url": url}}
    assert loader_ok(data) == schema_ok(validator, data), url
