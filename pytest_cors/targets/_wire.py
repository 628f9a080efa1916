"""What every adapter shares: the URL split, the header lines a wire client sends, error kinds.

Kept free of any framework import so that ``import pytest_cors.targets`` stays cheap.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pytest_cors._memo import memoised
from pytest_cors.errors import (
    CorsUsageError,
    TargetConnectionError,
    TargetDNSError,
    TargetError,
    TargetProtocolError,
    TargetTimeoutError,
    TargetTLSError,
    hide_user_error,
)
from pytest_cors.http import Request
from pytest_cors.origin import DEFAULT_PORTS

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_HTTP = ("http", "https")  # the schemes a target sends to
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


@memoised()
def split_url(url: str) -> UrlParts:
    """Cut ``url``; a relative or non-http URL is a usage error the flow should never make.

    Cached: a contract run sends many requests to the same few URLs (the result is frozen).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _HTTP or not parts.hostname:
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


class DeadlineExceeded(TimeoutError):
    """The request's overall deadline (its target's ``timeout``) passed before the response
    head was complete. Raised by the kit itself, for a live server or an in-process app; a
    ``TimeoutError`` the app raises on its own is the app's error, not this."""

    def __init__(self, message: str, timeout: float) -> None:
        super().__init__(message)
        self.timeout = timeout


def app_error(request: Request, exc: BaseException, target: str) -> TargetError:
    """The in-process app raised instead of answering: no response, so no verdict. The kit's
    own :class:`DeadlineExceeded` (the app sent no response in time) is a time-out."""
    if isinstance(exc, DeadlineExceeded):
        return TargetTimeoutError(
            f"{request.method} {request.url}: timed out after {exc.timeout:g} s ({exc})",
            target=target,
        )
    return TargetError(
        f"{request.method} {request.url}: the app raised {type(exc).__name__}: {exc}",
        target=target,
    )


class WireFault(Exception):
    """An answer no HTTP/1.1 client can use, found by the kit's own client (``_http1``).

    ``what`` is the phrase :func:`wire_error` reports and ``error`` the
    :class:`~pytest_cors.errors.TargetError` class it raises; the message gives the detail. A
    fault says itself what happened, so that words in the server's own bytes (quoted in the
    detail) never decide how it is described.
    """

    what = "the request failed"
    error: type[TargetError] = TargetError


class NotHttp(WireFault):
    what = "the answer is not HTTP"
    error = TargetProtocolError


class HeadTooLarge(WireFault):
    what = "the response header block is too large for the HTTP client"
    error = TargetProtocolError


class TooManyInterim(WireFault):
    what = "too many interim (1xx) responses before the final one"
    error = TargetProtocolError


class NoResponse(WireFault):
    what = "the server closed the connection without a response"


class BrokenResponse(WireFault):
    what = "the connection broke before the response was complete"


@dataclass(frozen=True)
class Kind:
    """What went wrong on the wire: the error class raised, and the phrase its message uses."""

    error: type[TargetError]
    what: str


TIMED_OUT = Kind(TargetTimeoutError, "timed out")
NO_SUCH_HOST = Kind(TargetDNSError, "the host name could not be resolved")
TLS_FAILED = Kind(TargetTLSError, "the TLS handshake failed")
REFUSED = Kind(TargetConnectionError, "connection refused")
NO_CONNECTION = Kind(TargetConnectionError, "could not connect")
TOO_LARGE = Kind(HeadTooLarge.error, HeadTooLarge.what)
NOT_HTTP = Kind(NotHttp.error, NotHttp.what)
NO_ANSWER = Kind(NoResponse.error, NoResponse.what)
BROKEN = Kind(BrokenResponse.error, BrokenResponse.what)
FAILED = Kind(TargetError, WireFault.what)

# errno values of a connect that found no route to the host
_UNREACHABLE = frozenset(
    getattr(errno, name)
    for name in ("EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN")
    if hasattr(errno, name)
)

# Exception classes of the HTTP libraries, by module and class name, and what each means. They
# are looked up in ``sys.modules`` only: an exception of a library exists only once that library
# is imported, so nothing is imported here. Each table is checked in order for one exception.
_Rules = tuple[tuple[str, tuple[str, ...], Kind], ...]

# The libraries' own findings about the answer: as telling as a standard-library error.
_LIBRARY_FINDINGS: _Rules = (
    ("urllib3.exceptions", ("InvalidChunkLength", "InvalidHeader"), NOT_HTTP),
    ("aiohttp.http_exceptions", ("LineTooLong",), TOO_LARGE),
    ("aiohttp.http_exceptions", ("ContentLengthError", "TransferEncodingError"), BROKEN),
    ("aiohttp.http_exceptions", ("HttpProcessingError",), NOT_HTTP),
    ("aiohttp.client_exceptions", ("ClientConnectorDNSError",), NO_SUCH_HOST),
    ("aiohttp.client_exceptions", ("ClientConnectorCertificateError",), TLS_FAILED),
    ("aiohttp.client_exceptions", ("ClientSSLError",), TLS_FAILED),
    ("aiohttp.client_exceptions", ("ServerDisconnectedError",), NO_ANSWER),
)

# Wrappers: what they say holds only when nothing they wrap says more (urllib3's
# NewConnectionError is a ConnectTimeoutError, and wraps the refusal that says which).
_WRAPPERS: _Rules = (
    ("requests.exceptions", ("Timeout",), TIMED_OUT),
    ("requests.exceptions", ("SSLError",), TLS_FAILED),
    ("requests.exceptions", ("ChunkedEncodingError",), BROKEN),
    ("urllib3.exceptions", ("NameResolutionError",), NO_SUCH_HOST),
    ("urllib3.exceptions", ("NewConnectionError",), NO_CONNECTION),
    ("urllib3.exceptions", ("TimeoutError",), TIMED_OUT),
    ("urllib3.exceptions", ("SSLError",), TLS_FAILED),
    *(
        rule
        for library in ("httpx", "httpx2", "httpcore", "httpcore2")
        for rule in (
            (library, ("TimeoutException",), TIMED_OUT),
            (library, ("ConnectError",), NO_CONNECTION),
            # not raised by h11's parser (its error would be in the chain): httpcore's own
            # finding that the connection ended before any response
            (library, ("RemoteProtocolError",), NO_ANSWER),
            (library, ("ReadError", "WriteError"), BROKEN),
        )
    ),
    ("aiohttp.client_exceptions", ("ClientConnectorError",), NO_CONNECTION),
    ("aiohttp.client_exceptions", ("ClientPayloadError",), BROKEN),
)


def _loaded(module_name: str, name: str) -> type[BaseException] | None:
    """The exception class ``module_name.name`` if that module is imported, else ``None``."""
    cls = getattr(sys.modules.get(module_name), name, None)
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


def _is(exc: BaseException, module_name: str, *names: str) -> bool:
    """Whether ``exc`` is an instance of one of the named classes of an imported module."""
    return any(isinstance(exc, cls) for n in names if (cls := _loaded(module_name, n)))


def _ruled(exc: BaseException, rules: _Rules) -> Kind | None:
    for module_name, names, kind in rules:
        if _is(exc, module_name, *names):
            return kind
    return None


def _timeout(exc: BaseException) -> bool:
    """``TimeoutError`` (``socket.timeout`` is that class), or asyncio's where it is a class of
    its own (Python 3.10; aiohttp raises it)."""
    return isinstance(exc, TimeoutError) or _is(exc, "asyncio.exceptions", "TimeoutError")


def _finding(exc: BaseException) -> Kind | None:
    """What ``exc`` itself says happened, from its class (and errno); ``None`` if it is only a
    wrapper or says nothing the kit reports.

    Standard-library classes are looked up in ``sys.modules`` like the libraries' (an
    ``ssl.SSLError`` exists only once ``ssl`` is imported), so this module imports none.
    """
    if isinstance(exc, WireFault):
        return Kind(exc.error, exc.what)
    if _timeout(exc):
        return TIMED_OUT
    if _is(exc, "socket", "gaierror"):
        return NO_SUCH_HOST
    if _is(exc, "ssl", "SSLError"):  # ssl.CertificateError is one
        return TLS_FAILED
    if _is(exc, "http.client", "RemoteDisconnected"):  # also a reset and a bad status line
        return NO_ANSWER
    if isinstance(exc, ConnectionRefusedError):
        return REFUSED
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return BROKEN
    if _is(exc, "h11", "RemoteProtocolError"):
        # h11 hints 431 (header fields too large) when the head outgrows its buffer
        return TOO_LARGE if getattr(exc, "error_status_hint", None) == 431 else NOT_HTTP
    library = _ruled(exc, _LIBRARY_FINDINGS)
    if library is not None:
        return library
    if _is(exc, "http.client", "LineTooLong"):  # a status or header line over 64 KiB
        return TOO_LARGE
    if type(exc) is _loaded("http.client", "HTTPException"):  # the bare class: over 100 lines
        return TOO_LARGE
    if _is(exc, "http.client", "IncompleteRead"):
        return BROKEN
    if _is(exc, "http.client", "BadStatusLine", "UnknownProtocol"):
        return NOT_HTTP
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return NO_CONNECTION
    return None


def classify(exc: BaseException) -> Kind:
    """What went wrong, from the classes of ``exc`` and of everything it wraps, never from
    any message (those quote the URL, and the server's bytes).

    The first finding in the chain, outermost first, decides; failing one, the first wrapper
    that says something; failing that, :data:`FAILED`.
    """
    chain = causes(exc)
    for e in chain:
        kind = _finding(e)
        if kind is not None:
            return kind
    for e in chain:
        kind = _ruled(e, _WRAPPERS)
        if kind is not None:
            return kind
    return FAILED


def wire_error(request: Request, exc: BaseException, target: str, timeout: float) -> TargetError:
    """A live target gave no usable response; name the URL, the method and what went wrong.

    The error is the :class:`~pytest_cors.errors.TargetError` subclass :func:`classify` finds.
    """
    kind = classify(exc)
    what = f"timed out after {timeout:g} s" if kind == TIMED_OUT else kind.what
    return kind.error(f"{request.method} {request.url}: {what} ({exc})", target=target)


def died_before_answer(exc: BaseException) -> bool:
    """The connection was reset or closed before any answer: a stale kept-alive connection.

    A connection the server closed a moment ago looks usable until written to; browsers retry
    such a request once on a fresh connection, and so do the live adapters. Garbage, a timeout
    or a response broken off half-way are not retried.
    """
    chain = causes(exc)
    if any(_timeout(e) or _ruled(e, _WRAPPERS) == TIMED_OUT for e in chain):
        return False
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError)) for e in chain):
        return True
    return classify(exc) == NO_ANSWER


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
