"""Raw WSGI and ASGI callables driven in-process: what the app receives, what comes back."""

from __future__ import annotations

import pytest

from pytest_cors.errors import TargetError
from pytest_cors.http import Headers, Request
from pytest_cors.targets import adapt, run_sync
from tests.targets.apps import ALLOWED, ODD_LINES, recording_asgi, recording_wsgi

PREFLIGHT = Request(
    "OPTIONS",
    "https://api.example.com:8443/v1/items?x=1",
    Headers(
        [
            ("Origin", ALLOWED),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type,x-token"),
        ]
    ),
)


def http_keys(environ):
    return {k: v for k, v in environ.items() if k.startswith(("HTTP_", "CONTENT_"))}


# --- WSGI ---------------------------------------------------------------------------------------


def test_wsgi_environ_holds_exactly_the_request():
    record = []
    adapt(recording_wsgi(record)).send(PREFLIGHT)
    (environ,) = record
    assert http_keys(environ) == {
        "HTTP_HOST": "api.example.com:8443",
        "HTTP_ORIGIN": ALLOWED,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "content-type,x-token",
    }
    assert environ["REQUEST_METHOD"] == "OPTIONS"
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["SERVER_NAME"] == "api.example.com"
    assert environ["SERVER_PORT"] == "8443"
    assert environ["SCRIPT_NAME"] == ""
    assert environ["PATH_INFO"] == "/v1/items"
    assert environ["QUERY_STRING"] == "x=1"


def test_wsgi_default_port_is_left_out_of_host():
    record = []
    adapt(recording_wsgi(record)).send(Request("GET", "https://api.example.com/"))
    assert record[0]["HTTP_HOST"] == "api.example.com"
    assert record[0]["SERVER_PORT"] == "443"


def test_wsgi_body_content_type_and_duplicate_request_lines():
    record = []
    request = Request(
        "PUT",
        "http://testserver/items",
        Headers([("Content-Type", "application/json"), ("X-A", "1"), ("x-a", "2")]),
        b'{"a": 1}',
    )
    adapt(recording_wsgi(record)).send(request)
    (environ,) = record
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "8"
    assert environ["HTTP_X_A"] == "1, 2"
    assert environ["body"] == b'{"a": 1}'
    assert "HTTP_CONTENT_TYPE" not in environ


def test_wsgi_post_without_body_announces_zero_length():
    record = []
    adapt(recording_wsgi(record)).send(Request("POST", "http://testserver/items"))
    assert record[0]["CONTENT_LENGTH"] == "0"


def test_wsgi_base_path_becomes_script_name():
    record = []
    target = adapt(recording_wsgi(record), base_url="http://testserver/app/")
    target.send(Request("GET", "http://testserver/app/items"))
    target.send(Request("GET", "http://testserver/other"))
    assert (record[0]["SCRIPT_NAME"], record[0]["PATH_INFO"]) == ("/app", "/items")
    assert (record[1]["SCRIPT_NAME"], record[1]["PATH_INFO"]) == ("", "/other")


def test_wsgi_response_lines_are_kept_raw():
    response = adapt(recording_wsgi([])).send(PREFLIGHT)
    assert response.status == 200
    assert response.reason == "OK"
    assert response.headers.items() == tuple(ODD_LINES)
    assert response.headers.get("x-dup") == "one, two"
    assert response.body == b"hello world"


def test_wsgi_redirect_and_odd_status_are_returned_as_is():
    target = adapt(recording_wsgi([]))
    redirect = target.send(Request("GET", "http://testserver/redirect"))
    assert redirect.status == 302
    assert redirect.headers.get("Location") == "/items"
    teapot = target.send(Request("GET", "http://testserver/teapot"))
    assert (teapot.status, teapot.reason, teapot.body) == (418, "I'm a teapot", b"short and stout")


def test_wsgi_app_exception_is_a_target_error():
    with pytest.raises(
        TargetError, match=r"GET http://testserver/boom: the app raised RuntimeError: boom"
    ):
        adapt(recording_wsgi([])).send(Request("GET", "http://testserver/boom"))


def test_wsgi_app_that_never_starts_a_response():
    def mute(environ, start_response):
        return [b"no status"]

    with pytest.raises(TargetError, match="without calling start_response"):
        adapt(mute).send(Request("GET", "http://testserver/"))


def test_wsgi_iterable_is_closed_and_write_callable_works():
    closed = []

    class Body:
        def __iter__(self):
            yield b"b"

        def close(self):
            closed.append(True)

    def legacy(environ, start_response):
        write = start_response("200 OK", [])
        write(b"a")
        return Body()

    assert adapt(legacy).send(Request("GET", "http://testserver/")).body == b"ab"
    assert closed == [True]


# --- ASGI ---------------------------------------------------------------------------------------


def test_asgi_scope_holds_exactly_the_request():
    record = []
    run_sync(adapt(recording_asgi(record)).send(PREFLIGHT))
    (scope,) = record
    assert scope["headers"] == [
        (b"host", b"api.example.com:8443"),
        (b"origin", ALLOWED.encode()),
        (b"access-control-request-method", b"PUT"),
        (b"access-control-request-headers", b"content-type,x-token"),
    ]
    assert scope["method"] == "OPTIONS"
    assert scope["scheme"] == "https"
    assert scope["server"] == ("api.example.com", 8443)
    assert scope["path"] == "/v1/items"
    assert scope["raw_path"] == b"/v1/items"
    assert scope["query_string"] == b"x=1"
    assert scope["body"] == b""


def test_asgi_keeps_duplicate_request_lines_and_the_body():
    record = []
    request = Request(
        "POST", "http://testserver/items", Headers([("X-A", "1"), ("X-A", "2")]), b"data"
    )
    run_sync(adapt(recording_asgi(record)).send(request))
    assert record[0]["headers"] == [
        (b"host", b"testserver"),
        (b"x-a", b"1"),
        (b"x-a", b"2"),
        (b"content-length", b"4"),
    ]
    assert record[0]["body"] == b"data"


def test_asgi_response_lines_are_kept_raw():
    response = run_sync(adapt(recording_asgi([])).send(PREFLIGHT))
    assert (response.status, response.reason) == (200, "OK")
    assert response.headers.items() == tuple(ODD_LINES)
    assert response.body == b"hello world"


def test_asgi_redirect_is_returned_as_is():
    response = run_sync(
        adapt(recording_asgi([])).send(Request("GET", "http://testserver/redirect"))
    )
    assert response.status == 307
    assert response.headers.get("location") == "/"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/boom", "the app raised RuntimeError: boom"),
        ("/half", "returned before finishing the response body"),
    ],
)
def test_asgi_failures_are_target_errors(path, message):
    with pytest.raises(TargetError, match=message):
        run_sync(adapt(recording_asgi([])).send(Request("GET", f"http://testserver{path}")))


def test_asgi_app_that_sends_nothing():
    async def mute(scope, receive, send):
        await receive()

    with pytest.raises(TargetError, match="without sending a response"):
        run_sync(adapt(mute).send(Request("GET", "http://testserver/")))


def test_asgi_disconnect_waits_for_the_response():
    """A streaming response that listens for disconnect must not be cut short."""
    from starlette.responses import StreamingResponse

    async def chunks():
        for part in (b"a", b"b", b"c"):
            yield part

    app = StreamingResponse(chunks(), media_type="text/plain")
    response = run_sync(adapt(app).send(Request("GET", "http://testserver/")))
    assert response.body == b"abc"


async def test_asgi_target_awaited_in_an_async_test():
    response = await adapt(recording_asgi([])).send(Request("GET", "http://testserver/"))
    assert response.headers.get_all("set-cookie") == ["a=1", "b=2"]
