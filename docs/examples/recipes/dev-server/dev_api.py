"""Local development: the front end's dev server on http://localhost:3000 calls the API on
http://localhost:8080 (Flask + Flask-CORS). Only in development: load this configuration from
your development settings, never in production."""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(
    app,
    origins=["http://localhost:3000"],
    methods=["GET", "POST"],
    allow_headers=["Content-Type"],
    vary_header=True,
)


@app.route("/api/todos", methods=["GET", "POST"])
def todos():  # type: ignore[no-untyped-def]
    return jsonify([{"id": 1, "done": False}])
