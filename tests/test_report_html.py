"""The HTML report: the generator (escaping, counts, the page's policy), its secrets, and the page
itself in a real browser (Debian's Chromium through playwright, as the conformance suite drives
it): no console error, one matrix cell per check, filters, a check's story on a click."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from pytest_cors.report import write_report
from pytest_cors.report_html import FIELDS, page_data, script_json, to_html
from tests.contract_checks.conftest import FULL_CONTRACT

APPS = "tests.contract_checks.apps"
ARTIFACTS_ENV = "PYTEST_CORS_ARTIFACTS"
HOSTILE = "</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> &amp; \u2028"


@pytest.fixture
def ini(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def record(**changes):
    base = {
        "contract": "cors.yaml", "file": "/p/cors.yaml", "nodeid": "cors.yaml::api::GET /a",
        "policy": "api", "check": "api::GET /a from https://app.example.com -> allowed",
        "kind": "allowed", "path": "/a", "origin": "https://app.example.com", "method": "GET",
        "headers": [], "credentials": False, "browser": "chromium", "expect": "allowed",
        "attack": None, "source": "origins.allow", "line": 3, "column": 5, "status": "passed",
        "observed": "allowed", "findings": [], "error": None, "seed": 1, "target": "app m:app",
        "transcript": None, "verdict": None, "message": None, "fix": None, "curl": None,
    }  # fmt: skip
    return {**base, **changes}


def embedded(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="cors-data">(.*?)</script>', page)
    assert match is not None
    return json.loads(match.group(1))


# -- the generator -------------------------------------------------------------------------


def test_script_json_leaves_no_character_that_could_end_the_element():
    text = script_json({"a": HOSTILE, HOSTILE: [HOSTILE]})
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"a": HOSTILE, HOSTILE: [HOSTILE]}


def test_server_text_stays_data_and_never_becomes_markup():
    hostile = record(
        status="failed", observed="allowed", transcript=HOSTILE, message=HOSTILE,
        origin=HOSTILE, path="/<b>", check=f"api::GET /<b> from {HOSTILE} -> allowed",
        findings=[{"id": "CORS-REFLECT", "severity": "error", "message": HOSTILE,
                   "silenced": None, "line": 1, "column": 1}],
    )  # fmt: skip
    page = to_html([hostile, record()], seed=1, version="0", docs_url="https://d.example/x.md")
    # the page's own two scripts, and nothing the records could have added
    assert page.count("<script") == 2 and page.count("</script") == 2
    assert "<img" not in page and "<b>" not in page and "alert(1)</script>" not in page
    data = embedded(page)
    assert data["checks"][0][FIELDS.index("transcript")] == HOSTILE
    assert data["checks"][0][FIELDS.index("findings")] == [["CORS-REFLECT", "error", HOSTILE, None]]
    # the script builds the page from text only
    script = page.rsplit("<script>", 1)[1]
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script and "eval(" not in script


def test_the_page_loads_nothing_and_runs_only_its_own_code():
    page = to_html([record()])
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    assert policy.group(1).startswith("default-src 'none'; ")
    for tag in ("style", "script"):
        body = page.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy.group(1)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN, no network


def test_page_data_counts_labels_and_duration():
    records = [
        record(started=100.0, finished=100.5),
        record(
            status="failed", observed="allowed", expect="denied", attack="null",
            check="api::GET /a from https://app.example.com with credentials -> denied [firefox]",
            browser="firefox", started=100.1, finished=102.25,
        ),
        record(status="error", observed=None, error="no response", contract="other.yaml"),
        record(status="skipped", observed=None),
    ]  # fmt: skip
    data = page_data(records, seed=7, version="1.2", docs_url="u")
    assert data["totals"] == {"checks": 4, "passed": 1, "failed": 1, "error": 1, "skipped": 1}
    assert data["duration"] == 2.25
    assert data["browsers"] == ["chromium", "firefox"]
    assert [c["file"] for c in data["contracts"]] == ["cors.yaml", "other.yaml"]
    assert data["contracts"][0]["totals"]["checks"] == 3
    assert len(data["checks"]) == 4 and all(len(row) == len(FIELDS) for row in data["checks"])
    labels = [row[FIELDS.index("label")] for row in data["checks"]]
    assert labels == ["", "with credentials", "", ""]
    assert data["kinds"]["CORS-NULL"] and data["attacks"]["null"]
    assert page_data([])["duration"] is None  # records without timings: no duration


def test_write_report_redacts_what_it_embeds(tmp_path):
    leaky = record(
        status="failed",
        transcript="> Authorization: Bearer abcdefghijklmnop\n> GET /a?token=s3cr3t-t0ken",
        curl="curl -i -X GET 'https://u:hunter22@api.example.com/a?api_key=k3y-k3y-k3y'",
    )
    out = tmp_path / "r.html"
    write_report(out, [leaky])
    page = out.read_text()
    for secret in ("abcdefghijklmnop", "s3cr3t-t0ken", "hunter22", "k3y-k3y-k3y"):
        assert secret not in page
    assert "Authorization: \\u003credacted" in page


# -- through pytest ----------------------------------------------------------------------

SECRET = "tok-SECRET-4711"
SECRET_CONTRACT = f"""\
version: 1
policies:
  - name: api
    paths: ["/items?token={SECRET}"]
    origins:
      allow: [https://app.example.com]
    methods: [GET, PUT]
    request_headers: [Authorization]
    credentials: true
"""


def test_a_planted_secret_never_reaches_the_html_report(pytester, ini):
    pytester.makefile(".yaml", cors=SECRET_CONTRACT)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_good", "--cors-report", "r.html"
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] > 0  # flask_good does not allow Authorization: transcripts too
    page = (pytester.path / "r.html").read_text()
    assert SECRET not in page
    assert "Bearer pytest-cors" not in page and "pytest-cors'" not in page
    assert "token=\\u003credacted" in page and "Authorization: \\u003credacted" in page
    data = embedded(page)
    rows = [dict(zip(data["fields"], row, strict=True)) for row in data["checks"]]
    assert len(rows) == sum(outcomes.values())
    blocked = [r for r in rows if r["status"] == "failed"]
    # a blocked request: the console line and the fix, for the page to show
    assert all("has been blocked by CORS policy" in r["message"] for r in blocked)
    assert all(r["fix"] and r["curl"].startswith("curl -i -X ") for r in blocked)
    judged = [r for r in rows if r["kind"] in ("allowed", "origin", "method")]
    assert all(r["verdict"] for r in judged if r["status"] in ("passed", "failed"))


def test_pytest_cors_check_writes_the_html_report(tmp_path, capsys):
    from pytest_cors.cli import main

    contract = tmp_path / "cors.yaml"
    contract.write_text(FULL_CONTRACT)
    report = tmp_path / "out" / "r.html"
    code = main(["check", str(contract), "--app", f"{APPS}:flask_good", "--report", str(report)])
    assert code == 0, capsys.readouterr().out
    data = embedded(report.read_text())
    assert data["totals"]["checks"] == len(data["checks"]) > 100
    assert data["totals"]["passed"] == len(data["checks"])


# -- in a real browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through playwright, launched as the conformance suite launches it;
    missing, the test skips, except under ``CI=true`` where that is a failure."""
    from tests.conformance.chromium import FLAGS, find_chromium

    exe = find_chromium()
    if exe is None:
        _unavailable("Chromium not found (install Debian's 'chromium' package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright-python is not installed")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=exe, args=list(FLAGS), headless=True)
    except Exception as exc:
        pw.stop()
        _unavailable(f"Chromium at {exe} did not start: {exc}")
        raise
    yield browser
    browser.close()
    pw.stop()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``$PYTEST_CORS_ARTIFACTS`` (CI uploads it), else ``tmp_path``."""
    folder = Path(os.environ.get(ARTIFACTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_page_in_chromium(pytester, ini, chromium, tmp_path):
    pytester.makefile(".yaml", cors=FULL_CONTRACT)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--cors-app", f"{APPS}:flask_null", "--cors-report", "r.html"
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 2 and set(outcomes) == {"passed", "failed"}
    total = outcomes["passed"] + 2
    report = pytester.path / "r.html"

    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else 0)
    page.on("pageerror", lambda e: problems.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(report.as_uri())
        page.wait_for_selector("html[data-rendered]")
        cells = page.locator("main button.cell")
        assert cells.count() == total  # one cell per check
        assert page.locator("#run").inner_text().count("2 failed") == 1
        assert page.locator("#shown").inner_text() == f"{total} of {total} checks shown"

        page.select_option("#f-outcome", "unexpected")
        visible = page.locator("main button.cell:visible")
        assert visible.count() == 2
        assert page.locator("main button.cell.s-failed:visible").count() == 2
        assert page.locator("#shown").inner_text() == f"2 of {total} checks shown"

        visible.first.click()
        detail = page.locator("#detail")
        assert detail.is_visible()
        text = detail.inner_text()
        assert "spa-api::GET /items from null -> denied" in text
        assert "CORS-NULL" in text and "Never allow 'null'" in text
        assert "curl -i -X GET http://testserver/items" in text
        assert "Access-Control-Allow-Origin: null" in text  # the whole exchange
        link = detail.locator("a", has_text="documentation")
        assert link.get_attribute("href").endswith("contract-checks.md#cors-null")
        page.screenshot(path=str(artifacts(tmp_path) / "html-report-failed-check.png"))

        page.keyboard.press("Escape")
        assert not detail.is_visible()
        page.select_option("#f-outcome", "")
        page.fill("#f-search", "evil.example.net")
        assert 0 < page.locator("main button.cell:visible").count() < total
        page.fill("#f-search", "")
        page.select_option("#f-policy", label="fonts")
        fonts = page.locator("main button.cell:visible").count()
        assert 0 < fonts < total
        page.select_option("#f-policy", "")
        page.screenshot(path=str(artifacts(tmp_path) / "html-report.png"), full_page=True)
    finally:
        page.close()
    assert problems == []
    assert requests == [report.as_uri()]  # the page itself, and nothing else
