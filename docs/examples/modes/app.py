"""A small API: CORS for the app's origin on /items, none on /ping, and a moved route."""

from collections.abc import Callable, Iterable
from typing import Any

APP = "https://app.example.com"


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if path == "/ping":  # a beacon-like endpoint: no CORS headers at all
        start_response("204 No Content", [])
        return [b""]
    cors = [("Access-Control-Allow-Origin", APP), ("Vary", "Origin")]
    if path == "/old-items":
        start_response("301 Moved Permanently", [("Location", "/items"), *cors])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json"), *cors])
    return [b"[]"]
