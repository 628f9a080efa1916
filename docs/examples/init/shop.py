"""The shop's API: the app `pytest-cors init` reads (routes, CORS answers)."""

import flask
from flask_cors import CORS

app = flask.Flask(__name__)
CORS(
    app,
    resources={r"/api/*": {"origins": ["http://app.example.test"]}},
    supports_credentials=True,
    allow_headers=["Content-Type", "X-Request-Id"],
    expose_headers=["X-Total-Count"],
    methods=["GET", "POST"],
)


@app.post("/api/login")
def login() -> flask.Response:
    response = flask.jsonify(ok=True)
    response.set_cookie("session", "s3cret", samesite="Lax", httponly=True)
    return response


@app.get("/api/items/<int:item_id>")
def item(item_id: int) -> tuple[flask.Response, int, dict[str, str]]:
    return flask.jsonify(id=item_id), 200, {"X-Total-Count": "1"}


@app.post("/api/items")
def create() -> tuple[flask.Response, int]:
    return flask.jsonify(id=43), 201


@app.get("/api/export.csv")
def export() -> str:
    return "id\n42\n"


@app.get("/health")
def health() -> str:
    return "ok"
