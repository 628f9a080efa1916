"""Checks on the preflight response in Chromium's order; Allow-Methods/-Headers parsing;
Authorization under ``*``; Max-Age per profile (reference §5.2–§5.4, §11.1, §11.3, §12.1)."""

import pytest

from pytest_cors.engine import get_profile
from pytest_cors.engine.response import parse_header_list, parse_max_age
from pytest_cors.http import Headers

from .drive import ACAC_TRUE, ACAO_ANY, ACAO_PAGE, PAGE, code, fetch, resp, server

OK_ACTUAL = resp(200, ACAO_PAGE, ACAC_TRUE)


def preflighted(*lines, status=204, method="PUT", headers=None, credentials="omit", **kw):
    return fetch(
        server(OK_ACTUAL, resp(status, *lines)),
        method=method,
        headers=headers,
        credentials=credentials,
        **kw,
    )


# Chromium's order: ACAO -> ACAC -> ok status -> parse ACAM -> parse ACAH -> method -> headers.
ORDER_ROWS = [
    # a 404 without CORS headers reports the missing ACAO
    (404, [], "omit", "PreflightMissingAllowOriginHeader"),
    (500, ["Access-Control-Allow-Origin: x y"], "omit", "PreflightMultipleAllowOriginValues"),
    (500, ["Access-Control-Allow-Origin: nope"], "omit", "PreflightInvalidAllowOriginValue"),
    (401, ["Access-Control-Allow-Origin: https://b.com"], "omit", "PreflightAllowOriginMismatch"),
    (403, [ACAO_ANY], "include", "PreflightWildcardOriginNotAllowed"),
    (500, [ACAO_PAGE], "include", "PreflightInvalidAllowCredentials"),
    (
        500,
        [ACAO_PAGE, "Access-Control-Allow-Credentials: True"],
        "include",
        "PreflightInvalidAllowCredentials",
    ),
    # correct CORS headers, bad status
    (
        400,
        [ACAO_PAGE, ACAC_TRUE, "Access-Control-Allow-Methods: (bad)"],
        "include",
        "PreflightInvalidStatus",
    ),
    (404, [ACAO_ANY, "Access-Control-Allow-Methods: PUT"], "omit", "PreflightInvalidStatus"),
    (500, [ACAO_ANY, "Access-Control-Allow-Methods: PUT"], "omit", "PreflightInvalidStatus"),
    (300, [ACAO_ANY], "omit", "PreflightInvalidStatus"),
    (304, [ACAO_ANY], "omit", "PreflightInvalidStatus"),
    (302, [ACAO_ANY], "omit", "PreflightInvalidStatus"),
    (199, [ACAO_ANY], "omit", "PreflightInvalidStatus"),
    # ACAM parse failure wins over ACAH parse and over the method being listed
    (
        200,
        [ACAO_ANY, "Access-Control-Allow-Methods: PUT, (x)", "Access-Control-Allow-Headers: a b"],
        "omit",
        "InvalidAllowMethodsPreflightResponse",
    ),
    # ACAH parse failure wins over the method check
    (
        200,
        [ACAO_ANY, "Access-Control-Allow-Headers: a b"],
        "omit",
        "InvalidAllowHeadersPreflightResponse",
    ),
    # the method check before the header check
    (
        200,
        [ACAO_ANY, "Access-Control-Allow-Methods: GET"],
        "omit",
        "MethodDisallowedByPreflightResponse",
    ),
    (
        200,
        [ACAO_ANY, "Access-Control-Allow-Methods: PUT"],
        "omit",
        "HeaderDisallowedByPreflightResponse",
    ),
    (
        200,
        [ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: x-a"],
        "omit",
        None,
    ),
]


@pytest.mark.parametrize(("status", "lines", "credentials", "error"), ORDER_ROWS)
def test_preflight_checks_in_chromium_order(status, lines, credentials, error):
    outcome = preflighted(*lines, status=status, headers={"X-A": "1"}, credentials=credentials)
    assert code(outcome) == error, outcome.explain()
    if error:
        assert outcome.actual is None, "the actual request must not be sent"
        assert outcome.failure.step == "preflight"
        assert len(outcome.exchanges) == 1


@pytest.mark.parametrize(
    ("acam", "acah", "chromium", "firefox"),
    [
        ("GET", "a b", "InvalidAllowHeadersPreflightResponse", "CORSMethodNotFound"),
        ("(x)", "a b", "InvalidAllowMethodsPreflightResponse", "CORSInvalidAllowMethod"),
        ("PUT", "a b", "InvalidAllowHeadersPreflightResponse", "CORSInvalidAllowHeader"),
        ("GET", "y", "MethodDisallowedByPreflightResponse", "CORSMethodNotFound"),
    ],
)
def test_firefox_checks_the_method_before_parsing_allow_headers(acam, acah, chromium, firefox):
    # Conformance F4: Firefox walks ACAM (parse, method) then ACAH (parse, headers).
    lines = [
        ACAO_ANY,
        f"Access-Control-Allow-Methods: {acam}",
        f"Access-Control-Allow-Headers: {acah}",
    ]
    assert code(preflighted(*lines, headers={"X-A": "1"})) == chromium
    assert preflighted(*lines, headers={"X-A": "1"}, browser="firefox").failure.code == firefox


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 500, 503])
def test_perfect_cors_headers_do_not_save_a_non_ok_preflight(status):
    lines = [
        ACAO_PAGE,
        ACAC_TRUE,
        "Access-Control-Allow-Methods: PUT",
        "Access-Control-Allow-Headers: x-a",
    ]
    outcome = preflighted(*lines, status=status, headers={"X-A": "1"}, credentials="include")
    assert code(outcome) == "PreflightInvalidStatus"
    assert outcome.failure.message.endswith(
        "Response to preflight request doesn't pass access control check: "
        "It does not have HTTP ok status."
    )
    assert outcome.actual is None


@pytest.mark.parametrize("status", [200, 204, 206, 299])
def test_any_2xx_is_an_ok_preflight(status):
    outcome = preflighted(ACAO_ANY, "Access-Control-Allow-Methods: PUT", status=status)
    assert outcome.allowed


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_preflight_redirect_is_reported_as_a_redirect_in_chromium(status):
    # Even without any CORS header: the network layer stops it first. Chromium 156.0.8078.108
    # reports corsError PreflightDisallowedRedirect on the fetch (conformance E1).
    outcome = preflighted("Location: https://api.example.org/elsewhere", status=status)
    assert not outcome.allowed
    assert outcome.failure.chromium_error == "PreflightDisallowedRedirect"
    assert outcome.failure.code == "CORSPreflightDidNotSucceed"
    assert outcome.failure.message.endswith(
        "Response to preflight request doesn't pass access control check: "
        "Redirect is not allowed for a preflight request."
    )
    assert len(outcome.exchanges) == 1, "the Location is never fetched"


@pytest.mark.parametrize("status", [300, 304])
def test_a_non_redirect_3xx_preflight_with_location_is_a_bad_status(status):
    outcome = preflighted(ACAO_ANY, "Location: https://api.example.org/x", status=status)
    assert code(outcome) == "PreflightInvalidStatus"


@pytest.mark.parametrize("status", [301, 307])
def test_spec_profile_treats_a_preflight_redirect_as_a_bad_status(status):
    no_cors = preflighted("Location: https://api.example.org/x", status=status, browser="spec")
    assert code(no_cors) == "PreflightMissingAllowOriginHeader"
    with_cors = preflighted(ACAO_ANY, "Location: /x", status=status, browser="spec")
    assert code(with_cors) == "PreflightInvalidStatus"


def test_firefox_names_a_preflight_redirect_external_redirect():
    outcome = preflighted("Location: /x", status=307, browser="firefox")
    assert outcome.failure.code == "CORSExternalRedirectNotAllowed"


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("PUT", ["PUT"]),
        (" PUT , DELETE ", ["PUT", "DELETE"]),
        ("\tPUT,\tDELETE\t", ["PUT", "DELETE"]),
        (",PUT,", ["PUT"]),
        ("GET, , PUT", ["GET", "PUT"]),
        (",,,", []),
        ("", []),
        ("*", ["*"]),
        ("*, PUT", ["*", "PUT"]),
        ("patch", ["patch"]),
    ],
)
def test_header_list_values_parse(value, parsed):
    headers = Headers([("Access-Control-Allow-Methods", value)])
    assert parse_header_list(headers, "access-control-allow-methods") == parsed


def test_header_list_lines_are_merged_and_absence_is_none():
    headers = Headers(
        [("Access-Control-Allow-Methods", "GET"), ("access-control-allow-methods", "PUT")]
    )
    assert parse_header_list(headers, "Access-Control-Allow-Methods") == ["GET", "PUT"]
    assert parse_header_list(Headers(), "Access-Control-Allow-Methods") is None


@pytest.mark.parametrize(
    "value",
    [
        "GET PUT",
        "PUT;",
        "(PUT)",
        "PUT, DELETE;",
        'P"UT',
        "PUT/1",
        "PÚT",
        "a:b",
        "[PUT]",
        "PUT\x00",
        "PUT\n",
    ],
)
def test_a_non_token_element_fails_the_whole_list(value):
    with pytest.raises(ValueError):  # noqa: PT011 - the engine's own parse signal
        parse_header_list(Headers([("X", value)]), "X")
    methods = preflighted(ACAO_ANY, f"Access-Control-Allow-Methods: {value}, PUT")
    assert code(methods) == "InvalidAllowMethodsPreflightResponse"
    assert methods.failure.failed_parameter == ""
    headers = preflighted(
        ACAO_ANY,
        "Access-Control-Allow-Methods: PUT",
        f"Access-Control-Allow-Headers: x-a, {value}",
        headers={"X-A": "1"},
    )
    assert code(headers) == "InvalidAllowHeadersPreflightResponse"
    assert headers.failure.failed_parameter == ""


@pytest.mark.parametrize(
    ("method", "acam", "credentials", "allowed"),
    [
        ("PUT", "PUT", "omit", True),
        ("PUT", "GET, PUT", "omit", True),
        ("PUT", " PUT ", "omit", True),
        ("PUT", "", "omit", False),  # empty: an empty list, not a parse error
        ("PUT", None, "omit", False),
        ("PUT", "*", "omit", True),
        ("FOO", "*", "omit", True),
        ("patch", "*", "omit", True),
        ("PUT", "*", "include", False),
        ("*", "*", "include", True),  # "*" is then just a method name
        ("PUT", "*, PUT", "include", True),
        ("GET", None, "omit", True),  # a header forced the preflight: safelisted needs no ACAM
        ("HEAD", None, "omit", True),
        ("POST", "", "omit", True),
    ],
)
def test_method_check(method, acam, credentials, allowed):
    lines = [ACAO_PAGE, ACAC_TRUE, "Access-Control-Allow-Headers: x-force"]
    if acam is not None:
        lines.append(f"Access-Control-Allow-Methods: {acam}")
    outcome = preflighted(*lines, method=method, headers={"X-Force": "1"}, credentials=credentials)
    assert outcome.preflight is not None
    assert outcome.allowed is allowed, outcome.explain()
    if not allowed:
        assert code(outcome) == "MethodDisallowedByPreflightResponse"
        assert outcome.failure.failed_parameter == method
        assert outcome.failure.message.endswith(
            f"Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."
        )


@pytest.mark.parametrize(
    ("headers", "acah", "credentials", "missing"),
    [
        ({"X-A": "1"}, "x-a", "omit", None),
        ({"x-a": "1"}, "X-A", "omit", None),
        ({"X-A": "1", "X-B": "2"}, "X-B,x-a", "omit", None),
        ({"X-A": "1", "X-B": "2"}, "x-a", "omit", "x-b"),
        ({"X-A": "1"}, "", "omit", "x-a"),
        ({"X-A": "1"}, None, "omit", "x-a"),
        ({"X-A": "1"}, "*", "omit", None),
        ({"Content-Type": "application/json"}, "*", "omit", None),
        ({"Content-Type": "application/json"}, None, "omit", "content-type"),
        ({"Content-Type": "application/json"}, "Content-Type", "omit", None),
        ({"Content-Type": "text/plain", "X-A": "1"}, "x-a", "omit", None),
        ({"Accept": "a" * 129, "X-A": "1"}, "x-a", "omit", "accept"),
        ({"X-A": "1"}, "*", "include", "x-a"),
        ({"X-A": "1"}, "*, x-a", "include", None),
        ({"Content-Type": "application/json"}, "*", "include", "content-type"),
    ],
)
@pytest.mark.parametrize("browser", ["chromium", "spec", "firefox", "safari"])
def test_header_check(browser, headers, acah, credentials, missing):
    lines = [ACAO_PAGE, ACAC_TRUE, "Access-Control-Allow-Methods: PUT"]
    if acah is not None:
        lines.append(f"Access-Control-Allow-Headers: {acah}")
    outcome = preflighted(*lines, headers=headers, credentials=credentials, browser=browser)
    assert outcome.allowed is (missing is None), outcome.explain()
    if missing:
        assert outcome.failure.chromium_error == "HeaderDisallowedByPreflightResponse"
        assert outcome.failure.failed_parameter == missing
        assert outcome.failure.code == "CORSMissingAllowHeaderFromPreflight"


@pytest.mark.parametrize(
    ("acah", "extra", "credentials", "chromium", "spec"),
    [
        ("*", {}, "omit", True, False),
        ("*", {"X-A": "1"}, "omit", True, False),
        ("*, Authorization", {}, "omit", True, True),
        ("authorization", {}, "omit", True, True),
        ("AUTHORIZATION", {}, "omit", True, True),
        ("*", {}, "include", False, False),
        ("*, Authorization", {}, "include", True, True),
    ],
)
def test_authorization_under_wildcard(acah, extra, credentials, chromium, spec):
    lines = [
        ACAO_PAGE,
        ACAC_TRUE,
        "Access-Control-Allow-Methods: PUT",
        f"Access-Control-Allow-Headers: {acah}",
    ]
    headers = {"Authorization": "Bearer t", **extra}
    for browser, expected in [
        ("chromium", chromium),
        ("firefox", chromium),
        ("safari", chromium),
        ("spec", spec),
    ]:
        outcome = preflighted(*lines, headers=headers, credentials=credentials, browser=browser)
        assert outcome.allowed is expected, (browser, outcome.explain())
        if not expected:
            assert outcome.failure.failed_parameter == "authorization"
        warned = "AuthorizationCoveredByWildcard" in [w.code for w in outcome.warnings]
        assert warned is (expected and not spec), browser


MAX_AGE_ROWS = [
    # value (None: absent, list: several lines), chromium, spec, firefox, safari
    (None, 5, 5, 5, 5),
    ("600", 600, 600, 600, 600),
    (" 600 ", 600, 600, 600, 600),
    ("0", 0, 0, 0, 0),
    ("00010", 10, 10, 10, 10),
    ("-1", 0, 5, 0, 0),
    ("-600", 0, 5, 0, 0),
    ("abc", 5, 5, 0, 5),
    ("10.5", 5, 5, 0, 5),
    ("1.5", 5, 5, 0, 5),
    ("+5", 5, 5, 0, 5),
    ("", 5, 5, 0, 5),
    ("600, 600", 5, 5, 0, 5),
    (["600", "600"], 5, 5, 0, 5),
    ("7200", 7200, 7200, 7200, 600),
    ("7201", 7200, 7201, 7201, 600),
    ("86400", 7200, 86400, 86400, 600),
    ("86401", 7200, 86401, 86400, 600),
    ("9" * 5000, 7200, 10**18, 86400, 600),
]


@pytest.mark.parametrize(("value", "chromium", "spec", "firefox", "safari"), MAX_AGE_ROWS)
def test_max_age_per_profile(value, chromium, spec, firefox, safari):
    values = [] if value is None else [value] if isinstance(value, str) else value
    headers = Headers([("Access-Control-Max-Age", v) for v in values])
    expected = {"chromium": chromium, "spec": spec, "firefox": firefox, "safari": safari}
    got = {b: parse_max_age(headers, get_profile(b)).seconds for b in expected}
    assert got == expected


def test_negative_max_age_warns_in_chromium():
    outcome = preflighted(
        ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: -1"
    )
    assert outcome.allowed
    assert "NegativeMaxAge" in [w.code for w in outcome.warnings]
    spec = preflighted(
        ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: -1", browser="spec"
    )
    assert "NegativeMaxAge" not in [w.code for w in spec.warnings]


def test_preflight_failures_carry_the_prefix_and_the_initial_url():
    outcome = preflighted(status=404)
    assert outcome.failure.message == (
        "Access to fetch at 'https://api.example.org/r' from origin 'https://app.example.com' "
        "has been blocked by CORS policy: Response to preflight request doesn't pass access "
        "control check: No 'Access-Control-Allow-Origin' header is present on the requested "
        "resource."
    )
    assert outcome.failure.code == "CORSMissingAllowOrigin"
    assert PAGE in outcome.failure.hint
