"""``error_paths`` checks: the method they send, and an in-process app that raises on one.

An error path is checked with a method the policy lists and the route most likely serves (GET
when listed), never one a router answers 405 to. When an in-process app raises there, the check
judges what a browser would get from a real server: the bare 500 uvicorn or gunicorn answers,
without the app's CORS headers; the same app served by uvicorn gives the same verdict.
"""

from __future__ import annotations

import logging

import pytest

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import FINDINGS, build_checks, error_path_method, failing
from pytest_cors.errors import TargetError
from pytest_cors.run import ContractRun, TargetSpec, bare_500, check_contract
from tests.servers import read_request, serve_asgi, serve_raw

from .apps import APP

CONTRACT = """\
version: 1
policies:
  - name: api
    paths: [/items]
    error_paths: [/items/broken]
    origins:
      allow: [https://app.example.com]
    methods: {methods}
"""


def contract(methods="[POST, GET]", browsers=""):
    text = CONTRACT.format(methods=methods)
    if browsers:
        text = text.replace("policies:", f"browsers: [{browsers}]\npolicies:")
    return load_contract_text(text, "cors.yaml", known_findings=FINDINGS)


def error_checks(c):
    return [check for check in build_checks(c) if check.kind == "error-path"]


def broken_app(*, items_raise=False):
    """Starlette behind its real CORSMiddleware (GET and POST for the contract's origin):
    ``GET /items`` answers (raises with ``items_raise``), ``/items/broken`` serves GET only and
    raises, so a POST there gets the router's 405 with CORS headers instead of the error."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def items(request):
        if items_raise:
            raise RuntimeError("items are down")
        return JSONResponse([1, 2])

    def broken(request):
        raise RuntimeError("database is down")

    return Starlette(
        routes=[
            Route("/items", items, methods=["GET", "POST"]),
            Route("/items/broken", broken, methods=["GET"]),
        ],
        middleware=[Middleware(CORSMiddleware, allow_origins=[APP], allow_methods=["GET", "POST"])],
    )


@pytest.fixture(autouse=True)
def _quiet_server_errors():
    """uvicorn and Starlette log the app's exception: expected here, kept out of the output."""
    logging.disable(logging.ERROR)
    yield
    logging.disable(logging.NOTSET)


# -- the method --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("methods", "expected"),
    [
        ("[GET]", "GET"),
        ("[POST, GET]", "GET"),
        ("[PUT, DELETE, GET]", "GET"),
        ("[PUT, POST, HEAD]", "POST"),
        ("[PUT, HEAD, POST]", "HEAD"),
        ("[PATCH, DELETE]", "PATCH"),
        ("[PATCH]", "PATCH"),
    ],
)
def test_an_error_path_is_checked_with_get_else_a_simple_method_else_the_first(methods, expected):
    c = contract(methods)
    assert error_path_method(c.policies[0]) == expected
    [check] = error_checks(c)
    assert check.method == expected
    assert check.name == f"api::{expected} /items/broken from {APP} (error response) -> allowed"


def test_the_error_is_what_gets_checked_not_the_405_of_a_method_the_route_lacks():
    """POST is listed first, but /items/broken serves GET only: POST got Starlette's 405, which
    carries CORS headers and passed, while the GET a page sends there hits a 500 without them."""
    results = check_contract(contract("[POST, GET]"), broken_app())
    [(check, findings)] = [(c, f) for c, f in results if c.kind == "error-path"]
    assert check.method == "GET"
    assert [f.id for f in failing(findings)] == ["CORS-BLOCKED"]
    message = findings[0].message
    assert message.startswith(
        f"GET /items/broken from {APP} must be allowed, but it is blocked.\n"
        "Access to fetch at 'http://testserver/items/broken' from origin "
        f"'{APP}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header"
    )
    assert (
        "GET http://testserver/items/broken raised RuntimeError: database is down: judged as the "
        "bare '500 Internal Server Error' a server (uvicorn, gunicorn) answers when the app raises"
    ) in message
    # nothing else fails but the 'exception' fault: /items raising is masked the same way
    # (Starlette's ServerErrorMiddleware sits outside CORSMiddleware)
    failed = {c.name: [x.id for x in failing(f)] for c, f in results if failing(f)}
    assert failed.pop(check.name) == ["CORS-BLOCKED"]
    assert failed == {
        f"api::GET /items from {APP} (fault: exception) -> allowed": ["CORS-ERROR-MASKED"]
    }


# -- an in-process app that raises on an error path ----------------------------------------------


def test_an_app_that_raises_on_an_error_path_is_judged_as_a_bare_500():
    c = contract("[GET]", browsers="chromium, firefox")
    run = ContractRun(c, TargetSpec.resolve(c), target=broken_app())
    checks = error_checks(c)
    assert [check.browser for check in checks] == ["chromium", "firefox"]
    for check in checks:
        evidence = run.run(check)
        outcome = evidence.outcome
        assert outcome is not None and not outcome.allowed
        assert outcome.failure is not None and outcome.failure.code == "CORSMissingAllowOrigin"
        [exchange] = outcome.exchanges
        assert exchange.response == bare_500()
        assert list(exchange.response.headers) == [
            ("Content-Type", "text/plain"),
            ("Content-Length", "21"),
        ]
        assert exchange.response.body == b"Internal Server Error"
        assert evidence.app_errors == [
            "GET http://testserver/items/broken raised RuntimeError: database is down"
        ]
        # the transcript shows what was judged
        assert "  < 500 Internal Server Error" in outcome.explain().splitlines()


def test_a_real_server_gives_the_same_verdict_as_the_in_process_error_path():
    c = contract("[GET]")
    [check] = error_checks(c)
    in_process = ContractRun(c, TargetSpec.resolve(c), target=broken_app()).run(check)
    with serve_asgi(broken_app()) as base_url:
        live_run = ContractRun(c, TargetSpec(None, base_url, "cors.yaml"))
        live = live_run.run(check)
        live_run.close()
    assert live.app_errors == []  # a real 500 came back: nothing to stand in for
    for evidence in (in_process, live):
        outcome = evidence.outcome
        assert outcome is not None and outcome.failure is not None
        assert outcome.failure.code == "CORSMissingAllowOrigin"
        response = outcome.exchanges[0].response
        assert response.status == 500
        assert response.body == b"Internal Server Error"
        assert "Access-Control-Allow-Origin" not in response.headers


def test_a_check_of_a_regular_path_still_gets_no_verdict_from_a_raising_app():
    c = contract("[GET]")
    run = ContractRun(c, TargetSpec.resolve(c), target=broken_app(items_raise=True))
    check = next(ch for ch in build_checks(c) if ch.kind == "allowed")
    assert check.path == "/items"
    with pytest.raises(TargetError, match="items are down"):
        run.run(check)


def test_an_app_that_breaks_the_protocol_on_an_error_path_still_gets_no_verdict():
    """Not an exception of the app's: the kit's own complaint about what the app did."""

    async def silent(scope, receive, send):
        return None  # returns without answering

    c = contract("[GET]")
    [check] = error_checks(c)
    with pytest.raises(TargetError, match="returned without sending a response"):
        ContractRun(c, TargetSpec.resolve(c), target=silent).run(check)


def test_a_live_server_that_drops_the_connection_on_an_error_path_still_gets_no_verdict():
    def hang_up(conn, stop):
        read_request(conn)  # then close without a byte

    c = contract("[GET]")
    [check] = error_checks(c)
    with serve_raw(hang_up) as base_url:
        run = ContractRun(c, TargetSpec(None, base_url, "cors.yaml"))
        with pytest.raises(TargetError):
            run.run(check)
        run.close()


# -- what each framework's test set-up hands over (docs/contracts.md, error_paths) --------------

BOOM = """\
version: 1
policies:
  - name: api
    paths: [/items]
    error_paths: [/boom]
    origins:
      allow: [https://app.example.com]
    credentials: true
    vary: false  # Flask-CORS sends no Vary for a single allowed origin: not tested here
"""


def boom_verdict(target):
    """The error-path check of /boom (the shared framework apps raise there): the failing
    finding ids, and whether the judged answer was the bare 500 standing in for an exception."""
    from pytest_cors.contract.checks import evaluate

    c = load_contract_text(BOOM, "cors.yaml", known_findings=FINDINGS)
    [check] = error_checks(c)
    evidence = ContractRun(c, TargetSpec.resolve(c), target=target).run(check)
    assert evidence.outcome is not None
    assert evidence.outcome.exchanges[-1].response.status == 500
    return [f.id for f in failing(evaluate(check, evidence))], bool(evidence.app_errors)


def test_starlette_raises_always_and_its_test_client_can_hand_over_its_500():
    from starlette.middleware.cors import CORSMiddleware
    from starlette.testclient import TestClient

    from tests.targets.apps import STARLETTE_CORS, starlette_app

    inside = starlette_app()  # CORSMiddleware inside ServerErrorMiddleware: its 500 has no CORS
    assert boom_verdict(inside) == (["CORS-BLOCKED"], True)
    assert boom_verdict(TestClient(inside)) == (["CORS-BLOCKED"], True)
    assert boom_verdict(TestClient(inside, raise_server_exceptions=False)) == (
        ["CORS-BLOCKED"],
        False,
    )
    outside = CORSMiddleware(starlette_app(cors=None), **STARLETTE_CORS)
    assert boom_verdict(outside) == (["CORS-BLOCKED"], True)  # it raised after its 500
    assert boom_verdict(TestClient(outside, raise_server_exceptions=False)) == ([], False)


@pytest.mark.parametrize(
    ("config", "verdict"),
    [
        ({"TESTING": True}, (["CORS-BLOCKED"], True)),
        ({"TESTING": False, "DEBUG": True}, (["CORS-BLOCKED"], True)),
        ({"TESTING": False, "PROPAGATE_EXCEPTIONS": True}, (["CORS-BLOCKED"], True)),
        ({"TESTING": False}, ([], False)),  # Flask's own 500, Flask-CORS's headers on it
        ({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, ([], False)),
    ],
)
def test_flask_raises_when_it_propagates_exceptions(config, verdict):
    from tests.targets.apps import flask_app

    app = flask_app()
    app.config.update(config)
    assert boom_verdict(app) == verdict
    assert boom_verdict(app.test_client()) == verdict


def test_djangos_test_client_re_raises_what_its_handler_answered_with_a_500():
    from tests.targets.django_app import DJANGO_CORS, django_settings

    with django_settings(DJANGO_CORS):
        from django.core.wsgi import get_wsgi_application
        from django.test import Client

        assert boom_verdict(Client()) == (["CORS-BLOCKED"], True)
        assert boom_verdict(Client(raise_request_exception=False)) == ([], False)
        assert boom_verdict(get_wsgi_application()) == ([], False)
