from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "PUT"],
    allow_headers=["Content-Type"],
    expose_headers=["X-Total"],
)


@app.api_route("/items", methods=["GET", "PUT"])
def items(response: Response):
    response.headers["X-Total"] = "3"
    return {"items": [1, 2, 3]}
