"""The conformance suite's own machinery, without a browser: if the scenario server bent a
header line or the scenario table lost a family, every browser comparison would prove less."""

from __future__ import annotations

import socket

from .randomized import generate
from .scenarios import SCENARIOS, Fetch
from .server import Resp, ScenarioServer, Step
from .twin import wsgi_app


def _exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.startswith(b"Content-Length")
        )
        while len(body) < length:
            body += sock.recv(65536)
        return head + b"\r\n\r\n" + body


def test_header_lines_go_out_verbatim_and_requests_are_recorded() -> None:
    lines = (
        "Access-Control-Allow-Origin : *",
        "access-control-allow-origin:{ORIGIN}",
        "X-Dup: 1",
        "X-Dup: 2",
        "Location: {API2}/s/{SID}/b",
    )
    with ScenarioServer() as server:
        server.add("t1", "http://app.example.com:1", {"a": Step(Resp(307, lines, b"hey"))})
        raw = _exchange(
            server.port,
            b"GET /s/t1/a?q=1 HTTP/1.1\r\nHost: api.example.org\r\nOrigin: http://x\r\n"
            b"X-Dup: a\r\nx-dup: b\r\n\r\n",
        )
        head = raw.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        assert head == [
            "HTTP/1.1 307 Temporary Redirect",
            "Access-Control-Allow-Origin : *",
            "access-control-allow-origin:http://app.example.com:1",
            "X-Dup: 1",
            "X-Dup: 2",
            f"Location: http://api.example.org:{server.port2}/s/t1/b",
            "Content-Length: 3",
        ]
        assert raw.endswith(b"hey")
        (received,) = server.received("t1")
        assert received.path == "/s/t1/a?q=1"
        assert received.headers[1:] == (
            ("Origin", "http://x"),
            ("X-Dup", "a"),
            ("x-dup", "b"),
        )
        assert not received.is_preflight


def test_preflight_and_actual_get_their_own_response_on_one_connection() -> None:
    step = Step(actual=Resp(200, ("X-Kind: actual",)), preflight=Resp(204, ("X-Kind: pre",), b""))
    with ScenarioServer() as server:
        server.add("t2", "null", {"a": step})
        with socket.create_connection(("127.0.0.1", server.port2), timeout=5) as sock:
            sock.sendall(
                b"OPTIONS /s/t2/a HTTP/1.1\r\nHost: h\r\nAccess-Control-Request-Method: PUT\r\n\r\n"
            )
            first = sock.recv(65536)
            sock.sendall(b"OPTIONS /s/t2/a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi")
            second = b""
            while not second.endswith(b"ok"):
                second += sock.recv(65536)
        assert b"X-Kind: pre" in first
        assert b"Content-Length" not in first  # 204: no body, no length
        assert b"X-Kind: actual" in second
        recorded = server.take("t2")
        assert [r.is_preflight for r in recorded] == [True, False]
        assert recorded[1].body == b"hi"
        assert server.received("t2") == []


def test_wsgi_twin_serves_the_same_status_lines_and_body() -> None:
    with ScenarioServer() as server:
        lines = ("Access-Control-Allow-Origin: {ORIGIN}", "X-A: 1", "X-A: 2")
        server.add("t3", "http://app.example.com:9", {"a": Step(Resp(404, lines, b"gone"))})
        started = []
        body = wsgi_app(server)(
            {"REQUEST_METHOD": "GET", "PATH_INFO": "/s/t3/a", "QUERY_STRING": ""},
            lambda status, headers: started.append((status, headers)),
        )
        assert started == [
            (
                "404 Not Found",
                [
                    ("Access-Control-Allow-Origin", "http://app.example.com:9"),
                    ("X-A", "1"),
                    ("X-A", "2"),
                    ("Content-Length", "4"),
                ],
            )
        ]
        assert list(body) == [b"gone"]


def test_every_rule_family_is_covered_by_hundreds_of_scenarios() -> None:
    families = {s.family for s in SCENARIOS}
    assert families == {
        "method", "reqhdr", "acao", "cred", "pfstatus", "acam", "acah", "expose", "status",
        "redir", "cache", "hcache", "redirmethod",
    }  # fmt: skip
    assert len(SCENARIOS) >= 300
    assert len({s.sid for s in SCENARIOS}) == len(SCENARIOS)
    assert all(len(s.fetches) == 2 for s in SCENARIOS if s.family == "cache")
    pages = {s.page for s in SCENARIOS}
    assert pages == {"app", "app2", "evil", "null"}


def test_random_scenarios_replay_from_their_seed() -> None:
    assert generate(1234, 50) == generate(1234, 50)
    assert generate(1234, 50) != generate(1235, 50)
    assert all(isinstance(f, Fetch) for s in generate(7, 50) for f in s.fetches)
