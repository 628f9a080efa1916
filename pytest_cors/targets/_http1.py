"""The live target's own HTTP/1.1 client: standard-library sockets, kept-alive connections.

Why a client of its own rather than ``requests`` is said in :mod:`pytest_cors.targets.live`.
This module is the mechanics:

* **Request.** The request line, then exactly :func:`~pytest_cors.targets._wire.wire_headers`:
  the request's lines in order, duplicates as separate lines, plus ``Host`` and
  ``Content-Length`` where needed; no ``User-Agent``, ``Accept-Encoding`` or ``Connection``.
  Head and body leave in one ``sendall``. A line a client cannot send (CR, LF or NUL in it) is
  refused before anything is written.
* **Response.** Parsed by :class:`~pytest_cors.targets._h1parse.ResponseParser`, which holds every
  rule (head bound :data:`MAX_HEAD`, interim answers :data:`MAX_INTERIM` at most, framing, strict
  chunk sizes, the :data:`~pytest_cors.targets.base.MAX_BODY` bound): this module only reads
  the socket and feeds it. A body cut off at ``MAX_BODY`` makes the response say ``truncated``
  and the connection is closed.
* **Connections.** One idle list per origin, shared by every thread, at most ``maxsize`` kept. A
  connection goes back to its list only when its answer was framed and complete (not cut off),
  nothing said ``close`` and nothing is left to read on it; it is taken from the list only when
  still idle (nothing readable: no end of file, no bytes beyond its last answer, as Chromium
  checks before reusing a socket), else it is closed and the next one tried. A request that a
  *reused* connection drops before the first byte of an answer (the server closed it while it
  sat idle) is sent once more on a fresh connection, as browsers do; a timeout, garbage or an
  answer broken off half-way is never retried.
* **TLS** verifies the certificate and the host name with a context built once per client:
  ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` name the trusted CAs as they do for ``requests``;
  else ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` as they do for OpenSSL; else certifi's bundle (the
  one ``requests`` uses), else the system's store.
* **Deadline.** ``timeout`` bounds each request as a whole, not each read: one monotonic
  deadline covers the connect, the send and every read of the answer (interim heads, head and
  body). A head not complete by then raises ``DeadlineExceeded`` (a ``TimeoutError``), so a
  server that trickles its head a byte at a time is a time-out, not a hang; a body still
  arriving then is cut off there, as a body over ``MAX_BODY`` is.

Every failure is an ``OSError`` (refused, reset, timed out, TLS) or a
:class:`~pytest_cors.targets._wire.WireFault` saying what was wrong with the answer; the caller
turns either into a :class:`~pytest_cors.errors.TargetError` with ``wire_error``, of the subclass
the exception's class names: an answer that is not HTTP (``NotHttp``: a bad status line or
framing, see above), a head over :data:`MAX_HEAD` (``HeadTooLarge``) or more than
:data:`MAX_INTERIM` interim answers (``TooManyInterim``) is a
:class:`~pytest_cors.errors.TargetProtocolError`; ``DeadlineExceeded`` a
:class:`~pytest_cors.errors.TargetTimeoutError`.
"""

from __future__ import annotations

import os
import re
import select
import socket
import ssl
import threading
import weakref
from time import monotonic
from urllib.parse import quote

from pytest_cors.errors import TargetError, hide_user_error
from pytest_cors.http import Request, Response, trusted_headers
from pytest_cors.targets._h1parse import MAX_INTERIM as MAX_INTERIM
from pytest_cors.targets._h1parse import (
    NEED_DATA,
    Data,
    EndOfMessage,
    ResponseHead,
    ResponseParser,
)
from pytest_cors.targets._wire import (
    BrokenResponse,
    DeadlineExceeded,
    NoResponse,
    UrlParts,
    split_url,
    wire_headers,
)
from pytest_cors.targets.base import MAX_HEAD as MAX_HEAD

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_READ = 65536
# what http.client refuses in a header name; CR, LF and NUL anywhere would split the head
_BAD_NAME = re.compile(r"[:\s]|^$")
_BAD_TEXT = re.compile(r"[\r\n\0]")
# characters sent as they are in a request target (urllib3's path and query characters, plus
# "%" so that an already percent-encoded URL is left alone); anything else is percent-encoded
_TARGET_SAFE = "!$&'()*+,;=:@/?%~-._"
_SLACK = 0.01  # seconds a read may outlast the deadline, so as not to reset each time-out
_LATE = (
    "the response head was not complete by the deadline (the timeout bounds the whole "
    "request, not each read)"
)
_STALE = (
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
    ssl.SSLEOFError,
    NoResponse,
)


def tls_context() -> ssl.SSLContext:
    """A verifying client context, trusting the CAs the environment names (see above)."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        if os.path.isdir(bundle):
            context = ssl.create_default_context(capath=bundle)
        else:
            context = ssl.create_default_context(cafile=bundle)
    elif os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
        context = ssl.create_default_context()  # OpenSSL's default paths read them
    else:
        try:
            import certifi  # lazy: optional (requests brings it); only for a TLS context
        except ImportError:  # pragma: no cover - requests installs certifi
            context = ssl.create_default_context()
        else:
            context = ssl.create_default_context(cafile=certifi.where())
    context.set_alpn_protocols(["http/1.1"])
    return context


def request_head(request: Request, parts: UrlParts) -> bytes:
    """The request line and header lines, as bytes, ending with the empty line."""
    target = parts.path + ("?" + parts.query if parts.query else "")
    if not (target.isascii() and target.isprintable()) or " " in target:
        target = quote(target, safe=_TARGET_SAFE)
    lines = wire_headers(request)
    text = f"{request.method} {target} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in lines
    )
    for name, value in lines:
        if _BAD_NAME.search(name) or _BAD_TEXT.search(value):
            raise TargetError(
                f"{request.method} {request.url}: the header line {name!r} cannot be sent "
                "(a name needs no colon or blank, and no line may hold CR, LF or NUL)"
            )
    if _BAD_TEXT.search(request.method) or " " in request.method:
        raise TargetError(f"{request.method!r} {request.url}: not a method that can be sent")
    try:
        return (text + "\r\n").encode("latin-1")
    except UnicodeEncodeError as exc:
        raise TargetError(
            f"{request.method} {request.url}: a header value holds {exc.object[exc.start]!r}, "
            "which is not a byte: browsers refuse such values"
        ) from None


class Connection:
    """One socket and the bytes read from it but not yet used."""

    __slots__ = ("buf", "deadline", "reused", "sock", "timeout")

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.reused = False
        self.timeout = timeout
        self.deadline = 0.0  # the monotonic time the exchange under way must end by

    def close(self) -> None:
        self.sock.close()

    def idle(self) -> bool:
        """Whether the connection is open with nothing to read, so fit for another request.

        A kept-alive connection has no business being readable between answers: readable means
        the server closed it (an end of file) or wrote bytes beyond its last answer (a body
        after a HEAD answer, more than its Content-Length), which the next answer would be read
        from. Either way it is not used again, as Chromium checks ``IsConnectedAndIdle()``
        before it reuses a socket. TLS records that carry no data (a TLS 1.3 session ticket)
        are read here and leave the connection idle.
        """
        if self.buf:
            return False
        sock = self.sock
        try:
            if isinstance(sock, ssl.SSLSocket) and sock.pending():
                return False  # decrypted bytes already waiting
            if not _readable(sock):
                return True
            if not isinstance(sock, ssl.SSLSocket):
                return False  # an end of file, or bytes nobody asked for
            timeout = sock.gettimeout()
            sock.settimeout(0)
            try:
                sock.recv(1)  # an end of file (b"") or data: not idle either way
            except ssl.SSLWantReadError:
                return True  # only records without data (tickets), consumed
            finally:
                sock.settimeout(timeout)
            return False
        except (OSError, ValueError):
            return False  # closed or broken: never reused

    def _remaining(self) -> float:
        """Seconds left before the deadline; ``DeadlineExceeded`` when none are."""
        remaining = self.deadline - monotonic()
        if remaining <= 0:
            raise DeadlineExceeded(_LATE, self.timeout)
        return remaining

    def _recv(self) -> bytes:
        """One read, given only the time left before the deadline (give or take
        ``_SLACK``: the socket's time-out is set again only once it is that much too long,
        which spares the usual answer, read at once, a system call)."""
        sock = self.sock
        remaining = self._remaining()
        current = sock.gettimeout()
        if not current or current - remaining > _SLACK:
            sock.settimeout(remaining)
        try:
            return sock.recv(_READ)
        except TimeoutError:
            raise DeadlineExceeded(_LATE, self.timeout) from None

    def exchange(
        self, head: bytes, body: bytes | None, method: str, deadline: float
    ) -> tuple[Response, bool]:
        """Send one request, read its answer by ``deadline`` (a ``time.monotonic()`` value):
        the response, and whether to keep the socket. The bytes go through a fresh
        :class:`~pytest_cors.targets._h1parse.ResponseParser`; this loop only reads."""
        self.deadline = deadline
        sock = self.sock
        sock.settimeout(self._remaining())
        try:
            sock.sendall(head + body if body else head)  # one bound for the whole write
        except TimeoutError:
            raise DeadlineExceeded(
                "the request could not be sent by the deadline", self.timeout
            ) from None
        parser = ResponseParser(method)
        final: ResponseHead | None = None
        content = bytearray()
        truncated = False
        try:
            while True:
                event = parser.next_event()
                if event is NEED_DATA:
                    parser.feed(self._read(started=parser.received > 0))
                elif isinstance(event, Data):
                    content += event.data
                elif isinstance(event, ResponseHead):
                    final = event
                elif isinstance(event, EndOfMessage):
                    truncated = event.truncated
                    break  # Informational heads: a browser waits on, and so does this
        except TimeoutError:
            if final is None:
                raise  # no head by the deadline: a time-out, not an answer
            # the head is here and the body is not done by the deadline: fetch() settled with
            # the head, and the verdict never reads the body, so what came is what is kept
            truncated = True
        assert final is not None  # EndOfMessage comes after the head
        response = Response(
            final.status,
            trusted_headers(tuple(final.lines)),
            bytes(content),
            final.reason,
            truncated=truncated,
        )
        return response, parser.keep_alive and not truncated

    def _read(self, *, started: bool) -> bytes:
        """The next bytes (``b""`` at the end). A reset before any byte of the answer is raised
        as it is (the caller may retry a reused connection); once the answer has begun it
        breaks the answer."""
        if not started:
            return self._recv()
        try:
            return self._recv()
        except (ConnectionResetError, ConnectionAbortedError) as exc:
            raise BrokenResponse(f"the connection was reset mid-answer ({exc})") from exc


def _readable(sock: socket.socket) -> bool:
    """Whether reading ``sock`` would not block now (bytes, an end of file or an error):
    ``poll`` where there is one, as ``select`` refuses descriptors over ``FD_SETSIZE``."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))  # POLLHUP and POLLERR are reported unasked
    return bool(select.select([sock], [], [], 0)[0])  # pragma: no cover - Windows


class Http1Client:
    """Sends requests over kept-alive connections, one idle list per origin; thread-safe."""

    def __init__(self, timeout: float, maxsize: int = 16) -> None:
        self.timeout = timeout
        self.maxsize = maxsize
        self._idle: dict[tuple[str, str, int], list[Connection]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._tls: ssl.SSLContext | None = None
        # a client dropped without close() (``simulate_fetch(url, ...)`` makes one per call)
        # closes its sockets when collected, as urllib3's pools do, rather than leak them
        weakref.finalize(self, _close_idle, self._idle)

    def send(self, request: Request) -> Response:
        """One request, one response; raises ``OSError`` or ``WireFault`` when there is none."""
        parts = split_url(request.url)
        head = request_head(request, parts)
        key = (parts.scheme, parts.host, parts.port)
        deadline = monotonic() + self.timeout  # one for the whole request, retry included
        conn = self._take(key, parts, deadline)
        while True:
            try:
                response, keep = conn.exchange(head, request.body, request.method, deadline)
            except _STALE:
                conn.close()
                if not conn.reused:
                    raise
                # kept alive, then dropped by the server while idle: its neighbours may be
                # stale too, so they go, and the request goes once more on a fresh connection
                self._drop(key)
                conn = self._connect(parts, deadline)
                continue
            except BaseException:
                conn.close()
                raise
            if keep and conn.idle():
                self._give(key, conn)
            else:
                conn.close()
            return response

    def _take(self, key: tuple[str, str, int], parts: UrlParts, deadline: float) -> Connection:
        """An idle kept-alive connection to the origin, else a new one. A pooled connection
        that is readable (closed by the server, or holding bytes beyond its last answer) is
        closed instead of used: the next answer would be read from those bytes."""
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    break
                conn = idle.pop()
            if conn.idle():
                return conn
            conn.close()
        return self._connect(parts, deadline)

    def _give(self, key: tuple[str, str, int], conn: Connection) -> None:
        conn.reused = True
        with self._lock:
            if not self._closed:
                idle = self._idle.setdefault(key, [])
                if len(idle) < self.maxsize:
                    idle.append(conn)
                    return
        conn.close()

    def _drop(self, key: tuple[str, str, int]) -> None:
        with self._lock:
            stale = self._idle.pop(key, [])
        for conn in stale:
            conn.close()

    def _connect(self, parts: UrlParts, deadline: float) -> Connection:
        remaining = deadline - monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("no connection was open by the deadline", self.timeout)
        sock = socket.create_connection((parts.host, parts.port), remaining)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if parts.scheme == "https":
                if self._tls is None:
                    self._tls = tls_context()
                sock = self._tls.wrap_socket(sock, server_hostname=parts.host)
        except BaseException:
            sock.close()
            raise
        return Connection(sock, self.timeout)

    def close(self) -> None:
        """Close every idle connection; connections in use close when their answer is read."""
        with self._lock:
            self._closed = True
            _close_idle(self._idle)


def _close_idle(idle: dict[tuple[str, str, int], list[Connection]]) -> None:
    for conns in idle.values():
        for conn in conns:
            conn.close()
    idle.clear()
