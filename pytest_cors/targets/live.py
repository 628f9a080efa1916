"""A live server over real sockets, through ``requests`` (one pooled ``Session`` per target).

The request is handed to the session's transport adapter directly: ``Session.send`` would
extract cookies into the jar, run hooks and prepare the next redirect, and
``Session.prepare_request`` would add the jar's cookies, auth and default headers. urllib3's
own ``User-Agent`` and ``Accept-Encoding`` are suppressed, so the server receives the request's
lines plus ``Host`` and ``Content-Length`` only.

Response header lines come from ``http.client``'s message (order, case and duplicates as
received). Duplicate *request* lines stay separate lines with urllib3 2, which groups them by
name (``A, B, A`` goes out as ``A, A, B``); urllib3 1.26 joins them with ``", "``.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterable
from typing import Any

from pytest_cors.http import Headers, Request, Response
from pytest_cors.targets._wire import (
    died_before_answer,
    header_lines,
    named_origins,
    refuse_unnamed,
    wire_error,
    wire_headers,
    without_userinfo,
)

DEFAULT_TIMEOUT = 10.0


class LiveTarget:
    """A server at ``base_url`` reached over the network; ``session`` defaults to a new one.

    Requests go to the base URL's origin and to ``allow_origins`` only: anything else (a
    redirect elsewhere) is refused with a :class:`~pytest_cors.errors.TargetError`.
    """

    def __init__(
        self,
        base_url: str,
        session: Any = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        allow_origins: Iterable[str] = (),
    ) -> None:
        import requests

        self.named_origins = named_origins(base_url, allow_origins)
        self.base_url = base_url
        self.session: requests.Session = session if session is not None else requests.Session()
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"LiveTarget({self.base_url!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def send(self, request: Request) -> Response:
        import requests

        refuse_unnamed(request, self.named_origins, repr(self))
        from urllib3._collections import HTTPHeaderDict
        from urllib3.util import SKIP_HEADER

        headers = HTTPHeaderDict()
        for name, value in wire_headers(request):
            headers.add(name, value)
        for name in ("User-Agent", "Accept-Encoding"):
            if name not in headers:
                headers[name] = SKIP_HEADER
        prepared = requests.PreparedRequest()
        prepared.method = request.method
        prepared.url = without_userinfo(request.url)
        prepared.headers = headers  # type: ignore[assignment]  # a multi-dict keeps duplicates
        prepared.body = request.body
        try:
            resp = self._send(prepared)
            body = resp.content
        except (requests.RequestException, OSError) as exc:
            raise wire_error(request, exc, repr(self), self.timeout) from exc
        return Response(resp.status_code, _raw_headers(resp), body, resp.reason or "")

    def _send(self, prepared: Any) -> Any:
        """Send; once more on a fresh connection if a pooled one died before any answer."""
        import requests

        env = self.session.merge_environment_settings(prepared.url, {}, False, None, None)
        adapter = self.session.get_adapter(prepared.url)
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


def _raw_headers(resp: Any) -> Headers:
    """The response lines as received; urllib3's merged view when http.client's is missing.

    http.client's parser stops at the first line it dislikes (``Name : value``, with blank
    before the colon, which Chromium accepts) and keeps the rest of the head as the message's
    "payload"; those lines are parsed here so that none is lost.
    """
    original = getattr(resp.raw, "_original_response", None)
    if not isinstance(original, http.client.HTTPResponse):
        # no socket behind it (``responses`` hands over a urllib3 response with empty lines)
        return Headers(resp.raw.headers.items())
    lines = list(original.getheaders())
    rest = original.msg.get_payload() if original.msg.defects else None
    if isinstance(rest, str):
        lines += header_lines(rest)
    return Headers(lines)
