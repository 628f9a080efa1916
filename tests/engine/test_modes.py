"""fetch()'s ``mode`` and ``redirect`` options, as measured in Chromium, Firefox and WebKit.

Each expectation here was seen in all three engines (tests/conformance/modes.py runs them live):
``no-cors`` sends a safelisted request without a CORS check and resolves opaque; ``same-origin``
refuses any other origin before sending; ``manual`` resolves an ``opaqueredirect`` once the
redirect passed its CORS check; ``error`` rejects on any redirect, after that check.
"""

from __future__ import annotations

import pytest

from pytest_cors.engine import get_profile, prepare_request
from pytest_cors.errors import CorsUsageError

from .drive import API, PAGE, fetch, resp, routes, server

BROWSERS = ("chromium", "firefox", "safari", "spec")
ACAO = f"Access-Control-Allow-Origin: {PAGE}"
SAME = f"{PAGE}/r"


def _sent(outcome):
    return [(e.kind, e.request.method, e.request.url) for e in outcome.exchanges]


# -- no-cors -------------------------------------------------------------------------------------
@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("status", [200, 404, 500])
def test_no_cors_resolves_opaque_without_any_cors_header(browser, status):
    outcome = fetch(server(resp(status, "X-Secret: 1")), mode="no-cors", browser=browser)
    assert outcome.allowed and outcome.response_type == "opaque"
    assert outcome.status == 0 and outcome.readable_headers == {}
    assert not outcome.same_origin and outcome.failure is None
    assert _sent(outcome) == [("actual", "GET", API)]
    assert "Origin" not in outcome.actual.request.headers  # a GET carries none


def test_no_cors_hides_even_a_granted_response():
    granted = resp(200, ACAO, "Access-Control-Expose-Headers: X-Total", "X-Total: 3")
    outcome = fetch(server(granted), mode="no-cors")
    assert outcome.response_type == "opaque" and outcome.readable_headers == {}


def test_no_cors_post_carries_origin_and_never_preflights():
    outcome = fetch(
        server(resp(200)), method="POST", body="x", mode="no-cors", headers={"Accept": "a/b"}
    )
    assert _sent(outcome) == [("actual", "POST", API)]
    assert outcome.actual.request.headers.get("Origin") == PAGE
    assert outcome.actual.request.headers.get("Sec-Fetch-Mode") == "no-cors"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_no_cors_refuses_other_methods_like_fetch(method):
    with pytest.raises(CorsUsageError, match=f"'{method}' is unsupported in no-cors mode"):
        fetch(server(resp(200)), method=method, mode="no-cors")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Custom": "1"},
        {"Range": "bytes=0-1"},
        {"Content-Type": "application/json"},
        {"Authorization": "Bearer abcdef"},
        {"DPR": "2"},  # Chromium safelists it in cors mode, not in no-cors
    ],
)
def test_no_cors_refuses_headers_fetch_would_drop(headers):
    (name,) = headers
    with pytest.raises(CorsUsageError, match=f"drops the request header '{name}'") as caught:
        fetch(server(resp(200)), headers=headers, mode="no-cors", method="POST", body="x")
    assert "abcdef" not in str(caught.value)  # a secret value is not echoed


def test_no_cors_follows_a_redirect_anywhere_and_stays_opaque():
    other = "https://cdn.example.net/r"
    answer = routes({API: resp(302, f"Location: {other}"), other: resp(200)})
    outcome = fetch(answer, mode="no-cors")
    assert outcome.allowed and outcome.response_type == "opaque"
    assert _sent(outcome) == [("actual", "GET", API), ("actual", "GET", other)]


def test_no_cors_to_the_own_origin_is_a_basic_response():
    outcome = fetch(server(resp(200, "X-Own: 1")), SAME, mode="no-cors")
    assert outcome.response_type == "basic" and outcome.same_origin
    assert outcome.status == 200 and "x-own" in outcome.readable_headers


def test_no_cors_same_origin_redirected_away_is_opaque():
    answer = routes({SAME: resp(302, f"Location: {API}"), API: resp(200)})
    outcome = fetch(answer, SAME, mode="no-cors")
    assert outcome.response_type == "opaque" and outcome.status == 0


@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("redirect", ["manual", "error"])
def test_no_cors_needs_redirect_follow_across_origins(browser, redirect):
    outcome = fetch(server(resp(200)), mode="no-cors", redirect=redirect, browser=browser)
    assert not outcome.allowed and outcome.exchanges == []
    assert outcome.failure.code == "RedirectModeNotFollow"
    assert outcome.response_type == "error" and outcome.status is None


def test_no_cors_with_manual_to_the_own_origin_is_allowed():
    outcome = fetch(server(resp(200)), SAME, mode="no-cors", redirect="manual")
    assert outcome.allowed and outcome.response_type == "basic"


# -- same-origin ---------------------------------------------------------------------------------
@pytest.mark.parametrize("browser", BROWSERS)
def test_same_origin_mode_refuses_another_origin_before_sending(browser):
    outcome = fetch(
        server(resp(200, ACAO)), mode="same-origin", method="PUT", body="x", browser=browser
    )
    assert not outcome.allowed and outcome.exchanges == []
    failure = outcome.failure
    assert failure.code == "DisallowedByMode" and failure.step == "actual"
    assert failure.chromium_error is None and "same-origin" in failure.hint


def test_same_origin_mode_console_lines_per_engine():
    def message(browser):
        return fetch(server(resp(200)), mode="same-origin", browser=browser).failure.message

    assert message("chromium") == (
        f'Fetch API cannot load {API}. Request mode is "same-origin" but the URL\'s origin is '
        f"not same as the request origin {PAGE}."
    )
    assert message("safari") == f"Fetch API cannot load {API}."
    assert "no console line" in message("firefox")
    assert "NetworkError" in message("firefox")


def test_same_origin_mode_fails_at_a_redirect_to_another_origin():
    answer = routes({SAME: resp(302, f"Location: {API}"), API: resp(200, ACAO)})
    outcome = fetch(answer, SAME, mode="same-origin")
    assert _sent(outcome) == [("actual", "GET", SAME)]
    assert outcome.failure.code == "DisallowedByMode" and outcome.failure.step == "redirect"
    assert outcome.failure.message.startswith(f"Unsafe attempt to load URL {API} from frame")
    webkit = fetch(answer, SAME, mode="same-origin", browser="safari").failure.message
    assert webkit.startswith(f"Unsafe attempt to load URL {API} from origin {PAGE}.")


def test_same_origin_mode_within_the_origin_is_basic():
    second = f"{PAGE}/s"
    answer = routes({SAME: resp(302, f"Location: {second}"), second: resp(200)})
    outcome = fetch(answer, SAME, mode="same-origin")
    assert outcome.allowed and outcome.response_type == "basic" and outcome.redirected
    assert outcome.actual.request.headers.get("Sec-Fetch-Mode") == "same-origin"


# -- redirect: manual ----------------------------------------------------------------------------
@pytest.mark.parametrize("browser", BROWSERS)
def test_manual_gives_an_opaque_redirect_and_never_follows(browser):
    answer = routes({API: resp(302, "Location: https://other.example/x", ACAO)})
    outcome = fetch(answer, redirect="manual", browser=browser)
    assert outcome.allowed and outcome.response_type == "opaqueredirect"
    assert outcome.status == 0 and outcome.readable_headers == {}
    assert _sent(outcome) == [("actual", "GET", API)]


def test_manual_still_runs_the_cors_check_on_the_redirect():
    answer = routes({API: resp(302, "Location: https://other.example/x")})
    outcome = fetch(answer, redirect="manual")
    assert not outcome.allowed and outcome.failure.code == "CORSMissingAllowOrigin"


def test_manual_after_a_preflight():
    preflight = resp(204, ACAO, "Access-Control-Allow-Methods: PUT")
    answer = routes({API: (resp(307, "Location: https://other.example/x", ACAO), preflight)})
    outcome = fetch(answer, method="PUT", body="x", redirect="manual")
    assert [e.kind for e in outcome.exchanges] == ["preflight", "actual"]
    assert outcome.response_type == "opaqueredirect"


def test_manual_without_a_redirect_is_a_plain_cors_response():
    outcome = fetch(server(resp(200, ACAO)), redirect="manual")
    assert outcome.response_type == "cors" and outcome.status == 200


def test_manual_same_origin_redirect_is_opaque_too():
    outcome = fetch(server(resp(302, f"Location: {API}")), SAME, redirect="manual")
    assert outcome.response_type == "opaqueredirect" and outcome.same_origin


# -- redirect: error -----------------------------------------------------------------------------
@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("url", [API, SAME])
def test_error_rejects_any_redirect(browser, url):
    answer = routes({url: resp(301, "Location: /elsewhere", ACAO)})
    outcome = fetch(answer, url, redirect="error", browser=browser)
    assert not outcome.allowed and outcome.failure.code == "RedirectModeError"
    assert outcome.failure.step == "redirect" and len(outcome.exchanges) == 1


def test_error_reports_a_failing_cors_check_first():
    outcome = fetch(server(resp(302, "Location: /x")), redirect="error")
    assert outcome.failure.code == "CORSMissingAllowOrigin"


def test_error_console_lines_per_engine():
    answer = server(resp(302, "Location: /x", ACAO))
    webkit = fetch(answer, redirect="error", browser="safari").failure.message
    assert webkit.splitlines() == [
        f"Not allowed to follow a redirection while loading {API}",
        f"Fetch API cannot load {API} due to access control checks.",
    ]
    chromium = fetch(answer, redirect="error").failure.message
    assert chromium.startswith("fetch() rejects with TypeError: Failed to fetch (no console")


# -- arguments, text -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("option", "value"),
    [("mode", "navigate"), ("mode", "CORS"), ("redirect", "follow "), ("redirect", None)],
)
def test_unknown_modes_are_usage_errors(option, value):
    said = "request mode" if option == "mode" else "redirect mode"
    with pytest.raises(CorsUsageError, match=f"unknown {said} {value!r}"):
        prepare_request(API, origin=PAGE, profile=get_profile("chromium"), **{option: value})


def test_the_story_tells_the_mode_and_the_opaque_verdict():
    outcome = fetch(server(resp(200)), mode="no-cors")
    text = outcome.explain()
    assert "RESOLVED, OPAQUE" in text and "mode: no-cors" in text
    assert "Readable response headers: (none)" in text
    assert "mode='no-cors'" in repr(outcome.request)
    redirect = fetch(server(resp(302, "Location: /x", ACAO)), redirect="manual").explain()
    assert "OPAQUE REDIRECT" in redirect and "redirect: manual" in redirect
