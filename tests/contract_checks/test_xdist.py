"""Contracts under pytest-xdist: the checks are shared out among workers, each reports as its
own item, and the summary and ``--cors-report`` gather every worker's records."""

from __future__ import annotations

import json

import xdist  # noqa: F401  # in the test extra: missing, this module errors instead of skipping

APPS = "tests.contract_checks.apps"


def test_a_contract_split_over_two_workers_reports_like_one_process(project):
    args = ["-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_null"]
    alone = project.runpytest(*args, "--cors-report=alone.json").parseoutcomes()
    split = project.runpytest(*args, "-p", "no:benchmark", "-n", "2", "--cors-report=split.json")
    assert split.parseoutcomes() == alone
    split.stdout.fnmatch_lines(["*2 workers*", "*pytest-cors contract summary*"])
    reports = [
        json.loads((project.path / f"{name}.json").read_text()) for name in ("alone", "split")
    ]
    assert statuses(reports[1]) == statuses(reports[0])
    assert reports[1]["totals"] == reports[0]["totals"]
    assert len(statuses(reports[0])) == 145


def statuses(report: dict) -> list[tuple[str, str]]:
    """(node id, status) of every check in a JSON report, sorted: workers finish in any order."""
    return sorted(
        (check["nodeid"], check["status"])
        for contract in report["contracts"]
        for policy in contract["policies"]
        for check in policy["checks"]
    )
