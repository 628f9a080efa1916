"""The API the debugging page asks about: Flask with Flask-CORS, one origin, two methods."""

from flask import Flask, Response, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(
    app,
    origins=["https://app.example.com"],
    supports_credentials=True,
    methods=["GET", "PUT"],
    allow_headers=["Content-Type", "Authorization"],
)


@app.route("/items/<int:item_id>", methods=["GET", "PUT", "DELETE"])
def item(item_id: int) -> Response:
    return jsonify({"id": item_id})
