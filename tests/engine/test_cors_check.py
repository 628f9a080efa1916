"""The CORS check and Chromium's explanation of its failures (reference §6, §12.1)."""

import pytest

from pytest_cors.engine.response import cors_check
from pytest_cors.http import Headers

from .drive import PAGE, code, fetch, resp, server

# (ACAO lines, ACAC lines, credentials, corsError or None, failedParameter)
ROWS = [
    # missing
    ([], [], "omit", "MissingAllowOriginHeader", ""),
    ([], ["true"], "include", "MissingAllowOriginHeader", ""),
    # wildcard
    (["*"], [], "omit", None, ""),
    (["*"], [], "same-origin", None, ""),
    (["  *\t"], [], "omit", None, ""),
    (["*"], ["true"], "include", "WildcardOriginNotAllowed", ""),
    (["*"], [], "include", "WildcardOriginNotAllowed", ""),
    # exact origin
    ([PAGE], [], "omit", None, ""),
    ([f" {PAGE} "], [], "omit", None, ""),
    ([f"\t{PAGE}\t"], [], "omit", None, ""),
    ([PAGE], ["anything"], "omit", None, ""),
    ([PAGE], ["true"], "include", None, ""),
    ([PAGE], [" true "], "include", None, ""),
    ([PAGE], ["\ttrue"], "include", None, ""),
    # ACAC must be exactly "true" for include
    ([PAGE], [], "include", "InvalidAllowCredentials", ""),
    ([PAGE], ["True"], "include", "InvalidAllowCredentials", "True"),
    ([PAGE], ["TRUE"], "include", "InvalidAllowCredentials", "TRUE"),
    ([PAGE], ["1"], "include", "InvalidAllowCredentials", "1"),
    ([PAGE], ["false"], "include", "InvalidAllowCredentials", "false"),
    ([PAGE], [""], "include", "InvalidAllowCredentials", ""),
    ([PAGE], ["true, true"], "include", "InvalidAllowCredentials", "true, true"),
    ([PAGE], ["true", "true"], "include", "InvalidAllowCredentials", "true, true"),
    ([PAGE], ["true"], "same-origin", None, ""),
    # duplicates and lists
    (["*", "*"], [], "omit", "MultipleAllowOriginValues", "*, *"),
    ([PAGE, PAGE], [], "omit", "MultipleAllowOriginValues", f"{PAGE}, {PAGE}"),
    (["*", PAGE], [], "omit", "MultipleAllowOriginValues", f"*, {PAGE}"),
    ([f"{PAGE},https://b.com"], [], "omit", "MultipleAllowOriginValues", f"{PAGE},https://b.com"),
    ([f"{PAGE} https://b.com"], [], "omit", "MultipleAllowOriginValues", f"{PAGE} https://b.com"),
    (["* *"], [], "omit", "MultipleAllowOriginValues", "* *"),
    (["null, null"], [], "omit", "MultipleAllowOriginValues", "null, null"),
    # invalid values
    ([""], [], "omit", "InvalidAllowOriginValue", ""),
    (["app.example.com"], [], "omit", "InvalidAllowOriginValue", "app.example.com"),
    (["//app.example.com"], [], "omit", "InvalidAllowOriginValue", "//app.example.com"),
    (["NULL"], [], "omit", "InvalidAllowOriginValue", "NULL"),
    (["'*'"], [], "omit", "InvalidAllowOriginValue", "'*'"),
    (['"*"'], [], "omit", "InvalidAllowOriginValue", '"*"'),
    (["**"], [], "omit", "InvalidAllowOriginValue", "**"),
    (["*.example.com"], [], "omit", "InvalidAllowOriginValue", "*.example.com"),
    (
        ["https://app.example.com:99999"],
        [],
        "omit",
        "InvalidAllowOriginValue",
        "https://app.example.com:99999",
    ),
    # well-formed but not equal
    (["HTTPS://APP.EXAMPLE.COM"], [], "omit", "AllowOriginMismatch", "HTTPS://APP.EXAMPLE.COM"),
    (["https://App.example.com"], [], "omit", "AllowOriginMismatch", "https://App.example.com"),
    ([f"{PAGE}/"], [], "omit", "AllowOriginMismatch", f"{PAGE}/"),
    ([f"{PAGE}/path"], [], "omit", "AllowOriginMismatch", f"{PAGE}/path"),
    ([f"{PAGE}?q"], [], "omit", "AllowOriginMismatch", f"{PAGE}?q"),
    ([f"{PAGE}#"], [], "omit", "AllowOriginMismatch", f"{PAGE}#"),
    ([f"{PAGE}:443"], [], "omit", "AllowOriginMismatch", f"{PAGE}:443"),
    ([f"{PAGE}:8443"], [], "omit", "AllowOriginMismatch", f"{PAGE}:8443"),
    (["http://app.example.com"], [], "omit", "AllowOriginMismatch", "http://app.example.com"),
    (["https://example.com"], [], "omit", "AllowOriginMismatch", "https://example.com"),
    (["https://*.example.com"], [], "omit", "AllowOriginMismatch", "https://*.example.com"),
    (["https://evil.example.net"], [], "omit", "AllowOriginMismatch", "https://evil.example.net"),
    (["null"], [], "omit", "AllowOriginMismatch", "null"),
    (["null"], ["true"], "include", "AllowOriginMismatch", "null"),
]


@pytest.mark.parametrize(("acao", "acac", "credentials", "error", "parameter"), ROWS)
def test_cors_check_decision_list(acao, acac, credentials, error, parameter):
    headers = Headers(
        [("Access-Control-Allow-Origin", v) for v in acao]
        + [("Access-Control-Allow-Credentials", v) for v in acac]
    )
    check = cors_check(headers, PAGE, credentials)
    if error is None:
        assert check is None
    else:
        assert (check.kind, check.parameter) == (error, parameter)


@pytest.mark.parametrize(("acao", "acac", "credentials", "error", "parameter"), ROWS)
@pytest.mark.parametrize("browser", ["chromium", "spec", "firefox", "safari"])
def test_cors_check_on_the_actual_response(browser, acao, acac, credentials, error, parameter):
    lines = [f"Access-Control-Allow-Origin: {v}" for v in acao]
    lines += [f"Access-Control-Allow-Credentials: {v}" for v in acac]
    outcome = fetch(server(resp(200, *lines)), credentials=credentials, browser=browser)
    assert outcome.allowed is (error is None)
    assert outcome.preflight is None
    if error:
        assert outcome.failure.chromium_error == error
        assert outcome.failure.failed_parameter == parameter
        assert outcome.failure.step == "actual"
        assert outcome.status is None


@pytest.mark.parametrize(
    ("origin", "acao", "acac", "credentials", "error"),
    [
        ("null", "null", None, "omit", None),
        ("null", "null", "true", "include", None),
        ("null", "null", None, "include", "InvalidAllowCredentials"),
        ("null", "*", None, "omit", None),
        ("null", "*", "true", "include", "WildcardOriginNotAllowed"),
        ("null", PAGE, None, "omit", "AllowOriginMismatch"),
        ("null", "NULL", None, "omit", "InvalidAllowOriginValue"),
        ("http://localhost:3000", "http://localhost:3000", None, "omit", None),
        ("http://[::1]:3000", "http://[::1]:3000", None, "omit", None),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example", None, "omit", None),
        (
            "https://xn--bcher-kva.example",
            "https://bücher.example",
            None,
            "omit",
            "AllowOriginMismatch",
        ),
    ],
)
def test_cors_check_against_other_origins(origin, acao, acac, credentials, error):
    lines = [f"Access-Control-Allow-Origin: {acao}"]
    if acac is not None:
        lines.append(f"Access-Control-Allow-Credentials: {acac}")
    outcome = fetch(server(resp(200, *lines)), origin=origin, credentials=credentials)
    assert code(outcome) == error


@pytest.mark.parametrize("name", ["access-control-allow-origin", "ACCESS-CONTROL-ALLOW-ORIGIN"])
def test_header_names_match_in_any_case(name):
    outcome = fetch(
        server(resp(200, f"{name}: {PAGE}", "ACCESS-control-allow-credentials: true")),
        credentials="include",
    )
    assert outcome.allowed


@pytest.mark.parametrize("status", [200, 201, 204, 299, 304, 400, 404, 418, 500, 503])
def test_any_status_with_a_passing_check_is_readable(status):
    outcome = fetch(server(resp(status, "Access-Control-Allow-Origin: *")))
    assert outcome.allowed
    assert outcome.status == status


@pytest.mark.parametrize("status", [200, 204, 404, 500])
def test_any_status_without_acao_is_blocked(status):
    outcome = fetch(server(resp(status)))
    assert code(outcome) == "MissingAllowOriginHeader"
    assert outcome.status is None


@pytest.mark.parametrize(
    ("lines", "chromium", "strict"),
    [
        (["Access-Control-Allow-Origin : *"], None, "MissingAllowOriginHeader"),
        (["Access-Control-Allow-Origin\t: *"], None, "MissingAllowOriginHeader"),
        (["Access-Control-Allow-Origin:*"], None, None),
        (
            [f"Access-Control-Allow-Origin: {PAGE}", "Access-Control-Allow-Origin : x"],
            "MultipleAllowOriginValues",
            None,
        ),
        (
            [f"Access-Control-Allow-Origin: {PAGE}", "Access-Control-Allow-Credentials : true"],
            None,
            "InvalidAllowCredentials",
        ),
    ],
)
def test_blanks_before_the_colon_chromium_trims_others_drop(lines, chromium, strict):
    credentials = "include" if any("Credentials" in line for line in lines) else "omit"
    outcome = fetch(server(resp(200, *lines)), credentials=credentials)
    assert code(outcome) == chromium
    if any(" :" in line or "\t:" in line for line in lines):
        assert "MalformedHeaderLine" in [w.code for w in outcome.warnings]
    for browser in ("spec", "firefox"):
        other = fetch(server(resp(200, *lines)), credentials=credentials, browser=browser)
        assert code(other) == strict


def test_acac_is_ignored_without_include():
    for acac in ("false", "nonsense", "true, true"):
        outcome = fetch(
            server(
                resp(
                    200,
                    f"Access-Control-Allow-Origin: {PAGE}",
                    f"Access-Control-Allow-Credentials: {acac}",
                )
            )
        )
        assert outcome.allowed
