from sanic import Sanic, json
from sanic_ext import Extend

app = Sanic("example")
app.config.CORS_ORIGINS = "https://app.example.com"
app.config.CORS_SUPPORTS_CREDENTIALS = True
app.config.CORS_METHODS = ["GET", "PUT"]
app.config.CORS_ALLOW_HEADERS = ["Content-Type"]
app.config.CORS_EXPOSE_HEADERS = ["X-Total"]
Extend(app)


@app.route("/items", methods=["GET", "PUT"])
async def items(request):
    return json({"items": [1, 2, 3]}, headers={"X-Total": "3"})
