"""What ``pytest-cors check`` does after parsing its arguments: the contracts as pytest items, in
a pytest run isolated from the project's configuration, conftest files and other plugins, and
the command's exit status read from that run.

Kept in the pytest glue (the only package that imports pytest) so that :mod:`pytest_cors.cli`
stays argument parsing; the CLI imports this module only when ``check`` runs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pytest_cors.contract.validate_values import base_url_problem
from pytest_cors.defaults import EXIT_FAILED, EXIT_NO_VERDICT, EXIT_OK
from pytest_cors.engine import get_profile
from pytest_cors.errors import CorsUsageError
from pytest_cors.pytest_plugin import plugin
from pytest_cors.report import check_format

__all__ = ["EXIT_FAILED", "EXIT_NO_VERDICT", "EXIT_OK", "run_check"]

"""The exit statuses of ``pytest-cors check``: the policy holds, a check failed, no verdict."""


class _Tracker:
    """Counts what the pytest run did, to pick the exit status."""

    def __init__(self) -> None:
        self.failed = 0
        self.errors = 0
        self.collect_errors = 0
        self.passed = 0

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collect_errors += 1

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call":
            if report.failed:
                self.failed += 1
            elif report.passed:
                self.passed += 1
        elif report.failed:
            self.errors += 1


def run_check(
    contracts: Sequence[str | Path],
    *,
    base_url: str | None = None,
    app: str | None = None,
    report: str | None = None,
    browser: str | None = None,
    seed: str | None = None,
    concurrency: int | None = None,
    verbose: bool = False,
    pytest_args: Sequence[str] = (),
) -> int:
    """Check ``contracts`` in an isolated pytest run; the exit status of ``pytest-cors check``:
    :data:`EXIT_OK` the policy holds, :data:`EXIT_FAILED` a check failed,
    :data:`EXIT_NO_VERDICT` no verdict (a contract error, a target that gave no response).

    The options are those of the command, named by its flags in messages (``--base-url``);
    ``pytest_args`` go to pytest unchanged. A usage error raises :class:`CorsUsageError`
    before pytest runs."""
    paths = [Path(c) for c in contracts]
    _check_options(
        paths, base_url=base_url, report=report, browser=browser, seed=seed, concurrency=concurrency
    )
    args = [str(p) for p in paths]
    for path in paths:
        args += ["--cors-contract", str(path)]
    for flag, value in (
        ("--cors-base-url", base_url),
        ("--cors-app", app),
        ("--cors-report", report),
        ("--cors-browser", browser),
        ("--cors-seed", seed),
        ("--cors-concurrency", concurrency),
    ):
        if value is not None:
            args += [flag, str(value)]
    tracker = _Tracker()
    with tempfile.TemporaryDirectory(prefix="pytest-cors-") as scratch:
        ini = Path(scratch) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        args += [
            "-c",
            str(ini),
            "--rootdir",
            str(_common_parent(paths)),
            "--noconftest",
            "-p",
            "no:cacheprovider",
            "--cors-command",
            "-v" if verbose else "-q",
            *pytest_args,
        ]
        saved = {k: os.environ.get(k) for k in ("PYTEST_ADDOPTS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
        os.environ.pop("PYTEST_ADDOPTS", None)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        try:
            # the plugin module itself, not "-p": it may be imported already (no rewrite warning)
            code = pytest.main(args, plugins=[plugin, tracker])
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return _exit_status(code, tracker)


def _check_options(
    paths: Sequence[Path],
    *,
    base_url: str | None,
    report: str | None,
    browser: str | None,
    seed: str | None,
    concurrency: int | None,
) -> None:
    """Refuse, before pytest runs, what the run would refuse: the first problem, in the order
    the command's users meet them (the files first)."""
    for path in paths:
        if not path.is_file():
            raise CorsUsageError(_not_a_contract_file(path))
    if base_url is not None:
        problem = base_url_problem(base_url, "--base-url", userinfo_ok=True)
        if problem:
            raise CorsUsageError(problem)
    if seed is not None:
        problem = plugin.seed_problem(seed, "--seed")
        if problem:
            raise CorsUsageError(problem)
    if report:
        try:
            check_format(report)
        except CorsUsageError as exc:
            raise CorsUsageError(f"--report {exc}") from None
    if browser:
        get_profile(browser)
    if concurrency is not None and concurrency < 1:
        raise CorsUsageError(f"--concurrency must be at least 1, got {concurrency}")


def _exit_status(code: int | pytest.ExitCode, tracker: _Tracker) -> int:
    """The command's exit status from pytest's and from what the run did: a contract that did
    not load, or a check that got no verdict (an error), is no verdict, never a pass."""
    if tracker.collect_errors or code in (
        pytest.ExitCode.USAGE_ERROR,
        pytest.ExitCode.INTERNAL_ERROR,
        pytest.ExitCode.INTERRUPTED,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        return EXIT_NO_VERDICT
    if tracker.failed:
        return EXIT_FAILED
    if tracker.errors:
        return EXIT_NO_VERDICT
    return EXIT_OK if code == pytest.ExitCode.OK else EXIT_FAILED


def _not_a_contract_file(path: Path) -> str:
    """Why ``path`` given to ``check`` is not a contract file: missing, a folder, or neither."""
    shown = repr(str(path))
    if path.is_dir():
        try:
            found = sorted(
                p for p in path.iterdir() if plugin.is_contract_name(p.name) and p.is_file()
            )
        except OSError:
            found = []
        names = ", ".join(repr(str(p)) for p in found[:5]) + (", ..." if len(found) > 5 else "")
        where = f"; it holds {names}" if found else ""
        return (
            f"contract file {shown} is a directory: `pytest-cors check` takes contract files "
            f"(cors.yaml, cors-*.yaml or *.cors.yaml), not folders{where}"
        )
    if path.exists():
        return f"contract file {shown} is not a regular file"
    return f"contract file {shown} does not exist"


def _common_parent(paths: Sequence[Path]) -> Path:
    """The deepest folder holding every contract: node ids then name the files briefly."""
    return Path(os.path.commonpath([str(p.resolve().parent) for p in paths]))
