from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


async def items(request):
    return JSONResponse({"items": [1, 2, 3]}, headers={"X-Total": "3"})


app = Starlette(
    routes=[Route("/items", items, methods=["GET", "PUT"])],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["https://app.example.com"],
            allow_credentials=True,
            allow_methods=["GET", "PUT"],
            allow_headers=["Content-Type"],
            expose_headers=["X-Total"],
        )
    ],
)
