"""One small broken server per documented failure: the page's messages must be what it causes.

Every scenario is a raw WSGI app (headers written by hand) fetched from the page origin
``https://app.example.com`` at ``https://api.example.com/items``, the setup the failure
reference uses for all its messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pytest_cors import simulate_fetch
from pytest_cors.engine import get_profile, prepare_request, run_fetch

PAGE = "https://app.example.com"
URL = "https://api.example.com/items"
Headers = list[tuple[str, str]]


def server(
    actual: Headers,
    preflight: Headers | None = None,
    status: str = "200 OK",
    preflight_status: str = "204 No Content",
) -> Callable[..., Iterable[bytes]]:
    """A WSGI app answering preflights and requests with fixed status lines and headers."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "OPTIONS":
            start_response(preflight_status, list(preflight if preflight is not None else actual))
            return [b""]
        start_response(status, list(actual))
        return [b"{}"]

    return app


@dataclass
class Scenario:
    name: str
    code: str
    browser: str
    app: Callable[..., Iterable[bytes]] | None
    fetch: dict[str, Any] = field(default_factory=dict)
    url: str = URL

    def run(self) -> Any:
        """The outcome of the fetch this scenario describes."""
        if self.app is None:
            # no server involved: the browser refuses before sending anything
            profile = get_profile(self.browser)
            flow = run_fetch(prepare_request(self.url, origin=PAGE, profile=profile), profile)
            try:
                next(flow)
            except StopIteration as stop:
                return stop.value
            raise AssertionError("the browser should not have sent a request")
        return simulate_fetch(self.app, self.url, origin=PAGE, browser=self.browser, **self.fetch)


ACAO = ("Access-Control-Allow-Origin", PAGE)
PUT = {"method": "PUT"}
INCLUDE = {"credentials": "include"}
REDIRECT_TO_SELF = [ACAO, ("Location", URL)]

_BOTH = [
    ("no ACAO", "CORSMissingAllowOrigin", server([]), {}),
    (
        "no ACAO on the preflight",
        "CORSMissingAllowOrigin",
        server([ACAO], preflight=[("Access-Control-Allow-Methods", "PUT")]),
        PUT,
    ),
    ("ACAO twice", "CORSMultipleAllowOriginNotAllowed", server([ACAO, ACAO]), {}),
    (
        "ACAO with a trailing slash",
        "CORSAllowOriginNotMatchingOrigin",
        server([("Access-Control-Allow-Origin", PAGE + "/")]),
        {},
    ),
    (
        "ACAO without a scheme",
        "CORSAllowOriginNotMatchingOrigin",
        server([("Access-Control-Allow-Origin", "app.example.com")]),
        {},
    ),
    (
        "ACAO * with credentials",
        "CORSNotSupportingCredentials",
        server([("Access-Control-Allow-Origin", "*")]),
        INCLUDE,
    ),
    ("no ACAC with credentials", "CORSMissingAllowCredentials", server([ACAO]), INCLUDE),
    (
        "preflight 401",
        "CORSPreflightDidNotSucceed",
        server(
            [ACAO],
            preflight=[ACAO, ("Access-Control-Allow-Methods", "PUT")],
            preflight_status="401 Unauthorized",
        ),
        PUT,
    ),
    (
        "ACAM not a list of tokens",
        "CORSInvalidAllowMethod",
        server([ACAO], preflight=[ACAO, ("Access-Control-Allow-Methods", "GET PUT")]),
        PUT,
    ),
    (
        "ACAH not a list of tokens",
        "CORSInvalidAllowHeader",
        server(
            [ACAO], preflight=[ACAO, ("Access-Control-Allow-Headers", "Content-Type X-Request-Id")]
        ),
        {"method": "POST", "headers": {"X-Request-Id": "42"}},
    ),
    (
        "method not in ACAM",
        "CORSMethodNotFound",
        server([ACAO], preflight=[ACAO, ("Access-Control-Allow-Methods", "GET, POST")]),
        PUT,
    ),
    (
        "header not in ACAH",
        "CORSMissingAllowHeaderFromPreflight",
        server([ACAO], preflight=[ACAO, ("Access-Control-Allow-Headers", "Content-Type")]),
        {"method": "POST", "headers": {"X-Request-Id": "42"}},
    ),
    (
        "credentials in a redirect's Location",
        "CORSDidNotSucceed",
        server(
            [ACAO, ("Location", "https://user:secret@api.example.com/other")], status="302 Found"
        ),
        {},
    ),
    ("a redirect loop", "CORSDidNotSucceed", server(REDIRECT_TO_SELF, status="302 Found"), {}),
]

SCENARIOS: list[Scenario] = [
    Scenario(name, code, browser, app, fetch)
    for browser in ("chromium", "firefox")
    for name, code, app, fetch in _BOTH
]
# Where the two browsers name a failure differently.
SCENARIOS += [
    Scenario(
        "preflight redirected",
        "CORSPreflightDidNotSucceed",
        "chromium",
        server(
            [ACAO], preflight=[("Location", URL + "/")], preflight_status="301 Moved Permanently"
        ),
        PUT,
    ),
    Scenario(
        "preflight redirected",
        "CORSExternalRedirectNotAllowed",
        "firefox",
        server(
            [ACAO], preflight=[("Location", URL + "/")], preflight_status="301 Moved Permanently"
        ),
        PUT,
    ),
    Scenario(
        "a list of origins in one ACAO line",
        "CORSMultipleAllowOriginNotAllowed",
        "chromium",
        server([("Access-Control-Allow-Origin", PAGE + ", https://admin.example.com")]),
    ),
    Scenario(
        "a list of origins in one ACAO line",
        "CORSAllowOriginNotMatchingOrigin",
        "firefox",
        server([("Access-Control-Allow-Origin", PAGE + ", https://admin.example.com")]),
    ),
    Scenario(
        "not http(s)", "CORSRequestNotHttp", "chromium", None, url="ftp://files.example.com/a"
    ),
    Scenario("not http(s)", "CORSRequestNotHttp", "firefox", None, url="ftp://files.example.com/a"),
]
