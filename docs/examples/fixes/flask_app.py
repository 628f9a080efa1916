"""Flask + Flask-CORS configured so that every check in the failure reference passes."""

from flask import Blueprint, Flask, Response, abort, jsonify, request
from flask_cors import CORS

api = Blueprint("api", __name__, url_prefix="/api")


@api.get("/items")
def list_items() -> Response:
    response = jsonify([{"id": 1}, {"id": 2}])
    response.headers["X-Total-Count"] = "2"
    return response


@api.route("/items/<int:item_id>", methods=["PUT", "DELETE"])
def change_item(item_id: int) -> Response:
    return jsonify({"id": item_id})


# --8<-- [start:config]
ALLOWED_ORIGINS = [
    "https://app.example.com",  # exactly as the browser sends it: scheme, host, no slash
    "https://admin.example.com",
]


def create_app() -> Flask:
    app = Flask(__name__)
    app.register_blueprint(api)
    CORS(
        app,
        resources={r"/api/*": {}},  # every route the SPA calls, errors included
        origins=ALLOWED_ORIGINS,
        supports_credentials=True,  # Access-Control-Allow-Credentials: true
        methods=["GET", "POST", "PUT", "DELETE"],  # a list, never "GET PUT"
        allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
        expose_headers=["X-Total-Count"],
        max_age=600,
    )

    @app.before_request
    def require_token() -> None:
        if request.method == "OPTIONS":
            return  # a preflight never carries credentials: let Flask-CORS answer it
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            abort(401)

    return app


# --8<-- [end:config]
