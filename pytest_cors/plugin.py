"""The pytest11 entry point: options, ini keys, fixtures, markers, contract collection, summary.

Kept cheap on purpose: it loads in every pytest run of every user, so it imports nothing but
pytest at start-up; the engine, targets and YAML are imported when a fixture or contract is used.
Contract files are recognised by name alone before anything else is imported.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_cors.asserts import CorsHelpers
    from pytest_cors.contract.runner import ContractRun

LIVE_CONCURRENCY = 32
"""Default of ``--cors-concurrency``: ``contract.runner.DEFAULT_CONCURRENCY`` (which says why),
repeated here so that loading the plugin does not import the runner."""

_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--cors-contract", {"action": "append", "default": [], "metavar": "PATH",
                         "help": "a CORS contract file to check (repeatable)"}),
    ("--cors-base-url", {"metavar": "URL", "help": "check contracts against this live URL"}),
    ("--cors-app", {"metavar": "MODULE:ATTR",
                    "help": "check contracts against this app (or module:factory())"}),
    ("--cors-browser", {"metavar": "NAME",
                        "help": "browser profile: chromium (default), firefox, safari, spec"}),
    ("--cors-report", {"metavar": "PATH", "help": "write a report (.md, .json or .sarif)"}),
    ("--cors-concurrency", {"type": int, "metavar": "N",
                            "help": f"live probes in flight at once (default {LIVE_CONCURRENCY})"}),
    ("--cors-seed", {"metavar": "SEED",
                     "help": "seed for the adversarial probes: an integer, or 'random'"}),
    # set by the pytest-cors command, so that messages name its own flags (--app, not --cors-app)
    ("--cors-command", {"action": "store_true", "help": argparse.SUPPRESS}),
]  # fmt: skip
_INI = {
    "cors_browser": "default browser profile for the cors fixture and contracts",
    "cors_base_url": "default live URL for contracts",
    "cors_app": "default importable app (module:attr) for contracts",
    "cors_concurrency": "default number of live probes in flight",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cors", "pytest-cors: browser CORS checks")
    for flag, kwargs in _OPTIONS:
        group.addoption(flag, **kwargs)
    for name, help_text in _INI.items():
        parser.addini(name, help_text, default=None)
    parser.addini(
        "cors_redact",
        "more secret header / URL parameter names to redact in every output (globs allowed)",
        type="linelist",
        default=[],
    )


def get_option(config: pytest.Config, name: str, default: Any = None) -> Any:
    """An option's value: the command line first, then the ini file, then ``default``."""
    value = config.getoption("--" + name.replace("_", "-"), default=None)
    if value in (None, []):
        value = config.getini(name)
    return default if value in (None, "", []) else value


def is_contract_name(name: str) -> bool:
    """``cors.yaml``, ``cors-*.yaml`` or ``*.cors.yaml``: the files collected as contracts."""
    return name == "cors.yaml" or (
        name.endswith(".yaml") and (name.startswith("cors-") or name.endswith(".cors.yaml"))
    )


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
            import random

            seed = str(random.SystemRandom().randrange(1, 2**31))
            config.option.cors_seed = seed  # xdist hands the controller's options to workers
        self.seed: int | str | None = None if seed is None else int(seed)
        report = config.getoption("--cors-report", default=None)
        if report:
            from pytest_cors.errors import CorsUsageError
            from pytest_cors.report import check_format

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
            from pytest_cors.errors import CorsError

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
        from pytest_cors.report import terminal_summary

        terminalreporter.write_sep("=", "pytest-cors contract summary")
        for line in terminal_summary(list(self.records.values())):
            terminalreporter.write_line(line)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        for run in self.runs.values():
            run.close()
        path = self.config.getoption("--cors-report", default=None)
        if path and not hasattr(self.config, "workerinput"):
            from pytest_cors.report import write_report

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
    from pytest_cors.contract.loader import base_url_problem

    problem = base_url_problem(url, _source(config, "cors_base_url"), userinfo_ok=True)
    if problem:
        raise pytest.UsageError(problem)


def _check_browser(config: pytest.Config, name: str) -> None:
    """An unknown ``--cors-browser``/``cors_browser`` stops the run at start-up, once."""
    from pytest_cors.engine.profiles import get_profile
    from pytest_cors.errors import CorsUsageError

    try:
        get_profile(name)
    except CorsUsageError as exc:
        raise pytest.UsageError(f"{_flag(config, 'browser')}: {exc}") from None


_SESSION = pytest.StashKey[CorsSession]()


def session_state(config: pytest.Config) -> CorsSession:
    """This session's :class:`CorsSession`."""
    return config.stash[_SESSION]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cors_contract: an item generated from a CORS contract file")
    extra_secrets = config.getini("cors_redact")
    if extra_secrets:  # in every process: xdist workers run pytest_configure too
        from pytest_cors.http import add_secret_names  # stdlib only

        add_secret_names(extra_secrets)
    state = CorsSession(config)
    config.stash[_SESSION] = state
    config.pluginmanager.register(state, "pytest-cors-session")
    # A contract named with --cors-contract is collected like a test file given on the command
    # line, unless an argument's directory holds it already (then collecting the directory
    # finds it: pytest < 8.4 collects only the file when both a folder and a file in it are
    # arguments).
    given = [Path(a.split("::")[0]).resolve() for a in config.args]
    config.args.extend(
        str(p)
        for p in sorted(state.explicit)
        if not any(p == g or (g.is_dir() and g in p.parents) for g in given)
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not is_contract_name(file_path.name):
        explicit = session_state(parent.config).explicit
        if not explicit or file_path.resolve() not in explicit:
            return None
    from pytest_cors.contract.items import ContractFile

    collector: pytest.Collector = ContractFile.from_parent(parent, path=file_path)
    return collector


def pytest_report_header(config: pytest.Config) -> str | None:
    browser = get_option(config, "cors_browser")
    base_url = get_option(config, "cors_base_url")
    app = get_option(config, "cors_app")
    seed = config.getoption("--cors-seed", default=None)
    if not (browser or base_url or app or seed or config.getoption("--cors-contract")):
        return None
    parts = [f"browser={browser or 'chromium'}"]
    if base_url:
        from pytest_cors.report import redact  # stdlib only: cheap, and only when asked

        parts.append(f"base_url={redact(str(base_url))}")
    if app:
        parts.append(f"app={app}")
    parts.append(f"seed={seed}" if seed else "seed=per contract (default 1)")
    return "pytest-cors: " + ", ".join(parts)


@pytest.fixture
def cors_target(request: pytest.FixtureRequest) -> object:
    """The target the ``cors`` fixture, and contracts without a target, check. Override it in
    your ``conftest.py``."""
    if hasattr(request.node, "cors_check"):
        from pytest_cors.contract.items import NoTarget

        state = session_state(request.config)
        raise NoTarget(
            f"{request.node.nodeid.split('::', 1)[0]}: no target to check. Add 'target: {{app: "
            "module:attr}' or 'target: {base_url: https://...}' to the contract, pass "
            f"{state.flag('app')} or {state.flag('base-url')}, or define a `cors_target` "
            "fixture in your conftest.py returning your app, its test client, or a base URL."
        )
    pytest.fail(
        "the cors fixture needs a target: define a `cors_target` fixture in your conftest.py "
        "returning your app, its test client, or a base URL, e.g.\n\n"
        "    @pytest.fixture\n    def cors_target(app):\n        return app.test_client()",
        pytrace=False,
    )


@pytest.fixture
def cors(cors_target: object, pytestconfig: pytest.Config) -> CorsHelpers:
    """``cors.allows(...)``, ``cors.denies(...)`` and ``cors.fetch(...)`` bound to cors_target."""
    from pytest_cors.asserts import CorsHelpers

    return CorsHelpers(cors_target, get_option(pytestconfig, "cors_browser", "chromium"))
