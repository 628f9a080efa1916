"""Failure codes, DevTools/Firefox console texts and hints (reference §12.1, §12.2, §11.7)."""

import pytest

from pytest_cors.failures import PREFLIGHT_PREFIX, make_failure

URL = "https://api.example.org/r"
ORIGIN = "https://app.example.com"
HEAD = f"Access to fetch at '{URL}' from origin '{ORIGIN}' has been blocked by CORS policy: "

# kind, failedParameter, MDN code, console text after "...blocked by CORS policy: "
CHROMIUM_ROWS = [
    (
        "MissingAllowOriginHeader",
        "",
        "CORSMissingAllowOrigin",
        "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    (
        "MultipleAllowOriginValues",
        "*, *",
        "CORSMultipleAllowOriginNotAllowed",
        "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but only one is "
        "allowed. Have the server send the header with a valid value.",
    ),
    (
        "InvalidAllowOriginValue",
        "NULL",
        "CORSAllowOriginNotMatchingOrigin",
        "The 'Access-Control-Allow-Origin' header contains the invalid value 'NULL'. Have the "
        "server send the header with a valid value.",
    ),
    (
        "AllowOriginMismatch",
        "https://app.example.com/",
        "CORSAllowOriginNotMatchingOrigin",
        "The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is "
        "not equal to the supplied origin. Have the server send the header with a valid value.",
    ),
    (
        "WildcardOriginNotAllowed",
        "",  # Chromium's failedParameter is empty here (measured)
        "CORSNotSupportingCredentials",
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
        "wildcard '*' when the request's credentials mode is 'include'.",
    ),
    (
        "InvalidAllowCredentials",
        "",
        "CORSMissingAllowCredentials",
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which "
        "must be 'true' when the request's credentials mode is 'include'.",
    ),
    (
        "InvalidAllowCredentials",
        "True",
        "CORSMissingAllowCredentials",
        "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' "
        "which must be 'true' when the request's credentials mode is 'include'.",
    ),
]

PREFLIGHT_ONLY_ROWS = [
    (
        "PreflightInvalidStatus",
        "",
        "CORSPreflightDidNotSucceed",
        "PreflightInvalidStatus",
        PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
    ),
    (
        "PreflightDisallowedRedirect",
        "",
        "CORSPreflightDidNotSucceed",
        "PreflightDisallowedRedirect",  # measured on 156.0.8078.108 (conformance E1)
        PREFLIGHT_PREFIX + "Redirect is not allowed for a preflight request.",
    ),
    (
        "InvalidAllowMethodsPreflightResponse",
        "",
        "CORSInvalidAllowMethod",
        "InvalidAllowMethodsPreflightResponse",
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
    ),
    (
        "InvalidAllowHeadersPreflightResponse",
        "",
        "CORSInvalidAllowHeader",
        "InvalidAllowHeadersPreflightResponse",
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
    ),
    (
        "MethodDisallowedByPreflightResponse",
        "patch",
        "CORSMethodNotFound",
        "MethodDisallowedByPreflightResponse",
        "Method patch is not allowed by Access-Control-Allow-Methods in preflight response.",
    ),
    (
        "HeaderDisallowedByPreflightResponse",
        "x-a",
        "CORSMissingAllowHeaderFromPreflight",
        "HeaderDisallowedByPreflightResponse",
        "Request header field x-a is not allowed by Access-Control-Allow-Headers in preflight "
        "response.",
    ),
]


@pytest.mark.parametrize(("kind", "parameter", "code", "text"), CHROMIUM_ROWS)
def test_actual_response_failures_read_like_devtools(kind, parameter, code, text):
    failure = make_failure(kind, url=URL, origin=ORIGIN, step="actual", parameter=parameter)
    assert failure.message == HEAD + text
    assert failure.code == code
    assert failure.chromium_error == kind
    assert failure.failed_parameter == parameter
    assert failure.step == "actual"
    assert str(failure) == failure.message
    assert failure.hint
    assert "{" not in failure.hint


@pytest.mark.parametrize(("kind", "parameter", "code", "text"), CHROMIUM_ROWS)
def test_the_same_failures_on_the_preflight_carry_the_prefix(kind, parameter, code, text):
    failure = make_failure(kind, url=URL, origin=ORIGIN, step="preflight", parameter=parameter)
    assert failure.message == HEAD + PREFLIGHT_PREFIX + text
    assert failure.chromium_error == "Preflight" + kind
    assert failure.code == code


@pytest.mark.parametrize(("kind", "parameter", "code", "error", "text"), PREFLIGHT_ONLY_ROWS)
def test_preflight_only_failures(kind, parameter, code, error, text):
    failure = make_failure(kind, url=URL, origin=ORIGIN, step="preflight", parameter=parameter)
    assert failure.message == HEAD + text
    assert failure.code == code
    assert failure.chromium_error == error


def test_prefix_is_exact():
    assert PREFLIGHT_PREFIX == "Response to preflight request doesn't pass access control check: "


def test_redirect_with_credentials():
    failure = make_failure("RedirectContainsCredentials", url=URL, origin=ORIGIN, step="redirect")
    assert failure.message == HEAD + (
        "Redirect location '' contains a username and password, which is disallowed for "
        "cross-origin requests."
    )
    assert failure.chromium_error == "RedirectContainsCredentials"
    assert failure.code == "CORSDidNotSucceed"


def test_after_a_redirect_the_url_names_where_it_came_from_and_the_page_origin():
    # Measured (conformance E2): the console names the page's origin although the tainted
    # request carried Origin: null; the hint names what the server must send.
    failure = make_failure(
        "AllowOriginMismatch",
        url="https://other.example.com/s",
        origin="null",
        initiator=ORIGIN,
        step="actual",
        initial_url=URL,
        parameter=ORIGIN,
    )
    assert failure.message.startswith(
        "Access to fetch at 'https://other.example.com/s' (redirected from "
        f"'{URL}') from origin '{ORIGIN}' has been blocked by CORS policy: "
    )
    assert "('null')" in failure.hint


@pytest.mark.parametrize("kind", ["TooManyRedirects", "InvalidRedirectLocation"])
def test_network_errors_have_no_cors_code(kind):
    failure = make_failure(kind, url=URL, origin=ORIGIN, step="redirect")
    assert failure.chromium_error is None
    assert failure.code == "CORSDidNotSucceed"
    assert failure.message.startswith(f"Access to fetch at '{URL}'")


FIREFOX = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
FIREFOX += f"resource at {URL}. (Reason: "

FIREFOX_ROWS = [
    (
        "MissingAllowOriginHeader",
        "",
        "",
        200,
        "CORSMissingAllowOrigin",
        "CORS header 'Access-Control-Allow-Origin' missing). Status code: 200.",
    ),
    (
        "MultipleAllowOriginValues",
        "*, *",
        "",
        200,
        "CORSMultipleAllowOriginNotAllowed",
        "Multiple CORS header 'Access-Control-Allow-Origin' not allowed).",
    ),
    (
        "AllowOriginMismatch",
        "https://b.com",
        "",
        200,
        "CORSAllowOriginNotMatchingOrigin",
        "CORS header 'Access-Control-Allow-Origin' does not match 'https://b.com').",
    ),
    (
        "InvalidAllowOriginValue",
        "",
        "",
        200,
        "CORSAllowOriginNotMatchingOrigin",
        "CORS header 'Access-Control-Allow-Origin' does not match '').",
    ),
    (
        "WildcardOriginNotAllowed",
        "",  # Chromium's failedParameter is empty here (measured)
        "",
        200,
        "CORSNotSupportingCredentials",
        "Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '*').",
    ),
    (
        "InvalidAllowCredentials",
        "",
        "",
        200,
        "CORSMissingAllowCredentials",
        "expected 'true' in CORS header 'Access-Control-Allow-Credentials').",
    ),
    (
        "MethodDisallowedByPreflightResponse",
        "PUT",
        "",
        204,
        "CORSMethodNotFound",
        "Did not find method in CORS header 'Access-Control-Allow-Methods').",
    ),
    (
        "InvalidAllowMethodsPreflightResponse",
        "",
        "(x)",
        204,
        "CORSInvalidAllowMethod",
        "invalid token '(x)' in CORS header 'Access-Control-Allow-Methods').",
    ),
    (
        "InvalidAllowHeadersPreflightResponse",
        "",
        "a;",
        204,
        "CORSInvalidAllowHeader",
        "invalid token 'a;' in CORS header 'Access-Control-Allow-Headers').",
    ),
    (
        "HeaderDisallowedByPreflightResponse",
        "x-a",
        "",
        204,
        "CORSMissingAllowHeaderFromPreflight",
        "header 'x-a' is not allowed according to header 'Access-Control-Allow-Headers' from CORS "
        "preflight response).",
    ),
    (
        "PreflightInvalidStatus",
        "",
        "",
        404,
        "CORSPreflightDidNotSucceed",
        "CORS preflight response did not succeed). Status code: 404.",
    ),
    (
        "RedirectContainsCredentials",
        "",
        "",
        302,
        "CORSDidNotSucceed",
        "CORS request did not succeed). Status code: (null).",
    ),
    ("CorsDisabledScheme", "", "", None, "CORSRequestNotHttp", "CORS request not http)."),
]


@pytest.mark.parametrize(("kind", "parameter", "token", "status", "code", "text"), FIREFOX_ROWS)
def test_firefox_console_reasons(kind, parameter, token, status, code, text):
    step = "preflight" if status == 204 or kind.startswith("Preflight") else "actual"
    failure = make_failure(
        kind,
        url=URL,
        origin=ORIGIN,
        step=step,
        parameter=parameter,
        firefox=True,
        status=status,
        token=token,
    )
    assert failure.code == code
    expected = FIREFOX + text
    if code == "CORSNotSupportingCredentials":  # the one reason that quotes the URL
        expected = expected.replace(f"at {URL}.", f"at '{URL}'.")
    assert failure.message == expected
    assert failure.failed_parameter == parameter


def test_firefox_external_redirect_override():
    failure = make_failure(
        "PreflightDisallowedRedirect",
        url=URL,
        origin=ORIGIN,
        step="preflight",
        firefox=True,
        status=301,
        code_override="CORSExternalRedirectNotAllowed",
    )
    assert failure.message == FIREFOX + "CORS request external redirect not allowed)."


def test_firefox_message_names_the_url_that_failed():
    # Measured (Firefox 153): after a redirect the reason names the redirect target.
    failure = make_failure(
        "MissingAllowOriginHeader",
        url="https://other.example.com/s",
        origin="null",
        step="actual",
        firefox=True,
        initial_url=URL,
        status=200,
    )
    assert failure.message == (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
        "resource at https://other.example.com/s. (Reason: CORS header "
        "'Access-Control-Allow-Origin' missing). Status code: 200."
    )


@pytest.mark.parametrize(
    ("kind", "parameter", "token", "shown"),
    [
        ("InvalidAllowMethodsPreflightResponse", "", "\xe9", "\ufffd"),
        ("InvalidAllowHeadersPreflightResponse", "", "caf\xc3\xa9", "caf\xe9"),
        ("AllowOriginMismatch", "https://\xe9.example", "", "https://\ufffd.example"),
    ],
)
def test_firefox_reads_header_bytes_as_utf8(kind, parameter, token, shown):
    failure = make_failure(
        kind,
        url=URL,
        origin=ORIGIN,
        step="preflight",
        parameter=parameter,
        token=token,
        firefox=True,
    )
    assert f"'{shown}'" in failure.message
    assert failure.failed_parameter == parameter


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("MissingAllowOriginHeader", "Access-Control-Allow-Origin: https://app.example.com"),
        ("AllowOriginMismatch", "'https://app.example.com'"),
        ("WildcardOriginNotAllowed", "'https://app.example.com'"),
        ("InvalidAllowCredentials", "Access-Control-Allow-Credentials: true"),
        ("MethodDisallowedByPreflightResponse", "'PUT'"),
        ("HeaderDisallowedByPreflightResponse", "'PUT'"),
        ("PreflightInvalidStatus", "2xx"),
    ],
)
def test_hints_name_the_fix(kind, fragment):
    failure = make_failure(kind, url=URL, origin=ORIGIN, step="preflight", parameter="PUT")
    assert fragment in failure.hint


# -- the preflight status hint: what the status says about who refused ------------------------


def _status_failure(status, **kwargs):
    return make_failure(
        "PreflightInvalidStatus", url=URL, origin=ORIGIN, step="preflight", status=status, **kwargs
    )


def test_a_400_preflight_reads_as_the_cors_layers_refusal_not_as_authentication():
    hint = _status_failure(400).hint
    assert "CORS layer refused it" in hint
    assert "Access-Control-Request-Method" in hint
    assert "Access-Control-Request-Headers" in hint
    assert f"the origin '{ORIGIN}'" in hint
    assert "allow_methods" in hint and "Disallowed CORS method" in hint
    assert "authentication" not in hint


def test_a_400_preflight_hint_names_what_the_preflight_asked_for():
    hint = _status_failure(400, requested_method="DELETE", requested_headers=["x-a", "x-b"]).hint
    assert "(Access-Control-Request-Method: DELETE)" in hint
    assert "(Access-Control-Request-Headers: x-a,x-b)" in hint


@pytest.mark.parametrize("status", [401, 403])
def test_a_401_or_403_preflight_keeps_the_authentication_advice(status):
    hint = _status_failure(status).hint
    assert "without requiring authentication" in hint
    assert "never carries cookies or Authorization" in hint
    assert "CORS layer refused" not in hint


@pytest.mark.parametrize("status", [None, 404, 405, 500])
def test_other_preflight_statuses_get_the_generic_advice(status):
    hint = _status_failure(status).hint
    assert "2xx" in hint and "404 or 405" in hint
    assert "without requiring authentication" not in hint


def test_starlettes_400_preflight_gets_the_cors_layer_hint_in_both_consoles():
    from pytest_cors import simulate_fetch
    from tests.targets.apps import ALLOWED, starlette_app

    app = starlette_app()  # the real CORSMiddleware: allow_methods GET, PUT, POST
    for browser in ("chromium", "firefox"):
        outcome = simulate_fetch(app, "/items", origin=ALLOWED, method="DELETE", browser=browser)
        assert outcome.preflight is not None
        assert outcome.preflight.response.status == 400
        failure = outcome.failure
        assert failure is not None and failure.code == "CORSPreflightDidNotSucceed"
        assert "CORS layer refused it" in failure.hint
        assert "authentication" not in failure.hint
