"""Whole contracts through pytest (pytester): real Flask + flask-cors and Starlette/FastAPI
CORSMiddleware apps, configured right (everything passes) and wrong (each mistake caught with
its finding id and message); collection, ids, failure text, seeds, errors."""

from __future__ import annotations

import re
import socket

import pytest

from tests.contract_checks.conftest import FULL_CONTRACT as CONTRACT

APPS = "tests.contract_checks.apps"


pytestmark = pytest.mark.usefixtures("ini")


def run(pytester, app, *args):
    return pytester.runpytest(
        "-p", "no:cacheprovider", "-rfE", "--cors-app", f"{APPS}:{app}", *args
    )


@pytest.mark.parametrize("app", ["flask_good", "starlette_good", "fastapi_good"])
def test_correctly_configured_apps_keep_the_whole_contract(project, app):
    result = run(project, app)
    result.assert_outcomes(passed=145)
    result.stdout.fnmatch_lines(["*cors.yaml: 145 checks, 145 passed, 0 failed, 0 errors*"])


@pytest.mark.parametrize(
    ("app", "finding", "node", "message"),
    [
        (
            "flask_reflect",
            "CORS-REFLECT",
            "spa-api::GET /items from https://*.* -> denied",
            "The server reflects any Origin",
        ),
        (
            "starlette_wildcard_credentials",
            "CORS-REFLECT",
            "spa-api::GET /items from https://*.* -> denied",
            "The server reflects any Origin",
        ),
        (
            "flask_null",
            "CORS-NULL",
            "spa-api::GET /items from null -> denied",
            "Never allow 'null'",
        ),
        (
            "flask_prefix_regex",
            "CORS-PREFIX-MATCH",
            "spa-api::GET /items from https://app.example.com.evil.net -> denied",
            "not anchored at the end",
        ),
        (
            "fastapi_suffix_regex",
            "CORS-SUFFIX-MATCH",
            "spa-api::GET /items from https://evilexample.com -> denied",
            "not anchored at the start",
        ),
        (
            "star_with_credentials",
            "CORS-WILDCARD",
            "spa-api::GET /items from https://app.example.com -> allowed",
            "'Access-Control-Allow-Origin: *' but policy 'spa-api' is not public",
        ),
        (
            "flask_no_vary",
            "CORS-VARY",
            "spa-api::PUT /items/1 from https://admin.example.com -> allowed",
            "Add 'Vary: Origin'",
        ),
    ],
)
def test_each_misconfiguration_is_caught_with_its_finding(project, app, finding, node, message):
    result = run(project, app)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) > 0
    assert "errors" not in outcomes
    result.stdout.fnmatch_lines([f"FAILED cors.yaml::{node}*"])
    result.stdout.fnmatch_lines([f"[[]{finding}[]] *{message}*"])
    result.stdout.fnmatch_lines([f"  {finding} (error): * check(s), e.g. *"])


def test_the_prefix_regex_lets_exactly_the_prefix_tricks_through(project):
    result = run(project, "flask_prefix_regex")
    failed = {
        line.split("::", 1)[1].split(" - ")[0]
        for line in result.outlines
        if line.startswith("FAILED ")
    }
    origins = {re.search(r" from (\S+)", name).group(1) for name in failed}
    assert "https://app.example.com.evil.net" in origins
    assert "https://admin.example.com-evil.net" in origins
    assert "https://evilapp.example.com" not in origins  # the regex is anchored at the start
    assert "https://unagxuvyko.com" not in origins


def test_failure_reads_like_the_browser_then_shows_transcript_and_contract_line(project):
    result = run(project, "flask_null")
    result.stdout.fnmatch_lines(
        [
            "*spa-api: GET /items from null -> denied*",
            "[[]CORS-NULL[]] null (the origin 'null' that *) is granted: the server answered "
            "the response with 'Access-Control-Allow-Origin: null'. A page on null can read GET "
            "/items with the user's cookies.*",
            "",
            "Expected: GET /items from null with credentials (the origin 'null' *) must be denied.",
            "Browser: The browser would let a page on null read GET /items with credentials "
            "(status 200).",
            "",
            "Contract: cors.yaml:*:* (policy 'spa-api')",
            "  * |       allow: [[]https://app.example.com, https://admin.example.com[]]",
            "",
            "Transcript:",
            "GET http://testserver/items from origin null: ALLOWED (CORS, status 200)",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "Cookie: <redacted" in result.stdout.str()


def test_contract_errors_are_a_collection_error_listing_every_line(pytester):
    pytester.makefile(
        ".yaml",
        cors="version: 1\npolicies:\n  - name: a\n    paths: [/x]\n    metods: [GET]\n"
        "    origins: {allow: [https://app.example.com/]}\n",
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting cors.yaml*",
            "invalid CORS contract (2 problems):",
            "cors.yaml:5:5: unknown key 'metods' in policy 'a'; did you mean 'methods'?",
            "cors.yaml:6:23: *'https://app.example.com'*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "loader.py" not in result.stdout.str()


def test_files_are_collected_by_name_and_by_option(pytester):
    small = (
        "version: 1\ntarget: {base_url: https://api.example.com}\npolicies:\n  - name: p\n"
        "    paths: [/x]\n    cors: false\n"
    )
    for name in ("cors.yaml", "cors-api.yaml", "api.cors.yaml", "other.yaml", "cors.yml"):
        (pytester.path / name).write_text(small)
    extra = pytester.path / "sub" / "policy.yaml"
    extra.parent.mkdir()
    extra.write_text(small)
    result = pytester.runpytest("--collect-only", "-q", "--cors-contract", "sub/policy.yaml",
                                "--cors-contract", "cors.yaml")  # fmt: skip
    files = {line.split("::")[0] for line in result.outlines if "::" in line}
    assert files == {"cors.yaml", "cors-api.yaml", "api.cors.yaml", "sub/policy.yaml"}
    ids = [line for line in result.outlines if line.startswith("cors.yaml::")]
    assert len(ids) == len(set(ids))  # named and passed explicitly: collected once


def test_item_ids_and_report_location_follow_the_contract(project):
    items, _ = project.inline_genitems(
        "-p", "no:cacheprovider", "--cors-base-url", "https://a.test"
    )
    names = [item.nodeid.split("::", 1)[1] for item in items]  # policy::check
    assert "spa-api::PUT /items/1 from https://app.example.com -> allowed" in names
    assert "spa-api::GET /items from https://evil.example.net -> denied" in names
    assert "spa-api::DELETE /items from https://app.example.com without credentials -> denied" in (
        names
    )
    unlisted = (
        "spa-api::GET /items from https://app.example.com with X-Pytest-Cors-Unlisted "
        "without credentials -> denied"
    )
    assert unlisted in names
    assert "spa-api::GET /items from https://app.example.com`.evil.net -> denied [safari]" in names
    deny = next(i for i in items if i.name.endswith("evil.example.net -> denied"))
    line = CONTRACT.splitlines()[deny.location[1]]
    assert "deny: [https://evil.example.net]" in line
    assert deny.location[0] == "cors.yaml"


def test_browsers_run_each_check_under_each_profile(pytester):
    pytester.makefile(
        ".yaml", cors=CONTRACT.replace("defaults:", "browsers: [chromium, firefox]\ndefaults:")
    )
    result = run(pytester, "flask_good", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes == {"passed": 145 * 2 - 12}  # the 12 Safari-only probes run once
    collected = run(pytester, "flask_good", "--collect-only", "-q").outlines
    assert "cors.yaml::spa-api::PUT /items from https://app.example.com -> allowed [firefox]" in (
        collected
    )


def test_k_selects_checks_by_their_id(project):
    result = run(project, "flask_null", "-k", "spa and null and denied")
    result.assert_outcomes(failed=2, deselected=143)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_live_target_errors_every_item_and_passes_none(project):
    url = f"http://127.0.0.1:{_closed_port()}"
    result = project.runpytest("-p", "no:cacheprovider", "-rfE", "--cors-base-url", url)
    result.assert_outcomes(errors=145)
    result.stdout.fnmatch_lines(
        [
            "TargetError: *connection refused*",
            "",
            "No verdict: the check needs a response from the target.",
            "Contract: cors.yaml:*",
        ]
    )
    out = result.stdout.str()
    assert "Traceback" not in out
    assert "_pytest" not in out
    assert "def " not in out  # no source lines of the kit


def test_an_app_that_cannot_be_imported_is_one_error_up_front(project):
    result = project.runpytest("-p", "no:cacheprovider", "--cors-app", "no_such_module:app")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cannot import target app 'no_such_module:app'*"])
    assert "passed" not in result.parseoutcomes()


def _random_origin(result):
    # the public policy is checked from the random origin
    names = [line for line in result.outlines if "::fonts::GET" in line and "-> allowed" in line]
    return re.search(r"from (\S+)", names[0]).group(1)


def test_seed_picks_the_random_probe_and_is_printed(project):
    first = run(project, "flask_good", "--collect-only", "-q")
    again = run(project, "flask_good", "--collect-only", "-q")
    other = run(project, "flask_good", "--collect-only", "-q", "--cors-seed", "7")
    assert first.outlines[:-1] == again.outlines[:-1]  # all but the timing line
    assert _random_origin(first) != _random_origin(other)
    result = run(project, "flask_good", "--cors-seed", "7", "-k", "admin")
    result.stdout.fnmatch_lines(["pytest-cors: browser=chromium, app=*, seed=7", "*seed 7,*"])


def test_seed_random_is_drawn_and_printed(project):
    result = run(project, "flask_good", "--cors-seed", "random", "-k", "fonts")
    header = next(line for line in result.outlines if line.startswith("pytest-cors:"))
    seed = re.search(r"seed=(\d+)", header).group(1)
    result.stdout.fnmatch_lines([f"*(seed {seed}, target*"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cors-concurrency", "0"], "--cors-concurrency must be at least 1, got 0"),
    ],
)
def test_bad_contract_options_are_usage_errors(project, args, message):
    result = project.runpytest("-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])
