import aiohttp_cors
from aiohttp import web


async def items(request):
    return web.json_response({"items": [1, 2, 3]}, headers={"X-Total": "3"})


def create_app():
    app = web.Application()
    app.router.add_route("GET", "/items", items)
    app.router.add_route("PUT", "/items", items)
    cors = aiohttp_cors.setup(
        app,
        defaults={
            "https://app.example.com": aiohttp_cors.ResourceOptions(
                allow_credentials=True,
                allow_methods=["GET", "PUT"],
                allow_headers=["Content-Type"],
                expose_headers=["X-Total"],
            )
        },
    )
    for route in list(app.router.routes()):
        cors.add(route)
    return app
