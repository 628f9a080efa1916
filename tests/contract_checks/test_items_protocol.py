"""Contract items' lean run-test protocol (``items.lean_protocol``): the same outcomes, reports
and pytest features as pytest's own protocol, with pytest's protocol taken back whenever a
conftest, a mark or an option could tell the difference."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

APPS = "tests.contract_checks.apps"
FULL_PROTOCOL = """
def pytest_runtest_setup(item):
    pass  # a conftest hook of its own: pytest-cors must use pytest's protocol
"""
PRINTING_APP = """
import logging

def app(environ, start_response):
    print("HELLO-FROM-THE-APP", environ["REQUEST_METHOD"])
    logging.getLogger("the.app").warning("LOGGED-BY-THE-APP")
    start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
    return [b"{}"]
"""
SMALL_CONTRACT = """\
version: 1
target:
  app: printing_app:app
policies:
  - name: api
    paths: [/items]
    methods: [GET]
    origins:
      allow: [https://app.example.com]
      deny: [https://evil.example.net]
"""


pytestmark = pytest.mark.usefixtures("ini")


def outcomes(junit: Path) -> dict[str, str]:
    """Test name -> passed/failed/error/skipped, from a JUnit XML file."""
    result = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        result[case.get("name", "")] = (
            {"failure": "failed"}.get(kinds[0], kinds[0]) if kinds else "passed"
        )
    return result


def items_of(reprec) -> list[pytest.Item]:
    (call,) = reprec.getcalls("pytest_collection_finish")
    return [item for item in call.session.items if hasattr(item, "cors_check")]


def test_lean_and_pytest_protocols_report_the_same_outcomes(project):
    args = ["-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_null"]
    lean = project.runpytest(*args, "--junitxml=lean.xml")
    project.makeconftest(FULL_PROTOCOL)
    full = project.runpytest(*args, "--junitxml=full.xml")
    lean_outcomes = outcomes(project.path / "lean.xml")
    assert lean_outcomes == outcomes(project.path / "full.xml")
    assert set(lean_outcomes.values()) == {"passed", "failed"}
    assert lean.parseoutcomes() == full.parseoutcomes()
    lean.stdout.fnmatch_lines(["*[[]CORS-NULL[]]*"])


def test_the_lean_protocol_is_taken_and_drops_each_items_evidence(project):
    reprec = project.inline_run("-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_good")
    reprec.assertoutcome(passed=148)
    items = items_of(reprec)
    assert len(items) == 148
    assert all(item.evidence is None for item in items)  # released by lean_protocol only


def test_a_conftest_hook_of_its_own_gets_pytests_protocol(project):
    project.makeconftest(FULL_PROTOCOL)
    reprec = project.inline_run("-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_good")
    reprec.assertoutcome(passed=148)
    assert all(item.evidence is not None for item in items_of(reprec))


def test_skip_marks_added_by_a_conftest_are_honoured(project):
    project.makeconftest(
        """
import pytest

def pytest_collection_modifyitems(items):
    for item in items:
        if "from null" in item.name:
            item.add_marker(pytest.mark.skip(reason="not today"))
"""
    )
    result = project.runpytest("-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_null")
    counts = result.parseoutcomes()
    assert counts["skipped"] >= 1
    assert "failed" not in counts  # the only broken checks were the skipped null ones


def test_exitfirst_stops_at_the_first_broken_check(project):
    result = project.runpytest("-p", "no:cacheprovider", "-x", "--cors-app", f"{APPS}:flask_null")
    counts = result.parseoutcomes()
    assert counts["failed"] == 1
    assert counts.get("passed", 0) < 147


def test_last_failed_reruns_only_the_broken_checks(project):
    first = project.runpytest("--cors-app", f"{APPS}:flask_null").parseoutcomes()
    again = project.runpytest("--lf", "--cors-app", f"{APPS}:flask_null").parseoutcomes()
    assert again["failed"] == first["failed"]
    assert "passed" not in again


def test_output_of_an_in_process_app_is_captured_per_check(pytester):
    pytester.makepyfile(printing_app=PRINTING_APP)
    pytester.makefile(".yaml", cors=SMALL_CONTRACT)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rf")
    assert result.parseoutcomes()["failed"] > 1  # '*' for a private policy breaks the guard
    result.stdout.fnmatch_lines(["*Captured stdout setup*", "HELLO-FROM-THE-APP GET"])
    result.stdout.fnmatch_lines(["*Captured log setup*", "*LOGGED-BY-THE-APP*"])
    progress = [line for line in result.outlines if line.startswith("cors.yaml ")]
    assert progress and not any("HELLO" in line for line in progress)


def test_a_target_that_cannot_be_imported_is_an_error_in_both_protocols(project):
    args = ["-p", "no:cacheprovider", "--cors-app", "no_such_module:app"]
    lean = project.runpytest(*args).parseoutcomes()
    project.makeconftest(FULL_PROTOCOL)
    full = project.runpytest(*args).parseoutcomes()
    assert lean == full
    assert lean["errors"] == 148
