"""The tiny API of ``apps.py`` in Sanic, with sanic-ext's CORS configured as its documentation
shows: ``app.config.CORS_*`` settings, then ``Extend(app)``.

Routes: GET/PUT/POST /items (``X-Total: 3``), GET /login (sets ``session=secret``),
GET /echo-cookie, GET /echo-headers (JSON list of [lower-case name, value]), GET /redirect (302),
GET /boom (the view raises RuntimeError("boom")), GET /teapot (418, a body that is not UTF-8).
:func:`sanic_app` takes ``cors``: sanic-ext's settings (default: the shared allowlist), or
``None`` for the app without sanic-ext at all.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.targets.apps import ALLOWED, TEAPOT_BODY

METHODS = ["GET", "PUT", "POST"]
# sanic-ext's settings for the shared allowlist (app.config keys).
SANIC_CORS: dict[str, Any] = {
    "CORS_ORIGINS": ALLOWED,
    "CORS_SUPPORTS_CREDENTIALS": True,
    "CORS_METHODS": METHODS,
    "CORS_ALLOW_HEADERS": ["Content-Type", "X-Token"],
    "CORS_EXPOSE_HEADERS": ["X-Total"],
}
_names = itertools.count()  # Sanic refuses two apps of one name in a process


def sanic_app(cors: dict[str, Any] | None = SANIC_CORS, *, extend: bool = True) -> Any:
    """The app; ``extend=False`` leaves ``Extend(app)`` to Sanic's start-up (its AUTO_EXTEND)."""
    from sanic import Sanic, json, raw, redirect, text
    from sanic_ext import Extend

    # configure_logging=False: Sanic would otherwise install its handlers on its loggers
    app = Sanic(f"cors_targets_{next(_names)}", configure_logging=False)

    @app.route("/items", methods=METHODS)
    async def items(request: Any) -> Any:
        return json({"items": [1, 2, 3]}, headers={"X-Total": "3"})

    @app.get("/login")
    async def login(request: Any) -> Any:
        response = text("in")
        response.add_cookie("session", "secret", secure=False, httponly=False)
        return response

    @app.get("/echo-cookie")
    async def echo_cookie(request: Any) -> Any:
        return text(request.headers.get("cookie", "<none>"))

    @app.get("/echo-headers")
    async def echo_headers(request: Any) -> Any:
        return json([[k.lower(), v] for k, v in request.headers.items()])

    @app.get("/redirect")
    async def to_items(request: Any) -> Any:
        return redirect("/items", status=302)

    @app.get("/boom")
    async def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    @app.get("/teapot")
    async def teapot(request: Any) -> Any:
        return raw(TEAPOT_BODY, status=418, content_type="application/octet-stream")

    if cors is None:
        app.config.AUTO_EXTEND = False  # no sanic-ext, so no CORS support at all
        return app
    app.config.update(cors)
    if extend:
        Extend(app)
    return app
