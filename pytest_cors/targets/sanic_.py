"""Sanic: an app passed as it is, and sanic-testing's ``SanicASGITestClient``
(``app.asgi_client``) and ``SanicTestClient`` (``app.test_client``), each driven in-process as
raw ASGI once the app has started.

Sanic answers nothing before its start-up: that is when it builds its route and signal
routers, applies sanic-ext (whose CORS headers and automatic ``OPTIONS`` handlers come from it)
and runs the ``before_server_start``/``after_server_start`` listeners. An ASGI server starts it
through the lifespan; sanic-testing's ASGI client resets and starts it again before each of its
own requests, and its other client runs a real server for each. The kit runs the lifespan's
start-up itself (:class:`sanic.asgi.Lifespan`, which ``Sanic.__call__`` hands a lifespan scope
to: sanic-testing replaces that ``__call__`` with one that knows HTTP and websocket scopes
only), once, unless something has already started the app, and never shuts it down.

The clients are bypassed for their app, as werkzeug's and Quart's are: ``SanicASGITestClient``
is an ``httpx.AsyncClient`` whose ``send`` skips the start-up its ``request`` does, and
``SanicTestClient`` would start a server for every request and send httpx's default headers. A
view that raises gets Sanic's own 500 page, as through either client: neither raises it.
"""

from __future__ import annotations

from typing import Any

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Request, Response
from pytest_cors.targets._wire import app_error
from pytest_cors.targets.asgi import AsgiTarget

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

#: The lifespan scope Sanic's start-up sees (it reads none of it).
_LIFESPAN = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}


async def _receive() -> dict[str, Any]:
    return {"type": "lifespan.startup"}


async def _send(message: Any) -> None:
    return None


#: The apps whose start-up raised, by id (a Sanic app takes no weak reference), with the error.
#: Tried again, Sanic would half-start them (sanic-ext, CORS included, is set up only once, even
#: when that raised), where a server would not have started at all.
_FAILED: dict[int, tuple[Any, Exception]] = {}


async def start(app: Any) -> None:
    """Start ``app`` as an ASGI server would, unless it has started (its router is final)."""
    failed = _FAILED.get(id(app))
    if failed is not None:
        raise failed[1]
    if not app.state.is_running:  # not served by Sanic's own server in this process
        app.asgi = True  # driven through ASGI: Sanic takes the running loop for its own
    if app.router.finalized:
        return
    # Sanic's start-up optimisation rewrites Sanic's own classes for the whole process, after
    # which sanic-testing starts no app if it ran outside test mode: off unless asked for, as
    # in Sanic's debug mode
    if app.config.TOUCHUP is not True:
        app.config.TOUCHUP = False
    # lazy: sanic is optional
    from sanic.asgi import Lifespan  # type: ignore[import-untyped,import-not-found,unused-ignore]

    try:
        await Lifespan(app, dict(_LIFESPAN), _receive, _send).startup()
    except Exception as exc:
        _FAILED[id(app)] = (app, exc)  # the app is kept, so its id is not reused
        raise


class SanicTarget(AsgiTarget):
    """A Sanic app, started on first use, then driven as raw ASGI; an async target."""

    def __repr__(self) -> str:
        return f"SanicTarget({self.app!r}, base_url={self.base_url!r})"

    async def send(self, request: Request) -> Response:
        try:
            await start(self.app)
        except Exception as exc:  # a start-up that failed fails every request
            raise app_error(request, exc, repr(self)) from exc
        return await super().send(request)


def asgi_client_target(client: Any, base_url: str) -> SanicTarget:
    """``SanicASGITestClient``: its app, at the client's own base URL."""
    return SanicTarget(client.sanic_app, base_url)


def server_client_target(client: Any, base_url: str | None) -> SanicTarget:
    """``SanicTestClient``: its app, at the ``http://HOST[:PORT]`` its requests go to (the port
    is random until its first request)."""
    if base_url is None:
        port = f":{client.port}" if client.port else ""
        base_url = f"http://{client.host}{port}"
    return SanicTarget(client.app, base_url)
