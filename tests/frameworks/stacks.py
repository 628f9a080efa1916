"""Each framework with its CORS middleware, configured five ways, reachable two ways.

A :class:`Stack` builds the tiny API of ``tests/targets/apps.py`` (its factories, reused) with
the middleware's own options for one of the presets below, and serves it through the
framework's native test client and through a real server on a loopback port:

    strict           the shared allowlist: https://app.example.com, credentials, GET/PUT/POST,
                     Content-Type and X-Token, X-Total exposed (the documented way)
    public           "allow all origins" without credentials, as each middleware's docs show it
    any_credentials  "allow all origins" together with credentials: the famous mistake
    sloppy_regex     an origin pattern written the way people get wrong with this middleware
    tight_regex      the same pattern written right (anchored, dots escaped)
    bare             the same app without any CORS support

A preset a middleware cannot express (Falcon and aiohttp-cors take no patterns) is missing.
"""

from __future__ import annotations

import asyncio
import importlib
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from tests.servers import READY_WAIT, serve_aiohttp, serve_asgi, serve_wsgi
from tests.targets.apps import (
    ALLOWED,
    FLASK_CORS,
    STARLETTE_CORS,
    fastapi_app,
    flask_app,
    starlette_app,
)
from tests.targets.django_app import DJANGO_CORS, django_settings
from tests.targets.more_apps import (
    AIOHTTP_CORS,
    FALCON_CORS,
    LITESTAR_CORS,
    QUART_CORS,
    aiohttp_app,
    falcon_app,
    litestar_app,
    quart_app,
)
from tests.targets.sanic_app import SANIC_CORS, sanic_app

EVIL = "https://evil.example.net"
PREFIX_TRICK = "https://app.example.com.evil.net"  # the allowed host as a prefix
SUFFIX_TRICK = "https://evilexample.com"  # the registrable domain as a suffix
TIGHT = r"https://(app|admin)\.example\.com"  # anchored by fullmatch, or by ^...$ below


@dataclass
class RegexHole:
    """What a sloppy pattern lets in: the origin, and the contract finding that names it."""

    origin: str
    finding: str


# The preflight each middleware answers (status) and the failure the browser reports, for a
# strict allowlist asked for another origin, an unlisted method (DELETE), an unlisted header.
Denials = dict[str, tuple[int, str | None]]
OK_DENIALS: Denials = {
    "origin": (200, "CORSMissingAllowOrigin"),
    "method": (200, "CORSMethodNotFound"),
    "header": (200, "CORSMissingAllowHeaderFromPreflight"),
}
BAD_REQUEST_DENIALS: Denials = {  # Starlette: 400 "Disallowed CORS ...", with the CORS headers
    "origin": (400, "CORSMissingAllowOrigin"),
    "method": (400, "CORSPreflightDidNotSucceed"),
    "header": (400, "CORSPreflightDidNotSucceed"),
}


@dataclass
class Stack:
    """One framework and its CORS middleware; see the module docstring for the presets.

    The other fields are what the middleware was measured to do (the tests hold it to them):

    * ``any_credentials``, for "all origins + credentials": ``reflect`` (echo any Origin with
      credentials), ``cookie-reflect`` (``*`` plus credentials, which the browser refuses,
      but the Origin echoed whenever the request carries a Cookie, as a signed-in user's does)
      or ``refuse`` (an error response to every request);
    * ``public_failure``: the failure of a credentialed read from the ``public`` app;
    * ``strict_findings``: contract findings the documented configuration still raises;
    * ``denials``: see :data:`OK_DENIALS`;
    * ``cors_on_500``: whether a crashing view's 500 still carries the CORS headers;
    * ``cors_on_404``: whether an unknown route's 404 carries them;
    * ``preflight_unknown_route``: whether the middleware grants a preflight for a route
      that does not exist (answering before routing);
    * ``masked_faults``: the contract ``faults`` whose error answer has no CORS headers;
    * ``raising_view``: whether the ``exception`` fault applies (the kit can make a view raise).
    """

    name: str
    presets: dict[str, Any]
    build: Callable[[Any], Any]
    native: Callable[[Any], AbstractContextManager[Any]]
    live: Callable[[Any], AbstractContextManager[str]]
    any_credentials: str
    public_failure: str = "CORSNotSupportingCredentials"
    strict_findings: frozenset[str] = frozenset()
    denials: Denials = field(default_factory=lambda: dict(OK_DENIALS))
    cors_on_500: bool = True
    cors_on_404: bool = True
    preflight_unknown_route: bool = False
    masked_faults: frozenset[str] = frozenset()  # contract faults answered without CORS
    raising_view: bool = False  # the kit can make one of its views raise (the exception fault)
    regex_hole: RegexHole | None = None
    settings: Callable[[Any], AbstractContextManager[None]] = lambda options: nullcontext()
    asynchronous: Callable[[Any, str], Any] | None = None

    @contextmanager
    def ways(self, preset: str) -> Iterator[dict[str, Any]]:
        """``{"test client": ..., "live server": url}`` for the app configured by ``preset``."""
        options = self.presets[preset]
        with (
            self.settings(options),
            self.native(self.build(options)) as client,
            self.live(self.build(options)) as url,  # one app per server: aiohttp's keep a loop
        ):
            yield {"test client": client, "live server": url}

    @contextmanager
    def async_ways(self, preset: str = "strict") -> Iterator[Callable[[], Any]]:
        """A factory of async clients for the ``preset`` app (each client used on one loop)."""
        assert self.asynchronous is not None
        options = self.presets[preset]
        with self.settings(options), self.live(self.build(options)) as url:
            yield lambda: self.asynchronous(self.build(options), url)  # type: ignore[misc]


# -- native clients -------------------------------------------------------------------------


def flask_build(options: Any) -> Any:
    app = flask_app(options)
    # an unhandled error becomes Flask's 500, not an exception through the test client or
    # werkzeug's server (TESTING would propagate it)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@contextmanager
def own_test_client(app: Any) -> Iterator[Any]:
    """Flask's and Quart's ``app.test_client()``."""
    yield app.test_client()


def entered_test_client(module: str) -> Callable[[Any], AbstractContextManager[Any]]:
    """Starlette's or Litestar's ``TestClient`` (lifespan run), 500s returned, not raised."""

    @contextmanager
    def client(app: Any) -> Iterator[Any]:
        test_client = importlib.import_module(module).TestClient
        with test_client(app, raise_server_exceptions=False) as entered:
            yield entered

    return client


starlette_client = entered_test_client("starlette.testclient")
litestar_client = entered_test_client("litestar.testing")


@contextmanager
def falcon_client(app: Any) -> Iterator[Any]:
    from falcon.testing import TestClient

    yield TestClient(app)


@contextmanager
def django_client(app: Any) -> Iterator[Any]:
    from django.test import Client

    yield Client(raise_request_exception=False)


@contextmanager
def aiohttp_client(app: Any) -> Iterator[Any]:
    """aiohttp's TestClient, started on a loop of its own that stays idle between requests
    (as after an async fixture): the kit runs each request on that loop."""
    from aiohttp.test_utils import TestClient, TestServer

    async def start() -> Any:
        client = TestClient(TestServer(app))
        await client.start_server()
        return client

    loop = asyncio.new_event_loop()
    client = loop.run_until_complete(start())
    try:
        yield client
    finally:
        loop.run_until_complete(client.close())
        loop.close()


@contextmanager
def sanic_asgi_client(app: Any) -> Iterator[Any]:
    """``app.asgi_client`` (sanic-testing's ``SanicASGITestClient``)."""
    yield app.asgi_client


@contextmanager
def serve_sanic(app: Any) -> Iterator[str]:
    """Serve a Sanic app with Sanic's own HTTP server (its low-level ``create_server``, the
    start-up and listeners run by hand as its docs show) from a loop in a thread; yields
    ``http://127.0.0.1:PORT``. Not uvicorn: sanic-testing's ASGI client, once made, replaces
    ``Sanic.__call__`` with one that cannot run the lifespan Sanic needs."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))

    async def start() -> Any:
        # listening once awaited; the start-up and the listeners are the caller's to run
        server = await app.create_server(sock=sock, access_log=False, return_asyncio_server=True)
        await server.startup()
        await server.before_start()
        await server.after_start()
        return server

    async def stop(server: Any) -> None:
        await server.before_stop()
        for connection in list(server.connections):
            connection.close_if_idle()
        await server.close()
        await server.after_stop()

    def run(coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(READY_WAIT)

    try:
        server = run(start())
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            run(stop(server))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        sock.close()


# -- async clients (issue 5: httpx.AsyncClient, aiohttp's TestClient, Django's AsyncClient) ---


def asgi_async_client(app: Any, url: str) -> Any:
    """``httpx.AsyncClient`` on the app itself (``ASGITransport``: no lifespan)."""
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def live_async_client(app: Any, url: str) -> Any:
    """``httpx.AsyncClient`` over the loopback socket, for WSGI frameworks."""
    import httpx

    return httpx.AsyncClient(base_url=url)


def sanic_async_client(app: Any, url: str) -> Any:
    """sanic-testing's ``SanicASGITestClient``, an ``httpx.AsyncClient`` on the app."""
    from sanic_testing.testing import SanicASGITestClient

    return SanicASGITestClient(app)


def django_async_client(app: Any, url: str) -> Any:
    from django.test import AsyncClient

    return AsyncClient(raise_request_exception=False)


def aiohttp_async_client(app: Any, url: str) -> Any:
    """aiohttp's TestClient, not started: it starts on the loop of whoever enters it."""
    from aiohttp.test_utils import TestClient, TestServer

    return TestClient(TestServer(app))


# -- Django: its handlers read the settings when built ---------------------------------------


def django_asgi(options: Any) -> Any:
    from django.core.handlers.asgi import ASGIHandler

    return ASGIHandler()


def _without(options: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k not in keys}


# -- the stacks ------------------------------------------------------------------------------

FLASK = Stack(
    name="flask",
    presets={
        "strict": FLASK_CORS,
        "public": {},  # CORS(app): every origin, no credentials (flask-cors echoes the origin)
        "any_credentials": {"origins": "*", "supports_credentials": True},
        # a string with a backslash is a regex to flask-cors, tried with re.match: no end anchor
        "sloppy_regex": {**FLASK_CORS, "origins": [r"https://app\.example\.com"]},
        "tight_regex": {**FLASK_CORS, "origins": [TIGHT + "$"]},
        "bare": None,
    },
    build=flask_build,
    native=own_test_client,
    live=serve_wsgi,
    any_credentials="reflect",
    public_failure="CORSMissingAllowCredentials",  # it echoes the origin, without credentials
    strict_findings=frozenset({"CORS-VARY"}),  # a single exact origin gets no Vary: Origin
    regex_hole=RegexHole(PREFIX_TRICK, "CORS-PREFIX-MATCH"),
    raising_view=True,  # Flask's 500 page (PROPAGATE_EXCEPTIONS off) gets after_request's headers
    asynchronous=live_async_client,
)

STARLETTE_PRESETS: dict[str, Any] = {
    "strict": STARLETTE_CORS,
    "public": {"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]},
    "any_credentials": {
        "allow_origins": ["*"],
        "allow_credentials": True,
        "allow_methods": ["*"],
        "allow_headers": ["*"],
    },
    # fullmatch anchors both ends, but ".*" before the domain takes any prefix at all
    "sloppy_regex": {
        **STARLETTE_CORS,
        "allow_origins": [],
        "allow_origin_regex": r"https://.*example\.com",
    },
    "tight_regex": {**STARLETTE_CORS, "allow_origins": [], "allow_origin_regex": TIGHT},
    "bare": None,
}
STARLETTE_FACTS: dict[str, Any] = {
    "live": serve_asgi,
    "any_credentials": "reflect",
    "denials": BAD_REQUEST_DENIALS,
    "cors_on_500": False,  # ServerErrorMiddleware sits outside CORSMiddleware
    "preflight_unknown_route": True,
    "masked_faults": frozenset({"exception"}),  # ServerErrorMiddleware outside CORSMiddleware
    "raising_view": True,
    "regex_hole": RegexHole(SUFFIX_TRICK, "CORS-SUFFIX-MATCH"),
    "asynchronous": asgi_async_client,
}

STARLETTE = Stack(
    name="starlette",
    presets=STARLETTE_PRESETS,
    build=lambda options: starlette_app(cors=options),
    native=starlette_client,
    **STARLETTE_FACTS,
)

FASTAPI = Stack(
    name="fastapi",
    presets=STARLETTE_PRESETS,
    build=fastapi_app,
    native=starlette_client,
    **STARLETTE_FACTS,
)

DJANGO = Stack(
    name="django",
    presets={
        "strict": DJANGO_CORS,
        "public": {"CORS_ALLOW_ALL_ORIGINS": True},
        "any_credentials": {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True},
        # django-cors-headers tries the patterns with re.match: "^" without "$" is a prefix
        "sloppy_regex": {
            **_without(DJANGO_CORS, "CORS_ALLOWED_ORIGINS"),
            "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://app\.example\.com"],
        },
        "tight_regex": {
            **_without(DJANGO_CORS, "CORS_ALLOWED_ORIGINS"),
            "CORS_ALLOWED_ORIGIN_REGEXES": ["^" + TIGHT + "$"],
        },
        "bare": None,
    },
    build=django_asgi,
    native=django_client,
    live=serve_asgi,
    settings=django_settings,
    any_credentials="reflect",
    preflight_unknown_route=True,
    raising_view=True,  # resolve() + URLPattern.callback; Django's 500 passes CorsMiddleware
    regex_hole=RegexHole(PREFIX_TRICK, "CORS-PREFIX-MATCH"),
    asynchronous=django_async_client,
)

QUART = Stack(
    name="quart",
    presets={
        "strict": QUART_CORS,
        "public": {"allow_origin": "*"},
        "any_credentials": {"allow_origin": "*", "allow_credentials": True},
        # compiled patterns are tried with Pattern.match: anchored at the start only
        "sloppy_regex": {**QUART_CORS, "allow_origin": [re.compile(r"https://app\.example\.com")]},
        "tight_regex": {**QUART_CORS, "allow_origin": [re.compile(TIGHT + "$")]},
        "bare": None,
    },
    build=quart_app,
    native=own_test_client,
    live=serve_asgi,
    any_credentials="refuse",  # ValueError on every request: a 500 without CORS headers
    cors_on_500=False,
    masked_faults=frozenset({"exception"}),  # quart-cors' after_request skips the 500
    raising_view=True,
    regex_hole=RegexHole(PREFIX_TRICK, "CORS-PREFIX-MATCH"),
    asynchronous=asgi_async_client,
)

FALCON = Stack(
    name="falcon",
    presets={
        "strict": FALCON_CORS,
        "public": {},  # CORSMiddleware(): allow_origins="*" by default
        "any_credentials": {"allow_origins": "*", "allow_credentials": "*"},
        # no pattern support: the string is compared as it is
        "sloppy_regex": {**FALCON_CORS, "allow_origins": [r"https://.*\.example\.com"]},
        "bare": None,
    },
    build=lambda options: falcon_app(cors=options),
    native=falcon_client,
    live=serve_wsgi,
    any_credentials="reflect",
    # never a Vary: Origin; no header allowlist: every requested header is granted
    strict_findings=frozenset({"CORS-VARY", "CORS-EXTRA-HEADER"}),
    denials={**OK_DENIALS, "header": (200, None)},
    raising_view=True,  # the router's method map; the error answer gets process_response
    asynchronous=live_async_client,
)

LITESTAR = Stack(
    name="litestar",
    presets={
        "strict": LITESTAR_CORS,
        "public": {},  # CORSConfig(): allow_origins=["*"] by default
        "any_credentials": {"allow_credentials": True},
        # fullmatch, but ".*" before the domain takes any prefix at all
        "sloppy_regex": {
            **LITESTAR_CORS,
            "allow_origins": [],
            "allow_origin_regex": r"https://.*example\.com",
        },
        "tight_regex": {**LITESTAR_CORS, "allow_origins": [], "allow_origin_regex": TIGHT},
        "bare": None,
    },
    build=litestar_app,
    native=litestar_client,
    live=serve_asgi,
    any_credentials="cookie-reflect",
    denials={  # a 400 without any CORS header: the browser's origin check fails first
        "origin": (400, "CORSMissingAllowOrigin"),
        "method": (400, "CORSMissingAllowOrigin"),
        "header": (400, "CORSMissingAllowOrigin"),
    },
    preflight_unknown_route=True,
    raising_view=True,  # route_handler_map; the exception handlers answer inside the CORS layer
    regex_hole=RegexHole(SUFFIX_TRICK, "CORS-SUFFIX-MATCH"),
    asynchronous=asgi_async_client,
)

AIOHTTP = Stack(
    name="aiohttp",
    presets={
        "strict": AIOHTTP_CORS,
        "public": {"*": {}},
        "any_credentials": {
            "*": {"allow_credentials": True, "allow_headers": "*", "allow_methods": "*"}
        },
        # no pattern support: the key is compared as it is
        "sloppy_regex": {r"https://.*\.example\.com": AIOHTTP_CORS[ALLOWED]},
        "bare": None,
    },
    build=aiohttp_app,
    native=aiohttp_client,
    live=serve_aiohttp,
    any_credentials="reflect",
    public_failure="CORSMissingAllowCredentials",  # it echoes the origin, never "*"
    strict_findings=frozenset({"CORS-VARY"}),  # never a Vary: Origin
    denials={  # 403 without CORS headers
        "origin": (403, "CORSMissingAllowOrigin"),
        "method": (403, "CORSMissingAllowOrigin"),
        "header": (403, "CORSMissingAllowOrigin"),
    },
    cors_on_404=False,  # only the routes given to cors.add() get headers
    # the 500 of a route given to cors.add() gets its headers (on_response_prepare)
    masked_faults=frozenset({"not_found", "method_not_allowed"}),
    raising_view=True,  # the route's handler, through _compat (a frozen router)
    asynchronous=aiohttp_async_client,
)

SANIC = Stack(
    name="sanic",
    presets={
        "strict": SANIC_CORS,
        "public": {"CORS_ORIGINS": "*"},
        # "*" with credentials does not start at all (test_sanic.py): every origin by pattern
        "any_credentials": {"CORS_ORIGINS": re.compile(".*"), "CORS_SUPPORTS_CREDENTIALS": True},
        # compiled patterns are tried with Pattern.match: anchored at the start only
        "sloppy_regex": {**SANIC_CORS, "CORS_ORIGINS": re.compile(r"https://app\.example\.com")},
        "tight_regex": {**SANIC_CORS, "CORS_ORIGINS": re.compile(TIGHT + "$")},
        "bare": None,
    },
    build=sanic_app,
    native=sanic_asgi_client,
    live=serve_sanic,
    any_credentials="reflect",
    public_failure="CORSMissingAllowCredentials",  # "*" echoes the origin, without credentials
    denials={k: (204, code) for k, (_, code) in OK_DENIALS.items()},  # the automatic OPTIONS
    raising_view=True,  # the route's handler; Sanic's error response gets the CORS headers
    regex_hole=RegexHole(PREFIX_TRICK, "CORS-PREFIX-MATCH"),
    asynchronous=sanic_async_client,
)

STACKS = {
    s.name: s for s in (FLASK, DJANGO, STARLETTE, FASTAPI, QUART, FALCON, LITESTAR, AIOHTTP, SANIC)
}
