"""A loopback HTTP/1.1 server whose every response a scenario controls to the byte.

The conformance suite needs responses no framework will produce (two
``Access-Control-Allow-Origin`` lines, a blank before the colon, a 307 to another origin without
CORS headers ...) and a record of exactly what the browser sent (``Origin`` on every hop, the
``Access-Control-Request-*`` values). So this is a raw-socket server: it parses requests itself,
writes each header line verbatim, and logs every request it receives.

URL layout (any host name; the browser maps them all to 127.0.0.1):

``/page``             a blank HTML page (the page origin is the host the browser used)
``/opaque``           the same page under ``Content-Security-Policy: sandbox allow-scripts``,
                      so its origin is opaque and its requests carry ``Origin: null``
``/page?csp=<policy>`` the page (or ``/opaque``) with that ``Content-Security-Policy`` too
``/sandbox``          a page holding a sandboxed ``<iframe>`` of ``/page`` (another way to ``null``)
``/s/<sid>/<step>``   scenario ``sid``: a preflight (``OPTIONS`` carrying
                      ``Access-Control-Request-Method``) gets the step's preflight response,
                      anything else its actual response.

Response specs hold placeholders (``{API}``, ``{ORIGIN}`` ...) that are filled in per request,
because ports are only known once the server is listening.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

PAGE_HTML = b"<!doctype html><html><head><title>conformance</title></head><body></body></html>"
SANDBOX_HTML = (
    b"<!doctype html><html><body>"
    b'<iframe id="f" sandbox="allow-scripts" src="/page"></iframe></body></html>'
)

# Host names the browser resolves to the loopback server (see chromium.resolver_rules()).
APP_HOST = "app.example.com"
EVIL_HOST = "evil.example.net"
API_HOST = "api.example.org"
OTHER_HOST = "other.example.com"
HOSTS = (APP_HOST, EVIL_HOST, API_HOST, OTHER_HOST)
# Loopback names every resolver knows: potentially trustworthy URLs over plain http.
LOCAL_HOST = "localhost"
LOOP_HOST = "127.0.0.1"

_SCENARIO_PATH = re.compile(r"^/s/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class Resp:
    """One response, byte for byte: status line parts, raw header lines, body.

    ``lines`` are written verbatim (after placeholder substitution) between the status line and
    the ``Content-Length`` line the server adds for framing, so spelling, duplicates and blanks
    before the colon survive.
    """

    status: int = 200
    lines: tuple[str, ...] = ()
    body: bytes = b"ok"
    reason: str = ""

    def has_body(self, method: str) -> bool:
        return method != "HEAD" and self.status not in (204, 304) and self.status >= 200


@dataclass(frozen=True)
class Step:
    """What one URL of a scenario answers: to a preflight, and to everything else."""

    actual: Resp
    preflight: Resp | None = None


@dataclass(frozen=True)
class Received:
    """One request as it arrived: the raw header lines in order, nothing merged."""

    method: str
    path: str
    port: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def get(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.get("Access-Control-Request-Method") is not None


#: A page name ``app|csp:<policy>`` is the page ``app`` served with that
#: ``Content-Security-Policy`` (placeholders such as ``{API}`` filled in), as ``/page?csp=...``;
#: a ``|n:<i>`` suffix only tells pages with the same policy apart (one page load each).
CSP_MARK = "|csp:"


def split_page(page: str) -> tuple[str, str | None]:
    """A page name's base page and the policy it is served with (``None``: none)."""
    base, mark, policy = page.partition(CSP_MARK)
    return base, policy.partition("|n:")[0] if mark else None


def page_csp_lines(path: str) -> tuple[str, ...]:
    """The ``Content-Security-Policy`` line a page URL's ``csp`` query parameter asks for."""
    query = parse_qs(urlsplit(path).query)
    return tuple(f"Content-Security-Policy: {value}" for value in query.get("csp", ()))


def split_line(line: str) -> tuple[str, str]:
    """A raw header line as a parser splits it: the name kept raw, the value trimmed."""
    name, _, value = line.partition(":")
    return name, value.strip(" \t")


REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    206: "Partial Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def reason_for(resp: Resp) -> str:
    return resp.reason or REASONS.get(resp.status, "Status")


@dataclass
class _Table:
    steps: dict[tuple[str, str], Step] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)


class ScenarioServer:
    """Two loopback listeners (two ports = two more origins) sharing one scenario table."""

    def __init__(self, idle_timeout: float = 30.0) -> None:
        self._table = _Table()
        self._log: dict[str, list[Received]] = {}
        self._other: list[Received] = []
        self._lock = threading.Lock()
        self._idle_timeout = idle_timeout
        self._listeners: list[socket.socket] = []
        self._closing = threading.Event()
        self._conns: set[socket.socket] = set()
        for _ in range(2):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            sock.listen(128)
            self._listeners.append(sock)
        self.port, self.port2 = (s.getsockname()[1] for s in self._listeners)
        for sock in self._listeners:
            port = sock.getsockname()[1]
            threading.Thread(target=self._accept_loop, args=(sock, port), daemon=True).start()

    # -- names -----------------------------------------------------------------------------
    def origin(self, host: str, second_port: bool = False) -> str:
        return f"http://{host}:{self.port2 if second_port else self.port}"

    @property
    def api(self) -> str:
        return self.origin(API_HOST)

    def placeholders(self, sid: str) -> dict[str, str]:
        """What ``{NAME}`` means in a scenario's specs (``{ORIGIN}`` is the page's origin)."""
        with self._lock:
            page_origin = self._table.origins.get(sid, "null")
        return {
            "{API}": self.origin(API_HOST),
            "{API2}": self.origin(API_HOST, second_port=True),
            "{APP}": self.origin(APP_HOST),
            "{APP2}": self.origin(APP_HOST, second_port=True),
            "{EVIL}": self.origin(EVIL_HOST),
            "{APP80}": f"http://{APP_HOST}",
            "{API80}": f"http://{API_HOST}",
            "{OTHER}": self.origin(OTHER_HOST),
            # potentially trustworthy without TLS: the browser sends Fetch Metadata there
            "{LOCAL}": self.origin(LOCAL_HOST),
            "{LOCAL2}": self.origin(LOCAL_HOST, second_port=True),
            "{LOOP}": self.origin(LOOP_HOST),
            "{ORIGIN}": page_origin,
            "{PORT}": str(self.port),
            "{PORT2}": str(self.port2),
            "{SID}": sid,
        }

    def filler(self, sid: str) -> Callable[[str], str]:
        marks = self.placeholders(sid)

        def fill(text: str) -> str:
            for mark, value in marks.items():
                text = text.replace(mark, value)
            return text

        return fill

    # -- the table and the log -------------------------------------------------------------
    def add(self, sid: str, page_origin: str, steps: Mapping[str, Step]) -> None:
        """Register scenario ``sid``; ``page_origin`` is what ``{ORIGIN}`` stands for."""
        with self._lock:
            self._table.origins[sid] = page_origin
            for name, step in steps.items():
                self._table.steps[(sid, name)] = step

    def step(self, sid: str, name: str) -> Step | None:
        with self._lock:
            return self._table.steps.get((sid, name))

    def received(self, sid: str) -> list[Received]:
        with self._lock:
            return list(self._log.get(sid, ()))

    def take(self, sid: str) -> list[Received]:
        """The requests recorded for ``sid`` so far, forgetting them (for a second client)."""
        with self._lock:
            return self._log.pop(sid, [])

    def response_for(self, method: str, path: str, headers: tuple[tuple[str, str], ...]) -> Resp:
        """The response the server gives; shared with the in-process WSGI twin."""
        route = path.split("?", 1)[0]
        csp = page_csp_lines(path) if route in ("/page", "/", "/opaque") else ()
        if route in ("/page", "/"):
            return Resp(200, ("Content-Type: text/html", *csp), PAGE_HTML)
        if route == "/opaque":
            return Resp(
                200,
                ("Content-Type: text/html", "Content-Security-Policy: sandbox allow-scripts", *csp),
                PAGE_HTML,
            )
        if route == "/sandbox":
            return Resp(200, ("Content-Type: text/html",), SANDBOX_HTML)
        match = _SCENARIO_PATH.match(route)
        step = self.step(match.group(1), match.group(2)) if match else None
        if step is None:
            return Resp(404, ("Content-Type: text/plain",), b"no such scenario step")
        received = Received(method, path, 0, headers)
        if received.is_preflight:
            return step.preflight or Resp(404, (), b"no preflight response defined")
        return step.actual

    # -- sockets ---------------------------------------------------------------------------
    def close(self) -> None:
        self._closing.set()
        for sock in self._listeners:
            sock.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def __enter__(self) -> ScenarioServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept_loop(self, listener: socket.socket, port: int) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn, port), daemon=True).start()

    def _serve(self, conn: socket.socket, port: int) -> None:
        conn.settimeout(self._idle_timeout)
        reader = _Reader(conn)
        try:
            while not self._closing.is_set():
                request = reader.read_request(port)
                if request is None:
                    return
                self._record(request)
                raw, malformed = self._render(request)
                conn.sendall(raw)
                # A client that cannot parse a line may lose Content-Length and read to EOF.
                if malformed or (request.get("Connection") or "").lower() == "close":
                    return
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def _record(self, request: Received) -> None:
        match = _SCENARIO_PATH.match(request.path)
        with self._lock:
            if match:
                self._log.setdefault(match.group(1), []).append(request)
            else:
                self._other.append(request)

    def wire_response(
        self, method: str, path: str, headers: tuple[tuple[str, str], ...]
    ) -> tuple[int, str, list[str], bytes]:
        """Status, reason, the exact header lines and body sent; the WSGI twin sends the same."""
        resp = self.response_for(method, path, headers)
        match = _SCENARIO_PATH.match(path)
        fill = self.filler(match.group(1)) if match else (lambda s: s)
        lines = [fill(line) for line in resp.lines]
        body = resp.body if resp.has_body(method) else b""
        if resp.status not in (204, 304):
            lines.append(f"Content-Length: {len(resp.body) if method == 'HEAD' else len(body)}")
        return resp.status, reason_for(resp), lines, body

    def _render(self, request: Received) -> tuple[bytes, bool]:
        """The response bytes, and whether a header line is malformed (blank before colon)."""
        status, reason, lines, body = self.wire_response(
            request.method, request.path, request.headers
        )
        head = "\r\n".join([f"HTTP/1.1 {status} {reason}", *lines])
        malformed = any(split_line(line)[0] != split_line(line)[0].strip() for line in lines)
        return (head + "\r\n\r\n").encode("latin-1") + body, malformed


class _Reader:
    """Reads HTTP/1.1 requests off one keep-alive connection."""

    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self._buf = b""

    def _fill(self) -> bool:
        chunk = self._conn.recv(65536)
        if not chunk:
            return False
        self._buf += chunk
        return True

    def read_request(self, port: int) -> Received | None:
        while b"\r\n\r\n" not in self._buf:
            if not self._fill():
                return None
        head, self._buf = self._buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        headers = [split_line(line) for line in lines[1:]]
        request = Received(method, path, port, tuple(headers))
        length = int(request.get("Content-Length") or 0)
        if (request.get("Transfer-Encoding") or "").lower() == "chunked":
            body = self._read_chunked()
        else:
            while len(self._buf) < length:
                if not self._fill():
                    return None
            body, self._buf = self._buf[:length], self._buf[length:]
        return Received(method, path, port, tuple(headers), body)

    def _read_chunked(self) -> bytes:
        body = b""
        while True:
            while b"\r\n" not in self._buf:
                if not self._fill():
                    raise ValueError("connection closed inside a chunked body")
            size_line, self._buf = self._buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self._buf) < size + 2:
                if not self._fill():
                    raise ValueError("connection closed inside a chunk")
            body += self._buf[:size]
            self._buf = self._buf[size + 2 :]
            if size == 0:
                # trailers (none expected) end with a blank line
                while not self._buf.startswith(b"\r\n") and b"\r\n\r\n" not in self._buf:
                    if not self._fill():
                        break
                self._buf = self._buf.split(b"\r\n", 1)[1] if b"\r\n" in self._buf else b""
                return body
