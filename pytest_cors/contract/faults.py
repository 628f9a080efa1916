"""The ``faults`` of a policy: error answers the app gives by itself, which must carry CORS too.

* ``not_found``: an unrouted path next to the policy's first path (:func:`not_found_path`).
* ``method_not_allowed``: ``POST`` (a simple request: no preflight can refuse it) to the first
  path, when the policy does not list ``POST``; the route answers ``405``.
* ``exception``: in-process only, the view serving the first path raises for the duration of the
  check (:func:`raising_view`), through each framework's routing API (public, except Falcon's
  router and an aiohttp route's handler: :mod:`pytest_cors._compat`), and is put back after it,
  also when the check fails; the framework's own error handling makes the answer that is judged.

Which framework serves the app (:func:`framework_of`, the walk of :mod:`pytest_cors.hints`) also
picks the fix a failure names (:data:`FIXES`). Nothing here sends a request; a framework's
objects are recognised by their classes' modules, only an app already built is touched, and a
framework's own module is imported only inside the function for it.
"""

from __future__ import annotations

import functools
import inspect
import random
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from pytest_cors._compat import aiohttp_replace_handler, falcon_router
from pytest_cors.errors import hide_user_error
from pytest_cors.hints import object_framework, reachable, target_framework

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

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
    return object_framework(obj) or ""


def framework_of(target: object) -> str:
    """The framework behind an in-process target, ``""`` when none is recognised (the walk of
    :mod:`pytest_cors.hints`, which also names the framework in a failure's fix)."""
    return target_framework(target) or ""


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
    apps = list(reachable(target))
    for obj in apps:
        framework = _framework(obj)
        if _has(obj, "view_functions", "url_map"):  # Flask, Quart
            return _flask_like(obj, route_path, method)
        if framework in ("starlette", "fastapi") and _has(obj, "router"):
            return _served(apps, _starlette(obj, route_path, method))
        if framework == "django":  # the test client, or Django's WSGI/ASGI handler
            return _django(route_path, method, apps)
        if framework == "litestar" and _has(obj, "routes", "asgi_router"):
            return _litestar(obj, route_path, method)
        if framework == "falcon" and _has(obj, "add_route"):
            return _falcon(obj, route_path, method)
        if framework == "sanic" and _has(obj, "router", "handle_request"):
            return _sanic(obj, route_path, method)
        if framework == "aiohttp" and _has(obj, "router", "on_response_prepare"):
            return _aiohttp(obj, route_path, method)
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
    from starlette.routing import request_response  # lazy: starlette is optional

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


def _swap(owner: Any, name: str, replacement: Any) -> Injection:
    """``owner.name`` set to ``replacement`` for the duration, restored even on failure."""

    @contextmanager
    def swapped() -> Iterator[None]:
        original = getattr(owner, name)
        setattr(owner, name, replacement)
        try:
            yield
        finally:
            setattr(owner, name, original)

    return swapped


def _django(path: str, method: str, chain: list[object]) -> Injection | str:
    """Django: the view ``resolve()`` finds in the root URLconf, swapped in every
    ``URLPattern`` whose ``callback`` it is (``include()``d ones too). The replacement keeps
    the view's attributes (``csrf_exempt``, ...) so that the middlewares treat it the same.

    A test client's ``raise_request_exception`` (on by default) is off meanwhile: it would
    re-raise the view's exception in place of the 500 page Django answered through its
    middlewares, which is what a server sends."""
    # lazy: django is optional
    from django.urls import Resolver404, get_resolver  # type: ignore[import-untyped,import-not-found,unused-ignore]

    resolver = get_resolver()
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return f"no URL pattern of the root URLconf serves {path} (django.urls.resolve)"
    original = match.func
    patterns = [p for p in _django_patterns(resolver.url_patterns) if p.callback is original]
    if not patterns:
        return f"the view of {path} is not the callback of a URL pattern of the root URLconf"
    name = match.view_name or path

    @functools.wraps(original)
    def view(request: Any, *args: Any, **kwargs: Any) -> Any:
        return _raise(name)

    clients = [
        obj for obj in chain if isinstance(getattr(obj, "raise_request_exception", None), bool)
    ]

    @contextmanager
    def swapped() -> Iterator[None]:
        raising = [client.raise_request_exception for client in clients]  # type: ignore[attr-defined]
        for pattern in patterns:
            pattern.callback = view
        for client in clients:
            client.raise_request_exception = False  # type: ignore[attr-defined]
        try:
            yield
        finally:
            for pattern in patterns:
                pattern.callback = original
            for client, before in zip(clients, raising, strict=True):
                client.raise_request_exception = before  # type: ignore[attr-defined]

    return swapped


def _django_patterns(patterns: Any) -> Iterator[Any]:
    """Every ``URLPattern`` below ``patterns``, through ``include()``'s resolvers."""
    for pattern in patterns:
        nested = getattr(pattern, "url_patterns", None)
        if nested is not None:
            yield from _django_patterns(nested)
        elif hasattr(pattern, "callback"):
            yield pattern


def _template_regex(template: str) -> re.Pattern[str]:
    """A path template (``/items/{id:int}``, Sanic's ``/items/<id:int>``) as a regex matching
    the paths it serves."""
    parts = re.split(r"(\{[^{}]*\}|<[^<>]*>)", template.rstrip("/") or "/")
    body = "".join("[^/]+" if p[:1] in ("{", "<") else re.escape(p) for p in parts)
    return re.compile(body + "/?")


class _RaisingHandler:
    """A Litestar route handler that is the original in all but its function."""

    has_sync_callable = True

    def __init__(self, original: Any, name: str) -> None:
        self._original = original
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._original, attr)

    def fn(self, *args: Any, **kwargs: Any) -> Any:
        return _raise(self._name)


def _litestar(app: Any, path: str, method: str) -> Injection | str:
    """Litestar: the entry for ``method`` in ``route_handler_map`` of the ``HTTPRoute`` of
    ``app.routes`` whose template matches, replaced by a handler whose function raises (the
    route's own request handling, guards and exception handlers stay)."""
    for route in app.routes:
        handlers = getattr(route, "route_handler_map", None)
        template = str(getattr(route, "path_format", None) or getattr(route, "path", ""))
        if not isinstance(handlers, dict) or not _template_regex(template).fullmatch(path):
            continue
        if method not in handlers:
            return f"the route {template} serves no {method}"
        handler, model = handlers[method]
        name = str(getattr(handler, "handler_name", "") or template)
        return _swap_item(handlers, method, (_RaisingHandler(handler, name), model))
    return f"no HTTP route of the app serves {method} {path} (app.routes)"


def _swap_item(mapping: Any, key: Any, replacement: Any) -> Injection:
    """``mapping[key]`` set to ``replacement`` for the duration, restored even on failure."""

    @contextmanager
    def swapped() -> Iterator[None]:
        original = mapping[key]
        mapping[key] = replacement
        try:
            yield
        finally:
            mapping[key] = original

    return swapped


def _falcon(app: Any, path: str, method: str) -> Injection | str:
    """Falcon: the responder for ``method`` in the method map the app's router finds for
    ``path`` (``CompiledRouter.find``, the documented router interface), replaced."""
    router = falcon_router(app)
    if router is None or not hasattr(router, "find"):
        return "this Falcon version keeps its router where pytest-cors cannot reach it"
    found = router.find(path)
    if found is None:
        return f"no route of the app serves {path} (the router's find())"
    resource, methods, _, template = found
    responder_of = methods.get(method) if isinstance(methods, dict) else None
    module = str(getattr(responder_of, "__module__", ""))
    if responder_of is None or module == "falcon" or module.startswith("falcon."):
        # Falcon fills the map with its own 405 responder for the methods a resource lacks
        return f"the resource of {template} has no on_{method.lower()} responder"
    name = f"{type(resource).__name__}.on_{method.lower()}"

    def responder(req: Any, resp: Any, **params: Any) -> Any:
        return _raise(name)

    async def async_responder(req: Any, resp: Any, **params: Any) -> Any:
        return _raise(name)

    asynchronous = inspect.iscoroutinefunction(methods[method])
    return _swap_item(methods, method, async_responder if asynchronous else responder)


def _sanic(app: Any, path: str, method: str) -> Injection | str:
    """Sanic: the ``handler`` of the route of ``app.router.routes`` whose template matches
    (the router resolves only once the app has started), replaced; the router's cache of
    resolved routes is cleared before and after, so that it is read again."""
    matching = [
        route
        for route in app.router.routes
        if _template_regex("/" + str(route.path).lstrip("/")).fullmatch(path)
    ]
    if not matching:
        return f"no route of the app serves {path} (app.router.routes)"
    served = [route for route in matching if method in route.methods]
    if not served:
        return f"the route {path} serves no {method}"
    route = served[0]
    name = getattr(route, "name", "") or path

    async def handler(request: Any, *args: Any, **kwargs: Any) -> Any:
        return _raise(name)

    swap = _swap(route, "handler", handler)
    clear = getattr(app.router.get, "cache_clear", None)

    @contextmanager
    def swapped() -> Iterator[None]:
        with swap():
            if clear is not None:
                clear()
            try:
                yield
            finally:
                if clear is not None:
                    clear()

    return swapped


def _aiohttp(app: Any, path: str, method: str) -> Injection | str:
    """aiohttp: the handler of the route for ``method`` of the resource in ``app.router``
    whose template (``canonical``) matches ``path``, replaced (:func:`aiohttp_replace_handler`:
    a started app's router is frozen and a route's handler read-only)."""
    for resource in app.router.resources():
        template = str(getattr(resource, "canonical", ""))
        if not template.startswith("/") or not _template_regex(template).fullmatch(path):
            continue
        routes = [r for r in resource if r.method in (method, "*")]
        if not routes:
            return f"the resource {template} has no route for {method}"
        return _aiohttp_route(routes[0], template)
    return f"no resource of the app's router serves {path} (app.router.resources())"


def _aiohttp_route(route: Any, template: str) -> Injection | str:
    async def handler(request: Any) -> Any:
        return _raise(template)

    original = aiohttp_replace_handler(route, handler)  # tried once, put back at once
    if original is None:
        return "this aiohttp version keeps a route's handler where pytest-cors cannot reach it"
    aiohttp_replace_handler(route, original)

    @contextmanager
    def swapped() -> Iterator[None]:
        aiohttp_replace_handler(route, handler)
        try:
            yield
        finally:
            aiohttp_replace_handler(route, original)

    return swapped
