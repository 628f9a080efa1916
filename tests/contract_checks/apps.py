"""Real Flask + flask-cors and Starlette/FastAPI ``CORSMiddleware`` apps, configured right and
wrong, that the contract tests check.

Every app serves the same routes:
    GET/POST/PUT /items and /items/1   JSON, ``X-Total-Count: 2`` (the "spa-api" policy)
    GET /fonts/roboto.woff2            a public font (the "fonts" policy; in the full apps)
    GET/POST /admin/users              never readable cross-origin (the "admin" policy)
"""

from __future__ import annotations

from typing import Any

APP = "https://app.example.com"
ADMIN = "https://admin.example.com"
ORIGINS = [APP, ADMIN]
METHODS = ["GET", "POST", "PUT"]
HEADERS = ["Content-Type", "X-Request-Id"]
EXPOSE = ["X-Total-Count"]


# -- Flask + flask-cors ---------------------------------------------------------------------


def _flask_routes(app: Any) -> None:
    from flask import jsonify

    def items() -> Any:
        response = jsonify([1, 2])
        response.headers["X-Total-Count"] = "2"
        return response

    app.add_url_rule("/items", "items", items, methods=METHODS)
    app.add_url_rule("/items/1", "item", items, methods=METHODS)
    app.add_url_rule("/fonts/roboto.woff2", "font", lambda: b"wOF2", methods=["GET"])
    app.add_url_rule("/admin/users", "admin", lambda: jsonify(["root"]), methods=["GET", "POST"])


def flask_app(api: dict[str, Any], *, fonts: bool = True) -> Any:
    """A Flask app whose /items routes use flask-cors with ``api`` options."""
    from flask import Flask
    from flask_cors import CORS

    app = Flask(__name__)
    _flask_routes(app)
    resources: dict[str, Any] = {r"/items.*": api}
    if fonts:
        resources[r"/fonts/.*"] = {
            "origins": "*",
            "methods": ["GET"],
            "allow_headers": ["Range"],
            "max_age": 86400,
        }
    CORS(app, resources=resources)
    return app


GOOD_FLASK_API = {
    "origins": ORIGINS,
    "supports_credentials": True,
    "methods": METHODS,
    "allow_headers": HEADERS,
    "expose_headers": EXPOSE,
    "max_age": 600,
}

flask_good = flask_app(GOOD_FLASK_API)
flask_reflect = flask_app({**GOOD_FLASK_API, "origins": "*"})
flask_null = flask_app({**GOOD_FLASK_API, "origins": [*ORIGINS, "null"]})
flask_prefix_regex = flask_app(
    {**GOOD_FLASK_API, "origins": [r"https://(app|admin)\.example\.com"]}
)
flask_no_vary = flask_app({**GOOD_FLASK_API, "vary_header": False})


# -- Starlette / FastAPI CORSMiddleware -------------------------------------------------------


def starlette_app(api: dict[str, Any], *, fastapi: bool = False) -> Any:
    """An app whose /items routes sit behind ``CORSMiddleware(**api)``, /fonts behind a public
    one and /admin behind none (a dispatcher picks the stack by path)."""
    from starlette.applications import Starlette
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    def items(request: Any) -> Any:
        return JSONResponse([1, 2], headers={"X-Total-Count": "2"})

    def font(request: Any) -> Any:
        return Response(b"wOF2", media_type="font/woff2")

    def admin(request: Any) -> Any:
        return JSONResponse(["root"])

    routes = [
        Route("/items", items, methods=METHODS),
        Route("/items/1", items, methods=METHODS),
        Route("/fonts/roboto.woff2", font),
        Route("/admin/users", admin, methods=["GET", "POST"]),
    ]
    if fastapi:
        from fastapi import FastAPI

        inner: Any = FastAPI()
        inner.router.routes.extend(routes)
    else:
        inner = Starlette(routes=routes)
    api_stack = CORSMiddleware(inner, **api)
    fonts_stack = CORSMiddleware(inner, allow_origins=["*"], allow_methods=["GET"], max_age=86400)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if path.startswith("/items"):
            await api_stack(scope, receive, send)
        elif path.startswith("/fonts"):
            await fonts_stack(scope, receive, send)
        else:
            await inner(scope, receive, send)

    return app


GOOD_STARLETTE_API = {
    "allow_origins": ORIGINS,
    "allow_credentials": True,
    "allow_methods": METHODS,
    "allow_headers": HEADERS,
    "expose_headers": EXPOSE,
    "max_age": 600,
}

starlette_good = starlette_app(GOOD_STARLETTE_API)
fastapi_good = starlette_app(GOOD_STARLETTE_API, fastapi=True)
fastapi_suffix_regex = starlette_app(
    {**GOOD_STARLETTE_API, "allow_origins": [], "allow_origin_regex": r"https://.*example\.com"},
    fastapi=True,
)
starlette_wildcard_credentials = starlette_app({**GOOD_STARLETTE_API, "allow_origins": ["*"]})


# -- hand-written answers, for the guards no middleware gets wrong on purpose ----------------


def scripted(
    preflight: dict[str, str] | None = None,
    actual: dict[str, str] | None = None,
    *,
    preflight_status: int = 204,
    actual_status: int = 200,
    record: list[dict[str, Any]] | None = None,
) -> Any:
    """A WSGI app answering every preflight and every other request with fixed headers.

    ``"{origin}"`` in a value is replaced by the request's Origin (reflection); a header whose
    value becomes empty is left out. ``record`` collects each environ.
    """

    def headers(template: dict[str, str] | None, environ: dict[str, Any]) -> list[tuple[str, str]]:
        origin = environ.get("HTTP_ORIGIN", "")
        out = []
        for name, value in (template or {}).items():
            value = value.replace("{origin}", origin)
            if value:
                out.append((name, value))
        return out

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if record is not None:
            record.append(dict(environ))
        is_preflight = (
            environ["REQUEST_METHOD"] == "OPTIONS"
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
        )
        if is_preflight:
            start_response(
                f"{preflight_status} X",
                [*headers(preflight, environ), ("Content-Length", "0")],
            )
            return [b""]
        start_response(
            f"{actual_status} X",
            [
                ("Content-Type", "application/json"),
                *headers(actual, environ),
                ("Content-Length", "2"),
            ],
        )
        return [b"[]"]

    return app


def good_headers() -> tuple[dict[str, str], dict[str, str]]:
    """Preflight and actual headers of a correct credentialed API for APP and ADMIN."""
    check = "{origin}"
    preflight = {
        "Access-Control-Allow-Origin": check,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, POST, PUT",
        "Access-Control-Allow-Headers": "Content-Type, X-Request-Id",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }
    actual = {
        "Access-Control-Allow-Origin": check,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "X-Total-Count",
        "X-Total-Count": "2",
        "Vary": "Origin",
    }
    return preflight, actual


def allow_listed(app: Any, origins: list[str]) -> Any:
    """Wrap ``app`` so that requests from an Origin outside ``origins`` get no CORS headers."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_ORIGIN") in origins:
            return app(environ, start_response)

        def strip(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            kept = [(n, v) for n, v in headers if not n.lower().startswith("access-control-")]
            return start_response(status, kept, *rest)

        return app(environ, strip)

    return wrapped


# A hand-written "allow everything" header set: '*' plus credentials, as in many blog posts.
_STAR = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PUT",
    "Access-Control-Allow-Headers": "Content-Type, X-Request-Id",
    "Access-Control-Expose-Headers": "X-Total-Count",
}
star_with_credentials = scripted(_STAR, _STAR)
