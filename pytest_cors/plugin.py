"""The pytest11 entry point: options, ini keys, fixtures and markers.

Kept cheap on purpose: it loads in every pytest run of every user, so it imports nothing but
pytest at start-up; the engine, targets and YAML are imported when a fixture or contract is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_cors.asserts import CorsHelpers

_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--cors-contract", {"action": "append", "default": [], "metavar": "PATH",
                         "help": "a CORS contract file to check (repeatable)"}),
    ("--cors-base-url", {"metavar": "URL", "help": "check contracts against this live URL"}),
    ("--cors-app", {"metavar": "MODULE:ATTR", "help": "check contracts against this app"}),
    ("--cors-browser", {"metavar": "NAME",
                        "help": "browser profile: chromium (default), firefox, safari, spec"}),
    ("--cors-report", {"metavar": "PATH", "help": "write a report (.md, .json or .sarif)"}),
    ("--cors-concurrency", {"type": int, "metavar": "N",
                            "help": "live probes in flight at once (default 16)"}),
    ("--cors-seed", {"metavar": "SEED", "help": "seed for randomised adversarial probes"}),
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


def get_option(config: pytest.Config, name: str, default: Any = None) -> Any:
    """An option's value: the command line first, then the ini file, then ``default``."""
    value = config.getoption("--" + name.replace("_", "-"), default=None)
    if value in (None, []):
        value = config.getini(name)
    return default if value in (None, "", []) else value


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cors_contract: an item generated from a CORS contract file")


def pytest_report_header(config: pytest.Config) -> str | None:
    browser = get_option(config, "cors_browser")
    base_url = get_option(config, "cors_base_url")
    app = get_option(config, "cors_app")
    if not (browser or base_url or app or config.getoption("--cors-contract")):
        return None
    parts = [f"browser={browser or 'chromium'}"]
    if base_url:
        parts.append(f"base_url={base_url}")
    if app:
        parts.append(f"app={app}")
    return "pytest-cors: " + ", ".join(parts)


@pytest.fixture
def cors_target() -> object:
    """The target the ``cors`` fixture checks. Override it in your ``conftest.py``."""
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
