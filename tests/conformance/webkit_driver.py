"""A WebKitGTK page driven over stdin/stdout: the conformance suite's third real engine.

Run by Debian's ``/usr/bin/python3`` (which has the PyGObject bindings) under ``xvfb-run``, as
one long-lived subprocess of the test session (``webkit.py`` starts it). It keeps one
``WebKit2.WebView`` and answers JSON lines on stdin, one JSON line each on stdout:

``{"id": 1, "op": "load", "url": "http://app.example.com:1234/page"}``
    load the page (a fresh WebView, so no page state carries over) -> ``{"id": 1, "ok": true}``
``{"id": 2, "op": "call", "body": "return 1 + x;", "args": {"x": 2}}``
    run ``body`` as an async function of the named ``args`` in the page and return its value,
    passed through ``JSON.stringify`` -> ``{"id": 2, "ok": true, "value": 3}``
``{"id": 3, "op": "mark", "text": "..."}``
    write ``text`` as one line to fd 2 (the caller brackets a call's console lines with these)
``{"id": 4, "op": "version"}``  -> ``{"id": 4, "ok": true, "value": "WebKitGTK 2.50.6"}``

A failure answers ``{"id": .., "ok": false, "error": "..."}``. WebKit writes its console
lines (its CORS messages among them) to fd 2 of the web process, which inherits this process's
fd 2; the caller reads that stream. Console lines are written only when the website data
manager is not ephemeral, so it gets a throw-away directory. End of stdin ends the driver.

This file must run without the project installed (Debian's Python, standard library and
``gi`` only).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from typing import Any


def _load_webkit() -> tuple[Any, Any, Any]:
    import gi

    gi.require_version("Gtk", "3.0")
    gi.require_version("WebKit2", "4.1")
    from gi.repository import GLib, Gtk, WebKit2

    return GLib, Gtk, WebKit2


class Driver:
    def __init__(self, data_dir: str, timeout: float = 300.0) -> None:
        GLib, Gtk, WebKit2 = _load_webkit()
        self.glib = GLib
        self.gtk = Gtk
        self.webkit = WebKit2
        self.timeout = timeout
        manager = WebKit2.WebsiteDataManager(
            base_data_directory=os.path.join(data_dir, "data"),
            base_cache_directory=os.path.join(data_dir, "cache"),
        )
        # Safari's default: third-party cookies blocked (WebKitGTK needs its tracking
        # prevention switched on for that).
        manager.set_itp_enabled(True)
        # The mixed-content and LNA families' loopback TLS server has a self-signed certificate
        # (no other family uses https).
        manager.set_tls_errors_policy(WebKit2.TLSErrorsPolicy.IGNORE)
        self.context = WebKit2.WebContext(website_data_manager=manager)
        self.context.set_cache_model(WebKit2.CacheModel.DOCUMENT_VIEWER)
        self.view: Any = None
        self.window: Any = None

    def _new_view(self) -> Any:
        self.close()
        settings = self.webkit.Settings()
        settings.set_enable_write_console_messages_to_stdout(True)
        settings.set_enable_javascript(True)
        self.view = self.webkit.WebView(web_context=self.context, settings=settings)
        # The view is shown in a (Xvfb) window: a view in no mapped window is a hidden page,
        # and WebKit defers a hidden page's media loads (no <video>/<audio> request is sent).
        self.window = self.gtk.Window()
        self.window.set_default_size(800, 600)
        self.window.add(self.view)
        self.window.show_all()
        return self.view

    def _wait(self, done: dict[str, Any], what: str) -> None:
        main = self.glib.MainContext.default()
        deadline = self.glib.get_monotonic_time() + int(self.timeout * 1e6)
        while not done:
            main.iteration(True)
            if self.glib.get_monotonic_time() > deadline and not done:
                raise TimeoutError(f"{what}: no answer within {self.timeout} s")

    def load(self, url: str) -> None:
        view = self._new_view()
        done: dict[str, Any] = {}

        def changed(_view: Any, event: Any) -> None:
            if event == self.webkit.LoadEvent.FINISHED:
                done["ok"] = True

        def failed(_view: Any, _event: Any, uri: str, error: Any) -> bool:
            done["error"] = f"{uri}: {error.message}"
            return False

        handlers = [view.connect("load-changed", changed), view.connect("load-failed", failed)]
        # Ensure a timer source so that a stuck load still reaches the deadline check.
        tick = self.glib.timeout_add(200, lambda: True)
        try:
            view.load_uri(url)
            self._wait(done, f"load {url}")
        finally:
            self.glib.source_remove(tick)
            for handler in handlers:
                view.disconnect(handler)
        if "error" in done:
            raise RuntimeError(done["error"])

    def call(self, body: str, args: dict[str, Any]) -> Any:
        if self.view is None:
            raise RuntimeError("no page loaded")
        done: dict[str, Any] = {}
        source = (
            f"const __args = JSON.parse({json.dumps(json.dumps(args))});\n"
            f"const __value = await (async ({', '.join(args) or ''}) => {{\n{body}\n}})"
            f"({', '.join(f'__args[{json.dumps(k)}]' for k in args)});\n"
            "return JSON.stringify(__value === undefined ? null : __value);"
        )

        def finished(view: Any, result: Any) -> None:
            try:
                value = view.call_async_javascript_function_finish(result)
                done["value"] = json.loads(value.to_string())
            except Exception as exc:  # a script error arrives as a GLib.Error
                done["error"] = str(getattr(exc, "message", exc))

        tick = self.glib.timeout_add(200, lambda: True)
        try:
            self.view.call_async_javascript_function(source, -1, None, None, None, None, finished)
            self._wait(done, "script")
        finally:
            self.glib.source_remove(tick)
        if "error" in done:
            raise RuntimeError(done["error"])
        return done["value"]

    def version(self) -> str:
        wk = self.webkit
        return (
            f"WebKitGTK {wk.get_major_version()}.{wk.get_minor_version()}.{wk.get_micro_version()}"
        )

    def close(self) -> None:
        if self.window is not None:
            self.window.destroy()  # destroys the view too
            self.window = None
        elif self.view is not None:
            self.view.destroy()
        self.view = None


def serve(driver: Driver, lines: Any, out: Any) -> None:
    for raw in lines:
        if not raw.strip():
            continue
        message = json.loads(raw)
        reply: dict[str, Any] = {"id": message.get("id"), "ok": True}
        try:
            op = message["op"]
            if op == "load":
                driver.load(message["url"])
            elif op == "call":
                reply["value"] = driver.call(message["body"], message.get("args") or {})
            elif op == "mark":
                os.write(2, (message["text"].replace("\n", " ") + "\n").encode())
            elif op == "version":
                reply["value"] = driver.version()
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as exc:
            reply = {"id": message.get("id"), "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="pytest-cors-webkit-")
    try:
        driver = Driver(data_dir)
        try:
            print(json.dumps({"id": 0, "ok": True, "value": driver.version()}), flush=True)
            serve(driver, sys.stdin, sys.stdout)
        finally:
            driver.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
