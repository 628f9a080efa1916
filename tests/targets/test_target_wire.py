"""The shared wire helpers: header lines a client adds, lenient head parsing, error wording."""

from __future__ import annotations

import pytest

from pytest_cors.errors import TargetError
from pytest_cors.http import Headers, Request
from pytest_cors.targets._wire import header_lines, split_url, wire_error, wire_headers


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (Request("GET", "http://a.example/x"), [("Host", "a.example")]),
        (Request("GET", "https://a.example:443/x"), [("Host", "a.example")]),
        (Request("GET", "http://a.example:8080/"), [("Host", "a.example:8080")]),
        (Request("GET", "http://[::1]:81/"), [("Host", "[::1]:81")]),
        (Request("OPTIONS", "http://a/"), [("Host", "a")]),
        (Request("POST", "http://a/"), [("Host", "a"), ("Content-Length", "0")]),
        (Request("PUT", "http://a/", body=b""), [("Host", "a"), ("Content-Length", "0")]),
        (Request("DELETE", "http://a/", body=b"xy"), [("Host", "a"), ("Content-Length", "2")]),
        (
            Request("GET", "http://a/", Headers([("host", "b"), ("X", "1"), ("X", "2")])),
            [("host", "b"), ("X", "1"), ("X", "2")],
        ),
        (
            Request("POST", "http://a/", Headers([("Content-Length", "5")]), b"abc"),
            [("Host", "a"), ("Content-Length", "5")],
        ),
    ],
)
def test_wire_headers(request_, expected):
    assert wire_headers(request_) == expected


def test_split_url_needs_an_absolute_http_url():
    assert split_url("https://A.example/p?q=1").host == "a.example"
    with pytest.raises(TargetError, match="absolute http"):
        split_url("/relative")
    with pytest.raises(TargetError, match="absolute http"):
        split_url("ftp://a.example/")


def test_header_lines_are_read_leniently():
    text = "Name : v1 \r\nX-Fold: a\r\n\tb\r\nno colon here\r\nEmpty:\r\n\r\nBody: not a header"
    assert header_lines(text) == [("Name ", "v1"), ("X-Fold", "a b"), ("Empty", "")]


def test_wire_error_names_method_url_and_cause():
    request = Request("PUT", "http://a.example/items")
    error = wire_error(request, ConnectionRefusedError(111, "Connection refused"), "T", 10)
    assert str(error) == (
        "T: PUT http://a.example/items: connection refused ([Errno 111] Connection refused)"
    )
    assert error.target == "T"
    timeout = wire_error(request, TimeoutError("read"), "T", 2.5)
    assert "timed out after 2.5 s" in str(timeout)


def test_the_kind_of_a_wire_failure_comes_from_classes_not_words():
    """The message of each exception below names other faults; only the classes count."""
    import httpcore
    import httpx
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    from pytest_cors.errors import TargetConnectionError
    from pytest_cors.targets._wire import NO_ANSWER, classify, died_before_answer

    url = "http://a.example/sso/handshake?timeout=1"
    request = Request("GET", url)
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as refused:
            raise NewConnectionError(None, f"timed out; {url}") from refused
    except NewConnectionError as new:
        wrapped = MaxRetryError(None, url, new)
    error = wire_error(request, wrapped, "T", 1)
    assert type(error) is TargetConnectionError
    assert f"GET {url}: connection refused (" in str(error)

    # httpcore's own "closed before any response" (no h11 error under it) is a stale connection
    closed = httpx.RemoteProtocolError("TLS handshake timed out")
    assert classify(closed) == NO_ANSWER
    assert died_before_answer(closed)
    timeout = httpx.ReadTimeout("connection refused")
    timeout.__cause__ = httpcore.ReadTimeout("server disconnected without sending a response")
    assert not died_before_answer(timeout)


def test_aiohttp_failures_are_told_apart_by_class():
    from types import SimpleNamespace

    import aiohttp

    from pytest_cors.errors import TargetConnectionError, TargetDNSError
    from pytest_cors.targets._wire import classify

    key = SimpleNamespace(host="a.example", port=80, ssl=True)
    refused = ConnectionRefusedError(111, "handshake timed out")
    connector = aiohttp.ClientConnectorError(key, refused)
    connector.__cause__ = refused
    assert classify(connector).error is TargetConnectionError
    assert classify(connector).what == "connection refused"
    unreachable = aiohttp.ClientConnectorError(key, OSError(113, "No route to host"))
    assert classify(unreachable).what == "could not connect"
    assert classify(aiohttp.ServerDisconnectedError()).error is TargetError
    dns = getattr(aiohttp, "ClientConnectorDNSError", None)
    if dns is not None:
        assert classify(dns(key, OSError(-2, "timed out"))).error is TargetDNSError
