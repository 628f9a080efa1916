"""Misbehaving servers and targets for the reliability tests, one per fault the kit must survive.

Each fault can strike the preflight or the actual request: a fault server answers the preflight
properly when told to strike the actual request, then misbehaves on the next request. Every
server binds 127.0.0.1 on port 0 (see ``tests.servers``).
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.servers import read_request, serve_raw

APP = "https://app.example.com"
STEPS = ("preflight", "actual")

# A preflight answer that lets APP send PUT with X-Token: the actual request follows it.
GOOD_PREFLIGHT = (
    b"HTTP/1.1 204 No Content\r\n"
    b"Access-Control-Allow-Origin: https://app.example.com\r\n"
    b"Access-Control-Allow-Methods: PUT\r\n"
    b"Access-Control-Allow-Headers: X-Token\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)
# An actual answer that would let APP read it: a kit that ignored a fault would say "allowed".
GOOD_ACTUAL = (
    b"HTTP/1.1 200 OK\r\n"
    b"Access-Control-Allow-Origin: https://app.example.com\r\n"
    b"Content-Length: 2\r\n"
    b"\r\n"
    b"ok"
)
# The request a test sends: PUT with a custom header, so a preflight goes first.
FETCH: dict[str, Any] = {"origin": APP, "method": "PUT", "headers": {"X-Token": "t"}}

ONE_MIB = 1 << 20


def is_preflight(raw: bytes) -> bool:
    return raw.startswith(b"OPTIONS ")


# -- what a fault writes on the wire ----------------------------------------------------------


def write_garbage(conn: socket.socket) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.6 this is not HTTP\r\n\r\n")


def write_reset(conn: socket.socket) -> None:
    """Half a response, then a TCP RST (SO_LINGER 0) instead of the rest."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def write_many_header_lines(conn: socket.socket) -> None:
    """1 MiB of header block as ~10,000 short lines."""
    line = b"X-Pad: " + b"a" * 93 + b"\r\n"
    with contextlib.suppress(OSError):  # the client may hang up once it has seen enough
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + line * (ONE_MIB // len(line)) + b"\r\n")


def write_one_huge_header(conn: socket.socket) -> None:
    """1 MiB of header block as one line."""
    with contextlib.suppress(OSError):
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * ONE_MIB + b"\r\n\r\n")


WIRE_FAULTS: dict[str, Callable[[socket.socket], None]] = {
    "garbage": write_garbage,
    "reset": write_reset,
    "many-header-lines": write_many_header_lines,
    "one-huge-header": write_one_huge_header,
}


def fault_handler(
    fault: Callable[[socket.socket], None] | None, step: str
) -> Callable[[socket.socket, threading.Event], None]:
    """Answer requests on a connection; strike with ``fault`` at ``step``.

    ``fault=None`` means silence: the request is read and never answered (a timeout).
    """

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        while True:
            raw = read_request(conn)
            if not raw:
                return
            if step == "actual" and is_preflight(raw):
                conn.sendall(GOOD_PREFLIGHT)
                continue
            if fault is None:
                stop.wait()
            else:
                fault(conn)
            return

    return handler


def refused_url() -> str:
    """A loopback URL nobody listens on: a port bound and closed again."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


# -- TLS ------------------------------------------------------------------------------------------


def make_cert(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), written to ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"pytest-cors {name}")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / f"{name}.pem"
    key_file = directory / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    return context


@contextmanager
def serve_tls(
    trusted: tuple[Path, Path], fault: tuple[Path, Path] | None, step: str
) -> Iterator[str]:
    """An HTTPS server on loopback whose TLS goes wrong at ``step``; yields its ``https://`` URL.

    The client trusts ``trusted``. The striking connection shows the certificate ``fault`` (one
    the client does not trust) or, with ``fault=None``, reads the ClientHello and answers in
    plain text. For the actual step the first connection is sound: it answers the preflight and
    closes, so the actual request needs the next connection, which strikes.
    """
    good = server_context(trusted)
    bad = server_context(fault) if fault is not None else None
    connections = [0]
    lock = threading.Lock()

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        with lock:
            connections[0] += 1
            sound = step == "actual" and connections[0] == 1
        if not sound and bad is None:
            conn.recv(65536)  # the ClientHello
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            tls = (good if sound else bad).wrap_socket(conn, server_side=True)  # type: ignore[union-attr]
        except (ssl.SSLError, OSError):
            return  # the client refused the certificate: the fault under test
        with tls:
            raw = read_request(tls)
            if raw and is_preflight(raw):
                tls.sendall(GOOD_PREFLIGHT.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))

    with serve_raw(handler) as base_url:
        yield base_url.replace("http://", "https://")


@contextmanager
def serve_then_refuse() -> Iterator[str]:
    """Answer one preflight (``Connection: close``), then stop listening: the actual request's
    connection is refused."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        listener.close()  # nobody listens any more: the next connect is refused
        with conn:
            if is_preflight(read_request(conn)):
                conn.sendall(GOOD_PREFLIGHT.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        with contextlib.suppress(OSError):  # wakes accept() if nothing ever connected
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join()
