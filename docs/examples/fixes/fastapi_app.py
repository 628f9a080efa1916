"""FastAPI (Starlette's CORSMiddleware) configured so that every check in the reference passes."""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

app = FastAPI()


@app.middleware("http")
async def require_token(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    if not request.headers.get("authorization", "").startswith("Bearer "):
        return JSONResponse({"detail": "unauthorized"}, status_code=401)
    return await call_next(request)


# --8<-- [start:config]
# Added last, so it runs first: it answers preflights before any auth middleware sees them.
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com", "https://admin.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "DELETE"],  # the default is GET only
    allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
    expose_headers=["X-Total-Count"],
    max_age=600,
)
# --8<-- [end:config]


@app.get("/api/items")
async def list_items(response: Response) -> list[dict[str, int]]:
    response.headers["X-Total-Count"] = "2"
    return [{"id": 1}, {"id": 2}]


@app.put("/api/items/{item_id}")
@app.delete("/api/items/{item_id}")
async def change_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
