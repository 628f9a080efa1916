"""Plain HTTP values: header lists keep duplicates, order and spelling; secrets redact."""

import pytest

from pytest_cors.http import Exchange, Headers, Request, Response


def test_headers_keep_order_duplicates_and_spelling():
    h = Headers([("X-A", "1"), ("x-a", "2"), ("Vary", "Origin")])
    assert list(h) == [("X-A", "1"), ("x-a", "2"), ("Vary", "Origin")]
    assert h.items() == (("X-A", "1"), ("x-a", "2"), ("Vary", "Origin"))
    assert len(h) == 3
    assert h.get_all("X-A") == ["1", "2"]
    assert h.get_all("missing") == []


@pytest.mark.parametrize(
    ("source", "pairs"),
    [
        (None, []),
        ({"A": "1", "B": "2"}, [("A", "1"), ("B", "2")]),
        ([("A", "1"), ("A", "2")], [("A", "1"), ("A", "2")]),
        ((("A", "1"),), [("A", "1")]),
        (Headers([("A", "1")]), [("A", "1")]),
    ],
)
def test_headers_from_mappings_pairs_and_headers(source, pairs):
    assert list(Headers(source)) == pairs


def test_get_joins_trimmed_values_like_fetch():
    h = Headers([("ACAO", " a "), ("acao", "\tb"), ("acao", "")])
    assert h.get("Acao") == "a, b, "
    assert h.get("missing") is None
    assert h.get("missing", "d") == "d"


def test_contains_is_case_insensitive_and_type_safe():
    h = Headers({"Content-Type": "x"})
    assert "content-type" in h
    assert "CONTENT-TYPE" in h
    assert "content" not in h
    assert 42 not in h


def test_headers_are_immutable_values():
    h = Headers([("A", "1")])
    h2 = h.with_header("B", "2")
    assert list(h) == [("A", "1")]
    assert list(h2) == [("A", "1"), ("B", "2")]
    assert list(h2.without("a")) == [("B", "2")]
    assert h == Headers([("A", "1")])
    assert h != Headers([("a", "1")])
    assert h != [("A", "1")]
    assert hash(h) == hash(Headers([("A", "1")]))
    assert not Headers()
    assert Headers([("A", "")])
    assert repr(h) == "Headers([('A', '1')])"


@pytest.mark.parametrize(
    "name", ["Authorization", "cookie", "Set-Cookie", "PROXY-AUTHORIZATION", "Set-Cookie "]
)
def test_secret_values_are_redacted(name):
    h = Headers([(name, "s3cret"), ("X-A", "visible")])
    redacted = h.redacted()
    assert redacted[0] == (name, "<redacted: 6 bytes>")
    assert redacted[1] == ("X-A", "visible")
    assert "s3cret" not in repr(redacted)


def test_request_response_exchange_defaults():
    req = Request("GET", "https://a.example/")
    assert req.headers == Headers()
    assert req.body is None
    resp = Response(204)
    assert resp.headers == Headers()
    assert resp.body == b""
    assert resp.reason == ""
    ex = Exchange(req, resp)
    assert ex.kind == "actual"
    with pytest.raises(AttributeError):
        req.method = "PUT"  # frozen


def test_head_size_counts_the_wire_bytes_of_any_header_list():
    from pytest_cors.http import head_size

    lines = [("X-A", "1"), ("x-a", "22"), ("Vary", "Origin"), ("X-E", "\xe9")]
    expected = (
        len("HTTP/1.1 404 Not Found\r\n") + sum(len(k) + 2 + len(v) + 2 for k, v in lines) + 2
    )
    assert head_size(Response(404, Headers(lines), reason="Not Found")) == expected
    assert head_size(Response(404, lines, reason="Not Found")) == expected  # type: ignore[arg-type]
    assert head_size(Response(200)) == len("HTTP/1.1 200 \r\n") + 2
