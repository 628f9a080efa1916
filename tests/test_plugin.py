"""The pytest plugin: the cors fixture, the cors_target override, options and failure output."""

import pytest

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"

CONFTEST = """
import pytest
from examples.app import app

@pytest.fixture
def cors_target():
    return app
"""


@pytest.fixture
def project(pytester):
    pytester.syspathinsert(str(pytester.path))
    (pytester.path / "examples").mkdir()
    (pytester.path / "examples" / "__init__.py").write_text("")
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "examples" / "app.py"
    (pytester.path / "examples" / "app.py").write_text(source.read_text())
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    return pytester


def test_cors_fixture_uses_the_overridden_target(project):
    project.makepyfile(
        """
        def test_ok(cors):
            outcome = cors.allows("https://api.example.com/items",
                                  origin="https://app.example.com", expose=["X-Total-Count"])
            assert outcome.readable_headers["x-total-count"] == "2"

        def test_denied(cors):
            cors.denies("https://api.example.com/items", origin="https://evil.example.net")
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_failure_output_reads_like_devtools(project):
    project.makepyfile(
        """
        def test_bad(cors):
            cors.allows("https://api.example.com/items", origin="https://evil.example.net",
                        method="DELETE")
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   *Access to fetch at 'https://api.example.com/items' from origin "
            "'https://evil.example.net' has been blocked by CORS policy: Response to preflight "
            "request doesn't pass access control check: No 'Access-Control-Allow-Origin' header*",
            "*> OPTIONS https://api.example.com/items*",
            "*> Access-Control-Request-Method: DELETE*",
        ]
    )
    # the helper frames are hidden: the user's line is the last one shown
    assert "asserts.py" not in result.stdout.str()


def test_missing_cors_target_is_a_clear_error(pytester):
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        def test_needs_target(cors):
            cors.allows("/", origin="https://app.example.com")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*define a `cors_target` fixture in your conftest.py*"])


def test_cors_browser_option_selects_the_profile(project):
    project.makepyfile(
        """
        def test_profile(cors):
            outcome = cors.fetch("https://api.example.com/items", origin="https://app.example.com")
            assert outcome.browser == "firefox"
        """
    )
    project.runpytest("--cors-browser", "firefox").assert_outcomes(passed=1)


def test_plugin_import_loads_no_engine_framework_or_yaml(pytester):
    result = pytester.run(
        "python",
        "-c",
        "import sys, pytest_cors.plugin; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('yaml', 'requests', 'flask', 'httpx', 'starlette', 'django', 'werkzeug')"
        " or m.startswith('pytest_cors.engine')]; print('HEAVY', heavy)",
    )
    result.stdout.fnmatch_lines(["HEAVY []"])


def test_report_header_redacts_a_password_in_the_base_url(pytester):
    pytester.makeini(INI)
    pytester.makepyfile("def test_nothing():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest("--cors-base-url", "https://ci:s3cr3t-pw@staging.example.com")
    result.stdout.fnmatch_lines(["pytest-cors: *base_url=https://<redacted>@staging.example.com*"])
    assert "s3cr3t-pw" not in result.stdout.str()


def test_the_plugins_live_concurrency_is_the_runners_default(pytester):
    from pytest_cors.contract.runner import DEFAULT_CONCURRENCY
    from pytest_cors.plugin import LIVE_CONCURRENCY, session_state

    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    config = pytester.parseconfigure()
    assert session_state(config).concurrency == LIVE_CONCURRENCY == DEFAULT_CONCURRENCY
    config = pytester.parseconfigure("--cors-concurrency", "3")
    assert session_state(config).concurrency == 3
