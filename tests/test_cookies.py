"""The simulated browser holds cookies: a signed-in user's fetch() carries them where the
browser would send them (credentials mode, SameSite, the profile's third-party cookie policy),
never on a preflight, re-decided on every redirect hop, always redacted."""

from __future__ import annotations

import pytest

from pytest_cors import (
    Cookie,
    CorsAssertionError,
    CorsUsageError,
    assert_cors_allows,
    assert_cors_denies,
    simulate_fetch,
)
from pytest_cors.cookies import (
    PROBE_COOKIES,
    Held,
    cookie_header,
    decide,
    is_secure_context,
    jar_for,
    session_cookie,
)
from pytest_cors.origin import parse_origin

EVIL = "https://evil.example"
APP = "https://app.example.com"
API = "https://api.example.com"
SECRET = "s3cr3t-session-value"


def signed_in_only_app():
    """A Flask app whose CORS layer opens only for signed-in users: it reflects the Origin with
    Access-Control-Allow-Credentials when a cookie arrives (preflights, which never carry one,
    are answered for any origin). ``app.seen`` holds each request's Cookie header."""
    from flask import Flask, request

    app = Flask(__name__)
    app.seen = []

    @app.route("/me", methods=["GET", "PUT"])
    def me():
        return {"user": "alice" if request.cookies else None}

    @app.after_request
    def cors(response):
        app.seen.append((request.method, request.headers.get("Cookie")))
        origin = request.headers.get("Origin")
        if origin and (request.cookies or request.method == "OPTIONS"):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Allow-Methods"] = "GET, PUT"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        return response

    return app


def reflector(routes=None):
    """A WSGI app that reflects every Origin with credentials and records (host, path, Cookie);
    ``routes`` maps a path to the Location it redirects to (302)."""
    seen = []

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        seen.append((environ.get("HTTP_HOST"), path, environ.get("HTTP_COOKIE")))
        headers = [
            ("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "*")),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "PUT"),
        ]
        if routes and path in routes:
            start_response("302 Found", [*headers, ("Location", routes[path])])
            return [b""]
        start_response("200 OK", headers)
        return [b"ok"]

    app.seen = seen
    return app


# -- the false pass of issue 14 ----------------------------------------------------------------


def test_a_signed_in_chromium_is_let_in_by_a_server_that_opens_cors_for_sessions():
    app = signed_in_only_app()
    with pytest.raises(CorsAssertionError) as info:
        assert_cors_denies(app, "/me", origin=EVIL, credentials="include")
    text = str(info.value)
    assert "but fetch() would resolve" in text
    assert "Access-Control-Allow-Credentials: true" in text
    assert "> Cookie: <redacted: " in text
    assert app.seen[-1] == ("GET", "pytest_cors_session=probe")


def test_a_signed_out_browser_is_still_refused():
    app = signed_in_only_app()
    outcome = assert_cors_denies(app, "/me", origin=EVIL, credentials="include", cookies=None)
    assert "Cookie" not in outcome.actual.request.headers
    assert app.seen == [("GET", None)]


@pytest.mark.parametrize(
    ("browser", "why"),
    [
        ("safari", "this browser blocks third-party cookies"),
        ("firefox", "this browser partitions cookies by top-level site"),
    ],
)
def test_safari_and_firefox_send_no_cookie_to_another_site(browser, why):
    app = signed_in_only_app()
    outcome = assert_cors_denies(app, "/me", origin=EVIL, credentials="include", browser=browser)
    assert "Cookie" not in outcome.actual.request.headers
    assert app.seen == [("GET", None)]
    assert f"pytest_cors_session (SameSite=None; Secure; Path=/) not sent: {why}" in (
        outcome.explain()
    )


@pytest.mark.parametrize("browser", ["chromium", "firefox", "safari", "spec"])
def test_a_same_site_page_sends_its_lax_session_cookie_in_every_browser(browser):
    app = signed_in_only_app()
    lax = [Cookie("session", SECRET, samesite="Lax", secure=True)]
    outcome = assert_cors_allows(
        app, f"{API}/me", origin=APP, credentials="include", cookies=lax, browser=browser
    )
    assert outcome.actual.request.headers.get("Cookie") == f"session={SECRET}"
    assert app.seen == [("GET", f"session={SECRET}")]


def test_a_lax_or_strict_cookie_never_goes_cross_site_even_in_chromium():
    app = signed_in_only_app()
    for samesite in ("Lax", "Strict"):
        jar = [Cookie("session", SECRET, samesite=samesite)]
        outcome = simulate_fetch(app, "/me", origin=EVIL, credentials="include", cookies=jar)
        assert not outcome.allowed
        assert f"SameSite={samesite} and the page {EVIL} is cross-site" in outcome.explain()
    assert app.seen == [("GET", None), ("GET", None)]


def test_schemeful_same_site_an_http_page_is_another_site_than_https():
    app = signed_in_only_app()
    jar = [Cookie("session", SECRET, samesite="Lax")]
    outcome = simulate_fetch(
        app, f"{API}/me", origin="http://app.example.com", credentials="include", cookies=jar
    )
    assert not outcome.allowed
    assert app.seen == [("GET", None)]


# -- when cookies go at all ------------------------------------------------------------------


def test_a_preflight_never_carries_the_cookie_and_the_actual_request_does():
    app = signed_in_only_app()
    outcome = simulate_fetch(
        app,
        "/me",
        origin=EVIL,
        method="PUT",
        headers={"Content-Type": "application/json"},
        body="{}",
        credentials="include",
    )
    assert outcome.allowed
    assert "Cookie" not in outcome.preflight.request.headers
    assert outcome.actual.request.headers.get("Cookie") == "pytest_cors_session=probe"
    assert app.seen == [("OPTIONS", None), ("PUT", "pytest_cors_session=probe")]


def test_omit_never_carries_cookies_whatever_the_jar_holds():
    app = reflector()
    jar = [Cookie("session", SECRET), Cookie("other", "x", samesite="Lax")]
    outcome = simulate_fetch(app, f"{API}/me", origin=APP, credentials="omit", cookies=jar)
    assert outcome.allowed
    assert app.seen == [("api.example.com", "/me", None)]
    assert "cookies" not in outcome.explain()


def test_same_origin_mode_sends_cookies_only_until_the_fetch_leaves_the_page_origin():
    app = reflector({"/start": f"{API}/elsewhere"})
    jar = [Cookie("session", SECRET, domain="example.com")]
    outcome = simulate_fetch(
        app, f"{APP}/start", origin=APP, credentials="same-origin", cookies=jar
    )
    assert outcome.allowed and outcome.redirected
    assert app.seen == [
        ("app.example.com", "/start", f"session={SECRET}"),
        ("api.example.com", "/elsewhere", None),  # cross-origin: no credentials from here on
    ]


def test_same_origin_mode_sends_nothing_to_a_cross_origin_url():
    app = reflector()
    outcome = simulate_fetch(app, f"{API}/me", origin=APP, credentials="same-origin")
    assert outcome.allowed
    assert app.seen == [("api.example.com", "/me", None)]


def test_each_redirect_hop_is_decided_again():
    # api -> cdn (another site) -> api: the host-only cookie skips cdn, and the Lax one is not
    # sent on the last hop either, as the fetch went through another site (RFC 6265bis)
    app = reflector(
        {"/hop": "https://cdn.example.net/bounce", "/bounce": f"{API}/me", "/again": "/me"}
    )
    jar = [Cookie("strong", "1", samesite="None"), Cookie("weak", "2", samesite="Lax")]
    outcome = simulate_fetch(app, f"{API}/hop", origin=APP, credentials="include", cookies=jar)
    assert outcome.allowed
    assert app.seen == [
        ("api.example.com", "/hop", "strong=1; weak=2"),
        ("cdn.example.net", "/bounce", None),
        ("api.example.com", "/me", "strong=1"),
    ]
    assert "weak (SameSite=Lax; Secure; Path=/) not sent" in outcome.explain()
    assert "the fetch was redirected through another site" in outcome.explain()
    app.seen.clear()
    simulate_fetch(app, f"{API}/again", origin=APP, credentials="include", cookies=jar)
    assert app.seen == [
        ("api.example.com", "/again", "strong=1; weak=2"),
        ("api.example.com", "/me", "strong=1; weak=2"),
    ]


def test_domain_and_path_decide_which_cookies_a_url_gets():
    app = reflector()
    jar = [
        Cookie("host", "1"),  # host-only: the fetch's own host
        Cookie("wide", "2", domain=".example.com"),
        Cookie("admin", "3", domain="example.com", path="/admin"),
        Cookie("other", "4", domain="example.org"),
    ]
    simulate_fetch(app, f"{API}/admin/users", origin=APP, credentials="include", cookies=jar)
    simulate_fetch(app, f"{API}/administrator", origin=APP, credentials="include", cookies=jar)
    assert [cookie for _, _, cookie in app.seen] == ["admin=3; host=1; wide=2", "host=1; wide=2"]


# -- the jar: its forms, and redaction -------------------------------------------------------


def test_user_cookies_are_sent_and_redacted_in_explain_and_in_a_failure_message():
    app = signed_in_only_app()
    outcome = simulate_fetch(
        app, "/me", origin=EVIL, credentials="include", cookies={"session": SECRET}
    )
    assert outcome.actual.request.headers.get("Cookie") == f"session={SECRET}"
    shown = outcome.explain()
    assert f"> Cookie: <redacted: {len('session=' + SECRET)} bytes>" in shown
    assert SECRET not in shown
    assert SECRET not in repr(outcome.actual.request)
    with pytest.raises(CorsAssertionError) as info:
        assert_cors_denies(
            app, "/me", origin=EVIL, credentials="include", cookies={"session": SECRET}
        )
    assert "Cookie: <redacted" in str(info.value)
    assert SECRET not in str(info.value)


def test_a_cookie_never_shows_its_value_in_a_repr():
    cookie = Cookie("session", SECRET, samesite="lax")
    assert cookie.samesite == "Lax"
    assert SECRET not in repr(cookie)
    assert repr(cookie).startswith("Cookie(name='session', value=<redacted: 20 bytes>")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "a=b", "value": "1"}, "cookie name .such as 'session'. has no '='"),
        ({"name": " a", "value": "1"}, "blank at either end"),
        ({"name": "s\u0100", "value": "1"}, r"above U\+00FF"),
        ({"name": "a", "value": "1;2"}, "without ';'"),
        ({"name": "a", "value": "1", "samesite": "Relaxed"}, "samesite must be"),
        ({"name": "a", "value": "1", "path": "admin"}, "path must start with '/'"),
    ],
)
def test_a_malformed_cookie_is_a_usage_error(kwargs, message):
    with pytest.raises(CorsUsageError, match=message):
        Cookie(**kwargs)


@pytest.mark.parametrize("bad", ["session=1", 42, [("session", SECRET)]])
def test_cookies_of_another_kind_are_a_usage_error_never_showing_a_value(bad):
    with pytest.raises(CorsUsageError, match="cookies takes a mapping") as info:
        simulate_fetch(reflector(), "/", origin=APP, cookies=bad)
    assert SECRET not in str(info.value)


def test_a_requests_session_jar_is_read_as_the_browser_holds_it():
    import requests

    session = requests.Session()
    session.cookies.set("session", SECRET, domain="api.example.com", rest={"SameSite": "None"})
    session.cookies.set("csrftoken", "t", domain="api.example.com")  # no SameSite: Lax
    session.cookies.set("stale", "x", domain="api.example.com", expires=1)
    app = reflector()
    simulate_fetch(app, f"{API}/me", origin=EVIL, credentials="include", cookies=session.cookies)
    simulate_fetch(app, f"{API}/me", origin=APP, credentials="include", cookies=session.cookies)
    # not Secure in the jar, so over https a SameSite=None cookie the jar holds without Secure
    # is one Chromium never keeps: only the Lax one goes, and only same-site
    assert [cookie for _, _, cookie in app.seen] == [None, "csrftoken=t"]


def test_a_test_clients_cookies_are_read_from_its_jar():
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    async def me(request):
        return JSONResponse({"user": request.cookies.get("session")})

    async def login(request):
        response = JSONResponse({})
        response.set_cookie("session", SECRET, samesite="none", secure=True)
        return response

    class SignedInOnly:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            headers = dict(scope.get("headers", []))

            async def sending(message):
                if message["type"] == "http.response.start" and b"cookie" in headers:
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"access-control-allow-origin", headers[b"origin"]),
                        (b"access-control-allow-credentials", b"true"),
                    ]
                await send(message)

            await self.app(scope, receive, sending)

    routes = [Route("/me", me), Route("/login", login)]
    app = Starlette(routes=routes, middleware=[Middleware(SignedInOnly)])
    with TestClient(app) as client:
        client.get("/login")  # the client's jar now holds the session cookie
        outcome = assert_cors_allows(
            client, "/me", origin=EVIL, credentials="include", cookies=client.cookies
        )
        assert outcome.actual.request.headers.get("Cookie") == f"session={SECRET}"
        signed_out = simulate_fetch(client, "/me", origin=EVIL, credentials="include", cookies=None)
    assert not signed_out.allowed


# -- the rules, unit by unit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("https://api.example.com/", True),
        ("http://localhost:8000/", True),
        ("http://app.localhost/", True),
        ("http://127.0.0.1:5000/", True),
        ("http://[::1]/", True),
        ("http://api.example.com/", False),
        ("http://192.168.1.20/", False),
    ],
)
def test_secure_contexts_are_https_and_local_hosts(url, secure):
    assert is_secure_context(url) is secure


def test_the_probe_is_samesite_none_secure_where_a_secure_cookie_can_exist_else_lax():
    assert session_cookie("s", "v", "https://api.example.com/") == Cookie("s", "v", "None", True)
    assert session_cookie("s", "v", "http://localhost:3000/") == Cookie("s", "v", "None", True)
    assert session_cookie("s", "v", "http://api.example.com/") == Cookie("s", "v", "Lax", False)
    # an in-process app's http://testserver stands for the deployed (https) site
    assert session_cookie("s", "v", "http://testserver/", in_process=True).samesite == "None"
    assert jar_for(PROBE_COOKIES, "http://api.example.com/x") == (
        Held(Cookie("pytest_cors_session", "probe", "Lax", False), "api.example.com", True),
    )
    assert jar_for(None, "https://api.example.com/") == ()
    assert jar_for({}, "https://api.example.com/") == ()


def test_a_secure_cookie_never_goes_over_plain_http_to_a_live_host():
    jar = jar_for([Cookie("s", "v")], "http://api.example.com/")
    decisions = decide(
        jar, "http://api.example.com/me", page=parse_origin(EVIL), chain=[], profile="chromium"
    )
    assert [(d.sent, d.why) for d in decisions] == [(False, "Secure, and the URL is not https")]
    assert cookie_header(decisions) is None


def test_samesite_none_without_secure_is_dropped_by_chromium_not_by_safari():
    jar = jar_for([Cookie("s", "v", samesite="None", secure=False)], f"{API}/")
    page = parse_origin(APP)
    sent = {
        name: cookie_header(decide(jar, f"{API}/me", page=page, chain=[], profile=name))
        for name in ("chromium", "spec", "firefox", "safari")
    }
    assert sent == {"chromium": None, "spec": None, "firefox": "s=v", "safari": "s=v"}


def test_a_profile_of_another_name_sends_third_party_cookies_as_chromium():
    import dataclasses

    from pytest_cors.engine.profiles import SAFARI

    custom = dataclasses.replace(SAFARI, name="my-webkit-fork")
    app = signed_in_only_app()
    outcome = simulate_fetch(app, "/me", origin=EVIL, credentials="include", browser=custom)
    assert outcome.allowed
