"""The sans-I/O HTTP/1.1 response parser, rule by rule, on byte strings and with no server.

Each rule of :mod:`pytest_cors.targets._h1parse`'s docstring has its tests here; every valid
message is also fed split at every byte boundary (and one byte at a time), and must give the
same events as when fed whole.
"""

from __future__ import annotations

import pytest

from pytest_cors.targets._h1parse import (
    INT64,
    NEED_DATA,
    Data,
    EndOfMessage,
    Event,
    Informational,
    ResponseHead,
    ResponseParser,
    chunk_size,
    content_length,
)
from pytest_cors.targets._wire import (
    BrokenResponse,
    HeadTooLarge,
    NoResponse,
    NotHttp,
    TooManyInterim,
    WireFault,
)

OK = b"HTTP/1.1 200 OK\r\n"


def events(
    pieces: list[bytes], method: str = "GET", *, end: bool = True, **bounds: int
) -> tuple[list[Event], ResponseParser]:
    """Feed ``pieces`` one by one (then the end of the stream, if ``end``), draining events
    after each; adjacent ``Data`` pieces are joined, ``NEED_DATA`` left out."""
    parser = ResponseParser(method, **bounds)
    out: list[Event] = []
    pending = [*pieces, b""] if end else list(pieces)
    while True:
        event = parser.next_event()
        if event is NEED_DATA:
            if not pending:
                break
            parser.feed(pending.pop(0))
            continue
        if isinstance(event, Data) and out and isinstance(out[-1], Data):
            out[-1] = Data(out[-1].data + event.data)
        else:
            out.append(event)
        if isinstance(event, EndOfMessage):
            break
    return out, parser


def whole(message: bytes, method: str = "GET", **bounds: int) -> list[Event]:
    return events([message], method, **bounds)[0]


def fault(message: bytes | list[bytes], method: str = "GET", **bounds: int) -> WireFault:
    """The fault a message raises, fed whole (or in the given pieces)."""
    pieces = [message] if isinstance(message, bytes) else message
    with pytest.raises(WireFault) as info:
        events(pieces, method, **bounds)
    return info.value


def head(status: int = 200, lines: list[tuple[str, str]] | None = None) -> ResponseHead:
    return ResponseHead(status, "OK", "HTTP/1.1", lines or [])


# -- every valid message, split at every byte boundary --------------------------------------

VALID: list[tuple[str, bytes, str]] = [
    ("length", OK + b"Content-Length: 5\r\nX-A: 1\r\n\r\nhello", "GET"),
    ("bare LF", b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", "GET"),
    ("no body", b"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", "GET"),
    ("HEAD", OK + b"Content-Length: 5\r\n\r\n", "HEAD"),
    ("close", OK + b"\r\nuntil the close", "GET"),
    (
        "chunked",
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;a=b\r\n!\r\n0\r\nT: 1\r\n\r\n",
        "GET",
    ),
    ("chunked LF", OK + b"Transfer-Encoding: chunked\n\n2 \nhi\n0\n\n", "GET"),
    (
        "interim",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        + OK
        + b"Content-Length: 0\r\n\r\n",
        "POST",
    ),
    ("101", b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", "GET"),
    ("folded", OK + b"X-A: one\r\n two\r\nContent-Length: 0\r\n\r\n", "GET"),
]


@pytest.mark.parametrize(("message", "method"), [v[1:] for v in VALID], ids=[v[0] for v in VALID])
def test_a_valid_message_split_anywhere_gives_the_same_events(message, method):
    expected, parser = events([message], method)
    assert isinstance(expected[-1], EndOfMessage)
    keep = parser.keep_alive
    for cut in range(1, len(message)):
        got, parser = events([message[:cut], message[cut:]], method)
        assert (got, parser.keep_alive) == (expected, keep), cut
    got, parser = events([message[i : i + 1] for i in range(len(message))], method)
    assert (got, parser.keep_alive) == (expected, keep)


def test_the_events_of_a_chunked_message_with_interim_heads():
    message = (
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        + OK
        + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
    )
    assert whole(message) == [
        Informational(103, "Early Hints", [("Link", "</a>")]),
        head(lines=[("Transfer-Encoding", "chunked")]),
        Data(b"abc"),
        EndOfMessage(False, (("X-T", "1"),)),
    ]


def test_need_data_until_the_head_is_complete_and_data_is_never_empty():
    parser = ResponseParser("GET")
    assert parser.next_event() is NEED_DATA
    parser.feed(OK + b"Content-Length: 3\r\n")
    assert parser.next_event() is NEED_DATA
    parser.feed(b"\r\n")
    assert parser.next_event() == head(lines=[("Content-Length", "3")])
    assert parser.next_event() is NEED_DATA
    parser.feed(b"ab")
    assert parser.next_event() == Data(b"ab")
    assert parser.next_event() is NEED_DATA
    parser.feed(b"c")
    assert parser.next_event() == Data(b"c")
    assert parser.next_event() == EndOfMessage()
    assert parser.body_bytes == 3
    assert parser.received == len(OK) + 24
    with pytest.raises(RuntimeError):
        parser.next_event()  # a new exchange needs a new parser


def test_bytes_after_the_end_of_the_stream_are_a_caller_error():
    parser = ResponseParser("GET")
    parser.feed(b"")
    with pytest.raises(RuntimeError):
        parser.feed(b"x")


# -- the head -------------------------------------------------------------------------------


def test_header_lines_are_kept_as_received():
    message = OK + b"X-A : 1\r\nx-a:  2 \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nno colon\r\n\r\n"
    assert whole(message, "HEAD")[0] == head(
        lines=[("X-A ", "1"), ("x-a", "2"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    )


@pytest.mark.parametrize(
    "status_line",
    [
        b"HTTP/1.1 200 OK",
        b"HTTP/1.0 200 OK",
        b"HTTP/1.1 200",
        b"HTTP/1.1 200 ",
        b"HTTP/1.1 599 Whatever it says",
    ],
)
def test_a_status_line_a_browser_reads(status_line):
    got = whole(status_line + b"\r\nContent-Length: 0\r\n\r\n")
    assert isinstance(got[0], ResponseHead)
    assert got[0].status == int(status_line[9:12])
    assert got[0].version == status_line[:8].decode()


def test_the_reason_loses_its_surrounding_blanks():
    got = whole(b"HTTP/1.1 404  Not  Found \r\nContent-Length: 0\r\n\r\n")
    assert got[0] == ResponseHead(404, "Not  Found", "HTTP/1.1", [("Content-Length", "0")])


@pytest.mark.parametrize(
    "status_line",
    [
        b"HTTP/2 200 OK",
        b"HTTP/2.0 200 OK",
        b"http/1.1 200 OK",
        b"ICY 200 OK",
        b"HTTP/1.1 20 OK",
        b"HTTP/1.1 2000 OK",
        b"HTTP/1.1 099 OK",
        b"HTTP/1.1 000 OK",
        b"HTTP/1.1 2x0 OK",
        b"HTTP/1.1 +20 OK",
        b"HTTP/1.1 \xd9\xa200 OK",  # an Arabic-Indic digit: a digit to Python, not ASCII
        b"HTTP/1.1 200OK",
        b"HTTP/1.1",
        b"",
        b"<html>",
    ],
)
def test_a_status_line_that_is_not_http(status_line):
    assert isinstance(fault(status_line + b"\r\nContent-Length: 0\r\n\r\n"), NotHttp)


def test_a_head_of_exactly_max_head_bytes_is_read_and_one_more_is_too_large():
    pad = b"X: " + b"a" * 100 + b"\r\n"
    message = OK + pad + b"\r\n"
    assert isinstance(whole(message, "HEAD", max_head=len(message))[0], ResponseHead)
    assert isinstance(fault(message, "HEAD", max_head=len(message) - 1), HeadTooLarge)


def test_a_head_without_an_end_is_too_large_once_over_the_bound_even_unfinished():
    parser = ResponseParser("GET", max_head=64)
    parser.feed(OK + b"X: " + b"a" * 100)  # no end of the head, and the stream goes on
    with pytest.raises(HeadTooLarge):
        parser.next_event()


def test_the_head_bound_is_per_head_not_across_interim_heads():
    interim = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
    final = OK + b"Content-Length: 0\r\n\r\n"
    bound = max(len(interim), len(final))
    got = whole(interim * 3 + final, max_head=bound)
    assert [type(e) for e in got] == [Informational] * 3 + [ResponseHead, EndOfMessage]


def test_interim_answers_up_to_the_limit_then_too_many():
    interim = b"HTTP/1.1 103 Early Hints\r\n\r\n"
    final = OK + b"Content-Length: 0\r\n\r\n"
    got = whole(interim * 3 + final, max_interim=3)
    assert [type(e) for e in got] == [Informational] * 3 + [ResponseHead, EndOfMessage]
    assert isinstance(fault(interim * 4 + final, max_interim=3), TooManyInterim)


def test_the_default_interim_limit_is_sixteen():
    interim = b"HTTP/1.1 100 Continue\r\n\r\n"
    final = OK + b"Content-Length: 0\r\n\r\n"
    assert len(whole(interim * 16 + final)) == 18
    assert isinstance(fault(interim * 17 + final), TooManyInterim)


def test_101_is_final_has_no_body_and_is_never_kept():
    got, parser = events([b"HTTP/1.1 101 Switching Protocols\r\nContent-Length: 5\r\n\r\n"])
    assert [type(e) for e in got] == [ResponseHead, EndOfMessage]
    assert parser.keep_alive is False


def test_a_fault_is_raised_again_on_every_later_call():
    parser = ResponseParser("GET")
    parser.feed(b"garbage\r\n\r\n")
    with pytest.raises(NotHttp) as first:
        parser.next_event()
    with pytest.raises(NotHttp) as again:
        parser.next_event()
    assert again.value is first.value


# -- framing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "status"), [("HEAD", 200), ("GET", 204), ("GET", 304), ("HEAD", 404)]
)
def test_no_body_whatever_the_head_announces(method, status):
    message = f"HTTP/1.1 {status} X\r\nContent-Length: 5\r\n\r\n".encode()
    got, parser = events([message], method)
    assert [type(e) for e in got] == [ResponseHead, EndOfMessage]
    assert parser.keep_alive is True


def test_no_body_on_a_chunked_204_either():
    got = whole(b"HTTP/1.1 204 X\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert [type(e) for e in got] == [ResponseHead, EndOfMessage]


@pytest.mark.parametrize(
    "lines",
    [
        [b"Transfer-Encoding: chunked"],
        [b"Transfer-Encoding: gzip, chunked"],
        [b"Transfer-Encoding: gzip", b"Transfer-Encoding: CHUNKED"],
        [b"transfer-encoding : chunked"],
        [b"Transfer-Encoding: chunked", b"Content-Length: 100"],
        [b"Transfer-Encoding: chunked", b"Content-Length: 1", b"Content-Length: 2"],
    ],
)
def test_chunked_when_chunked_is_the_final_coding(lines):
    message = OK + b"\r\n".join(lines) + b"\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    got = whole(message)
    assert got[1:] == [Data(b"abc"), EndOfMessage()]


@pytest.mark.parametrize(
    "lines",
    [
        [b"Transfer-Encoding: chunked, gzip"],
        [b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip"],
        [b"Transfer-Encoding: gzip", b"Content-Length: 3"],  # a coding, so no length
        [b"Content-Length: +3"],
        [b"Content-Length: 0x3"],
        [b"Content-Length: 3a"],
        [b"Content-Length: -3"],
        [b"Content-Length: \xd9\xa3"],  # ARABIC-INDIC DIGIT THREE
        [b"Content-Length: 99999999999999999999"],  # over an int64
        [b"Content-Length:"],
        [],
    ],
)
def test_everything_up_to_the_close_otherwise(lines):
    body = b"3\r\nabc\r\n0\r\n\r\nmore"
    message = OK + b"".join(line + b"\r\n" for line in lines) + b"\r\n" + body
    got, parser = events([message])
    assert got[1:] == [Data(body), EndOfMessage()]
    assert parser.keep_alive is False


@pytest.mark.parametrize(
    "lines",
    [
        [b"Content-Length: 3"],
        [b"Content-Length:  3 "],
        [b"Content-Length: 003"],
        [b"Content-Length: 3", b"Content-Length: 3"],
        [b"Content-Length: 3, 3"],
    ],
)
def test_content_length_when_it_is_one_run_of_ascii_digits(lines):
    message = OK + b"".join(line + b"\r\n" for line in lines) + b"\r\nabc"
    got, parser = events([message], end=False)
    assert got[1:] == [Data(b"abc"), EndOfMessage()]
    assert parser.keep_alive is True


@pytest.mark.parametrize(
    "lines",
    [
        [b"Content-Length: 3", b"Content-Length: 4"],
        [b"Content-Length: 3, 4"],
        [b"Content-Length: 3", b"Content-Length: 03"],
        [b"Content-Length: 3", b"Content-Length: x"],
        [b"Transfer-Encoding: gzip", b"Content-Length: 3", b"Content-Length: 4"],
    ],
)
@pytest.mark.parametrize(("method", "status"), [("GET", 200), ("HEAD", 200), ("GET", 204)])
def test_two_different_content_lengths_are_not_http_whatever_the_method(lines, method, status):
    message = f"HTTP/1.1 {status} X\r\n".encode() + b"\r\n".join(lines) + b"\r\n\r\nabcd"
    assert isinstance(fault(message, method), NotHttp)


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        ({"0"}, 0),
        ({"12"}, 12),
        ({"0012"}, 12),
        ({str(INT64)}, INT64),
        ({str(INT64 + 1)}, None),
        ({"0" * 40 + "7"}, 7),
        ({"9" * 40}, None),
        (set(), None),
        ({"1", "2"}, None),
        ({""}, None),
        ({"+1"}, None),
        ({"1_0"}, None),
        ({"\u0661"}, None),  # ARABIC-INDIC DIGIT ONE: int() reads it, Fetch does not
        ({" 1"}, None),
    ],
)
def test_content_length_values(lengths, expected):
    assert content_length(lengths) == expected


# -- chunks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "size"),
    [
        (b"0", 0),
        (b"a", 10),
        (b"A", 10),
        (b"1f", 31),
        (b"0000000000000010", 16),  # 16 digits
        (b"7fffffffffffffff", INT64),
        (b"a  ", 10),  # spaces after a size with no extension
        (b"a;ext", 10),
        (b"a ;ext=1", 10),
        (b"a\t;ext", 10),
        (b"a;", 10),
        (b'a;e="x y";f', 10),
    ],
)
def test_a_chunk_size_a_browser_reads(line, size):
    assert chunk_size(line) == size


@pytest.mark.parametrize(
    "line",
    [
        b"0x2",
        b"0X2",
        b"+2",
        b"-2",
        b"2_0",
        b"_2",
        b" 2",
        b"\t2",
        b" 2;ext",
        b"2\t",  # a blank other than a space needs an extension after it
        b"2\r",
        b"2 2",
        b"",
        b";ext",
        b"g",
        b"2x",
        b"\xd9\xa2",  # ARABIC-INDIC DIGIT TWO in UTF-8
        b"\xef\xbc\x92",  # FULLWIDTH DIGIT TWO
        b"00000000000000002",  # 17 hex digits, small as the value is
        b"8000000000000000",  # 2**63: over an int64
        b"ffffffffffffffff",
        b"2;ext\r",  # a CR inside an extension
        b"2;a\rb",
    ],
)
def test_a_chunk_size_that_is_not_http(line):
    with pytest.raises(NotHttp):
        chunk_size(line)


@pytest.mark.parametrize("line", [b"0x2", b"+2", b"-2", b"2_0", b" 2", b"\xd9\xa2"])
def test_a_bad_chunk_size_in_a_message_is_not_http(line):
    message = OK + b"Transfer-Encoding: chunked\r\n\r\n" + line + b"\r\nab\r\n0\r\n\r\n"
    assert isinstance(fault(message), NotHttp)


@pytest.mark.parametrize("after", [b"X\r\n0\r\n\r\n", b"\rX0\r\n\r\n", b"c\r\n0\r\n\r\n"])
def test_chunk_data_followed_by_anything_but_a_line_end_is_not_http(after):
    message = OK + b"Transfer-Encoding: chunked\r\n\r\n2\r\nab" + after
    assert isinstance(fault(message), NotHttp)


def test_trailers_are_given_with_the_end():
    message = OK + b"Transfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\n\r\n"
    assert whole(message)[-1] == EndOfMessage(False, (("A", "1"), ("B", "2")))


def test_trailer_lines_over_max_head_in_all_are_not_http():
    start = OK + b"Transfer-Encoding: chunked\r\n\r\n0\r\n"
    trailer = b"T: " + b"a" * 20 + b"\r\n"  # 25 bytes
    bound = len(start) + 10  # the head fits
    fits = start + trailer * 2 + b"\r\n"
    assert isinstance(whole(fits, max_head=max(bound, 50))[-1], EndOfMessage)
    assert isinstance(fault(start + trailer * 3 + b"\r\n", max_head=max(bound, 50)), NotHttp)
    # and a trailer still coming is refused as soon as it is over the bound
    parser = ResponseParser("GET", max_head=max(bound, 50))
    parser.feed(start + trailer + b"T: " + b"a" * 60)
    assert isinstance(parser.next_event(), ResponseHead)
    with pytest.raises(NotHttp):
        parser.next_event()


def test_a_chunk_size_line_with_no_end_is_not_http_past_max_head():
    parser = ResponseParser("GET", max_head=100)
    parser.feed(OK + b"Transfer-Encoding: chunked\r\n\r\n1;" + b"e" * 200)
    assert isinstance(parser.next_event(), ResponseHead)
    with pytest.raises(NotHttp):
        parser.next_event()


# -- the body bound -------------------------------------------------------------------------

BODY = b"0123456789"


def framed(kind: str) -> bytes:
    if kind == "length":
        return OK + b"Content-Length: 10\r\n\r\n" + BODY
    if kind == "chunked":
        return OK + b"Transfer-Encoding: chunked\r\n\r\n4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n"
    return OK + b"\r\n" + BODY


@pytest.mark.parametrize("kind", ["length", "chunked", "close"])
@pytest.mark.parametrize("bound", [0, 1, 4, 5, 9])
def test_a_body_over_max_body_ends_truncated_at_the_bound(kind, bound):
    got, parser = events([framed(kind)], max_body=bound)
    data = b"".join(e.data for e in got if isinstance(e, Data))
    assert data == BODY[:bound]
    assert got[-1] == EndOfMessage(truncated=True)
    assert parser.body_bytes == bound
    assert parser.keep_alive is False


@pytest.mark.parametrize("kind", ["length", "chunked", "close"])
@pytest.mark.parametrize("bound", [10, 11])
def test_a_body_within_max_body_is_whole(kind, bound):
    got = whole(framed(kind), max_body=bound)
    assert got[1:] == [Data(BODY), EndOfMessage()]


@pytest.mark.parametrize("kind", ["length", "chunked", "close"])
def test_truncation_needs_no_more_bytes_than_the_bound(kind):
    """An endless body ends at the bound: the parser never waits for the rest."""
    message = framed(kind)
    got, _ = events([message[: message.index(b"456")]], end=False, max_body=3)
    assert got[-1] == EndOfMessage(truncated=True)


# -- keep-alive -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "keep"),
    [
        (OK + b"Content-Length: 0\r\n\r\n", True),
        (OK + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", True),
        (OK + b"Connection: close\r\nContent-Length: 0\r\n\r\n", False),
        (OK + b"Connection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n", False),
        (OK + b"Connection: upgrade\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nConnection: x, Keep-Alive\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", False),
        (b"HTTP/1.1 204 No Content\r\n\r\n", True),
    ],
)
def test_keep_alive(message, keep):
    _, parser = events([message], end=False)
    assert parser.keep_alive is keep


def test_keep_alive_is_false_until_the_end():
    parser = ResponseParser("GET")
    parser.feed(OK + b"Content-Length: 1\r\n\r\n")
    parser.next_event()
    assert parser.keep_alive is False
    parser.feed(b"x")
    parser.next_event()
    assert parser.next_event() == EndOfMessage()
    assert parser.keep_alive is True


def test_a_close_delimited_body_is_never_kept():
    _, parser = events([OK + b"Connection: keep-alive\r\n\r\nbody"])
    assert parser.keep_alive is False


@pytest.mark.parametrize(
    "message",
    [
        OK + b"Content-Length: 1\r\n\r\nxy",
        OK + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nHTTP/1.1",
        b"HTTP/1.1 204 No Content\r\n\r\nx",
    ],
)
def test_a_byte_beyond_the_answer_means_not_kept_and_is_left_over(message):
    _, parser = events([message], end=False)
    assert parser.keep_alive is False
    assert parser.leftover != b""


def test_a_head_answer_with_its_body_sent_anyway_is_not_kept():
    _, parser = events([OK + b"Content-Length: 5\r\n\r\nhello"], "HEAD", end=False)
    assert parser.keep_alive is False
    assert parser.leftover == b"hello"


def test_an_answer_whose_stream_has_ended_is_not_kept():
    # the whole answer and the end of the stream arrive before its events are read
    parser = ResponseParser("GET")
    parser.feed(OK + b"Content-Length: 2\r\n\r\nhi")
    parser.feed(b"")
    while not isinstance(parser.next_event(), EndOfMessage):
        pass
    assert parser.keep_alive is False


def test_a_truncated_answer_is_not_kept():
    _, parser = events([OK + b"Content-Length: 10\r\n\r\n" + BODY], end=False, max_body=5)
    assert parser.keep_alive is False


# -- the end of the stream ------------------------------------------------------------------


def test_the_end_before_any_byte_is_no_response():
    assert isinstance(fault([]), NoResponse)


@pytest.mark.parametrize(
    "message",
    [
        b"H",
        OK,
        OK + b"Content-Length: 5\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
        OK + b"Content-Length: 5\r\n\r\n",
        OK + b"Content-Length: 5\r\n\r\nhell",
        OK + b"Transfer-Encoding: chunked\r\n\r\n",
        OK + b"Transfer-Encoding: chunked\r\n\r\n5",
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhel",
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello",
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r",
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        OK + b"Transfer-Encoding: chunked\r\n\r\n0\r\n",
        OK + b"Transfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n",
    ],
)
def test_the_end_inside_a_head_or_a_framed_body_is_a_broken_response(message):
    assert isinstance(fault(message), BrokenResponse)


@pytest.mark.parametrize("body", [b"", b"x", b"a longer body"])
def test_the_end_ends_a_close_delimited_body(body):
    assert whole(OK + b"\r\n" + body)[1:] == ([Data(body)] if body else []) + [EndOfMessage()]
