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

from pytest_cors.pytest_plugin.session import (  # pytest only at start-up, as here
    LIVE_CONCURRENCY,
    SEED_ACCEPTED,
    CorsSession,
    get_option,
    seed_problem,
    session_state,
    start_session,
)

if TYPE_CHECKING:
    from pytest_cors.asserts import CorsHelpers

__all__ = [
    "LIVE_CONCURRENCY",
    "SEED_ACCEPTED",
    "CorsSession",
    "get_option",
    "is_contract_name",
    "seed_problem",
    "session_state",
]

_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--cors-contract", {"action": "append", "default": [], "metavar": "PATH",
                         "help": "a CORS contract file to check (repeatable)"}),
    ("--cors-base-url", {"metavar": "URL", "help": "check contracts against this live URL"}),
    ("--cors-app", {"metavar": "MODULE:ATTR",
                    "help": "check contracts against this app (or module:factory())"}),
    ("--cors-browser", {"metavar": "NAME",
                        "help": "browser profile: chromium (default), firefox, safari, spec"}),
    ("--cors-report", {"metavar": "PATH", "help": "write a report (.md, .json, .sarif or .html)"}),
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


def is_contract_name(name: str) -> bool:
    """``cors.yaml``, ``cors-*.yaml`` or ``*.cors.yaml``: the files collected as contracts."""
    return name == "cors.yaml" or (
        name.endswith(".yaml") and (name.startswith("cors-") or name.endswith(".cors.yaml"))
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cors_contract: an item generated from a CORS contract file")
    extra_secrets = config.getini("cors_redact")
    if extra_secrets:  # in every process: xdist workers run pytest_configure too
        # lazy: only with cors_redact set; the plugin's start-up imports nothing but pytest
        from pytest_cors.http import add_secret_names

        add_secret_names(extra_secrets)
    state = start_session(config)
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
    # lazy: the contract machinery loads only once a contract file is collected
    from pytest_cors.pytest_plugin.items import ContractFile

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
        # lazy: only when a base URL is shown; the plugin's start-up imports nothing but pytest
        from pytest_cors.report import redact

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
        # lazy: only for a contract's item, whose file loaded the contract machinery already
        from pytest_cors.pytest_plugin.items import NoTarget

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
    # lazy: the engine and targets load only when the fixture is used
    from pytest_cors.asserts import CorsHelpers

    return CorsHelpers(cors_target, get_option(pytestconfig, "cors_browser", "chromium"))
