"""A frontend and its API, and a HAR of the page's calls recorded by real headless Chromium.

The page (``http://app.example.test``) makes the calls a real single-page app makes: one to its
own origin, an image from the API's origin, and three ``fetch()`` calls to the API
(``http://api.example.test``): a login that sets a cookie, a ``GET`` with a custom header
(preflighted) that reads an exposed header, and a ``POST`` of JSON with the cookie. Both host
names are mapped to one loopback server by Chromium's resolver rules, port 80 included, so the
recorded origins carry no port. ``python -m tests.contract.har_frontend OUT.har`` rewrites the
committed fixture; ``tests/contract/test_har.py`` records a fresh one and compares.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

PAGE_ORIGIN = "http://app.example.test"
API_ORIGIN = "http://api.example.test"
FIXTURE = Path(__file__).parent / "har" / "frontend.har"

PAGE = """<!doctype html>
<title>shop</title>
<script>
(async () => {
  const api = "http://api.example.test";
  await (await fetch("/config.json")).json();
  await new Promise((done) => {
    const img = new Image();
    img.onload = img.onerror = done;
    img.src = api + "/logo.png";
  });
  await fetch(api + "/api/login", {method: "POST", credentials: "include"});
  const item = await fetch(api + "/api/items/42", {
    headers: {"X-Request-Id": "req-1", "Accept": "application/json"},
    credentials: "include",
  });
  window.total = item.headers.get("X-Total-Count");
  await fetch(api + "/api/items", {
    method: "POST",
    credentials: "include",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({name: "pen"}),
  });
  document.title = "done";
})();
</script>
"""

# the smallest valid PNG: one transparent pixel
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def api_app(allow_headers: tuple[str, ...] = ("Content-Type", "X-Request-Id")) -> Any:
    """The API with flask-cors, as a team would configure it for the frontend above (without
    ``X-Request-Id`` in ``allow_headers``: the change that breaks the frontend)."""
    import flask
    from flask_cors import CORS

    app = flask.Flask("shop_api")
    CORS(
        app,
        resources={r"/api/*": {"origins": [PAGE_ORIGIN]}},
        supports_credentials=True,
        allow_headers=list(allow_headers),
        expose_headers=["X-Total-Count"],
        methods=["GET", "POST"],
    )

    @app.get("/")
    def page() -> Any:
        return flask.Response(PAGE, mimetype="text/html")

    @app.get("/config.json")
    def config() -> Any:
        return {"api": API_ORIGIN}

    @app.get("/logo.png")
    def logo() -> Any:
        return flask.Response(PNG, mimetype="image/png")

    @app.post("/api/login")
    def login() -> Any:
        response = flask.jsonify(ok=True)
        response.set_cookie("session", "s3cret", samesite="Lax", httponly=True)
        return response

    @app.get("/api/items/<int:item_id>")
    def item(item_id: int) -> Any:
        return flask.jsonify(id=item_id), 200, {"X-Total-Count": "1"}

    @app.post("/api/items")
    def create() -> Any:
        return flask.jsonify(id=43), 201

    return app


def record_har(executable: str, out: Path, flags: tuple[str, ...] = ()) -> None:
    """Load the page in headless Chromium and let playwright write the HAR of its calls."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, api_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    port = server.server_port
    rules = ", ".join(
        f"MAP {host}:80 127.0.0.1:{port}" for host in ("app.example.test", "api.example.test")
    )  # fmt: skip
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=executable,
                args=[*flags, f"--host-resolver-rules={rules}"],
                headless=True,
            )
            try:
                context = browser.new_context(record_har_path=str(out))
                page = context.new_page()
                page.goto(PAGE_ORIGIN + "/")
                page.wait_for_function("document.title === 'done'", timeout=20_000)
                context.close()  # writes the HAR
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


if __name__ == "__main__":
    from tests.conformance.chromium import FLAGS, find_chromium

    exe = find_chromium()
    if exe is None:
        sys.exit("Chromium not found")
    record_har(exe, Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE, FLAGS)
