from flask import Flask
from flask_cors import CORS


def create_app():
    app = Flask(__name__)
    CORS(
        app,
        origins=["https://app.example.com"],
        supports_credentials=True,
        methods=["GET", "PUT"],
        allow_headers=["Content-Type"],
        expose_headers=["X-Total"],
    )

    @app.route("/items", methods=["GET", "PUT"])
    def items():
        return {"items": [1, 2, 3]}, 200, {"X-Total": "3"}

    return app
