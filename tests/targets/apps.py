"""Small apps the target tests drive: raw WSGI/ASGI callables that record what arrives and answer
with awkward header lines, and the same tiny CORS-enabled API in each framework.

Every framework app has the same routes:
    GET/PUT/POST /items   200, JSON, ``X-Total: 3`` (exposed to the allowed origin)
    GET /login            200 with ``Set-Cookie: session=secret``
    GET /echo-cookie      200, body = the Cookie header received (``<none>`` when absent)
    GET /redirect         302 to ``/items``
    GET /boom             the view raises RuntimeError("boom")
    GET /echo-headers     200, JSON list of the request's [lower-case name, value] pairs
    GET /teapot           418 with a body that is not UTF-8 (an unusual status and body)

Each factory takes ``cors``: the middleware's own options (default: the shared allowlist
below), or ``None`` for the same app without any CORS support.
"""

from __future__ import annotations

from typing import Any

ALLOWED = "https://app.example.com"
# Response lines with duplicates and odd casing that every in-process path must keep as is.
ODD_LINES = [
    ("Content-Type", "text/plain"),
    ("access-control-allow-origin", ALLOWED),
    ("X-Dup", "one"),
    ("x-DUP", "two"),
    ("Set-Cookie", "a=1"),
    ("set-cookie", "b=2"),
]

# Starlette's and FastAPI's CORSMiddleware arguments: the allowlist every framework app shares.
STARLETTE_CORS: dict[str, Any] = {
    "allow_origins": [ALLOWED],
    "allow_credentials": True,
    "allow_methods": ["GET", "PUT", "POST"],
    "allow_headers": ["Content-Type", "X-Token"],
    "expose_headers": ["X-Total"],
}
# flask-cors' ``CORS(app, **options)`` for the same allowlist.
FLASK_CORS: dict[str, Any] = {
    "origins": [ALLOWED],
    "supports_credentials": True,
    "expose_headers": ["X-Total"],
    "methods": ["GET", "PUT", "POST"],
    "allow_headers": ["Content-Type", "X-Token"],
}
TEAPOT_BODY = b"\xff\xfeshort and stout\x00"


def recording_wsgi(record: list[dict[str, Any]]) -> Any:
    """A WSGI app that appends each environ (with its body read) to ``record``."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        record.append({**environ, "body": body})
        path = environ["PATH_INFO"]
        if path == "/redirect":
            start_response("302 Found", [("Location", "/items")])
            return [b""]
        if path == "/boom":
            raise RuntimeError("boom")
        if path == "/teapot":
            start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
            return [b"short and stout"]
        start_response("200 OK", list(ODD_LINES))
        return [b"hello ", b"world"]

    return app


def recording_asgi(record: list[dict[str, Any]]) -> Any:
    """An ASGI app that appends each scope (with its body) to ``record``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        message = await receive()
        record.append({**scope, "body": message.get("body", b"")})
        if scope["path"] == "/boom":
            raise RuntimeError("boom")
        if scope["path"] == "/half":  # starts a response and never finishes it
            await send({"type": "http.response.start", "status": 200, "headers": []})
            return
        if scope["path"] == "/redirect":
            await send(
                {"type": "http.response.start", "status": 307, "headers": [(b"location", b"/")]}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [(k.encode(), v.encode()) for k, v in ODD_LINES]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hello ", "more_body": True})
        await send({"type": "http.response.body", "body": b"world"})

    return app


def flask_app(cors: dict[str, Any] | None = FLASK_CORS) -> Any:
    from flask import Flask, redirect, request
    from flask_cors import CORS

    app = Flask("cors_targets")
    app.config["TESTING"] = True
    if cors is not None:
        CORS(app, **cors)

    @app.route("/items", methods=["GET", "PUT", "POST"])
    def items() -> Any:
        return {"items": [1, 2, 3]}, 200, {"X-Total": "3"}

    @app.route("/login")
    def login() -> Any:
        return "in", 200, {"Set-Cookie": "session=secret; Path=/"}

    @app.route("/echo-cookie")
    def echo_cookie() -> Any:
        return request.headers.get("Cookie", "<none>")

    @app.route("/echo-headers")
    def echo_headers() -> Any:
        return [[k.lower(), v] for k, v in request.headers.items()]

    @app.route("/redirect")
    def to_items() -> Any:
        return redirect("/items", 302)

    @app.route("/boom")
    def boom() -> Any:
        raise RuntimeError("boom")

    @app.route("/teapot")
    def teapot() -> Any:
        return TEAPOT_BODY, 418, {"Content-Type": "application/octet-stream"}

    return app


def starlette_app(*, debug: bool = False, cors: dict[str, Any] | None = STARLETTE_CORS) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    async def items(request: Request) -> Any:
        return JSONResponse({"items": [1, 2, 3]}, headers={"X-Total": "3"})

    async def login(request: Request) -> Any:
        response = PlainTextResponse("in")
        response.set_cookie("session", "secret")
        return response

    async def echo_cookie(request: Request) -> Any:
        return PlainTextResponse(request.headers.get("cookie", "<none>"))

    async def echo_headers(request: Request) -> Any:
        return JSONResponse([[k.decode(), v.decode()] for k, v in request.headers.raw])

    async def to_items(request: Request) -> Any:
        return RedirectResponse("/items", status_code=302)

    async def boom(request: Request) -> Any:
        raise RuntimeError("boom")

    async def teapot(request: Request) -> Any:
        return Response(TEAPOT_BODY, 418, media_type="application/octet-stream")

    return Starlette(
        debug=debug,
        routes=[
            Route("/items", items, methods=["GET", "PUT", "POST"]),
            Route("/login", login),
            Route("/echo-cookie", echo_cookie),
            Route("/echo-headers", echo_headers),
            Route("/redirect", to_items),
            Route("/boom", boom),
            Route("/teapot", teapot),
        ],
        middleware=[Middleware(CORSMiddleware, **cors)] if cors is not None else [],
    )


def fastapi_app(cors: dict[str, Any] | None = STARLETTE_CORS) -> Any:
    """FastAPI resolves annotations at run time, so its app lives in a module of its own."""
    from tests.targets.fastapi_app import make_app

    return make_app(cors)
