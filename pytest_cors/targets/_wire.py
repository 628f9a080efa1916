"""What every adapter shares: the URL split, the header lines a wire client sends, error text.

Kept free of any framework import so that ``import pytest_cors.targets`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from pytest_cors.errors import CorsUsageError, TargetError
from pytest_cors.http import Request

DEFAULT_PORTS = {"http": 80, "https": 443}
# Methods an HTTP/1.1 client sends without Content-Length when there is no body (urllib3 and
# browsers agree: POST/PUT/PATCH with no body still announce "Content-Length: 0").
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "DELETE", "TRACE", "OPTIONS", "CONNECT"})


@dataclass(frozen=True)
class UrlParts:
    """An absolute http(s) URL cut into what WSGI environs and ASGI scopes need."""

    scheme: str
    host: str  # without IPv6 brackets
    port: int
    netloc: str  # host[:port] as a Host header spells it (default port dropped)
    path: str  # still percent-encoded, never empty
    query: str


@lru_cache(maxsize=1024)
def split_url(url: str) -> UrlParts:
    """Cut ``url``; a relative or non-http URL is a usage error the flow should never make.

    Cached: a contract run sends many requests to the same few URLs (the result is frozen).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise TargetError(f"cannot send to {url!r}: an absolute http(s) URL is needed")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:  # a port out of range or not a number
        raise TargetError(f"cannot send to {url!r}: {exc}") from None
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    netloc = shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    return UrlParts(scheme, host, port, netloc, parts.path or "/", parts.query)


def without_userinfo(url: str) -> str:
    """``url`` minus any ``user:password@``: clients turn it into an ``Authorization`` header,
    and adapters never add credentials the request does not carry."""
    netloc = urlsplit(url).netloc
    if "@" not in netloc:
        return url
    return url.replace(netloc, netloc.rpartition("@")[2], 1)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute http(s) URL: lower-cased, default port dropped."""
    parts = split_url(url)
    return f"{parts.scheme}://{parts.netloc}"


def named_origins(base_url: str, allow_origins: Iterable[str] = ()) -> frozenset[str]:
    """The origins a live target may reach: its base URL's, plus those the user allowed.

    A bad entry is a usage error naming what is accepted.
    """
    named = set()
    for url in (base_url, *allow_origins):
        if not isinstance(url, str):
            raise CorsUsageError(f"allow_origins takes origin strings, got {url!r}")
        try:
            named.add(origin_of(url))
        except TargetError as exc:
            why = exc.detail.rpartition(": ")[2]
            raise CorsUsageError(
                f"{url!r} is not a usable base URL ({why}): a live target needs an absolute "
                "http(s) URL such as 'http://127.0.0.1:8000' or 'https://api.example.com'"
            ) from None
    return frozenset(named)


def refuse_unnamed(
    request: Request, named: frozenset[str], target: str, *, redirect: bool = False
) -> None:
    """Refuse to send ``request`` over the network to an origin the user did not name.

    A browser follows a redirect anywhere; a test kit holding the user's session must not, so
    the redirect is reported instead of followed (the user can name that origin explicitly).
    """
    origin = origin_of(request.url)
    if origin in named:
        return
    what = f"redirect to {origin} not followed" if redirect else f"{origin} was not named"
    raise TargetError(
        f"{request.method} {request.url}: {what}: pytest-cors only talks to the host you named "
        f"({', '.join(sorted(named))}); pass that origin's URL explicitly, or allow it with "
        f"pytest_cors.targets.adapt(target, allow_origins=[{origin!r}])",
        target=target,
    )


def wire_headers(request: Request) -> list[tuple[str, str]]:
    """The header lines an HTTP/1.1 client puts on the wire for ``request``.

    The request's own lines, in order, duplicates kept, preceded by ``Host`` (from the URL) when
    the request has none and followed by ``Content-Length`` when a body (or a body-carrying method)
    calls for one. In-process adapters hand exactly these to the app so that an app sees the same
    lines in-process as behind a real server.
    """
    lines = list(request.headers.items())
    names = {name.lower() for name, _ in lines}
    if "host" not in names:
        lines.insert(0, ("Host", split_url(request.url).netloc))
    if "content-length" not in names and "transfer-encoding" not in names:
        if request.body is not None:
            lines.append(("Content-Length", str(len(request.body))))
        elif request.method.upper() not in _NO_BODY_METHODS:
            lines.append(("Content-Length", "0"))
    return lines


_BLANKS = " \t"


def header_lines(text: str) -> list[tuple[str, str]]:
    """Raw header lines up to the first empty one, as a lenient HTTP/1.1 client reads them.

    The name is kept as written (blanks before the colon included); the value loses its
    surrounding blanks; an obs-fold continuation line joins the previous value with a space; a
    line without a colon is dropped.
    """
    lines: list[tuple[str, str]] = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            break
        if line[0] in " \t" and lines:
            name, value = lines[-1]
            lines[-1] = (name, " ".join(p for p in (value, line.strip(_BLANKS)) if p))
            continue
        name, colon, value = line.partition(":")
        if colon:
            lines.append((name, value.strip(_BLANKS)))
    return lines


def describe(obj: object) -> str:
    """A short name for a target object in error messages."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def app_error(request: Request, exc: BaseException, target: str) -> TargetError:
    """The in-process app raised instead of answering: no response, so no verdict."""
    return TargetError(
        f"{request.method} {request.url}: the app raised {type(exc).__name__}: {exc}",
        target=target,
    )


class WireFault(Exception):
    """An answer no HTTP/1.1 client can use, found by the kit's own client (``_http1``).

    ``what`` is the phrase :func:`wire_error` reports; the message gives the detail. A fault
    says itself what happened, so that words in the server's own bytes (quoted in the detail)
    never decide how it is described.
    """

    what = "the request failed"


class NotHttp(WireFault):
    what = "the answer is not HTTP"


class HeadTooLarge(WireFault):
    what = "the response header block is too large for the HTTP client"


class NoResponse(WireFault):
    what = "the server closed the connection without a response"


class BrokenResponse(WireFault):
    what = "the connection broke before the response was complete"


# Words (exception names or messages, anywhere in the cause chain) mapped to what happened on the
# wire, checked in order: requests, urllib3, http.client, httpx and httpcore all spell their
# failures differently.
_WIRE_FAILURES = (
    (("timeout", "timed out"), "timed out"),
    (("nameresolution", "gaierror", "name or service"), "the host name could not be resolved"),
    (
        ("certificate", "sslerror", "[ssl", "tlsv1 alert", "handshake"),
        "the TLS handshake failed",
    ),
    (
        ("more than 100 headers", "linetoolong", "got more than", "receive buffer too long"),
        "the response header block is too large for the HTTP client",
    ),
    (("connectionrefused", "connection refused"), "connection refused"),
    (("newconnectionerror", "connecterror"), "could not connect"),
    (
        ("remotedisconnected", "without sending a response", "without response"),
        "the server closed the connection without a response",
    ),
    (
        ("incompleteread", "chunkedencoding", "peer closed", "connectionreset", "readerror"),
        "the connection broke before the response was complete",
    ),
    (("badstatusline", "protocolerror", "invalid http"), "the answer is not HTTP"),
)


def wire_error(request: Request, exc: BaseException, target: str, timeout: float) -> TargetError:
    """A live target gave no usable response; name the URL, the method and what went wrong."""
    chain = causes(exc)
    fault = next((e for e in chain if isinstance(e, WireFault)), None)
    if fault is not None:
        what = fault.what
    else:
        haystack = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
        what = next(
            (text for keys, text in _WIRE_FAILURES if any(k in haystack for k in keys)),
            "the request failed",
        )
    if what == "timed out":
        what = f"timed out after {timeout:g} s"
    return TargetError(f"{request.method} {request.url}: {what} ({exc})", target=target)


def died_before_answer(exc: BaseException) -> bool:
    """The connection was reset or closed before any answer: a stale kept-alive connection.

    A connection the server closed a moment ago looks usable until written to; browsers retry
    such a request once on a fresh connection, and so do the live adapters. Garbage, a timeout
    or a response broken off half-way are not retried.
    """
    for e in causes(exc):
        if isinstance(e, TimeoutError) or "timeout" in type(e).__name__.lower():
            return False
    return any(
        isinstance(e, (ConnectionResetError, BrokenPipeError))
        or "without sending a response" in str(e)
        for e in causes(exc)
    )


def causes(exc: BaseException) -> list[BaseException]:
    """``exc``, its causes and contexts, and exceptions wrapped in its args (as requests does)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        e = todo.pop(0)
        if any(e is s for s in seen):
            continue
        seen.append(e)
        todo.extend(a for a in e.args if isinstance(a, BaseException))
        todo.extend(x for x in (e.__cause__, e.__context__) if x is not None)
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return seen
