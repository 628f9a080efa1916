"""The ``faults`` of a policy: error answers the app gives by itself, which must carry CORS too.

* ``not_found``: an unrouted path next to the policy's first path (:func:`not_found_path`).
* ``method_not_allowed``: ``POST`` (a simple request: no preflight can refuse it) to the first
  path, when the policy does not list ``POST``; the route answers ``405``.
* ``exception``: in-process only, the view serving the first path raises for the duration of the
  check (:func:`raising_view`), through each framework's public routing API; the framework's own
  error handling makes the answer that is judged.

Which framework serves the app (:func:`framework_of`) also picks the fix a failure names
(:data:`FIXES`). Nothing here sends a request or imports a framework: a framework's objects are
recognised by their classes' modules, and only an app already built is touched.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from pytest_cors.errors import hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

FRAMEWORKS = (
    "fastapi",
    "starlette",
    "flask",
    "quart",
    "django",
    "litestar",
    "falcon",
    "aiohttp",
    "sanic",
)
"""Frameworks recognised by the top-level module of an object's class (a subclass's first)."""

FIXES: dict[str, str] = {
    "starlette": "Starlette's ServerErrorMiddleware is always the outermost layer, so its 500 "
    "never passes through a CORSMiddleware given to middleware=[...] or add_middleware: add the "
    "CORS headers in an exception handler for Exception (app.add_exception_handler), or wrap "
    "the whole app (app = CORSMiddleware(app, ...)) so that the CORS layer is outermost.",
    "fastapi": "FastAPI's ServerErrorMiddleware (Starlette's) is always the outermost layer, so "
    "its 500 never passes through the CORSMiddleware of app.add_middleware: add the CORS headers "
    "in an @app.exception_handler(Exception), or serve CORSMiddleware(app, ...) so that the CORS "
    "layer is outermost.",
    "flask": "Flask-CORS adds its headers in an after_request hook: Flask's own error answers "
    "get them (404, 405, and the 500 page when the exception is not propagated), an exception "
    "that escapes Flask does not. Keep PROPAGATE_EXCEPTIONS (and TESTING, DEBUG) off in "
    "production, call CORS(app) on the app rather than on one blueprint, and let error handlers "
    "return responses instead of raising.",
    "quart": "quart-cors adds its headers in an after_request hook, which Quart's error "
    "handling skips for an unhandled exception: register an errorhandler(Exception) that "
    "returns a response (the hook then runs), or wrap the app in an ASGI CORS layer.",
    "django": "django-cors-headers' CorsMiddleware adds its headers to every response that goes "
    "through it, Django's 404, 405 and 500 pages included: keep it first in MIDDLEWARE, and "
    "serve the app through Django's handler (a 500 from the server itself has none).",
    "litestar": "Litestar's CORS middleware wraps the routes: add the CORS headers in an "
    "exception handler (exception_handlers={Exception: ...}), or wrap the whole app in the CORS "
    "layer.",
    "falcon": "Falcon's CORSMiddleware works in process_response: make the error answer a "
    "response (falcon.HTTPError, an error handler added with app.add_error_handler) so that it "
    "runs, rather than letting the exception escape the app.",
    "aiohttp": "aiohttp-cors adds its headers only on the routes given to cors.add(): unknown "
    "paths, the router's 405 and an exception's 500 go without. Add a middleware that sets "
    "the CORS headers on error responses (web.HTTPException included), or put a CORS layer in "
    "front of the app.",
    "sanic": "sanic-ext adds its CORS headers in a response middleware: make sure an error "
    "handler returns the error response (Sanic's own does) so that it runs.",
}
GENERIC_FIX = (
    "Add the CORS headers where error answers are made too: the CORS layer must be the "
    "outermost one (in front of the router and of the error handling), or the error handlers "
    "must add the headers themselves."
)


class InjectedFault(Exception):
    """Raised by a view :func:`raising_view` made raise (the ``exception`` fault)."""


def not_found_path(path: str, seed: int | str, scope: str) -> str:
    """A path next to ``path`` that an app does not route: one more segment, drawn from the seed
    and the policy (stable ids): ``/items`` -> ``/items/pytest-cors-k3v9q2``."""
    rng = random.Random(f"pytest-cors:not-found:{seed}:{scope}")
    segment = "pytest-cors-" + "".join(
        rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in "123456"
    )
    base = path.split("?", 1)[0].rstrip("/")
    return f"{base}/{segment}"


def fix_for(framework: str) -> str:
    """The fix a ``CORS-ERROR-MASKED`` finding names for ``framework`` ("" when unknown)."""
    return FIXES.get(framework, GENERIC_FIX)


def _framework(obj: object) -> str:
    for cls in type(obj).__mro__:
        top = cls.__module__.split(".", 1)[0]
        if top in FRAMEWORKS:
            return top
    return ""


_LINKS = ("target", "client", "app", "application", "sanic_app", "_app", "server")


def _reachable(target: object) -> Iterator[object]:
    """``target`` and the objects it holds (the kit's views, test clients, middlewares, apps),
    breadth first, a few levels deep."""
    seen: set[int] = set()
    level = [target]
    for _ in range(8):
        following: list[object] = []
        for obj in level:
            if obj is None or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield obj
            for name in _LINKS:
                try:
                    following.append(getattr(obj, name, None))
                except Exception:  # a property that raises: not a link
                    continue
        level = following


def framework_of(target: object) -> str:
    """The framework behind an in-process target, ``""`` when none is recognised."""
    for obj in _reachable(target):
        found = _framework(obj)
        if found:
            return found
    return ""


def _raise(view: str) -> Any:
    raise InjectedFault(
        f"pytest-cors made the view {view} raise (the policy's 'exception' fault): the answer "
        "judged is the one the framework's error handling makes"
    )


def injected(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it was raised from, is the fault :func:`raising_view` set."""
    for _ in range(12):
        if exc is None:
            return False
        if isinstance(exc, InjectedFault):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


Injection = Callable[[], AbstractContextManager[None]]


def raising_view(target: object, path: str, method: str) -> Injection | str:
    """A context manager that makes the view serving ``method path`` raise, or the reason there
    is none (an unsupported framework, a path no route serves)."""
    route_path = path.split("?", 1)[0]
    apps = list(_reachable(target))
    for obj in apps:
        if _has(obj, "view_functions", "url_map"):  # Flask, Quart
            return _flask_like(obj, route_path, method)
        if _framework(obj) in ("starlette", "fastapi") and _has(obj, "router"):
            return _served(apps, _starlette(obj, route_path, method))
    names = [name for name in dict.fromkeys(_framework(obj) for obj in apps) if name]
    if names:
        return (
            f"making a {names[0].capitalize()} view raise is not supported yet (the 'exception' "
            "fault covers Flask, Quart, Starlette and FastAPI)"
        )
    return "no framework app recognised in the target, so no view can be made to raise"


def _served(chain: list[object], injection: Injection | str) -> Injection | str:
    """``injection`` with the outermost ASGI app run as a server runs it: an exception raised
    after the app finished its response (Starlette's ServerErrorMiddleware sends its 500, then
    re-raises for the server to log) leaves that response to the browser, as uvicorn does. One
    raised before any response goes on to the runner, which judges the server's bare 500."""
    if isinstance(injection, str):
        return injection
    holder = next((obj for obj in chain if type(obj).__name__ in _ASGI_HOLDERS), None)
    if holder is None:
        return injection

    @contextmanager
    def both() -> Iterator[None]:
        original = holder.app  # type: ignore[attr-defined]
        holder.app = _as_served(original)  # type: ignore[attr-defined]
        try:
            with injection():
                yield
        finally:
            holder.app = original  # type: ignore[attr-defined]

    return both


_ASGI_HOLDERS = ("AsgiTarget", "TestClient")


def _as_served(app: Any) -> Any:
    async def served(scope: Any, receive: Any, send: Any) -> None:
        complete = False

        async def watched(message: Any) -> None:
            nonlocal complete
            if message.get("type") == "http.response.body" and not message.get("more_body"):
                complete = True
            await send(message)

        try:
            await app(scope, receive, watched)
        except InjectedFault:
            if not complete:
                raise

    return served


def _has(obj: object, *names: str) -> bool:
    return all(getattr(obj, name, None) is not None for name in names)


def _flask_like(app: Any, path: str, method: str) -> Injection | str:
    """Flask and Quart: the endpoint the URL map gives, replaced in ``app.view_functions``."""
    try:
        adapter = app.url_map.bind("localhost")
        endpoint, _ = adapter.match(path, method=method)
    except Exception as exc:  # NotFound, MethodNotAllowed, RequestRedirect
        return f"no route of the app serves {method} {path} ({type(exc).__name__})"
    if endpoint not in app.view_functions:
        return f"the endpoint {endpoint!r} for {method} {path} has no view function"
    quart = _framework(app) == "quart"

    def sync_view(*args: Any, **kwargs: Any) -> Any:
        return _raise(str(endpoint))

    async def async_view(*args: Any, **kwargs: Any) -> Any:
        return _raise(str(endpoint))

    @contextmanager
    def swapped() -> Iterator[None]:
        original = app.view_functions[endpoint]
        app.view_functions[endpoint] = async_view if quart else sync_view
        try:
            yield
        finally:
            app.view_functions[endpoint] = original

    return swapped


def _request_response(endpoint: Any) -> Any:
    from starlette.routing import request_response

    return request_response(endpoint)


def _starlette(app: Any, path: str, method: str) -> Injection | str:
    """Starlette and FastAPI: the route whose ``matches`` is full, its ASGI app replaced."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}
    for route in app.router.routes:
        try:
            match, _ = route.matches(scope)
        except Exception:
            continue
        if getattr(match, "name", "") != "FULL":
            continue
        if not hasattr(route, "endpoint"):
            return (
                f"{method} {path} is served through a mount ({type(route).__name__}): only "
                "routes of the app itself can be made to raise"
            )
        name = getattr(route, "name", None) or path

        async def endpoint(request: Any, name: str = str(name)) -> Any:
            return _raise(name)

        # through the framework's own wrapper, so that its exception handlers see the error
        raising = _request_response(endpoint)

        @contextmanager
        def swapped(route: Any = route, raising: Any = raising) -> Iterator[None]:
            original = route.app
            route.app = raising
            try:
                yield
            finally:
                route.app = original

        return swapped
    return f"no route of the app serves {method} {path}"
