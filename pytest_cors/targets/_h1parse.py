"""A sans-I/O HTTP/1.1 response parser: bytes in, events out, no socket anywhere.

:class:`ResponseParser` is fed the bytes of one exchange as they arrive (``feed(data)``,
``feed(b"")`` for the end of the stream) and gives them back as events, one per
``next_event()`` call: :class:`Informational` for each interim ``1xx`` head,
:class:`ResponseHead` for the final one, :class:`Data` for pieces of the body,
:class:`EndOfMessage` at its end, and :data:`NEED_DATA` when it cannot go on without more
bytes. Kept apart from the socket loop (:mod:`pytest_cors.targets._http1`) so that every rule
below is tested on byte strings, split at every boundary, with no server.

The rules are a browser's (Chromium's), bounded everywhere:

* **Head.** Up to its empty line (CRLF or bare LF line ends), at most ``max_head`` bytes
  (:data:`~pytest_cors.targets.base.MAX_HEAD`, else :class:`HeadTooLarge`). The status line is
  ``HTTP/1.x``, a blank, three ASCII digits not starting with ``0``, then the reason (else
  :class:`NotHttp`). Header lines are kept as received (:func:`_wire.header_lines`). At most
  ``max_interim`` interim answers (else :class:`TooManyInterim`); ``101`` is final.
* **Framing** (RFC 9112 section 6.3): no body for ``HEAD``, ``1xx``, ``204`` and ``304``;
  chunked when ``chunked`` is the final transfer coding; with no ``Transfer-Encoding``,
  ``Content-Length`` when it is one run of ASCII digits fitting an int64; else everything up to
  the close. Two different
  ``Content-Length`` values on an answer that is not chunked are :class:`NotHttp`.
* **Chunks.** A size is 1 to 16 hex digits (no sign, ``0x``, leading blank or other digit
  class), then spaces, or blanks and ``;extensions`` without a CR; it fits an int64. Its data is
  followed by CRLF or LF, nothing else. Trailer lines follow the last chunk, ``max_head`` bytes
  at most in all. Any other shape is :class:`NotHttp`.
* **Body bound.** At most ``max_body`` bytes of body are given out; a longer (or endless) body
  ends with ``EndOfMessage(truncated=True)`` at that bound.
* **End of stream.** Before any byte it is :class:`NoResponse`; inside a head, a
  ``Content-Length`` body or a chunked one, :class:`BrokenResponse`; it ends a close-delimited
  body.

After :class:`EndOfMessage`, :attr:`ResponseParser.keep_alive` says whether the connection may
carry another exchange: HTTP/1.1 (or 1.0 with ``keep-alive``), no ``close``, not a ``101``, the
body framed and complete, no byte beyond the answer already fed and the end of the stream not
fed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from pytest_cors.targets._wire import (
    BrokenResponse,
    HeadTooLarge,
    NoResponse,
    NotHttp,
    TooManyInterim,
    header_lines,
)
from pytest_cors.targets.base import MAX_BODY, MAX_HEAD

MAX_INTERIM = 16
"""Interim (1xx) answers read before the final one; one more is a ``TargetProtocolError``
(an endless stream of ``103 Early Hints`` would otherwise keep a request waiting until its
deadline)."""

INT64 = 2**63 - 1
"""The largest size a browser reads (Chromium parses lengths and chunk sizes as int64)."""

_BLANKS = " \t"
_HEX = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_NO_BODY_STATUS = frozenset({204, 304})
_CLOSED = "the connection closed before the answer was complete"


class Informational(NamedTuple):
    """An interim ``1xx`` head (``100 Continue``, ``103 Early Hints``): a browser waits on."""

    status: int
    reason: str
    lines: list[tuple[str, str]]


class ResponseHead(NamedTuple):
    """The final response head: its header lines as received."""

    status: int
    reason: str
    version: str
    lines: list[tuple[str, str]]


class Data(NamedTuple):
    """The next piece of the body (never empty)."""

    data: bytes


class EndOfMessage(NamedTuple):
    """The answer is over: ``truncated`` when its body was cut off at ``max_body``."""

    truncated: bool = False
    trailers: tuple[tuple[str, str], ...] = ()


class NeedData:
    """More bytes (or the end of the stream) are needed before the next event."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA = NeedData()

Event = Informational | ResponseHead | Data | EndOfMessage | NeedData


class ResponseParser:
    """The parser of one response to a ``method`` request (see the module's rules)."""

    __slots__ = (
        "_buf",
        "_eof",
        "_failed",
        "_interim",
        "_keep",
        "_left",
        "_scan",
        "_step",
        "_trailer_bytes",
        "_trailers",
        "body_bytes",
        "keep_alive",
        "max_body",
        "max_head",
        "max_interim",
        "method",
        "received",
    )

    def __init__(
        self,
        method: str,
        *,
        max_head: int = MAX_HEAD,
        max_body: int = MAX_BODY,
        max_interim: int = MAX_INTERIM,
    ) -> None:
        self.method = method
        self.max_head = max_head
        self.max_body = max_body
        self.max_interim = max_interim
        self.received = 0  # bytes fed so far: none means a close is no response at all
        self.body_bytes = 0  # body bytes given out as Data
        self.keep_alive = False
        self._buf = bytearray()
        self._eof = False
        self._scan = 0  # where the search for a line end resumes
        self._interim = 0
        self._keep = False
        self._left = 0  # body bytes still to come (Content-Length, or the current chunk)
        self._trailers: list[tuple[str, str]] = []
        self._trailer_bytes = 0
        self._failed: Exception | None = None
        self._step: Callable[[], Event] = self._head

    def feed(self, data: bytes) -> None:
        """Bytes as they came off the connection; ``b""`` says it has ended."""
        if not data:
            self._eof = True
            return
        if self._eof:
            raise RuntimeError("bytes fed after the end of the stream")
        self.received += len(data)
        self._buf += data

    @property
    def leftover(self) -> bytes:
        """Bytes fed but not (yet) parsed: after the end, those beyond the answer."""
        return bytes(self._buf)

    def next_event(self) -> Event:
        """The next event; raises a :class:`~pytest_cors.targets._wire.WireFault` (the same
        one again on every later call) when the bytes are no answer a browser reads."""
        if self._failed is not None:
            raise self._failed
        try:
            return self._step()
        except (NotHttp, HeadTooLarge, TooManyInterim, NoResponse, BrokenResponse) as exc:
            self._failed = exc
            raise

    # -- the head ---------------------------------------------------------------------------

    def _head(self) -> Event:
        buf = self._buf
        end = _head_end(buf, self._scan)
        if end < 0:
            if len(buf) > self.max_head:
                raise HeadTooLarge(
                    f"no end of the response head in its first {self.max_head} bytes"
                )
            if self._eof:
                if self.received:
                    raise BrokenResponse(_CLOSED)
                raise NoResponse("the server closed the connection without sending a response")
            self._scan = max(0, len(buf) - 3)
            return NEED_DATA
        if end > self.max_head:
            raise HeadTooLarge(f"the response head is {end} bytes, over {self.max_head}")
        text = buf[:end].decode("latin-1")
        del buf[:end]
        self._scan = 0
        status_line, _, fields = text.partition("\n")
        status_line = status_line.rstrip("\r")
        version, _, rest = status_line.partition(" ")
        code, _, reason = rest.lstrip(" ").partition(" ")
        if (
            not version.startswith("HTTP/1.")
            or len(code) != 3
            or not _DIGITS.issuperset(code)
            or code[0] == "0"
        ):
            raise NotHttp(f"the status line is {status_line[:80]!r}")
        status = int(code)
        reason = reason.strip(_BLANKS)
        lines = header_lines(fields)
        if 100 <= status <= 199 and status != 101:
            self._interim += 1
            if self._interim > self.max_interim:
                raise TooManyInterim(
                    f"more than {self.max_interim} interim responses (the last: {status} {reason})"
                )
            return Informational(status, reason, lines)
        self._frame(status, version, lines)
        return ResponseHead(status, reason, version, lines)

    def _frame(self, status: int, version: str, lines: list[tuple[str, str]]) -> None:
        """Pick how the body is framed, and whether the connection may be kept."""
        # after a 101 the connection speaks another protocol: never reused
        keep = version == "HTTP/1.1" and status != 101
        lengths: set[str] = set()
        coding: str | None = None
        for name, value in lines:
            key = name.rstrip(_BLANKS).lower()
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
        self._keep = keep
        if self.method == "HEAD" or status in _NO_BODY_STATUS or 100 <= status <= 199:
            self._step = self._no_body  # the head is the whole answer, whatever it announces
        elif coding == "chunked":
            self._step = self._chunk_size
        elif coding is None and (length := content_length(lengths)) is not None:
            self._left = length
            self._step = self._length_body
        else:
            # a final coding other than chunked, a Content-Length that is no number (Fetch
            # gives null, and Chromium reads on) or none at all: the close ends the body
            self._keep = False
            self._step = self._close_body

    # -- bodies -----------------------------------------------------------------------------

    def _no_body(self) -> Event:
        return self._end()

    def _take(self) -> Data | None:
        """Up to ``_left`` buffered bytes as Data, within ``max_body``; ``None`` if none."""
        buf = self._buf
        take = min(self._left, len(buf), self.max_body - self.body_bytes)
        if take <= 0:
            return None
        if take == len(buf):
            data = bytes(buf)
            buf.clear()
        else:
            data = bytes(buf[:take])
            del buf[:take]
        self._left -= take
        self.body_bytes += take
        return Data(data)

    def _length_body(self) -> Event:
        if not self._left:
            return self._end()
        if self.body_bytes >= self.max_body:
            return self._end(truncated=True)
        event = self._take()
        if event is not None:
            return event
        if self._eof:
            raise BrokenResponse(_CLOSED)
        return NEED_DATA

    def _close_body(self) -> Event:
        buf = self._buf
        if buf:
            self._left = len(buf)
            event = self._take()
            if event is not None:
                return event
            return self._end(truncated=True)  # bytes beyond the bound: the rest is not read
        if self._eof:
            return self._end()
        return NEED_DATA

    def _line(self) -> bytes | None:
        """One line of a chunked body, without its LF and one CR before it (a bare LF ends a
        line too, as Chromium reads it); ``None`` until its LF is here."""
        buf = self._buf
        end = buf.find(b"\n", self._scan)
        if end < 0:
            if len(buf) > self.max_head:
                raise NotHttp(f"a chunk-size or trailer line of over {self.max_head} bytes")
            if self._eof:
                raise BrokenResponse(_CLOSED)
            self._scan = len(buf)
            return None
        line = bytes(buf[:end])
        del buf[: end + 1]
        self._scan = 0
        return line[:-1] if line.endswith(b"\r") else line

    def _chunk_size(self) -> Event:
        line = self._line()
        if line is None:
            return NEED_DATA
        size = chunk_size(line)
        if size == 0:
            self._step = self._trailer
            return self._trailer()
        if self.body_bytes >= self.max_body:
            return self._end(truncated=True)
        self._left = size
        self._step = self._chunk_data
        return self._chunk_data()

    def _chunk_data(self) -> Event:
        if not self._left:
            self._step = self._chunk_end
            return self._chunk_end()
        if self.body_bytes >= self.max_body:
            return self._end(truncated=True)
        event = self._take()
        if event is not None:
            return event
        if self._eof:
            raise BrokenResponse(_CLOSED)
        return NEED_DATA

    def _chunk_end(self) -> Event:
        """The line end after a chunk's data: CRLF or LF, decided from its first bytes."""
        buf = self._buf
        if buf[:1] == b"\n":
            cut = 1
        elif buf[:2] == b"\r\n":
            cut = 2
        elif not buf or buf == b"\r":
            if self._eof:
                raise BrokenResponse(_CLOSED)
            return NEED_DATA
        else:
            raise NotHttp("a chunk's data is not followed by CRLF (longer than its size?)")
        del buf[:cut]
        self._step = self._chunk_size
        return self._chunk_size()

    def _trailer(self) -> Event:
        """Trailer lines up to the empty one, ``max_head`` bytes at most in all."""
        while True:
            start = len(self._buf)
            line = self._line()
            if line is None:
                if self._trailer_bytes + len(self._buf) > self.max_head:
                    raise NotHttp(f"trailer lines of over {self.max_head} bytes")
                return NEED_DATA
            if not line:
                return self._end(trailers=tuple(self._trailers))
            self._trailer_bytes += start - len(self._buf)
            if self._trailer_bytes > self.max_head:
                raise NotHttp(f"trailer lines of over {self.max_head} bytes")
            self._trailers.extend(header_lines(line.decode("latin-1")))

    def _end(self, *, truncated: bool = False, trailers: tuple[tuple[str, str], ...] = ()) -> Event:
        # cut off, bytes already here beyond the answer's framing (out of step) or a stream
        # already ended (closed by the server): not reused
        self.keep_alive = self._keep and not truncated and not self._buf and not self._eof
        self._step = self._done
        return EndOfMessage(truncated, trailers)

    def _done(self) -> Event:
        raise RuntimeError("the answer is complete: a new exchange needs a new parser")


def chunk_size(line: bytes) -> int:
    """The size a chunk-size line (without its line end) gives, or :class:`NotHttp`.

    RFC 9112 section 7.1 ``1*HEXDIG [BWS ";" ext]``, with Chromium's spaces after a size with
    no extension; nothing Python's ``int(x, 16)`` would also take (a sign, ``0x``, ``_``,
    blanks around it, other scripts' digits) and no CR inside an extension.
    """
    size, semi, extensions = line.partition(b";")
    size = size.rstrip(b" \t") if semi else size.rstrip(b" ")
    if not 1 <= len(size) <= 16 or not _HEX.issuperset(size) or b"\r" in extensions:
        raise NotHttp(f"the chunk-size line {line[:40]!r} is not hexadecimal")
    value = int(size, 16)
    if value > INT64:
        raise NotHttp(f"the chunk size {size!r} is over 2**63 - 1 bytes")
    return value


def content_length(lengths: set[str]) -> int | None:
    """The one Content-Length value, or ``None`` when there is none or it is no number: ASCII
    digits only, as Fetch's "extract a length" and Chromium read it (an int64, or no length)."""
    if len(lengths) != 1:
        return None
    size = next(iter(lengths))
    if not size or not _DIGITS.issuperset(size) or len(size.lstrip("0")) > 19:
        return None  # no number, or one int() need not read: far over an int64
    length = int(size)
    return length if length <= INT64 else None


def _head_end(buf: bytearray, start: int) -> int:
    """The index just past the head's empty line (CRLF or bare LF line ends), or -1."""
    crlf = buf.find(b"\n\r\n", start)
    lf = buf.find(b"\n\n", start)
    if lf >= 0 and (crlf < 0 or lf < crlf):
        return lf + 2
    return crlf + 3 if crlf >= 0 else -1
