"""Every reach into another library's private or undocumented API, in one place.

The adapters in :mod:`pytest_cors.targets` and the contract's regex sampler need a few things
their libraries do not offer publicly (a client's transport, the exact header lines a response
holds, the thread a loop runs in, a regex's parse tree). Each such reach is one function here,
and nowhere else (``tests/test_compat.py`` fails on a private reach in any other module).

Every function below says, in its docstring:

* the library and the private (or undocumented) name it reads;
* the versions it was run against: those pinned in ``constraints.txt``, and the range it is
  expected to work for (from the floor ``pyproject.toml`` admits: not run here, read from the
  library's history);
* what the kit does when the name is gone: each one feature-detects, then falls back to a
  public path or to a degraded behaviour it states. No ``AttributeError`` from a moved private
  name reaches a user.

``tests/test_compat.py`` runs each against the installed library, and its fallback against a
stand-in without the private name. This module imports no third-party library at module level:
``import pytest_cors.targets`` loads it, and stays cheap.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from pytest_cors.errors import CorsUsageError

if TYPE_CHECKING:
    import asyncio
    import http.client

_MISSING = object()


# -- httpx (and httpx2, the same client API) ----------------------------------------------------


def httpx_transport(client: Any) -> Any | None:
    """The transport an ``httpx.Client``/``AsyncClient`` sends through when no mount matches.

    httpx private name: ``Client._transport`` (set from the ``transport=`` argument, or the
    default ``HTTPTransport``). Run on httpx 0.29.0 and httpx2 2.17.0 (pinned); present since
    httpx 0.18 (``mounts``), so across the ``httpx>=0.27`` the kit admits. Gone: ``None`` (the
    caller then treats the client as it treats a client with no transport it knows).
    """
    return getattr(client, "_transport", None)


def httpx_transports(client: Any) -> list[Any]:
    """Every transport a client may send through: its own, then each mounted one.

    httpx private names: ``Client._transport`` and ``Client._mounts`` (a dict of URL pattern to
    transport, from ``mounts=``). Run on httpx 0.29.0 and httpx2 2.17.0 (pinned); both present
    since httpx 0.18. Gone: the missing ones are left out, so a client whose transports cannot
    be found counts as in-process (no named-origins guard), as it always has.
    """
    own = getattr(client, "_transport", None)
    mounts = getattr(client, "_mounts", None)
    mounted = list(mounts.values()) if isinstance(mounts, Mapping) else []
    return [own, *mounted] if own is not None else mounted


def httpx_transport_for_url(client: Any, url: str, make_url: Callable[[str], Any]) -> Any | None:
    """The transport the client would send a request for ``url`` through (mounts applied).

    httpx private name: ``Client._transport_for_url(URL)``. Run on httpx 0.29.0 and httpx2
    2.17.0 (pinned); present since httpx 0.18. Gone: the client's own transport
    (:func:`httpx_transport`, mounts ignored); anything raising on the way: ``None``, and the
    caller sends through httpx as any client sends.
    """
    find = getattr(client, "_transport_for_url", None)
    try:
        return find(make_url(url)) if callable(find) else httpx_transport(client)
    except Exception:  # a private API that changed its signature: httpx sends as it can
        return None


# -- Starlette's TestClient ---------------------------------------------------------------------


def starlette_portal(client: Any) -> Any | None:
    """The anyio blocking portal of an entered Starlette ``TestClient``, else ``None``.

    Starlette undocumented name: ``TestClient.portal`` (set by ``__enter__``, ``None``
    otherwise). Run on Starlette 1.10.0 (pinned); expected across the ``starlette>=0.37`` the
    kit admits (not run here). Gone: ``None``, and the client's
    requests go through httpx (the public path: the client as it is).
    """
    return getattr(client, "portal", None)


def starlette_raises_server_exceptions(client: Any) -> bool:
    """Whether a Starlette ``TestClient`` re-raises the app's exceptions (its default).

    Starlette undocumented name: ``raise_server_exceptions`` on the client's transport (the
    private ``_TestClientTransport``, reached through httpx's ``Client._transport``). Run on
    Starlette 1.10.0 (pinned); expected across ``starlette>=0.37`` (not run here). Gone:
    ``False``, and the client's requests go through httpx, as a client built with
    ``raise_server_exceptions=False`` goes.
    """
    return bool(getattr(httpx_transport(client), "raise_server_exceptions", False))


def starlette_scope(client: Any) -> dict[str, Any] | None:
    """The scope keys a Starlette ``TestClient`` would set: ``root_path``, ``client`` (when the
    transport knows one) and ``state`` (a copy of the lifespan state).

    Starlette undocumented names: ``root_path`` and ``client`` on the client's transport (the
    private ``_TestClientTransport``), and ``TestClient.app_state``. Run on Starlette 1.10.0
    (pinned); expected across ``starlette>=0.37`` (not run here), ``client`` being the newest
    (when missing it is left out: the kit's default client address stays). Gone
    (``app_state`` or ``root_path`` missing, or of another type): ``None``, and the caller sends
    through httpx rather than drive the app with a scope missing its lifespan state.
    """
    transport = httpx_transport(client)
    root_path = getattr(transport, "root_path", _MISSING)
    state = getattr(client, "app_state", _MISSING)
    if not isinstance(root_path, str) or not isinstance(state, Mapping):
        return None
    scope: dict[str, Any] = {"root_path": root_path, "state": dict(state)}
    address = getattr(transport, "client", _MISSING)
    if address is not _MISSING:
        scope["client"] = address
    return scope


# -- Django ---------------------------------------------------------------------------------------


def django_handler(client: Any) -> Any:
    """The request handler of a ``django.test.Client`` (``ClientHandler``) or ``AsyncClient``
    (``AsyncClientHandler``), which the kit feeds its own environ or scope.

    Django undocumented name: ``Client.handler`` / ``AsyncClient.handler``. Run on Django 5.2.20
    (pinned); long-standing (async: since ``AsyncClient``, Django 3.1), so expected across the
    ``django>=4.2`` the kit admits. Gone: a :class:`~pytest_cors.errors.CorsUsageError` saying
    so (the kit has no other way in that keeps the test client's settings), never an
    ``AttributeError``.
    """
    handler = getattr(client, "handler", None)
    if not callable(handler):
        raise CorsUsageError(
            f"{type(client).__name__} has no request handler (Django's undocumented "
            "`Client.handler`): this Django release is not supported by pytest-cors yet"
        )
    return handler


def django_header_store(headers: Any) -> list[tuple[str, str]] | None:
    """The ``(name as written, value)`` pairs of a Django ``ResponseHeaders``, in order.

    Django private name: ``ResponseHeaders._store`` (a dict of lower-cased name to that pair,
    from ``CaseInsensitiveMapping``). Run on Django 5.2.20 (pinned); present since Django 3.2,
    which added ``ResponseHeaders``. Gone or not a dict: ``None``, and the caller reads
    ``response.items()`` (public; slower, same lines).
    """
    store = vars(headers).get("_store") if hasattr(headers, "__dict__") else None
    if type(store) is not dict:
        return None
    return list(store.values())


def django_stream_closer(response: Any) -> Any | None:
    """The test client's closing wrapper around a streaming response's iterator.

    Django private name: ``StreamingHttpResponse._iterator``, which the test client's handler
    replaces with ``closing_iterator_wrapper`` / ``aclosing_iterator_wrapper`` (closing it sends
    ``request_finished`` the way the test client does, with the database connection kept). Run
    on Django 5.2.20 (pinned); expected across ``django>=4.2`` (not run here). Gone: ``None``,
    and the stream is left for the garbage collector (no ``request_finished`` for it), which
    never closes the test's database connection.
    """
    return getattr(response, "_iterator", None)


DJANGO_BODY_KEY = "_body_file"
"""The scope key Django's ``AsyncClientHandler`` takes the request body from (see below)."""


def django_set_body(scope: dict[str, Any], payload: Any) -> None:
    """Put a request body where Django's ``AsyncClientHandler`` reads it.

    Django private name: the ``"_body_file"`` scope key (a ``FakePayload``), which
    ``django.test.client.AsyncClientHandler.__call__`` pops from the scope. Run on Django 5.2.20
    (pinned); expected across ``django>=4.2`` (not run here). Gone: the handler leaves the key in
    place; :func:`django_check_body_read` then says so rather than let a view judge an empty
    body.
    """
    scope[DJANGO_BODY_KEY] = payload


def django_check_body_read(scope: Mapping[str, Any], body: bytes | None) -> None:
    """Raise a :class:`~pytest_cors.errors.CorsUsageError` when a request had a body and Django's
    handler did not take it from the scope (see :func:`django_set_body`)."""
    if body and DJANGO_BODY_KEY in scope:
        raise CorsUsageError(
            "Django's AsyncClient handler did not read the request body from the scope's "
            f"{DJANGO_BODY_KEY!r} key: this Django release is not supported by pytest-cors "
            "yet for requests with a body (use the sync Client)"
        )


# -- requests / urllib3 -------------------------------------------------------------------------


def urllib3_header_dict() -> type[Any]:
    """urllib3's ``HTTPHeaderDict`` (a multi-dict: duplicate request lines stay separate).

    Public as ``urllib3.HTTPHeaderDict`` since urllib3 2.0 (pinned: 2.8.0), which is used when
    present; urllib3 1.26 (which ``requests>=2.28`` still admits) has it only in the private
    ``urllib3._collections``. Neither: a :class:`~pytest_cors.errors.CorsUsageError` saying
    so, never an ``ImportError`` from a private module.
    """
    found: Any = None
    for module in ("urllib3", "urllib3._collections"):  # public first
        try:
            found = getattr(importlib.import_module(module), "HTTPHeaderDict", None)
        except ImportError:
            found = None
        if found is not None:
            break
    if not isinstance(found, type):
        raise CorsUsageError(
            "urllib3 has no HTTPHeaderDict (public since urllib3 2.0, in urllib3._collections "
            "before): this urllib3 release is not supported by pytest-cors yet"
        )
    return found


def urllib3_original_response(raw: Any) -> http.client.HTTPResponse | None:
    """The ``http.client.HTTPResponse`` behind a urllib3 response: its lines as received.

    urllib3 private name: ``HTTPResponse._original_response``. Run on urllib3 2.8.0 (pinned);
    present since urllib3 1.x, so across every urllib3 ``requests>=2.28`` admits. Gone, or not
    an ``http.client.HTTPResponse`` (a mocked response): ``None``, and the caller reads
    ``raw.headers`` (public: urllib3's merged view, duplicate lines joined).
    """
    import http.client  # lazy: it loads email; the URL client's path loads neither

    original = getattr(raw, "_original_response", None)
    return original if isinstance(original, http.client.HTTPResponse) else None


def requests_content_consumed(resp: Any) -> bool:
    """Whether a ``requests.Response``'s body was read already (``responses`` reads a mocked
    body before handing the response over).

    requests private name: ``Response._content_consumed``. Run on requests 2.34.2 (pinned);
    present since requests 1.0, so across the ``requests>=2.28`` the kit admits. Gone or not a
    ``bool``: ``False``, and the body is read from the raw stream, which for a body read
    already is empty (the status and headers, which the verdicts rest on, are unaffected).
    """
    consumed = getattr(resp, "_content_consumed", False)
    return consumed if isinstance(consumed, bool) else False


# -- asyncio, aiohttp ------------------------------------------------------------------------


def loop_thread_id(loop: asyncio.AbstractEventLoop) -> int | None:
    """The id of the thread running ``loop`` (``None`` when it runs nowhere).

    asyncio private name: ``BaseEventLoop._thread_id``. Run on CPython 3.11 (the only Python
    CI has); long-standing in CPython's loops, so expected across the ``>=3.10`` the kit
    claims. Gone (a loop implementation without it): ``None``, and a sync call made from
    inside the async test whose loop serves the client is no longer refused up front: it
    waits for its time-out.
    """
    thread_id = getattr(loop, "_thread_id", None)
    return thread_id if isinstance(thread_id, int) else None


def aiohttp_server_loop(client: Any) -> Any | None:
    """The event loop serving an aiohttp ``test_utils.TestClient``'s test server.

    aiohttp private name: ``web_server.Server._loop``, reached as ``client.server.runner.server``
    (``TestClient.server`` and ``BaseRunner.server`` are public; ``BaseTestServer.runner`` is
    undocumented). Run on aiohttp 3.14.5 (pinned); expected across the ``aiohttp>=3.9`` the kit
    admits (not run here). Gone: ``None``, and each request is awaited on the loop
    that sends it: from a sync test whose async fixture started the client (its loop idle),
    the request then times out instead of being answered.
    """
    runner = getattr(getattr(client, "server", None), "runner", None)
    loop = getattr(getattr(runner, "server", None), "_loop", None)
    return loop if callable(getattr(loop, "run_until_complete", None)) else None


def aiohttp_replace_handler(route: Any, handler: Any) -> Any | None:
    """Make an aiohttp ``ResourceRoute`` call ``handler`` (the contract's ``exception`` fault;
    the route's ``handler`` is a read-only property and a started app's router is frozen);
    returns the handler it replaced.

    aiohttp private name: ``AbstractRoute._handler``, read by the public ``handler`` property
    on every request. Run on aiohttp 3.14.5 (pinned); expected across the ``aiohttp>=3.9`` the
    kit admits (not run here). Gone: ``None``, nothing changed, and the fault is reported as
    not applicable to an aiohttp app.
    """
    previous = getattr(route, "_handler", None)
    if previous is None or not callable(handler):
        return None
    route._handler = handler
    return previous


# -- Falcon ------------------------------------------------------------------------------------


def falcon_router(app: Any) -> Any | None:
    """The router of a ``falcon.App`` (``falcon.asgi.App``), whose documented ``find(uri)``
    gives the resource and the method map of responders serving a path.

    Falcon private name: ``App._router`` (an app built with ``App(router=...)`` holds that
    router there; Falcon has no public getter). Run on falcon 4.4.0 (pinned); expected across
    the ``falcon>=4.0`` the kit admits (not run here). Gone: ``None``, and the ``exception``
    fault is reported as not applicable to a Falcon app.
    """
    router = getattr(app, "_router", None)
    return router if callable(getattr(router, "find", None)) else None


# -- the standard library's regex parser ------------------------------------------------------


def sre_parse(pattern: str) -> Iterable[tuple[Any, Any]]:
    """The parse tree of ``pattern`` (``(opcode, argument)`` pairs, opcodes named by ``str``).

    CPython private module: ``re._parser`` (Python 3.11+; ``sre_parse`` before, which 3.11+
    keeps as a deprecated alias). Run on CPython 3.11; the tree's shape has been the same since
    Python 3.5 (3.11 added ``ATOMIC_GROUP`` and ``POSSESSIVE_REPEAT``). Gone: an empty tree, so
    the contract's regex sampler finds no sample and no risky repeat, and only its fixed probes
    judge the regex (as for a regex it cannot follow). A pattern that is not a regex still
    raises ``re.error``.
    """
    parser: Any = None
    if sys.version_info >= (3, 11):
        try:
            parser = importlib.import_module("re._parser")
        except ImportError:
            parser = None
    else:  # pragma: no cover - Python 3.10
        import sre_parse as parser  # lazy: Python 3.10 only (3.11+ warns: deprecated)
    parse = getattr(parser, "parse", None)
    if not callable(parse):
        return []
    return cast("Iterable[tuple[Any, Any]]", parse(pattern))
