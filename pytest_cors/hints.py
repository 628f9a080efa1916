"""The fix in the user's own framework: which setting of its CORS middleware to change.

A failure's ``hint`` (:mod:`pytest_cors.failures`) says which response header to send; when the
kit knows the framework serving the app, :func:`framework_hint` names that framework's CORS
setting as well (``allow_methods`` of Starlette's ``CORSMiddleware``, ``CORS_ALLOW_HEADERS`` of
django-cors-headers, ...) and points at the kit's page for it. The header-level hint stays the
fallback.

The framework is known from the target (:func:`framework_of`: the modules of the classes of the
objects it holds, walked by :func:`reachable`, which the contract's faults use too) or, for a
live server, from what its CORS middleware is measured to answer (:func:`fingerprint`):
Starlette's and Litestar's ``400 Disallowed CORS ...``, aiohttp-cors' ``403 CORS preflight
request failed: ...``, django-cors-headers' and sanic-ext's lower-case ``Vary: origin``,
flask-cors' header order.

Not part of the engine: nothing here sends a request or imports a framework.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from pytest_cors.errors import hide_user_error
from pytest_cors.http import Exchange, Response

if TYPE_CHECKING:
    from pytest_cors.engine import Outcome

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

# Top-level module of a class -> framework; the first of a class's MRO that is known wins.
_MODULES = {
    "fastapi": "fastapi",
    "starlette": "starlette",
    "flask": "flask",
    "flask_cors": "flask",
    "quart": "quart",
    "quart_cors": "quart",
    "django": "django",
    "corsheaders": "django",
    "litestar": "litestar",
    "falcon": "falcon",
    "aiohttp": "aiohttp",
    "aiohttp_cors": "aiohttp",
    "sanic": "sanic",
    "sanic_ext": "sanic",
}
# A framework built on another is the more specific answer: FastAPI's app behind Starlette's
# TestClient is FastAPI.
_MORE_SPECIFIC = {"starlette": "fastapi"}
# Attributes that lead from a test client or a wrapper to the app it drives.
_LINKS = (
    "target",
    "client",
    "app",
    "application",
    "sanic_app",
    "_app",
    "server",
    "_transport",
    "transport",
)

NAMES = {
    "flask": "Flask (flask-cors)",
    "starlette": "Starlette",
    "fastapi": "FastAPI",
    "django": "Django (django-cors-headers)",
    "quart": "Quart (quart-cors)",
    "litestar": "Litestar",
    "falcon": "Falcon",
    "aiohttp": "aiohttp (aiohttp-cors)",
    "sanic": "Sanic (sanic-ext)",
}
"""The frameworks the kit has a fix and a page (``docs/frameworks/<name>.md``) for."""

EXPOSE = "expose"
"""The ``failure_code`` of :func:`framework_hint` for a readable response whose headers the
page cannot read (no MDN code: ``fetch()`` resolves)."""

# MDN code -> the cause a framework setting fixes. A preflight that is not 2xx has a cause
# only when the middleware's answer names it (:func:`refused`).
_CAUSES = {
    "CORSMissingAllowOrigin": "origin",
    "CORSAllowOriginNotMatchingOrigin": "origin",
    "CORSNotSupportingCredentials": "wildcard",
    "CORSMissingAllowCredentials": "credentials",
    "CORSMethodNotFound": "method",
    "CORSMissingAllowHeaderFromPreflight": "header",
    EXPOSE: "expose",
}

_STARLETTE = {
    "origin": "add '{origin}' to `allow_origins` in `CORSMiddleware(...)` (or match it with "
    "`allow_origin_regex`)",
    "wildcard": "list the origins in `allow_origins=['{origin}']` instead of `['*']`, with "
    "`allow_credentials=True`",
    "credentials": "pass `allow_credentials=True` to `CORSMiddleware(...)`",
    "method": "add '{method}' to `allow_methods` in `CORSMiddleware(...)` (the default is "
    "GET only)",
    "header": "add '{header}' to `allow_headers` in `CORSMiddleware(...)`",
    "expose": "add {expose} to `expose_headers` in `CORSMiddleware(...)`",
}

_TEMPLATES: dict[str, dict[str, str]] = {
    "starlette": _STARLETTE,
    "fastapi": {
        k: v.replace("`CORSMiddleware(...)`", "`app.add_middleware(CORSMiddleware, ...)`")
        for k, v in _STARLETTE.items()
    },
    "flask": {
        "origin": "add '{origin}' to `origins` in `CORS(app, origins=[...])` (and check that "
        "`resources` covers this URL)",
        "wildcard": "list the origins in `CORS(app, origins=['{origin}'], "
        "supports_credentials=True)` and drop `send_wildcard=True`",
        "credentials": "`CORS(app, supports_credentials=True)`",
        "method": "add '{method}' to `methods` in `CORS(app, methods=[...])`",
        "header": "add '{header}' to `allow_headers` in `CORS(app, allow_headers=[...])`",
        "expose": "add {expose} to `expose_headers` in `CORS(app, expose_headers=[...])`",
    },
    "quart": {
        "origin": "add '{origin}' to `allow_origin` in `cors(app, allow_origin=[...])`",
        "wildcard": "list the origins in `cors(app, allow_origin=['{origin}'], "
        "allow_credentials=True)` (quart-cors refuses '*' with credentials)",
        "credentials": "`cors(app, allow_credentials=True)`, with the origins listed in "
        "`allow_origin`",
        "method": "add '{method}' to `allow_methods` in `cors(app, allow_methods=[...])`",
        "header": "add '{header}' to `allow_headers` in `cors(app, allow_headers=[...])`",
        "expose": "add {expose} to `expose_headers` in `cors(app, expose_headers=[...])`",
    },
    "django": {
        "origin": "add '{origin}' to `CORS_ALLOWED_ORIGINS` in settings.py (or a pattern to "
        "`CORS_ALLOWED_ORIGIN_REGEXES`)",
        "wildcard": "list the origins in `CORS_ALLOWED_ORIGINS` instead of "
        "`CORS_ALLOW_ALL_ORIGINS = True`, and set `CORS_ALLOW_CREDENTIALS = True` in "
        "settings.py",
        "credentials": "set `CORS_ALLOW_CREDENTIALS = True` in settings.py",
        "method": "add '{method}' to `CORS_ALLOW_METHODS` in settings.py (e.g. "
        "`(*default_methods, '{method}')` from corsheaders.defaults)",
        "header": "add '{header_lower}' to `CORS_ALLOW_HEADERS` in settings.py (e.g. "
        "`(*default_headers, '{header_lower}')` from corsheaders.defaults)",
        "expose": "add {expose} to `CORS_EXPOSE_HEADERS` in settings.py",
    },
    "litestar": {
        "origin": "add '{origin}' to `allow_origins` in `CORSConfig(...)` (or match it with "
        "`allow_origin_regex`), given as `Litestar(cors_config=...)`",
        "wildcard": "list the origins in `CORSConfig(allow_origins=['{origin}'], "
        "allow_credentials=True)` instead of the default `['*']`",
        "credentials": "pass `allow_credentials=True` to `CORSConfig(...)`",
        "method": "add '{method}' to `allow_methods` in `CORSConfig(...)`",
        "header": "add '{header}' to `allow_headers` in `CORSConfig(...)`",
        "expose": "add {expose} to `expose_headers` in `CORSConfig(...)`",
    },
    "falcon": {
        "origin": "add '{origin}' to `allow_origins` in `falcon.CORSMiddleware(...)`",
        "wildcard": "pass `allow_credentials=['{origin}']` to `falcon.CORSMiddleware(...)`: "
        "for those origins it sends the origin itself instead of '*'",
        "credentials": "add '{origin}' to `allow_credentials` in `falcon.CORSMiddleware(...)`",
        "method": "give the resource an `{responder}` responder: Falcon's CORSMiddleware "
        "allows the methods the resource implements",
        "expose": "add {expose} to `expose_headers` in `falcon.CORSMiddleware(...)`",
    },
    "aiohttp": {
        "origin": "add `'{origin}': aiohttp_cors.ResourceOptions(...)` to the defaults of "
        "`aiohttp_cors.setup(app, defaults=...)` (or to `cors.add(route, {{...}})`), and give "
        "the route to `cors.add()`",
        "credentials": "pass `allow_credentials=True` to the `ResourceOptions` of '{origin}'",
        "method": "add '{method}' to `allow_methods` in the `ResourceOptions` of '{origin}'",
        "header": "add '{header}' to `allow_headers` in the `ResourceOptions` of '{origin}'",
        "expose": "add {expose} to `expose_headers` in the `ResourceOptions` of '{origin}'",
    },
    "sanic": {
        "origin": "add '{origin}' to `app.config.CORS_ORIGINS`",
        "wildcard": "list the origins in `app.config.CORS_ORIGINS` (not '*'), set "
        "`CORS_SUPPORTS_CREDENTIALS = True` and leave `CORS_SEND_WILDCARD` off",
        "credentials": "set `app.config.CORS_SUPPORTS_CREDENTIALS = True`",
        "method": "add '{method}' to `app.config.CORS_METHODS`",
        "header": "add '{header}' to `app.config.CORS_ALLOW_HEADERS`",
        "expose": "add {expose} to `app.config.CORS_EXPOSE_HEADERS`",
    },
}


def page(framework: str) -> str:
    """The kit's page for ``framework``, as a path in the kit's repository."""
    return f"docs/frameworks/{framework}.md"


# -- which framework -----------------------------------------------------------------------


def object_framework(obj: object) -> str | None:
    """The framework ``obj``'s class (or the first known class of its MRO) comes from."""
    for cls in type(obj).__mro__:
        found = _MODULES.get(cls.__module__.split(".", 1)[0])
        if found:
            return found
    return None


def reachable(target: object) -> Iterator[object]:
    """``target`` and the objects it holds (the kit's views, test clients, transports,
    middlewares, apps), breadth first, a few levels deep: the one walk from a target to its
    framework's objects (:mod:`pytest_cors.contract.faults` finds the app to alter with it)."""
    seen: set[int] = set()
    level = [target]
    for _ in range(8):
        following: list[object] = []
        for obj in level:
            if obj is None or isinstance(obj, (str, bytes)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield obj
            for name in _LINKS:
                try:
                    following.append(getattr(obj, name, None))
                except Exception:  # a property that raises: not a link
                    continue
        level = following


def target_framework(target: object) -> str | None:
    """The framework of an in-process target (an app or its test client), else ``None``."""
    found = [f for f in (object_framework(obj) for obj in reachable(target)) if f]
    if not found:
        return None
    first = found[0]
    specific = _MORE_SPECIFIC.get(first)
    return specific if specific in found else first


def _names(response: Response) -> list[str]:
    return [name for name, _ in response.headers]


def _origin_in_vary(response: Response) -> int | None:
    """The index of a ``Vary`` line listing ``origin`` in lower case (django-cors-headers'
    and sanic-ext's spelling; Starlette, Quart and Litestar write ``Origin``), else ``None``."""
    for index, (name, value) in enumerate(response.headers):
        if name.lower() == "vary" and "origin" in (t.strip() for t in value.split(",")):
            return index
    return None


def fingerprint(response: Response) -> str | None:
    """The framework whose CORS middleware answers like ``response``, else ``None``.

    Each rule is measured against the real middlewares (``tests/frameworks/stacks.py``) and
    matches none of the others:

    * ``400 Disallowed CORS ...``: Starlette's CORSMiddleware (FastAPI's too: ``starlette``)
      with its preflight headers, Litestar's without any;
    * ``403 CORS preflight request failed: ...``: aiohttp-cors;
    * a lower-case ``Vary: origin`` before ``Access-Control-Allow-Origin`` (or without it):
      django-cors-headers, which adds the ``Vary`` to every response first; after it:
      sanic-ext;
    * ``Access-Control-Allow-Origin`` directly followed by ``Access-Control-Expose-Headers``,
      both in that exact case: flask-cors (sanic-ext's order, in lower case).
    """
    body = response.body[:200]
    names = _names(response)
    lowered = [n.lower() for n in names]
    if response.status == 400 and body.startswith(b"Disallowed CORS "):
        return "starlette" if "access-control-allow-methods" in lowered else "litestar"
    if response.status == 403 and body.startswith(b"CORS preflight request failed: "):
        return "aiohttp"
    vary = _origin_in_vary(response)
    acao = next((i for i, n in enumerate(lowered) if n == "access-control-allow-origin"), None)
    if vary is not None:
        return "django" if acao is None or vary < acao else "sanic"
    if ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers") in pairwise(names):
        return "flask"
    return None


def framework_of(target: object, exchanges: Sequence[Exchange] = ()) -> str | None:
    """The framework serving ``target``: from the target itself when it is in-process, else
    from the middleware's fingerprint in the responses (the last one first)."""
    found = target_framework(target)
    if found:
        return found
    for exchange in reversed(exchanges):
        found = fingerprint(exchange.response)
        if found:
            return found
    return None


# -- which cause ---------------------------------------------------------------------------


def refused(response: Response) -> list[str]:
    """The causes a CORS middleware's refusal names in its body: ``origin``, ``method``,
    ``header`` (Starlette's and Litestar's ``Disallowed CORS origin, method``, aiohttp-cors'
    ``CORS preflight request failed: request method 'PUT' is not allowed ...``)."""
    if response.status not in (400, 403):
        return []
    body = response.body[:500].decode("utf-8", "replace")
    starlette = re.match(r"Disallowed CORS (.*)", body)
    if starlette:
        words = [w.strip().lower() for w in starlette.group(1).split(",")]
        named = {"origin": "origin", "method": "method", "headers": "header"}
        return [named[w] for w in words if w in named]
    if body.startswith("CORS preflight request failed: "):
        reason = body.removeprefix("CORS preflight request failed: ")
        if reason.startswith("request method"):
            return ["method"]
        if reason.startswith("headers are not allowed"):
            return ["header"]
        if reason.startswith(("origin '", "no origins")):
            return ["origin"]
    return []


def framework_hint(
    failure_code: str, framework: str | None, details: Mapping[str, str] | None = None
) -> str | None:
    """The fix for ``failure_code`` in ``framework``'s CORS middleware, or ``None`` when the
    framework is unknown or has no setting for it.

    ``details``: ``origin``, ``method``, ``header``, ``expose`` (the header names the page
    cannot read), and ``refused`` (the causes a refusal named, :func:`refused`, comma-separated:
    they win over the code, which for a refusal without CORS headers is only the missing
    ``Access-Control-Allow-Origin``).
    """
    templates = _TEMPLATES.get(framework or "")
    if templates is None or framework is None:
        return None
    values = dict(details or {})
    causes = [c for c in values.get("refused", "").split(",") if c]
    if not causes:
        cause = _CAUSES.get(failure_code)
        causes = [cause] if cause else []
    header = values.get("header", "")
    method = values.get("method", "")
    values.setdefault("origin", "")
    values["header_lower"] = header.lower()
    values["responder"] = f"on_{method.lower()}"
    fixes = []
    for cause in causes:
        template = templates.get(cause)
        if template is None or (cause == "method" and not method):
            continue
        if cause == "header" and not header:
            continue
        fixes.append(template.format_map(values))
    if not fixes:
        return None
    return f"In {NAMES[framework]}: {'; '.join(fixes)}. See {page(framework)}."


def _requested(exchanges: Iterable[Exchange]) -> tuple[str, str]:
    """The method and headers the last preflight asked for."""
    for exchange in reversed(list(exchanges)):
        if exchange.kind == "preflight":
            headers = exchange.request.headers
            return (
                headers.get("Access-Control-Request-Method") or "",
                headers.get("Access-Control-Request-Headers") or "",
            )
    return "", ""


def outcome_hint(target: object, outcome: Outcome, expose: Sequence[str] = ()) -> str | None:
    """The framework fix for a blocked ``outcome`` of a fetch to ``target`` (or, with
    ``expose``, for those response headers the page cannot read), else ``None``."""
    return hint_for(framework_of(target, outcome.exchanges), outcome, expose)


def hint_for(framework: str | None, outcome: Outcome, expose: Sequence[str] = ()) -> str | None:
    """The fix in ``framework`` for a blocked ``outcome`` (or, with ``expose``, for those
    response headers the page cannot read), else ``None``: for callers that know the
    framework already (a contract run asks its target once, not once per check)."""
    if framework is None:
        return None
    exchanges = outcome.exchanges
    method, headers = _requested(exchanges)
    details = {"origin": outcome.request.origin.serialize(), "method": method, "header": headers}
    if expose:
        details["expose"] = ", ".join(expose)
        return framework_hint(EXPOSE, framework, details)
    failure = outcome.failure
    if failure is None:
        return None
    if failure.code == "CORSMethodNotFound":
        details["method"] = failure.failed_parameter
    elif failure.code == "CORSMissingAllowHeaderFromPreflight":
        details["header"] = failure.failed_parameter
    if failure.step == "preflight" and exchanges:
        details["refused"] = ",".join(refused(exchanges[-1].response))
    return framework_hint(failure.code, framework, details)
