"""One of several services on subdomains of example.com: every front end on a subdomain may
call it with cookies; nothing else (Starlette's CORSMiddleware with an anchored regex)."""

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def orders(request: Request) -> JSONResponse:
    return JSONResponse([{"id": 42}], headers={"X-Request-Id": "r-1"})


# CORS outermost, so that its headers reach every answer, the 500 of a view that raises
# included (middleware=[...] would put it inside Starlette's ServerErrorMiddleware)
app = CORSMiddleware(
    Starlette(routes=[Route("/orders", orders, methods=["GET", "POST"])]),
    # one label, then the escaped domain; Starlette matches the whole origin
    allow_origin_regex=r"https://[a-z0-9-]+\.example\.com",
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["Content-Type", "Idempotency-Key"],
    expose_headers=["X-Request-Id"],
)
