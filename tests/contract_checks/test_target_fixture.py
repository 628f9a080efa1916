"""A contract without a target, run by pytest, is checked against the project's ``cors_target``
fixture (issue 13): any scope, an app, a test client or a live URL, with the fixture's own
setup and teardown; without such a fixture, one error says how to give a target."""

from __future__ import annotations

import pytest

from tests.contract_checks.conftest import FULL_CONTRACT

APPS = "tests.contract_checks.apps"

pytestmark = pytest.mark.usefixtures("ini")

# the full contract, its `target` line (if any) dropped: the fixture must supply it
TARGETLESS = "\n".join(
    line for line in FULL_CONTRACT.splitlines() if not line.lstrip().startswith(("target:",))
)


def _conftest(pytester, body):
    pytester.makeconftest(f"import pytest\nfrom {APPS} import *\n\n{body}")


@pytest.fixture
def targetless(pytester, ini):
    assert "target:" not in TARGETLESS
    pytester.makefile(".yaml", cors=TARGETLESS)
    return pytester


@pytest.mark.parametrize("scope", ["function", "module", "package", "session"])
def test_the_fixture_is_the_target_in_every_scope(targetless, scope):
    _conftest(
        targetless,
        f"@pytest.fixture(scope={scope!r})\ndef cors_target():\n    return flask_good\n",
    )
    result = targetless.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=145)


def test_a_wrong_app_from_the_fixture_fails_as_the_same_app_on_the_command_line(targetless):
    _conftest(targetless, "@pytest.fixture\ndef cors_target():\n    return flask_reflect\n")
    by_fixture = targetless.runpytest("-p", "no:cacheprovider", "-q")
    by_option = targetless.runpytest(
        "-p", "no:cacheprovider", "-q", "--cors-app", f"{APPS}:flask_reflect"
    )
    fixture_failed = sorted(r for r in by_fixture.outlines if r.startswith("FAILED"))
    option_failed = sorted(r for r in by_option.outlines if r.startswith("FAILED"))
    assert fixture_failed, "the reflecting app must break the contract"
    assert fixture_failed == option_failed
    by_fixture.stdout.fnmatch_lines(["*[[]CORS-REFLECT[]]*"])


def test_a_test_client_with_setup_and_teardown(targetless):
    _conftest(
        targetless,
        "EVENTS = []\n\n"
        "@pytest.fixture(scope='module')\n"
        "def cors_target():\n"
        "    EVENTS.append('setup')\n"
        "    with flask_good.test_client() as client:\n"
        "        yield client\n"
        "    EVENTS.append('teardown')\n\n"
        "def pytest_sessionfinish(session):\n"
        "    print('fixture events:', EVENTS)\n",
    )
    result = targetless.runpytest("-p", "no:cacheprovider", "-s")
    # the test client's host is http://localhost: probes from that origin are same-origin
    result.assert_outcomes(passed=143, skipped=2)
    assert "fixture events: ['setup', 'teardown']" in result.stdout.str()


def test_a_live_url_from_the_fixture(targetless):
    _conftest(
        targetless,
        "from tests.servers import serve_wsgi\n\n"
        "@pytest.fixture(scope='session')\n"
        "def live():\n"
        "    with serve_wsgi(flask_good) as url:\n"
        "        yield url\n\n"
        "@pytest.fixture\n"
        "def cors_target(live):\n"
        "    return live\n",
    )
    result = targetless.runpytest("-p", "no:cacheprovider", "-W", "error::ResourceWarning")
    result.assert_outcomes(passed=145)


def test_an_unreachable_url_from_the_fixture_is_an_error_never_a_pass(targetless):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    _conftest(
        targetless,
        f"@pytest.fixture\ndef cors_target():\n    return 'http://127.0.0.1:{port}'\n",
    )
    result = targetless.runpytest("-p", "no:cacheprovider", "-k", "spa-api")
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors", 0) >= 1
    assert "passed" not in outcomes and "failed" not in outcomes


def test_selection_by_node_id_and_last_failed_work_on_fixture_checks(targetless):
    _conftest(targetless, "@pytest.fixture\ndef cors_target():\n    return flask_reflect\n")
    first = targetless.runpytest("-q")
    failed = [
        r.split(" - ")[0].removeprefix("FAILED ") for r in first.outlines if r.startswith("FAILED")
    ]
    assert failed
    one = targetless.runpytest("-q", failed[0])
    one.assert_outcomes(failed=1)
    again = targetless.runpytest("-q", "--lf")  # also the ids with a [ in them
    again.assert_outcomes(failed=len(failed))
    policy = targetless.runpytest("-q", "cors.yaml::fonts", "--collect-only")
    assert all("::fonts::" in line for line in policy.outlines if line.startswith("cors.yaml"))


def test_without_the_fixture_one_error_says_how_to_give_a_target(targetless):
    result = targetless.runpytest("-p", "no:cacheprovider", "-rEs")
    outcomes = result.parseoutcomes()
    assert outcomes["errors"] == 1
    assert outcomes["skipped"] == 144
    assert "passed" not in outcomes
    result.stdout.fnmatch_lines(
        [
            "*cors.yaml: no target to check.*--cors-app or --cors-base-url, or define a "
            "`cors_target` fixture in your conftest.py*",
            "SKIPPED [[]144[]] cors.yaml: no target to check: see the error of cors.yaml::*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_the_contract_target_wins_over_the_fixture(pytester, ini):
    pytester.makefile(".yaml", cors=f"target:\n  app: {APPS}:flask_good\n{TARGETLESS}")
    _conftest(
        pytester, "@pytest.fixture\ndef cors_target():\n    raise AssertionError('not used')\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=145)


def test_the_cors_fixture_keeps_its_own_message(pytester, ini):
    pytester.makepyfile("def test_it(cors):\n    cors.allows('/x', origin='https://a.example')\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the cors fixture needs a target*"])
