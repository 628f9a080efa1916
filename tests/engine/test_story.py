"""The text rendering of an outcome: verdict, transcript, checks, curl line, redaction."""

import pytest

from pytest_cors import Headers, Request, simulate_fetch
from pytest_cors.engine.story import curl_line

APP = "https://app.example.com"


def app(environ, start_response):
    start_response(
        "200 OK", [("Access-Control-Allow-Origin", APP), ("Set-Cookie", "session=very-secret")]
    )
    return [b""]


def test_explain_shows_verdict_exchanges_checks_and_redacts_secrets():
    outcome = simulate_fetch(
        app, "/a", origin=APP, method="PUT", headers={"Authorization": "Bearer top-secret"}
    )
    text = outcome.explain()
    first = text.splitlines()[0]
    assert (
        first == f"PUT http://testserver/a from origin {APP}: BLOCKED (CORSMethodNotFound) - "
        "script sees TypeError: Failed to fetch"
    )
    assert "> Access-Control-Request-Headers: authorization" in text
    assert "top-secret" not in text and "very-secret" not in text
    assert "[FAIL] preflight: MethodDisallowedByPreflightResponse (CORSMethodNotFound)" in text
    assert "curl -i -X OPTIONS http://testserver/a" in text


def test_explain_of_an_allowed_fetch_lists_readable_headers():
    outcome = simulate_fetch(app, "/a", origin=APP)
    text = outcome.explain()
    assert ": ALLOWED (CORS, status 200)" in text.splitlines()[0]
    assert "Readable response headers: (none)" in text


def test_curl_line_quotes_and_redacts():
    request = Request("GET", "http://testserver/a?q=1 2", Headers({"Authorization": "Basic x"}))
    line = curl_line(request)
    assert line.startswith("curl -i -X GET 'http://testserver/a?q=1 2'")
    assert "'Authorization: <redacted: 7 bytes>'" in line


def test_an_exchange_the_http_cache_answered_is_labelled_as_not_sent():
    from pytest_cors import Browser

    def cached(environ, start_response):
        start_response(
            "200 OK", [("Access-Control-Allow-Origin", "*"), ("Cache-Control", "max-age=600")]
        )
        return [b""]

    browser = Browser("chromium")
    browser.fetch(cached, "/a", origin=APP)
    again = browser.fetch(cached, "/a", origin=APP)
    assert again.http_cached == [0]
    assert "Request (answered by the HTTP cache: nothing was sent):" in again.explain()


@pytest.mark.parametrize(
    ("browser", "error"),
    [
        ("chromium", "TypeError: Failed to fetch"),
        ("firefox", "TypeError: NetworkError when attempting to fetch resource."),
        ("safari", "TypeError: Load failed"),
    ],
)
def test_the_verdict_line_says_what_each_browsers_script_catches(browser, error):
    outcome = simulate_fetch(app, "/a", origin=APP, method="PUT", browser=browser)
    assert (
        outcome.explain()
        .splitlines()[0]
        .endswith(f"BLOCKED (CORSMethodNotFound) - script sees {error}")
    )


# -- response bodies: short text shown, anything else summed up ---------------------------------


def test_starlettes_refusal_body_names_the_cause_of_a_400_preflight():
    from tests.targets.apps import ALLOWED, starlette_app

    app = starlette_app()  # the real CORSMiddleware: allow_methods GET, PUT, POST
    text = simulate_fetch(app, "/items", origin=ALLOWED, method="DELETE").explain()
    lines = text.splitlines()
    assert "  < 400 Bad Request" in lines
    at = lines.index("  < Disallowed CORS method")
    assert lines[at - 1] == "  <"  # a blank line between the headers and the body
    assert lines[at - 2] == "  < content-type: text/plain; charset=utf-8"

    headers = simulate_fetch(app, "/items", origin=ALLOWED, method="PUT", headers={"X-No": "1"})
    assert "  < Disallowed CORS headers" in headers.explain().splitlines()


def _shown(body, content_type=None, **request_headers):
    from pytest_cors.engine.story import render_exchange
    from pytest_cors.http import Exchange, Response

    lines = [("Content-Length", str(len(body)))]
    if content_type is not None:
        lines.append(("Content-Type", content_type))
    exchange = Exchange(
        Request("GET", "http://testserver/a", Headers(request_headers)),
        Response(500, Headers(lines), body),
    )
    return render_exchange(exchange)[len(request_headers) + 1 + len(lines) + 1 :]


@pytest.mark.parametrize(
    ("body", "content_type", "shown"),
    [
        (b"Internal Server Error", "text/plain", ["  <", "  < Internal Server Error"]),
        (b"no type\r\nsecond line\n", None, ["  <", "  < no type", "  < second line"]),
        (
            "d\u00e9j\u00e0 vu".encode(),
            "text/html; charset=utf-8",
            ["  <", "  < d\u00e9j\u00e0 vu"],
        ),
        (b"", "text/plain", []),
        (b'{"error": "boom"}', "application/json", ["  < (17 byte body)"]),
        (b"x" * 201, "text/plain", ["  < (201 byte body)"]),
        (b"x" * 200, "text/plain", ["  <", "  < " + "x" * 200]),
        (b"\xff\xfeshort and stout\x00", None, ["  < (18 byte body)"]),
        (b"bell\x07", "text/plain", ["  < (5 byte body)"]),
    ],
)
def test_a_response_body_is_shown_when_it_is_short_text(body, content_type, shown):
    assert _shown(body, content_type) == shown


def test_secret_header_values_are_redacted_in_a_shown_body_too():
    body = b"bad token s3cr3t-token for sid-s3cr3t-cookie"
    shown = _shown(
        body, "text/plain", Authorization="Bearer s3cr3t-token", Cookie="sid=sid-s3cr3t-cookie; a=1"
    )
    assert shown[1] == "  < bad token <redacted: 12 bytes> for <redacted: 17 bytes>"


# -- the headers the browser adds ----------------------------------------------------------------


def _trustworthy_put(browser="chromium", **headers):
    def api(environ, start_response):
        start_response(
            "200 OK",
            [
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "*"),
            ],
        )
        return [b""]

    return simulate_fetch(
        api,
        "http://localhost:8000/a",
        origin="http://localhost:3000",
        method="PUT",
        headers=headers or None,
        body="x",
        browser=browser,
    )


def test_the_browsers_constant_headers_are_named_on_one_line_the_telling_ones_shown():
    text = _trustworthy_put(**{"X-A": "1"}).explain()
    preflight = text.split("Preflight:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert preflight[5:] == [
        "  > Referer: http://localhost:3000/",
        "  > Sec-Fetch-Site: same-site",
        "  > Sec-Fetch-Mode: cors",
        "  > Sec-Fetch-Dest: empty",
        "  > (browser-added: User-Agent, Accept-Language, Accept-Encoding)",
        "  < 200 OK",
        "  < Access-Control-Allow-Origin: *",
        "  < Access-Control-Allow-Methods: PUT",
        "  < Access-Control-Allow-Headers: *",
    ]
    request = text.split("Request:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert (
        "  > (browser-added: User-Agent, Accept-Language, Accept-Encoding, sec-ch-ua, "
        "sec-ch-ua-mobile, sec-ch-ua-platform)" in request
    )
    assert "Mozilla/5.0" not in "\n".join(request)  # the value only in the curl line


def test_the_curl_line_sends_every_header_the_browser_sent():
    outcome = _trustworthy_put(browser="firefox")
    line = outcome.explain().splitlines()[-1]
    for name, value in outcome.actual.request.headers:
        assert f"{name}: {value}" in line
    assert "'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0)" in line
    assert "'Priority: u=4'" in line and "'Sec-Fetch-Site: same-site'" in line
    # the browser reads compressed bodies decoded: so does curl, told to
    assert line.strip().startswith("curl -i -X PUT http://localhost:8000/a --compressed -H ")


def test_curl_asks_for_no_decoding_when_the_browser_asked_for_identity():
    request = Request("GET", "http://testserver/a", Headers({"Accept-Encoding": "identity"}))
    assert "--compressed" not in curl_line(request)


def test_a_script_set_constant_header_is_shown_as_a_line_on_the_request_only():
    text = _trustworthy_put(browser="spec", **{"Accept-Language": "de"}).explain()
    preflight, request = text.split("Preflight:\n", 1)[1].split("Request:\n", 1)
    assert "  > Accept-Language: de" in request.splitlines()
    assert "  > (browser-added: User-Agent, Accept-Encoding)" in request.splitlines()
    assert "Accept-Language: de" not in preflight
    assert "  > (browser-added: User-Agent, Accept-Language, Accept-Encoding)" in preflight


# -- compressed bodies: the browser accepts gzip, br and zstd, so servers may send them ----------


def _encoded(body, coding, content_type="text/plain"):
    from pytest_cors.engine.story import render_exchange
    from pytest_cors.http import Exchange, Response

    lines = [("Content-Type", content_type), ("Content-Encoding", coding)]
    exchange = Exchange(Request("GET", "http://testserver/a"), Response(403, Headers(lines), body))
    return render_exchange(exchange)[4:]


def _deflate(data, wbits):
    import zlib

    packer = zlib.compressobj(wbits=wbits)
    return packer.compress(data) + packer.flush()


def test_a_gzip_or_deflate_body_is_shown_decoded_when_it_is_short_text():
    import gzip

    refusal = b"Forbidden: cross-site request"
    for body in (gzip.compress(refusal), _deflate(refusal, 15), _deflate(refusal, -15)):
        coding = "gzip" if body[:2] == b"\x1f\x8b" else "deflate"
        assert _encoded(body, coding) == ["  <", "  < Forbidden: cross-site request"]


def test_an_encoded_body_that_cannot_be_shown_says_so():
    import gzip
    import os

    big = gzip.compress(b"x" * 10_000_000)  # a small body that inflates a lot: read 201 bytes
    assert _encoded(big, "gzip") == [f"  < ({len(big)} byte body, gzip-encoded)"]
    json = gzip.compress(b'{"a": 1}')
    assert _encoded(json, "gzip", "application/json") == [
        f"  < ({len(json)} byte body, gzip-encoded)"
    ]
    brotli = os.urandom(40)  # no decoder in the standard library: the bytes as they came
    assert _encoded(brotli, "br") == ["  < (40 byte body, br-encoded, not decoded here)"]
    broken = b"\x1f\x8b\x08garbage\xff"
    assert _encoded(broken, "gzip") == [
        f"  < ({len(broken)} byte body, gzip-encoded, not decoded here)"
    ]


def test_a_body_a_client_already_decoded_is_not_called_encoded():
    text = b'{"detail": "' + b"y" * 300 + b'"}'  # requests/httpx decode and keep the header
    assert _encoded(text, "gzip", "application/json") == [f"  < ({len(text)} byte body)"]
    assert _encoded(b"short refusal", "gzip") == ["  <", "  < short refusal"]


def test_an_app_that_compresses_what_the_browser_accepts_explains_without_breaking():
    """Starlette's GZipMiddleware compresses because the kit now sends Accept-Encoding."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def items(request):
        return PlainTextResponse("item\n" * 400)

    app = Starlette(
        routes=[Route("/items", items)],
        middleware=[
            Middleware(CORSMiddleware, allow_origins=[APP]),
            Middleware(GZipMiddleware, minimum_size=100),
        ],
    )
    outcome = simulate_fetch(app, "/items", origin=APP)
    assert outcome.allowed and outcome.status == 200
    response = outcome.actual.response
    assert response.headers.get("Content-Encoding") == "gzip"
    assert f"  < ({len(response.body)} byte body, gzip-encoded)" in outcome.explain().splitlines()
