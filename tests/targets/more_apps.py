"""The tiny API of ``apps.py`` in Quart, Falcon (WSGI and ASGI), Litestar and aiohttp, each with
its own CORS support configured as its documentation shows.

No ``from __future__ import annotations``: Litestar reads handler annotations at run time.
Routes: GET/PUT/POST /items (``X-Total: 3``), GET /login (sets ``session=secret``),
GET /echo-cookie, GET /echo-headers (JSON list of [lower-case name, value]), GET /redirect (302),
GET /boom (the view raises RuntimeError("boom")).
"""

import json
from typing import Any

from tests.targets.apps import ALLOWED

METHODS = ["GET", "PUT", "POST"]
ALLOW_HEADERS = ["Content-Type", "X-Token"]


def quart_app() -> Any:
    from quart import Quart, redirect, request
    from quart_cors import cors

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

    return cors(
        app,
        allow_origin=[ALLOWED],
        allow_credentials=True,
        allow_methods=METHODS,
        allow_headers=ALLOW_HEADERS,
        expose_headers=["X-Total"],
    )


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


def falcon_app(*, asgi: bool = False) -> Any:
    import falcon
    import falcon.asgi

    cors = falcon.CORSMiddleware(
        allow_origins=ALLOWED, allow_credentials=ALLOWED, expose_headers=["X-Total"]
    )
    app = (falcon.asgi.App if asgi else falcon.App)(middleware=[cors])
    routes = {
        "/items": ("items", METHODS),
        "/login": ("login", ["GET"]),
        "/echo-cookie": ("echo_cookie", ["GET"]),
        "/echo-headers": ("echo_headers", ["GET"]),
        "/redirect": ("redirect", ["GET"]),
        "/boom": ("boom", ["GET"]),
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


def litestar_app() -> Any:
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

    return Litestar(
        route_handlers=[items, login, echo_cookie, echo_headers, to_items, boom],
        logging_config=None,  # Litestar would otherwise add a handler to the root logger
        cors_config=CORSConfig(
            allow_origins=[ALLOWED],
            allow_methods=METHODS,
            allow_headers=ALLOW_HEADERS,
            allow_credentials=True,
            expose_headers=["X-Total"],
        ),
    )


def aiohttp_app() -> Any:
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

    app = web.Application()
    app.router.add_route("GET", "/items", items)
    app.router.add_route("PUT", "/items", items)
    app.router.add_route("POST", "/items", items)
    app.router.add_get("/login", login, allow_head=False)
    app.router.add_get("/echo-cookie", echo_cookie, allow_head=False)
    app.router.add_get("/echo-headers", echo_headers, allow_head=False)
    app.router.add_get("/redirect", to_items, allow_head=False)
    options = aiohttp_cors.ResourceOptions(
        allow_credentials=True,
        expose_headers=("X-Total",),
        allow_headers=tuple(ALLOW_HEADERS),
        allow_methods=METHODS,
    )
    cors = aiohttp_cors.setup(app, defaults={ALLOWED: options})
    for resource_route in list(app.router.routes()):
        cors.add(resource_route)
    return app
