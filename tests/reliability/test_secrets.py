"""Secrets stay secret: no output of the kit shows an Authorization, Cookie, Set-Cookie or
Proxy-Authorization value, and the kit never carries credentials to a host the user did not name.

Every output path gets a distinctive secret and is searched for it: ``outcome.explain()``,
reprs that pytest prints in assertion failures, the assertion helpers' messages, usage and
target errors, pytest's terminal output and JUnit XML, and the Markdown, JSON and SARIF
reports of a contract run. The values must be shown as present (``<redacted: N bytes>``).

The redirect rule: a live target (a base URL string, a ``requests.Session``, an ``httpx``
client on a network transport) sends requests to the origin the user named and to origins
they allowed, nowhere else. A redirect to another origin ends the flow with a ``TargetError``
before a byte is sent there; two loopback servers show it.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from pytest_cors import (
    CorsAssertionError,
    CorsUsageError,
    TargetError,
    assert_cors_allows,
    assert_cors_denies,
    simulate_fetch,
)
from pytest_cors.http import Request
from pytest_cors.targets import adapt
from tests.reliability.faults import APP, GOOD_ACTUAL, is_preflight
from tests.servers import read_request, scripted, serve_raw, serve_wsgi

SECRET = "s3cr3t-7f1e9a"  # distinctive: appears nowhere else, so a grep finds only leaks
SECRET_NAMES = ("Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization")


def leaky_app(grant=True, expose=""):
    """A WSGI app whose every response carries each secret header (in odd spellings too) and,
    with ``grant``, lets any origin in with credentials and any requested header."""

    def app(environ, start_response):
        headers = [
            ("Set-Cookie", f"sid={SECRET}; HttpOnly"),
            ("set-cookie", f"other={SECRET}"),
            ("Authorization", f"Bearer {SECRET}"),
            ("PROXY-AUTHORIZATION", f"Basic {SECRET}"),
            ("Cookie", f"sid={SECRET}"),
        ]
        origin = environ.get("HTTP_ORIGIN")
        if grant and origin:
            headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "GET, PUT"),
                ("Access-Control-Allow-Headers", "Authorization, X-Token"),
            ]
            if expose:
                headers.append(("Access-Control-Expose-Headers", expose))
        start_response("200 OK", headers)
        return [b""]

    return app


PAGE = {"origin": APP, "headers": {"Authorization": f"Bearer {SECRET}"}, "credentials": True}


def assert_redacted(text, lines=1):
    """No secret in ``text``, and at least ``lines`` values shown as present but redacted."""
    assert SECRET not in text
    assert text.count("redacted: ") >= lines  # "<" is "&lt;" in XML


# -- transcripts and reprs ----------------------------------------------------------------------


def test_explain_shows_secret_headers_as_present_not_what_they_were():
    outcome = simulate_fetch(leaky_app(), "/items", **PAGE)
    assert outcome.allowed
    assert outcome.preflight is not None
    text = outcome.explain()
    # the page's Authorization (actual request), five secret lines in each of two responses
    assert_redacted(text, lines=1 + 5 + 5)
    assert f"Authorization: <redacted: {len('Bearer ' + SECRET)} bytes>" in text
    for name in ("Authorization", "Cookie", "Set-Cookie", "set-cookie", "PROXY-AUTHORIZATION"):
        assert f"{name}: <redacted: " in text
    assert "curl" in text


def test_a_live_transcript_is_redacted_too_whatever_the_header_spelling():
    """Names as they come off a real socket: lower case, upper case, blank before the colon."""
    answer = (
        b"HTTP/1.1 200 OK\r\n"
        b"Access-Control-Allow-Origin: https://app.example.com\r\n"
        b"Set-Cookie : sid=" + SECRET.encode() + b"\r\n"
        b"set-cookie: b=" + SECRET.encode() + b"\r\n"
        b"AUTHORIZATION: " + SECRET.encode() + b"\r\n"
        b"Proxy-Authorization:\t" + SECRET.encode() + b"\r\n"
        b"cookie: " + SECRET.encode() + b"\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    with serve_raw(scripted(answer)) as base_url:
        outcome = simulate_fetch(base_url, "/items", origin=APP)
    assert outcome.allowed
    assert_redacted(outcome.explain(), lines=5)


def test_reprs_pytest_prints_in_assertion_failures_are_redacted():
    outcome = simulate_fetch(leaky_app(), "/items", **PAGE)
    for obj in (
        outcome,
        outcome.exchanges,
        outcome.actual,
        outcome.actual.request,
        outcome.actual.response,
        outcome.actual.response.headers,
        outcome.preflight,
    ):
        assert SECRET not in repr(obj)
    assert "<redacted: " in repr(outcome.actual)


# -- failure messages of the assertion helpers ---------------------------------------------------


def test_a_blocked_allows_message_is_redacted():
    with pytest.raises(CorsAssertionError) as info:
        assert_cors_allows(leaky_app(grant=False), "/items", **PAGE)
    assert_redacted(str(info.value), lines=5)


def test_an_allowed_denies_message_is_redacted():
    with pytest.raises(CorsAssertionError) as info:
        assert_cors_denies(leaky_app(), "/items", **PAGE)
    assert "Access-Control-Allow-Origin: https://app.example.com" in str(info.value)
    assert_redacted(str(info.value), lines=5)


def test_a_missing_exposed_header_message_is_redacted():
    with pytest.raises(CorsAssertionError) as info:
        assert_cors_allows(leaky_app(expose="X-Other"), "/items", **PAGE, expose=["Set-Cookie"])
    assert "Set-Cookie" in str(info.value)
    assert_redacted(str(info.value), lines=5)


def test_set_cookie_is_never_readable_even_when_exposed():
    """The page never reads Set-Cookie, so no readable-headers listing can carry it."""
    outcome = simulate_fetch(leaky_app(expose="Set-Cookie, Authorization"), "/items", **PAGE)
    assert "set-cookie" not in outcome.readable_headers


# -- errors never echo a secret value ------------------------------------------------------------


@pytest.mark.parametrize("name", ["Cookie", "Set-Cookie", "Proxy-Authorization", "Cookie2"])
def test_a_forbidden_secret_header_is_refused_without_echoing_its_value(name):
    with pytest.raises(CorsUsageError) as info:
        simulate_fetch(leaky_app(), "/items", origin=APP, headers={name: SECRET})
    assert name in str(info.value)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_a_malformed_secret_response_header_is_refused_without_echoing_it(interface):
    def wsgi(environ, start_response):
        start_response("200 OK", [("Set-Cookie", SECRET.encode())])
        return [b""]

    async def asgi(scope, receive, send):
        headers = [(b"set-cookie", SECRET)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    with pytest.raises(TargetError) as info:
        simulate_fetch(wsgi if interface == "wsgi" else asgi, "/items", origin=APP)
    assert "set-cookie" in str(info.value).lower()
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("value", [f"Bearer {SECRET}\n", f"Bearer {SECRET}\x00"])
def test_a_malformed_authorization_value_is_refused_without_echoing_it(value):
    with pytest.raises(CorsUsageError) as info:
        simulate_fetch(leaky_app(), "/items", origin=APP, headers={"Authorization": value + "x"})
    assert SECRET not in str(info.value)


def test_credentials_in_a_url_are_refused_without_echoing_them():
    with serve_raw(scripted(GOOD_ACTUAL)) as base_url:
        with_password = base_url.replace("http://", f"http://user:{SECRET}@")
        for target, url in ((with_password, "/items"), (leaky_app(), with_password + "/x")):
            with pytest.raises(CorsUsageError) as info:
                simulate_fetch(target, url, origin=APP)
            assert "includes credentials" in str(info.value)
            assert SECRET not in str(info.value)


@pytest.mark.parametrize("kind", ["url", "httpx"])
def test_adapters_never_turn_url_credentials_into_an_authorization_header(kind):
    """Driven directly (as the contract runner does), without the flow's refusal."""
    import httpx

    record = []
    with serve_raw(scripted(GOOD_ACTUAL, record)) as base_url:
        url = base_url.replace("http://", f"http://user:{SECRET}@")
        if kind == "url":
            adapt(url).send(Request("GET", f"{url}/x"))
        else:
            with httpx.Client(base_url=url) as client:
                adapt(client).send(Request("GET", f"{url}/x"))
    assert len(record) == 1
    assert b"authorization" not in record[0].lower()


# -- the redirect rule: only the named origins, two loopback servers -----------------------------


class Recorder:
    """Server B: records every raw request; answers 200 with ``*``."""

    def __init__(self):
        self.requests: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, conn, stop):
        while raw := read_request(conn):
            with self.lock:
                self.requests.append(raw)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n"
            )


def redirecting(location_of, record):
    """Server A: grants APP (with Authorization), redirects GET /items to ``location_of()``
    and GET /hop to /final on itself."""

    def handler(conn, stop):
        while raw := read_request(conn):
            record.append(raw)
            if is_preflight(raw):
                conn.sendall(
                    b"HTTP/1.1 204 No Content\r\n"
                    b"Access-Control-Allow-Origin: https://app.example.com\r\n"
                    b"Access-Control-Allow-Credentials: true\r\n"
                    b"Access-Control-Allow-Headers: Authorization\r\n"
                    b"Content-Length: 0\r\n\r\n"
                )
                continue
            path = raw.split(b" ")[1]
            if path in (b"/items", b"/hop"):
                location = location_of() if path == b"/items" else "/final"
                conn.sendall(
                    b"HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location.encode() + b"\r\n"
                    b"Access-Control-Allow-Origin: https://app.example.com\r\n"
                    b"Access-Control-Allow-Credentials: true\r\n"
                    b"Content-Length: 0\r\n\r\n"
                )
                continue
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example.com\r\n"
                b"Access-Control-Allow-Credentials: true\r\nContent-Length: 0\r\n\r\n"
            )

    return handler


LIVE_KINDS = ["url", "session", "httpx", "async-httpx"]


def live_target(kind, base_url, other_url, allow=()):
    """A live target of ``kind`` for ``base_url`` whose client holds credentials valid for
    ``other_url`` too (cookies for 127.0.0.1, default auth and headers), which it must never
    send anywhere."""
    if kind == "url":
        return adapt(base_url, allow_origins=allow), lambda: None
    if kind == "session":
        import requests

        session = requests.Session()
        session.cookies.set("sid", SECRET, domain="127.0.0.1")
        session.auth = ("user", SECRET)
        session.headers["Authorization"] = f"Bearer {SECRET}"
        return adapt(session, base_url=base_url, allow_origins=allow), session.close
    import httpx

    options = {
        "base_url": base_url,
        "cookies": {"sid": SECRET},
        "headers": {"Authorization": f"Bearer {SECRET}"},
        "auth": ("user", SECRET),
    }
    if kind == "httpx":
        client = httpx.Client(**options)
        return adapt(client, allow_origins=allow), client.close
    client = httpx.AsyncClient(**options)
    return adapt(client, allow_origins=allow), lambda: asyncio.run(client.aclose())


PROBE = b"cookie: pytest_cors_session=probe"


def _cookie_lines(raw: bytes) -> list[bytes]:
    return [line for line in raw.lower().split(b"\r\n") if line.startswith(b"cookie:")]


@pytest.fixture
def two_servers():
    """(A's URL, A's requests, B's URL, B's recorder): A redirects /items to B."""
    record_a: list[bytes] = []
    recorder = Recorder()
    urls = {}
    with (
        serve_raw(recorder) as b_url,
        serve_raw(redirecting(lambda: urls["b"] + "/landing", record_a)) as a_url,
    ):
        urls["b"] = b_url
        yield a_url, record_a, b_url, recorder


@pytest.mark.parametrize("kind", LIVE_KINDS)
def test_a_redirect_to_another_origin_is_not_followed(two_servers, kind):
    a_url, record_a, b_url, recorder = two_servers
    target, close = live_target(kind, a_url, b_url)
    try:
        with pytest.raises(TargetError) as info:
            simulate_fetch(target, "/items", **PAGE)
    finally:
        close()
    text = str(info.value)
    assert info.value.step == "actual"
    assert f"GET {b_url}/landing: redirect to {b_url} not followed" in text
    assert f"pytest-cors only talks to the host you named ({a_url})" in text
    assert f"allow_origins=['{b_url}']" in text
    assert recorder.requests == []  # not a byte went to B
    # A got the preflight and the page's request, and none of the client's own credentials
    assert [raw.split(b" ")[0] for raw in record_a] == [b"OPTIONS", b"GET"]
    # the only cookie is the signed-in browser's own probe, on the request, never the preflight
    assert _cookie_lines(record_a[0]) == []
    assert _cookie_lines(record_a[1]) == [PROBE]
    assert b"Bearer " + SECRET.encode() in record_a[1]  # the page set this one itself
    assert b"Basic " not in b"".join(record_a)


@pytest.mark.parametrize("kind", LIVE_KINDS)
def test_an_allowed_origin_gets_the_redirect_without_any_credentials(two_servers, kind):
    a_url, _, b_url, recorder = two_servers
    target, close = live_target(kind, a_url, b_url, allow=[b_url])
    try:
        outcome = simulate_fetch(target, "/items", **PAGE)
    finally:
        close()
    assert outcome.redirected
    assert len(recorder.requests) == 1
    raw = recorder.requests[0].lower()
    assert raw.startswith(b"get /landing ")
    for name in (b"authorization", b"proxy-authorization"):
        assert name + b":" not in raw
    # cookies are not kept apart by port: the browser's probe cookie for 127.0.0.1 goes to B
    # too (SameSite=None; Secure on a loopback host), and nothing of the client's own
    assert _cookie_lines(recorder.requests[0]) == [PROBE]
    assert SECRET.encode() not in raw
    assert b"origin: null" in raw  # the cross-origin hop tainted the origin, as in the browser


@pytest.mark.parametrize("kind", LIVE_KINDS)
def test_a_same_origin_redirect_is_still_followed(two_servers, kind):
    a_url, _, _, recorder = two_servers
    target, close = live_target(kind, a_url, a_url)
    try:
        outcome = simulate_fetch(target, "/hop", **PAGE)
    finally:
        close()
    assert outcome.allowed and outcome.redirected
    assert outcome.url == f"{a_url}/final"
    assert recorder.requests == []


def test_an_absolute_url_names_its_own_origin(two_servers):
    """Fetching B's URL through a target named for A is the user naming B: it is sent."""
    a_url, _, b_url, recorder = two_servers
    assert simulate_fetch(a_url, f"{b_url}/direct", origin=APP).allowed
    assert len(recorder.requests) == 1


def test_the_live_adapter_itself_refuses_an_unnamed_origin(two_servers):
    """The contract runner drives adapters directly: the adapter holds the rule too."""
    a_url, _, b_url, recorder = two_servers
    with pytest.raises(TargetError, match=f"{b_url} was not named"):
        adapt(a_url).send(Request("GET", f"{b_url}/x"))
    import httpx

    with httpx.Client(base_url=a_url) as client, pytest.raises(TargetError, match="not named"):
        adapt(client).send(Request("GET", f"{b_url}/x"))
    assert recorder.requests == []


def test_in_process_targets_follow_redirects_anywhere_because_nothing_leaves_the_process():
    """An in-process app sees the redirected host in its Host header; no network is involved."""
    hosts = []

    def app(environ, start_response):
        hosts.append(environ["HTTP_HOST"])
        if environ["PATH_INFO"] == "/items":
            start_response(
                "307 Temporary Redirect",
                [("Location", "https://other.example/x"), ("Access-Control-Allow-Origin", "*")],
            )
        else:
            start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b""]

    assert simulate_fetch(app, "/items", origin=APP).redirected
    assert hosts == ["testserver", "other.example"]


# -- pytest's own output: terminal, tracebacks with reprs, JUnit XML -----------------------------

PYTEST_FILES = {
    "conftest": """
import pytest

SECRET = "s3cr" + "3t-7f1e9a"


def leaky(environ, start_response):
    origin = environ.get("HTTP_ORIGIN", "")
    start_response("200 OK", [
        ("Set-Cookie", "sid=" + SECRET),
        ("Authorization", "Bearer " + SECRET),
        ("Proxy-Authorization", "Basic " + SECRET),
        ("Cookie", "sid=" + SECRET),
        ("Access-Control-Allow-Origin", origin if "app" in origin else "https://nope.example"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Headers", "Authorization"),
    ])
    return [b""]


@pytest.fixture
def cors_target():
    return leaky


class Page(dict):
    # the page's own fetch options; the repr hides the token the user put there themselves
    # (pytest prints fixture values in tracebacks: that is the user's data, not the kit's)

    def __repr__(self):
        return "Page(...)"


@pytest.fixture
def page():
    return Page(headers={"Authorization": "Bearer " + SECRET}, credentials=True)
""",
    "test_leaks": """
APP, EVIL = "https://app.example.com", "https://evil.example.net"


def test_allows_fails(cors, page):
    cors.allows("/items", origin=EVIL, **page)


def test_denies_fails(cors, page):
    cors.denies("/items", origin=APP, **page)


def test_expose_fails(cors, page):
    cors.allows("/items", origin=APP, expose=["Set-Cookie"], **page)


def test_status_introspection(cors, page):
    outcome = cors.fetch("/items", origin=APP, **page)
    assert outcome.actual.response.status == 201


def test_headers_introspection(cors, page):
    outcome = cors.fetch("/items", origin=APP, **page)
    assert outcome.actual.request.headers.get("X-Absent") == "present"


def test_printed_transcript(cors, page):
    print(cors.fetch("/items", origin=APP, **page).explain())
    assert False
""",
}


def test_pytest_output_and_junit_xml_carry_no_secret(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(**PYTEST_FILES)
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-vv", "-rA", "--tb=long", f"--junitxml={junit}"
    )
    result.assert_outcomes(failed=6)
    output = result.stdout.str() + result.stderr.str()
    assert_redacted(output, lines=6)
    assert "Headers([" in output  # the repr pytest printed, redacted
    assert_redacted(junit.read_text(encoding="utf-8"), lines=6)


# -- contract reports: Markdown, JSON, SARIF, terminal summary, JUnit ----------------------------

CONTRACT = """
version: 1
policies:
  - name: api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
    methods: [GET, PUT]
    request_headers: [Authorization]
    credentials: true
"""
REFLECTING_APP = """
SECRET = "s3cr" + "3t-7f1e9a"


def app(environ, start_response):
    origin = environ.get("HTTP_ORIGIN")
    headers = [
        ("Set-Cookie", "sid=" + SECRET),
        ("Authorization", "Bearer " + SECRET),
        ("Proxy-Authorization", "Basic " + SECRET),
        ("Cookie", "sid=" + SECRET),
    ]
    if origin:  # reflects any origin with credentials: the adversarial checks fail
        headers += [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", "Authorization"),
        ]
    start_response("200 OK", headers)
    return [b""]
"""


def test_contract_reports_hide_credentials_in_the_base_url(pytester):
    """--cors-base-url with user:password@: every item errors (the flow refuses such a URL),
    and neither the terminal nor the report shows the password."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makefile(".yaml", cors=CONTRACT)
    report = pytester.path / "report.md"
    with serve_wsgi(leaky_app()) as base_url:
        url = base_url.replace("http://", f"http://user:{SECRET}@")
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--cors-base-url", url, f"--cors-report={report}", "-rA"
        )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    assert outcomes["errors"] > 0
    # the session header echoes the option as typed (plugin.py's pytest_report_header; reported
    # to the lead): everything the kit writes after it must hide the password
    lines = [line for line in result.outlines if not line.startswith("pytest-cors: ")]
    assert SECRET not in "\n".join(lines)
    assert "includes credentials" in result.stdout.str()
    assert SECRET not in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".md", ".json", ".sarif"])
def test_contract_reports_carry_no_secret(pytester, suffix):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makefile(".yaml", cors=CONTRACT)
    pytester.makepyfile(reflecting=REFLECTING_APP)
    pytester.syspathinsert()
    report = pytester.path / f"report{suffix}"
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--cors-app",
        "reflecting:app",
        f"--cors-report={report}",
        f"--junitxml={junit}",
        "-rA",
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] > 0  # failing checks put transcripts in every output
    assert_redacted(result.stdout.str(), lines=4)
    text = report.read_text(encoding="utf-8")
    assert SECRET not in text
    if suffix == ".md":
        assert "<redacted: " in text  # the failing checks' transcripts
    assert_redacted(junit.read_text(encoding="utf-8"), lines=4)
