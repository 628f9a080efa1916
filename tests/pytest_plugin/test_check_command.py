"""pytest_cors.pytest_plugin.check_command: what ``pytest-cors check`` runs, called directly: the
isolated pytest run, the options it hands the plugin, and the exit status read from the run."""

import json
import os
import socket

import pytest

from pytest_cors.errors import CorsUsageError
from pytest_cors.pytest_plugin import check_command
from pytest_cors.pytest_plugin.check_command import (
    EXIT_FAILED,
    EXIT_NO_VERDICT,
    EXIT_OK,
    run_check,
)

APPS = "tests.contract_checks.apps"
CONTRACT = """version: 1
defaults:
  credentials: true
  faults: []
policies:
  - name: spa-api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
      deny: [https://evil.example.net]
    methods: [GET, POST, PUT]
    request_headers: [Content-Type, X-Request-Id]
    expose_headers: [X-Total-Count]
"""


@pytest.fixture
def contract(tmp_path):
    path = tmp_path / "cors.yaml"
    path.write_text(CONTRACT)
    return path


def test_a_contract_that_holds_exits_ok(contract, capsys):
    code = run_check([contract], app=f"{APPS}:flask_good")
    out = capsys.readouterr().out
    assert code == EXIT_OK == 0, out
    assert " passed" in out.splitlines()[-1]
    assert "failed" not in out.splitlines()[-1]


def test_a_failing_check_exits_failed_and_says_why(contract, capsys):
    code = run_check([contract], app=f"{APPS}:flask_reflect")
    out = capsys.readouterr().out
    assert code == EXIT_FAILED == 1
    assert "[CORS-REFLECT]" in out


def test_a_contract_that_does_not_load_is_no_verdict(tmp_path, capsys):
    bad = tmp_path / "cors.yaml"
    bad.write_text("version: 1\npolicies:\n  - name: x\n    paths: [/a]\n    metods: [GET]\n")
    code = run_check([bad], app=f"{APPS}:flask_good")
    out = capsys.readouterr().out
    assert code == EXIT_NO_VERDICT == 2
    assert "cors.yaml:5:5: unknown key 'metods'" in out


def test_a_target_that_gives_no_response_is_no_verdict_never_a_pass(contract, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = run_check([contract], base_url=f"http://127.0.0.1:{port}")
    out = capsys.readouterr().out
    assert code == EXIT_NO_VERDICT
    assert "connection refused" in out


def test_pytest_arguments_go_to_pytest_and_nothing_selected_is_no_verdict(contract, capsys):
    code = run_check([contract], app=f"{APPS}:flask_good", pytest_args=["-k", "no_such_check"])
    out = capsys.readouterr().out
    assert code == EXIT_NO_VERDICT
    assert "deselected" in out.splitlines()[-1]


def test_the_rootdir_is_the_folder_holding_every_contract_and_verbose_lists_the_checks(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "cors.yaml").write_text(CONTRACT)
    paths = [tmp_path / "a" / "cors.yaml", tmp_path / "b" / "cors.yaml"]
    assert run_check(paths, app=f"{APPS}:flask_good", verbose=True) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert f"rootdir: {tmp_path}" in lines
    listed = [line for line in lines if line.endswith("PASSED") or " PASSED " in line]
    assert any(line.startswith("a/cors.yaml::spa-api::") for line in listed), lines
    assert any(line.startswith("b/cors.yaml::spa-api::") for line in listed), lines
    assert run_check(paths[:1], app=f"{APPS}:flask_good") == EXIT_OK
    assert "PASSED" not in capsys.readouterr().out  # -q without verbose


def test_the_run_ignores_the_projects_configuration_and_restores_the_environment(
    contract, tmp_path, monkeypatch, capsys
):
    (tmp_path / "conftest.py").write_text("raise RuntimeError('the conftest was imported')\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    monkeypatch.setenv("PYTEST_ADDOPTS", "--no-such-option-either")
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.chdir(tmp_path)
    code = run_check([contract], app=f"{APPS}:flask_good")
    assert code == EXIT_OK, capsys.readouterr().out
    assert os.environ["PYTEST_ADDOPTS"] == "--no-such-option-either"
    assert "PYTEST_DISABLE_PLUGIN_AUTOLOAD" not in os.environ


def test_the_report_and_seed_reach_the_plugin(contract, tmp_path, capsys):
    report = tmp_path / "out" / "report.json"
    code = run_check([contract], app=f"{APPS}:flask_good", report=str(report), seed="7")
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    assert "(seed 7," in out
    assert json.loads(report.read_text())["findings"] == []


SEED = "a whole number of 0 or more (as a contract's 'seed' key does) or 'random'"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "http://[::1"}, "--base-url 'http://[::1' is not a valid URL"),
        ({"seed": "-5"}, f"--seed takes {SEED}, got '-5'"),
        ({"report": "r.xml"}, "--report r.xml: unknown report format '.xml'"),
        ({"browser": "opera"}, "unknown browser profile 'opera'"),
        ({"concurrency": 0}, "--concurrency must be at least 1, got 0"),
    ],
)
def test_usage_errors_raise_before_pytest_runs(contract, monkeypatch, options, message):
    def not_run(*args, **kwargs):
        raise AssertionError("pytest ran despite a usage error")

    monkeypatch.setattr(check_command.pytest, "main", not_run)
    with pytest.raises(CorsUsageError) as caught:
        run_check([contract], app=f"{APPS}:flask_good", **options)
    assert message in str(caught.value)


def test_the_files_are_checked_first_and_a_folder_names_its_contracts(tmp_path, contract):
    with pytest.raises(CorsUsageError, match=r"missing\.yaml' does not exist"):
        run_check([contract, tmp_path / "missing.yaml"], seed="-5")
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "cors-api.yaml").write_text(CONTRACT)
    (folder / "notes.yaml").write_text("x: 1\n")
    with pytest.raises(CorsUsageError) as caught:
        run_check([folder])
    text = str(caught.value)
    assert "is a directory: `pytest-cors check` takes contract files" in text
    assert f"it holds '{folder / 'cors-api.yaml'}'" in text
    assert "notes.yaml" not in text


class _Counts:
    def __init__(self, failed=0, errors=0, collect_errors=0):
        self.failed, self.errors, self.collect_errors = failed, errors, collect_errors


@pytest.mark.parametrize(
    ("code", "counts", "status"),
    [
        (pytest.ExitCode.OK, {}, EXIT_OK),
        (pytest.ExitCode.TESTS_FAILED, {"failed": 1}, EXIT_FAILED),
        (pytest.ExitCode.TESTS_FAILED, {"failed": 1, "errors": 1}, EXIT_FAILED),
        (pytest.ExitCode.TESTS_FAILED, {"errors": 1}, EXIT_NO_VERDICT),
        (pytest.ExitCode.TESTS_FAILED, {"collect_errors": 1, "failed": 1}, EXIT_NO_VERDICT),
        (pytest.ExitCode.INTERRUPTED, {}, EXIT_NO_VERDICT),
        (pytest.ExitCode.USAGE_ERROR, {}, EXIT_NO_VERDICT),
        (pytest.ExitCode.INTERNAL_ERROR, {}, EXIT_NO_VERDICT),
        (pytest.ExitCode.NO_TESTS_COLLECTED, {}, EXIT_NO_VERDICT),
        (pytest.ExitCode.TESTS_FAILED, {}, EXIT_FAILED),  # failed outside a check: not a pass
    ],
)
def test_the_exit_status_is_never_a_pass_without_a_verdict(code, counts, status):
    assert check_command._exit_status(code, _Counts(**counts)) == status
