"""The framework configurations of the failure reference pass, and the mistakes it names fail.

``docs/examples/fixes/`` holds one correct configuration per framework; each must pass the
same checks. Each mistake a fix row warns about is reproduced with the real middleware, so the
page cannot claim a code the framework does not produce.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from docs_helpers import EXAMPLES

from pytest_cors import simulate_fetch

API = "https://api.example.com"
SPA = "https://app.example.com"
ADMIN = "https://admin.example.com"
TOKEN = {"Authorization": "Bearer t"}


def load(name: str) -> ModuleType:
    """Import ``docs/examples/fixes/<name>.py`` under a name no other test uses."""
    module_name = f"docs_fixes_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / "fixes" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


# -- Django, configured once per process (other test modules may have configured it first) --


def django_settings(**changes: Any):
    import django
    from django.conf import settings
    from django.test.utils import override_settings

    if not settings.configured:
        settings.configure(
            SECRET_KEY="pytest-cors-docs",
            INSTALLED_APPS=["corsheaders"],
            DATABASES={},
            USE_TZ=True,
        )
        django.setup()
    documented = load("django_settings")
    values = {k: getattr(documented, k) for k in dir(documented) if k.isupper()}
    values.pop("INSTALLED_APPS")  # corsheaders is installed above; apps cannot change per test
    values.update(ROOT_URLCONF=load("django_urls"), ALLOWED_HOSTS=["*"], DEBUG=False)
    values.update(changes)
    return override_settings(**values)


def django_client():
    from django.test import Client

    return Client()


# -- the correct configurations ------------------------------------------------------------


@pytest.fixture(params=["flask", "django", "fastapi", "raw"])
def documented_target(request):
    if request.param == "flask":
        yield load("flask_app").create_app().test_client()
    elif request.param == "fastapi":
        from starlette.testclient import TestClient

        with TestClient(load("fastapi_app").app) as client:
            yield client
    elif request.param == "django":
        with django_settings():
            yield django_client()
    else:
        yield load("raw_wsgi").app


@dataclass(frozen=True)
class Check:
    method: str
    path: str
    origin: str
    headers: dict[str, str]
    allowed: bool
    readable: tuple[str, ...] = ()


CHECKS = [
    Check("GET", "/api/items", SPA, TOKEN, True, ("x-total-count",)),
    Check("GET", "/api/items", SPA, {}, True),  # the 401 carries CORS headers: readable
    Check("PUT", "/api/items/1", SPA, {**TOKEN, "Content-Type": "application/json"}, True),
    Check("PUT", "/api/items/1", SPA, {**TOKEN, "X-Request-Id": "42"}, True),
    Check("DELETE", "/api/items/1", ADMIN, TOKEN, True),
    Check("GET", "/api/items", "https://evil.example.net", TOKEN, False),
    Check("GET", "/api/items", "https://app.example.com.evil.net", TOKEN, False),
    Check("GET", "/api/items", "null", TOKEN, False),
    Check("PATCH", "/api/items/1", SPA, TOKEN, False),
    Check("PUT", "/api/items/1", SPA, {**TOKEN, "X-Debug": "1"}, False),
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{c.method} {c.path} {c.origin}")
def test_the_documented_configurations_pass(documented_target, check):
    outcome = simulate_fetch(
        documented_target,
        API + check.path,
        origin=check.origin,
        method=check.method,
        headers=check.headers,
        credentials="include",
    )
    assert outcome.allowed is check.allowed, outcome.explain()
    for name in check.readable:
        assert name in outcome.readable_headers


def test_the_documented_configurations_cache_preflights_for_ten_minutes(documented_target):
    outcome = simulate_fetch(
        documented_target, API + "/api/items/1", origin=SPA, method="PUT", headers=TOKEN
    )
    assert outcome.preflight.response.headers.get("Access-Control-Max-Age") == "600"


# -- the mistakes the fix rows name ----------------------------------------------------------


def flask_variant(
    cors: dict[str, Any] | None = None, *, skip_options: bool = True, slash_route: bool = False
):
    from flask import Flask, abort, jsonify, request
    from flask_cors import CORS

    documented = load("flask_app")
    app = Flask("variant")
    app.register_blueprint(documented.api)
    if slash_route:
        app.add_url_rule("/api/things/", "things", lambda: jsonify([]))
    options = {
        "resources": {r"/api/*": {}},
        "origins": documented.ALLOWED_ORIGINS,
        "supports_credentials": True,
        "methods": ["GET", "POST", "PUT", "DELETE"],
        "allow_headers": ["Authorization", "Content-Type", "X-Request-Id"],
    }
    options.update(cors or {})
    CORS(app, **{k: v for k, v in options.items() if v is not None})

    @app.before_request
    def require_token():
        preflight = skip_options and request.method == "OPTIONS"
        if not preflight and not request.headers.get("Authorization", "").startswith("Bearer "):
            abort(401)

    return app.test_client()


def starlette_variant(
    cors: dict[str, Any] | None = None, *, cors_first: bool = False, crash: bool = False
):
    from fastapi import FastAPI, Request
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import JSONResponse
    from starlette.testclient import TestClient

    app = FastAPI()
    options = {
        "allow_origins": [SPA, ADMIN],
        "allow_credentials": True,
        "allow_methods": ["GET", "POST", "PUT", "DELETE"],
        "allow_headers": ["Authorization", "Content-Type", "X-Request-Id"],
    }
    options.update(cors or {})
    options = {k: v for k, v in options.items() if v is not None}
    if cors_first:  # added first = innermost: the auth middleware below runs before it
        app.add_middleware(CORSMiddleware, **options)

    @app.middleware("http")
    async def require_token(request: Request, call_next):
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        return await call_next(request)

    if not cors_first:
        app.add_middleware(CORSMiddleware, **options)

    @app.get("/api/items")
    async def items():
        if crash:
            raise RuntimeError("boom")
        return []

    @app.put("/api/items/{item_id}")
    async def change(item_id: int):
        return {"id": item_id}

    return TestClient(app, raise_server_exceptions=False)


class DjangoVariant:
    """A django-cors-headers mistake: the documented settings with some changed."""

    def __init__(self, **changes: Any) -> None:
        self.changes = changes


class RejectAll:
    """An authentication middleware that answers 401 to anything without a token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse

        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return HttpResponse(status=401)
        return self.get_response(request)


CORS_MW = "corsheaders.middleware.CorsMiddleware"
COMMON_MW = "django.middleware.common.CommonMiddleware"
PUT_JSON = {"method": "PUT", "headers": {**TOKEN, "Content-Type": "application/json"}}
SIMPLE = {"headers": TOKEN}


@dataclass(frozen=True)
class Mistake:
    name: str
    target: Any  # a factory for Flask/Starlette, a DjangoVariant for Django
    fetch: dict[str, Any]
    code: str | None  # None: the browser ALLOWS it, which is the danger the page warns about
    origin: str = SPA
    path: str = "/api/items"
    step: str | None = None  # where the failure must happen, when the page says so


MISTAKES = [
    # Flask-CORS
    Mistake(
        "flask: origin written with a trailing slash",
        lambda: flask_variant({"origins": [SPA + "/"]}),
        SIMPLE,
        "CORSMissingAllowOrigin",
    ),
    Mistake(
        "flask: route outside resources",
        lambda: flask_variant({"resources": {r"/other/*": {}}}),
        SIMPLE,
        "CORSMissingAllowOrigin",
    ),
    Mistake(
        "flask: unanchored origin regex lets a look-alike in",
        lambda: flask_variant({"origins": [re.compile(r"https://[a-z0-9-]+\.example\.com")]}),
        SIMPLE,
        None,
        origin="https://app.example.com.evil.net",
    ),
    Mistake(
        "flask: anchored origin regex keeps it out",
        lambda: flask_variant({"origins": [re.compile(r"^https://[a-z0-9-]+\.example\.com$")]}),
        SIMPLE,
        "CORSMissingAllowOrigin",
        origin="https://app.example.com.evil.net",
    ),
    Mistake(
        "flask: send_wildcard with cookies",
        lambda: flask_variant(
            {"origins": "*", "send_wildcard": True, "supports_credentials": None}
        ),
        SIMPLE,
        "CORSNotSupportingCredentials",
    ),
    Mistake(
        "flask: origins='*' (the default) echoes the origin, without credentials",
        lambda: flask_variant({"origins": "*", "supports_credentials": None}),
        SIMPLE,
        "CORSMissingAllowCredentials",
    ),
    Mistake(
        "flask: origins='*' plus supports_credentials echoes any origin",
        lambda: flask_variant({"origins": "*"}),
        SIMPLE,
        None,
        origin="https://evil.example.net",
    ),
    Mistake(
        "flask: no supports_credentials",
        lambda: flask_variant({"supports_credentials": None}),
        SIMPLE,
        "CORSMissingAllowCredentials",
    ),
    Mistake(
        "flask: auth hook rejects the preflight",
        lambda: flask_variant(skip_options=False),
        PUT_JSON,
        "CORSPreflightDidNotSucceed",
        path="/api/items/1",
    ),
    Mistake(
        "flask: route declared with a slash redirects the preflight",
        lambda: flask_variant(slash_route=True),
        PUT_JSON,
        "CORSPreflightDidNotSucceed",
        path="/api/things",
    ),
    Mistake(
        "flask: method missing",
        lambda: flask_variant({"methods": ["GET", "POST"]}),
        PUT_JSON,
        "CORSMethodNotFound",
        path="/api/items/1",
    ),
    Mistake(
        "flask: methods as a string",
        lambda: flask_variant({"methods": "GET PUT"}),
        PUT_JSON,
        "CORSInvalidAllowMethod",
        path="/api/items/1",
    ),
    Mistake(
        "flask: header missing",
        lambda: flask_variant({"allow_headers": ["Authorization", "Content-Type"]}),
        {"method": "PUT", "headers": {**TOKEN, "X-Request-Id": "1"}},
        "CORSMissingAllowHeaderFromPreflight",
        path="/api/items/1",
    ),
    Mistake(
        "flask: default allow_headers echoes any requested header",
        lambda: flask_variant({"allow_headers": None}),
        {"method": "PUT", "headers": {**TOKEN, "X-Anything": "1"}},
        None,
        path="/api/items/1",
    ),
    # django-cors-headers
    Mistake(
        "django: origin not listed",
        DjangoVariant(CORS_ALLOWED_ORIGINS=[ADMIN]),
        SIMPLE,
        "CORSMissingAllowOrigin",
    ),
    Mistake(
        "django: path outside CORS_URLS_REGEX",
        DjangoVariant(CORS_URLS_REGEX=r"^/other/.*$"),
        SIMPLE,
        "CORSMissingAllowOrigin",
    ),
    Mistake(
        "django: unanchored origin regex lets a look-alike in",
        DjangoVariant(
            CORS_ALLOWED_ORIGINS=[], CORS_ALLOWED_ORIGIN_REGEXES=[r"https://\w+\.example\.com"]
        ),
        SIMPLE,
        None,
        origin="https://app.example.com.evil.net",
    ),
    Mistake(
        "django: CORS_ALLOW_ALL_ORIGINS with cookies",
        DjangoVariant(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=False),
        SIMPLE,
        "CORSNotSupportingCredentials",
    ),
    Mistake(
        "django: CORS_ALLOW_ALL_ORIGINS plus credentials echoes any origin",
        DjangoVariant(CORS_ALLOW_ALL_ORIGINS=True),
        SIMPLE,
        None,
        origin="https://evil.example.net",
    ),
    Mistake(
        "django: no CORS_ALLOW_CREDENTIALS",
        DjangoVariant(CORS_ALLOW_CREDENTIALS=False),
        SIMPLE,
        "CORSMissingAllowCredentials",
    ),
    Mistake(
        "django: authentication above CorsMiddleware",
        DjangoVariant(MIDDLEWARE=[f"{__name__}.RejectAll", CORS_MW, COMMON_MW]),
        PUT_JSON,
        "CORSMissingAllowOrigin",
        path="/api/items/1",
        step="preflight",
    ),
    Mistake(
        "django: method missing",
        DjangoVariant(CORS_ALLOW_METHODS=["GET", "POST"]),
        PUT_JSON,
        "CORSMethodNotFound",
        path="/api/items/1",
    ),
    Mistake(
        "django: methods as a string",
        DjangoVariant(CORS_ALLOW_METHODS="GET PUT"),
        PUT_JSON,
        "CORSMethodNotFound",
        path="/api/items/1",
    ),
    Mistake(
        "django: custom header not added to the defaults",
        DjangoVariant(CORS_ALLOW_HEADERS=["authorization", "content-type"]),
        {"method": "PUT", "headers": {**TOKEN, "X-Request-Id": "1"}},
        "CORSMissingAllowHeaderFromPreflight",
        path="/api/items/1",
    ),
    # FastAPI / Starlette
    Mistake(
        "starlette: origin not listed",
        lambda: starlette_variant({"allow_origins": [ADMIN]}),
        SIMPLE,
        "CORSMissingAllowOrigin",
    ),
    Mistake(
        "starlette: unhandled exception, 500 outside CORSMiddleware",
        lambda: starlette_variant(crash=True),
        SIMPLE,
        "CORSMissingAllowOrigin",
    ),
    Mistake(
        "starlette: allow_origins=['*'] with cookies",
        lambda: starlette_variant({"allow_origins": ["*"], "allow_credentials": None}),
        SIMPLE,
        "CORSNotSupportingCredentials",
    ),
    Mistake(
        "starlette: allow_origins=['*'] plus allow_credentials echoes any origin",
        lambda: starlette_variant({"allow_origins": ["*"]}),
        SIMPLE,
        None,
        origin="https://evil.example.net",
    ),
    Mistake(
        "starlette: no allow_credentials",
        lambda: starlette_variant({"allow_credentials": None}),
        SIMPLE,
        "CORSMissingAllowCredentials",
    ),
    Mistake(
        "starlette: CORSMiddleware added before the auth middleware",
        lambda: starlette_variant(cors_first=True),
        PUT_JSON,
        "CORSMissingAllowOrigin",
        path="/api/items/1",
        step="preflight",
    ),
    Mistake(
        "starlette: allow_methods left at its default (GET)",
        lambda: starlette_variant({"allow_methods": None}),
        PUT_JSON,
        "CORSPreflightDidNotSucceed",
        path="/api/items/1",
    ),
    Mistake(
        "starlette: header missing",
        lambda: starlette_variant({"allow_headers": ["Authorization"]}),
        {"method": "PUT", "headers": {**TOKEN, "X-Request-Id": "1"}},
        "CORSPreflightDidNotSucceed",
        path="/api/items/1",
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_each_mistake_the_page_names_does_what_it_says(mistake):
    def run(target):
        return simulate_fetch(
            target,
            API + mistake.path,
            origin=mistake.origin,
            credentials="include",
            **mistake.fetch,
        )

    if isinstance(mistake.target, DjangoVariant):
        with django_settings(**mistake.target.changes):
            outcome = run(django_client())
    else:
        outcome = run(mistake.target())
    if mistake.code is None:
        assert outcome.allowed, outcome.explain()
    else:
        assert not outcome.allowed
        assert outcome.failure.code == mistake.code, outcome.explain()
        if mistake.step:
            assert outcome.failure.step == mistake.step
