"""Reading HAR files: the cross-origin calls a frontend really makes, as the contract needs them.

DevTools' "Save all as HAR" (HAR 1.2, Chromium and Firefox alike) records every request a page
made. :func:`parse_har` keeps the cross-origin ``fetch()``/XHR calls among them and tells, for
each, what a CORS policy must grant for it to keep working (:class:`HarCall`):

* the page's origin: the request's ``Origin`` header, else the origin of the page the entry
  belongs to (``pages[].title`` is its URL), else of the ``Referer``;
* the URL path (the query string left out) and the method;
* the request headers the *script* set: those the browser adds by itself
  (:data:`pytest_cors.devtools.BROWSER_ADDED`, ``Sec-*``, forbidden names) and CORS-safelisted
  ones (which need no permission) are dropped;
* credentials: the request carried a ``Cookie`` header (or cookies), which a cross-origin
  request only does under ``credentials: "include"``;
* the response headers the page may read beyond the safelisted ones: the names the response's
  ``Access-Control-Expose-Headers`` listed that the response carried.

Preflights (``OPTIONS`` with ``Access-Control-Request-Method``), navigations, same-origin
requests and no-CORS loads (images, scripts, ``mode: "no-cors"``) are left out. Pure: no I/O
beyond reading the file in :func:`read_har`. A malformed file raises
:class:`~pytest_cors.errors.CorsUsageError` naming the file and the part that is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pytest_cors.devtools import BROWSER_ADDED
from pytest_cors.engine.profiles import get_profile
from pytest_cors.engine.request import is_forbidden_header, is_safelisted_header
from pytest_cors.engine.response import SAFELISTED_RESPONSE_HEADERS
from pytest_cors.errors import CorsUsageError

__all__ = ["HarCall", "Need", "needs", "parse_har", "read_har"]

_NOT_CORS_TYPES = frozenset(
    {"document", "stylesheet", "script", "image", "media", "font", "manifest", "other", "ping"}
)
"""Chromium's ``_resourceType`` values that are not a ``fetch()``/XHR (no CORS check unless the
element asked for one, which then shows as ``Sec-Fetch-Mode: cors``)."""
RESOURCE_TYPE = "_resourceType"
"""Chromium's entry field naming what loaded the resource (HAR 1.2 puts a tool's own fields
under names that start with ``_``): data of the file, no private API."""
_SCRIPT_SET_EXCLUDED = frozenset({"origin", "cookie", "access-control-request-method"})


@dataclass(frozen=True)
class HarCall:
    """One cross-origin call of the frontend, as a policy must grant it."""

    origin: str
    """The page's origin, serialized (``https://app.example.com``)."""
    url_origin: str
    """The origin the call went to (the backend as the frontend knows it)."""
    path: str
    method: str
    headers: tuple[str, ...] = ()
    """Request headers the script set that need the server's permission, as written."""
    credentials: bool = False
    expose: tuple[str, ...] = ()
    """Response headers, beyond the safelisted ones, the page was allowed to read."""
    status: int = 0
    """The response's status; 0 when the browser got none it could read (a CORS error)."""
    source: str = ""
    """``file.har: entry N``: where the call was read."""


def read_har(path: str | Path) -> list[HarCall]:
    """The cross-origin calls recorded in the HAR file ``path``."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CorsUsageError(f"cannot read the HAR file {where!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CorsUsageError(f"{where}: not a HAR file (not UTF-8 text: {exc.reason})") from None
    return parse_har(text, where)


def parse_har(text: str, where: str = "<har>") -> list[HarCall]:
    """The cross-origin calls of a HAR document given as text (``where`` names it in errors)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CorsUsageError(
            f"{where}: not a HAR file: not valid JSON ({exc}); save it from DevTools' Network "
            "panel with 'Save all as HAR'"
        ) from None
    log = data.get("log") if isinstance(data, Mapping) else None
    if not isinstance(log, Mapping):
        raise CorsUsageError(f"{where}: not a HAR file: it has no 'log' object at the top")
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise CorsUsageError(f"{where}: not a HAR file: 'log.entries' must be a list")
    pages = _pages(log.get("pages"), where)
    calls = []
    for index, entry in enumerate(entries):
        call = _call(entry, pages, f"{where}: entry {index + 1}")
        if call is not None:
            calls.append(call)
    return calls


def _pages(raw: object, where: str) -> dict[str, str]:
    """Page id -> the page's origin (Chromium and Firefox put the page's URL in its title)."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise CorsUsageError(f"{where}: 'log.pages' must be a list")
    found = {}
    for page in raw:
        if isinstance(page, Mapping) and isinstance(page.get("id"), str):
            origin = _origin(str(page.get("title", "")))
            if origin:
                found[page["id"]] = origin
    return found


def _origin(url: str) -> str:
    """The serialized origin of an http(s) URL, ``""`` for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = 443 if parts.scheme == "https" else 80
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def _headers(raw: object, where: str) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CorsUsageError(f"{where}: 'headers' must be a list of {{name, value}} objects")
    found = []
    for item in raw:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise CorsUsageError(f"{where}: a header must be an object with a 'name' and a 'value'")
        found.append((item["name"], str(item.get("value", ""))))
    return found


def _get(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _call(entry: object, pages: Mapping[str, str], where: str) -> HarCall | None:
    if not isinstance(entry, Mapping):
        raise CorsUsageError(f"{where}: an entry must be an object with 'request' and 'response'")
    request = entry.get("request")
    if not isinstance(request, Mapping):
        raise CorsUsageError(f"{where}: it has no 'request' object")
    url, method = request.get("url"), request.get("method")
    if not isinstance(url, str) or not url:
        raise CorsUsageError(f"{where}: its request has no 'url'")
    if not isinstance(method, str) or not method:
        raise CorsUsageError(f"{where}: its request has no 'method'")
    sent = _headers(request.get("headers"), f"{where}: request")
    response = entry.get("response")
    if response is not None and not isinstance(response, Mapping):
        raise CorsUsageError(f"{where}: 'response' must be an object")
    answered = _headers((response or {}).get("headers"), f"{where}: response")
    target = _origin(url)
    page = _get(sent, "origin") or ""
    if page.strip() == "null":
        return None  # an opaque origin (a sandboxed page, a file): no contract can name it
    page = _origin(page) or pages.get(str(entry.get("pageref", "")), "")
    page = page or _origin(_get(sent, "referer") or "")
    method = method.upper()
    if not target or not page or page == target or not _is_cors(entry, sent, method):
        return None
    cookies = request.get("cookies")
    credentials = _get(sent, "cookie") is not None or (isinstance(cookies, list) and bool(cookies))
    status = (response or {}).get("status", 0)
    return HarCall(
        origin=page,
        url_origin=target,
        path=urlsplit(url).path or "/",
        method=method,
        headers=_script_set(sent),
        credentials=credentials,
        expose=_exposed(answered),
        status=status if isinstance(status, int) else 0,
        source=where,
    )


def _is_cors(entry: Mapping[str, Any], sent: Sequence[tuple[str, str]], method: str) -> bool:
    """A ``fetch()``/XHR in CORS mode, not a preflight, a navigation or a no-CORS load."""
    if method == "OPTIONS" and _get(sent, "access-control-request-method") is not None:
        return False  # the preflight: its actual request is its own entry
    mode = (_get(sent, "sec-fetch-mode") or "").strip().lower()
    if mode:
        return mode == "cors"
    kind = str(entry.get(RESOURCE_TYPE, "")).lower()
    if kind:
        return kind not in _NOT_CORS_TYPES
    return _get(sent, "origin") is not None


def _script_set(sent: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The request headers the page's script set that need the server's permission."""
    profile = get_profile("spec")
    no_cache = any(k.lower() == "pragma" and v.strip() == "no-cache" for k, v in sent)
    names: dict[str, str] = {}
    for name, value in sent:
        key = name.lower()
        if key.startswith(":") or key in _SCRIPT_SET_EXCLUDED or key in BROWSER_ADDED:
            continue
        if key.startswith(("sec-", "access-control-request-")) or is_forbidden_header(key, value):
            continue
        if (key == "accept" and value.strip() == "*/*") or (
            no_cache and key in ("pragma", "cache-control")  # DevTools' "Disable cache"
        ):
            continue
        if is_safelisted_header(name, value, profile):
            continue
        names.setdefault(key, name)
    return tuple(names.values())


def _exposed(answered: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """Names ``Access-Control-Expose-Headers`` listed that the response carried."""
    listed: dict[str, str] = {}
    for name, value in answered:
        if name.lower() == "access-control-expose-headers":
            for token in value.split(","):
                token = token.strip()
                if token and token != "*" and token.lower() not in SAFELISTED_RESPONSE_HEADERS:
                    listed.setdefault(token.lower(), token)
    present = {name.lower() for name, _ in answered}
    return tuple(shown for key, shown in listed.items() if key in present)


@dataclass(frozen=True)
class Need:
    """What the frontend needs on one path: every call to it, folded together."""

    path: str
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...] = ()
    credentials: bool = False
    expose: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def needs(calls: Iterable[HarCall]) -> dict[str, Need]:
    """The calls to each path folded into one :class:`Need` (first-seen order everywhere;
    credentials when any call sent them)."""
    folded: dict[str, Need] = {}
    for call in calls:
        before = folded.get(call.path) or Need(call.path, (), ())
        folded[call.path] = Need(
            path=call.path,
            origins=_union(before.origins, (call.origin,)),
            methods=_union(before.methods, (call.method,)),
            headers=_union(before.headers, call.headers),
            credentials=before.credentials or call.credentials,
            expose=_union(before.expose, call.expose),
            sources=(*before.sources, call.source),
        )
    return folded


def _union(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    seen = {name.lower(): name for name in first}
    for name in second:
        seen.setdefault(name.lower(), name)
    return tuple(seen.values())
