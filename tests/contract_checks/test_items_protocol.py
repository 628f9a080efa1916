"""Contract items behave like any pytest test: pytest's own run-test protocol, node ids pytest
can select, ``--lf``/``--ff``/``--sw``/``-k``, readable ``-v`` lines, and errors without the
kit's traceback (``pytest_plugin.items`` and the plugin's report hook)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_cors

APPS = "tests.contract_checks.apps"
NULL = ["--cors-app", f"{APPS}:flask_null"]  # two checks fail: the 'null' origin is let in
GOOD = ["--cors-app", f"{APPS}:flask_good"]
BROKEN_NULL = {
    "cors.yaml::spa-api::GET /items from null -> denied",
    "cors.yaml::spa-api::GET /items/1 from null -> denied",
}
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


def failed_ids(result: pytest.RunResult) -> set[str]:
    return {
        line.split(" - ")[0].removeprefix("FAILED ")
        for line in result.outlines
        if line.startswith("FAILED ")
    }


def test_one_check_is_selected_by_the_node_id_pytest_prints(project):
    one = "cors.yaml::spa-api::PUT /items/1 from https://app.example.com -> allowed"
    collected = project.runpytest("--collect-only", "-q", *GOOD)
    assert one in collected.outlines
    result = project.runpytest("-p", "no:cacheprovider", "-v", one, *GOOD)
    assert result.parseoutcomes() == {"passed": 1}
    result.stdout.fnmatch_lines([f"{one} PASSED*"])


def test_a_whole_policy_is_selected_by_its_name(project):
    listed = project.runpytest("--collect-only", "-q", *GOOD).outlines
    in_policy = [line for line in listed if line.startswith("cors.yaml::fonts::")]
    assert in_policy
    result = project.runpytest("-p", "no:cacheprovider", "cors.yaml::fonts", *GOOD)
    assert result.parseoutcomes() == {"passed": len(in_policy)}


def test_last_failed_reruns_only_the_broken_checks(project):
    first = project.runpytest(*NULL)
    assert failed_ids(first) == BROKEN_NULL
    again = project.runpytest("--lf", *NULL)
    assert failed_ids(again) == BROKEN_NULL
    counts = again.parseoutcomes()
    assert "passed" not in counts
    assert counts["deselected"] == first.parseoutcomes()["passed"]
    again.stdout.fnmatch_lines(["*rerun previous 2 failures*"])


def test_last_failed_finds_checks_of_another_browser_profile(project):
    """A Firefox check's id ends in ``[firefox]``, which pytest reads as parameters."""
    first = project.runpytest("--cors-browser", "firefox", *NULL)
    assert failed_ids(first) == {f"{nodeid} [firefox]" for nodeid in BROKEN_NULL}
    again = project.runpytest("--lf", "--cors-browser", "firefox", *NULL)
    assert failed_ids(again) == failed_ids(first)
    assert "passed" not in again.parseoutcomes()


def test_failed_first_runs_the_broken_checks_before_the_rest(project):
    project.runpytest(*NULL)
    result = project.runpytest("--ff", "-v", *NULL)
    ran = [line for line in result.outlines if line.startswith("cors.yaml::")]
    assert {line.split(" FAILED")[0] for line in ran[:2]} == BROKEN_NULL
    assert all(" PASSED" in line for line in ran[2:])


def test_stepwise_stops_at_a_broken_check_and_resumes_there(project):
    first = project.runpytest("--sw", *NULL).parseoutcomes()
    assert first["failed"] == 1
    again = project.runpytest("--sw", *NULL).parseoutcomes()
    assert again["failed"] == 1
    assert again["deselected"] == first["passed"]  # resumed at the broken check


def test_k_selects_checks_by_words_of_their_names(project):
    result = project.runpytest("-p", "no:cacheprovider", "-k", "null and items", *NULL)
    assert failed_ids(result) == BROKEN_NULL
    assert "passed" not in result.parseoutcomes()


def test_verbose_lines_keep_origins_intact(project):
    result = project.runpytest("-p", "no:cacheprovider", "-v", *NULL)
    lines = [line for line in result.outlines if line.startswith("cors.yaml::")]
    assert any("from https://app.example.com -> allowed PASSED" in line for line in lines)
    assert not any("example::com" in line for line in result.outlines)
    result.stdout.fnmatch_lines(["*_ spa-api: GET /items from null -> denied _*"])


def test_output_of_an_in_process_app_is_captured_per_check(pytester):
    pytester.makepyfile(printing_app=PRINTING_APP)
    pytester.makefile(".yaml", cors=SMALL_CONTRACT)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rf")
    assert result.parseoutcomes()["failed"] > 1  # '*' for a private policy breaks the guard
    result.stdout.fnmatch_lines(["*Captured stdout setup*", "HELLO-FROM-THE-APP GET"])
    result.stdout.fnmatch_lines(["*Captured log setup*", "*LOGGED-BY-THE-APP*"])
    progress = [line for line in result.outlines if line.startswith("cors.yaml ")]
    assert progress and not any("HELLO" in line for line in progress)


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
    result = project.runpytest("-p", "no:cacheprovider", *NULL)
    counts = result.parseoutcomes()
    assert counts["skipped"] >= 1
    assert "failed" not in counts  # the only broken checks were the skipped null ones


def test_exitfirst_stops_at_the_first_broken_check(project):
    result = project.runpytest("-p", "no:cacheprovider", "-x", *NULL)
    counts = result.parseoutcomes()
    assert counts["failed"] == 1
    assert counts.get("passed", 0) < 147


def test_an_unreachable_target_is_an_error_with_the_kits_message_and_no_traceback(project):
    result = project.runpytest(
        "-p", "no:cacheprovider", "--cors-base-url", "http://127.0.0.1:9", "-x"
    )
    assert result.parseoutcomes()["errors"] == 1
    text = result.stdout.str()
    assert "No verdict: the check needs a response from the target." in text
    assert "pytest_cors/" not in text  # no frame of the kit's own code
    assert "Traceback" not in text


def test_the_package_imports_no_private_pytest_module():
    package = Path(pytest_cors.__file__).parent
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "_pytest" for n in names), source
        assert "runtest_protocol" not in source.read_text(), source
