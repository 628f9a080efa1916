"""This session's pytest-cors state: the options in force, one contract run per file, and the
record each contract check leaves (for the terminal summary and ``--cors-report``).

Kept apart from :mod:`pytest_cors.pytest_plugin.plugin` so that the contract items can reach it
without importing the plugin; like the plugin, it imports nothing but pytest at start-up.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_cors.defaults import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from pytest_cors.run import ContractRun

LIVE_CONCURRENCY = DEFAULT_CONCURRENCY
"""Default of ``--cors-concurrency`` (:data:`pytest_cors.defaults.DEFAULT_CONCURRENCY` says
why), from a module that imports nothing, so loading the plugin does not import the runner."""


def get_option(config: pytest.Config, name: str, default: Any = None) -> Any:
    """An option's value: the command line first, then the ini file, then ``default``."""
    value = config.getoption("--" + name.replace("_", "-"), default=None)
    if value in (None, []):
        value = config.getini(name)
    return default if value in (None, "", []) else value


class CorsSession:
    """This session's contract state; registered as a plugin for its hooks.

    Holds the options in force, one :class:`ContractRun` per contract file, and the record each
    contract item leaves (gathered from test reports, so pytest-xdist workers' records reach the
    controller's summary and report too).
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.app: str | None = get_option(config, "cors_app")
        self.base_url: str | None = get_option(config, "cors_base_url")
        if self.base_url is not None:
            _check_base_url(config, self.base_url)
        self.browser: str | None = get_option(config, "cors_browser")
        if self.browser is not None:
            _check_browser(config, self.browser)
        self.concurrency = _concurrency(config)
        seed = config.getoption("--cors-seed", default=None)
        if seed is not None:
            problem = seed_problem(seed, _flag(config, "seed"))
            if problem:
                raise pytest.UsageError(problem)
        if seed == "random":
            seed = str(random.SystemRandom().randrange(1, 2**31))
            config.option.cors_seed = seed  # xdist hands the controller's options to workers
        self.seed: int | str | None = None if seed is None else int(seed)
        report = config.getoption("--cors-report", default=None)
        if report:
            # lazy: the plugin loads in every pytest run: only pytest at start-up
            from pytest_cors.errors import CorsUsageError
            from pytest_cors.report import check_format  # lazy: as above, with --cors-report only

            try:
                check_format(report)
            except CorsUsageError as exc:
                raise pytest.UsageError(f"{_flag(config, 'report')} {exc}") from None
        invocation = config.invocation_params.dir
        self.explicit = {
            (invocation / p).resolve() for p in config.getoption("--cors-contract") or []
        }
        self.runs: dict[str, ContractRun] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.selected: list[Any] = []
        """The contract check items selected in this session, in run order."""
        self._started: set[int] = set()

    @property
    def command(self) -> bool:
        """Whether the ``pytest-cors`` command runs this session (no fixtures of a project)."""
        return bool(self.config.getoption("cors_command", False))

    def flag(self, name: str) -> str:
        """How the user spells option ``name`` in this run: ``--app`` under the ``pytest-cors``
        command, ``--cors-app`` under pytest."""
        return _flag(self.config, name)

    def start(self, run: ContractRun) -> None:
        """Before the first item of ``run``: send every selected live check at once."""
        if id(run) in self._started:
            return
        self._started.add(id(run))
        if hasattr(self.config, "workerinput"):
            return  # under xdist each worker runs only its share: run on demand
        run.prefetch(item.cors_check for item in self.selected if item.run is run)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        """The kit's own errors (a user mistake, a target that gave no response) read as their
        message: no chain of the low-level errors the message already names, and a contract
        check's setup error without a traceback. ``--fulltrace`` shows everything."""
        error = call.excinfo.value if call.excinfo is not None else None
        ours = False
        if error is not None and not self.config.getoption("fulltrace"):
            from pytest_cors.errors import CorsError  # lazy: only pytest at start-up

            ours = isinstance(error, CorsError)
            if ours:
                error.__cause__ = None
                error.__suppress_context__ = True
        report = yield
        if ours and report.failed and hasattr(item, "cors_check"):
            check_item: Any = item
            report.longrepr = check_item.error_text(error)
        return report

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = [i for i in session.items if hasattr(i, "cors_check")]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            for name, value in report.user_properties:
                if name == "pytest_cors" and isinstance(value, dict):
                    self.records[report.nodeid] = value

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.records:
            return
        from pytest_cors.report import terminal_summary  # lazy: only a run with contract records

        terminalreporter.write_sep("=", "pytest-cors contract summary")
        for line in terminal_summary(list(self.records.values())):
            terminalreporter.write_line(line)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        for run in self.runs.values():
            run.close()
        path = self.config.getoption("--cors-report", default=None)
        if path and not hasattr(self.config, "workerinput"):
            from pytest_cors.report import write_report  # lazy: with --cors-report only

            target = Path(path)
            if not target.is_absolute():
                target = self.config.invocation_params.dir / target
            write_report(target, list(self.records.values()), seed=self.seed)


def _flag(config: pytest.Config, name: str) -> str:
    return f"--{name}" if config.getoption("cors_command", False) else f"--cors-{name}"


def _source(config: pytest.Config, name: str) -> str:
    """Where option ``name`` was given: its flag on the command line, else the ini key."""
    if config.getoption(name, default=None) is not None:
        return _flag(config, name.removeprefix("cors_").replace("_", "-"))
    return f"ini option '{name}'"


def _ascii_whole_number(text: str) -> int | None:
    """``text`` as an integer if it is ASCII digits only (``str.isdigit()`` also accepts '²'
    and '٣', which ``int()`` refuses or reads as digits); ``None`` otherwise."""
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than int() reads (sys.get_int_max_str_digits())
        return None


SEED_ACCEPTED = "a whole number of 0 or more (as a contract's 'seed' key does) or 'random'"


def seed_problem(value: str, flag: str) -> str:
    """Why ``value`` cannot be the seed given with ``flag`` (``""`` when it can)."""
    if value == "random" or _ascii_whole_number(value) is not None:
        return ""
    return f"{flag} takes {SEED_ACCEPTED}, got {value!r}"


def _concurrency(config: pytest.Config) -> int:
    """``--cors-concurrency`` (an int, argparse checked it) or ``cors_concurrency`` (text)."""
    raw = get_option(config, "cors_concurrency", LIVE_CONCURRENCY)
    value = raw if isinstance(raw, int) else _ascii_whole_number(str(raw).strip())
    if value is None:
        raise pytest.UsageError(
            f"{_source(config, 'cors_concurrency')} must be a whole number of at least 1 "
            f"(live probes in flight at once), got {raw!r}"
        )
    if value < 1:
        raise pytest.UsageError(
            f"{_source(config, 'cors_concurrency')} must be at least 1, got {value}"
        )
    return value


def _check_base_url(config: pytest.Config, url: str) -> None:
    """A base URL the contract key ``target.base_url`` would refuse stops the run at start-up,
    with the loader's message (a ``user:password@`` is allowed here: it is never sent)."""
    # lazy: the contract package (YAML, the model) costs ~75 ms; with a base URL only
    from pytest_cors.contract.validate_values import base_url_problem

    problem = base_url_problem(url, _source(config, "cors_base_url"), userinfo_ok=True)
    if problem:
        raise pytest.UsageError(problem)


def _check_browser(config: pytest.Config, name: str) -> None:
    """An unknown ``--cors-browser``/``cors_browser`` stops the run at start-up, once."""
    from pytest_cors.engine.profiles import get_profile  # lazy: the engine, with a browser only
    from pytest_cors.errors import CorsUsageError  # lazy: only pytest at start-up

    try:
        get_profile(name)
    except CorsUsageError as exc:
        raise pytest.UsageError(f"{_flag(config, 'browser')}: {exc}") from None


_SESSION = pytest.StashKey[CorsSession]()


def session_state(config: pytest.Config) -> CorsSession:
    """This session's :class:`CorsSession`."""
    return config.stash[_SESSION]


def start_session(config: pytest.Config) -> CorsSession:
    """Make this session's :class:`CorsSession`, keep it on ``config`` and register its hooks."""
    state = CorsSession(config)
    config.stash[_SESSION] = state
    config.pluginmanager.register(state, "pytest-cors-session")
    return state
