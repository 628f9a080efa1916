"""Every route an app serves: its path template, its methods, and whether the framework added it.

:func:`routes` reads an app (or its test client) through each framework's public routing API;
:func:`routes_from_openapi` reads an OpenAPI 3.x document. Both return :class:`Route` objects
whose templates are written one way whatever the framework: ``{name}`` for one path segment,
``{name:path}`` for the rest of the path (Flask ``<int:id>``, Django ``<int:pk>``, Starlette
``{id:int}`` all become ``{id}``). A contract's ``coverage`` key and ``pytest-cors routes`` use
them to find the routes no policy covers (:func:`covers`, :func:`uncovered`).

Frameworks are imported lazily, only to read an app of theirs.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_cors.errors import CorsUsageError
from pytest_cors.http import visible
from pytest_cors.openapi_document import is_url, openapi_location, read_document

__all__ = [
    "Route",
    "covers",
    "is_url",
    "openapi_location",
    "routes",
    "routes_from_openapi",
    "sample_path",
    "uncovered",
]

ANY_METHOD: tuple[str, ...] = ()
"""The ``methods`` of a route that answers any method (a Django function view, ``*``)."""

_OPENAPI_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Route:
    """One route of an app.

    ``path_template`` is ``/items/{id}`` style; ``methods`` the methods it answers, upper
    case and sorted (empty: any method); ``name`` the framework's name for it (a Flask
    endpoint, a Django ``namespace:name``, a handler name), if any; ``internal`` is true for a
    route the framework added itself (Flask's ``static``, FastAPI's and Litestar's API docs).
    ``host`` is the host pattern of a Starlette ``Host`` or a Flask host-matching rule.
    ``exact`` is false when the template was read from a regular expression and may not be
    exact (Django ``re_path``): it is a best effort.
    """

    path_template: str
    methods: tuple[str, ...] = ANY_METHOD
    name: str | None = None
    internal: bool = False
    host: str | None = None
    exact: bool = True

    def matches(self, path: str) -> bool:
        """Whether the concrete or template ``path`` (its query string ignored) is one this
        route serves: ``/items/1`` and ``/items/{item_id}`` both match ``/items/{id}``."""
        return covers(path, self)

    def shown_methods(self) -> str:
        """``GET, POST`` or ``*`` (any method)."""
        return ", ".join(self.methods) if self.methods else "*"


# -- templates --------------------------------------------------------------------------------

_PARAM = re.compile(r"\{([^{}:]*)(?::([^{}]*))?\}")


def _param(name: str, kind: str | None) -> str:
    whole_path = kind is not None and kind.strip() in ("path", ".*", ".+", "rest")
    return f"{{{name}:path}}" if whole_path else f"{{{name}}}"


def _brace_template(path: str) -> str:
    """Starlette, FastAPI, Litestar, Falcon, aiohttp: ``{id:int}`` -> ``{id}``."""
    return _PARAM.sub(lambda m: _param(m.group(1), m.group(2)), path)


_ANGLE = re.compile(r"<(?:([^<>:]+):)?([^<>:]+)>")


def _angle_template(path: str) -> str:
    """Flask, Quart, Django ``path()``: ``<int:id>`` -> ``{id}``."""
    return _ANGLE.sub(lambda m: _param(m.group(2), m.group(1)), path)


def _sanic_template(path: str) -> str:
    """Sanic, which names first: ``<id:int>`` -> ``{id}``."""
    return _ANGLE.sub(
        lambda m: _param(m.group(1), m.group(2)) if m.group(1) else _param(m.group(2), None),
        path,
    )


def _joined(prefix: str, path: str) -> str:
    text = "/" + "/".join(p.strip("/") for p in (prefix, path) if p.strip("/"))
    return text + "/" if path.endswith("/") and text != "/" else text


def _segment_pattern(template: str) -> re.Pattern[str]:
    parts = []
    position = 0
    for match in _PARAM.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        parts.append(".+" if match.group(2) == "path" else "[^/]+")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))


def covers(path: str, route: Route) -> bool:
    """Whether a policy path (concrete, or itself a template) covers ``route``.

    ``/items/1`` covers ``/items/{id}``; ``/items/{item_id}`` covers it too (the parameter's
    name does not matter); a query string is ignored; a trailing slash is not."""
    path = path.split("?", 1)[0]
    pattern = _segment_pattern(route.path_template)
    if pattern.fullmatch(path):
        return True
    return _PARAM.sub("{}", path) == _PARAM.sub("{}", route.path_template)


_SAMPLE = re.compile(r"\{([^{}:=]*)(?::([^{}=]*))?(?:=([^{}]*))?\}")
"""A parameter of a policy path: ``{name}``, ``{name:type}``, ``{name=example}``."""
_INT_TYPES = frozenset({"int", "integer", "number", "float", "decimal"})
_INT_NAME = re.compile(
    r"(?:^|_)(?:id|pk|num|number|count|index|idx|page|year|month|day|version|n)$|[a-z]Id$"
)
SAMPLE_TOKEN = "x"
"""The value a parameter that is not a number gets: a plain token every router accepts."""


def sample_value(name: str, kind: str | None = None) -> str:
    """The value the kit fills ``{name}`` (or ``{name:kind}``) with when no example is given:
    ``1`` for a number (by type, or by a name such as ``id``, ``item_id``, ``pk``, ``page``),
    else :data:`SAMPLE_TOKEN`."""
    kind = (kind or "").strip().lower()
    if kind in _INT_TYPES or (not kind and _INT_NAME.search(name.strip())):
        return "1"
    return SAMPLE_TOKEN


def sample_path(template: str, examples: Mapping[str, str] | None = None) -> str:
    """A concrete path for ``template``, the one a check sends.

    Each ``{name}`` is filled with, first, its inline example (``{id=42}``), then
    ``examples[name]`` when given, else :func:`sample_value` (``/items/{id}`` -> ``/items/1``,
    ``/users/{slug}`` -> ``/users/x``). A path without braces is returned as it is."""
    if "{" not in template:
        return template
    given = examples or {}

    def fill(match: re.Match[str]) -> str:
        name, kind, inline = match.group(1), match.group(2), match.group(3)
        if inline is not None:
            return inline
        if name in given:
            return str(given[name])
        return sample_value(name, kind)

    return _SAMPLE.sub(fill, template)


def uncovered(
    found: Iterable[Route], paths: Iterable[str], ignore: Sequence[str] = ()
) -> list[Route]:
    """The routes of ``found`` that no path of ``paths`` covers, less those whose template
    or name matches a glob of ``ignore``."""
    wanted = list(paths)
    left = []
    for route in found:
        if ignored(route, ignore):
            continue
        if not any(covers(path, route) for path in wanted):
            left.append(route)
    return left


def route_table(
    found: Iterable[Route],
    policies: Sequence[tuple[str, Sequence[str]]] = (),
    ignore: Sequence[str] = (),
) -> list[tuple[Route, str]]:
    """Each route with what covers it: the first policy (``(name, paths)``) with a path that
    covers it, ``"ignored"`` when a glob of ``ignore`` matches it, else ``""``."""
    table = []
    for route in found:
        cover = next((n for n, paths in policies if any(covers(p, route) for p in paths)), "")
        if not cover and ignored(route, ignore):
            cover = "ignored"
        table.append((route, cover))
    return table


def route_lines(table: Sequence[tuple[Route, str]], *, policies: bool = False) -> list[str]:
    """``pytest-cors routes``'s listing of a :func:`route_table`: each route's methods (in
    one column), template and notes (its name, host, whether it is internal or read from a
    regex), and with ``policies`` what covers it (``-> NO POLICY`` when nothing does); each
    line made :func:`~pytest_cors.http.visible`."""
    width = max((len(r.shown_methods()) for r, _ in table), default=0)
    lines = []
    for route, cover in table:
        notes = [f"({route.name})"] if route.name else []
        if route.host:
            notes.append(f"[host {route.host}]")
        if route.internal:
            notes.append("[internal]")
        if not route.exact:
            notes.append("[read from a regex]")
        if policies:
            notes.append(f"-> {cover}" if cover else "-> NO POLICY")
        line = f"{route.shown_methods():<{width}}  {route.path_template}  {' '.join(notes)}"
        lines.append(visible(line.rstrip()))
    return lines


def ignored(route: Route, ignore: Sequence[str]) -> bool:
    """Whether a glob of ``ignore`` matches the route's template or its name."""
    return any(
        fnmatch.fnmatchcase(route.path_template, glob)
        or (route.name is not None and fnmatch.fnmatchcase(route.name, glob))
        for glob in ignore
    )


# -- apps -------------------------------------------------------------------------------------


def routes(app_or_client: object) -> list[Route]:
    """Every route ``app_or_client`` serves, in the framework's order.

    Accepts a Flask, Quart, Starlette, FastAPI, Litestar, Falcon, aiohttp or Sanic app, a
    Django WSGI/ASGI handler (its ``ROOT_URLCONF`` is read) or any of their test clients (and
    middleware that keeps the wrapped app in ``.app``). WebSocket routes are left out: CORS
    does not apply to them. Raises :class:`~pytest_cors.CorsUsageError` for anything else.
    """
    seen: set[int] = set()
    current: object = app_or_client
    while id(current) not in seen:
        seen.add(id(current))
        reader = _reader(current)
        if reader is not None:
            return reader(current)
        inner = _wrapped(current)
        if inner is None:
            break
        current = inner
    kind = type(app_or_client)
    raise CorsUsageError(
        f"pytest_cors.routes() cannot read the routes of a {kind.__module__}.{kind.__qualname__}; "
        "it reads Flask, Quart, Starlette, FastAPI, Litestar, Django, Falcon, aiohttp and "
        "Sanic apps and their test clients (or use routes_from_openapi() with the app's "
        "OpenAPI document)"
    )


def _module(obj: object) -> str:
    return type(obj).__module__ or ""


def _wrapped(obj: object) -> object | None:
    for attribute in ("application", "app"):  # Flask's test client, then the rest
        try:
            inner: object = getattr(obj, attribute, None)
        except Exception:  # a property that needs a running server
            continue
        if inner is not None and not isinstance(inner, (str, bytes, int)):
            return inner
    return None


def _reader(obj: object) -> Callable[[Any], list[Route]] | None:
    module = _module(obj)
    top = module.split(".", 1)[0]
    if top == "django":
        return _django
    if top == "litestar" and hasattr(obj, "routes"):
        return _litestar
    if top == "falcon" and hasattr(obj, "add_route"):
        return _falcon
    if top == "aiohttp" and hasattr(obj, "router") and hasattr(obj, "add_subapp"):
        return _aiohttp
    if top == "sanic" and hasattr(obj, "router") and hasattr(obj, "add_route"):
        return _sanic
    url_map = getattr(obj, "url_map", None)
    if url_map is not None and hasattr(url_map, "iter_rules"):
        return _werkzeug
    if top in ("starlette", "fastapi") and isinstance(getattr(obj, "routes", None), list):
        return _starlette
    return None


def _werkzeug(app: Any) -> list[Route]:
    """Flask and Quart: the URL map's rules."""
    found = []
    for rule in app.url_map.iter_rules():
        if getattr(rule, "websocket", False):
            continue
        endpoint = str(rule.endpoint)
        found.append(
            Route(
                _angle_template(rule.rule),
                tuple(sorted(rule.methods or ())),
                endpoint,
                internal=endpoint == "static" or endpoint.endswith(".static"),
                host=rule.host or None,
            )
        )
    return found


def _starlette(app: Any) -> list[Route]:
    """Starlette and FastAPI: ``app.routes``, through ``Mount`` and ``Host``."""
    found: list[Route] = []
    _starlette_walk(app, app.routes, "", None, found)
    return found


def _internal_paths(app: Any) -> set[str]:
    """FastAPI's own pages: the OpenAPI document and the docs that show it."""
    names = ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")
    return {p for p in (getattr(app, n, None) for n in names) if isinstance(p, str) and p}


def _starlette_walk(
    app: Any, entries: Sequence[Any], prefix: str, host: str | None, out: list[Route]
) -> None:
    # lazy: starlette is optional
    from starlette.routing import Host, Mount
    from starlette.routing import Route as StarletteRoute

    internal = _internal_paths(app)
    for entry in _expanded(entries):
        if isinstance(entry, Host):
            _starlette_walk(entry.app, entry.routes, prefix, entry.host, out)
        elif isinstance(entry, Mount):
            path = _joined(prefix, _brace_template(entry.path))
            inner = entry.routes
            if inner:
                _starlette_walk(entry.app, inner, path, host, out)
            else:  # an app of its own (static files, a WSGI app): everything below its path
                out.append(Route(_joined(path, "{path:path}"), ANY_METHOD, entry.name, host=host))
        elif isinstance(entry, StarletteRoute):
            methods = tuple(sorted(entry.methods)) if entry.methods else ANY_METHOD
            out.append(
                Route(
                    _joined(prefix, _brace_template(entry.path)),
                    methods,
                    entry.name,
                    internal=entry.path in internal,
                    host=host,
                )
            )
        elif hasattr(entry, "original_route") and isinstance(entry.methods, (set, frozenset)):
            # a route of a router FastAPI included, as fastapi.routing.iter_route_contexts
            # gives it (prefix applied); WebSocket routes have no methods
            out.append(
                Route(
                    _joined(prefix, _brace_template(entry.path)),
                    tuple(sorted(entry.methods)),
                    entry.name,
                    internal=entry.path in internal,
                    host=host,
                )
            )
        # WebSocket routes: CORS does not apply


def _expanded(entries: Sequence[Any]) -> list[Any]:
    """Starlette's routes as they are; FastAPI's included routers (which newer FastAPI keeps
    as one entry) replaced by their routes, through FastAPI's public ``iter_route_contexts``."""
    # lazy: starlette and fastapi are optional
    from starlette.routing import BaseRoute, Host, Mount
    from starlette.routing import Route as StarletteRoute

    try:
        # lazy: fastapi is optional
        from fastapi.routing import (  # type: ignore[attr-defined,unused-ignore]
            iter_route_contexts,
        )
    except ImportError:
        return list(entries)
    found: list[Any] = []
    for entry in entries:
        plain = isinstance(entry, (Host, Mount, StarletteRoute))
        if plain or not isinstance(entry, BaseRoute):
            found.append(entry)
        else:
            found.extend(iter_route_contexts([entry]))
    return found


def _litestar(app: Any) -> list[Route]:
    """Litestar: ``app.routes`` (routers are already flattened), automatic OPTIONS left out."""
    found = []
    for route in app.routes:
        handlers = [
            h
            for h in getattr(route, "route_handlers", ())
            if getattr(h, "handler_name", "") != "options_handler"
            or not _fn_module(h).startswith("litestar.")
        ]
        if not hasattr(route, "methods") or not handlers:
            continue  # WebSocket and ASGI routes
        methods = sorted({m for h in handlers for m in getattr(h, "http_methods", ())})
        names = [h.name or h.handler_name for h in handlers]
        found.append(
            Route(
                _brace_template(route.path),
                tuple(methods),
                names[0] if names else None,
                internal=all(_fn_module(h).startswith("litestar.") for h in handlers),
            )
        )
    return found


def _fn_module(handler: Any) -> str:
    fn = getattr(handler, "fn", None)
    return str(getattr(fn, "__module__", "") or "")


def _django(_handler: Any) -> list[Route]:
    """Django: the URL patterns of ``ROOT_URLCONF``, through ``include()``."""
    # lazy: django is optional
    from django.urls import get_resolver  # type: ignore[import-untyped,import-not-found,unused-ignore]

    found: list[Route] = []
    _django_walk(get_resolver().url_patterns, "", "", found)
    return found


def _django_walk(patterns: Sequence[Any], prefix: str, namespace: str, out: list[Route]) -> None:
    # lazy: django is optional
    from django.urls import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        URLPattern,
        URLResolver,
    )

    for entry in patterns:
        text, exact = _django_pattern(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            _django_walk(entry.url_patterns, prefix + text, inner, out)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            out.append(
                Route("/" + prefix + text, _django_methods(entry.callback), name, exact=exact)
            )


def _django_pattern(pattern: Any) -> tuple[str, bool]:
    # a re_path()'s pattern prints as its regex; a path()'s as its route with <converters>
    if type(pattern).__name__ == "RegexPattern":
        return _from_regex(str(pattern))
    return _angle_template(str(pattern)), True


_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


def _from_regex(regex: str) -> tuple[str, bool]:
    """A template from a Django ``re_path`` regex, best effort: named groups become
    parameters; the result is exact only when nothing else in it was a regex."""
    text = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    text = _GROUP.sub(lambda m: _param(m.group(1), m.group(2)), text)
    plain = re.sub(r"\\([./\-])", r"\1", text)
    exact = re.search(r"[\\()\[\]*+?|^$]", _PARAM.sub("", plain)) is None
    return plain, exact


def _django_methods(callback: Any) -> tuple[str, ...]:
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return ANY_METHOD
    names = getattr(view_class, "http_method_names", ())
    return tuple(sorted(m.upper() for m in names if hasattr(view_class, m)))


def _falcon(app: Any) -> list[Route]:
    """Falcon: :func:`falcon.inspect.inspect_routes`, default responders left out."""
    from falcon.inspect import inspect_routes  # lazy: falcon is optional

    found = []
    for info in inspect_routes(app):
        methods = sorted(m.method for m in info.methods if not m.internal)
        if methods:
            found.append(Route(_brace_template(info.path), tuple(methods), info.class_name))
    return found


def _aiohttp(app: Any) -> list[Route]:
    """aiohttp: the router's routes (sub-applications included), one per resource."""
    by_path: dict[str, tuple[set[str], str | None]] = {}
    for route in app.router.routes():
        resource = route.resource
        if resource is None:
            continue
        path = _brace_template(resource.canonical)
        if type(resource).__name__ == "StaticResource":
            path = _joined(path, "{filename:path}")
        methods, _ = by_path.setdefault(path, (set(), route.name))
        methods.add(route.method)
    return [
        Route(path, ANY_METHOD if "*" in methods else tuple(sorted(methods)), name)
        for path, (methods, name) in by_path.items()
    ]


def _sanic(app: Any) -> list[Route]:
    """Sanic: the router's routes (blueprints included)."""
    found = []
    for route in app.router.routes:
        path = "/" + str(route.path).lstrip("/")
        name = str(route.name) if route.name else None
        internal = name is not None and ".static" in name.removeprefix(app.name)
        found.append(
            Route(_sanic_template(path), tuple(sorted(route.methods)), name, internal=internal)
        )
    return found


# -- OpenAPI ----------------------------------------------------------------------------------


def routes_from_openapi(document: str | Path | Mapping[str, Any]) -> list[Route]:
    """Every operation of an OpenAPI 3.x document, one :class:`Route` per path.

    ``document`` is the parsed document, the path of a JSON or YAML file, or an ``http(s)://``
    URL serving one (FastAPI's ``/openapi.json``, Litestar's ``/schema/openapi.json``). A route's
    name is the first ``operationId`` of its path; paths under ``x-internal: true`` are
    internal. The document's ``servers`` are not applied: templates are the ``paths`` keys as
    written.
    """
    data, where = read_document(document)
    version = str(data.get("openapi", ""))
    if not version.startswith("3."):
        raise CorsUsageError(
            f"{where}: not an OpenAPI 3.x document ('openapi' is {data.get('openapi')!r}); "
            "pytest-cors reads OpenAPI 3.0 and 3.1"
        )
    paths = data.get("paths", {})
    if not isinstance(paths, Mapping):
        raise CorsUsageError("the OpenAPI document's 'paths' must be a mapping")
    found = []
    for template, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        operations = [(m, item[m]) for m in _OPENAPI_METHODS if isinstance(item.get(m), Mapping)]
        names = [str(op["operationId"]) for _, op in operations if op.get("operationId")]
        found.append(
            Route(
                _brace_template(str(template)),
                tuple(sorted(m.upper() for m, _ in operations)),
                names[0] if names else None,
                internal=bool(item.get("x-internal")),
            )
        )
    return found
