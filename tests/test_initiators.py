"""The other initiators: the pure mapping, then real apps (Starlette's CORSMiddleware, flask-cors).

The mapping's expected values are what Chromium 156, Firefox 153 and WebKitGTK did in
``tests/conformance/test_initiators.py``; here they are held in tables so a change to the mapping
fails without a browser.
"""

from __future__ import annotations

import pytest

from pytest_cors import (
    Browser,
    CorsAssertionError,
    CorsUsageError,
    assert_load_allows,
    assert_load_denies,
    assert_xhr_allows,
    assert_xhr_denies,
    simulate_beacon,
    simulate_eventsource,
    simulate_fetch,
    simulate_load,
    simulate_xhr,
)
from pytest_cors.engine.initiators import (
    ELEMENTS,
    beacon_request,
    element_request,
    judge,
    mutes_opaque_script_errors,
    xhr_request,
)

APP = "https://app.example.com"  # the page: same site as the CDN, another origin
CDN = "https://cdn.example.com"
EVIL = "https://evil.test"  # another site altogether
PROFILES = ("chromium", "firefox", "safari")

# element, crossorigin -> mode, credentials, Sec-Fetch-Dest (measured in all three engines)
MAPPING = [
    ("img", None, "no-cors", "include", "image"),
    ("img", "anonymous", "cors", "same-origin", "image"),
    ("img", "use-credentials", "cors", "include", "image"),
    ("img", "", "cors", "same-origin", "image"),  # an empty attribute is "anonymous"
    ("script", None, "no-cors", "include", "script"),
    ("script", "anonymous", "cors", "same-origin", "script"),
    ("module", None, "cors", "same-origin", "script"),
    ("module", "use-credentials", "cors", "include", "script"),
    ("stylesheet", None, "no-cors", "include", "style"),
    ("stylesheet", "anonymous", "cors", "same-origin", "style"),
    ("font", None, "cors", "same-origin", "font"),
    ("video", None, "no-cors", "include", "video"),
    ("video", "anonymous", "cors", "same-origin", "video"),
    ("audio", "use-credentials", "cors", "include", "audio"),
]


@pytest.mark.parametrize(("element", "crossorigin", "mode", "credentials", "dest"), MAPPING)
def test_each_element_makes_the_request_the_browser_makes(
    element, crossorigin, mode, credentials, dest
):
    request = element_request(element, crossorigin, "chromium")
    assert (request.mode, request.credentials, request.destination) == (mode, credentials, dest)
    assert request.method == "GET" and not request.use_cors_preflight


def test_every_element_is_mapped():
    assert {m[0] for m in MAPPING} == set(ELEMENTS)


@pytest.mark.parametrize(
    ("element", "crossorigin", "message"),
    [
        ("iframe", None, "unknown element"),
        ("img", "yes", "unknown crossorigin"),
        ("font", "anonymous", "no crossorigin attribute"),
    ],
)
def test_a_wrong_element_or_attribute_is_a_usage_error(element, crossorigin, message):
    with pytest.raises(CorsUsageError, match=message):
        simulate_load(
            "https://cdn.example.com", "/x", origin=APP, element=element, crossorigin=crossorigin
        )


def test_xhr_credentials_and_the_upload_flag():
    assert xhr_request("GET", False, False, None).credentials == "same-origin"
    assert xhr_request("GET", True, False, None).credentials == "include"
    assert xhr_request("POST", False, True, "x").use_cors_preflight
    # no body, nothing uploaded: the listener never matters
    assert not xhr_request("POST", False, True, None).use_cors_preflight


def test_a_beacon_is_no_cors_unless_its_type_is_not_safelisted():
    assert beacon_request("text/plain", True).mode == "no-cors"
    unsafe = beacon_request("application/json", False)
    assert (unsafe.mode, unsafe.credentials) == ("cors", "include")


@pytest.mark.parametrize(
    ("initiator", "allowed", "kind", "status", "used", "readable"),
    [
        ("img", True, "opaque", 200, True, False),  # shown, taints the canvas
        ("img", True, "cors", 200, True, True),
        ("img", False, "error", 200, False, False),  # crossorigin and no ACAO: not shown
        ("img", True, "opaque", 404, False, False),  # the error event, CORS or not
        ("script", True, "opaque", 200, True, False),  # runs, errors muted
        ("font", False, "error", 200, False, False),
        ("font", True, "basic", 200, True, True),  # same-origin
        ("xhr", True, "cors", 500, True, True),  # an XHR reads any status
        ("beacon", False, "error", 200, True, False),  # delivered; a beacon is never read
        ("beacon", False, "error", None, False, False),  # a preflight refused: nothing sent
    ],
)
def test_used_and_readable(initiator, allowed, kind, status, used, readable):
    use = judge(initiator, allowed, kind, status, "text/plain")
    assert (use.used, use.readable) == (used, readable)


def test_eventsource_needs_a_200_event_stream():
    assert judge("eventsource", True, "cors", 200, "text/event-stream; charset=utf-8").used
    assert not judge("eventsource", True, "cors", 200, "text/plain").used
    assert not judge("eventsource", True, "cors", 204, "text/event-stream").used


def test_only_firefox_shows_an_opaque_scripts_errors():
    assert mutes_opaque_script_errors("chromium", same_site=True)
    assert mutes_opaque_script_errors("webkit", same_site=True)
    assert not mutes_opaque_script_errors("firefox", same_site=True)
    assert not mutes_opaque_script_errors("firefox", same_site=False)  # measured, Firefox 153
    assert judge("script", True, "opaque", 200, "", errors_muted=False).readable


# --- a CDN as a real Starlette app with CORSMiddleware ---------------------------------------


def cdn_app():
    """A CDN behind Starlette's real CORSMiddleware: GET for the app's origin only."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import Response
    from starlette.routing import Route

    def answer(body: bytes, media_type: str):
        return lambda request: Response(body, media_type=media_type)

    routes = [
        Route("/f.woff2", answer(b"wOF2", "font/woff2")),
        Route("/i.png", answer(b"\x89PNG", "image/png")),
        Route("/app.js", answer(b"run()", "text/javascript")),
        Route("/events", answer(b"data: hi\n\n", "text/event-stream")),
        Route("/upload", answer(b"ok", "text/plain"), methods=["POST"]),
    ]
    cors = Middleware(
        CORSMiddleware,
        allow_origins=[APP],
        allow_methods=["GET"],
        allow_headers=["X-A"],
        allow_credentials=False,
    )
    return Starlette(routes=routes, middleware=[cors])


@pytest.fixture
def cdn():
    from starlette.testclient import TestClient

    with TestClient(cdn_app(), base_url=CDN) as client:
        yield client


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_a_font_from_the_cdn_is_used_by_the_allowed_origin_only(cdn, browser):
    ok = simulate_load(cdn, "/f.woff2", origin=APP, element="font", browser=browser)
    assert (ok.initiator, ok.used, ok.readable, ok.allowed) == ("font", True, True, True)
    sent = ok.actual.request.headers
    assert sent.get("Sec-Fetch-Dest") == "font" and sent.get("Sec-Fetch-Mode") == "cors"
    assert sent.get("Origin") == APP and "Cookie" not in sent  # credentials same-origin
    refused = simulate_load(cdn, "/f.woff2", origin=EVIL, element="font", browser=browser)
    assert not refused.used and not refused.readable
    assert refused.failure.code == "CORSMissingAllowOrigin"


def test_webkit_loads_a_font_without_cors(cdn):
    outcome = simulate_load(cdn, "/f.woff2", origin=EVIL, element="font", browser="safari")
    assert outcome.used and outcome.response_type == "opaque"
    sent = outcome.actual.request.headers
    assert sent.get("Sec-Fetch-Mode") == "no-cors" and "Origin" not in sent
    # credentials include: the cookie goes where Safari's cookie rules let it (same site here)
    same_site = simulate_load(cdn, "/f.woff2", origin=APP, element="font", browser="safari")
    assert "Cookie" in same_site.actual.request.headers
    assert element_request("font", None, "webkit").mode == "no-cors"


def test_chromium_names_the_initiator_in_its_console_line(cdn):
    font = simulate_load(cdn, "/f.woff2", origin=EVIL, element="font")
    assert font.failure.message.startswith("Access to font at 'https://cdn.example.com/f.woff2'")
    sheet = simulate_load(cdn, "/i.png", origin=EVIL, element="stylesheet", crossorigin="")
    assert sheet.failure.message.startswith("Access to CSS stylesheet at ")
    xhr = simulate_xhr(cdn, "/i.png", origin=EVIL)
    assert xhr.failure.message.startswith("Access to XMLHttpRequest at ")
    assert not xhr.failure.message.endswith("withCredentials attribute.")
    credentialed = simulate_xhr(cdn, "/i.png", origin=APP, with_credentials=True)
    assert credentialed.failure.message.endswith(
        "The credentials mode of requests initiated by the XMLHttpRequest is controlled by the "
        "withCredentials attribute."
    )
    firefox = simulate_load(cdn, "/f.woff2", origin=EVIL, element="font", browser="firefox")
    assert firefox.failure.message.startswith("Cross-Origin Request Blocked")


def test_an_image_without_crossorigin_is_shown_but_taints_the_canvas(cdn):
    outcome = simulate_load(cdn, "/i.png", origin=EVIL, element="img")
    assert outcome.used and not outcome.readable and outcome.response_type == "opaque"
    sent = outcome.actual.request.headers
    assert sent.get("Sec-Fetch-Mode") == "no-cors" and sent.get("Sec-Fetch-Dest") == "image"
    assert "Origin" not in sent and "Cookie" in sent  # a no-cors load carries the cookies
    assert sent.get("Accept").startswith("image/jxl,image/avif")
    assert "taints a canvas" in outcome.explain()
    with pytest.raises(CorsAssertionError, match="crossorigin='anonymous'"):
        assert_load_allows(cdn, "/i.png", origin=EVIL, element="img")
    assert_load_allows(cdn, "/i.png", origin=EVIL, element="img", readable=False)


def test_an_image_with_crossorigin_needs_the_cors_grant(cdn):
    assert_load_allows(cdn, "/i.png", origin=APP, element="img", crossorigin="anonymous")
    denied = assert_load_denies(cdn, "/i.png", origin=EVIL, element="img", crossorigin="anonymous")
    assert denied.failure.code == "CORSMissingAllowOrigin"
    with pytest.raises(CorsAssertionError, match="does"):
        assert_load_denies(cdn, "/i.png", origin=EVIL, element="img")  # shown: it is used
    # use-credentials: the CDN does not allow credentials
    assert_load_denies(cdn, "/i.png", origin=APP, element="img", crossorigin="use-credentials")


def test_an_opaque_scripts_errors_are_muted_except_in_firefox(cdn):
    chromium = simulate_load(cdn, "/app.js", origin=APP, element="script")
    assert chromium.used and not chromium.readable
    firefox = simulate_load(cdn, "/app.js", origin=APP, element="script", browser="firefox")
    assert firefox.used and firefox.readable
    other_site = simulate_load(cdn, "/app.js", origin=EVIL, element="script", browser="firefox")
    assert other_site.used and other_site.readable
    safari = simulate_load(cdn, "/app.js", origin=EVIL, element="script", browser="safari")
    assert safari.used and not safari.readable
    module = simulate_load(cdn, "/app.js", origin=EVIL, element="module")
    assert not module.used  # a module script is a CORS request: not run


def test_xhr_with_credentials_needs_allow_credentials(cdn):
    assert_xhr_allows(cdn, "/i.png", origin=APP)
    denied = assert_xhr_denies(cdn, "/i.png", origin=APP, with_credentials=True)
    assert denied.failure.code == "CORSMissingAllowCredentials"
    assert "Cookie" in denied.actual.request.headers
    # the page's XHR gets an error event, not fetch()'s TypeError
    assert "page sees the XHR's error event (status 0" in denied.explain()
    assert "Failed to fetch" not in denied.explain()


def test_an_upload_listener_forces_a_preflight(cdn):
    plain = simulate_xhr(cdn, "/upload", origin=APP, method="POST", body="x")
    assert plain.preflight is None and plain.allowed
    listened = simulate_xhr(
        cdn, "/upload", origin=APP, method="POST", body="x", upload_listeners=True
    )
    assert listened.preflight is not None
    assert listened.preflight.request.headers.get("Access-Control-Request-Method") == "POST"
    assert "use-CORS-preflight" in listened.explain()
    # the middleware allows GET only, so the forced preflight fails where fetch() passes
    assert not listened.used
    assert simulate_fetch(cdn, "/upload", origin=APP, method="POST", body="x").allowed


def test_eventsource(cdn):
    stream = simulate_eventsource(cdn, "/events", origin=APP)
    assert stream.initiator == "eventsource" and stream.used
    assert stream.actual.request.headers.get("Accept") == "text/event-stream"
    not_a_stream = simulate_eventsource(cdn, "/i.png", origin=APP)
    assert not_a_stream.allowed and not not_a_stream.used
    assert not simulate_eventsource(cdn, "/events", origin=APP, with_credentials=True).used


def test_beacons(cdn):
    plain = simulate_beacon(cdn, "/upload", origin=EVIL, body="x")
    assert plain.used and not plain.readable and plain.response_type == "opaque"
    assert "Cookie" in plain.actual.request.headers
    json = simulate_beacon(cdn, "/upload", origin=APP, body="{}", content_type="application/json")
    assert json.preflight is not None and json.actual is None and not json.used


def test_a_browser_session_shares_its_preflight_cache(cdn):
    session = Browser("chromium")
    first = simulate_xhr(cdn, "/i.png", origin=APP, headers={"X-A": "1"}, browser=session)
    assert first.preflight is not None and first.used
    again = simulate_xhr(cdn, "/i.png", origin=APP, headers={"X-A": "1"}, browser=session)
    assert again.preflight_cached and again.preflight is None
    fresh = simulate_xhr(cdn, "/i.png", origin=APP, headers={"X-A": "1"})
    assert not fresh.preflight_cached


def test_a_browser_sessions_clock_ages_its_preflight_cache(cdn):
    now = [0.0]
    session = Browser("chromium", clock=lambda: now[0])
    simulate_xhr(cdn, "/i.png", origin=APP, headers={"X-A": "1"}, browser=session)
    now[0] = 599.0  # CORSMiddleware's Access-Control-Max-Age: 600
    assert simulate_xhr(
        cdn, "/i.png", origin=APP, headers={"X-A": "1"}, browser=session
    ).preflight_cached
    now[0] = 1200.0
    late = simulate_xhr(cdn, "/i.png", origin=APP, headers={"X-A": "1"}, browser=session)
    assert not late.preflight_cached


# --- a CDN as a real Flask app with flask-cors --------------------------------------------------


@pytest.fixture
def flask_cdn():
    from flask import Flask, Response
    from flask_cors import CORS

    app = Flask("cdn")
    CORS(app, resources={r"/fonts/*": {"origins": "*"}})

    @app.get("/fonts/inter.woff2")
    def font():
        return Response(b"wOF2", mimetype="font/woff2")

    @app.get("/img/logo.png")
    def logo():
        return Response(b"\x89PNG", mimetype="image/png")

    return app.test_client()


def test_flask_cors_serves_fonts_to_every_origin_and_images_to_none(flask_cdn):
    for origin in (APP, EVIL):
        assert_load_allows(flask_cdn, "/fonts/inter.woff2", origin=origin, element="font")
    assert_load_denies(
        flask_cdn, "/img/logo.png", origin=APP, element="img", crossorigin="anonymous"
    )
    shown = assert_load_allows(
        flask_cdn, "/img/logo.png", origin=APP, element="img", readable=False
    )
    assert not shown.readable


# --- async variants, the cors fixture's methods, the page's CSP ----------------------------------


async def test_the_async_variants_drive_an_async_client_on_the_running_loop():
    import httpx

    from pytest_cors import (
        async_simulate_beacon,
        async_simulate_eventsource,
        async_simulate_load,
        async_simulate_xhr,
    )

    transport = httpx.ASGITransport(app=cdn_app())
    async with httpx.AsyncClient(transport=transport, base_url=CDN) as client:
        font = await async_simulate_load(client, "/f.woff2", origin=APP, element="font")
        assert (font.initiator, font.used, font.readable) == ("font", True, True)
        refused = await async_simulate_load(client, "/f.woff2", origin=EVIL, element="font")
        assert not refused.used and refused.failure.message.startswith("Access to font at ")
        xhr = await async_simulate_xhr(client, "/f.woff2", origin=APP, with_credentials=True)
        assert xhr.initiator == "xhr" and not xhr.used  # no Allow-Credentials
        stream = await async_simulate_eventsource(client, "/events", origin=APP)
        assert stream.used
        beacon = await async_simulate_beacon(client, "/upload", origin=EVIL, body="x")
        assert beacon.used and beacon.response_type == "opaque"
        csp = await async_simulate_load(
            client, "/f.woff2", origin=APP, element="font", page_csp="font-src 'self'"
        )
        assert csp.failure.code == "CSPViolation"


def test_the_cors_fixtures_methods_share_its_session_and_judge(cdn):
    from pytest_cors.asserts import CorsHelpers

    helpers = CorsHelpers(cdn)
    assert helpers.load("/f.woff2", origin=APP, element="font").used
    helpers.load_allows("/i.png", origin=APP, element="img", crossorigin="anonymous")
    helpers.load_denies("/f.woff2", origin=EVIL, element="font")
    with pytest.raises(CorsAssertionError, match="Access to font at"):
        helpers.load_allows("/f.woff2", origin=EVIL, element="font")
    with pytest.raises(CorsAssertionError, match="but it does"):
        helpers.load_denies("/i.png", origin=EVIL, element="img")
    first = helpers.xhr("/i.png", origin=APP, headers={"X-A": "1"})
    assert first.preflight is not None
    assert helpers.xhr_allows("/i.png", origin=APP, headers={"X-A": "1"}).preflight_cached
    helpers.xhr_denies("/i.png", origin=APP, with_credentials=True)
    assert helpers.eventsource("/events", origin=APP).used
    assert helpers.beacon("/upload", origin=EVIL, body="x").used
    firefox = helpers.load("/f.woff2", origin=EVIL, element="font", browser="firefox")
    assert firefox.browser == "firefox" and not firefox.used


# element, the page's CSP, the directive Chromium names, its console line's start
CSP_CASES = [
    ("font", "font-src 'self'", "font-src 'self'", "Loading the font '"),
    ("font", "default-src 'self'", "default-src 'self'", "Loading the font '"),
    ("img", "img-src 'self'", "img-src 'self'", "Loading the image '"),
    ("script", "script-src 'self'", "script-src 'self'", "Loading the script '"),
    ("module", "script-src-elem 'none'", "script-src-elem 'none'", "Loading the script '"),
    ("stylesheet", "style-src 'self'", "style-src 'self'", "Loading the stylesheet '"),
    # two blanks: Chromium 156 prints them (tests/conformance/test_csp_initiators.py)
    ("video", "media-src 'self'", "media-src 'self'", "Loading media from  '"),
]


@pytest.mark.parametrize(("element", "csp", "directive", "start"), CSP_CASES)
def test_an_elements_load_is_checked_against_its_own_csp_directive(
    cdn, element, csp, directive, start
):
    outcome = simulate_load(cdn, "/f.woff2", origin=APP, element=element, page_csp=csp)
    assert outcome.failure.code == "CSPViolation" and not outcome.used
    assert outcome.exchanges == []  # refused before anything is sent
    message = outcome.failure.message
    assert message.startswith(f"{start}https://cdn.example.com/f.woff2' violates")
    assert f'directive: "{directive}".' in message


def test_the_fallback_note_names_the_directive_the_element_wanted(cdn):
    script = simulate_load(
        cdn, "/app.js", origin=APP, element="script", page_csp="script-src 'self'"
    )
    assert "Note that 'script-src-elem' was not explicitly set" in script.failure.message
    font = simulate_load(cdn, "/f.woff2", origin=APP, element="font", page_csp="default-src 'self'")
    assert "Note that 'font-src' was not explicitly set" in font.failure.message


def test_another_directive_does_not_govern_an_element(cdn):
    # connect-src governs fetch(), not a font; img-src not a script
    assert simulate_load(
        cdn, "/f.woff2", origin=APP, element="font", page_csp="connect-src 'none'"
    ).used
    assert simulate_load(
        cdn, "/app.js", origin=APP, element="script", page_csp="img-src 'none'"
    ).used
    assert simulate_load(
        cdn, "/f.woff2", origin=APP, element="font", page_csp="font-src https://cdn.example.com"
    ).used


def test_xhr_eventsource_and_beacons_are_checked_against_connect_src(cdn):
    csp = "connect-src 'self'; font-src *"
    for outcome in (
        simulate_xhr(cdn, "/i.png", origin=APP, page_csp=csp),
        simulate_eventsource(cdn, "/events", origin=APP, page_csp=csp),
        simulate_beacon(cdn, "/upload", origin=APP, body="x", page_csp=csp),
    ):
        assert outcome.failure.code == "CSPViolation" and not outcome.used
        assert outcome.failure.message.startswith("Connecting to ")


def test_the_assertions_take_page_csp_and_local_network(cdn):
    from pytest_cors import LocalNetwork

    with pytest.raises(CorsAssertionError, match="Content Security Policy"):
        assert_load_allows(cdn, "/f.woff2", origin=APP, element="font", page_csp="font-src 'none'")
    assert_xhr_denies(cdn, "/i.png", origin=APP, page_csp="connect-src 'none'")
    # a public page's load of a loopback address, Local Network Access on and not granted
    refused = simulate_load(
        "http://127.0.0.1:9", "/f.woff2", origin=APP, element="font", local_network=LocalNetwork()
    )
    assert refused.failure.code == "LocalNetworkAccessDenied" and not refused.used


def _refusing(environ, start_response):
    """No CORS header at all: every CORS load from another origin is refused."""
    start_response("200 OK", [("Content-Type", "image/png")])
    return [b"x"]


@pytest.mark.parametrize(
    ("load", "last"),
    [
        ({"element": "img", "crossorigin": "anonymous"}, "Cannot load image {url} due to access"),
        ({"element": "script", "crossorigin": "anonymous"}, "Cross-origin script load denied by"),
        ({"element": "module"}, "Origin https://app.example.com is not allowed"),
        ({"element": "video", "crossorigin": "anonymous"}, "Origin https://app.example.com is not"),
    ],
)
def test_webkit_words_a_refused_element_load_as_webkit_does(load, last):
    """Measured in WebKitGTK 2.50.6 (tests/conformance/test_initiators.py): the reason, then
    the element's own line, or none for a module script, a stylesheet or media."""
    url = "http://testserver/a"
    outcome = simulate_load(_refusing, "/a", origin=APP, browser="safari", **load)
    lines = outcome.failure.message.split("\n")
    assert lines[-1].startswith(last.format(url=url))
    assert not any(line.startswith("Fetch API cannot load") for line in lines)


def test_webkit_words_a_refused_xhr_and_beacon_as_webkit_does():
    xhr = simulate_xhr(_refusing, "/a", origin=APP, browser="safari")
    assert xhr.failure.message.endswith(
        "XMLHttpRequest cannot load http://testserver/a due to access control checks."
    )
    beacon = simulate_beacon(
        _refusing, "/a", origin=APP, body="{}", content_type="application/json", browser="safari"
    )
    reason = beacon.failure.message.split("\n")[0]
    assert beacon.failure.message.endswith(f"Beacon API cannot load http://testserver/a. {reason}")


def _allowing_evil(environ, start_response):
    """``/a`` allows another origin only; ``/hop`` (allowing the page) and ``/bad-hop`` (allowing
    another origin) redirect to it."""
    path = environ["PATH_INFO"]
    allowed = APP if path == "/hop" else EVIL
    headers = [("Access-Control-Allow-Origin", allowed), ("Content-Type", "image/png")]
    if path in ("/hop", "/bad-hop"):
        start_response("302 Found", [*headers, ("Location", "http://testserver/a")])
        return [b""]
    start_response("200 OK", headers)
    return [b"x"]


def test_chromium_advises_on_a_wrong_allow_origin_for_fetch_only():
    """Measured in Chromium 156 (tests/conformance random initiator cases): "Have the server
    send the header with a valid value." follows the reason for fetch() and nothing else."""
    advice = " Have the server send the header with a valid value."
    fetch = simulate_fetch(_allowing_evil, "/a", origin=APP)
    assert fetch.failure.message.endswith("supplied origin." + advice)
    others = [
        simulate_load(_allowing_evil, "/a", origin=APP, element="img", crossorigin="anonymous"),
        simulate_load(_allowing_evil, "/a", origin=APP, element="module"),
        simulate_xhr(_allowing_evil, "/a", origin=APP),
        simulate_eventsource(_allowing_evil, "/a", origin=APP),
    ]
    for outcome in others:
        assert outcome.failure.message.endswith("is not equal to the supplied origin.")


def test_webkit_names_an_images_own_url_after_a_redirect():
    """Measured in WebKitGTK 2.50.6: when the response a redirect led to fails the check, an
    image's line names the URL the element asked for, XHR's the URL that failed; a denied
    redirect is its own line, before the initiator's."""
    image = simulate_load(
        _allowing_evil, "/hop", origin=APP, element="img", crossorigin="anonymous",
        browser="safari",
    )  # fmt: skip
    assert image.failure.message.split("\n")[-1] == (
        "Cannot load image http://testserver/hop due to access control checks."
    )
    xhr = simulate_xhr(_allowing_evil, "/hop", origin=APP, browser="safari")
    assert xhr.failure.message.split("\n")[-1] == (
        "XMLHttpRequest cannot load http://testserver/a due to access control checks."
    )
    script = simulate_load(
        _allowing_evil, "/bad-hop", origin=APP, element="script", crossorigin="anonymous",
        browser="safari",
    )  # fmt: skip
    first, last = script.failure.message.split("\n")
    assert first.startswith("Cross-origin redirection to http://testserver/a denied by")
    assert last == "Cross-origin script load denied by Cross-Origin Resource Sharing policy."
