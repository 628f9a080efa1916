"""Every malformed contract in ``malformed/`` fails with exactly the diagnostics beside it.

Each ``NAME.yaml`` has a ``NAME.expected`` holding the exact ``FILE:LINE:COL: message`` lines
the loader must report, in order. Adding a case is adding the two files.
"""

from pathlib import Path

import pytest

from pytest_cors.contract import load_contract
from pytest_cors.errors import ContractError

# contracts here may use the deprecated private_network key; tests/contract/test_lna_contract.py
# checks its warning
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest_cors.contract.deprecations.ContractDeprecationWarning"
)


MALFORMED = Path(__file__).parent / "malformed"
CASES = sorted(MALFORMED.glob("*.yaml"))


def test_every_case_has_its_expected_errors_and_there_are_many():
    expected = sorted(MALFORMED.glob("*.expected"))
    assert [p.stem for p in CASES] == [p.stem for p in expected]
    assert len(CASES) >= 60


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_malformed_contract_reports_exactly_the_expected_errors(path, monkeypatch):
    monkeypatch.chdir(MALFORMED)
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ContractError) as info:
        load_contract(path.name)
    assert [str(d) for d in info.value.diagnostics] == expected
    assert str(info.value) == "\n".join(expected)
    assert all(
        d.file == path.name and d.line >= 1 and d.column >= 1 for d in info.value.diagnostics
    )
