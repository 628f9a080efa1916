"""What went wrong is told by the failure's kind, never by words in a message.

A live target's failure is a ``TargetError`` subclass: ``TargetConnectionError`` (refused),
``TargetDNSError``, ``TargetTLSError``, ``TargetTimeoutError`` or ``TargetProtocolError``. The
kind comes from the classes of the exceptions the HTTP client raised. A message quotes the URL
(and ``requests`` quotes its path), so a closed port reached at ``/sso/handshake`` must not read
as a TLS failure, nor one at ``/api/timeout-settings`` as a time-out. Each fault is reached at
paths naming other faults, through a URL string (the kit's own client), a ``requests.Session``
and an ``httpx.Client``; then the contract runner's "the target is down" decision.
"""

from __future__ import annotations

import socket

import pytest

from pytest_cors import (
    TargetConnectionError,
    TargetDNSError,
    TargetError,
    TargetProtocolError,
    TargetTimeoutError,
    TargetTLSError,
)
from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import FINDINGS, build_checks
from pytest_cors.http import Request
from pytest_cors.run import ContractRun, TargetSpec
from tests.reliability.faults import refused_url, serve_tls
from tests.servers import scripted, serve_raw, silent

TIMEOUT = 0.3  # seconds a target waits on a silent server (the fault, not a timing test)
UNRESOLVABLE = "nonexistent.invalid"
KINDS = ["url", "session", "httpx"]
# paths whose words the old text matching took for another fault ("handshake" for TLS, "timeout"
# for a time-out, urllib3's class names for a DNS failure and a refusal)
PATHS = ["/sso/handshake", "/api/timeout-settings", "/nameresolution/connectionrefused"]
SUBCLASSES = {
    TargetConnectionError,
    TargetDNSError,
    TargetProtocolError,
    TargetTimeoutError,
    TargetTLSError,
}


def unresolvable(monkeypatch):
    """``nonexistent.invalid`` does not resolve; tests never send a query to a real resolver,
    so ``getaddrinfo`` fails for that name as a resolver would (other names resolve)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == UNRESOLVABLE:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def no_dns(monkeypatch):
    unresolvable(monkeypatch)


def failure(target, base_url, path):
    """The error a GET of ``path`` raises: there must be one."""
    with pytest.raises(TargetError) as info:
        target.send(Request("GET", f"{base_url}{path}"))
    return info.value


def assert_kind(error, expected, phrase, base_url, path):
    """Exactly the expected subclass, still a TargetError, worded as before."""
    assert type(error) is expected, f"{type(error).__name__}: {error}"
    assert isinstance(error, TargetError)
    assert f"GET {base_url}{path}: {phrase}" in str(error)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", PATHS)
def test_a_closed_port_is_a_refused_connection_whatever_the_path(live, kind, path):
    base_url = refused_url()
    error = failure(live(kind, base_url), base_url, path)
    assert_kind(error, TargetConnectionError, "connection refused", base_url, path)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", PATHS)
def test_a_server_that_never_answers_is_a_timeout(live, kind, path):
    with serve_raw(silent) as base_url:
        error = failure(live(kind, base_url), base_url, path)
    assert_kind(error, TargetTimeoutError, f"timed out after {TIMEOUT:g} s", base_url, path)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tls_fault", ["untrusted-certificate", "plain-http-answer"])
def test_a_failed_handshake_is_a_tls_failure(live, certs, kind, path, tls_fault):
    """A self-signed certificate the client does not trust, or a server that answers the
    ClientHello in plain HTTP (an http server reached with https://)."""
    trusted, untrusted = certs
    fault = untrusted if tls_fault == "untrusted-certificate" else None
    with serve_tls(trusted, fault, "preflight") as base_url:
        error = failure(live(kind, base_url), base_url, path)
    assert_kind(error, TargetTLSError, "the TLS handshake failed", base_url, path)


@pytest.mark.usefixtures("no_dns")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", PATHS)
def test_a_host_name_that_does_not_resolve_is_a_dns_failure(live, kind, path):
    base_url = f"http://{UNRESOLVABLE}"
    error = failure(live(kind, base_url), base_url, path)
    assert_kind(error, TargetDNSError, "the host name could not be resolved", base_url, path)


GARBAGE = {
    "not-http": b"SSH-2.0-OpenSSH_9.6 TLS handshake timed out, connection refused\r\n\r\n",
    "status-line": b"HTTP/1.1 2000 handshake timeout\r\n\r\n",
    "two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
    "chunk-size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("answer", list(GARBAGE.values()), ids=list(GARBAGE))
def test_an_answer_that_is_not_http_is_a_protocol_error(live, kind, path, answer):
    with serve_raw(scripted(answer)) as base_url:
        error = failure(live(kind, base_url), base_url, path)
    assert_kind(error, TargetProtocolError, "the answer is not HTTP", base_url, path)


@pytest.mark.parametrize("kind", KINDS)
def test_an_oversized_head_is_a_protocol_error(live, kind):
    head = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n"
    with serve_raw(scripted(head)) as base_url:
        error = failure(live(kind, base_url), base_url, "/sso/handshake")
    phrase = "the response header block is too large for the HTTP client"
    assert_kind(error, TargetProtocolError, phrase, base_url, "/sso/handshake")


@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_that_breaks_is_no_particular_kind(live, kind):
    """A reset half-way through an answer is none of the five kinds: a plain TargetError."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"
    with serve_raw(scripted(answer, reset=True)) as base_url:
        error = failure(live(kind, base_url), base_url, "/api/timeout-settings")
    assert type(error) is TargetError
    assert "the connection broke before the response was complete" in str(error)


def test_every_kind_is_a_target_error_built_the_same_way():
    """``except TargetError`` catches each; each is built, and rebuilt, as a TargetError is."""
    for cls in SUBCLASSES:
        error = cls("GET http://a.example/: what", target="T", step="preflight")
        assert isinstance(error, TargetError)
        assert str(error) == "[preflight] T: GET http://a.example/: what"
        assert (error.detail, error.target, error.step) == (
            "GET http://a.example/: what",
            "T",
            "preflight",
        )
        again = type(error)(error.detail, target="U", step="actual")
        assert str(again) == "[actual] U: GET http://a.example/: what"
        assert not any(issubclass(cls, other) for other in SUBCLASSES - {cls})


def test_words_in_an_exception_message_decide_nothing():
    """Exceptions of no telling class, whose messages name every fault, stay unclassified;
    the same words never turn a refusal into anything else."""
    from pytest_cors.targets._wire import wire_error

    request = Request("GET", "http://a.example/sso/handshake")
    words = "timed out, TLS handshake failed, [SSL] certificate, Name or service not known"
    error = wire_error(request, RuntimeError(words), "T", 1.0)
    assert type(error) is TargetError
    assert ": the request failed (" in str(error)
    refused = ConnectionRefusedError(111, words)
    error = wire_error(request, refused, "T", 1.0)
    assert type(error) is TargetConnectionError
    assert "GET http://a.example/sso/handshake: connection refused (" in str(error)


# -- the contract runner: a target is down when it cannot be reached, by kind ------------------

CONTRACT = """\
version: 1
policies:
  - name: sso
    paths: [/sso/handshake, /api/timeout-settings]
    origins:
      allow: [https://app.example.com]
    methods: [GET, PUT]
"""


def contract_run(base_url):
    c = load_contract_text(CONTRACT, "cors.yaml", known_findings=FINDINGS)
    return ContractRun(c, TargetSpec(None, base_url, "cors.yaml"), timeout=TIMEOUT), build_checks(c)


def test_an_answer_quoting_connection_refused_does_not_take_the_target_down():
    """The kit's client quotes a status line that is not HTTP; its words ("connection
    refused", "could not connect") say nothing about whether the target can be reached."""
    answer = b"ERROR connection refused, could not connect, could not be resolved\r\n\r\n"
    with serve_raw(scripted(answer)) as base_url:
        run, checks = contract_run(base_url)
        try:
            for check in checks[:3]:
                with pytest.raises(TargetError) as info:
                    run.result(check)
                assert "the answer is not HTTP" in str(info.value)
                assert "not attempted" not in str(info.value)
        finally:
            run.close()


@pytest.mark.parametrize("fault", ["refused", "dns"])
def test_an_unreachable_target_stops_the_run(monkeypatch, fault):
    if fault == "dns":
        unresolvable(monkeypatch)
    base_url = refused_url() if fault == "refused" else f"https://{UNRESOLVABLE}"
    run, checks = contract_run(base_url)
    try:
        with pytest.raises(TargetError) as info:
            run.result(checks[0])
        assert "not attempted" not in str(info.value)
        with pytest.raises(TargetError, match="not attempted: an earlier request could not reach"):
            run.result(checks[1])
    finally:
        run.close()
