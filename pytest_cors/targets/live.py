"""A live server over real sockets: the kit's own HTTP/1.1 client, or the user's ``requests``.

**A base URL string** goes through :mod:`pytest_cors.targets._http1`, a small client on the
standard library's sockets with kept-alive connections per origin. Two reasons:

* *Faithful lines.* It writes the request's header lines exactly in order with duplicates as
  separate lines (urllib3 2 groups them by name: ``A, B, A`` leaves as ``A, A, B``; urllib3 1.26
  joins them) and adds only ``Host`` and ``Content-Length``. It reads the response's lines as
  received, without ``http.client``'s parser, which stops at the first line it dislikes.
* *Cost.* A contract run sends thousands of requests from one process. ``requests`` spends a
  few hundred microseconds of CPU on each (reading proxy settings from the environment,
  preparing, pooling, parsing with the ``email`` package); this client spends a fraction of
  that, so more checks run per second (see ``docs/performance.md``, benchmark 3).

**``requests`` stays** where it is the right tool:

* a user's own ``requests.Session`` (``adapt(session, base_url=...)``): its adapters, mounts and
  certificates are the user's choice and are used as they are (its cookies, auth and default
  headers are not: the request is handed to the session's transport adapter directly);
* a URL an environment proxy applies to (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, minus
  ``NO_PROXY``, exactly as ``requests`` decides): proxies are ``requests``' business;
* while ``requests`` itself is mocked (``responses``, ``requests-mock``): a suite that mocks
  its HTTP expects the kit's requests to meet the mock too.

Either way the server receives the request's lines plus ``Host`` and ``Content-Length`` only,
and every failure to get an answer is a :class:`~pytest_cors.errors.TargetError` made by
:func:`~pytest_cors.targets._wire.wire_error`: a refused connection, a name that does not
resolve, a failed TLS handshake, a timeout and an answer that is not HTTP each raise their own
subclass, chosen by the classes of the exceptions either client raised, never by their text.

**Bounds.** ``timeout`` (:data:`~pytest_cors.targets.base.DEFAULT_TIMEOUT`, 10 s) is the kit's
client's deadline for one request as a whole (see :mod:`~pytest_cors.targets._http1`), and at
most :data:`~pytest_cors.targets.base.MAX_BODY` bytes of a body are read, whichever client
reads it. Through ``requests`` the timeout bounds the connect and each read of the head (urllib3
has no deadline for a whole head) and the body is read until the deadline, then cut off.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator
from time import monotonic
from typing import Any

from pytest_cors._compat import (
    requests_content_consumed,
    urllib3_header_dict,
    urllib3_original_response,
)
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.http import Headers, Request, Response
from pytest_cors.origin import hide_userinfo, split_url
from pytest_cors.targets._wire import (
    TIMED_OUT,
    WireFault,
    classify,
    died_before_answer,
    header_lines,
    named_origins,
    origin_of,
    refuse_unnamed,
    wire_error,
    wire_headers,
    without_userinfo,
)
from pytest_cors.targets.base import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from pytest_cors.targets.base import MAX_BODY

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_CHUNK = 65536
DEFAULT_POOL = 16
"""Idle connections kept per origin (a contract run passes its concurrency)."""


class LiveTarget:
    """A server at ``base_url`` reached over the network.

    Requests go to the base URL's origin and to ``allow_origins`` only: anything else (a
    redirect elsewhere) is refused with a :class:`~pytest_cors.errors.TargetError`. With a
    ``session`` they go through it; without, through the kit's own client (see above).
    ``pool_size`` is how many idle connections are kept per origin. ``timeout`` (seconds) is
    each request's deadline (see above).
    """

    def __init__(
        self,
        base_url: str,
        session: Any = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        allow_origins: Iterable[str] = (),
        pool_size: int = DEFAULT_POOL,
    ) -> None:
        # lazy: ssl and sockets load once a live target is made, not when adapt() imports us
        from pytest_cors.targets._http1 import Http1Client

        allow_origins = tuple(allow_origins)
        for url in (base_url, *allow_origins):
            check_base_url(url)
        self.named_origins = named_origins(base_url, allow_origins)
        self.base_url = base_url
        self.session: Any = session
        self.timeout = timeout
        self.pool_size = pool_size
        self._client = Http1Client(timeout, pool_size)
        self._proxied: dict[str, bool] = {}
        self._own_session: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LiveTarget({self.base_url!r})"

    def close(self) -> None:
        """Close the pooled connections (and the session's)."""
        self._client.close()
        for session in (self.session, self._own_session):
            if session is not None:
                session.close()

    def send(self, request: Request) -> Response:
        refuse_unnamed(request, self.named_origins, repr(self))
        session = self.session
        if session is None and (_requests_mocked() or self._proxy_applies(request.url)):
            session = self._fallback_session()
        if session is not None:
            return self._send_requests(session, request)
        try:
            return self._client.send(request)
        except (OSError, WireFault) as exc:
            raise wire_error(request, exc, repr(self), self.timeout) from exc

    # -- through requests --------------------------------------------------------------------

    def _proxy_applies(self, url: str) -> bool:
        """Whether an environment proxy applies to ``url``'s origin (decided once per origin)."""
        origin = origin_of(url)
        known = self._proxied.get(origin)
        if known is None:
            known = self._proxied[origin] = _environment_proxy(origin)
        return known

    def _fallback_session(self) -> Any:
        """A ``requests`` session of our own, pooled like the kit's client, made on first use."""
        with self._lock:
            if self._own_session is None:
                # lazy: requests is costly to import; only a session, a proxy or a mock needs it
                import requests
                from requests.adapters import HTTPAdapter

                session = requests.Session()
                adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.pool_size)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._own_session = session
            return self._own_session

    def _send_requests(self, session: Any, request: Request) -> Response:
        # lazy: requests is costly to import; only a session, a proxy or a mock needs it
        import requests
        from urllib3.util import SKIP_HEADER

        headers = urllib3_header_dict()()
        for name, value in wire_headers(request):
            headers.add(name, value)
        for name in ("User-Agent", "Accept-Encoding"):
            if name not in headers:
                headers[name] = SKIP_HEADER
        prepared = requests.PreparedRequest()
        prepared.method = request.method
        prepared.url = without_userinfo(request.url)
        prepared.headers = headers  # a multi-dict keeps duplicates
        prepared.body = request.body
        from urllib3.exceptions import HTTPError  # lazy: urllib3 comes with requests (see above)

        deadline = monotonic() + self.timeout
        try:
            resp = self._send_prepared(session, prepared)
            lines = _raw_headers(resp)
            body, truncated = _bounded_body(resp, deadline)
        except (requests.RequestException, HTTPError, OSError) as exc:
            raise wire_error(request, exc, repr(self), self.timeout) from exc
        return Response(resp.status_code, lines, body, resp.reason or "", truncated=truncated)

    def _send_prepared(self, session: Any, prepared: Any) -> Any:
        """Send; once more on a fresh connection if a pooled one died before any answer."""
        import requests  # lazy: requests is costly to import; only its own path needs it

        env = session.merge_environment_settings(prepared.url, {}, False, None, None)
        adapter = session.get_adapter(prepared.url)
        for attempt in (1, 2):
            try:
                return adapter.send(
                    prepared,
                    timeout=self.timeout,
                    verify=True if env["verify"] is None else env["verify"],
                    cert=env["cert"],
                    proxies=env["proxies"],
                )
            except requests.ConnectionError as exc:
                if attempt == 2 or not died_before_answer(exc):
                    raise
                adapter.close()  # drop the other idle connections: they may be stale too
        raise AssertionError("unreachable")


def _bounded_body(resp: Any, deadline: float) -> tuple[bytes, bool]:
    """At most ``MAX_BODY`` bytes of a ``requests`` response's body, read until ``deadline``,
    and whether it was cut off. A body cut off is not read further: the response is closed,
    which closes its connection rather than pooling it with bytes still to come.

    Read with urllib3's ``read1`` where it has one (one socket read at a time, so the deadline
    is looked at between reads of a trickle too), else with ``iter_content``. A read timing
    out once the head is here cuts the body off as the deadline does; any other failure
    (a reset mid-body) is raised as before.
    """
    if requests_content_consumed(resp):  # read already (``responses`` reads a body up front)
        content: bytes = resp.content or b""
        return content[:MAX_BODY], len(content) > MAX_BODY
    out = bytearray()
    reads = _reads(resp)
    complete = False
    try:
        while monotonic() < deadline:
            chunk = next(reads, None)
            if chunk is None:
                complete = True
                break
            room = MAX_BODY - len(out)
            out += chunk[:room]
            if len(chunk) > room:
                break
    except Exception as exc:
        if classify(exc) != TIMED_OUT:
            raise
    if not complete:
        resp.close()
    return bytes(out), not complete


def _reads(resp: Any) -> Iterator[bytes]:
    """The body's bytes as they come: for urllib3 2's responses one chunk each (urllib3's own
    chunk parser, whose findings say what was wrong) or else one socket read each."""
    raw: Any = resp.raw
    urllib3_response = getattr(sys.modules.get("urllib3.response"), "BaseHTTPResponse", None)
    if urllib3_response is not None and isinstance(raw, urllib3_response):
        if raw.chunked and raw.supports_chunked_reads():
            chunks: Iterator[bytes] = raw.read_chunked(_CHUNK, decode_content=True)
            return chunks
        read1 = getattr(raw, "read1", None)
        if read1 is not None:
            return iter(lambda: read1(_CHUNK, decode_content=True) or b"", b"")
    reads: Iterator[bytes] = resp.iter_content(_CHUNK)  # urllib3 1.26, or no urllib3 at all
    return reads


def check_base_url(url: object) -> None:
    """Refuse a URL that cannot even be split (a ``[`` without its ``]``) with a usage error
    saying what is accepted, before anything tries to send to it."""
    if not isinstance(url, str):
        return  # named_origins() says what it takes
    try:
        split_url(url)
    except ValueError as exc:
        raise CorsUsageError(
            f"{hide_userinfo(url)!r} is not a usable base URL: {exc}; a live target needs an "
            "absolute http(s) URL such as 'http://127.0.0.1:8000' or 'https://api.example.com'"
        ) from None


def _requests_mocked() -> bool:
    """Whether ``requests``' sending is patched (``responses``, ``requests-mock``), which a
    suite does to meet its own requests with canned answers."""
    adapters = sys.modules.get("requests.adapters")
    sessions = sys.modules.get("requests.sessions")
    if adapters is None or sessions is None:
        return False
    return (
        getattr(adapters.HTTPAdapter.send, "__module__", None) != "requests.adapters"
        or getattr(sessions.Session.send, "__module__", None) != "requests.sessions"
        or getattr(sessions.Session.get_adapter, "__module__", None) != "requests.sessions"
    )


def _environment_proxy(origin: str) -> bool:
    """Whether ``requests`` would send to ``origin`` through a proxy the environment names
    (``NO_PROXY`` honoured); ``requests`` is only asked, and imported, when a proxy is set."""
    scheme = origin.partition(":")[0]
    if sys.platform in ("darwin", "win32"):  # proxies also come from the system's settings
        import urllib.request  # lazy: it loads http.client and email, which the URL path avoids

        names = set(urllib.request.getproxies())
    else:  # what urllib.request.getproxies() reads here, without importing it
        names = {k.lower()[:-6] for k, v in os.environ.items() if v and k.lower()[-6:] == "_proxy"}
    if not names & {scheme, "all", f"all://{scheme}"}:
        return False
    from requests.utils import get_environ_proxies, select_proxy  # lazy: only when a proxy is set

    return select_proxy(origin + "/", get_environ_proxies(origin + "/")) is not None


def _raw_headers(resp: Any) -> Headers:
    """The response lines as received; urllib3's merged view when http.client's is missing.

    http.client's parser stops at the first line it dislikes (``Name : value``, with blank
    before the colon, which Chromium accepts) and keeps the rest of the head as the message's
    "payload"; those lines are parsed here so that none is lost.
    """
    original = urllib3_original_response(resp.raw)
    if original is None:
        # no socket behind it (``responses`` hands over a urllib3 response with empty lines)
        return Headers(resp.raw.headers.items())
    lines = list(original.getheaders())
    rest = original.msg.get_payload() if original.msg.defects else None
    if isinstance(rest, str):
        lines += header_lines(rest)
    return Headers(lines)
