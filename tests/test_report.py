"""Reports: terminal summary, Markdown, JSON and SARIF from real contract runs; secrets redacted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_cors.contract.checks import FINDINGS
from pytest_cors.errors import CorsUsageError
from pytest_cors.report import (
    check_format,
    matrix,
    redact,
    terminal_summary,
    to_json,
    to_markdown,
    to_sarif,
)

CONTRACT = (Path(__file__).parent / "contract_checks" / "contracts" / "full.yaml").read_text()
APPS = "tests.contract_checks.apps"
SECRET = "s3cr3t-session-value"

LEAKY_APP = f"""
from tests.contract_checks.apps import scripted

_REFLECT = {{
    "Access-Control-Allow-Origin": "{{origin}}",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PUT",
    "Access-Control-Allow-Headers": "Content-Type, X-Request-Id",
    "Access-Control-Expose-Headers": "X-Total-Count",
    "Set-Cookie": "session={SECRET}; HttpOnly",
    "Vary": "Origin",
}}
app = scripted(_REFLECT, _REFLECT)
"""


@pytest.fixture(autouse=True)
def ini(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def report_of(pytester, app, suffix, *extra):
    pytester.makefile(".yaml", cors=CONTRACT)
    out = pytester.path / f"report{suffix}"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--cors-app", app, "--cors-report", str(out), *extra
    )
    return result, out.read_text()


def test_json_report_has_header_totals_matrix_and_findings(pytester):
    result, text = report_of(pytester, f"{APPS}:flask_null", ".json", "--cors-seed", "9")
    data = json.loads(text)
    assert data["tool"] == "pytest-cors"
    assert data["seed"] == 9  # an integer on the command line, as in a contract
    assert data["browsers"] == ["chromium", "safari"]  # the default, and Safari's own probes
    assert data["totals"] == {"checks": 145, "passed": 143, "failed": 2, "error": 0, "skipped": 0}
    (contract,) = data["contracts"]
    assert contract["file"] == "cors.yaml"
    assert contract["seed"] == 9
    assert contract["target"] == f"app {APPS}:flask_null"
    spa = next(p for p in contract["policies"] if p["name"] == "spa-api")
    assert spa["paths"] == ["/items", "/items/1"]
    rows = {row["origin"]: row for row in spa["matrix"]}
    assert rows["https://app.example.com"]["cells"] == {"/items": "allowed", "/items/1": "allowed"}
    assert rows["null"]["cells"] == {"/items": "UNEXPECTED", "/items/1": "UNEXPECTED"}
    assert rows["null"]["role"] == "null"
    assert rows["https://evil.example.net"]["cells"]["/items"] == "denied"
    assert {f["id"] for f in data["findings"]} == {"CORS-NULL"}
    finding = data["findings"][0]
    # origins.allow (its first line in the file), where the null probe is derived from
    allow_line = next(n for n, line in enumerate(CONTRACT.splitlines(), 1) if "allow:" in line)
    assert finding["line"] == allow_line == 13
    assert finding["check"] == "spa-api::GET /items from null -> denied"
    failed = [c for c in spa["checks"] if c["status"] == "failed"]
    assert failed[0]["transcript"].startswith("GET http://testserver/items from origin null")
    result.assert_outcomes(passed=143, failed=2)


def test_markdown_report_is_ready_for_a_ci_summary(pytester):
    _, text = report_of(pytester, f"{APPS}:flask_no_vary", ".md")
    assert text.startswith("# pytest-cors contract report\n")
    assert "The CORS policy is broken: 145 checks, 133 passed, 12 failed" in text
    assert (
        "- seed: `1` (rerun the same probes with `--cors-seed 1` in pytest, `--seed 1` in "
        "`pytest-cors check`)" in text
    )
    assert "| origin | role | `/items` | `/items/1` |" in text
    assert "| `https://app.example.com` | allowed | **UNEXPECTED** | **UNEXPECTED** |" in text
    assert "- **CORS-VARY** (error) at `cors.yaml:" in text
    assert "<details><summary>spa-api::GET /items from https://app.example.com -> allowed" in text
    assert "contract-checks.md" in text


def test_sarif_report_has_the_required_structure(pytester):
    _, text = report_of(pytester, f"{APPS}:flask_prefix_regex", ".sarif")
    sarif = json.loads(text)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "pytest-cors"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == list(FINDINGS)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["results"]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith("cors.yaml")
        assert location["region"]["startLine"] >= 1
        assert location["region"]["startColumn"] >= 1
    assert {"CORS-PREFIX-MATCH", "CORS-OTHER-PORT"} <= {r["ruleId"] for r in run["results"]}


def test_sarif_marks_silenced_findings_as_suppressed(pytester):
    contract = CONTRACT.replace(
        "    max_age: {min: 60, max: 7200}\n",
        "    max_age: {min: 60, max: 7200}\n    allow_findings:\n      - id: CORS-VARY\n"
        "        reason: the CDN varies on Origin itself\n",
    )
    pytester.makefile(".yaml", cors=contract)
    out = pytester.path / "r.sarif"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_no_vary", "--cors-report", str(out)
    )
    result.assert_outcomes(passed=145)
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert results
    assert all(
        r["suppressions"]
        == [{"kind": "inSource", "justification": "the CDN varies on Origin itself"}]
        for r in results
    )


@pytest.mark.parametrize("suffix", [".md", ".json", ".sarif"])
def test_reports_never_contain_secret_values(pytester, suffix):
    pytester.makepyfile(leaky_app=LEAKY_APP)
    pytester.syspathinsert()
    result, text = report_of(pytester, "leaky_app:app", suffix)
    assert "CORS-REFLECT" in text
    if suffix != ".sarif":  # SARIF carries findings only; the others the failed transcripts too
        assert "Set-Cookie: <redacted" in text
        assert "> Cookie: <redacted" in text
    assert SECRET not in text
    assert "pytest_cors_session=probe" not in text  # the cookie the kit itself sent
    assert SECRET not in result.stdout.str()


def test_report_format_comes_from_the_suffix(pytester):
    with pytest.raises(CorsUsageError, match=r"unknown report format '\.xml'; use .*\.md"):
        check_format("out.xml")
    assert check_format("OUT.HTML") == ".html"
    pytester.makefile(".yaml", cors=CONTRACT)
    result = pytester.runpytest("--cors-report", "out.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown report format '.txt'*"])


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("> Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("  < set-cookie: sid=123456789; Path=/", "sid=123456789"),
        ("Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("GET https://user:hunter22@api.example.com/items", "hunter22"),
        ("sent 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9' along", "eyJhbGciOiJIUzI1NiJ9"),
    ],
)
def test_redact_removes_secret_values_and_keeps_the_rest(text, leaked):
    cleaned = redact(text)
    assert leaked not in cleaned
    assert "redacted" in cleaned
    assert redact(cleaned) == cleaned  # idempotent


def test_redact_leaves_ordinary_text_alone():
    text = "Access-Control-Allow-Origin: https://app.example.com\nVary: Origin"
    assert redact(text) == text


def _record(origin, path, expect, status, attack=None):
    return {"origin": origin, "path": path, "expect": expect, "status": status, "attack": attack,
            "contract": "cors.yaml", "policy": "p", "check": f"{origin} {path}", "findings": [],
            "browser": "chromium", "seed": "1", "target": "x"}  # fmt: skip


def test_matrix_cells_and_terminal_folding():
    records = [
        _record("https://app.example.com", "/a", "allowed", "passed"),
        _record("https://app.example.com", "/a", "denied", "passed"),  # a method outside the list
        _record("https://app.example.com", "/b", "allowed", "failed"),
        _record("null", "/a", "denied", "passed", "null"),
        _record("https://x.evil.net", "/a", "denied", "error", "prefix"),
        _record("https://y.evil.net", "/a", "denied", "skipped", "prefix"),
    ]
    paths, rows = matrix(records)
    assert paths == ["/a", "/b"]
    cells = {origin: (role, c) for origin, role, c in rows}
    assert cells["https://app.example.com"] == ("allowed", ["allowed", "UNEXPECTED"])
    assert cells["null"] == ("null", ["denied", "-"])
    assert cells["https://x.evil.net"] == ("prefix", ["ERROR", "-"])
    assert cells["https://y.evil.net"] == ("prefix", ["skipped", "-"])
    lines = terminal_summary(records)
    assert lines[0].startswith("cors.yaml: 6 checks, 3 passed, 1 failed, 1 errors (seed 1")
    shown = "\n".join(lines)
    assert "https://x.evil.net" in shown  # errors are never folded away
    assert "... and 1 adversarial origins: all denied as expected" in shown  # null folded


def test_the_terminal_matrix_has_column_headers_over_aligned_columns():
    records = [
        _record("https://app.example.com", "/a", "allowed", "passed"),
        _record("https://app.example.com", "/a-much-longer-path", "allowed", "failed"),
        _record("https://x.evil.net", "/a", "denied", "error", "prefix"),
        _record("null", "/a", "denied", "passed", "null"),
    ]
    lines = terminal_summary(records)
    assert lines[1:] == [
        "  policy p: /a, /a-much-longer-path",
        "    origin                   /a       /a-much-longer-path  role",
        "    https://app.example.com  allowed  UNEXPECTED           allowed",
        "    https://x.evil.net       ERROR    -                    prefix",
        "    ... and 1 adversarial origins: all denied as expected",
    ]


def test_a_fully_folded_policy_has_no_header_row():
    lines = terminal_summary([_record("null", "/a", "denied", "passed", "null")])
    assert lines[1:] == [
        "  policy p: /a",
        "    ... and 1 adversarial origins: all denied as expected",
    ]


def _rendered(markdown_text):
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable("table").render(markdown_text)


def test_markdown_shows_values_with_backticks_and_pipes_exactly():
    record = _record("https://a`b.example", "/q`x", "allowed", "failed", None)
    record["contract"] = "we``ird.yaml"
    record["target"] = "base_url https://api.example.com/`v1`"
    record["check"] = "p::GET /q`x from <https://a`b.example> -> allowed"
    record["transcript"] = "a header with a fence:\n```\n< X-Odd: `|` and \\` too\n````"
    record["findings"] = [
        {"id": "CORS-VARY", "severity": "error", "silenced": None, "line": 3, "column": 5,
         "message": "the response carries 'X-Odd: `|`' and a \\d regex, *both* kept"}
    ]  # fmt: skip
    piped = _record("https://c.example", "/a|b", "allowed", "passed")
    piped["contract"] = "we``ird.yaml"
    text = to_markdown([record, piped])
    html = _rendered(text)
    assert "<h2><code>we``ird.yaml</code></h2>" in html
    assert "<code>base_url https://api.example.com/`v1`</code>" in html
    assert "<td><code>https://a`b.example</code></td>" in html
    assert "<th><code>/q`x</code></th>" in html
    assert "<th><code>/a|b</code></th>" in html  # a pipe in a code span stays in its cell
    assert "<code>we``ird.yaml:3</code>" in html
    assert "the response carries 'X-Odd: `|`' and a \\d regex, *both* kept" in html
    assert "<summary>p::GET /q`x from &lt;https://a`b.example> -> allowed</summary>" in html
    assert "```\n&lt; X-Odd: `|` and \\` too\n````\n</code></pre>" in html  # one block, whole


@pytest.mark.parametrize(
    ("recorded", "override", "expected"),
    [
        ("1", None, 1),  # the default seed, or a contract's: an integer
        ("20240611", None, 20240611),
        ("9", 9, 9),  # --cors-seed 9 is read as an integer
        ("nightly", "nightly", "nightly"),  # --cors-seed nightly stays text
    ],
)
def test_json_seed_has_the_type_the_seed_had(recorded, override, expected):
    records = [{**_record("https://app.example.com", "/a", "allowed", "passed"), "seed": recorded}]
    data = to_json(records, seed=override)
    assert data["seed"] == expected
    assert type(data["seed"]) is type(expected)
    assert [c["seed"] for c in data["contracts"]] == [expected]
    assert type(data["contracts"][0]["seed"]) is type(expected)
    assert to_sarif(records, seed=override)["runs"][0]["properties"]["seed"] == expected


def test_json_header_names_the_seed_only_when_every_contract_shares_it():
    one = _record("https://app.example.com", "/a", "allowed", "passed")
    two = {**one, "contract": "other.cors.yaml", "seed": "5"}
    data = to_json([one, two])
    assert data["seed"] is None
    assert {c["file"]: c["seed"] for c in data["contracts"]} == {
        "cors.yaml": 1,
        "other.cors.yaml": 5,
    }


def test_json_header_lists_the_browsers_the_records_used():
    records = [
        {**_record("https://app.example.com", "/a", "allowed", "passed"), "browser": "firefox"},
        {**_record("null", "/a", "denied", "passed", "null"), "browser": "firefox"},
        {
            **_record("https://app.example.com.", "/a", "denied", "passed", "dot"),
            "browser": "safari",
        },
    ]
    data = to_json(records)
    assert data["browsers"] == ["firefox", "safari"]  # not the chromium default
    assert data["contracts"][0]["browsers"] == ["firefox", "safari"]


def test_summary_lists_the_look_alike_classes_a_reflecting_server_let_in(pytester):
    pytester.makepyfile(leaky_app=LEAKY_APP)
    pytester.syspathinsert()
    pytester.makefile(".yaml", cors=CONTRACT)
    result = pytester.runpytest("-p", "no:cacheprovider", "--cors-app", "leaky_app:app")
    lines = [line for line in result.outlines if "one cause, the classes that got in:" in line]
    assert len(lines) == 1
    classes = lines[0].split("got in:", 1)[1].split(", ")
    # a server reflecting anything lets every look-alike in: several classes, one cause
    assert {"prefix", "suffix", "null"} & {c.strip() for c in classes}
    assert len(classes) > 5
