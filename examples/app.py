"""A small WSGI API with a hand-written CORS policy: the app the README's first command checks.

It allows https://app.example.com with credentials on /items, serves /fonts/roboto.woff2 to
everyone with '*', and has a classic bug on /legacy: it reflects any Origin with credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

ALLOWED = {"https://app.example.com"}


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    method = environ["REQUEST_METHOD"]
    origin = environ.get("HTTP_ORIGIN")
    headers = [("Content-Type", "application/json"), ("X-Total-Count", "2")]
    if path == "/fonts/roboto.woff2":
        headers = [("Content-Type", "font/woff2"), ("Access-Control-Allow-Origin", "*")]
    elif path == "/legacy" and origin:
        headers += [
            ("Access-Control-Allow-Origin", origin),  # the bug: any origin is reflected
            ("Access-Control-Allow-Credentials", "true"),
        ]
    elif path == "/items" and origin in ALLOWED:
        headers += [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "X-Total-Count"),
            ("Vary", "Origin"),
        ]
        if method == "OPTIONS":
            headers += [
                ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
                ("Access-Control-Allow-Headers", "Content-Type, X-Request-Id"),
                ("Access-Control-Max-Age", "600"),
            ]
    status = "204 No Content" if method == "OPTIONS" else "200 OK"
    start_response(status, headers)
    return [b"" if method == "OPTIONS" else b'[{"id": 1}, {"id": 2}]']
