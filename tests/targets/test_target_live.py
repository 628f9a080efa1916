"""Live targets over real loopback sockets: requests (URL string, Session) and httpx clients.

A scripted raw-socket server records the exact bytes each client puts on the wire and answers
with exactly the bytes a test chooses, including garbage and a reset half-way through.
"""

from __future__ import annotations

import importlib
import socket
import sys

import pytest

from pytest_cors.errors import TargetError
from pytest_cors.http import Headers, Request
from pytest_cors.targets import adapt, as_sync, run_sync
from tests.servers import read_request, scripted, serve_asgi, serve_raw, serve_wsgi, silent
from tests.targets.apps import ALLOWED, recording_asgi, recording_wsgi

ANSWER = (
    b"HTTP/1.1 200 Fine Thanks\r\n"
    b"Content-Length: 2\r\n"
    b"access-control-allow-origin: https://app.example.com\r\n"
    b"X-Dup: one\r\n"
    b"Content-Type: text/plain\r\n"
    b"x-DUP: two\r\n"
    b"Set-Cookie: session=secret; Path=/\r\n"
    b"\r\n"
    b"ok"
)
ANSWER_LINES = (
    ("Content-Length", "2"),
    ("access-control-allow-origin", ALLOWED),
    ("X-Dup", "one"),
    ("Content-Type", "text/plain"),
    ("x-DUP", "two"),
    ("Set-Cookie", "session=secret; Path=/"),
)
HEADERS = Headers([("Origin", ALLOWED), ("Access-Control-Request-Method", "PUT")])


def client_for(kind, base_url, timeout=10.0):
    """A live target of the given kind pointed at ``base_url``, and what closes it."""
    if kind == "url":
        target = adapt(base_url, timeout=timeout)
        return target, target.close
    if kind == "session":
        import requests

        session = requests.Session()
        session.cookies.set("session", "from-the-jar")
        session.headers["Authorization"] = "Bearer session-default"
        return adapt(session, base_url=base_url, timeout=timeout), session.close
    library = importlib.import_module(kind)
    client = library.Client(
        base_url=base_url,
        timeout=timeout,
        cookies={"session": "from-the-jar"},
        headers={"Authorization": "Bearer client-default"},
    )
    return adapt(client), client.close


KINDS = ["url", "session", "httpx"] + (["httpx2"] if sys.version_info >= (3, 11) else [])


@pytest.fixture(params=KINDS)
def live(request):
    """``live(base_url, timeout=...)`` makes a target of each kind in turn; closed afterwards."""
    closers = []

    def make(base_url, timeout=10.0):
        target, close = client_for(request.param, base_url, timeout)
        closers.append(close)
        return target

    yield make
    for close in closers:
        close()


def expected_head(method, target, port, *lines):
    head = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", *lines]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


def port_of(base_url):
    return int(base_url.rsplit(":", 1)[1])


def test_exact_bytes_on_the_wire(live):
    record = []
    with serve_raw(scripted(ANSWER, record)) as base_url:
        target = live(base_url)
        target.send(Request("OPTIONS", f"{base_url}/items?x=1", HEADERS))
    assert record == [
        expected_head(
            "OPTIONS",
            "/items?x=1",
            port_of(base_url),
            f"Origin: {ALLOWED}",
            "Access-Control-Request-Method: PUT",
        )
    ]


def test_exact_bytes_with_a_body(live):
    record = []
    request = Request("PUT", "", Headers([("Content-Type", "application/json")]), b"{}")
    with serve_raw(scripted(ANSWER, record)) as base_url:
        live(base_url).send(
            Request(request.method, f"{base_url}/items", request.headers, request.body)
        )
    assert record == [
        expected_head(
            "PUT",
            "/items",
            port_of(base_url),
            "Content-Type: application/json",
            "Content-Length: 2",
        )
        + b"{}"
    ]


def test_duplicate_request_lines_are_sent(live):
    record = []
    headers = Headers([("X-A", "1"), ("X-A", "2")])
    with serve_raw(scripted(ANSWER, record)) as base_url:
        live(base_url).send(Request("GET", f"{base_url}/", headers))
    assert record[0].count(b"\r\nX-A: ") == 2


def test_response_lines_are_kept_raw(live):
    with serve_raw(scripted(ANSWER)) as base_url:
        response = live(base_url).send(Request("GET", f"{base_url}/"))
    assert response.status == 200
    assert response.reason == "Fine Thanks"
    assert response.headers.items() == ANSWER_LINES
    assert response.body == b"ok"


def test_no_cookie_is_sent_even_after_a_set_cookie(live):
    record = []
    with serve_raw(scripted(ANSWER, record)) as base_url:
        target = live(base_url)
        first = target.send(Request("GET", f"{base_url}/login"))
        target.send(Request("GET", f"{base_url}/again"))
    assert first.headers.get("set-cookie") == "session=secret; Path=/"
    assert len(record) == 2
    for raw in record:
        assert b"cookie" not in raw.lower()
        assert b"authorization" not in raw.lower()


def test_httpx_client_jar_is_left_as_it_was():
    import httpx

    with serve_raw(scripted(ANSWER)) as base_url, httpx.Client(base_url=base_url) as client:
        client.cookies.set("mine", "1")
        adapt(client).send(Request("GET", f"{base_url}/login"))
        assert dict(client.cookies) == {"mine": "1"}


def test_redirects_are_not_followed(live):
    record = []
    answer = b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
    with serve_raw(scripted(answer, record)) as base_url:
        response = live(base_url).send(Request("GET", f"{base_url}/old"))
    assert response.status == 302
    assert response.headers.get("location") == "/elsewhere"
    assert len(record) == 1


def test_a_kept_alive_connection_closed_by_the_server_is_replaced(live):
    """The server answers, reads the next request on the same connection, and hangs up."""
    record = []

    def hang_up_on_second(conn, stop):
        record.append(read_request(conn))
        conn.sendall(ANSWER)
        record.append(read_request(conn))

    with serve_raw(hang_up_on_second) as base_url:
        target = live(base_url)
        first = target.send(Request("GET", f"{base_url}/one"))
        second = target.send(Request("GET", f"{base_url}/two"))
    assert (first.status, second.status) == (200, 200)
    # /two went out on the stale connection first, then again on a fresh one
    assert [raw.split(b" ")[1] for raw in record[:3]] == [b"/one", b"/two", b"/two"]


def refused_url():
    """A loopback URL nobody listens on: a port we bound and closed again."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def test_refused_port_is_a_target_error(live):
    base_url = refused_url()
    with pytest.raises(TargetError, match=r"OPTIONS http://127\.0\.0\.1:\d+/x: connection refused"):
        live(base_url).send(Request("OPTIONS", f"{base_url}/x", HEADERS))


@pytest.mark.parametrize(
    ("handler", "what"),
    [
        (scripted(b"SSH-2.0-OpenSSH_9.6 NOT HTTP AT ALL\r\n\r\n"), "the answer is not HTTP"),
        (
            scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", reset=True),
            "the connection broke before the response was complete",
        ),
        (scripted(b""), "the server closed the connection without a response"),
        (silent, "timed out after 0.3 s"),
    ],
    ids=["garbage", "reset", "closed", "timeout"],
)
def test_broken_servers_are_target_errors(live, handler, what):
    with serve_raw(handler) as base_url:
        target = live(base_url, timeout=0.3)
        with pytest.raises(TargetError) as info:
            target.send(Request("GET", f"{base_url}/items"))
    message = str(info.value)
    assert f"GET {base_url}/items: {what}" in message
    assert base_url in info.value.target


def test_unresolvable_host_is_a_target_error():
    """DNS failure, simulated: tests never send a query to a real resolver."""
    import requests
    import responses
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    url = "http://no-such-host.invalid/items"
    cause = NameResolutionError(
        "no-such-host.invalid", None, socket.gaierror(-2, "Name or service not known")
    )
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, url, body=requests.ConnectionError(MaxRetryError(None, url, cause)))
        with pytest.raises(TargetError, match="the host name could not be resolved"):
            adapt("http://no-such-host.invalid").send(Request("GET", url))


def test_live_target_reuses_its_connection():
    record = []
    with serve_asgi(recording_asgi(record)) as base_url:
        target = adapt(base_url)
        for _ in range(3):
            assert target.send(Request("GET", f"{base_url}/items")).status == 200
        target.close()
    assert len({scope["client"] for scope in record}) == 1


def test_live_wsgi_server_sees_the_request_and_keeps_response_lines():
    record = []
    with serve_wsgi(recording_wsgi(record)) as base_url:
        target = adapt(base_url)
        response = target.send(Request("OPTIONS", f"{base_url}/items", HEADERS))
        target.close()
    environ = record[0]
    assert environ["HTTP_ORIGIN"] == ALLOWED
    assert environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] == "PUT"
    assert "HTTP_USER_AGENT" not in environ
    assert "HTTP_COOKIE" not in environ
    assert response.headers.get_all("x-dup") == ["one", "two"]
    assert response.headers.get_all("set-cookie") == ["a=1", "b=2"]


def test_async_httpx_client_over_uvicorn_from_sync_code():
    import httpx

    record = []
    with serve_asgi(recording_asgi(record)) as base_url:
        client = httpx.AsyncClient(base_url=base_url)
        target = as_sync(adapt(client))
        for _ in range(2):  # the second call reuses the pooled connection on the same loop
            response = target.send(Request("GET", f"{base_url}/items", HEADERS))
            assert response.headers.get_all("x-dup") == ["one", "two"]
        run_sync(client.aclose())
    assert next(scope["client"] for scope in record) == record[1]["client"]
    assert (b"origin", ALLOWED.encode()) in record[0]["headers"]


LENIENT = (
    b"HTTP/1.1 200 OK\r\n"
    b"Access-Control-Allow-Origin : *\r\n"
    b"X-Fold: a\r\n"
    b"  b\r\n"
    b"Content-Length: 2\r\n"
    b"\r\n"
    b"ok"
)


@pytest.mark.parametrize("kind", ["url", "session"])
def test_requests_keeps_lines_after_a_blank_before_colon(kind):
    """http.client stops parsing at ``Name : value`` (Chromium accepts it); no line is lost."""
    with serve_raw(scripted(LENIENT)) as base_url:
        target, close = client_for(kind, base_url)
        response = target.send(Request("GET", f"{base_url}/"))
        close()
    assert response.headers.items() == (
        ("Access-Control-Allow-Origin ", "*"),
        ("X-Fold", "a b"),
        ("Content-Length", "2"),
    )
    assert response.body == b"ok"


def test_httpx_refuses_a_blank_before_colon():
    """h11 is strict here: the httpx adapters report a TargetError rather than a verdict."""
    import httpx

    with (
        serve_raw(scripted(LENIENT)) as base_url,
        httpx.Client(base_url=base_url) as client,
        pytest.raises(TargetError, match="the answer is not HTTP"),
    ):
        adapt(client).send(Request("GET", f"{base_url}/"))
