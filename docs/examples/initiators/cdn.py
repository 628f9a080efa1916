"""A CDN: fonts and a stylesheet for the shop's pages (CORS for its origin), images for anyone."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import Route

SHOP = "https://shop.example.com"


def font(request):
    return Response(b"wOF2...", media_type="font/woff2")


def logo(request):
    return Response(b"\x89PNG...", media_type="image/png")


app = Starlette(
    routes=[Route("/fonts/inter.woff2", font), Route("/img/logo.png", logo)],
    middleware=[Middleware(CORSMiddleware, allow_origins=[SHOP])],
)
