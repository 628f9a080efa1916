"""The contract key ``coverage`` (issue 16): ``cors.yaml::coverage`` fails with
``CORS-UNCOVERED-ROUTE`` listing every route of the app no policy covers."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.usefixtures("ini")

APP = """
import flask

app = flask.Flask(__name__)
for rule, name in [("/items", "items"), ("/items/<int:item_id>", "item"), ("/users", "users"),
                   ("/health", "health")]:
    app.add_url_rule(rule, name, lambda **kw: "")
"""


def contract(coverage: str, paths: str = "[/items, /items/1]", target: str = "app: shop:app"):
    return f"""version: 1
target:
  {target}
coverage:
{coverage}
policies:
  - name: api
    paths: {paths}
    origins:
      allow: [https://app.example.com]
"""


def run(pytester, text: str):
    pytester.makepyfile(shop=APP)
    pytester.makefile(".yaml", cors=text)
    return pytester.runpytest("-p", "no:cacheprovider", "cors.yaml::coverage")


def test_a_route_without_a_policy_fails_listing_it(pytester):
    result = run(pytester, contract("  routes: all"))
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "[CORS-UNCOVERED-ROUTE] 2 route(s) no policy covers:" in out
    result.stdout.fnmatch_lines(["*GET, HEAD, OPTIONS*/users  (users)", "*/health  (health)"])
    assert "/items  (items)" not in out and "/items/{item_id}" not in out
    # the framework's own static route is listed apart
    assert "1 framework-internal route(s)" in out
    result.stdout.fnmatch_lines(["*/static/{filename:path}  (static)"])


def test_ignore_globs_match_paths_and_names(pytester):
    result = run(pytester, contract("  routes: all\n  ignore: [/health, static]"))
    result.assert_outcomes(failed=1)
    assert "[CORS-UNCOVERED-ROUTE] 1 route(s)" in result.stdout.str()
    pytester.makefile(".yaml", cors=contract("  routes: all\n  ignore: [/health, 'us*', /st*]"))
    again = pytester.runpytest("-p", "no:cacheprovider", "cors.yaml::coverage")
    again.assert_outcomes(passed=1)


def test_a_template_in_paths_covers_its_route(pytester):
    text = contract("  routes: all\n  ignore: [static]", paths="[/items, '/items/{id}']")
    result = run(pytester, text)
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "/items/{item_id}" not in out and "/users" in out


def test_no_coverage_key_no_coverage_item(pytester):
    pytester.makepyfile(shop=APP)
    pytester.makefile(
        ".yaml", cors=contract("  routes: all").replace("coverage:\n  routes: all\n", "")
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    assert "coverage" not in result.stdout.str()


def test_routes_from_an_openapi_document_against_a_live_server(pytester):
    document = {"openapi": "3.0.3", "paths": {"/items/{id}": {"get": {}}, "/orders": {"post": {}}}}
    pytester.makefile(".json", openapi=json.dumps(document))
    text = contract(
        "  routes: all\n  openapi: openapi.json",
        target="base_url: https://api.example.com",
    )
    pytester.makefile(".yaml", cors=text)
    result = pytester.runpytest("-p", "no:cacheprovider", "cors.yaml::coverage")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CORS-UNCOVERED-ROUTE] 1 route(s)*", "*POST*/orders"])


def test_a_live_server_without_a_document_is_an_error_not_a_skip(pytester):
    text = contract("  routes: all", target="base_url: https://api.example.com")
    pytester.makefile(".yaml", cors=text)
    result = pytester.runpytest("-p", "no:cacheprovider", "cors.yaml::coverage")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*'coverage' needs the routes of the app*coverage.openapi*"])
