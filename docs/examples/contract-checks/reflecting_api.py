"""An API that "supports" CORS by reflecting every origin, with credentials (Flask-CORS with
origins="*" and supports_credentials=True echoes whatever Origin arrives)."""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins="*", supports_credentials=True, methods=["GET", "PUT"])


@app.route("/account", methods=["GET", "PUT"])
def account():  # type: ignore[no-untyped-def]
    return jsonify({"email": "ada@example.com"})
