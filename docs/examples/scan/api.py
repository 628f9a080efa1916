"""An API whose CORS origin check has a hole: ``pytest-cors scan`` finds it."""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)


@app.get("/api/orders")
def orders():
    return jsonify(orders=[{"id": 1, "total": 42}])


# flask-cors reads an origin with a backslash as a regular expression and matches it at the
# start only: https://app.example.com.evil.net gets in too.
CORS(app, origins=[r"https://app\.example\.com"], supports_credentials=True)
