"""The live target's own HTTP/1.1 client: standard-library sockets, kept-alive connections.

Why a client of its own rather than ``requests`` is said in :mod:`pytest_cors.targets.live`.
This module is the mechanics:

* **Request.** The request line, then exactly :func:`~pytest_cors.targets._wire.wire_headers`:
  the request's lines in order, duplicates as separate lines, plus ``Host`` and
  ``Content-Length`` where needed; no ``User-Agent``, ``Accept-Encoding`` or ``Connection``.
  Head and body leave in one ``sendall``. A line a client cannot send (CR, LF or NUL in it) is
  refused before anything is written.
* **Response.** The head is read up to its empty line (LF or CRLF line ends), at most
  :data:`MAX_HEAD` bytes, as Chromium reads at most 256 KiB; interim 1xx answers are skipped as a
  browser skips them, :data:`MAX_INTERIM` at most; header lines are kept as received (order,
  case, duplicates; a blank before the colon is kept in the name, obs-fold joined). The body is
  framed as RFC 9112 section 6.3 says: none for ``HEAD``, 1xx, 204 and 304; chunked when
  ``chunked`` is the final transfer coding; ``Content-Length`` when it is ASCII digits; else
  everything up to the close. Framing a browser refuses is ``NotHttp``: two different
  ``Content-Length`` values on an answer that is not chunked (whatever the method or status, as
  Chromium), a chunk size that is not 1 to 16 hex digits optionally followed by blanks and
  ``;extensions`` (RFC 9112 section 7.1; spaces alone after it too, as Chromium reads them),
  chunk data not followed by its line end. At most :data:`~pytest_cors.targets.base.MAX_BODY`
  bytes of body are read: a longer (or endless) body is cut off there, the response says
  ``truncated`` and the connection is closed.
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
from pytest_cors.targets._wire import (
    BrokenResponse,
    DeadlineExceeded,
    HeadTooLarge,
    NoResponse,
    NotHttp,
    TooManyInterim,
    UrlParts,
    header_lines,
    split_url,
    wire_headers,
)
from pytest_cors.targets.base import MAX_BODY

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

MAX_HEAD = 256 * 1024
"""Bytes of response head read before giving up: Chromium's ``kMaxHeaderBufSize``."""

MAX_INTERIM = 16
"""Interim (1xx) answers read before the final one; one more is a ``TargetProtocolError``
(an endless stream of ``103 Early Hints`` would otherwise keep a request waiting until its
deadline)."""

_READ = 65536
_NO_BODY_STATUS = frozenset({204, 304})
# what http.client refuses in a header name; CR, LF and NUL anywhere would split the head
_BAD_NAME = re.compile(r"[:\s]|^$")
_BAD_TEXT = re.compile(r"[\r\n\0]")
# characters sent as they are in a request target (urllib3's path and query characters, plus
# "%" so that an already percent-encoded URL is left alone); anything else is percent-encoded
_TARGET_SAFE = "!$&'()*+,;=:@/?%~-._"
_BLANKS = " \t"
_DIGITS = re.compile(r"[0-9]+")
# RFC 9112 section 7.1: chunk-size = 1*HEXDIG, then optional whitespace and ";" extensions;
# Chromium also reads spaces after the size without extensions. No sign, "0x", leading blank
# or anything else; more than 16 digits is refused (Chromium parses the size as an int64)
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})(?:[ \t]*;.*| *)", re.DOTALL)
_INT64 = 2**63 - 1
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
            import certifi
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
        the response, and whether to keep the socket."""
        self.deadline = deadline
        sock = self.sock
        sock.settimeout(self._remaining())
        try:
            sock.sendall(head + body if body else head)  # one bound for the whole write
        except TimeoutError:
            raise DeadlineExceeded(
                "the request could not be sent by the deadline", self.timeout
            ) from None
        status, reason, version, lines = self._head(first=True)
        interim = 0
        while 100 <= status <= 199 and status != 101:
            # an interim answer (100 Continue, 103 Early Hints): a browser waits for the next
            interim += 1
            if interim > MAX_INTERIM:
                raise TooManyInterim(
                    f"more than {MAX_INTERIM} interim responses (the last: {status} {reason})"
                )
            status, reason, version, lines = self._head(first=False)
        # after a 101 the socket speaks another protocol: never reused
        keep = version == "HTTP/1.1" and status != 101
        lengths: set[str] = set()
        coding: str | None = None
        for name, value in lines:
            key = name.rstrip(" \t").lower()
            if key == "connection":
                tokens = {t.strip().lower() for t in value.split(",")}
                if "close" in tokens:
                    keep = False
                elif "keep-alive" in tokens and version == "HTTP/1.0":
                    keep = True
            elif key == "transfer-encoding":
                # only the final coding decides (RFC 9112 section 6.3), over every line
                coding = value.rpartition(",")[2].strip(_BLANKS).lower()
            elif key == "content-length":
                lengths.update(v.strip(_BLANKS) for v in value.split(","))
        if coding != "chunked" and len(lengths) > 1:
            # Fetch's "extract a length" fails, and Chromium refuses the answer whatever the
            # method or status (ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH): a smuggling sign
            raise NotHttp(f"two different Content-Length values: {sorted(lengths)}")
        content = bytearray()
        complete = True
        try:
            if method == "HEAD" or status in _NO_BODY_STATUS or 100 <= status <= 199:
                pass  # the head is the whole answer, whatever its lines announce
            elif coding == "chunked":
                complete = self._chunked(content)
            elif coding is None and (length := _content_length(lengths)) is not None:
                complete = self._exactly(content, length)
            else:
                # a final coding other than chunked (RFC 9112 section 6.3), a Content-Length
                # that is no number (Fetch's "extract a length" gives null, and Chromium reads
                # on too) or none at all: the body ends when the connection does
                complete = self._to_close(content)
                keep = False
        except TimeoutError:
            # the head is here and the body is not done by the deadline: fetch() settled with
            # the head, and the verdict never reads the body, so what came is what is kept
            complete = False
        response = Response(
            status, trusted_headers(tuple(lines)), bytes(content), reason, truncated=not complete
        )
        # cut off, or bytes already read beyond the answer's framing: the connection is out of
        # step, so it is closed
        return response, keep and complete and not self.buf

    def _head(self, *, first: bool) -> tuple[int, str, str, list[tuple[str, str]]]:
        """Read one response head: (status, reason, version, header lines); ``first`` when no
        byte of the answer has been read yet."""
        buf = self.buf
        start = 0
        while True:
            end = _head_end(buf, start)
            if end >= 0:
                break
            if len(buf) > MAX_HEAD:
                raise HeadTooLarge(f"no end of the response head in its first {MAX_HEAD} bytes")
            start = max(0, len(buf) - 3)
            chunk = self._recv_first() if first and not buf else self._recv_more()
            buf += chunk
        if end > MAX_HEAD:
            raise HeadTooLarge(f"the response head is {end} bytes, over {MAX_HEAD}")
        text = buf[:end].decode("latin-1")
        del buf[:end]
        status_line, _, fields = text.partition("\n")
        status_line = status_line.rstrip("\r")
        version, _, rest = status_line.partition(" ")
        code, _, reason = rest.lstrip(" ").partition(" ")
        if (
            not version.startswith("HTTP/1.")
            or len(code) != 3
            or not code.isdigit()
            or not code.isascii()
            or code[0] == "0"
        ):
            raise NotHttp(f"the status line is {status_line[:80]!r}")
        return int(code), reason.strip(" \t"), version, header_lines(fields)

    def _recv_first(self) -> bytes:
        """The first bytes of an answer; a connection that ends before any is ``NoResponse``
        (a reset is raised as it is: the caller may retry either)."""
        chunk = self._recv()
        if not chunk:
            raise NoResponse("the server closed the connection without sending a response")
        return chunk

    def _recv_more(self) -> bytes:
        """More bytes of an answer already begun: an end or a reset now breaks the answer."""
        try:
            chunk = self._recv()
        except (ConnectionResetError, ConnectionAbortedError) as exc:
            raise BrokenResponse(f"the connection was reset mid-answer ({exc})") from exc
        if not chunk:
            raise BrokenResponse("the connection closed before the answer was complete")
        return chunk

    def _exactly(self, out: bytearray, length: int) -> bool:
        """Move the next ``length`` body bytes to ``out``: ``False`` when ``out`` reached
        ``MAX_BODY`` first (the rest is not read)."""
        buf = self.buf
        while True:
            take = min(length, len(buf), MAX_BODY - len(out))
            if take > 0:
                out += buf[:take]
                del buf[:take]
                length -= take
            if not length:
                return True
            if len(out) >= MAX_BODY:
                return False
            buf += self._recv_more()

    def _line(self) -> bytes:
        """One line of a chunked body, without its LF and one CR before it (as Chromium reads
        them, a bare LF ends a line too)."""
        buf = self.buf
        start = 0
        while True:
            end = buf.find(b"\n", start)
            if end >= 0:
                line = bytes(buf[:end])
                del buf[: end + 1]
                return line[:-1] if line.endswith(b"\r") else line
            if len(buf) > MAX_HEAD:
                raise NotHttp("a chunk-size or trailer line of over 256 KiB")
            start = len(buf)
            buf += self._recv_more()

    def _chunked(self, out: bytearray) -> bool:
        """The chunks' data to ``out``: ``False`` when cut off at ``MAX_BODY``."""
        while True:
            size_line = self._line()
            match = _CHUNK_SIZE.fullmatch(size_line)
            if match is None:
                raise NotHttp(f"the chunk-size line {size_line[:40]!r} is not hexadecimal")
            length = int(match[1], 16)
            if length > _INT64:
                raise NotHttp(f"the chunk size {match[1]!r} is over 2**63 - 1 bytes")
            if length == 0:
                while self._line():  # trailer lines, up to the empty one
                    pass
                return True
            if not self._exactly(out, length):
                return False
            if self._line():
                raise NotHttp("a chunk's data is not followed by CRLF (longer than its size?)")

    def _to_close(self, out: bytearray) -> bool:
        """Everything up to the close to ``out``: ``False`` when cut off at ``MAX_BODY``."""
        buf = self.buf
        while True:
            if buf:
                room = max(0, MAX_BODY - len(out))
                out += buf[:room]
                del buf[:room]
                if buf:
                    return False  # bytes beyond the bound: the rest is not read
            try:
                chunk = self._recv()
            except (ConnectionResetError, ConnectionAbortedError) as exc:
                raise BrokenResponse(f"the connection was reset mid-answer ({exc})") from exc
            if not chunk:
                return True
            buf += chunk


def _readable(sock: socket.socket) -> bool:
    """Whether reading ``sock`` would not block now (bytes, an end of file or an error):
    ``poll`` where there is one, as ``select`` refuses descriptors over ``FD_SETSIZE``."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))  # POLLHUP and POLLERR are reported unasked
    return bool(select.select([sock], [], [], 0)[0])  # pragma: no cover - Windows


def _content_length(lengths: set[str]) -> int | None:
    """The one Content-Length value, or ``None`` when there is none or it is no number: ASCII
    digits only, as Fetch's "extract a length" and Chromium read it (an int64, or no length)."""
    if len(lengths) != 1:
        return None
    size = next(iter(lengths))
    if not _DIGITS.fullmatch(size) or len(size.lstrip("0")) > 19:
        return None  # no number, or one int() need not read: far over an int64
    length = int(size)
    return length if length <= _INT64 else None


def _head_end(buf: bytearray, start: int) -> int:
    """The index just past the head's empty line (CRLF or bare LF line ends), or -1."""
    crlf = buf.find(b"\n\r\n", start)
    lf = buf.find(b"\n\n", start)
    if lf >= 0 and (crlf < 0 or lf < crlf):
        return lf + 2
    return crlf + 3 if crlf >= 0 else -1


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
