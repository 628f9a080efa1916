"""Drive the engine's sans-I/O generator with scripted responses (no target, no network).

``run_fetch`` yields each request a browser would send and is sent the response; a *server*
here is just a function from that request to a response, so a table row can say exactly which
bytes came back. Nothing we ship is mocked: this is the engine's own interface.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from pytest_cors.engine import Outcome, PreflightCache, get_profile, prepare_request, run_fetch
from pytest_cors.http import Headers, Request, Response

Server = Callable[[Request], Response]

PAGE = "https://app.example.com"
API = "https://api.example.org/r"


def resp(status: int = 200, *lines: str, body: bytes = b"") -> Response:
    """A response from raw header lines, split as a wire parser does.

    The name keeps any blanks before the colon (profiles differ on those lines); the value is
    trimmed of spaces and tabs.
    """
    pairs = []
    for line in lines:
        name, sep, value = line.partition(":")
        assert sep, f"header line without a colon: {line!r}"
        pairs.append((name, value.strip(" \t")))
    return Response(status, Headers(pairs), body)


def is_preflight(request: Request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def server(actual: Response, preflight: Response | None = None) -> Server:
    """Answer preflights with ``preflight`` (a 200 with nothing when absent), the rest with
    ``actual``."""

    def answer(request: Request) -> Response:
        if is_preflight(request):
            return preflight if preflight is not None else resp(200)
        return actual

    return answer


def routes(table: Mapping[str, Response | tuple[Response, Response]]) -> Server:
    """Per-URL answers: a response, or ``(actual, preflight)``. An unknown URL fails the test."""

    def answer(request: Request) -> Response:
        entry = table[request.url]
        if isinstance(entry, tuple):
            actual, preflight = entry
            return preflight if is_preflight(request) else actual
        return entry

    return answer


def fetch(
    answer: Server,
    url: str = API,
    *,
    origin: str = PAGE,
    method: str = "GET",
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    credentials: object = "omit",
    body: str | bytes | None = None,
    browser: str = "chromium",
    cache: PreflightCache | None = None,
    now: float = 0.0,
    mode: str = "cors",
    redirect: str = "follow",
) -> Outcome:
    """Run one simulated ``fetch()`` to the end against ``answer``."""
    profile = get_profile(browser)
    request = prepare_request(
        url,
        origin=origin,
        method=method,
        headers=headers,
        credentials=credentials,
        body=body,
        profile=profile,
        mode=mode,
        redirect=redirect,
    )
    flow = run_fetch(request, profile, cache, now)
    try:
        sent = next(flow)
    except StopIteration as stop:  # the caches answered everything: nothing was sent
        answered: Outcome = stop.value
        return answered
    while True:
        try:
            sent = flow.send(answer(sent))
        except StopIteration as stop:
            outcome: Outcome = stop.value
            return outcome


#: Lower-case names of the lines the browser adds on its own (engine/added.py).
BROWSER_ADDED = frozenset(
    {
        "referer",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-dest",
        "sec-fetch-storage-access",
        "user-agent",
        "accept-language",
        "accept-encoding",
        "priority",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
        "sec-ch-ua-platform",
    }
)


def without_added(request: Request) -> list[tuple[str, str]]:
    """``request``'s lines less the browser's own (those this module's tests are not about)."""
    return [(n, v) for n, v in request.headers if n.lower() not in BROWSER_ADDED]


def code(outcome: Outcome) -> str | None:
    """Chromium's ``corsError`` of a blocked fetch, ``None`` when allowed."""
    assert (outcome.failure is None) == outcome.allowed
    return outcome.failure.chromium_error if outcome.failure else None


# Response-header lines used across the tables.
ACAO_PAGE = f"Access-Control-Allow-Origin: {PAGE}"
ACAO_ANY = "Access-Control-Allow-Origin: *"
ACAC_TRUE = "Access-Control-Allow-Credentials: true"
