"""Body framing and connection reuse in the kit's own HTTP/1.1 client, through ``simulate_fetch``.

A framing a browser refuses (``net::ERR_INVALID_CHUNKED_ENCODING``,
``ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH``) is a ``TargetProtocolError``, never a verdict;
a framing a browser reads is read the same way. A kept-alive connection holding bytes beyond its
last answer (or closed by the server) is never used again: the next answer would be read from
those bytes.
"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from pytest_cors import TargetProtocolError, simulate_fetch
from pytest_cors.targets import adapt
from tests.servers import read_request, scripted, serve_raw

APP = "https://app.example.com"
ALLOW = f"Access-Control-Allow-Origin: {APP}\r\n".encode()


def chunked(body: bytes, *, head: bytes = b"") -> bytes:
    """A chunked answer allowing APP, with ``body`` written as the chunks, verbatim."""
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + ALLOW + head + b"\r\n" + body


def fetch(base_url, method="GET"):
    return simulate_fetch(base_url, "/x", origin=APP, method=method)


# -- chunk sizes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size_line",
    [
        b"0x2",
        b"0X2",
        b"+2",
        b"-2",
        b" 2",
        b"\t2",
        b"2 2",
        b"",
        b"zz",
        b"g",
        b"2x",
        b"2_0",
        b"2,2",
        b"2\t",  # Chromium reads trailing spaces only, and no blank at all without ";"
        b"2\r",  # "2\r\r\n": one CR belongs to the line end, the other is junk
        b" 2;ext",
        b"2x;ext",
        b"\xd9\xa2",  # ARABIC-INDIC DIGIT TWO in UTF-8: a digit to Python, not a HEXDIG
        b"00000000000000002",  # 17 hex digits
        b"FFFFFFFFFFFFFFFF",  # over an int64
    ],
)
def test_a_malformed_chunk_size_is_a_protocol_error_not_a_verdict(size_line):
    answer = chunked(size_line + b"\r\nok\r\n0\r\n\r\n")
    with serve_raw(scripted(answer)) as base_url, pytest.raises(TargetProtocolError) as info:
        fetch(base_url)
    assert "the answer is not HTTP" in str(info.value)


@pytest.mark.parametrize(
    "last_line",
    [b"0x0", b"+0", b" 0", b"0 0", b"-0", b"0\t", b"00000000000000000"],
)
def test_a_malformed_last_chunk_is_a_protocol_error_too(last_line):
    answer = chunked(b"2\r\nok\r\n" + last_line + b"\r\n\r\n")
    with serve_raw(scripted(answer)) as base_url, pytest.raises(TargetProtocolError):
        fetch(base_url)


@pytest.mark.parametrize(
    ("size_line", "line_end"),
    [
        (b"2", b"\r\n"),
        (b"02", b"\r\n"),
        (b"0000000000000002", b"\r\n"),  # 16 digits
        (b"2;name=value", b"\r\n"),
        (b'2;a=1;b="x;y"', b"\r\n"),
        (b"2 ;ext", b"\r\n"),  # RFC 9112's BWS before ";"
        (b"2\t;ext", b"\r\n"),
        (b"2   ", b"\r\n"),  # trailing spaces: Chromium reads them (some servers pad sizes)
        (b"2", b"\n"),  # bare LF line ends, as Chromium reads them
    ],
)
def test_a_well_formed_chunk_size_is_read(size_line, line_end):
    answer = chunked(size_line + line_end + b"ok" + line_end + b"0" + line_end + line_end)
    with serve_raw(scripted(answer)) as base_url:
        outcome = fetch(base_url)
    assert outcome.allowed
    assert outcome.actual.response.body == b"ok"


def test_hex_sizes_are_read_as_hex():
    answer = chunked(b"a\r\n0123456789\r\n1A\r\n" + b"z" * 26 + b"\r\n000\r\n\r\n")
    with serve_raw(scripted(answer)) as base_url:
        outcome = fetch(base_url)
    assert outcome.actual.response.body == b"0123456789" + b"z" * 26


@pytest.mark.parametrize(
    "body",
    [
        b"2\r\nokXY\r\n0\r\n\r\n",  # longer than its size
        b"2\r\nok0\r\n\r\n",  # no CRLF at all
        b"2\r\nok\r\r\n0\r\n\r\n",  # CR CR LF
        b"2\r\nok \r\n0\r\n\r\n",  # a blank before the CRLF
    ],
    ids=["longer", "no-crlf", "cr-cr-lf", "blank"],
)
def test_chunk_data_not_followed_by_crlf_is_a_protocol_error(body):
    with serve_raw(scripted(chunked(body))) as base_url, pytest.raises(TargetProtocolError):
        fetch(base_url)


# -- Content-Length and Transfer-Encoding ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "head"),
    [
        ("GET", b"Content-Length: 2\r\nContent-Length: 3\r\n"),
        ("GET", b"Content-Length: 2, 3\r\n"),
        ("GET", b"Content-Length: 2\r\nContent-Length: 02\r\n"),
        ("GET", b"Content-Length: 2\r\nContent-Length: \r\n"),
        ("GET", b"Transfer-Encoding: gzip\r\nContent-Length: 2\r\nContent-Length: 3\r\n"),
        ("HEAD", b"Content-Length: 2\r\nContent-Length: 3\r\n"),
    ],
    ids=["two-lines", "one-line", "leading-zero", "empty", "not-chunked", "head"],
)
def test_conflicting_content_lengths_are_a_protocol_error(method, head):
    """Chromium refuses them (ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH) whatever the method
    and whenever the answer is not chunked; Fetch's "extract a length" fails on them."""
    answer = b"HTTP/1.1 200 OK\r\n" + ALLOW + head + b"\r\nok"
    with serve_raw(scripted(answer)) as base_url, pytest.raises(TargetProtocolError) as info:
        fetch(base_url, method)
    assert "two different Content-Length values" in str(info.value)


def test_equal_content_lengths_and_a_chunked_answer_with_lengths_are_read():
    same = b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok"
    with serve_raw(scripted(same)) as base_url:
        assert fetch(base_url).actual.response.body == b"ok"
    # chunked decides the length; Chromium does not compare the lengths then
    lengths = b"Content-Length: 5\r\nContent-Length: 7\r\n"
    with serve_raw(scripted(chunked(b"2\r\nok\r\n0\r\n\r\n", head=lengths))) as base_url:
        assert fetch(base_url).actual.response.body == b"ok"


@pytest.mark.parametrize(
    "length",
    [b"+2", b"2x", b"0x2", b"-1", b"abc", b"", b"9" * 5000],
    ids=["plus", "2x", "0x2", "minus", "abc", "empty", "5000-digits"],
)
def test_a_content_length_that_is_no_number_reads_to_the_close(length):
    """Fetch's "extract a length" gives null, and Chromium reads the body up to the close."""
    answer = b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: " + length + b"\r\n\r\nall of it"
    with serve_raw(scripted(answer)) as base_url:
        outcome = fetch(base_url)
    assert outcome.allowed
    assert outcome.actual.response.body == b"all of it"


@pytest.mark.parametrize(
    "coding", [b"chunked, gzip", b"gzip", b"identity", b"chunked\r\nTransfer-Encoding: gzip"]
)
def test_a_final_coding_other_than_chunked_reads_to_the_close(coding):
    """RFC 9112 section 6.3: only a final ``chunked`` frames the body; else the close does."""
    body = b"2\r\nok\r\n0\r\n\r\n"
    answer = b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Transfer-Encoding: " + coding + b"\r\n\r\n" + body
    with serve_raw(scripted(answer)) as base_url:
        outcome = fetch(base_url)
    assert outcome.actual.response.body == body


# -- connection reuse -----------------------------------------------------------------------------


class LateBytes:
    """A server answering every request on a connection, that writes ``extra`` bytes after
    the answers ``late(method)`` picks, once the test says so (``written()`` waits for them):
    the pooled connection then holds them when the next request would be sent on it."""

    def __init__(self, answers, late, extra):
        self.answers = answers  # method -> answer bytes
        self.late = late
        self.extra = extra
        self.go = threading.Semaphore(0)
        self.sent = threading.Semaphore(0)
        self.requests = []  # (connection number, method)
        self._lock = threading.Lock()
        self._connections = 0

    def __call__(self, conn, stop):
        # no Nagle: the late bytes leave at once, not when the client acknowledges the answer
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._connections += 1
            number = self._connections
        while not stop.is_set():
            try:
                request = read_request(conn)
            except ConnectionResetError:
                request = b""  # closed with the late bytes unread: Linux resets it
            if not request:
                return  # the client closed the connection
            method = request.split(b" ", 1)[0].decode()
            self.requests.append((number, method))
            conn.sendall(self.answers[method])
            if self.late(method):
                while not self.go.acquire(timeout=0.05):
                    if stop.is_set():
                        return
                conn.sendall(self.extra)
                self.sent.release()

    def written(self):
        """Let the server write its late bytes, and wait until it has."""
        self.go.release()
        assert self.sent.acquire(timeout=10), "the server never wrote its late bytes"
        threading.Event().wait(0.01)  # loopback: the bytes are at the client's socket now


def test_a_body_sent_after_a_head_answer_never_reaches_the_next_answer():
    """``Content-Length: 5`` on a HEAD answer, then 5 body bytes anyway: the GET that follows
    goes on a fresh connection and gets its own answer, every time."""
    server = LateBytes(
        {
            "HEAD": b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: 5\r\n\r\n",
            "GET": b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: 3\r\n\r\nget",
        },
        late=lambda method: method == "HEAD",
        extra=b"hello",
    )
    with serve_raw(server) as base_url:
        live = adapt(base_url)
        try:
            for _ in range(20):
                head = simulate_fetch(live, "/x", origin=APP, method="HEAD")
                assert head.allowed
                server.written()
                outcome = simulate_fetch(live, "/x", origin=APP)
                assert outcome.allowed, outcome.explain()
                assert outcome.actual.response.body == b"get"
        finally:
            live.close()
    numbers = [number for number, _ in server.requests]
    # each HEAD's connection is dropped; its GET opens the next one, which the next HEAD reuses
    assert numbers == [n for i in range(1, 21) for n in (i, i + 1)]


@pytest.mark.parametrize(
    "extra",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",  # an answer that would deny
        b"junk after the answer",
        b"\x00",
    ],
    ids=["deny-answer", "junk", "nul"],
)
def test_bytes_after_a_complete_answer_are_never_read_as_the_next_answer(extra):
    """Before the fix the next request read the junk as its answer: a wrong verdict (a denial
    for an allowing server) or an error, depending on timing."""
    ok = b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: 2\r\n\r\nok"
    server = LateBytes({"GET": ok}, late=lambda method: True, extra=extra)
    with serve_raw(server) as base_url:
        live = adapt(base_url)
        try:
            for _ in range(5):
                first = simulate_fetch(live, "/x", origin=APP)
                assert first.allowed
                server.written()
                second = simulate_fetch(live, "/x", origin=APP)
                assert second.allowed, second.explain()
                assert second.actual.response.body == b"ok"
                server.written()
        finally:
            live.close()
    assert len({number for number, _ in server.requests}) == 10  # no connection used twice


def test_more_bytes_than_the_content_length_in_one_write_drop_the_connection():
    """Bytes beyond the framing that came with the answer: the client can tell at once."""
    record = []
    answers = iter(
        [
            b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: 2\r\n\r\nokEXTRA",
            b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: 3\r\n\r\nnew",
        ]
    )

    def handler(conn, stop):
        while True:
            request = read_request(conn)
            if not request:
                return
            record.append(conn)
            conn.sendall(next(answers))

    with serve_raw(handler) as base_url:
        live = adapt(base_url)
        try:
            assert simulate_fetch(live, "/x", origin=APP).actual.response.body == b"ok"
            assert simulate_fetch(live, "/x", origin=APP).actual.response.body == b"new"
        finally:
            live.close()
    assert record[0] is not record[1]


@pytest.mark.parametrize("junk", [False, True])
def test_over_tls_late_bytes_drop_the_connection_and_a_quiet_one_is_reused(
    tmp_path, monkeypatch, junk
):
    """TLS: bytes after the answer are application data read by a non-blocking ``recv``; a
    connection with nothing to read (TLS records without data at most) stays pooled."""
    import ssl

    from tests.reliability.faults import make_cert, server_context

    cert = make_cert(tmp_path, "loopback")
    context = server_context(cert)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    ok = b"HTTP/1.1 200 OK\r\n" + ALLOW + b"Content-Length: 2\r\n\r\nok"
    server = LateBytes({"GET": ok}, late=lambda method: junk, extra=b"junk")

    def handler(conn, stop):
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):  # pragma: no cover - the test fails on its own
            return
        # the client may close with the late bytes unread
        with tls, contextlib.suppress(ssl.SSLError):
            server(tls, stop)

    with serve_raw(handler) as base_url:
        live = adapt(base_url.replace("http://", "https://"))
        try:
            for _ in range(3):
                outcome = simulate_fetch(live, "/x", origin=APP)
                assert outcome.allowed, outcome.explain()
                assert outcome.actual.response.body == b"ok"
                if junk:
                    server.written()
        finally:
            live.close()
    numbers = [number for number, _ in server.requests]
    assert numbers == ([1, 2, 3] if junk else [1, 1, 1])
