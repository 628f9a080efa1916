"""The tiny API of ``apps.py`` in Quart, Falcon (WSGI and ASGI), Litestar and aiohttp, each with
its own CORS support configured as its documentation shows.

No ``from __future__ import annotations``: Litestar reads handler annotations at run time.
Routes: GET/PUT/POST /items (``X-Total: 3``), GET /login (sets ``session=secret``),
GET /echo-cookie, GET /echo-headers (JSON list of [lower-case name, value]), GET /redirect (302),
GET /boom (the view raises RuntimeError("boom")), GET /teapot (418, a body that is not UTF-8).
Each factory takes ``cors``: its middleware's options (default: the shared allowlist), or
``None`` for the app without CORS support.
"""

import json
from typing import Any

from tests.targets.apps import ALLOWED, TEAPOT_BODY

METHODS = ["GET", "PUT", "POST"]
ALLOW_HEADERS = ["Content-Type", "X-Token"]
# Each middleware's options for the shared allowlist (Falcon's has no method or header list).
QUART_CORS: dict[str, Any] = {
    "allow_origin": [ALLOWED],
    "allow_credentials": True,
    "allow_methods": METHODS,
    "allow_headers": ALLOW_HEADERS,
    "expose_headers": ["X-Total"],
}
FALCON_CORS: dict[str, Any] = {
    "allow_origins": ALLOWED,
    "allow_credentials": ALLOWED,
    "expose_headers": ["X-Total"],
}
LITESTAR_CORS: dict[str, Any] = {
    "allow_origins": [ALLOWED],
    "allow_methods": METHODS,
    "allow_headers": ALLOW_HEADERS,
    "allow_credentials": True,
    "expose_headers": ["X-Total"],
}
# aiohttp-cors: allowed origin -> ResourceOptions arguments.
AIOHTTP_CORS: dict[str, dict[str, Any]] = {
    ALLOWED: {
        "allow_credentials": True,
        "expose_headers": ("X-Total",),
        "allow_headers": tuple(ALLOW_HEADERS),
        "allow_methods": METHODS,
    }
}


def quart_app(cors: dict[str, Any] | None = QUART_CORS) -> Any:
    from quart import Quart, redirect, request
    from quart_cors import cors as quart_cors

    app = Quart("cors_targets")
    app.config["TESTING"] = True

    @app.route("/items", methods=METHODS)
    async def items() -> Any:
        return {"items": [1, 2, 3]}, 200, {"X-Total": "3"}

    @app.route("/login")
    async def login() -> Any:
        return "in", 200, {"Set-Cookie": "session=secret; Path=/"}

    @app.route("/echo-cookie")
    async def echo_cookie() -> Any:
        return request.headers.get("Cookie", "<none>")

    @app.route("/echo-headers")
    async def echo_headers() -> Any:
        # Quart itself adds "Remote-Addr" (from the scope's client) to every request's headers
        pairs = [[k.lower(), v] for k, v in request.headers.items() if k.lower() != "remote-addr"]
        return json.dumps(pairs)

    @app.route("/redirect")
    async def to_items() -> Any:
        return redirect("/items", 302)

    @app.route("/boom")
    async def boom() -> Any:
        raise RuntimeError("boom")

    @app.route("/teapot")
    async def teapot() -> Any:
        return TEAPOT_BODY, 418, {"Content-Type": "application/octet-stream"}

    return app if cors is None else quart_cors(app, **cors)


class _FalconResources:
    """Falcon responders shared by the WSGI and the ASGI flavour (sync bodies, tiny wrappers)."""

    @staticmethod
    def items(req: Any, resp: Any) -> None:
        resp.media = {"items": [1, 2, 3]}
        resp.set_header("X-Total", "3")

    @staticmethod
    def login(req: Any, resp: Any) -> None:
        resp.set_cookie("session", "secret", secure=False, http_only=False)
        resp.text = "in"

    @staticmethod
    def echo_cookie(req: Any, resp: Any) -> None:
        resp.text = req.get_header("Cookie") or "<none>"

    @staticmethod
    def echo_headers(req: Any, resp: Any) -> None:
        resp.media = [[k.lower(), v] for k, v in req.headers.items()]

    @staticmethod
    def redirect(req: Any, resp: Any) -> None:
        import falcon

        raise falcon.HTTPFound("/items")

    @staticmethod
    def boom(req: Any, resp: Any) -> None:
        raise RuntimeError("boom")

    @staticmethod
    def teapot(req: Any, resp: Any) -> None:
        resp.status = 418
        resp.content_type = "application/octet-stream"
        resp.data = TEAPOT_BODY


def falcon_app(*, asgi: bool = False, cors: dict[str, Any] | None = FALCON_CORS) -> Any:
    import falcon
    import falcon.asgi

    middleware = [] if cors is None else [falcon.CORSMiddleware(**cors)]
    app = (falcon.asgi.App if asgi else falcon.App)(middleware=middleware)
    routes = {
        "/items": ("items", METHODS),
        "/login": ("login", ["GET"]),
        "/echo-cookie": ("echo_cookie", ["GET"]),
        "/echo-headers": ("echo_headers", ["GET"]),
        "/redirect": ("redirect", ["GET"]),
        "/boom": ("boom", ["GET"]),
        "/teapot": ("teapot", ["GET"]),
    }
    for path, (name, methods) in routes.items():
        app.add_route(path, _falcon_resource(getattr(_FalconResources, name), methods, asgi))
    return app


def _falcon_resource(func: Any, methods: list[str], asgi: bool) -> Any:
    if asgi:

        async def responder(self: Any, req: Any, resp: Any) -> None:
            func(req, resp)

    else:

        def responder(self: Any, req: Any, resp: Any) -> None:
            func(req, resp)

    return type("Resource", (), {f"on_{m.lower()}": responder for m in methods})()


def litestar_app(cors: dict[str, Any] | None = LITESTAR_CORS) -> Any:
    from litestar import Litestar, Request, Response, get, route
    from litestar.config.cors import CORSConfig
    from litestar.response import Redirect

    @route("/items", http_method=METHODS, status_code=200)
    async def items() -> Response[dict[str, list[int]]]:
        return Response({"items": [1, 2, 3]}, headers={"X-Total": "3"})

    @get("/login")
    async def login() -> Response[str]:
        return Response("in", headers={"Set-Cookie": "session=secret; Path=/"})

    @get("/echo-cookie")
    async def echo_cookie(request: Request[Any, Any, Any]) -> str:
        return request.headers.get("cookie", "<none>")

    @get("/echo-headers")
    async def echo_headers(request: Request[Any, Any, Any]) -> list[list[str]]:
        return [[k.decode(), v.decode()] for k, v in request.scope["headers"]]

    @get("/redirect", status_code=302)
    async def to_items() -> Redirect:
        return Redirect("/items", status_code=302)

    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    @get("/teapot", status_code=418, media_type="application/octet-stream")
    async def teapot() -> bytes:
        return TEAPOT_BODY

    return Litestar(
        route_handlers=[items, login, echo_cookie, echo_headers, to_items, boom, teapot],
        logging_config=None,  # Litestar would otherwise add a handler to the root logger
        cors_config=None if cors is None else CORSConfig(**cors),
    )


def aiohttp_app(cors: dict[str, dict[str, Any]] | None = AIOHTTP_CORS) -> Any:
    import aiohttp_cors
    from aiohttp import web

    async def items(request: Any) -> Any:
        return web.json_response({"items": [1, 2, 3]}, headers={"X-Total": "3"})

    async def login(request: Any) -> Any:
        response = web.Response(text="in")
        response.set_cookie("session", "secret")
        return response

    async def echo_cookie(request: Any) -> Any:
        return web.Response(text=request.headers.get("Cookie", "<none>"))

    async def echo_headers(request: Any) -> Any:
        pairs = [[k.decode().lower(), v.decode()] for k, v in request.raw_headers]
        return web.json_response(pairs)

    async def to_items(request: Any) -> Any:
        raise web.HTTPFound("/items")

    async def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    async def teapot(request: Any) -> Any:
        return web.Response(status=418, body=TEAPOT_BODY, content_type="application/octet-stream")

    app = web.Application()
    app.router.add_route("GET", "/items", items)
    app.router.add_route("PUT", "/items", items)
    app.router.add_route("POST", "/items", items)
    app.router.add_get("/login", login, allow_head=False)
    app.router.add_get("/echo-cookie", echo_cookie, allow_head=False)
    app.router.add_get("/echo-headers", echo_headers, allow_head=False)
    app.router.add_get("/redirect", to_items, allow_head=False)
    app.router.add_get("/boom", boom, allow_head=False)
    app.router.add_get("/teapot", teapot, allow_head=False)
    if cors is None:
        return app
    defaults = {origin: aiohttp_cors.ResourceOptions(**opts) for origin, opts in cors.items()}
    setup = aiohttp_cors.setup(app, defaults=defaults)
    for resource_route in list(app.router.routes()):
        setup.add(resource_route)
    return app
