"""The API at https://api.example.com that the SPA at https://app.example.com calls with the
user's session cookie (FastAPI + Starlette's CORSMiddleware)."""

from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com", "https://staging.app.example.com"],
    allow_credentials=True,  # the session cookie goes along
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type", "X-Request-Id"],
    expose_headers=["X-Total-Count"],
    max_age=600,
)


@app.get("/items")
def list_items(response: Response) -> list[dict[str, int]]:
    response.headers["X-Total-Count"] = "2"
    return [{"id": 1}, {"id": 2}]


@app.put("/items/{item_id}")
def update_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
