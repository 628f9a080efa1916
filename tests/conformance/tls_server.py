"""The scenario server speaking TLS and plain HTTP on the same loopback ports.

The mixed-content and Local Network Access families need an ``https`` page next to plain-http
and ``https`` APIs, and need to see whether a browser upgraded an ``http`` URL to ``https``
(mixed-content autoupgrade keeps the port). So every port here answers both: a connection whose
first byte is a TLS handshake record (``0x16``) is wrapped in TLS, any other is read as plain
HTTP, and each request is recorded with the scheme it arrived over.

The certificate is self-signed, made at test time into a temporary directory (never a file of
the repository) with ``cryptography`` (already a test dependency); the browsers are told to
accept it (Chromium ``--ignore-certificate-errors``, Firefox's ``acceptInsecureCerts``, WebKit's
TLS-errors policy ``IGNORE``).
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
from pathlib import Path

from .server import _SCENARIO_PATH, HOSTS, LOCAL_HOST, Received, ScenarioServer

_conn = threading.local()


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the scenario host names and loopback, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pytest-cors conformance")])
    now = datetime.datetime.now(datetime.timezone.utc)
    names: list[x509.GeneralName] = [x509.DNSName(h) for h in (*HOSTS, LOCAL_HOST)]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class TlsScenarioServer(ScenarioServer):
    """A :class:`ScenarioServer` whose ports take TLS too, recording each request's scheme;
    ``extra_ports`` more listeners (for a third address space) share the table."""

    def __init__(self, extra_ports: int = 0) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="pytest-cors-tls-")
        self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._tls.load_cert_chain(*make_cert(Path(self._dir.name)))
        self._schemes: dict[str, list[str]] = {}
        super().__init__()
        self.extra: list[int] = []
        for _ in range(extra_ports):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            sock.listen(128)
            self._listeners.append(sock)
            port = sock.getsockname()[1]
            self.extra.append(port)
            threading.Thread(target=self._accept_loop, args=(sock, port), daemon=True).start()

    def url(self, scheme: str, host: str, port: int, path: str = "") -> str:
        return f"{scheme}://{host}:{port}{path}"

    def close(self) -> None:
        super().close()
        self._dir.cleanup()

    def _serve(self, conn: socket.socket, port: int) -> None:
        _conn.tls = False
        try:
            conn.settimeout(10)
            first = conn.recv(1, socket.MSG_PEEK)
            if first == b"\x16":
                raw, conn = conn, self._tls.wrap_socket(conn, server_side=True)
                _conn.tls = True
                with self._lock:
                    self._conns.discard(raw)
                    self._conns.add(conn)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        super()._serve(conn, port)

    def _record(self, request: Received) -> None:
        super()._record(request)
        match = _SCENARIO_PATH.match(request.path)
        if match:
            with self._lock:
                scheme = "https" if getattr(_conn, "tls", False) else "http"
                self._schemes.setdefault(match.group(1), []).append(scheme)

    def take_with_schemes(self, sid: str) -> list[tuple[Received, str]]:
        """The requests recorded for ``sid``, each with the scheme it came over, forgotten."""
        requests = self.take(sid)
        with self._lock:
            schemes = self._schemes.pop(sid, [])
        return list(zip(requests, schemes, strict=False))
