"""The kit's own HTTP/1.1 client behind URL-string targets, against scripted loopback servers.

Each test pins one thing a simpler client gets wrong: the exact lines and their order on the
wire, body framing (chunked, Content-Length, to the close, none for HEAD/204/304), interim
answers, kept-alive connections and when they are not kept, which failures are retried, TLS
trust, and when ``requests`` is used instead (proxies, a mocked ``requests``).
"""

from __future__ import annotations

import gc
import socket
import ssl
import struct
import subprocess
import sys
import threading

import pytest

from pytest_cors.errors import TargetError
from pytest_cors.http import Headers, Request
from pytest_cors.targets import adapt
from pytest_cors.targets.live import LiveTarget
from tests.servers import keep_alive, read_request, scripted, serve_raw

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
CHUNKED = (
    b"HTTP/1.1 200 OK\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"Access-Control-Allow-Origin: *\r\n"
    b"\r\n"
    b"5;ext=1\r\nhello\r\n"
    b"1\r\n,\r\n"
    b"6\r\n world\r\n"
    b"0\r\n"
    b"X-Trailer: t\r\n"
    b"\r\n"
)


@pytest.fixture
def target():
    """``target(base_url, **kwargs)``: a URL-string target, closed afterwards."""
    made = []

    def make(base_url, **kwargs):
        made.append(adapt(base_url, **kwargs))
        return made[-1]

    yield make
    for live in made:
        live.close()


def get(live, base_url, path="/", method="GET", headers=(), body=None):
    return live.send(Request(method, f"{base_url}{path}", Headers(list(headers)), body))


def test_header_lines_go_out_in_order_with_duplicates_where_they_stand(target):
    record = []
    lines = [("X-A", "1"), ("X-B", "2"), ("x-a", "3"), ("Origin", "https://app.example.com")]
    with serve_raw(scripted(OK, record)) as base_url:
        get(target(base_url), base_url, "/p?q=1", headers=lines)
    port = base_url.rsplit(":", 1)[1]
    assert record == [
        f"GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-A: 1\r\nX-B: 2\r\nx-a: 3\r\n"
        "Origin: https://app.example.com\r\n\r\n".encode()
    ]


def test_a_path_outside_ascii_is_percent_encoded(target):
    record = []
    with serve_raw(scripted(OK, record)) as base_url:
        get(target(base_url), base_url, "/caf\u00e9 menu?x=%41")
    assert record[0].startswith(b"GET /caf%C3%A9%20menu?x=%41 HTTP/1.1\r\n")


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "nul\0"])
def test_a_line_that_would_split_the_head_is_refused_before_sending(target, value):
    record = []
    with (
        serve_raw(scripted(OK, record)) as base_url,
        pytest.raises(TargetError, match="cannot be sent"),
    ):
        get(target(base_url), base_url, headers=[("X-Bad", value)])
    assert record == []


def test_chunked_body_is_joined_and_trailers_dropped(target):
    with serve_raw(keep_alive([CHUNKED, OK])) as base_url:
        live = target(base_url)
        response = get(live, base_url)
        after = get(live, base_url)  # the same connection, read exactly to the chunked end
    assert response.body == b"hello, world"
    assert response.headers.items() == (
        ("Transfer-Encoding", "chunked"),
        ("Access-Control-Allow-Origin", "*"),
    )
    assert after.body == b"ok"


def test_bare_lf_line_ends_are_read(target):
    answer = b"HTTP/1.1 204 No Content\nAccess-Control-Allow-Origin: *\nVary: Origin\n\n"
    with serve_raw(scripted(answer)) as base_url:
        response = get(target(base_url), base_url)
    assert response.status == 204
    assert response.headers.items() == (("Access-Control-Allow-Origin", "*"), ("Vary", "Origin"))


def test_interim_answers_are_skipped_as_a_browser_skips_them(target):
    answer = b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + OK
    with serve_raw(scripted(answer)) as base_url:
        response = get(target(base_url), base_url)
    assert (response.status, response.body) == (200, b"ok")
    assert "link" not in response.headers


@pytest.mark.parametrize("length", ["Content-Length: 10\r\n", ""], ids=["length", "no-length"])
@pytest.mark.parametrize(
    ("method", "status"), [("HEAD", 200), ("GET", 204), ("GET", 304), ("OPTIONS", 204)]
)
def test_no_body_is_read_where_there_is_none(target, method, status, length):
    """A HEAD answer (or a 204/304) may announce a length but carries no body: waiting for one
    would hang; with or without a length the connection stays usable for the next request."""
    first = f"HTTP/1.1 {status} X\r\n{length}\r\n".encode()
    record = []
    with serve_raw(keep_alive([first, OK], record)) as base_url:
        live = target(base_url, timeout=5)
        response = get(live, base_url, method=method)
        after = get(live, base_url)
    assert (response.status, response.body) == (status, b"")
    assert after.body == b"ok"
    assert [number for number, _ in record] == [1, 1]


def test_a_body_without_length_is_read_to_the_close_and_the_socket_dropped(target):
    record = []
    answers = iter([b"HTTP/1.1 200 OK\r\n\r\nall of it", OK])

    def one_per_connection(conn, stop):
        record.append(read_request(conn))
        conn.sendall(next(answers))  # then the connection closes

    with serve_raw(one_per_connection) as base_url:
        live = target(base_url)
        assert get(live, base_url).body == b"all of it"
        assert get(live, base_url).body == b"ok"  # on a fresh connection, not retried
    assert len(record) == 2


@pytest.mark.parametrize(
    "close_line", [b"Connection: close\r\n", b"connection: keep-alive, Close\r\n"]
)
def test_a_connection_the_server_closes_is_not_kept(target, close_line):
    record = []
    first = OK.replace(b"\r\n\r\n", b"\r\n" + close_line + b"\r\n", 1)
    with serve_raw(keep_alive([first, OK, OK], record)) as base_url:
        live = target(base_url)
        get(live, base_url)
        get(live, base_url)
        get(live, base_url)
    assert [number for number, _ in record] == [1, 2, 2]


def test_a_switch_of_protocols_ends_the_connections_http(target):
    record = []
    switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"
    with serve_raw(keep_alive([switch, OK, OK], record)) as base_url:
        live = target(base_url)
        assert get(live, base_url).status == 101
        assert get(live, base_url).body == b"ok"
    assert [number for number, _ in record] == [1, 2]


def test_http_1_0_answers_close_unless_kept_alive(target):
    record = []
    answers = [
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        OK,
    ]
    with serve_raw(keep_alive(answers, record)) as base_url:
        live = target(base_url)
        for _ in answers:
            assert get(live, base_url).body == b"ok"
    assert [number for number, _ in record] == [1, 1, 2]


def test_connections_are_kept_per_origin_and_shared_by_threads(target):
    record = []
    with serve_raw(keep_alive([OK] * 40, record)) as base_url:
        live = target(base_url)
        barrier = threading.Barrier(4)
        errors = []

        def work():
            try:
                barrier.wait(5)
                for _ in range(10):
                    assert get(live, base_url).body == b"ok"
            except Exception as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(record) == 40
    assert len({number for number, _ in record}) <= 4


def test_close_closes_every_idle_connection():
    ended = []

    def watch(conn, stop):
        keep_alive([OK] * 3)(conn, stop)
        ended.append(True)  # read_request saw the client's close

    with serve_raw(watch) as base_url:
        live = adapt(base_url)
        get(live, base_url)
        live.close()
        for _ in range(200):
            if ended:
                break
            threading.Event().wait(0.01)
        assert ended == [True]


def test_a_target_dropped_without_close_leaves_no_socket_open():
    """The finalizer closes pooled sockets (an unclosed socket would warn, and warnings fail)."""
    with serve_raw(keep_alive([OK] * 2)) as base_url:
        get(adapt(base_url), base_url)
        gc.collect()


@pytest.mark.parametrize("answered_first", [True, False])
def test_only_a_reused_connection_dropped_before_any_answer_is_retried(target, answered_first):
    """A kept-alive connection the server closed while idle is retried once; a fresh connection
    that closes without an answer is the server's answer and is reported."""
    record = []
    connections = []

    def answer_first_request_only(conn, stop):
        connections.append(conn)
        if answered_first and len(connections) == 1:
            record.append(read_request(conn))
            conn.sendall(OK)
        record.append(read_request(conn))  # and close without answering

    with serve_raw(answer_first_request_only) as base_url:
        live = target(base_url)
        if answered_first:
            get(live, base_url, "/one")
        with pytest.raises(TargetError, match="closed the connection without a response"):
            get(live, base_url, "/two")
    paths = [raw.split(b" ")[1] for raw in record]
    # kept alive: /two once more on a fresh connection (which hangs up too), and no more
    assert paths == ([b"/one", b"/two", b"/two"] if answered_first else [b"/two"])


def test_a_reset_after_part_of_the_answer_on_a_reused_connection_is_not_retried(target):
    record = []

    def answer_then_break(conn, stop):
        record.append(read_request(conn))
        conn.sendall(OK)
        record.append(read_request(conn))
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
        threading.Event().wait(0.05)  # let the part arrive before the reset
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    with serve_raw(answer_then_break) as base_url:
        live = target(base_url)
        get(live, base_url)
        with pytest.raises(
            TargetError, match="the connection broke before the response was complete"
        ):
            get(live, base_url)
    assert len(record) == 2


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", "not HTTP"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not HTTP"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "not HTTP"),
        (b"HTTP/2 200\r\n\r\n", "not HTTP"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "broke before"),
        (b"HTTP/1.1 200 OK\r\nContent-Len", "broke before"),
    ],
    ids=[
        "two-lengths",
        "bad-chunk-size",
        "four-digit-status",
        "http2",
        "short-chunk",
        "short-head",
    ],
)
def test_answers_no_client_can_use_are_target_errors(target, answer, what):
    with serve_raw(scripted(answer)) as base_url, pytest.raises(TargetError, match=what) as info:
        get(target(base_url, timeout=2), base_url, "/x")
    assert f"GET {base_url}/x: " in str(info.value)


def test_words_in_the_servers_bytes_do_not_decide_the_wording(target):
    """A status line that says 'timed out' is still garbage, not a timeout."""
    with (
        serve_raw(scripted(b"TIMED OUT connection refused\r\n\r\n")) as base_url,
        pytest.raises(TargetError, match="the answer is not HTTP"),
    ):
        get(target(base_url), base_url)


def test_the_head_limit_is_the_browsers(target):
    """Up to 256 KiB of head is read (more than http.client's 100 lines); beyond, no verdict."""
    lines = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 90) for i in range(1000))  # ~100 KiB
    with serve_raw(scripted(b"HTTP/1.1 200 OK\r\n" + lines + b"Content-Length: 0\r\n\r\n")) as url:
        assert len(get(target(url), url).headers) == 1001
    huge = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (300 * 1024) + b"\r\n\r\n"
    with serve_raw(scripted(huge)) as url, pytest.raises(TargetError, match="too large"):
        get(target(url), url)


def test_an_unresolvable_host_is_a_target_error(monkeypatch, target):
    """DNS failure, simulated: tests never send a query to a real resolver."""

    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(TargetError, match="the host name could not be resolved") as info:
        get(target("http://no-such-host.invalid"), "http://no-such-host.invalid", "/items")
    assert "GET http://no-such-host.invalid/items: " in str(info.value)


# -- TLS ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    from tests.reliability.faults import make_cert

    return make_cert(tmp_path_factory.mktemp("tls"), "loopback")


@pytest.fixture
def tls_server(cert):
    from tests.reliability.faults import server_context

    context = server_context(cert)
    record = []

    def handler(conn, stop):
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused the certificate
        with tls:
            keep_alive([OK, OK], record)(tls, stop)

    with serve_raw(handler) as base_url:
        yield base_url.replace("http://", "https://"), record


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_tls_trusts_the_bundle_the_environment_names(monkeypatch, cert, tls_server, variable):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, str(cert[0]))
    base_url, record = tls_server
    live = adapt(base_url)
    try:
        assert get(live, base_url).body == b"ok"
        assert get(live, base_url).body == b"ok"
    finally:
        live.close()
    assert [number for number, _ in record] == [1, 1]  # one handshake, a kept-alive connection


def test_tls_refuses_a_certificate_nobody_named(monkeypatch, tls_server):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    base_url, record = tls_server
    live = adapt(base_url)
    try:
        with pytest.raises(TargetError, match="the TLS handshake failed") as info:
            get(live, base_url)
    finally:
        live.close()
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)
    assert record == []


# -- when requests is used instead ----------------------------------------------------------------


def test_a_url_target_imports_no_requests():
    code = (
        "import os\n"
        "for k in list(os.environ):\n"
        "    if k.lower().endswith('_proxy'): del os.environ[k]\n"
        "from pytest_cors.targets import adapt\n"
        "from pytest_cors.http import Request\n"
        "t = adapt('http://127.0.0.1:9')\n"
        "try:\n"
        "    t.send(Request('GET', 'http://127.0.0.1:9/'))\n"
        "except Exception:\n"
        "    pass\n"
        "import sys\n"
        "heavy = ('requests', 'urllib3', 'http.client', 'email')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def proxy_server(record):
    """A 'proxy' that records the request line it is sent (absolute-form) and answers OK."""
    return scripted(OK, record)


@pytest.mark.parametrize("bypass", [False, True])
def test_an_environment_proxy_is_honoured_through_requests(monkeypatch, target, bypass):
    via_proxy, direct = [], []
    with serve_raw(proxy_server(via_proxy)) as proxy, serve_raw(scripted(OK, direct)) as base_url:
        for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy)
        if bypass:
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        live = target(base_url)
        assert get(live, base_url, "/items").body == b"ok"
    if bypass:
        assert (len(via_proxy), len(direct)) == (0, 1)
    else:
        assert (len(via_proxy), len(direct)) == (1, 0)
        assert via_proxy[0].startswith(f"GET {base_url}/items HTTP/1.1\r\n".encode())


def test_a_mocked_requests_answers_url_targets():
    import responses

    url = "http://api.example.test/items"
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, url, status=418, headers={"X-Mocked": "yes"})
        response = LiveTarget("http://api.example.test").send(Request("GET", url))
    assert response.status == 418
    assert response.headers.get("x-mocked") == "yes"
