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
        "import sys, pytest_cors.pytest_plugin.plugin, pytest_cors.plugin; "
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
    from pytest_cors.pytest_plugin.plugin import LIVE_CONCURRENCY, session_state
    from pytest_cors.run import DEFAULT_CONCURRENCY

    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    config = pytester.parseconfigure()
    assert session_state(config).concurrency == LIVE_CONCURRENCY == DEFAULT_CONCURRENCY
    config = pytester.parseconfigure("--cors-concurrency", "3")
    assert session_state(config).concurrency == 3


SEED = "a whole number of 0 or more (as a contract's 'seed' key does) or 'random'"


@pytest.mark.parametrize(
    "seed",
    ["²", "٣", "abc", "-5", "1.5", "+5", "", "9" * 5000],
    ids=["superscript", "arabic-indic", "word", "negative", "fraction", "plus", "empty", "huge"],
)
def test_a_bad_seed_is_a_usage_error_naming_what_is_accepted(pytester, seed):
    pytester.makeini(INI)
    pytester.makepyfile("def test_nothing():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--cors-seed", seed)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert f"--cors-seed takes {SEED}, got " in err
    assert "INTERNALERROR" not in err + result.stdout.str()
    assert "Traceback" not in err


@pytest.mark.parametrize(("seed", "expected"), [("0", 0), ("7", 7), ("0012", 12)])
def test_a_seed_of_ascii_digits_is_read_as_an_integer(pytester, seed, expected):
    from pytest_cors.pytest_plugin.plugin import session_state

    pytester.makeini(INI)
    assert session_state(pytester.parseconfigure("--cors-seed", seed)).seed == expected
    drawn = session_state(pytester.parseconfigure("--cors-seed", "random")).seed
    assert isinstance(drawn, int) and drawn >= 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must be a whole number of at least 1 (live probes in flight at once), got 'abc'"),
        ("８", "must be a whole number of at least 1 (live probes in flight at once), got '８'"),
        ("1.5", "must be a whole number of at least 1"),
        ("0", "must be at least 1, got 0"),
    ],
)
def test_a_bad_concurrency_in_the_ini_file_is_a_usage_error(pytester, value, message):
    pytester.makeini(f"{INI}cors_concurrency = {value}\n")
    pytester.makepyfile("def test_nothing():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert f"ini option 'cors_concurrency' {message}" in err
    assert "INTERNALERROR" not in err + result.stdout.str()


def test_a_good_concurrency_in_the_ini_file_is_read(pytester):
    from pytest_cors.pytest_plugin.plugin import session_state

    pytester.makeini(f"{INI}cors_concurrency = 5\n")
    assert session_state(pytester.parseconfigure()).concurrency == 5


CONTRACT = """\
version: 1
policies:
  - name: api
    paths: [/a, /b, /c, /d, /e]
    origins:
      allow: [https://app.example.com]
    methods: [GET, POST, PUT, PATCH, DELETE]
    request_headers: [X-A, X-B]
"""

BRACKET = "it has a '[' without its ']' (or the reverse)"
QUERY = "must not have a query or fragment"
BAD_BASE_URLS = [
    (
        ["--cors-base-url", "http://[::1"],
        "",
        f"--cors-base-url 'http://[::1' is not a valid URL: {BRACKET}",
    ),
    (
        ["--cors-base-url", "http://[::1]:8000/x?y=1"],
        "",
        f"--cors-base-url {QUERY}; did you mean 'http://[::1]:8000/x'?",
    ),
    (["--cors-base-url", "https://staging.example.com#top"], "", f"--cors-base-url {QUERY}"),
    (
        ["--cors-base-url", "https://ci:pw@staging.example.com/?q"],
        "",
        "mean 'https://<redacted>@staging.example.com/'?",
    ),
    (
        ["--cors-base-url", "staging.example.com"],
        "",
        "--cors-base-url 'staging.example.com' must be an absolute URL",
    ),
    (
        [],
        "cors_base_url = http://[::1\n",
        f"ini option 'cors_base_url' 'http://[::1' is not a valid URL: {BRACKET}",
    ),
]


@pytest.mark.parametrize(("args", "ini", "message"), BAD_BASE_URLS)
def test_a_bad_base_url_option_is_one_usage_error_in_the_loaders_words(
    pytester, args, ini, message
):
    pytester.makeini(INI + ini)
    pytester.makefile(".yaml", cors=CONTRACT)
    result = pytester.runpytest("-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err, out = result.stderr.str(), result.stdout.str()
    assert message in err
    assert "Traceback" not in err + out and "INTERNALERROR" not in err + out
    assert "pw@" not in err + out
    assert len((err + out).splitlines()) < 10  # one message, not one traceback per check


def test_the_cors_redact_ini_key_adds_secret_names(pytester):
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "cors_redact =\n    X-Tenant\n    *-pin\n"
    )
    pytester.makepyfile(
        test_redact="""
from pytest_cors import simulate_fetch

def app(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
    return [b""]

def test_shown():
    outcome = simulate_fetch(
        app, "/x?card-pin=4321", origin="https://app.example.com",
        headers={"X-Tenant": "acme-tenant-77"},
    )
    text = outcome.explain()
    assert "acme-tenant-77" not in text and "4321" not in text
    assert "X-Tenant" in text or "x-tenant" in text
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


TWICE = """
import pytest

import pytest_cors.pytest_plugin.plugin as real

@pytest.fixture
def cors_target():
    return "https://api.example.com"

def test_the_plugin_is_registered_once(cors, pytestconfig):
    manager = pytestconfig.pluginmanager
    assert [p for p in manager.get_plugins() if p is real] == [real]
    assert manager.get_plugin("cors") is real
    assert pytestconfig.getoption("--cors-browser") is None
"""


@pytest.mark.parametrize("autoload", [True, False], ids=["entry-point", "no-autoload"])
@pytest.mark.parametrize(
    "how",
    [["-p", "pytest_cors.plugin"], ["-p", "cors"], "pytest_plugins"],
    ids=["-p-old-path", "-p-entry-point-name", "conftest-pytest_plugins-old-path"],
)
def test_the_old_plugin_path_loads_the_plugin_once(pytester, monkeypatch, autoload, how):
    """``-p pytest_cors.plugin`` (benchmarks, users' CI) and ``pytest_plugins`` naming the old
    path load the plugin with autoloading off, and do not register it twice with it on."""
    if autoload:
        monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    else:
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(TWICE)
    args = ["-p", "no:cacheprovider", "-W", "ignore::pytest.PytestConfigWarning"]
    if how == "pytest_plugins":
        pytester.makeconftest('pytest_plugins = ["pytest_cors.plugin"]\n')
    else:
        args += how
    pytester.runpytest_subprocess(*args).assert_outcomes(passed=1)


def test_the_old_plugin_path_re_exports_names_but_no_hook_or_fixture():
    import pytest_cors.plugin as old
    import pytest_cors.pytest_plugin.plugin as real

    assert old.__all__ == real.__all__
    assert all(getattr(old, name) is getattr(real, name) for name in old.__all__)
    hooks = [n for n in vars(old) if n.startswith("pytest_") and n != "pytest_plugin_registered"]
    assert hooks == []
    assert not hasattr(old, "cors") and not hasattr(old, "cors_target")
