"""``pytest-cors init``: a starter contract from the app's routes, its CORS answers and HAR files.

What it writes must load, cover every route, hold the frontend's real calls (so the backend's
CI fails when a change breaks them) and, run against the same app, fail only where it wrote a
``# SUSPICIOUS:`` comment. Real apps (flask-cors, Starlette's CORSMiddleware, FastAPI served on
loopback) and the HAR real Chromium recorded (``tests/contract/har/frontend.har``).
"""

from __future__ import annotations

import re
import textwrap

import pytest

from pytest_cors.cli import main
from pytest_cors.contract import load_contract
from pytest_cors.contract.checks import failing
from pytest_cors.contract.init import init
from pytest_cors.contract.loader import load_contract_text
from pytest_cors.contract.record import suspicion_text
from pytest_cors.run import check_contract
from tests.contract.har_frontend import FIXTURE, PAGE_ORIGIN, api_app
from tests.servers import serve_asgi, serve_wsgi

SHOP = """
from tests.contract.har_frontend import api_app

app = api_app()
broken = api_app(allow_headers=("Content-Type",))
"""


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """A project folder holding the API of the recorded frontend as ``shop_api:app``."""
    (tmp_path / "shop_api.py").write_text(SHOP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def blocks(text: str) -> dict[str, str]:
    """Each policy's lines of a written contract, by policy name."""
    found = {}
    for chunk in text.split("\n  - name: ")[1:]:
        name, _, rest = chunk.partition("\n")
        found[name] = rest
    return found


def failures(contract, target) -> dict[str, set[str]]:
    """The finding ids that fail, per policy."""
    found: dict[str, set[str]] = {}
    for check, findings in check_contract(contract, target):
        for finding in failing(findings):
            found.setdefault(check.policy.name, set()).add(finding.id)
    return found


def assert_fails_only_where_commented(text, contract, target):
    policies = blocks(text)
    failed = failures(contract, target)
    for name, ids in failed.items():
        for finding in ids:
            comment = f"# SUSPICIOUS: {suspicion_text(finding)}"
            assert comment in policies[name], (name, finding, policies[name])
    commented = {name for name, body in policies.items() if "# SUSPICIOUS:" in body}
    assert commented == set(failed), (commented, failed)
    return failed


def test_init_writes_every_route_and_the_frontends_calls(shop, capsys):
    assert main(["init", "--app", "shop_api:app", "--har", str(FIXTURE), "-o", "cors.yaml"]) == 0
    err = capsys.readouterr().err
    assert "wrote cors.yaml" in err
    text = (shop / "cors.yaml").read_text()
    contract = load_contract(shop / "cors.yaml")
    assert contract.target is not None and contract.target.app == "shop_api:app"
    assert contract.coverage is not None and contract.coverage.ignore == ("static",)
    by_path = {path: p for p in contract.policies for path in p.paths}
    # the route the frontend called, with the id it used as the inline example
    item = by_path["/api/items/{item_id=42}"]
    assert [r.text for r in item.allow] == [PAGE_ORIGIN]
    assert item.methods == ("GET",)
    assert "X-Request-Id" in item.request_headers
    assert item.expose_headers == ("X-Total-Count",)
    assert item.credentials is True
    assert by_path["/api/login"].methods == ("POST",)
    # routes the frontend never calls cross-origin are written too, as the app answers them
    assert by_path["/"].cors is False
    # what looks wrong is commented and warned about: flask-cors sends no Vary: Origin here
    assert "# SUSPICIOUS: no Vary: Origin on an echoed origin (CORS-VARY)" in text
    assert "pytest-cors: warning: policy 'api-items-item_id'" in err
    assert_fails_only_where_commented(text, contract, api_app())
    # every route is covered: the coverage item passes
    assert main(["check", "cors.yaml", "--", "-k", "coverage"]) == 0


def test_the_written_contract_fails_when_the_backend_breaks_the_frontend(shop):
    """The point of the HAR: the API drops X-Request-Id from its CORS headers, a call the
    frontend makes stops working, and the contract init wrote catches it."""
    text = init(app="shop_api:app", har=[FIXTURE])
    (shop / "cors.yaml").write_text(text)
    contract = load_contract(shop / "cors.yaml")
    healthy = failures(contract, api_app())
    broken = failures(contract, api_app(allow_headers=("Content-Type",)))
    item = next(p.name for p in contract.policies if "/api/items/{item_id=42}" in p.paths)
    assert "CORS-BLOCKED" not in healthy.get(item, set())
    assert "CORS-BLOCKED" in broken[item]
    assert main(["check", "cors.yaml", "--app", "shop_api:broken"]) == 1


def test_a_frontend_call_the_server_refuses_today_is_written_and_commented(shop):
    messages = []
    text = init(app="shop_api:broken", har=[FIXTURE], warn=messages.append)
    (shop / "cors.yaml").write_text(text)
    contract = load_contract(shop / "cors.yaml")
    item = next(p for p in contract.policies if "/api/items/{item_id=42}" in p.paths)
    assert "X-Request-Id" in item.request_headers  # what the frontend needs, not what is granted
    assert "# SUSPICIOUS: the frontend sets X-Request-Id, not granted today (seen in " in text
    assert any("the frontend sets X-Request-Id" in m for m in messages)
    failed = failures(contract, api_app(allow_headers=("Content-Type",)))
    assert "CORS-BLOCKED" in failed[item.name]


REFLECTING = """
def app(environ, start_response):
    origin = environ.get("HTTP_ORIGIN")
    headers = [("Content-Type", "text/plain")]
    if origin:
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    if environ["REQUEST_METHOD"] == "OPTIONS":
        headers += [("Access-Control-Allow-Methods", "GET")]
    start_response("200 OK", headers)
    return [b"ok"]
"""


def test_a_server_reflecting_any_origin_is_written_as_meant_and_commented(tmp_path):
    """Raw WSGI: no route table to read, so the routes come from an OpenAPI file."""
    (tmp_path / "openapi.json").write_text(
        '{"openapi": "3.1.0", "paths": {"/items": {"get": {}}, "/items/{id}": {"get": {}}}}'
    )
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(REFLECTING), namespace)
    app = namespace["app"]
    text = init(
        target=app,
        openapi=tmp_path / "openapi.json",
        origins=["https://app.example.com"],
        output=tmp_path / "cors.yaml",
    )
    (tmp_path / "cors.yaml").write_text(text)
    contract = load_contract(tmp_path / "cors.yaml")
    assert contract.coverage is not None and contract.coverage.openapi == "openapi.json"
    (policy,) = contract.policies
    assert policy.paths == ("/items", "/items/{id}")
    assert [r.text for r in policy.allow] == ["https://app.example.com"]  # not 'public: true'
    assert "# SUSPICIOUS: the server reflects ANY origin" in text
    failed = assert_fails_only_where_commented(text, contract, app)
    assert "CORS-REFLECT" in failed[policy.name]


def test_init_against_a_live_fastapi_app_reads_its_openapi_url():
    fastapi = pytest.importorskip("fastapi")
    from starlette.middleware.cors import CORSMiddleware

    app = fastapi.FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["https://app.example.com"],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )

    @app.get("/items/{item_id}")
    def read(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.post("/items")
    def create() -> dict[str, int]:
        return {"id": 1}

    with serve_asgi(app) as base_url:
        text = init(
            base_url=base_url,
            openapi=f"{base_url}/openapi.json",
            origins=["https://app.example.com", "https://evil.example"],
        )
        contract = load_contract_text(text, "cors.yaml")
        assert contract.target is not None and contract.target.base_url == base_url
        assert contract.coverage is not None
        assert contract.coverage.openapi == f"{base_url}/openapi.json"
        paths = [path for p in contract.policies for path in p.paths]
        assert sorted(paths) == ["/items", "/items/{item_id}"]  # the docs are FastAPI's own
        policy = contract.policies[0]
        assert [o.serialize() for o in policy.deny] == ["https://evil.example"]
        assert_fails_only_where_commented(text, contract, None)


def test_init_usage_errors(shop, tmp_path, capsys):
    assert main(["init", "--base-url", "http://127.0.0.1:9"]) == 2
    assert "needs its routes (--openapi FILE or URL) or the frontend's calls" in (
        capsys.readouterr().err
    )
    (shop / "bad.har").write_text("{}")
    assert main(["init", "--app", "shop_api:app", "--har", "bad.har"]) == 2
    assert "bad.har: not a HAR file: it has no 'log' object" in capsys.readouterr().err
    (shop / "cors.yaml").write_text("keep me")
    assert main(["init", "--app", "shop_api:app", "-o", "cors.yaml"]) == 2
    assert "cors.yaml exists; pass --force" in capsys.readouterr().err
    assert (shop / "cors.yaml").read_text() == "keep me"
    assert main(["init", "--app", "shop_api:app", "--origin", "app.example.com"]) == 2
    assert re.search(r"app\.example\.com", capsys.readouterr().err)


def test_a_har_of_another_server_is_a_usage_error_saying_where_its_calls_went(shop, capsys):
    with serve_wsgi(api_app()) as base_url:
        assert main(["init", "--base-url", base_url, "--har", str(FIXTURE)]) == 2
    err = capsys.readouterr().err
    assert f"none of the 3 cross-origin call(s) of the HAR file(s) went to {base_url}" in err
    assert "(they went to http://api.example.test)" in err


def test_without_origins_init_warns_and_writes_what_strangers_get(shop, capsys):
    assert main(["init", "--app", "shop_api:app"]) == 0
    out, err = capsys.readouterr()
    assert "no origin given (--origin, --har)" in err
    contract = load_contract(_written(shop, out))
    assert all(p.cors is False for p in contract.policies)
    assert failures(contract, api_app()) == {}


def _written(folder, text):
    path = folder / "cors.yaml"
    path.write_text(text)
    return path
