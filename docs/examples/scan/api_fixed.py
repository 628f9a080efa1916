"""The same API with the origin listed as a plain string: compared whole, nothing else gets in."""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)


@app.get("/api/orders")
def orders():
    return jsonify(orders=[{"id": 1, "total": 42}])


CORS(app, origins=["https://app.example.com"], supports_credentials=True)
