"""pytest_cors.routes: every route an app serves, read through each framework's routing API,
its test client, or an OpenAPI document; and which policy path covers which route."""

from __future__ import annotations

import json

import pytest

import pytest_cors
from pytest_cors import Route, routes, routes_from_openapi
from pytest_cors.errors import CorsUsageError
from pytest_cors.routing import covers, sample_path, uncovered


def by_path(found: list[Route]) -> dict[str, Route]:
    return {(f"{r.host}" if r.host else "") + r.path_template: r for r in found}


# -- templates and coverage ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "template", "expected"),
    [
        ("/items/1", "/items/{id}", True),
        ("/items/{item_id}", "/items/{id}", True),
        ("/items/1?expand=owner", "/items/{id}", True),
        ("/items", "/items/{id}", False),
        ("/items/1/parts", "/items/{id}", False),
        ("/items/1/", "/items/{id}", False),
        ("/files/a/b.txt", "/files/{rest:path}", True),
        ("/items", "/items", True),
        ("/items.json", "/items", False),
    ],
)
def test_a_policy_path_covers_a_route_when_it_matches_the_template(path, template, expected):
    assert covers(path, Route(template)) is expected
    assert Route(template).matches(path) is expected


def test_uncovered_drops_covered_and_ignored_routes_by_path_or_name():
    found = [
        Route("/items/{id}", ("GET",), "item"),
        Route("/users", ("GET",), "users"),
        Route("/static/{filename:path}", ("GET",), "static", internal=True),
        Route("/health", ("GET",), "health"),
    ]
    assert uncovered(found, ["/items/1"], ["/health"]) == [found[1], found[2]]
    assert uncovered(found, ["/items/1"], ["static", "/u*"]) == [found[3]]


def test_sample_path_fills_parameters_and_an_explicit_example_wins():
    assert sample_path("/items/{id}/files/{rest:path}") == "/items/1/files/x"
    assert sample_path("/items/{id}", {"id": "42"}) == "/items/42"


def test_the_names_are_public():
    assert {"routes", "routes_from_openapi", "Route"} <= set(pytest_cors.__all__)


# -- frameworks ------------------------------------------------------------------------------


def test_flask_rules_converters_blueprints_and_static():
    flask = pytest.importorskip("flask")
    app = flask.Flask(__name__)
    app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: "", methods=["GET", "PUT"])
    blueprint = flask.Blueprint("files", __name__)
    blueprint.add_url_rule("/<path:name>", "file", lambda name: "")
    app.register_blueprint(blueprint, url_prefix="/files")
    found = by_path(routes(app))
    assert found["/items/{item_id}"].methods == ("GET", "HEAD", "OPTIONS", "PUT")
    assert found["/items/{item_id}"].name == "item"
    assert found["/files/{name:path}"].name == "files.file"
    assert found["/static/{filename:path}"].internal
    assert not found["/items/{item_id}"].internal
    assert routes(app.test_client()) == routes(app)


def test_quart_url_map_and_test_client():
    quart = pytest.importorskip("quart")
    app = quart.Quart(__name__)

    @app.route("/items/<int:item_id>", methods=["DELETE"])
    async def item(item_id):
        return ""

    @app.websocket("/ws")
    async def ws():
        return None

    found = by_path(routes(app.test_client()))
    assert found["/items/{item_id}"].methods == ("DELETE", "OPTIONS")
    assert "/ws" not in found
    assert found["/static/{filename:path}"].internal


def _endpoint(request):
    raise AssertionError("never called")


def test_starlette_mounts_hosts_and_mounted_apps():
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Host, Mount, Router, WebSocketRoute
    from starlette.routing import Route as SRoute
    from starlette.staticfiles import StaticFiles

    inner = Starlette(routes=[SRoute("/items/{id:int}", _endpoint, methods=["PUT"])])
    app = Starlette(
        routes=[
            SRoute("/", _endpoint, name="home"),
            Mount(
                "/api/{version}",
                routes=[Mount("/v", app=inner), SRoute("/users", _endpoint, methods=["POST"])],
            ),
            Mount("/assets", app=StaticFiles(directory=".", check_dir=False), name="assets"),
            Host("admin.example.com", app=Router(routes=[SRoute("/stats", _endpoint)])),
            WebSocketRoute("/ws", _endpoint),
        ]
    )
    found = by_path(routes(app))
    assert set(found) == {
        "/",
        "/api/{version}/v/items/{id}",
        "/api/{version}/users",
        "/assets/{path:path}",
        "admin.example.com/stats",
    }
    assert found["/api/{version}/v/items/{id}"].methods == ("PUT",)
    assert found["/"].name == "home"
    assert found["/assets/{path:path}"].methods == ()
    # a middleware around the app, and the test client, lead to the same routes
    wrapped = CORSMiddleware(app, allow_origins=["https://app.example.com"])
    assert routes(wrapped) == routes(app)
    from starlette.testclient import TestClient

    assert routes(TestClient(app)) == routes(app)


def test_fastapi_routes_and_its_internal_docs_routes():
    fastapi = pytest.importorskip("fastapi")
    app = fastapi.FastAPI()
    router = fastapi.APIRouter(prefix="/items")

    @router.get("/{item_id}")
    def read(item_id: int) -> dict[str, int]:
        return {}

    app.include_router(router)
    sub = fastapi.FastAPI(docs_url=None, redoc_url=None)

    @sub.post("/jobs")
    def job() -> None:
        return None

    app.mount("/sub", sub)
    found = by_path(routes(app))
    assert found["/items/{item_id}"].methods == ("GET",)
    assert found["/sub/jobs"].methods == ("POST",)
    internal = {path for path, r in found.items() if r.internal}
    assert internal == {
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/sub/openapi.json",
    }


def test_litestar_routers_and_its_schema_routes():
    litestar = pytest.importorskip("litestar")
    from typing import Annotated

    from litestar.params import PathParameter

    @litestar.get("/items/{item_id:int}")
    async def item(item_id: Annotated[int, PathParameter()]) -> dict[str, int]:
        return {}

    @litestar.post("/jobs", name="create-job")
    async def job() -> None:
        return None

    app = litestar.Litestar([litestar.Router(path="/api", route_handlers=[item, job])])
    found = by_path(routes(app))
    assert found["/api/items/{item_id}"].methods == ("GET",)
    assert found["/api/jobs"].name == "create-job"
    assert not found["/api/jobs"].internal
    assert found["/schema/openapi.json"].internal


def test_django_url_patterns_through_include_and_regexes():
    pytest.importorskip("django")
    from django.test import Client, override_settings
    from django.views import View

    from tests.targets.django_app import _configure_django

    _configure_django()

    class ItemView(View):
        def get(self, request, pk):
            raise AssertionError

        def put(self, request, pk):
            raise AssertionError

    import types

    from django.urls import include, path, re_path

    inner = types.ModuleType("routes_inner")
    inner.app_name = "shop"
    inner.urlpatterns = [
        path("items/<int:pk>", ItemView.as_view(), name="item"),
        re_path(r"^orders/(?P<order>[0-9]+)/$", _endpoint, name="order"),
        re_path(r"^legacy/(a|b)/$", _endpoint),
    ]
    urls = types.ModuleType("routes_urls")
    urls.urlpatterns = [path("health", _endpoint, name="health"), path("api/", include(inner))]
    with override_settings(ROOT_URLCONF=urls):
        found = by_path(routes(Client()))
    assert found["/api/items/{pk}"].methods == ("GET", "OPTIONS", "PUT")
    assert found["/api/items/{pk}"].name == "shop:item"
    assert found["/api/orders/{order}/"].exact
    assert found["/health"].methods == ()
    legacy = found["/api/legacy/(a|b)/"]
    assert not legacy.exact


def test_falcon_routes_without_default_responders():
    falcon = pytest.importorskip("falcon")

    class Item:
        def on_get(self, req, resp, item_id):
            pass

        def on_delete(self, req, resp, item_id):
            pass

    app = falcon.App()
    app.add_route("/items/{item_id:int}", Item())
    import falcon.testing

    assert routes(falcon.testing.TestClient(app)) == [
        Route("/items/{item_id}", ("DELETE", "GET"), "Item")
    ]


def test_aiohttp_routes_sub_apps_and_any_method():
    web = pytest.importorskip("aiohttp.web")

    async def handler(request):
        raise AssertionError

    app = web.Application()
    app.router.add_get("/items/{item_id}", handler, name="item")
    app.router.add_route("*", "/any", handler)
    sub = web.Application()
    sub.router.add_post("/jobs/{job:\\d+}", handler)
    app.add_subapp("/sub", sub)
    found = by_path(routes(app))
    assert found["/items/{item_id}"].methods == ("GET", "HEAD")
    assert found["/items/{item_id}"].name == "item"
    assert found["/any"].methods == ()
    assert found["/sub/jobs/{job}"].methods == ("POST",)


def test_sanic_routes_and_blueprints():
    sanic = pytest.importorskip("sanic")
    app = sanic.Sanic("routes_test_app")

    @app.get("/items/<item_id:int>", name="item")
    async def item(request, item_id):
        raise AssertionError

    blueprint = sanic.Blueprint("jobs", url_prefix="/jobs")

    @blueprint.route("/<job>", methods=["POST", "PUT"])
    async def job(request, job):
        raise AssertionError

    app.blueprint(blueprint)
    found = by_path(routes(app))
    assert found["/items/{item_id}"].methods == ("GET",)
    assert found["/items/{item_id}"].name == "routes_test_app.item"
    assert found["/jobs/{job}"].methods == ("POST", "PUT")


def test_an_unsupported_object_is_a_usage_error_naming_it():
    with pytest.raises(CorsUsageError, match=r"builtins\.dict.*Flask"):
        routes({"app": 3})


# -- OpenAPI ---------------------------------------------------------------------------------

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/items/{id}": {
            "parameters": [],
            "get": {"operationId": "get_item"},
            "put": {"operationId": "put_item"},
        },
        "/health": {"get": {}, "x-internal": True},
    },
}


def test_openapi_from_a_mapping_a_json_file_and_a_yaml_file(tmp_path):
    expected = [
        Route("/items/{id}", ("GET", "PUT"), "get_item"),
        Route("/health", ("GET",), None, internal=True),
    ]
    assert routes_from_openapi(DOCUMENT) == expected
    (tmp_path / "api.json").write_text(json.dumps(DOCUMENT))
    assert routes_from_openapi(tmp_path / "api.json") == expected
    yaml = pytest.importorskip("yaml")
    (tmp_path / "api.yaml").write_text(yaml.safe_dump(DOCUMENT, sort_keys=False))
    assert routes_from_openapi(str(tmp_path / "api.yaml")) == expected


def test_fastapi_serves_the_document_the_app_discovery_agrees_with():
    fastapi = pytest.importorskip("fastapi")
    app = fastapi.FastAPI()

    @app.get("/items/{item_id}")
    def read(item_id: int) -> dict[str, int]:
        return {}

    from_doc = routes_from_openapi(app.openapi())
    from_app = [r for r in routes(app) if not r.internal]
    assert [r.path_template for r in from_doc] == [r.path_template for r in from_app]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"swagger": "2.0", "paths": {}}, "not an OpenAPI 3.x document"),
        ({"openapi": "3.0.0", "paths": []}, "'paths' must be a mapping"),
        ([], "must be a mapping"),
    ],
)
def test_openapi_documents_it_cannot_read_are_usage_errors(document, message):
    with pytest.raises(CorsUsageError, match=message):
        routes_from_openapi(document)


def test_a_missing_or_broken_openapi_file_is_a_usage_error(tmp_path):
    with pytest.raises(CorsUsageError, match="cannot read the OpenAPI document"):
        routes_from_openapi(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(CorsUsageError, match="not valid JSON"):
        routes_from_openapi(tmp_path / "bad.json")


# -- pytest-cors routes ----------------------------------------------------------------------

SHOP = """
import flask

app = flask.Flask(__name__)
app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: "", methods=["GET", "PUT"])
app.add_url_rule("/users", "users", lambda: "")
"""

CONTRACT = """version: 1
coverage:
  routes: all
  ignore: [static]
policies:
  - name: items-api
    paths: [/items/1]
    origins:
      allow: [https://app.example.com]
"""


@pytest.fixture
def shop(tmp_path, monkeypatch):
    (tmp_path / "shop_routes_app.py").write_text(SHOP)
    (tmp_path / "cors.yaml").write_text(CONTRACT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_the_routes_command_lists_routes_and_the_policy_covering_each(shop, capsys):
    from pytest_cors.cli import main

    assert main(["routes", "--app", "shop_routes_app:app", "--contract", "cors.yaml"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any("/items/{item_id}  (item) -> items-api" in line for line in lines), lines
    assert any("/users  (users) -> NO POLICY" in line for line in lines), lines
    assert any("(static) [internal] -> ignored" in line for line in lines), lines
    assert lines[-1] == "3 routes, 1 without a policy"


def test_the_routes_command_without_a_contract_just_lists(shop, capsys):
    from pytest_cors.cli import main

    assert main(["routes", "--app", "shop_routes_app:app"]) == 0
    out = capsys.readouterr().out
    assert "GET, HEAD, OPTIONS, PUT  /items/{item_id}  (item)" in out
    assert "->" not in out


def test_the_routes_command_reads_an_openapi_document(shop, capsys):
    from pytest_cors.cli import main

    (shop / "api.json").write_text(json.dumps(DOCUMENT))
    assert main(["routes", "--openapi", "api.json", "--contract", "cors.yaml"]) == 1
    out = capsys.readouterr().out
    assert "GET, PUT  /items/{id}  (get_item) -> items-api" in out
    assert "/health  [internal] -> NO POLICY" in out


def test_the_routes_command_reports_usage_errors(shop, capsys):
    from pytest_cors.cli import main

    assert main(["routes", "--openapi", "missing.json"]) == 2
    assert "cannot read the OpenAPI document" in capsys.readouterr().err
    assert main(["routes", "--app", "json:dumps"]) == 2
    assert "cannot read the routes" in capsys.readouterr().err


# -- OpenAPI from a URL ------------------------------------------------------------------------


def _fastapi_app():
    fastapi = pytest.importorskip("fastapi")
    app = fastapi.FastAPI()

    @app.get("/items/{item_id}", operation_id="get_item")
    def read(item_id: int) -> dict[str, int]:
        return {}

    @app.post("/items")
    def create() -> dict[str, int]:
        return {}

    return app


def test_openapi_from_the_url_a_live_fastapi_app_serves():
    from tests.servers import serve_asgi

    app = _fastapi_app()
    with serve_asgi(app) as base_url:
        found = routes_from_openapi(f"{base_url}/openapi.json")
    assert found == routes_from_openapi(app.openapi())
    assert [(r.path_template, r.methods, r.name) for r in found] == [
        ("/items/{item_id}", ("GET",), "get_item"),
        ("/items", ("POST",), "create_items_post"),
    ]


def test_openapi_urls_it_cannot_read_are_usage_errors_saying_why():
    from tests.servers import serve_asgi

    with serve_asgi(_fastapi_app()) as base_url:
        with pytest.raises(CorsUsageError, match="the server answered 404 Not Found"):
            routes_from_openapi(f"{base_url}/nope.json")
        # FastAPI's Swagger page: HTML, not the document
        with pytest.raises(CorsUsageError, match=r"/docs: not an OpenAPI 3\.x document"):
            routes_from_openapi(f"{base_url}/docs")
        # a user:password@ in the URL is never shown
        with pytest.raises(CorsUsageError) as caught:
            routes_from_openapi(base_url.replace("://", "://me:hunter2@") + "/nope.json")
        assert "hunter2" not in str(caught.value)
    with pytest.raises(
        CorsUsageError, match=r"cannot read the OpenAPI document .*: Connection refused"
    ):
        routes_from_openapi(base_url + "/openapi.json")  # the server is gone


def test_an_openapi_url_that_never_answers_times_out(monkeypatch):
    import socket

    import pytest_cors.openapi_document

    monkeypatch.setattr(pytest_cors.openapi_document, "OPENAPI_TIMEOUT", 0.2)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        with pytest.raises(CorsUsageError, match=r"no answer within 0\.2 s"):
            routes_from_openapi(f"http://127.0.0.1:{port}/openapi.json")


def test_the_routes_command_reads_an_openapi_url(shop, capsys):
    from pytest_cors.cli import main
    from tests.servers import serve_asgi

    with serve_asgi(_fastapi_app()) as base_url:
        code = main(["routes", "--openapi", f"{base_url}/openapi.json", "--contract", "cors.yaml"])
        out = capsys.readouterr().out
        assert code == 1, out
        assert "GET   /items/{item_id}  (get_item) -> items-api" in out
        assert "POST  /items  (create_items_post) -> NO POLICY" in out
        assert main(["routes", "--openapi", f"{base_url}/docs"]) == 2
        assert "not an OpenAPI 3.x document" in capsys.readouterr().err


def test_a_contracts_openapi_url_is_kept_a_url_and_a_file_is_relative_to_it(tmp_path):
    from pytest_cors.routing import openapi_location

    assert openapi_location("https://api.example.com/openapi.json", tmp_path) == (
        "https://api.example.com/openapi.json"
    )
    assert openapi_location("api/openapi.yaml", tmp_path) == tmp_path / "api" / "openapi.yaml"


# -- path templates in policy paths ----------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "sent"),
    [
        ("/items/{id}", "/items/1"),
        ("/items/{item_id}", "/items/1"),
        ("/users/{userId}", "/users/1"),
        ("/users/{slug}", "/users/x"),
        ("/users/{slug:int}", "/users/1"),
        ("/items/{id=42}", "/items/42"),
        ("/files/{name=report.pdf}/raw", "/files/report.pdf/raw"),
        ("/static/{rest:path}", "/static/x"),
        ("/plain", "/plain"),
    ],
)
def test_a_policy_path_template_is_sent_with_sample_values(template, sent):
    assert sample_path(template) == sent


CATALOGUE = """version: 1
coverage:
  routes: all
  ignore: [static]
policies:
  - name: catalogue
    paths:
      - /items/{item_id}
      - /items/1
      - /files/{name=report.pdf}
      - /tags/{slug}
    origins:
      allow: [https://app.example.com]
    faults: []  # the views alone add CORS headers: every error answer lacks them
"""


def _catalogue_app():
    """Flask routes whose CORS headers come from the views alone: a sample value the router
    refuses gets a 404 without them, and the check fails."""
    flask = pytest.importorskip("flask")
    app = flask.Flask("catalogue")

    def cors(body: str) -> object:
        response = flask.make_response(body)
        origin = flask.request.headers.get("Origin")
        if origin == "https://app.example.com":
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: cors("item"))
    app.add_url_rule(
        "/files/<name>", "file", lambda name: cors("pdf") if name == "report.pdf" else ("", 404)
    )
    app.add_url_rule("/tags/<slug>", "tag", lambda slug: cors("tag"))
    return app


def test_policy_path_templates_check_real_routes_and_cover_them(tmp_path):
    from pytest_cors.contract import load_contract
    from pytest_cors.contract.checks import build_checks, failing, uncovered_routes
    from pytest_cors.run import check_contract

    (tmp_path / "cors.yaml").write_text(CATALOGUE)
    contract = load_contract(tmp_path / "cors.yaml")
    app = _catalogue_app()
    sent = {c.path for c in build_checks(contract) if c.kind == "allowed"}
    # /items/{item_id} and /items/1 are one path; the inline example wins
    assert sent == {"/items/1", "/files/report.pdf", "/tags/x"}
    results = check_contract(contract, app)
    assert [f.id for _, findings in results for f in failing(findings)] == []
    assert uncovered_routes(contract, routes(app)) == []


def test_a_template_sample_the_route_refuses_fails_the_check(tmp_path):
    from pytest_cors.contract import load_contract
    from pytest_cors.contract.checks import failing
    from pytest_cors.run import check_contract

    (tmp_path / "cors.yaml").write_text(CATALOGUE.replace("{name=report.pdf}", "{name}"))
    results = check_contract(load_contract(tmp_path / "cors.yaml"), _catalogue_app())
    blocked = {c.path for c, findings in results for f in failing(findings)}
    assert blocked == {"/files/x"}  # the file the app does not have: 404 without CORS headers
