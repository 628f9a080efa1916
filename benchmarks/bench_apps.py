"""The apps every benchmark measures: one CORS policy, written in Starlette, Flask and Django.

The policy is the one the generated contract describes: ``PATHS`` x ``ORIGINS`` x ``METHODS``,
credentials allowed, ``Content-Type`` and ``X-Token`` request headers, ``X-Total`` exposed.
Every route answers every method with a small JSON body and ``X-Total: 3``.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from typing import Any

ORIGINS = [f"https://app{i}.example.com" for i in range(10)]
METHODS = ["GET", "POST", "PUT", "DELETE"]
REQUEST_HEADERS = ["Content-Type", "X-Token"]
EXPOSED = ["X-Total"]
MAX_AGE = 600
BODY = json.dumps({"items": [1, 2, 3]}).encode()


def paths(count: int) -> list[str]:
    return [f"/r{i}" for i in range(count)]


def starlette_app(
    count: int = 50, origins: list[str] | None = None, methods: list[str] | None = None
) -> Any:
    """Starlette with its ``CORSMiddleware`` (a smaller policy when the arguments say so)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Any) -> Response:
        return Response(BODY, media_type="application/json", headers={"X-Total": "3"})

    methods = methods or METHODS
    routes = [Route(p, endpoint, methods=methods) for p in paths(count)]
    cors = Middleware(
        CORSMiddleware,
        allow_origins=origins or ORIGINS,
        allow_credentials=True,
        allow_methods=methods,
        allow_headers=REQUEST_HEADERS,
        expose_headers=EXPOSED,
        max_age=MAX_AGE,
    )
    return Starlette(routes=routes, middleware=[cors])


def flask_app(count: int = 50) -> Any:
    """Flask with flask-cors."""
    from flask import Flask
    from flask_cors import CORS

    app = Flask("bench")

    def endpoint() -> Any:
        return app.response_class(BODY, mimetype="application/json", headers={"X-Total": "3"})

    for p in paths(count):
        app.add_url_rule(p, p.strip("/"), endpoint, methods=METHODS)
    CORS(
        app,
        origins=ORIGINS,
        supports_credentials=True,
        methods=METHODS,
        allow_headers=REQUEST_HEADERS,
        expose_headers=EXPOSED,
        max_age=MAX_AGE,
    )
    return app


def django_client(count: int = 50) -> Any:
    """A ``django.test.Client`` for a project with django-cors-headers (configured once)."""
    import django
    from django.conf import settings

    if not settings.configured:
        from django.http import HttpResponse
        from django.urls import path
        from django.views.decorators.csrf import csrf_exempt

        @csrf_exempt
        def endpoint(request: Any) -> HttpResponse:
            response = HttpResponse(BODY, content_type="application/json")
            response["X-Total"] = "3"
            return response

        urlconf = types.ModuleType("bench_urls")  # hashable, as Django's resolver cache needs
        urlconf.urlpatterns = [path(p.lstrip("/"), endpoint) for p in paths(count)]  # type: ignore[attr-defined]
        settings.configure(
            DEBUG=False,
            SECRET_KEY="benchmark",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=urlconf,
            INSTALLED_APPS=["corsheaders"],
            MIDDLEWARE=[
                "corsheaders.middleware.CorsMiddleware",
                "django.middleware.common.CommonMiddleware",
            ],
            CORS_ALLOWED_ORIGINS=ORIGINS,
            CORS_ALLOW_CREDENTIALS=True,
            CORS_ALLOW_METHODS=METHODS,
            CORS_ALLOW_HEADERS=[h.lower() for h in REQUEST_HEADERS],
            CORS_EXPOSE_HEADERS=EXPOSED,
            CORS_PREFLIGHT_MAX_AGE=MAX_AGE,
            USE_TZ=True,
        )
        django.setup()
    from django.test import Client

    return Client()


# Native clients sending a recorded request (method, URL, header lines, body), body read.


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]


def starlette_sender(client: Any) -> Callable[[Any], Any]:
    def send(req: Any) -> Any:
        return client.request(
            req.method, req.url, headers=list(req.headers), content=req.body
        ).content

    return send


def flask_sender(client: Any) -> Callable[[Any], Any]:
    def send(req: Any) -> Any:
        return client.open(
            _path(req.url), method=req.method, headers=list(req.headers), data=req.body
        ).data

    return send


def django_sender(client: Any) -> Callable[[Any], Any]:
    def send(req: Any) -> Any:
        headers = {k: v for k, v in req.headers if k.lower() != "content-type"}
        content_type = req.headers.get("Content-Type") or "application/octet-stream"
        return client.generic(
            req.method, _path(req.url), req.body or b"", content_type, headers=headers
        ).content

    return send
