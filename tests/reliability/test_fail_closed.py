"""Fail closed: no verdict without a real response.

Every fault of issue 7 (connection refused, DNS failure, TLS failure, timeout, reset in the
middle of a response, an answer that is not HTTP, an oversized header block, an app that
raises) is injected at the preflight and at the actual request, through every live target
kind, and must end the flow with a ``TargetError`` that names the target and the step. Then the
same faults reach pytest items: the assertion helpers, the ``cors`` fixture and contract items
must fail or error, never pass.
"""

from __future__ import annotations

import socket

import pytest

from pytest_cors import TargetError, async_simulate_fetch, simulate_fetch
from tests.reliability.faults import (
    APP,
    FETCH,
    GOOD_ACTUAL,
    GOOD_PREFLIGHT,
    ONE_MIB,
    STEPS,
    WIRE_FAULTS,
    fault_handler,
    is_preflight,
    refused_url,
    serve_then_refuse,
    serve_tls,
)
from tests.servers import read_request, serve_raw

TIMEOUT = 0.5  # seconds a live target waits on a silent server (the fault, not a timing test)
METHOD = {"preflight": "OPTIONS", "actual": "PUT"}
INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
LIVE_KINDS = ["url", "session", "httpx", "async-httpx"]


def fetch(target, kind):
    """The simulated PUT (preflighted) through the sync or the async entry point."""
    if kind == "async-httpx":
        import asyncio

        async def run():
            try:
                return await async_simulate_fetch(target, "/items", **FETCH)
            finally:
                await target.client.aclose()

        return asyncio.run(run())
    return simulate_fetch(target, "/items", **FETCH)


def assert_fails_closed(info, step, base_url, *phrases):
    """The error names the step, the target, the request, and what went wrong."""
    error = info.value
    text = str(error)
    assert error.step == step
    assert text.startswith(f"[{step}] ")
    assert base_url in error.target
    assert f"{METHOD[step]} {base_url}/items" in text
    for phrase in phrases:
        assert phrase in text


# -- the live faults, each at each step, through each live target kind -----------------------

FAULT_PHRASES = {
    "garbage": "the answer is not HTTP",
    "reset": "the connection broke before the response was complete",
    "many-header-lines": "the response header block is too large",
    "one-huge-header": "the response header block is too large",
}


@pytest.mark.parametrize("kind", LIVE_KINDS)
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("fault", list(WIRE_FAULTS))
def test_a_broken_answer_is_a_target_error(live, kind, step, fault):
    with (
        serve_raw(fault_handler(WIRE_FAULTS[fault], step)) as base_url,
        pytest.raises(TargetError) as info,
    ):
        fetch(live(kind, base_url), kind)
    assert_fails_closed(info, step, base_url, FAULT_PHRASES[fault])


@pytest.mark.parametrize("kind", LIVE_KINDS)
@pytest.mark.parametrize("step", STEPS)
def test_a_silent_server_is_a_timeout_error(live, kind, step):
    with serve_raw(fault_handler(None, step)) as base_url, pytest.raises(TargetError) as info:
        fetch(live(kind, base_url), kind)
    assert_fails_closed(info, step, base_url, f"timed out after {TIMEOUT:g} s")


@pytest.mark.parametrize("kind", LIVE_KINDS)
def test_a_refused_connection_at_the_preflight(live, kind):
    base_url = refused_url()
    with pytest.raises(TargetError) as info:
        fetch(live(kind, base_url), kind)
    assert_fails_closed(info, "preflight", base_url, "connection refused")


@pytest.mark.parametrize("kind", LIVE_KINDS)
def test_a_refused_connection_at_the_actual_request(live, kind):
    with serve_then_refuse() as base_url, pytest.raises(TargetError) as info:
        fetch(live(kind, base_url), kind)
    assert_fails_closed(info, "actual", base_url, "connection refused")


@pytest.mark.parametrize("kind", LIVE_KINDS)
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("tls_fault", ["untrusted-certificate", "plain-text-answer"])
def test_a_tls_failure_is_a_target_error(live, certs, kind, step, tls_fault):
    trusted, untrusted = certs
    fault = untrusted if tls_fault == "untrusted-certificate" else None
    with serve_tls(trusted, fault, step) as base_url, pytest.raises(TargetError) as info:
        fetch(live(kind, base_url), kind)
    assert_fails_closed(info, step, base_url, "the TLS handshake failed")


def test_the_tls_server_is_sound_when_nothing_strikes(live, certs):
    """The TLS fault server answers the preflight over TLS with the trusted certificate: the
    actual-step failures above really strike the actual request, not the handshake setup."""
    trusted, untrusted = certs
    with (
        serve_tls(trusted, untrusted, "actual") as base_url,
        pytest.raises(TargetError) as info,
    ):
        fetch(live("url", base_url), "url")
    assert info.value.step == "actual"


@pytest.mark.parametrize("step", STEPS)
def test_dns_failure_through_requests(step):
    """A name that does not resolve (simulated with ``responses``: tests never query DNS)."""
    import requests
    import responses
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    base_url = "https://no-such-host.invalid"  # https: an https page fetching http stops first
    url = f"{base_url}/items"
    cause = NameResolutionError(
        "no-such-host.invalid", None, OSError(-2, "Name or service not known")
    )
    failure = requests.ConnectionError(MaxRetryError(None, url, cause))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        if step == "actual":
            mock.add(
                responses.OPTIONS,
                url,
                status=204,
                headers={
                    "Access-Control-Allow-Origin": APP,
                    "Access-Control-Allow-Methods": "PUT",
                    "Access-Control-Allow-Headers": "X-Token",
                },
            )
        mock.add(responses.OPTIONS if step == "preflight" else responses.PUT, url, body=failure)
        with pytest.raises(TargetError) as info:
            simulate_fetch(base_url, "/items", **FETCH)
    assert_fails_closed(info, step, base_url, "the host name could not be resolved")


@pytest.mark.parametrize("step", STEPS)
def test_dns_failure_through_httpx(step):
    import httpx

    def handler(request):
        if step == "actual" and request.method == "OPTIONS":
            return httpx.Response(
                204,
                headers={
                    "Access-Control-Allow-Origin": APP,
                    "Access-Control-Allow-Methods": "PUT",
                    "Access-Control-Allow-Headers": "X-Token",
                },
            )
        # as httpx reports it: a ConnectError raised from the resolver's socket.gaierror
        cause = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from cause

    base_url = "https://no-such-host.invalid"  # https: an https page fetching http stops first
    with (
        httpx.Client(base_url=base_url, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(TargetError) as info,
    ):
        simulate_fetch(client, "/items", **FETCH)
    assert_fails_closed(info, step, base_url, "the host name could not be resolved")


def test_the_fault_servers_answer_properly_until_they_strike(live):
    """Sanity of the harness: the same handler with no fault yields a real verdict."""

    def sound(conn, stop):
        while raw := read_request(conn):
            conn.sendall(GOOD_PREFLIGHT if is_preflight(raw) else GOOD_ACTUAL)

    with serve_raw(sound) as base_url:
        outcome = simulate_fetch(live("url", base_url), "/items", **FETCH)
    assert outcome.allowed
    assert outcome.preflight is not None


# -- in-process targets: the app raises, answers nothing, or answers an oversized head ----------


def wsgi_app(fault, step):
    def app(environ, start_response):
        preflight = environ["REQUEST_METHOD"] == "OPTIONS"
        if step == "actual" and preflight:
            start_response(
                "204 No Content",
                [
                    ("Access-Control-Allow-Origin", APP),
                    ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Allow-Headers", "X-Token"),
                ],
            )
            return [b""]
        if fault == "raises":
            raise RuntimeError("the database is down")
        if fault == "no-response":
            return [b"a body without start_response"]
        head = [("Access-Control-Allow-Origin", APP)]
        if fault == "oversized-head":
            head += [("X-Pad", "a" * 1000)] * (ONE_MIB // 1000)
        start_response("200 OK", head)
        return [b"ok"]

    return app


def asgi_app(fault, step):
    async def app(scope, receive, send):
        await receive()
        if step == "actual" and scope["method"] == "OPTIONS":
            headers = [
                (b"access-control-allow-origin", APP.encode()),
                (b"access-control-allow-methods", b"PUT"),
                (b"access-control-allow-headers", b"X-Token"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if fault == "raises":
            raise RuntimeError("the database is down")
        if fault == "no-response":
            return
        headers = [(b"access-control-allow-origin", APP.encode())]
        if fault == "oversized-head":
            headers += [(b"x-pad", b"a" * 1000)] * (ONE_MIB // 1000)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


IN_PROCESS_PHRASES = {
    "raises": "RuntimeError: the database is down",
    "no-response": "without calling start_response|without sending a response",
    "oversized-head": "the response header block is ",
}


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("fault", list(IN_PROCESS_PHRASES))
def test_an_in_process_app_that_gives_no_usable_response(interface, step, fault):
    app = (wsgi_app if interface == "wsgi" else asgi_app)(fault, step)
    with pytest.raises(TargetError) as info:
        simulate_fetch(app, "/items", **FETCH)
    text = str(info.value)
    assert info.value.step == step
    assert text.startswith(f"[{step}] ")
    assert "http://testserver" in info.value.target
    assert f"{METHOD[step]} http://testserver/items" in text
    assert any(p in text for p in IN_PROCESS_PHRASES[fault].split("|")), text


def test_the_in_process_apps_answer_properly_without_a_fault():
    for make in (wsgi_app, asgi_app):
        assert simulate_fetch(make(None, "actual"), "/items", **FETCH).allowed


def test_an_oversized_head_is_refused_as_chromium_refuses_it():
    """Chromium stops at 256 KiB of response head (net::ERR_RESPONSE_HEADERS_TOO_BIG): just
    under the bound is a verdict, just over it is an error, whatever the target kind."""
    from pytest_cors.flow import MAX_HEADER_BLOCK
    from pytest_cors.http import Response, head_size

    def app_with_pad(pad):
        def app(environ, start_response):
            start_response("200 OK", [("Access-Control-Allow-Origin", APP), ("X-Pad", pad)])
            return [b""]

        return app

    base = head_size(Response(200, reason="OK")) + len("Access-Control-Allow-Origin") + 4
    base += len(APP) + len("X-Pad") + 4
    fits = "a" * (MAX_HEADER_BLOCK - base)
    assert simulate_fetch(app_with_pad(fits), "/x", origin=APP).allowed
    with pytest.raises(TargetError, match="ERR_RESPONSE_HEADERS_TOO_BIG"):
        simulate_fetch(app_with_pad(fits + "a"), "/x", origin=APP)


def test_a_custom_target_that_returns_no_response_is_a_target_error():
    class Broken:
        base_url = "http://broken.test"

        def send(self, request):
            return {"status": 200}

    with pytest.raises(
        TargetError, match=r"^\[actual\] .*: GET http://broken\.test/x: .*returned dict"
    ):
        simulate_fetch(Broken(), "/x", origin=APP)


# -- pytest items: the helpers and the fixture fail or error, never pass ------------------------

ITEMS = """
import pytest
from pytest_cors import assert_cors_allows, assert_cors_denies, simulate_fetch

ORIGIN = "https://app.example.com"
STEP_ARGS = {{
    "preflight": {{"method": "PUT", "headers": {{"X-Token": "t"}}}},
    "actual": {{}},
}}
TARGETS = {targets}
{apps}


@pytest.fixture(params=sorted(TARGETS))
def cors_target(request):
    return TARGETS[request.param]


@pytest.fixture(params=sorted(STEP_ARGS))
def args(request):
    return {{"origin": ORIGIN, **STEP_ARGS[request.param]}}


def test_assert_allows(cors_target, args):
    assert_cors_allows(cors_target, "/items", **args)


def test_assert_denies(cors_target, args):
    assert_cors_denies(cors_target, "/items", **args)


def test_fixture_allows(cors, args):
    cors.allows("/items", **args)


def test_fixture_denies(cors, args):
    cors.denies("/items", **args)


def test_fetch_then_assert_blocked(cors, args):
    assert not cors.fetch("/items", **args).allowed


def test_simulate_then_assert_blocked(cors_target, args):
    assert not simulate_fetch(cors_target, "/items", **args).allowed
"""


FAULTY_APPS = """
def raising_app(environ, start_response):
    raise RuntimeError("the database is down")


def oversized_app(environ, start_response):
    pad = [("X-Pad", "a" * 999)] * 1100
    start_response("200 OK", [("Access-Control-Allow-Origin", ORIGIN), *pad])
    return [b""]


TARGETS["raising-app"] = raising_app
TARGETS["oversized-head"] = oversized_app
"""
SOUND_APP = """
def sound_app(environ, start_response):
    start_response("200 OK", [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "X-Token"),
    ])
    return [b""]


TARGETS["sound"] = sound_app
"""


def test_no_pytest_item_passes_against_a_faulty_target(pytester):
    garbage = fault_handler(WIRE_FAULTS["garbage"], "preflight")
    reset = fault_handler(WIRE_FAULTS["reset"], "preflight")
    with serve_raw(garbage) as garbage_url, serve_raw(reset) as reset_url:
        targets = {"refused": refused_url(), "garbage": garbage_url, "reset": reset_url}
        pytester.makeini(INI)
        pytester.makepyfile(test_items=ITEMS.format(targets=repr(targets), apps=FAULTY_APPS))
        result = pytester.runpytest("-p", "no:cacheprovider")
    items = 6 * 5 * 2  # tests x targets x steps
    result.assert_outcomes(failed=items)
    output = result.stdout.str()
    assert output.count("TargetError") >= items
    for step in STEPS:
        assert f"TargetError: [{step}]" in output


def test_the_items_pass_against_a_sound_target(pytester):
    """The item file is not vacuous: a sound app flips allows/denies as expected."""
    sound = ITEMS.format(targets="{}", apps=SOUND_APP)
    pytester.makeini(INI)
    pytester.makepyfile(test_items=sound)
    result = pytester.runpytest("-p", "no:cacheprovider")
    # allows passes; denies, and the "blocked" asserts, fail: for each of the two steps
    result.assert_outcomes(passed=2 * 2, failed=4 * 2)


CONTRACT = """
version: 1
policies:
  - name: spa-api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
      deny: [https://evil.example.net]
    methods: [GET, PUT]
    request_headers: [X-Token]
  - name: admin
    paths: [/admin]
    cors: false
"""


@pytest.mark.parametrize("fault", ["refused", "garbage", "reset"])
def test_contract_items_error_against_an_unreachable_base_url(pytester, fault):
    """Contract checks run in the item's setup: a dead target makes every item an error."""
    pytester.makeini(INI)
    pytester.makefile(".yaml", cors=CONTRACT)
    if fault == "refused":
        result = pytester.runpytest("-p", "no:cacheprovider", "--cors-base-url", refused_url())
    else:
        with serve_raw(fault_handler(WIRE_FAULTS[fault], "preflight")) as base_url:
            result = pytester.runpytest("-p", "no:cacheprovider", "--cors-base-url", base_url)
    outcomes = result.parseoutcomes()
    output = result.stdout.str()
    assert outcomes.get("passed", 0) == 0, output
    assert outcomes.get("failed", 0) == 0, output
    assert outcomes.get("errors", 0) > 0, output
    expected = {"refused": "TargetConnectionError", "garbage": "TargetProtocolError"}
    assert expected.get(fault, "TargetError") in output


# -- an answer no server would send: no verdict either ----------------------------------------


def wsgi_answering(status, headers):
    def app(environ, start_response):
        start_response(status, headers)
        return [b""]

    return app


def asgi_answering(start):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", **start})
        await send({"type": "http.response.body", "body": b""})

    return app


ALLOW_ALL = ("Access-Control-Allow-Origin", "*")
MALFORMED = {
    "wsgi-bytes-header": wsgi_answering("200 OK", [(b"Access-Control-Allow-Origin", b"*")]),
    "wsgi-int-value": wsgi_answering("200 OK", [ALLOW_ALL, ("Content-Length", 0)]),
    "wsgi-headers-dict": wsgi_answering("200 OK", dict([ALLOW_ALL])),
    "wsgi-triple": wsgi_answering("200 OK", [(*ALLOW_ALL, "x")]),
    "wsgi-status-word": wsgi_answering("OK", [ALLOW_ALL]),
    "wsgi-status-int": wsgi_answering(200, [ALLOW_ALL]),
    "wsgi-status-four-digits": wsgi_answering("2000 OK", [ALLOW_ALL]),
    "asgi-str-header": asgi_answering({"status": 200, "headers": [("a", "*")]}),
    "asgi-int-name": asgi_answering({"status": 200, "headers": [(5, b"*")]}),
    "asgi-status-str": asgi_answering({"status": "200", "headers": []}),
    "asgi-status-zero": asgi_answering({"status": 0, "headers": []}),
    "asgi-status-bool": asgi_answering({"status": True, "headers": []}),
    "asgi-status-1000": asgi_answering({"status": 1000, "headers": []}),
}


@pytest.mark.parametrize("app", list(MALFORMED.values()), ids=list(MALFORMED))
def test_an_answer_no_server_would_send_is_no_verdict(app):
    with pytest.raises(TargetError) as info:
        simulate_fetch(app, "/items", origin=APP)
    text = str(info.value)
    assert info.value.step == "actual"
    assert any(
        phrase in text
        for phrase in ("(PEP 3333)", "(ASGI spec)", "not an HTTP status (an integer from 100")
    ), text


def test_well_formed_answers_of_the_same_shapes_give_verdicts():
    from http import HTTPStatus

    assert simulate_fetch(wsgi_answering("204", [ALLOW_ALL]), "/x", origin=APP).allowed
    start = {"status": HTTPStatus.OK, "headers": [(b"access-control-allow-origin", b"*")]}
    assert simulate_fetch(asgi_answering(start), "/x", origin=APP).allowed


@pytest.mark.parametrize("status", [0, 99, 1000, True, "200", None, 200.0])
def test_a_custom_target_with_a_bad_status_is_no_verdict(status):
    from pytest_cors.http import Headers, Response

    class Odd:
        base_url = "http://odd.test"

        def send(self, request):
            return Response(status, Headers([ALLOW_ALL]))

    with pytest.raises(TargetError, match="not an HTTP status"):
        simulate_fetch(Odd(), "/x", origin=APP)


def test_a_custom_targets_bytes_headers_are_read_as_wire_bytes():
    """Never as the text "b'...'", which would fail every comparison and read as a denial."""
    from pytest_cors.http import Headers, Response

    class Bytes:
        base_url = "http://bytes.test"

        def send(self, request):
            return Response(200, Headers([(b"Access-Control-Allow-Origin", APP.encode())]))

    assert simulate_fetch(Bytes(), "/x", origin=APP).allowed
