"""CORS headers written by hand (as with Express's ``res.set``), as a WSGI middleware.

Whatever your stack, these are the header lines a correct policy sends.
"""

from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# --8<-- [start:config]
ALLOWED_ORIGINS = {"https://app.example.com", "https://admin.example.com"}  # exact matches only


def cors(app: WsgiApp) -> WsgiApp:
    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN", "")
        allowed = origin in ALLOWED_ORIGINS
        cors_headers = [("Vary", "Origin")]  # the answer depends on Origin: tell caches
        if allowed:
            cors_headers += [
                ("Access-Control-Allow-Origin", origin),  # echo one allowed origin, never "*"
                ("Access-Control-Allow-Credentials", "true"),  # exactly "true"
                ("Access-Control-Expose-Headers", "X-Total-Count"),
            ]
        preflight = (
            environ["REQUEST_METHOD"] == "OPTIONS"
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
        )
        if preflight:  # answer it here, before authentication, routing or redirects
            if allowed:
                cors_headers += [
                    ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),  # commas
                    ("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id"),
                    ("Access-Control-Max-Age", "600"),
                ]
            start_response("204 No Content", cors_headers)
            return [b""]

        def add_cors(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept + cors_headers, exc_info)  # errors too

        return app(environ, add_cors)

    return middleware


# --8<-- [end:config]


def api(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The application behind the middleware: a token check and two routes."""
    if not environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
        start_response("401 Unauthorized", [("Content-Type", "application/json")])
        return [b'{"detail": "unauthorized"}']
    path = environ["PATH_INFO"]
    if path == "/api/items":
        start_response("200 OK", [("Content-Type", "application/json"), ("X-Total-Count", "2")])
        return [b'[{"id": 1}, {"id": 2}]']
    if path.startswith("/api/items/"):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"id": 1}']
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b'{"detail": "not found"}']


app = cors(api)
