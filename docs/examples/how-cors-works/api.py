"""The API the "How CORS works" examples talk to: every CORS header written out by hand.

A plain WSGI app, so that each example shows exactly which response header made the browser
decide. Real apps use a middleware (see the failure reference for Flask, Django, FastAPI).
"""

from collections.abc import Callable, Iterable
from typing import Any

SPA = "https://app.example.com"


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    method = environ["REQUEST_METHOD"]
    origin = environ.get("HTTP_ORIGIN")
    headers = [("Content-Type", "application/json")]
    status = "200 OK"

    if path == "/public":
        # Anyone may read this, but only without credentials.
        headers += [("Access-Control-Allow-Origin", "*")]
    elif path == "/items" and origin == SPA:
        headers += [
            ("Access-Control-Allow-Origin", SPA),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
            ("X-Total-Count", "2"),
            ("ETag", '"v1"'),
            ("Access-Control-Expose-Headers", "X-Total-Count"),
        ]
        if method == "OPTIONS":
            status = "204 No Content"
            headers += [
                ("Access-Control-Allow-Methods", "GET, PUT, DELETE"),
                ("Access-Control-Allow-Headers", "Content-Type"),
                ("Access-Control-Max-Age", "600"),
            ]
    elif path == "/old-items":
        # A redirect must pass the CORS check too before the browser follows it.
        status = "308 Permanent Redirect"
        headers += [("Location", "/items")]
        if origin == SPA:
            headers += [("Access-Control-Allow-Origin", SPA)]
    elif path == "/moved":
        # A redirect to another origin: the next request carries Origin: null.
        status = "302 Found"
        headers += [
            ("Location", "https://cdn.example.net/mirror"),
            ("Access-Control-Allow-Origin", "*"),
        ]
    elif path == "/mirror":
        # Reports which Origin arrived, and lets anyone read it (no credentials).
        headers += [("Access-Control-Allow-Origin", "*"), ("X-Seen-Origin", origin or "")]
        headers += [("Access-Control-Expose-Headers", "X-Seen-Origin")]

    start_response(status, headers)
    return [b"" if method == "OPTIONS" else b"[]"]
