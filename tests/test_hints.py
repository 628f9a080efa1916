"""The fix in the user's own framework (issue 18): each framework's real CORS middleware,
misconfigured on purpose, and the exact framework line the assertion message carries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from pytest_cors import assert_cors_allows, simulate_fetch
from pytest_cors.errors import CorsAssertionError
from pytest_cors.hints import EXPOSE, fingerprint, framework_hint, framework_of, refused
from pytest_cors.http import Headers, Response
from tests.frameworks.stacks import EVIL, STACKS
from tests.targets.apps import ALLOWED

# sanic-testing imports websockets.legacy, which warns on import (see test_sanic.py)
pytestmark = pytest.mark.filterwarnings(
    "ignore:websockets.legacy is deprecated:DeprecationWarning:websockets.legacy"
)
JSON = {"Content-Type": "application/json"}
# case -> (preset, assert_cors_allows arguments): each misconfiguration on purpose
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "origin": ("strict", {"origin": EVIL, "method": "PUT", "headers": JSON}),
    "method": ("strict", {"origin": ALLOWED, "method": "DELETE"}),
    "header": ("strict", {"origin": ALLOWED, "headers": {"X-Other": "1"}}),
    "credentials": ("public", {"origin": ALLOWED, "credentials": "include"}),
    "expose": ("public", {"origin": ALLOWED, "expose": ["X-Total"]}),
}

STARLETTE_GOLDEN = {
    "origin": "add 'https://evil.example.net' to `allow_origins` in `{mw}` (or match it with "
    "`allow_origin_regex`)",
    "method": "add 'DELETE' to `allow_methods` in `{mw}` (the default is GET only)",
    "header": "add 'x-other' to `allow_headers` in `{mw}`",
    "credentials": "list the origins in `allow_origins=['https://app.example.com']` instead of "
    "`['*']`, with `allow_credentials=True`",
    "expose": "add X-Total to `expose_headers` in `{mw}`",
}
GOLDEN: dict[str, tuple[str, dict[str, str]]] = {
    "starlette": (
        "Starlette",
        {k: v.format(mw="CORSMiddleware(...)") for k, v in STARLETTE_GOLDEN.items()},
    ),
    "fastapi": (
        "FastAPI",
        {
            k: v.format(mw="app.add_middleware(CORSMiddleware, ...)")
            for k, v in STARLETTE_GOLDEN.items()
        },
    ),
    "flask": (
        "Flask (flask-cors)",
        {
            "origin": "add 'https://evil.example.net' to `origins` in `CORS(app, origins=[...])` "
            "(and check that `resources` covers this URL)",
            "method": "add 'DELETE' to `methods` in `CORS(app, methods=[...])`",
            "header": "add 'x-other' to `allow_headers` in `CORS(app, allow_headers=[...])`",
            "credentials": "`CORS(app, supports_credentials=True)`",
            "expose": "add X-Total to `expose_headers` in `CORS(app, expose_headers=[...])`",
        },
    ),
    "django": (
        "Django (django-cors-headers)",
        {
            "origin": "add 'https://evil.example.net' to `CORS_ALLOWED_ORIGINS` in settings.py "
            "(or a pattern to `CORS_ALLOWED_ORIGIN_REGEXES`)",
            "method": "add 'DELETE' to `CORS_ALLOW_METHODS` in settings.py (e.g. "
            "`(*default_methods, 'DELETE')` from corsheaders.defaults)",
            "header": "add 'x-other' to `CORS_ALLOW_HEADERS` in settings.py (e.g. "
            "`(*default_headers, 'x-other')` from corsheaders.defaults)",
            "credentials": "list the origins in `CORS_ALLOWED_ORIGINS` instead of "
            "`CORS_ALLOW_ALL_ORIGINS = True`, and set `CORS_ALLOW_CREDENTIALS = True` in "
            "settings.py",
            "expose": "add X-Total to `CORS_EXPOSE_HEADERS` in settings.py",
        },
    ),
    "quart": (
        "Quart (quart-cors)",
        {
            "origin": "add 'https://evil.example.net' to `allow_origin` in "
            "`cors(app, allow_origin=[...])`",
            "method": "add 'DELETE' to `allow_methods` in `cors(app, allow_methods=[...])`",
            "header": "add 'x-other' to `allow_headers` in `cors(app, allow_headers=[...])`",
            "credentials": "list the origins in `cors(app, allow_origin=['https://app.example.com']"
            ", allow_credentials=True)` (quart-cors refuses '*' with credentials)",
            "expose": "add X-Total to `expose_headers` in `cors(app, expose_headers=[...])`",
        },
    ),
    "falcon": (
        "Falcon",
        {
            "origin": "add 'https://evil.example.net' to `allow_origins` in "
            "`falcon.CORSMiddleware(...)`",
            "method": "give the resource an `on_delete` responder: Falcon's CORSMiddleware "
            "allows the methods the resource implements",
            # no header allowlist: every requested header is granted (no failure to fix)
            "credentials": "pass `allow_credentials=['https://app.example.com']` to "
            "`falcon.CORSMiddleware(...)`: for those origins it sends the origin itself "
            "instead of '*'",
            "expose": "add X-Total to `expose_headers` in `falcon.CORSMiddleware(...)`",
        },
    ),
    "litestar": (
        "Litestar",
        {
            "origin": "add 'https://evil.example.net' to `allow_origins` in `CORSConfig(...)` "
            "(or match it with `allow_origin_regex`), given as `Litestar(cors_config=...)`",
            "method": "add 'DELETE' to `allow_methods` in `CORSConfig(...)`",
            "header": "add 'x-other' to `allow_headers` in `CORSConfig(...)`",
            "credentials": "pass `allow_credentials=True` to `CORSConfig(...)`",
            "expose": "add X-Total to `expose_headers` in `CORSConfig(...)`",
        },
    ),
    "aiohttp": (
        "aiohttp (aiohttp-cors)",
        {
            "origin": "add `'https://evil.example.net': aiohttp_cors.ResourceOptions(...)` to "
            "the defaults of `aiohttp_cors.setup(app, defaults=...)` (or to "
            "`cors.add(route, {...})`), and give the route to `cors.add()`",
            "method": "add 'DELETE' to `allow_methods` in the `ResourceOptions` of "
            "'https://app.example.com'",
            "header": "add 'x-other' to `allow_headers` in the `ResourceOptions` of "
            "'https://app.example.com'",
            "credentials": "pass `allow_credentials=True` to the `ResourceOptions` of "
            "'https://app.example.com'",
            "expose": "add X-Total to `expose_headers` in the `ResourceOptions` of "
            "'https://app.example.com'",
        },
    ),
    "sanic": (
        "Sanic (sanic-ext)",
        {
            "origin": "add 'https://evil.example.net' to `app.config.CORS_ORIGINS`",
            "method": "add 'DELETE' to `app.config.CORS_METHODS`",
            "header": "add 'x-other' to `app.config.CORS_ALLOW_HEADERS`",
            "credentials": "set `app.config.CORS_SUPPORTS_CREDENTIALS = True`",
            "expose": "add X-Total to `app.config.CORS_EXPOSE_HEADERS`",
        },
    ),
}
GOLDEN_CASES = [(f, c) for f, (_, fixes) in GOLDEN.items() for c in fixes]


@contextmanager
def native(framework: str, preset: str) -> Iterator[tuple[Any, str]]:
    """The framework's native test client for ``preset``, and an https URL of ``/items`` on
    it (an https page may not fetch a plain-http test host: mixed content)."""
    stack = STACKS[framework]
    options = stack.presets[preset]
    with stack.settings(options), stack.native(stack.build(options)) as client:
        plain = simulate_fetch(client, "/items", origin="http://localhost").request.url
        yield client, plain.replace("http://", "https://", 1)


def message(target: Any, url: str, **kwargs: Any) -> str:
    with pytest.raises(CorsAssertionError) as caught:
        assert_cors_allows(target, url, **kwargs)
    return str(caught.value)


def test_every_framework_has_golden_hints():
    assert set(GOLDEN) == set(STACKS)


@pytest.mark.parametrize(("framework", "case"), GOLDEN_CASES)
def test_the_fix_names_the_frameworks_setting(framework, case):
    preset, kwargs = CASES[case]
    name, fixes = GOLDEN[framework]
    with native(framework, preset) as (client, url):
        text = message(client, url, **kwargs)
    assert "\n\nFix: " in text or "\n\nFix: add X-Total" in text  # the header-level fix stays
    expected = f"In {name}: {fixes[case]}. See docs/frameworks/{framework}.md."
    assert text.splitlines()[-1] == expected


def test_the_cors_fixture_names_the_framework_too():
    from pytest_cors.asserts import CorsHelpers

    expected = r"In Starlette: add 'DELETE'"
    with (
        native("starlette", "strict") as (client, url),
        pytest.raises(CorsAssertionError, match=expected),
    ):
        CorsHelpers(client).allows(url, origin=ALLOWED, method="DELETE")


def _unknown_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A bare WSGI app of no known framework that grants nothing."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_an_unknown_target_gets_only_the_header_level_fix():
    text = message(_unknown_app, "http://localhost/items", origin=ALLOWED)
    assert "Fix: Send 'Access-Control-Allow-Origin: https://app.example.com'" in text
    assert "\nIn " not in text
    assert "docs/frameworks" not in text
    assert framework_of(_unknown_app) is None


# -- fingerprints: measured on the live servers (loopback: no mixed content) ------------------

# framework -> what its middleware's answer to the strict app's DELETE preflight reveals
LIVE_FINGERPRINTS = {
    "starlette": "starlette",  # 400 Disallowed CORS method, with its preflight headers
    "fastapi": "starlette",  # the same middleware: told apart only in process
    "litestar": "litestar",  # 400 Disallowed CORS method, without CORS headers
    "aiohttp": "aiohttp",  # 403 CORS preflight request failed: ...
    "django": "django",  # Vary: origin (lower case) before Access-Control-Allow-Origin
    "sanic": "sanic",  # vary: origin after it
    "flask": "flask",  # Access-Control-Allow-Origin, then Access-Control-Expose-Headers
    "quart": None,
    "falcon": None,
}


@pytest.mark.parametrize("framework", sorted(LIVE_FINGERPRINTS))
def test_live_servers_are_recognised_by_their_answers(framework):
    stack = STACKS[framework]
    options = stack.presets["strict"]
    with stack.settings(options), stack.live(stack.build(options)) as url:
        outcome = simulate_fetch(url, "/items", origin=ALLOWED, method="DELETE")
    assert not outcome.allowed
    assert framework_of(url, outcome.exchanges) == LIVE_FINGERPRINTS[framework]


def _response(status: int, lines: list[tuple[str, str]], body: bytes = b"") -> Response:
    return Response(status, Headers(lines), body)


ACAO = ("Access-Control-Allow-Origin", ALLOWED)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            _response(400, [("access-control-allow-methods", "GET")], b"Disallowed CORS method"),
            "starlette",
        ),
        (_response(400, [("content-type", "text/plain")], b"Disallowed CORS Origin"), "litestar"),
        (
            _response(403, [], b"CORS preflight request failed: headers are not allowed: X"),
            "aiohttp",
        ),
        (_response(200, [("Vary", "origin")]), "django"),
        (_response(200, [("Vary", "Accept, origin"), ACAO]), "django"),
        (_response(200, [ACAO, ("vary", "origin")]), "sanic"),
        (_response(200, [ACAO, ("Access-Control-Expose-Headers", "X-Total")]), "flask"),
        # not a fingerprint: the common spellings and orders, and errors of other layers
        (_response(200, [("Vary", "Origin"), ACAO]), None),
        (
            _response(
                200,
                [
                    ("access-control-allow-origin", ALLOWED),
                    ("access-control-expose-headers", "X-Total"),
                ],
            ),
            None,
        ),
        (_response(400, [], b"Bad Request"), None),
        (_response(200, [], b"Disallowed CORS method"), None),
        (_response(403, [], b"Forbidden"), None),
    ],
)
def test_fingerprints(response, expected):
    assert fingerprint(response) == expected


def test_the_target_wins_over_a_fingerprint():
    starlette = _response(400, [("access-control-allow-methods", "GET")], b"Disallowed CORS x")
    exchange = type("E", (), {"response": starlette})()
    with native("flask", "strict") as (client, _):
        assert framework_of(client, [exchange]) == "flask"
    assert framework_of("http://127.0.0.1:1", [exchange]) == "starlette"


@pytest.mark.parametrize(
    ("body", "causes"),
    [
        (b"Disallowed CORS origin, method", ["origin", "method"]),
        (b"Disallowed CORS headers", ["header"]),
        (
            b"CORS preflight request failed: request method 'PUT' is not allowed for 'x' origin",
            ["method"],
        ),
        (b"CORS preflight request failed: origin 'https://x' is not allowed", ["origin"]),
        (b"CORS preflight request failed: headers are not allowed: X-A", ["header"]),
        (b"Bad Request", []),
    ],
)
def test_a_refusal_names_its_causes(body, causes):
    assert refused(_response(400, [], body)) == causes


def test_several_causes_are_fixed_together():
    hint = framework_hint(
        "CORSPreflightDidNotSucceed",
        "starlette",
        {"origin": EVIL, "method": "PATCH", "header": "x-a", "refused": "origin,method"},
    )
    assert hint == (
        "In Starlette: add 'https://evil.example.net' to `allow_origins` in `CORSMiddleware(...)` "
        "(or match it with `allow_origin_regex`); add 'PATCH' to `allow_methods` in "
        "`CORSMiddleware(...)` (the default is GET only). See docs/frameworks/starlette.md."
    )


@pytest.mark.parametrize(
    ("code", "framework"),
    [
        ("CORSMethodNotFound", None),  # framework unknown
        ("CORSMethodNotFound", "bottle"),  # no page for it
        ("CORSDidNotSucceed", "flask"),  # a redirect loop: no CORS setting fixes it
        ("CORSMissingAllowHeaderFromPreflight", "falcon"),  # Falcon grants every header
        ("CORSNotSupportingCredentials", "aiohttp"),  # aiohttp-cors never sends '*'
        ("CORSPreflightDidNotSucceed", "starlette"),  # a 404 or 401: nothing named
    ],
)
def test_no_framework_hint_without_a_setting_to_name(code, framework):
    details = {"origin": ALLOWED, "method": "PUT", "header": "x-a"}
    assert framework_hint(code, framework, details) is None


def test_expose_lists_every_missing_header():
    hint = framework_hint(EXPOSE, "django", {"expose": "X-Total, X-Page"})
    assert hint == (
        "In Django (django-cors-headers): add X-Total, X-Page to `CORS_EXPOSE_HEADERS` in "
        "settings.py. See docs/frameworks/django.md."
    )


# -- one walk from a target to its framework (the contract's faults use it too) -----------------


@pytest.mark.parametrize("framework", sorted(STACKS))
def test_faults_and_hints_name_the_same_framework(framework):
    """The framework a ``CORS-ERROR-MASKED`` fix names is the one the assertion's fix names:
    FastAPI behind Starlette's ``TestClient`` is FastAPI for both."""
    from pytest_cors.contract.faults import framework_of as faults_framework

    with native(framework, "strict") as (client, _):
        assert faults_framework(client) == framework_of(client) == framework
