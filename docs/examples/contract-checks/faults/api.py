"""A Litestar API: its error answers (404, 405, and the 500 of a view that raises) keep the
CORS headers, which the contract's ``faults`` prove."""

from litestar import Litestar, get
from litestar.config.cors import CORSConfig


@get("/items")
async def items() -> list[dict[str, int]]:
    return [{"id": 1}]


cors = CORSConfig(
    allow_origins=["https://app.example.com"],
    allow_methods=["GET"],
    allow_headers=["Content-Type"],
)
app = Litestar([items], cors_config=cors)
