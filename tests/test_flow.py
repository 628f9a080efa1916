"""simulate_fetch, async_simulate_fetch and Browser: the engine driven against real targets."""

import enum

import pytest

from pytest_cors import (
    Browser,
    CorsAssertionError,
    CorsUsageError,
    Headers,
    Response,
    TargetError,
    UnsupportedTargetError,
    assert_cors_denies,
    async_simulate_fetch,
    simulate_fetch,
)

APP = "https://app.example.com"


def make_app(max_age="600", calls=None):
    """A WSGI app allowing APP to PUT with X-Token; records every request it gets."""

    def app(environ, start_response):
        if calls is not None:
            calls.append(
                (
                    environ["REQUEST_METHOD"],
                    environ.get("PATH_INFO"),
                    environ.get("HTTP_HOST"),
                    environ.get("HTTP_ORIGIN"),
                )
            )
        headers = [("Access-Control-Allow-Origin", APP), ("Content-Type", "text/plain")]
        if environ["REQUEST_METHOD"] == "OPTIONS":
            headers += [
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "X-Token"),
            ]
            if max_age is not None:
                headers.append(("Access-Control-Max-Age", max_age))
        if environ.get("PATH_INFO") == "/boom":
            raise RuntimeError("database is down")
        start_response("200 OK", headers)
        return [b"ok"]

    return app


def test_a_path_is_joined_to_the_targets_base_and_the_host_reaches_the_app():
    calls = []
    outcome = simulate_fetch(make_app(calls=calls), "/items", origin=APP)
    assert outcome.allowed
    assert outcome.url == "http://testserver/items"
    assert calls == [("GET", "/items", "testserver", APP)]


def test_an_absolute_url_sets_the_host_the_app_sees():
    calls = []
    simulate_fetch(make_app(calls=calls), "https://api.example.com:8443/items", origin=APP)
    assert calls[0][2] == "api.example.com:8443"


def test_same_origin_requests_send_no_origin_and_skip_cors():
    calls = []
    outcome = simulate_fetch(
        make_app(calls=calls),
        "http://testserver/x",
        origin="http://testserver",
        method="PUT",
        headers={"X-Other": "1"},
    )
    assert outcome.allowed and outcome.same_origin
    assert outcome.preflight is None
    assert calls == [("PUT", "/x", "testserver", "http://testserver")]


def test_browser_session_reuses_a_preflight_inside_max_age_and_not_after():
    now = [1000.0]
    browser = Browser("chromium", clock=lambda: now[0])
    app = make_app(max_age="600")
    args = {"origin": APP, "method": "PUT", "headers": {"X-Token": "1"}}
    first = browser.fetch(app, "/items", **args)
    second = browser.fetch(app, "/items", **args)
    assert first.preflight is not None
    assert second.preflight is None and second.preflight_cached
    now[0] += 601
    assert browser.fetch(app, "/items", **args).preflight is not None


def test_chromium_caps_max_age_at_two_hours_and_firefox_does_not():
    for name, reused in (("chromium", False), ("firefox", True)):
        now = [0.0]
        browser = Browser(name, clock=lambda now=now: now[0])
        app = make_app(max_age="86400")
        browser.fetch(app, "/a", origin=APP, method="PUT")
        now[0] = 7300
        again = browser.fetch(app, "/a", origin=APP, method="PUT")
        assert again.preflight_cached is reused, name


def test_max_age_zero_means_every_request_preflights():
    browser = Browser()
    app = make_app(max_age="0")
    for _ in range(2):
        assert browser.fetch(app, "/a", origin=APP, method="PUT").preflight is not None


def test_simulate_fetch_uses_a_fresh_session_each_call():
    app = make_app(max_age="600")
    for _ in range(2):
        assert simulate_fetch(app, "/a", origin=APP, method="PUT").preflight is not None


async def test_async_simulate_fetch_in_an_async_test():
    outcome = await async_simulate_fetch(
        make_app(), "/a", origin=APP, method="PUT", headers=[("X-Token", "t")]
    )
    assert outcome.allowed
    assert outcome.preflight is not None


async def test_sync_simulate_fetch_works_inside_a_running_loop_with_an_asgi_app():
    async def asgi(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"access-control-allow-origin", b"*")],
            }
        )
        await send({"type": "http.response.body", "body": b"x"})

    assert simulate_fetch(asgi, "/a", origin=APP).allowed


def test_an_app_that_raises_is_a_target_error_naming_the_step_never_a_verdict():
    with pytest.raises(TargetError) as info:
        simulate_fetch(make_app(), "/boom", origin=APP)
    text = str(info.value)
    assert text.startswith("[actual]")
    assert "GET http://testserver/boom" in text
    assert "database is down" in text


def test_an_unreachable_live_url_is_an_error_not_a_verdict():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(TargetError, match=r"127\.0\.0\.1"):
        simulate_fetch(f"http://127.0.0.1:{port}", "/items", origin=APP, method="DELETE")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origin": "app.example.com"}, "no scheme"),
        ({"origin": APP + "/"}, "did you mean 'https://app.example.com'"),
        ({"origin": APP, "credentials": "always"}, "'omit', 'same-origin', 'include'"),
        ({"origin": APP, "headers": {"Cookie": "a=1"}}, "forbidden request header 'Cookie'"),
        ({"origin": APP, "method": "TRACE"}, "HTTP method is unsupported"),
        ({"origin": APP, "method": "P UT"}, "is not a valid HTTP method"),
        ({"origin": APP, "browser": "netscape"}, "chromium, firefox, safari, spec"),
        ({"origin": APP, "body": "x"}, "GET/HEAD method cannot have body"),
    ],
)
def test_usage_errors_say_what_is_accepted(kwargs, message):
    with pytest.raises(CorsUsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        simulate_fetch(make_app(), "/a", **kwargs)


def test_an_unsupported_target_is_a_type_error_listing_what_works():
    with pytest.raises(UnsupportedTargetError) as info:
        simulate_fetch(42, "/a", origin=APP)
    assert isinstance(info.value, TypeError)
    assert "WSGI" in str(info.value) and "ASGI" in str(info.value)


def test_a_body_implies_text_plain_and_stays_simple():
    seen = []

    def app(environ, start_response):
        seen.append(
            (
                environ["REQUEST_METHOD"],
                environ.get("CONTENT_TYPE"),
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)),
            )
        )
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b""]

    outcome = simulate_fetch(app, "/a", origin=APP, method="POST", body="héllo")
    assert outcome.allowed and outcome.preflight is None
    assert seen == [("POST", "text/plain;charset=UTF-8", "héllo".encode())]


def test_a_live_base_url_with_a_path_prefixes_every_path():
    from pytest_cors.flow import _absolute

    assert _absolute("https://staging.example.com/api/", "/items?x=1") == (
        "https://staging.example.com/api/items?x=1"
    )
    assert _absolute("http://testserver", "items") == "http://testserver/items"
    assert _absolute("http://testserver/api", "https://other.example/x") == (
        "https://other.example/x"
    )


def test_a_non_http_url_is_blocked_before_any_request():
    calls = []
    outcome = simulate_fetch(make_app(calls=calls), "ftp://files.example.com/a", origin=APP)
    assert not outcome.allowed
    assert outcome.failure is not None
    assert outcome.failure.code == "CORSRequestNotHttp"
    assert calls == []


def test_the_http_cache_is_partitioned_by_page_origin_as_in_browsers():
    allowed = {APP, "https://admin.example.com"}
    calls = []

    def app(environ, start_response):
        origin = environ.get("HTTP_ORIGIN")
        calls.append(origin)
        headers = [("Cache-Control", "max-age=600")]  # no Vary: only partitioning separates them
        if origin in allowed:
            headers.append(("Access-Control-Allow-Origin", origin))
        start_response("200 OK", headers)
        return [b"{}"]

    browser = Browser()
    assert browser.fetch(app, "/items", origin=APP).allowed
    assert browser.fetch(app, "/items", origin="https://admin.example.com").allowed
    assert calls == [APP, "https://admin.example.com"]


@pytest.fixture
def django_client():
    """A ``django.test.Client`` for the target tests' Django app (django-cors-headers)."""
    from tests.targets.django_app import DJANGO_CORS, django_settings

    with django_settings(DJANGO_CORS):
        from django.test import Client

        yield Client()


def test_a_django_view_that_raises_is_an_error_on_every_fetch_and_never_leaks(django_client):
    for _ in range(2):
        with pytest.raises(TargetError, match="RuntimeError: boom"):
            simulate_fetch(django_client, "/boom", origin=APP)
        assert simulate_fetch(django_client, "/items", origin=APP).allowed


def test_a_django_exception_outside_any_fetch_is_not_blamed_on_the_next(django_client):
    from django.test import Client

    simulate_fetch(django_client, "/items", origin=APP)  # the kit's receiver is listening
    quiet = Client(raise_request_exception=False)
    assert quiet.get("/boom").status_code == 500  # the signal fires with no fetch running
    assert simulate_fetch(django_client, "/items", origin=APP).allowed


async def test_concurrent_django_fetches_each_see_only_their_own_exception(django_client):
    import asyncio

    from django.test import AsyncClient

    client = AsyncClient()
    results = await asyncio.gather(
        *(async_simulate_fetch(client, path, origin=APP) for path in ("/boom", "/items") * 3),
        return_exceptions=True,
    )
    for path, result in zip(("/boom", "/items") * 3, results, strict=True):
        if path == "/boom":
            assert isinstance(result, TargetError)
            assert "RuntimeError: boom" in str(result)
        else:
            assert not isinstance(result, BaseException), result
            assert result.allowed


def test_each_client_object_gets_its_own_adapter_and_its_current_settings():
    """adapt() remembers which kind of client a class is, never an adapter for an object."""
    from flask import Flask

    from pytest_cors.targets import adapt

    calls_a, calls_b = [], []
    app_a, app_b = Flask("a"), Flask("b")
    app_a.wsgi_app, app_b.wsgi_app = make_app(calls=calls_a), make_app(calls=calls_b)
    client_a, client_b = app_a.test_client(), app_b.test_client()
    for _ in range(2):
        assert simulate_fetch(client_a, "/x", origin=APP).allowed
        assert simulate_fetch(client_b, "/y", origin=APP).allowed
    assert [c[1] for c in calls_a] == ["/x", "/x"]
    assert [c[1] for c in calls_b] == ["/y", "/y"]
    assert adapt(client_a) is not adapt(client_a)  # a fresh adapter each time
    # a setting changed between fetches is read again
    app_a.config["SERVER_NAME"] = "api.example.com"
    assert adapt(client_a).base_url == "http://api.example.com"
    assert simulate_fetch(client_a, "/x", origin=APP).actual.request.url == (
        "http://api.example.com/x"
    )


def test_a_proxy_is_adapted_as_what_it_stands_for():
    """Two proxies of one class standing for different clients: isinstance sees through them."""
    import requests
    from flask import Flask

    from pytest_cors.targets import adapt
    from pytest_cors.targets.live import LiveTarget
    from pytest_cors.targets.wsgi import WsgiTarget

    class Proxy:
        def __init__(self, wrapped):
            object.__setattr__(self, "_wrapped", wrapped)

        @property
        def __class__(self):
            return type(self._wrapped)

        def __getattr__(self, name):
            return getattr(self._wrapped, name)

    flask_client = Flask("p").test_client()
    with requests.Session() as session:
        for _ in range(2):
            assert isinstance(adapt(Proxy(flask_client), "http://a.example"), WsgiTarget)
            assert isinstance(adapt(Proxy(session), "http://a.example"), LiveTarget)


def test_a_ready_made_target_passes_through_on_every_call():
    from pytest_cors.targets import adapt

    class NotAClient:
        base_url = "http://testserver"

        def send(self, request):
            raise AssertionError("never sent")

    target = NotAClient()
    assert adapt(target) is target  # a ready-made target passes through, every time
    assert adapt(target) is target


def test_a_base_url_of_a_str_subclass_is_joined_like_a_str():
    class Url(str):
        """A base URL of the user's own type, as a target of their own making may hold."""

    calls = []

    class Target:
        base_url = Url("http://testserver")

        def send(self, request):
            calls.append(request.url)
            return Response(200, Headers([("Access-Control-Allow-Origin", APP)]))

    assert simulate_fetch(Target(), "/a", origin=APP).allowed
    assert calls == ["http://testserver/a"]


def test_django_response_lines_are_its_items_then_its_cookies(django_client):
    from django.http import HttpResponse

    from pytest_cors.targets.clients import _django_lines

    response = HttpResponse(b"x", content_type="text/plain")
    response["X-B"] = "2"
    response["x-a"] = "1"
    response["X-B"] = "3"  # replaces the earlier value, keeps its place
    response.set_cookie("s", "v")
    expected = [*response.items(), ("Set-Cookie", response.cookies["s"].OutputString())]
    assert list(_django_lines(response)) == expected
    assert [name for name, _ in expected] == ["Content-Type", "X-B", "x-a", "Set-Cookie"]

    class Listed(HttpResponse):
        def items(self):  # a response that lists its headers its own way is asked for them
            return [("X-Own", "1")]

    assert list(_django_lines(Listed(b"x"))) == [("X-Own", "1")]


def test_header_names_and_methods_given_as_str_subclasses_go_out_as_plain_text():
    class Text(str):
        def __repr__(self):
            return f"Text({str(self)!r})"

    sent = []

    class Target:
        base_url = "http://testserver"

        def send(self, request):
            sent.append(request)
            allow = [
                ("Access-Control-Allow-Methods", "patch"),
                ("Access-Control-Allow-Headers", "x-a"),
            ]
            return Response(200, Headers([("Access-Control-Allow-Origin", APP), *allow]))

    outcome = simulate_fetch(
        Target(), "/a", origin=APP, method=Text("patch"), headers={Text("X-A"): "1"}
    )
    assert outcome.allowed, outcome.explain()
    preflight, actual = sent
    for request in sent:
        assert all(type(n) is str and type(v) is str for n, v in request.headers)
    assert ("Access-Control-Request-Method", "patch") in list(preflight.headers)
    assert ("X-A", "1") in list(actual.headers)


class Method(str, enum.Enum):
    DELETE = "DELETE"


def lets_every_origin_delete(calls):
    """A WSGI app that lets any origin DELETE, recording the method of every request."""

    def app(environ, start_response):
        calls.append(environ["REQUEST_METHOD"])
        headers = [("Access-Control-Allow-Origin", "*"), ("Content-Type", "text/plain")]
        if environ["REQUEST_METHOD"] == "OPTIONS":
            headers.append(("Access-Control-Allow-Methods", "DELETE"))
        start_response("200 OK", headers)
        return [b"deleted"]

    return app


@pytest.mark.parametrize("kind", ["mixin", "StrEnum"])
def test_a_str_enum_method_is_sent_as_its_value(kind):
    """``str(Method.DELETE)`` is ``"Method.DELETE"``: sending that would have the server refuse
    a method it never sees, and a denial assertion pass against a server allowing DELETE."""
    if kind == "StrEnum":
        if not hasattr(enum, "StrEnum"):
            pytest.skip("enum.StrEnum is Python 3.11+")
        member = enum.StrEnum("Method", {"DELETE": "DELETE"}).DELETE
    else:
        member = Method.DELETE
    calls = []
    app = lets_every_origin_delete(calls)
    evil = "https://evil.example"
    outcome = simulate_fetch(app, "/x", origin=evil, method=member)
    assert outcome.request.method == "DELETE"
    assert outcome.allowed, outcome.explain()
    assert calls == ["OPTIONS", "DELETE"]
    with pytest.raises(CorsAssertionError):
        assert_cors_denies(app, "/x", origin=evil, method=member)


def test_the_requests_repr_shows_no_secret_value_and_no_body():
    """pytest prints reprs on a failing assert (and in JUnit XML): the request's secrets stay
    out of them, as they do of every other output."""

    def app(environ, start_response):
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b""]

    outcome = simulate_fetch(
        app,
        "/x",
        origin="https://app.example.com",
        method="POST",
        headers={"Authorization": "Bearer top-secret-token"},
        body="password=hunter2",
    )
    shown = repr(outcome.request) + repr(outcome.exchanges)
    assert "top-secret-token" not in shown
    assert "hunter2" not in shown
    assert "<redacted: 23 bytes>" in repr(outcome.request)
    assert "body=<16 bytes>" in repr(outcome.request)


def test_an_absolute_url_with_an_unclosed_ipv6_bracket_is_a_usage_error():
    def app(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    with pytest.raises(CorsUsageError, match=r"cannot fetch 'http://\[::1/x'"):
        simulate_fetch(app, "http://[::1/x", origin="https://app.example.com")


async def test_async_simulate_fetch_sends_the_session_cookie_on_the_actual_request_only():
    seen = []

    async def asgi(scope, receive, send):
        headers = dict(scope["headers"])
        seen.append((scope["method"], headers.get(b"cookie")))
        lines = [
            (b"access-control-allow-origin", headers[b"origin"]),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", b"PUT"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": lines})
        await send({"type": "http.response.body", "body": b""})

    outcome = await async_simulate_fetch(
        asgi, "/a", origin=APP, method="PUT", credentials="include", cookies={"sid": "abc"}
    )
    assert outcome.allowed
    assert seen == [("OPTIONS", None), ("PUT", b"sid=abc")]
    assert outcome.actual.request.headers.get("Cookie") == "sid=abc"
    assert "Cookie" not in outcome.preflight.request.headers


def test_a_browser_session_sends_the_cookie_after_a_cached_preflight_and_per_fetch_jars():
    calls = []

    def app(environ, start_response):
        calls.append((environ["REQUEST_METHOD"], environ.get("HTTP_COOKIE")))
        start_response(
            "200 OK",
            [
                ("Access-Control-Allow-Origin", APP),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Max-Age", "600"),
            ],
        )
        return [b""]

    browser = Browser()
    args = {"origin": APP, "method": "PUT", "credentials": "include"}
    browser.fetch(app, "/a", **args)
    second = browser.fetch(app, "/a", **args)
    browser.fetch(app, "/a", cookies=None, **args)
    assert second.preflight_cached
    assert calls == [
        ("OPTIONS", None),
        ("PUT", "pytest_cors_session=probe"),
        ("PUT", "pytest_cors_session=probe"),
        ("PUT", None),
    ]


def test_page_csp_reaches_the_engine_from_every_entry_point():
    import asyncio

    from pytest_cors import Browser, async_simulate_fetch, simulate_fetch

    def app(environ, start_response):
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b"ok"]

    url, page, csp = "https://api.example.com/x", "https://app.example.com", "connect-src 'self'"
    outcomes = [
        simulate_fetch(app, url, origin=page, page_csp=csp),
        asyncio.run(async_simulate_fetch(app, url, origin=page, page_csp=csp)),
        Browser().fetch(app, url, origin=page, page_csp=csp),
    ]
    assert [o.failure.code for o in outcomes] == ["CSPViolation"] * 3
    assert simulate_fetch(app, url, origin=page, page_csp="connect-src https:").allowed


# -- the shared fetch options ---------------------------------------------------------------------
def _entry_points():
    from pytest_cors import assert_cors_allows
    from pytest_cors.asserts import CorsHelpers

    return [
        simulate_fetch,
        async_simulate_fetch,
        Browser.fetch,
        Browser.afetch,
        assert_cors_allows,
        assert_cors_denies,
        CorsHelpers.fetch,
        CorsHelpers.allows,
        CorsHelpers.denies,
    ]


@pytest.mark.parametrize("entry", _entry_points(), ids=lambda f: f.__qualname__)
def test_every_entry_point_declares_the_fetch_options_with_one_set_of_defaults(entry):
    """The public signatures stay written out (docs, help(), IDEs); FetchOptions is the one
    definition they must agree with, name, keyword-only-ness and default alike."""
    import inspect

    from pytest_cors.options import FETCH_DEFAULTS, FETCH_OPTION_NAMES, FetchOptions

    params = inspect.signature(entry).parameters
    assert set(FETCH_OPTION_NAMES) == set(FetchOptions.__annotations__)
    assert FetchOptions.__required_keys__ == {"origin"}
    for name in FETCH_OPTION_NAMES:
        assert name in params, f"{entry.__qualname__} lacks {name}"
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["origin"].default is inspect.Parameter.empty
    for name, default in FETCH_DEFAULTS.items():
        assert params[name].default is default or params[name].default == default, name


def test_every_option_reaches_the_engine_from_every_entry_point():
    """A mode, a redirect mode and a CSP given to each entry point change what it does."""
    from pytest_cors.asserts import CorsHelpers

    def moved(environ, start_response):
        start_response("302 Found", [("Location", "/new"), ("Access-Control-Allow-Origin", APP)])
        return [b""]

    url = "https://api.example.com/x"
    seen = [
        simulate_fetch(make_app(), url, origin=APP, mode="no-cors").response_type,
        Browser().fetch(moved, url, origin=APP, redirect="manual").response_type,
        CorsHelpers(make_app()).fetch(url, origin=APP, mode="same-origin").failure.code,
        CorsHelpers(moved).denies(url, origin=APP, redirect="error").failure.code,
    ]
    assert seen == ["opaque", "opaqueredirect", "DisallowedByMode", "RedirectModeError"]


async def test_the_async_variants_take_mode_and_redirect():
    url = "https://api.example.com/x"
    outcome = await async_simulate_fetch(make_app(), url, origin=APP, mode="no-cors")
    assert outcome.response_type == "opaque" and outcome.status == 0
    browser = Browser("firefox")
    refused = await browser.afetch(make_app(), url, origin=APP, mode="same-origin")
    assert refused.failure.code == "DisallowedByMode" and refused.browser == "firefox"


def test_no_cors_reaches_a_real_app_and_the_page_reads_nothing():
    calls = []
    outcome = simulate_fetch(
        make_app(calls=calls), "/items", origin=APP, method="POST", body="x", mode="no-cors"
    )
    assert calls == [("POST", "/items", "testserver", APP)]
    assert outcome.allowed and outcome.status == 0 and outcome.readable_headers == {}


# -- mixed content ---------------------------------------------------------------------------
STAGING = "http://staging.example.org/items"  # a live http URL that is not loopback


def _granting(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", "*"), ("Content-Type", "image/png")])
    return [b"ok"]


@pytest.fixture
def staging():
    """A requests.Session whose http://staging.example.org answers '*' (through ``responses``:
    the tests never leave loopback), and the calls that reached it."""
    import requests
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for url in (STAGING, STAGING.replace("http:", "https:", 1)):
            mock.add(responses.GET, url, headers={"Access-Control-Allow-Origin": "*"})
        yield requests.Session(), mock.calls


@pytest.mark.parametrize("browser", ["chromium", "firefox", "safari"])
def test_an_https_page_fetching_a_live_http_url_is_mixed_content(staging, browser):
    session, calls = staging
    outcome = simulate_fetch(session, STAGING, origin=APP, browser=browser)
    assert outcome.failure is not None and outcome.failure.code == "MixedContent"
    assert outcome.exchanges == [] and len(calls) == 0  # blocked before anything is sent


def test_mixed_content_is_not_checked_for_an_in_process_app_or_a_loopback_server():
    from tests.servers import serve_wsgi

    assert simulate_fetch(_granting, "/items", origin=APP, browser="safari").allowed
    with serve_wsgi(_granting) as base_url:
        assert simulate_fetch(base_url, "/items", origin=APP, browser="safari").allowed


def test_a_session_without_mixed_content_asks_the_server_alone(staging):
    session, calls = staging
    outcome = Browser("chromium", mixed_content=False).fetch(session, STAGING, origin=APP)
    assert outcome.allowed and len(calls) == 1


def test_assert_cors_denies_never_passes_on_mixed_content(staging):
    session, _ = staging
    with pytest.raises(CorsAssertionError, match="Cannot tell whether the server lets"):
        assert_cors_denies(session, STAGING, origin="https://evil.example.net")


def test_an_image_from_a_live_http_url_is_upgraded_to_https(staging):
    from pytest_cors import simulate_load
    from pytest_cors.targets import adapt

    session, calls = staging
    with pytest.raises(TargetError, match="was not named"):  # the https origin is another one
        simulate_load(session, STAGING, origin=APP, element="img")
    secure = "https://staging.example.org"
    target = adapt(session, base_url="http://staging.example.org", allow_origins=[secure])
    outcome = simulate_load(target, STAGING, origin=APP, element="img")
    assert outcome.used
    assert [call.request.url for call in calls] == [STAGING.replace("http:", "https:", 1)]
