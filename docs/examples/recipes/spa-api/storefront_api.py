"""The API at https://api.example.com that the SPA at https://app.example.com calls with the
user's session cookie (FastAPI + Starlette's CORSMiddleware)."""

from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

api = FastAPI()


@api.get("/items")
def list_items(response: Response) -> list[dict[str, int]]:
    response.headers["X-Total-Count"] = "2"
    return [{"id": 1}, {"id": 2}]


@api.put("/items/{item_id}")
def update_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


# CORS outermost, so that its headers reach every answer, the 500 of a view that raises
# included (app.add_middleware would put it inside FastAPI's ServerErrorMiddleware)
app = CORSMiddleware(
    api,
    allow_origins=["https://app.example.com", "https://staging.app.example.com"],
    allow_credentials=True,  # the session cookie goes along
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type", "X-Request-Id"],
    expose_headers=["X-Total-Count"],
    max_age=600,
)
