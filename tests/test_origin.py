import pytest

from pytest_cors.errors import CorsUsageError
from pytest_cors.origin import NULL_ORIGIN, Origin, is_valid_url_value, origin_of_url, parse_origin


@pytest.mark.parametrize(
    ("url", "serialized"),
    [
        ("https://app.example.com/items?x=1#f", "https://app.example.com"),
        ("HTTPS://APP.Example.COM", "https://app.example.com"),
        ("https://a.com:443/", "https://a.com"),
        ("http://a.com:80", "http://a.com"),
        ("http://a.com:8080", "http://a.com:8080"),
        ("https://a.com:80", "https://a.com:80"),
        ("http://user:pw@a.com:81/", "http://a.com:81"),
        ("https://Bücher.Example", "https://xn--bcher-kva.example"),
        ("http://[0:0:0:0:0:0:0:1]:3000", "http://[::1]:3000"),
        ("http://127.000.000.001", "http://127.0.0.1"),
        ("https://example.com.", "https://example.com."),
        ("data:text/plain,hi", "null"),
    ],
)
def test_origin_of_url_serialises_like_the_url_parser(url, serialized):
    assert origin_of_url(url).serialize() == serialized


def test_same_origin_needs_scheme_host_and_port():
    a = origin_of_url("https://a.com")
    assert a.same_origin(origin_of_url("https://a.com:443/x"))
    assert not a.same_origin(origin_of_url("http://a.com"))
    assert not a.same_origin(origin_of_url("https://a.com:8443"))
    assert not a.same_origin(origin_of_url("https://b.a.com"))
    assert not NULL_ORIGIN.same_origin(NULL_ORIGIN)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("https://app.example.com/", "https://app.example.com"),
        ("https://app.example.com/path", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("HTTPS://App.example.com", "https://app.example.com"),
    ],
)
def test_parse_origin_rejects_impossible_spellings_with_the_fix(text, suggestion):
    with pytest.raises(CorsUsageError, match="did you mean") as info:
        parse_origin(text)
    assert repr(suggestion) in str(info.value)


def test_parse_origin_accepts_null_and_tuples():
    assert parse_origin("null") is NULL_ORIGIN
    assert parse_origin("http://localhost:3000") == Origin("http", "localhost", 3000)
    with pytest.raises(CorsUsageError, match="no scheme"):
        parse_origin("app.example.com")


@pytest.mark.parametrize(
    ("value", "valid"),
    [("https://a.com", True), ("https://a.com/", True), ("a.com", False), ("", False),
     ("NULL", False), ("https://*.a.com", True), ("foo:bar", True)],
)
def test_allow_origin_value_validity(value, valid):
    assert is_valid_url_value(value) is valid
