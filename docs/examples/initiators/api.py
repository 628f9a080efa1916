"""The shop's API (flask-cors, cookies allowed): a cart, an upload endpoint, an event stream."""

from flask import Flask, Response
from flask_cors import CORS

SHOP = "https://shop.example.com"

app = Flask("api")
CORS(app, origins=[SHOP], supports_credentials=True, methods=["GET"])


@app.get("/cart")
def cart():
    return {"items": []}


@app.post("/upload")
def upload():
    return {"stored": True}


@app.get("/events")
def events():
    return Response("data: hello\n\n", mimetype="text/event-stream")
