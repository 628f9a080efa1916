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
    [
        ("https://a.com", True),
        ("https://a.com/", True),
        ("a.com", False),
        ("", False),
        ("NULL", False),
        ("https://*.a.com", True),
        ("foo:bar", True),
    ],
)
def test_allow_origin_value_validity(value, valid):
    assert is_valid_url_value(value) is valid


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "must be a string"),
        (42, "must be a string"),
        ("", "is empty, and an origin cannot be"),
        ("//app.example.com", "no scheme"),
        ("file:///tmp/x", "scheme 'file'"),
        ("data://x", "scheme 'data'"),
        ("https://", "not valid"),
        ("https://a b.com", "not valid"),
        ("https://a.com:99999", "not valid"),
        ("https://a.com:x", "not valid"),
        ("http://[::1", "not valid"),
        ("http://[zz::1]", "not valid"),
        ("https://a.com.", None),
        ("NULL", "written 'null', in lower case"),
        ("https://user@a.com", "did you mean 'https://a.com'"),
        ("https://a.com?x", "did you mean 'https://a.com'"),
    ],
)
def test_parse_origin_usage_errors_say_what_is_accepted(text, message):
    if message is None:
        assert parse_origin(text).serialize() == text
        return
    with pytest.raises(CorsUsageError, match=message):
        parse_origin(text)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://1.2.3.4./", "1.2.3.4"),
        ("http://[0:0::ABCD]/", "[::abcd]"),
        ("http://[::ffff:1.2.3.4]/", "[::ffff:102:304]"),
        ("http://EXAMPLE.com/", "example.com"),
        ("http://1.2.3.256x/", "1.2.3.256x"),
        ("http://0x/", "0.0.0.0"),
        ("http://4294967295/", "255.255.255.255"),
        ("http://a.0x1g/", "a.0x1g"),
        ("http://１２７.０.０.１/", "127.0.0.1"),
    ],
)
def test_hosts_are_canonical(url, host):
    assert origin_of_url(url).host == host


@pytest.mark.parametrize(
    "url",
    [
        "http://256.256.256.256/",
        "http://1.2.3.4.5/",
        "http://1.+2.3.4/",
        "http://1..3.4/",
        "http://09.1/",
        "http://4294967296/",
    ],
)
def test_out_of_range_ipv4_is_not_a_domain_either(url):
    # The URL parser fails on a host that ends in a number but is not a valid IPv4 address.
    with pytest.raises(ValueError, match="IPv4"):
        origin_of_url(url)


def test_opaque_origins_are_never_same_origin_and_serialise_as_null():
    assert NULL_ORIGIN.opaque
    assert str(NULL_ORIGIN) == "null"
    assert origin_of_url("blob:https://a.com/x").opaque
    assert not origin_of_url("data:,x").same_origin(origin_of_url("data:,x"))


def test_an_origin_with_user_and_password_is_refused_without_echoing_them():
    with pytest.raises(CorsUsageError) as info:
        parse_origin("https://alice:s3cret@app.example.com")
    message = str(info.value)
    assert "s3cret" not in message and "alice" not in message
    assert "'https://<redacted>@app.example.com' contains user:password@" in message


ASCII_PORT = "the port must be ASCII digits (0-9)"
MISSPELT = [
    # a scheme missing its '//': never 'https://https'
    (
        "https:/app.example.com",
        "needs '//' after 'https:'; did you mean 'https://app.example.com'?",
    ),
    ("https:app.example.com", "did you mean 'https://app.example.com'?"),
    ("HTTP:/App.Example.com:8080/x", "did you mean 'http://app.example.com:8080'?"),
    ("https:/", "needs '//' after 'https:', and is not valid with it either (empty host)"),
    ("mailto:/x", "has scheme 'mailto'; only http(s)/ws(s)/ftp origins are tuples"),
    # the opaque origin in another case: never 'https://null'
    ("NULL", "origin 'NULL' is not how a browser writes the opaque origin: it is written 'null'"),
    ("Null", "it is written 'null', in lower case"),
    # a wildcard or nothing: never 'https://*'
    ("*", "origin '*' is a wildcard, and an origin cannot be one: '*' belongs in the "),
    ("*", "'*' belongs in the Access-Control-Allow-Origin response header, while a request's"),
    ("", "origin '' is empty, and an origin cannot be"),
    ("  ", "is empty, and an origin cannot be"),
    # a port in other digits than ASCII: no suggestion, a refusal
    ("https://a.example:８０８０", f"has an invalid port '８０８０': {ASCII_PORT}"),
    ("https://a.example:٨٠٨٠", f"has an invalid port '٨٠٨٠': {ASCII_PORT}"),
    ("a.example:٨٠", "has no scheme, and is not valid with one either ('https://a.example:٨٠' "),
    ("a.example:٨٠", f"has an invalid port '٨٠': {ASCII_PORT})"),
    # an unclosed IPv6 bracket says so
    ("http://[::1", "has a '[' without its ']' (or the reverse); an IPv6 host is written in "),
]


@pytest.mark.parametrize(("text", "message"), MISSPELT)
def test_misspelt_origins_get_the_right_fix_or_none(text, message):
    with pytest.raises(CorsUsageError) as info:
        parse_origin(text)
    said = str(info.value)
    assert message in said
    for wrong in ("'https://https", "'https://null'", "'https://*'", "'https://a.example:8080'"):
        assert wrong not in said


@pytest.mark.parametrize("port", ["８０８０", "٨٠٨٠", "²"])
def test_a_port_of_non_ascii_digits_is_not_a_url_port(port):
    with pytest.raises(ValueError, match="the port must be ASCII digits"):
        origin_of_url(f"https://a.example:{port}/")
    assert not is_valid_url_value(f"https://a.example:{port}")


# UTS #46 as the URL Standard and browsers apply it (measured in Chromium and Firefox: see
# tests/conformance/test_idna.py): no transitional mapping of ß and ς, symbols allowed, the
# joiner and bidi rules checked, hyphens and label lengths not.
@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://straße.de/", "xn--strae-oqa.de"),
        ("https://faß.de/", "xn--fa-hia.de"),
        ("https://ẞ.com/", "xn--zca.com"),
        ("https://ς.com/", "xn--3xa.com"),
        ("https://ΣΑΣ.com/", "xn--mxa9ab.com"),
        ("https://☃.net/", "xn--n3h.net"),
        ("https://a\u00b7b.com/", "xn--ab-0ea.com"),
        ("https://ＡＢＣ.com/", "abc.com"),
        ("https://a\u3002b.com/", "a.b.com"),
        ("https://ex\u00adample.com/", "example.com"),
        ("https://\u0915\u094d\u200d\u0937.com/", "xn--11b2ezcw70k.com"),
        ("https://\u0628\u200c\u0628.com/", "xn--ngba799q.com"),
        ("https://\u05d0\u05d1\u05d2123.com/", "xn--123-ppefg.com"),
        ("https://XN--STRAE-OQA.de/", "xn--strae-oqa.de"),
        ("https://-leading.com/", "-leading.com"),
        ("https://ab--c.com/", "ab--c.com"),
        ("https://a..b.com/", "a..b.com"),
        ("https://%c3%a9.com/", "xn--9ca.com"),
        ("https://%41.com/", "a.com"),
        (f"https://{'x' * 300}/", "x" * 300),
    ],
)
def test_international_hosts_are_mapped_as_browsers_map_them(url, host):
    assert origin_of_url(url).host == host


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("a\u200db.com", "U+200D ZERO WIDTH JOINER in label 'a\\u200db' is only allowed after"),
        ("a\u200cb.com", "U+200C ZERO WIDTH NON-JOINER in label 'a\\u200cb' is only allowed"),
        ("\u0301a.com", "starts with the combining mark U+0301 COMBINING ACUTE ACCENT"),
        ("\u2488.com", "browsers refuse U+2488 DIGIT ONE FULL STOP in a host"),
        ("123\u05d0\u05d1.com", "label '123אב' breaks the bidi rule of RFC 5893"),
        ("\u05d0\u05d1.1com", "label '1com' breaks the bidi rule"),
        ("xn--abc.com", "label 'xn--abc' decodes to '\\x82\\x81\\x80', which a browser would"),
        ("xn--ab-.com", "label 'xn--ab-' encodes no non-ASCII character"),
        ("a\u00a0b.com", "contains a character a URL host cannot have"),
        ("a%2541.com", "contains a character a URL host cannot have"),
        ("%e9.com", "is not UTF-8 once its %XX escapes are decoded"),
        ("\u00ad", "is empty once the characters browsers ignore are dropped"),
    ],
)
def test_a_host_a_browser_refuses_is_a_usage_error_saying_why(host, message):
    with pytest.raises(CorsUsageError) as info:
        parse_origin(f"https://{host}")
    said = str(info.value)
    assert said.startswith(f"origin {f'https://{host}'!r} is not valid: host ")
    assert message in said
    assert "did you mean" not in said


def test_an_international_origin_is_refused_with_the_spelling_a_browser_sends():
    with pytest.raises(CorsUsageError) as info:
        parse_origin("https://straße.de")
    assert "did you mean 'https://xn--strae-oqa.de'?" in str(info.value)
    assert parse_origin("https://xn--strae-oqa.de").host == "xn--strae-oqa.de"
    with pytest.raises(CorsUsageError) as info:
        parse_origin("ς.com")
    assert "has no scheme; a browser sends e.g. 'https://xn--3xa.com'" in str(info.value)
