"""The FastAPI version of the tiny API in ``apps.py``.

No ``from __future__ import annotations`` here: FastAPI reads the parameter annotations at run
time to tell a ``Response`` parameter from a query parameter.
"""

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse, RedirectResponse

from tests.targets.apps import STARLETTE_CORS, TEAPOT_BODY


def make_app(cors: dict[str, Any] | None = STARLETTE_CORS) -> FastAPI:
    app = FastAPI()
    if cors is not None:
        app.add_middleware(CORSMiddleware, **cors)

    @app.api_route("/items", methods=["GET", "PUT", "POST"])
    def items(response: Response) -> dict[str, list[int]]:
        response.headers["X-Total"] = "3"
        return {"items": [1, 2, 3]}

    @app.get("/login")
    def login(response: Response) -> str:
        response.set_cookie("session", "secret")
        return "in"

    @app.get("/echo-cookie", response_class=PlainTextResponse)
    def echo_cookie(request: Request) -> str:
        return request.headers.get("cookie", "<none>")

    @app.get("/echo-headers")
    def echo_headers(request: Request) -> list[list[str]]:
        return [[k.decode(), v.decode()] for k, v in request.headers.raw]

    @app.get("/redirect")
    def to_items() -> RedirectResponse:
        return RedirectResponse("/items", status_code=302)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/teapot")
    def teapot() -> Response:
        return Response(TEAPOT_BODY, 418, media_type="application/octet-stream")

    return app
