"""A tiny Flask API with Flask-CORS: the app the getting-started page tests."""

from flask import Flask, Response, jsonify
from flask_cors import CORS


def create_app() -> Flask:
    app = Flask(__name__)
    CORS(
        app,
        origins=["https://app.example.com", "https://www.example.com"],
        supports_credentials=True,
        methods=["GET", "PUT"],
        allow_headers=["Content-Type"],
        expose_headers=["X-Total-Count"],
    )

    @app.get("/items")
    def list_items() -> Response:
        response = jsonify([{"id": 1}, {"id": 2}])
        response.headers["X-Total-Count"] = "2"
        return response

    @app.put("/items/<int:item_id>")
    def update_item(item_id: int) -> Response:
        return jsonify({"id": item_id})

    return app


app = create_app()
