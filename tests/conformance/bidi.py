"""A small WebDriver BiDi client: commands over one websocket, events kept in arrival order.

Firefox speaks BiDi natively (``--remote-debugging-port``), so driving it needs neither
geckodriver nor a browser download: a websocket to ``ws://127.0.0.1:PORT/session``, JSON
commands with an ``id``, and JSON events. The client is synchronous and single-threaded:
``command`` sends one command and reads messages until its answer arrives; every event read on
the way is appended to ``events`` for the caller to inspect later (the console lines).
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any


class BidiError(RuntimeError):
    """The browser answered a command with an error (or the connection failed)."""


class BidiClient:
    """One BiDi session over a websocket (``websockets``' sync client)."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        # As a context manager ``connect`` behaves the same from websockets 12 to 17+.
        self._ws = self._stack.enter_context(
            connect(url, max_size=None, open_timeout=timeout, compression=None, proxy=None)
        )
        self._timeout = timeout
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> BidiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, timeout: float) -> dict[str, Any]:
        raw = self._ws.recv(timeout=timeout)
        message: dict[str, Any] = json.loads(raw)
        return message

    def command(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """Send ``method`` and return its ``result``; events read meanwhile go to ``events``."""
        self._next_id += 1
        ident = self._next_id
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + (timeout or self._timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BidiError(f"{method}: no answer within {timeout or self._timeout} s")
            try:
                message = self._read(left)
            except TimeoutError:
                continue
            if message.get("type") == "event":
                self.events.append(message)
                continue
            if message.get("id") != ident:
                continue  # the answer to a command given up on earlier
            if message.get("type") == "error":
                raise BidiError(f"{method}: {message.get('error')}: {message.get('message')}")
            return message.get("result")

    def drain(self, quiet: float = 0.2) -> None:
        """Read events until none arrives for ``quiet`` seconds (console lines trail a fetch)."""
        while True:
            try:
                message = self._read(quiet)
            except TimeoutError:
                return
            if message.get("type") == "event":
                self.events.append(message)

    def call(self, context: str, function: str, *args: Any, timeout: float | None = None) -> Any:
        """Run ``function`` (JS source) in ``context`` with JSON-able ``args``; return its value.

        The arguments travel as one JSON string and the result comes back as one, so any
        nesting survives without BiDi's typed value encoding.
        """
        wrapper = (
            "async (json) => { const args = JSON.parse(json); "
            f"const value = await ({function})(...args); "
            "return JSON.stringify(value === undefined ? null : value); }"
        )
        result = self.command(
            "script.callFunction",
            {
                "functionDeclaration": wrapper,
                "arguments": [{"type": "string", "value": json.dumps(list(args))}],
                "awaitPromise": True,
                "target": {"context": context},
                "resultOwnership": "none",
            },
            timeout=timeout,
        )
        if result.get("type") == "exception":
            details = result.get("exceptionDetails", {})
            raise BidiError(f"script threw: {details.get('text')}")
        return json.loads(result["result"]["value"])
