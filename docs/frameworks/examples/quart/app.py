from quart import Quart
from quart_cors import cors

app = Quart(__name__)


@app.route("/items", methods=["GET", "PUT"])
async def items():
    return {"items": [1, 2, 3]}, 200, {"X-Total": "3"}


app = cors(
    app,
    allow_origin=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "PUT"],
    allow_headers=["Content-Type"],
    expose_headers=["X-Total"],
)
