"""A CDN for fonts and images: any page may load them (fonts are always fetched in CORS mode,
and canvas reads of images need CORS), never with cookies (Starlette)."""

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def asset(request: Request) -> Response:
    kind = "font/woff2" if request.url.path.endswith(".woff2") else "image/png"
    return Response(b"...", media_type=kind, headers={"Cache-Control": "max-age=31536000"})


# CORS outermost, so that its headers reach every answer, the 500 of a view that raises
# included (middleware=[...] would put it inside Starlette's ServerErrorMiddleware)
app = CORSMiddleware(
    Starlette(routes=[Route("/fonts/{name}", asset), Route("/img/{name}", asset)]),
    allow_origins=["*"],
    allow_methods=["GET"],
)
