"""A chat widget embedded on customers' sites (Flask + Flask-CORS, one rule per route):
its configuration is public; its conversation API answers known customers only, with the
widget's bearer token and without cookies."""

from flask import Flask, jsonify
from flask_cors import CORS

CUSTOMERS = ["https://shop.customer-one.com", "https://www.customer-two.co.uk"]

app = Flask(__name__)
CORS(
    app,
    resources={
        r"/widget/config\.json": {
            "origins": "*",
            "send_wildcard": True,  # "*" rather than echoing each origin
            "methods": ["GET"],
            "allow_headers": [],  # Flask-CORS lets every request header through by default
        },
        r"/api/.*": {
            "origins": CUSTOMERS,
            "methods": ["GET", "POST"],
            "allow_headers": ["Authorization", "Content-Type"],
            "expose_headers": ["Retry-After"],
            "max_age": 600,
        },
    },
)


@app.get("/widget/config.json")
def config():  # type: ignore[no-untyped-def]
    return jsonify({"theme": "light"})


@app.route("/api/conversations", methods=["GET", "POST"])
def conversations():  # type: ignore[no-untyped-def]
    return jsonify([])
