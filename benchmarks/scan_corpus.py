"""The scan corpus: small APIs with one CORS misconfiguration each, and correct ones beside them.

Both ``tests/test_scan.py`` (every class caught with its finding, no finding on a correct app)
and ``benchmarks/bench_scan.py`` (the kit's scan against the scanners on PyPI) use these apps,
so the benchmark measures the same corpus the tests hold the scan to.

Every app serves ``GET /data`` and ``PUT /data`` and means to let one front end in,
:data:`APP` (``https://app.example.com``), with cookies. Where a class of mistake comes from a
middleware's setting, the app is that middleware with that setting (flask-cors,
Starlette's ``CORSMiddleware``, django-cors-headers); the others are origin checks written by
hand, as found in the wild, in a few lines of WSGI.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

APP = "https://app.example.com"
"""The front end every corpus app means to let in: the scanners' known-good origin."""
ADMIN = "https://admin.example.com"
API_URL = "http://api.example.com/data"
"""The URL the scanners are given (the benchmark routes it to the loopback server)."""

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Case:
    """One app of the corpus: the mistake it makes (``finding`` None: a correct app)."""

    name: str
    stack: str
    finding: str | None
    what: str
    build: Callable[[], Any]

    @property
    def correct(self) -> bool:
        return self.finding is None


# -- hand-written origin checks (plain WSGI) -------------------------------------------------------


def hand_written(
    allows: Callable[[str], bool], *, preflight_allows: Callable[[str], bool] | None = None
) -> Callable[[], Any]:
    """A WSGI API whose CORS answer comes from ``allows(origin)`` (and, for preflights,
    ``preflight_allows``): the grant echoes the origin, with credentials."""

    def build() -> Any:
        def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
            origin = environ.get("HTTP_ORIGIN")
            method = environ["REQUEST_METHOD"]
            headers = [("Content-Type", "application/json"), ("Vary", "Origin")]
            check = preflight_allows if method == "OPTIONS" and preflight_allows else allows
            if origin and check(origin):
                headers += [
                    ("Access-Control-Allow-Origin", origin),
                    ("Access-Control-Allow-Credentials", "true"),
                ]
            if environ.get("PATH_INFO") != "/data":
                start_response("404 Not Found", headers)
                return [b'{"error": "not found"}']
            if method == "OPTIONS":
                if any(name == "Access-Control-Allow-Origin" for name, _ in headers):
                    headers += [
                        ("Access-Control-Allow-Methods", "GET, PUT"),
                        ("Access-Control-Allow-Headers", "Content-Type"),
                    ]
                start_response("204 No Content", headers)
                return []
            start_response("200 OK", headers)
            return [b'{"data": [1, 2, 3]}']

        return app

    return build


def _special_chars(origin: str) -> bool:
    # the host read with a lenient pattern that stops at the first character it does not know
    match = re.fullmatch(r"https://([a-z0-9.-]+)[^:/]*", origin)
    return bool(match) and match.group(1) == "app.example.com"  # type: ignore[union-attr]


# -- flask-cors ------------------------------------------------------------------------------------


def flask_cors(**options: Any) -> Callable[[], Any]:
    """A Flask API with ``CORS(app, **options)``."""

    def build() -> Any:
        from flask import Flask, jsonify
        from flask_cors import CORS

        app = Flask(f"corpus_{id(options)}")

        @app.route("/data", methods=["GET", "PUT"])
        def data() -> Any:
            return jsonify(data=[1, 2, 3])

        CORS(app, **options)
        return app

    return build


# -- Starlette ---------------------------------------------------------------------------------


def starlette(**options: Any) -> Callable[[], Any]:
    """A Starlette API behind ``CORSMiddleware(**options)``."""

    def build() -> Any:
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def data(request: Request) -> JSONResponse:
            return JSONResponse({"data": [1, 2, 3]})

        return Starlette(
            routes=[Route("/data", data, methods=["GET", "PUT"])],
            middleware=[Middleware(CORSMiddleware, **options)],
        )

    return build


# -- django-cors-headers -------------------------------------------------------------------------

_DJANGO_LOCK = threading.Lock()
_DJANGO_BASE = {
    "ROOT_URLCONF": __name__,
    "ALLOWED_HOSTS": ["*"],
    "MIDDLEWARE": ["corsheaders.middleware.CorsMiddleware"],
    "CORS_ALLOWED_ORIGINS": [],
    "CORS_ALLOWED_ORIGIN_REGEXES": [],
    "CORS_ALLOW_ALL_ORIGINS": False,
    "CORS_ALLOW_CREDENTIALS": True,
    "CORS_ALLOW_METHODS": ["GET", "PUT"],
    "CORS_URLS_REGEX": r"^.*$",
}


def _django_view(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse({"data": [1, 2, 3]})


def _urlpatterns() -> list[Any]:
    from django.urls import path

    return [path("data", _django_view)]


def __getattr__(name: str) -> Any:  # Django reads ``urlpatterns`` from ROOT_URLCONF
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def django_cors(**settings: Any) -> Callable[[], Any]:
    """A Django API behind django-cors-headers with ``settings`` (one Django per process, so
    each request runs under ``override_settings``, one request at a time)."""

    def build() -> Any:
        import django
        from django.conf import settings as conf
        from django.test.utils import override_settings

        if not conf.configured:
            conf.configure(SECRET_KEY="corpus", DEBUG=False, USE_TZ=True, **_DJANGO_BASE)
            django.setup()
        overrides = {**_DJANGO_BASE, **settings}
        from django.core.handlers.wsgi import WSGIHandler

        with _DJANGO_LOCK, override_settings(**overrides):
            handler = WSGIHandler()

        def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
            with _DJANGO_LOCK, override_settings(**overrides):
                return list(handler(environ, start_response))

        return app

    return build


# -- the corpus --------------------------------------------------------------------------------

CREDENTIALED = {"supports_credentials": True}
STARLETTE_CREDENTIALED = {
    "allow_credentials": True,
    "allow_methods": ["GET", "PUT"],
    "allow_headers": ["Content-Type"],
}

CASES: tuple[Case, ...] = (
    Case(
        "reflect-any",
        "flask-cors",
        "CORS-REFLECT",
        "origins='*' with supports_credentials=True echoes every origin",
        flask_cors(origins="*", **CREDENTIALED),
    ),
    Case(
        "reflect-on-preflight",
        "starlette",
        "CORS-REFLECT",
        "allow_origins=['*'] with allow_credentials=True echoes any origin on preflights",
        starlette(allow_origins=["*"], **STARLETTE_CREDENTIALED),
    ),
    Case(
        "preflight-only-reflect",
        "hand-written",
        "CORS-REFLECT",
        "the OPTIONS handler grants every origin, the GET handler checks a list",
        hand_written(lambda o: o == APP, preflight_allows=lambda o: True),
    ),
    Case(
        "null",
        "flask-cors",
        "CORS-NULL",
        "origins=[APP, 'null']",
        flask_cors(origins=[APP, "null"], **CREDENTIALED),
    ),
    Case(
        "prefix",
        "flask-cors",
        "CORS-PREFIX-MATCH",
        r"a regex origin 'https://app\.example\.com' (flask-cors matches at the start only)",
        flask_cors(origins=[r"https://app\.example\.com.*"], **CREDENTIALED),
    ),
    Case(
        "suffix",
        "starlette",
        "CORS-SUFFIX-MATCH",
        r"allow_origin_regex='https://.*example\.com'",
        starlette(allow_origin_regex=r"https://.*example\.com", **STARLETTE_CREDENTIALED),
    ),
    Case(
        "substring",
        "hand-written",
        "CORS-SUBSTRING-MATCH",
        "origin in 'https://app.example.com https://admin.example.com' (a string, not a list)",
        hand_written(lambda o: o in f"{APP} {ADMIN}"),
    ),
    Case(
        "unescaped-dot",
        "starlette",
        "CORS-UNESCAPED-DOT",
        "allow_origin_regex='https://app.example.com' (dots not escaped)",
        starlette(allow_origin_regex=r"https://app.example.com", **STARLETTE_CREDENTIALED),
    ),
    Case(
        "http-downgrade",
        "django-cors-headers",
        "CORS-HTTP-DOWNGRADE",
        r"CORS_ALLOWED_ORIGIN_REGEXES=[r'^https?://app\.example\.com$']",
        django_cors(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https?://app\.example\.com$"]),
    ),
    Case(
        "other-port",
        "django-cors-headers",
        "CORS-OTHER-PORT",
        r"CORS_ALLOWED_ORIGIN_REGEXES=[r'^https://app\.example\.com(:\d+)?$']",
        django_cors(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://app\.example\.com(:\d+)?$"]),
    ),
    Case(
        "any-subdomain",
        "django-cors-headers",
        "CORS-SUBDOMAIN",
        r"CORS_ALLOWED_ORIGIN_REGEXES=[r'^https://[\w-]+\.example\.com$']",
        django_cors(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://[\w-]+\.example\.com$"]),
    ),
    Case(
        "special-chars",
        "hand-written",
        "CORS-SPECIAL-CHARS",
        "the host read with a pattern that stops at '_' or '}' (Safari sends them)",
        hand_written(_special_chars),
    ),
    Case(
        "shared-hosting",
        "django-cors-headers",
        "CORS-SHARED-HOSTING",
        r"preview deployments: CORS_ALLOWED_ORIGIN_REGEXES=[r'^https://[\w-]+\.vercel\.app$']",
        django_cors(
            CORS_ALLOWED_ORIGINS=[APP],
            CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://[\w-]+\.vercel\.app$"],
        ),
    ),
    Case(
        "local-origin",
        "django-cors-headers",
        "CORS-LOCAL-ORIGIN",
        "CORS_ALLOWED_ORIGINS=[APP, 'http://localhost:3000'] left in production",
        django_cors(CORS_ALLOWED_ORIGINS=[APP, "http://localhost:3000"]),
    ),
    Case(
        "alternation",
        "django-cors-headers",
        "CORS-PREFIX-MATCH",
        r"two origins joined with '|' under one pair of anchors: '^A|B$'",
        django_cors(
            CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://app\.example\.com|https://admin\.example\.com$"]
        ),
    ),
    # correct apps: no finding is the right answer
    Case(
        "ok-starlette-list",
        "starlette",
        None,
        "allow_origins=[APP] with credentials",
        starlette(allow_origins=[APP], **STARLETTE_CREDENTIALED),
    ),
    Case(
        "ok-starlette-regex",
        "starlette",
        None,
        r"allow_origin_regex='https://(app|admin)\.example\.com' (fully matched)",
        starlette(
            allow_origin_regex=r"https://(app|admin)\.example\.com", **STARLETTE_CREDENTIALED
        ),
    ),
    Case(
        "ok-public",
        "starlette",
        None,
        "a public API: allow_origins=['*'] without credentials",
        starlette(allow_origins=["*"], allow_methods=["GET", "PUT"]),
    ),
    Case(
        "ok-flask-cors",
        "flask-cors",
        None,
        "origins=[APP] with supports_credentials=True",
        flask_cors(origins=[APP], **CREDENTIALED),
    ),
    Case(
        "ok-django",
        "django-cors-headers",
        None,
        "CORS_ALLOWED_ORIGINS=[APP] with CORS_ALLOW_CREDENTIALS",
        django_cors(CORS_ALLOWED_ORIGINS=[APP]),
    ),
)


def case(name: str) -> Case:
    """The corpus case called ``name``."""
    for item in CASES:
        if item.name == name:
            return item
    raise KeyError(name)


# -- serving on loopback, counting requests --------------------------------------------------


class Counter:
    """Requests an app received, counted as the server hands them over."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def hit(self) -> None:
        with self._lock:
            self.count += 1


def _absolute_form(path: str) -> tuple[str, str | None]:
    """A request target sent to a proxy (``http://host/path``) as path and host."""
    if path.startswith(("http://", "https://")):
        parts = urlsplit(path)
        return parts.path or "/", parts.netloc
    return path, None


def counting_wsgi(app: Any, counter: Counter) -> Any:
    """``app`` counting each request, reading a proxy-style absolute target as a normal one
    (the scanners reach the loopback server as ``HTTP_PROXY`` for ``api.example.com``)."""

    def wrapped(environ: Environ, start_response: StartResponse) -> Any:
        counter.hit()
        path, host = _absolute_form(environ.get("PATH_INFO", "/"))
        environ["PATH_INFO"] = path
        if host:
            environ["HTTP_HOST"] = host
        return app(environ, start_response)

    return wrapped


def counting_asgi(app: Any, counter: Counter) -> Any:
    """The ASGI twin of :func:`counting_wsgi`."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            counter.hit()
            path, host = _absolute_form(scope["path"])
            if host:
                headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
                scope = {
                    **scope,
                    "path": path,
                    "raw_path": path.encode(),
                    "headers": [*headers, (b"host", host.encode())],
                }
        await app(scope, receive, send)

    return wrapped


def is_asgi(app: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)
