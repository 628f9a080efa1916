"""Usage errors: a bad argument is a ValueError or TypeError whose message says what is accepted.

Each bad input goes through every public entry point (``simulate_fetch``, its async twin,
``Browser.fetch``, ``assert_cors_allows``, ``assert_cors_denies``) and through the ``cors``
fixture in a real pytest run. None may reach a verdict, pass, or leak a bare ``TypeError`` or
``AttributeError`` from inside the kit.
"""

from __future__ import annotations

import asyncio
import pathlib
import re

import pytest

from pytest_cors import (
    Browser,
    CorsUsageError,
    UnsupportedTargetError,
    assert_cors_allows,
    assert_cors_denies,
    async_simulate_fetch,
    simulate_fetch,
)
from pytest_cors.targets import adapt
from tests.reliability.faults import APP, GOOD_ACTUAL, refused_url
from tests.servers import scripted, serve_raw


def app(environ, start_response):
    """Allows APP for everything: a usage error must be raised before any verdict."""
    start_response(
        "200 OK",
        [
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "X-A"),
            ("Access-Control-Expose-Headers", "X-Total"),
            ("X-Total", "3"),
        ],
    )
    return [b""]


PROFILES = "chromium, firefox, safari, spec"
CREDENTIALS = "use 'omit', 'same-origin', 'include' or a bool"
HEADERS = "headers must be a mapping or a list of (name, value) pairs"
HEADER_STRINGS = "header names and values must be strings"
URL = "url must be a path such as '/items' or an absolute URL string"

# (id, keyword arguments on top of origin=APP, url "/x"; the message must contain the text)
BAD_ARGUMENTS = [
    ("origin-without-scheme", {"origin": "app.example.com"}, "e.g. 'https://app.example.com'"),
    ("origin-empty", {"origin": ""}, "origin '' is empty, and an origin cannot be"),
    ("origin-star", {"origin": "*"}, "'*' belongs in the Access-Control-Allow-Origin response"),
    ("origin-null-upper", {"origin": "NULL"}, "it is written 'null', in lower case"),
    ("origin-one-slash", {"origin": "https:/app.example.com"}, "mean 'https://app.example.com'?"),
    ("origin-wide-port", {"origin": APP + ":８０８０"}, "the port must be ASCII digits (0-9)"),
    ("origin-with-path", {"origin": APP + "/path"}, "did you mean 'https://app.example.com'"),
    ("origin-trailing-slash", {"origin": APP + "/"}, "did you mean 'https://app.example.com'"),
    ("origin-upper-case", {"origin": "https://App.Example.com"}, "did you mean"),
    ("origin-default-port", {"origin": APP + ":443"}, "did you mean 'https://app.example.com'"),
    ("origin-bad-host", {"origin": "https://exa mple.com"}, "a URL host cannot have"),
    ("origin-bad-ipv6", {"origin": "https://[::1"}, "is not valid"),
    ("origin-int", {"origin": 42}, "origin must be a string such as 'https://app.example.com'"),
    ("origin-none", {"origin": None}, "origin must be a string such as"),
    ("origin-bytes", {"origin": APP.encode()}, "origin must be a string such as"),
    ("credentials-word", {"credentials": "always"}, CREDENTIALS),
    ("credentials-upper", {"credentials": "INCLUDE"}, CREDENTIALS),
    ("credentials-int", {"credentials": 2}, CREDENTIALS),
    ("forbidden-cookie", {"headers": {"Cookie": "a=1"}}, "forbidden request header 'Cookie'"),
    ("forbidden-host", {"headers": {"Host": "x"}}, "forbidden request header 'Host'"),
    ("forbidden-sec", {"headers": {"Sec-Fetch-Mode": "cors"}}, "forbidden request header"),
    ("forbidden-proxy", {"headers": [("Proxy-Foo", "1")]}, "forbidden request header"),
    ("forbidden-origin", {"headers": {"Origin": APP}}, "forbidden request header 'Origin'"),
    ("browser-unknown", {"browser": "netscape"}, PROFILES),
    ("browser-case", {"browser": "Chrome"}, PROFILES),
    ("browser-none", {"browser": None}, PROFILES),
    ("url-int", {"url": 42}, URL + ", got int"),
    ("url-bytes", {"url": b"/items"}, URL + ", got bytes"),
    ("url-none", {"url": None}, URL + ", got NoneType"),
    ("url-path-object", {"url": pathlib.PurePosixPath("/x")}, URL + ", got PurePosixPath"),
    ("url-credentials", {"url": "http://u:p@testserver/x"}, "includes credentials"),
    ("headers-int", {"headers": 42}, HEADERS),
    ("headers-string", {"headers": "X-A: 1"}, HEADERS),
    ("headers-short-pair", {"headers": [("X-A",)]}, HEADERS),
    ("headers-long-pair", {"headers": [("X-A", "1", "2")]}, HEADERS),
    ("headers-int-value", {"headers": {"X-A": 1}}, HEADER_STRINGS),
    ("headers-none-value", {"headers": {"X-A": None}}, HEADER_STRINGS),
    ("headers-int-name", {"headers": {1: "x"}}, HEADER_STRINGS),
    ("headers-bad-name", {"headers": {"X A": "1"}}, "not a valid HTTP header name"),
    ("headers-newline", {"headers": {"X-A": "1\r\nX-B: 2"}}, "contains NUL, CR or LF"),
    ("method-none", {"method": None}, "A method must be an HTTP token such as GET"),
    ("method-space", {"method": "P UT"}, "A method must be an HTTP token such as GET"),
    ("method-forbidden", {"method": "TRACE"}, "HTTP method is unsupported"),
    ("body-int", {"method": "POST", "body": 42}, "body must be str, bytes or None, got int"),
    ("body-dict", {"method": "POST", "body": {"a": 1}}, "body must be str, bytes or None"),
    ("body-on-get", {"body": "x"}, "GET/HEAD method cannot have body"),
]
EXPOSE_ERRORS = [
    ("expose-string", {"expose": "X-Total"}, "expose takes a list of response header names"),
    ("expose-int", {"expose": 42}, "expose takes a list of response header names"),
    ("expose-int-item", {"expose": [1]}, "expose takes a list of response header names"),
    ("expose-empty-name", {"expose": [""]}, "expose takes a list of response header names"),
]


def call_simulate(kwargs):
    return simulate_fetch(app, kwargs.pop("url", "/x"), **kwargs)


def call_async(kwargs):
    return asyncio.run(async_simulate_fetch(app, kwargs.pop("url", "/x"), **kwargs))


def call_browser(kwargs):
    browser = kwargs.pop("browser", "chromium")
    return Browser(browser).fetch(app, kwargs.pop("url", "/x"), **kwargs)


def call_allows(kwargs):
    return assert_cors_allows(app, kwargs.pop("url", "/x"), **kwargs)


def call_denies(kwargs):
    return assert_cors_denies(app, kwargs.pop("url", "/x"), **kwargs)


ENTRY_POINTS = {
    "simulate_fetch": call_simulate,
    "async_simulate_fetch": call_async,
    "Browser.fetch": call_browser,
    "assert_cors_allows": call_allows,
    "assert_cors_denies": call_denies,
}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize(
    ("kwargs", "message"), [c[1:] for c in BAD_ARGUMENTS], ids=[c[0] for c in BAD_ARGUMENTS]
)
def test_a_bad_argument_is_a_usage_error_saying_what_is_accepted(entry, kwargs, message):
    with pytest.raises(CorsUsageError) as info:
        ENTRY_POINTS[entry]({"origin": APP, **kwargs})
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"), [c[1:] for c in EXPOSE_ERRORS], ids=[c[0] for c in EXPOSE_ERRORS]
)
def test_a_bad_expose_list_is_a_usage_error(kwargs, message):
    with pytest.raises(CorsUsageError, match=re.escape(message)):
        assert_cors_allows(app, "/x", origin=APP, **kwargs)


def test_the_same_arguments_done_right_give_a_verdict():
    """The table above is not vacuous: the app allows every corrected call."""
    assert assert_cors_allows(app, "/x", origin=APP, expose=["X-Total"]).allowed
    assert simulate_fetch(app, "/x", origin=APP, method="PUT", headers={"X-A": "1"}).allowed
    assert simulate_fetch(
        app, "/x", origin=APP, credentials="same-origin", browser="firefox"
    ).allowed
    assert simulate_fetch(app, "/x", origin=APP, method="POST", body=b"{}").allowed


UNSUPPORTED_TARGETS = [
    ("int", 42, "cannot use builtins.int as a CORS target"),
    ("none", None, "cannot use builtins.NoneType as a CORS target"),
    ("object", object(), "cannot use builtins.object as a CORS target"),
    ("class", dict, "cannot use builtins.type as a CORS target"),
    ("one-parameter", lambda environ: None, "it takes 1 positional parameters"),
    ("star-args", lambda *args: None, "takes *args"),
    ("bytes-url", b"http://127.0.0.1:8000", "cannot use builtins.bytes as a CORS target"),
]


@pytest.mark.parametrize(
    ("target", "message"),
    [c[1:] for c in UNSUPPORTED_TARGETS],
    ids=[c[0] for c in UNSUPPORTED_TARGETS],
)
@pytest.mark.parametrize("entry", ["simulate_fetch", "assert_cors_allows", "assert_cors_denies"])
def test_an_unsupported_target_is_a_type_error_listing_what_works(entry, target, message):
    call = {
        "simulate_fetch": simulate_fetch,
        "assert_cors_allows": assert_cors_allows,
        "assert_cors_denies": assert_cors_denies,
    }[entry]
    with pytest.raises(UnsupportedTargetError) as info:
        call(target, "/x", origin=APP)
    text = str(info.value)
    assert isinstance(info.value, TypeError)
    assert message in text
    for kind in ("a base URL string", "WSGI callable", "ASGI 3 callable", "TestClient"):
        assert kind in text


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "is not a usable base URL"),
        ("localhost:8000", "needs an absolute http(s) URL such as 'http://127.0.0.1:8000'"),
        ("ftp://files.example.com", "needs an absolute http(s) URL"),
        ("/api", "needs an absolute http(s) URL"),
        ("http://127.0.0.1:99999", "Port out of range"),
        ("http://[::1", "'http://[::1' is not a usable base URL: it has a '[' without its ']'"),
        ("http://[::1/api", "an IPv6 host is written in brackets, as in 'http://[::1]:8000'"),
        ("http://::1]:8000", "is not a usable base URL"),
    ],
)
def test_a_bad_base_url_string_is_a_usage_error(target, message):
    with pytest.raises(CorsUsageError, match=re.escape(message)):
        simulate_fetch(target, "/x", origin=APP)
    with pytest.raises(CorsUsageError, match=re.escape(message)):
        adapt(target)


def test_an_unclosed_ipv6_bracket_is_a_usage_error_wherever_a_base_url_goes():
    import requests

    message = "is not a usable base URL: it has a '[' without its ']' (or the reverse)"
    with pytest.raises(CorsUsageError, match=re.escape(message)):
        adapt(app, base_url="http://[::1")
    with requests.Session() as session, pytest.raises(CorsUsageError, match=re.escape(message)):
        adapt(session, base_url="http://[::1")
    with pytest.raises(CorsUsageError, match=re.escape(message)):
        adapt("http://127.0.0.1:9", allow_origins=["https://[::1"])
    with pytest.raises(CorsUsageError) as info:  # the password is never echoed
        adapt("http://user:s3cret@[::1")
    assert "s3cret" not in str(info.value)


def test_a_client_without_an_address_says_how_to_give_one():
    import httpx
    import requests

    with requests.Session() as session, pytest.raises(CorsUsageError, match="absolute URL"):
        simulate_fetch(session, "/x", origin=APP)
    with httpx.Client() as client, pytest.raises(CorsUsageError, match="absolute URL"):
        simulate_fetch(client, "/x", origin=APP)


def test_and_the_absolute_url_those_messages_suggest_works():
    import httpx
    import requests

    with serve_raw(scripted(GOOD_ACTUAL)) as base_url:
        with requests.Session() as session:
            assert simulate_fetch(session, f"{base_url}/x", origin=APP).allowed
        with httpx.Client() as client:
            assert simulate_fetch(client, f"{base_url}/x", origin=APP).allowed


def test_bad_allow_origins_are_usage_errors():
    from pytest_cors.targets import adapt

    with pytest.raises(CorsUsageError, match="allow_origins takes origin strings"):
        adapt("http://127.0.0.1:8000", allow_origins=[42])
    with pytest.raises(CorsUsageError, match="not a usable base URL"):
        adapt("http://127.0.0.1:8000", allow_origins=["other.example"])


# -- the same mistakes made through the cors fixture in a real pytest run ---------------------

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
FIXTURE_TESTS = """
import pytest

ORIGIN = "https://app.example.com"


def app(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", ORIGIN)])
    return [b""]


@pytest.fixture
def cors_target():
    return app


def test_origin(cors):
    cors.allows("/x", origin="app.example.com")


def test_credentials(cors):
    cors.denies("/x", origin=ORIGIN, credentials="always")


def test_forbidden_header(cors):
    cors.fetch("/x", origin=ORIGIN, headers={"Cookie": "a=1"})


def test_url(cors):
    cors.allows(42, origin=ORIGIN)


def test_headers(cors):
    cors.allows("/x", origin=ORIGIN, headers="X-A: 1")


def test_expose(cors):
    cors.allows("/x", origin=ORIGIN, expose="X-Total")
"""


def test_usage_errors_through_the_cors_fixture(pytester):
    pytester.makeini(INI)
    pytester.makepyfile(test_fixture=FIXTURE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=6)
    output = result.stdout.str()
    for text in (
        "CorsUsageError: origin 'app.example.com' has no scheme",
        "CorsUsageError: unknown credentials mode 'always'; " + CREDENTIALS,
        "CorsUsageError: a page cannot set the forbidden request header 'Cookie'",
        "CorsUsageError: " + URL + ", got int: 42",
        "CorsUsageError: " + HEADERS,
        "CorsUsageError: expose takes a list of response header names",
    ):
        assert text in output


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("42", "UnsupportedTargetError: cannot use builtins.int as a CORS target"),
        ("'localhost:8000'", "CorsUsageError: 'localhost:8000' is not a usable base URL"),
    ],
)
def test_an_unsupported_cors_target_errors_the_test(pytester, target, message):
    pytester.makeini(INI)
    pytester.makepyfile(
        test_target=f"""
import pytest

@pytest.fixture
def cors_target():
    return {target}

def test_it(cors):
    cors.allows("/x", origin="https://app.example.com")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert message in result.stdout.str()


@pytest.mark.parametrize(
    ("name", "suggestion"), [("chrome", "did you mean 'chromium'? "), ("netscape", "")]
)
def test_an_unknown_browser_option_stops_the_run_at_start_up(pytester, name, suggestion):
    pytester.makeini(INI)
    pytester.makepyfile(
        test_browser="""
def app(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
    return [b""]

import pytest

@pytest.fixture
def cors_target():
    return app

def test_allows(cors):
    cors.allows("/x", origin="https://app.example.com")

def test_denies(cors):
    cors.denies("/x", origin="https://app.example.com")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--cors-browser", name)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*--cors-browser: unknown browser profile '{name}'; {suggestion}use one of: {PROFILES}"]
    )
    assert "Traceback" not in result.stderr.str()


def test_the_missing_cors_target_says_how_to_define_it(pytester):
    pytester.makeini(INI)
    pytester.makepyfile(
        test_none="def test_it(cors):\n    cors.allows('/', origin='https://a.b')\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "define a `cors_target` fixture in your conftest.py" in result.stdout.str()


def test_a_refused_url_is_not_a_usage_error():
    """Usage errors are about arguments; an unreachable server is a TargetError (see
    test_fail_closed), so that a user can tell their mistake from the server's."""
    from pytest_cors import TargetError

    with pytest.raises(TargetError) as info:
        simulate_fetch(refused_url(), "/x", origin=APP)
    assert not isinstance(info.value, (ValueError, TypeError))


USER_MISTAKES = """
from pytest_cors import simulate_fetch

def app(environ, start_response):
    start_response("200 OK", [])
    return [b""]

def test_bad_origin():
    simulate_fetch(app, "/x", origin="app.example.com")

def test_unreachable():
    simulate_fetch("http://127.0.0.1:9", "/x", origin="https://app.example.com")

def test_a_bug_in_the_test():
    simulate_fetch(app, "/x", origin="https://app.example.com").nothing
"""


def test_a_user_error_in_a_test_shows_the_message_not_the_kits_frames(pytester):
    pytester.makeini(INI)
    pytester.makepyfile(test_mistakes=USER_MISTAKES)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    text = result.stdout.str()
    sections = text.split("_ test_")
    bad_origin = next(s for s in sections if s.startswith("bad_origin"))
    unreachable = next(s for s in sections if s.startswith("unreachable"))
    for section in (bad_origin, unreachable):
        assert "pytest_cors/" not in section  # no frame of the kit's own modules
        assert len(section.splitlines()) < 15
    assert "CorsUsageError" in bad_origin
    assert "TargetConnectionError" in unreachable
    # an error that is not the kit's keeps every frame: a bug must stay debuggable
    full = pytester.runpytest("-p", "no:cacheprovider", "--fulltrace", "-k", "bad_origin")
    assert "pytest_cors/" in full.stdout.str()
