"""The deprecated ``private_network`` key: old contracts still load, with a warning about LNA."""

import warnings

import pytest

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.deprecations import ContractDeprecationWarning

POLICY = """\
version: 1
policies:
  - name: device
    paths: [/status]
    origins: {allow: [https://app.example.com]}
"""


@pytest.mark.parametrize("value", ["true", "false"])
def test_private_network_still_loads_with_a_warning_naming_its_line(value):
    text = POLICY + f"    private_network: {value}\n"
    with pytest.warns(ContractDeprecationWarning) as caught:
        contract = load_contract_text(text, "cors.yaml")
    assert contract.policies[0].private_network is (value == "true")
    [warning] = caught
    message = str(warning.message)
    assert message.startswith("cors.yaml:6:5: 'private_network' is deprecated")
    assert "Local Network Access" in message
    assert "'local-network' or 'loopback-network' permission" in message


def test_a_key_in_defaults_warns_once_for_every_policy_inheriting_it():
    text = POLICY.replace("policies:", "defaults: {private_network: true}\npolicies:")
    text += "  - {name: other, paths: [/other], origins: {allow: [https://app.example.com]}}\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        load_contract_text(text, "cors.yaml")
    assert [str(w.message).split(":")[:2] for w in caught] == [["cors.yaml", "2"]]


def test_without_the_key_nothing_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_contract_text(POLICY, "cors.yaml")
