"""Methods: normalisation, case, forbidden methods, token syntax (reference §2, §12.1)."""

import enum

import pytest

from pytest_cors.engine.request import normalize_method
from pytest_cors.errors import CorsUsageError

from .drive import ACAO_ANY, code, fetch, resp, server


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("get", "GET"),
        ("Get", "GET"),
        ("hEaD", "HEAD"),
        ("post", "POST"),
        ("put", "PUT"),
        ("Put", "PUT"),
        ("delete", "DELETE"),
        ("options", "OPTIONS"),
        ("patch", "patch"),  # not one of the six: kept exactly as written
        ("Patch", "Patch"),
        ("PATCH", "PATCH"),
        ("FOO", "FOO"),
        ("foo", "foo"),
        ("M-SEARCH", "M-SEARCH"),
        ("*", "*"),
        ("X!#$%&'*+-.^_`|~9", "X!#$%&'*+-.^_`|~9"),
    ],
)
def test_only_the_six_methods_are_upper_cased(written, normalised):
    assert normalize_method(written) == normalised


@pytest.mark.parametrize("method", ["CONNECT", "connect", "TRACE", "trace", "TRACK", "track"])
def test_forbidden_methods_throw_like_fetch(method):
    with pytest.raises(CorsUsageError) as info:
        normalize_method(method)
    assert str(info.value).startswith(
        f"Failed to execute 'fetch' on 'Window': '{method}' HTTP method is unsupported."
    )


@pytest.mark.parametrize(
    "method", ["P UT", "", "GET\n", "GET\r", "(GET)", "GÉT", "GET;", "a/b", "PUT\t", "é"]
)
def test_a_method_must_be_a_token(method):
    with pytest.raises(CorsUsageError) as info:
        normalize_method(method)
    assert str(info.value).startswith(
        f"Failed to execute 'fetch' on 'Window': '{method}' is not a valid HTTP method."
    )


@pytest.mark.parametrize("method", ["GET", "get", "HEAD", "head", "POST", "Post"])
def test_safelisted_methods_do_not_preflight(method):
    outcome = fetch(server(resp(200, ACAO_ANY)), method=method)
    assert outcome.allowed
    assert outcome.preflight is None
    assert outcome.actual.request.method == method.upper()


@pytest.mark.parametrize(
    ("written", "on_the_wire"),
    [
        ("put", "PUT"),
        ("Delete", "DELETE"),
        ("options", "OPTIONS"),
        ("patch", "patch"),
        ("PATCH", "PATCH"),
        ("FOO", "FOO"),
        ("M-SEARCH", "M-SEARCH"),
    ],
)
def test_other_methods_preflight_naming_the_method_as_sent(written, on_the_wire):
    preflight = resp(204, ACAO_ANY, f"Access-Control-Allow-Methods: {on_the_wire}")
    outcome = fetch(server(resp(200, ACAO_ANY), preflight), method=written)
    assert outcome.allowed, outcome.explain()
    assert outcome.preflight.request.method == "OPTIONS"
    assert outcome.preflight.request.headers.get("Access-Control-Request-Method") == on_the_wire
    assert outcome.actual.request.method == on_the_wire


@pytest.mark.parametrize(
    ("method", "allow_methods", "allowed"),
    [
        ("PUT", "PUT", True),
        ("put", "PUT", True),
        ("PUT", "put", False),
        ("PUT", "Put", False),
        ("patch", "patch", True),
        ("patch", "PATCH", False),
        ("PATCH", "patch", False),
        ("PATCH", "PATCH", True),
        ("FOO", "foo", False),
    ],
)
def test_allow_methods_compares_byte_for_byte(method, allow_methods, allowed):
    preflight = resp(204, ACAO_ANY, f"Access-Control-Allow-Methods: {allow_methods}")
    outcome = fetch(server(resp(200, ACAO_ANY), preflight), method=method)
    assert outcome.allowed is allowed
    if not allowed:
        assert code(outcome) == "MethodDisallowedByPreflightResponse"
        assert outcome.failure.failed_parameter == normalize_method(method)
        assert outcome.actual is None


def test_an_options_fetch_is_preflighted_by_another_options():
    preflight = resp(204, ACAO_ANY, "Access-Control-Allow-Methods: OPTIONS")
    outcome = fetch(server(resp(200, ACAO_ANY), preflight), method="options")
    assert [e.kind for e in outcome.exchanges] == ["preflight", "actual"]
    assert [e.request.method for e in outcome.exchanges] == ["OPTIONS", "OPTIONS"]
    assert "Access-Control-Request-Method" not in outcome.actual.request.headers


def enum_member(kind, value):
    """A member holding ``value`` of a ``class M(str, Enum)`` or of an ``enum.StrEnum``."""
    if kind == "StrEnum":
        if not hasattr(enum, "StrEnum"):
            pytest.skip("enum.StrEnum is Python 3.11+")
        return enum.StrEnum("Method", {"M": value}).M
    return enum.Enum("Method", {"M": value}, type=str).M


@pytest.mark.parametrize(
    ("kind", "value", "sent"),
    [
        ("mixin", "DELETE", "DELETE"),
        ("mixin", "PATCH", "PATCH"),
        ("mixin", "put", "PUT"),
        ("StrEnum", "DELETE", "DELETE"),
        ("StrEnum", "patch", "patch"),
    ],
)
def test_a_str_enum_member_is_its_value_not_its_name(kind, value, sent):
    """``str()`` of a ``class Method(str, Enum)`` member is ``"Method.M"``: fetch() gets the
    member's value."""
    member = enum_member(kind, value)
    normalised = normalize_method(member)
    assert (normalised, type(normalised)) == (sent, str)
    preflight = resp(204, ACAO_ANY, f"Access-Control-Allow-Methods: {sent}")
    outcome = fetch(server(resp(200, ACAO_ANY), preflight), method=member)
    assert outcome.allowed
    assert outcome.request.method == sent
    assert [e.request.method for e in outcome.exchanges] == ["OPTIONS", sent]
    assert outcome.preflight.request.headers.get("Access-Control-Request-Method") == sent


def test_a_forbidden_method_as_a_str_enum_member_is_still_forbidden():
    with pytest.raises(CorsUsageError, match="'trace' HTTP method is unsupported"):
        normalize_method(enum_member("mixin", "trace"))
