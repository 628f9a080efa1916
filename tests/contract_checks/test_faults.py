"""``faults``: the checks a policy gets (one per fault and allowed origin, not per path), and
one finding per cause when a server reflects any origin. What each framework really does with
the faults is measured in tests/frameworks (``test_error_answers_carry_cors``)."""

from __future__ import annotations

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import FINDINGS, build_checks, failing
from pytest_cors.run import check_contract

from .apps import flask_reflect

CONTRACT = """\
version: 1
policies:
  - name: api
    paths: [/items, /items/1, /items/2]
    origins:
      allow: [https://app.example.com, https://admin.example.com]
    methods: [GET, PUT]
{extra}"""


def contract(extra=""):
    return load_contract_text(CONTRACT.format(extra=extra), "c.yaml", known_findings=FINDINGS)


def faults(checks):
    return [(c.fault, c.method, c.path, c.origin) for c in checks if c.kind == "fault"]


def test_one_request_per_fault_and_allowed_origin_not_per_path():
    built = faults(build_checks(contract(), live=False))
    assert [(f, m) for f, m, _, _ in built] == [
        ("not_found", "GET"),
        ("not_found", "GET"),
        ("method_not_allowed", "POST"),
        ("method_not_allowed", "POST"),
        ("exception", "GET"),
        ("exception", "GET"),
    ]
    assert built[0][2].startswith("/items/pytest-cors-")


def test_live_targets_get_no_exception_and_an_explicit_list_wins():
    assert {f for f, *_ in faults(build_checks(contract(), live=True))} == {
        "not_found",
        "method_not_allowed",
    }
    assert faults(build_checks(contract("    faults: []\n"), live=False)) == []
    only = faults(build_checks(contract("    faults: [exception]\n"), live=True))
    assert {f for f, *_ in only} == {"exception"}


def test_a_reflecting_server_gets_one_id_for_every_look_alike_that_got_in():
    results = check_contract(contract("    faults: []\n"), flask_reflect)
    ids = {f.id for check, found in results if check.kind == "origin" for f in failing(found)}
    assert ids == {"CORS-REFLECT"}
    look_alikes = [
        found
        for check, found in results
        if check.kind == "origin" and check.attack not in ("random-origin", None) and failing(found)
    ]
    assert len(look_alikes) > 5
    assert all("reflects any origin" in f[0].message for f in look_alikes)
