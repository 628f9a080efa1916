from litestar import Litestar, Response, route
from litestar.config.cors import CORSConfig


@route("/items", http_method=["GET", "PUT"])
async def items() -> Response[dict]:
    return Response({"items": [1, 2, 3]}, headers={"X-Total": "3"})


app = Litestar(
    route_handlers=[items],
    cors_config=CORSConfig(
        allow_origins=["https://app.example.com"],  # never leave the default ["*"]
        allow_credentials=True,
        allow_methods=["GET", "PUT"],
        allow_headers=["Content-Type"],
        expose_headers=["X-Total"],
    ),
)
