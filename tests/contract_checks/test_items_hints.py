"""The fix in the user's framework (issue 18, part 4) in a contract check's failure and in the
report's records, golden: what ``assert_cors_allows`` says for the same mistake."""

from __future__ import annotations

import json

import pytest

from tests.servers import serve_wsgi
from tests.targets.apps import flask_app

pytestmark = pytest.mark.usefixtures("ini")

CONTRACT = """version: 1
{target}
policies:
  - name: api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
    methods: [GET, DELETE]
    credentials: true
    expose_headers: [X-Total, X-Page]
    faults: []
"""
GOLDEN = {
    "starlette": (
        "In Starlette: add 'DELETE' to `allow_methods` in `CORSMiddleware(...)` (the default "
        "is GET only). See docs/frameworks/starlette.md."
    ),
    "fastapi": (
        "In FastAPI: add 'DELETE' to `allow_methods` in `app.add_middleware(CORSMiddleware, "
        "...)` (the default is GET only). See docs/frameworks/fastapi.md."
    ),
    "flask": (
        "In Flask (flask-cors): add 'DELETE' to `methods` in `CORS(app, methods=[...])`. See "
        "docs/frameworks/flask.md."
    ),
}
EXPOSE_GOLDEN = {
    "starlette": (
        "In Starlette: add X-Page to `expose_headers` in `CORSMiddleware(...)`. See "
        "docs/frameworks/starlette.md."
    ),
}
APPS = {
    "starlette": "tests.targets.apps:starlette_app()",
    "fastapi": "tests.targets.apps:fastapi_app()",
    "flask": "tests.targets.apps:flask_app()",
}


def run(pytester, target: str) -> tuple[str, list[dict]]:
    pytester.makefile(".yaml", cors=CONTRACT.format(target=target))
    result = pytester.runpytest("-p", "no:cacheprovider", "--cors-report=report.json")
    report = json.loads((pytester.path / "report.json").read_text())
    checks = [
        check
        for contract in report["contracts"]
        for policy in contract["policies"]
        for check in policy["checks"]
    ]
    return result.stdout.str(), checks


def blocked(checks: list[dict]) -> list[dict]:
    return [f for c in checks for f in c["findings"] if f["id"] == "CORS-BLOCKED"]


@pytest.mark.parametrize("framework", sorted(APPS))
def test_a_blocked_check_names_the_frameworks_setting(pytester, framework):
    out, checks = run(pytester, f"target:\n  app: {APPS[framework]}")
    golden = GOLDEN[framework]
    # the failure: the header-level fix, then the framework's on the next line
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith(golden))
    assert "Fix: " in lines[at - 1]
    # the report's records: the finding's message and the check's fix both carry it
    (finding,) = blocked(checks)
    assert f"\n{golden}" in finding["message"]
    (check,) = [c for c in checks if c["method"] == "DELETE" and c["status"] == "failed"]
    assert check["fix"].splitlines()[-1] == golden


def test_an_unreadable_declared_header_names_the_frameworks_setting(pytester):
    out, checks = run(pytester, f"target:\n  app: {APPS['starlette']}")
    expose = [f for c in checks for f in c["findings"] if f["id"] == "CORS-EXPOSE-MISSING"]
    assert expose and all(EXPOSE_GOLDEN["starlette"] in f["message"] for f in expose)
    assert EXPOSE_GOLDEN["starlette"] in out


def test_a_live_server_is_known_by_its_middlewares_answers():
    """Against a URL the framework is the fingerprint of flask-cors' answer."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    with serve_wsgi(flask_app()) as base_url, tempfile.TemporaryDirectory() as tmp:
        contract = Path(tmp) / "cors.yaml"
        contract.write_text(CONTRACT.format(target=f"target:\n  base_url: {base_url}"))
        report = Path(tmp) / "report.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest_cors.cli", "check", str(contract), "--report",
             str(report)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stdout + done.stderr
        assert GOLDEN["flask"] in done.stdout
        data = json.loads(report.read_text())
    checks = [c for k in data["contracts"] for p in k["policies"] for c in p["checks"]]
    assert any(GOLDEN["flask"] in f["message"] for f in blocked(checks))


def test_an_unknown_framework_keeps_the_header_level_fix_only(pytester):
    pytester.makepyfile(
        bare="""
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""
    )
    out, checks = run(pytester, "target:\n  app: bare:app")
    assert blocked(checks)
    assert "docs/frameworks/" not in out
    assert all("\nIn " not in f["message"] for f in blocked(checks))
