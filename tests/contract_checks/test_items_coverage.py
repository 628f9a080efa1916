"""``cors.yaml::coverage`` as a pytest item: a user mistake is one clean paragraph (no
traceback from the kit), and a contract without a target reads the routes of the project's
``cors_target`` fixture."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("ini")

FLASK = """
import flask

app = flask.Flask(__name__)
for rule, name in [("/items", "items"), ("/users", "users")]:
    app.add_url_rule(rule, name, lambda **kw: "")
"""
PLAIN_ASGI = """
async def app(scope, receive, send):
    raise AssertionError("never called: only its routes are asked for")
"""


def contract(target: str = "") -> str:
    return f"""version: 1
{target}coverage:
  routes: all
  ignore: [static]
policies:
  - name: api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
"""


def run(pytester):
    return pytester.runpytest("-p", "no:cacheprovider", "cors.yaml::coverage")


def test_an_app_whose_routes_cannot_be_read_is_one_paragraph_not_a_traceback(pytester):
    pytester.makepyfile(shop=PLAIN_ASGI)
    pytester.makefile(".yaml", cors=contract("target:\n  app: shop:app\n"))
    result = run(pytester)
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "cors.yaml: 'coverage' cannot list the routes of the app it checks: cannot read the "
            "routes of a builtins.function; *Give 'coverage.openapi' with the app's OpenAPI "
            "document*"
        ]
    )
    assert "Traceback" not in out and "routing.py" not in out and "items.py" not in out
    assert "def routes(" not in out and "During handling" not in out


def test_coverage_reads_the_routes_of_the_cors_target_fixture(pytester):
    pytester.makepyfile(shop=FLASK)
    pytester.makeconftest(
        "import pytest\nfrom shop import app\n\n"
        "@pytest.fixture\ndef cors_target():\n    return app.test_client()\n"
    )
    pytester.makefile(".yaml", cors=contract())
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]CORS-UNCOVERED-ROUTE] 1 route(s)*", "*/users  (users)"])
    assert "/items  (items)" not in result.stdout.str()


def test_a_cors_target_fixture_giving_a_url_needs_an_openapi_document(pytester):
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef cors_target():\n    return 'http://127.0.0.1:9'\n"
    )
    pytester.makefile(".yaml", cors=contract())
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*'coverage' needs the routes of the app*live server http://127.0.0.1:9*openapi*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_no_cors_target_fixture_says_what_to_define(pytester):
    pytester.makefile(".yaml", cors=contract())
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*define a `cors_target` fixture in your conftest.py*"])
    assert "skipped" not in result.stdout.str()
