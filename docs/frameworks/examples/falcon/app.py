import falcon


class Items:
    def on_get(self, req, resp):
        resp.media = {"items": [1, 2, 3]}
        resp.set_header("X-Total", "3")

    on_put = on_get


app = falcon.App(
    middleware=[
        falcon.CORSMiddleware(
            allow_origins="https://app.example.com",
            allow_credentials="https://app.example.com",
            expose_headers=["X-Total"],
        )
    ]
)
app.add_route("/items", Items())
