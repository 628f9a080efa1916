"""What the page can read from a CORS response (reference §7)."""

import pytest

from .drive import ACAC_TRUE, ACAO_ANY, ACAO_PAGE, fetch, resp, server

SAFELISTED = {
    "cache-control": "no-cache",
    "content-language": "en",
    "content-length": "2",
    "content-type": "text/plain",
    "expires": "0",
    "last-modified": "Tue, 01 Jan 2030 00:00:00 GMT",
    "pragma": "no-cache",
}
OTHERS = {
    "etag": '"v1"',
    "location": "/next",
    "link": "</p2>; rel=next",
    "date": "Tue, 01 Jan 2030 00:00:00 GMT",
    "server": "demo",
    "x-request-id": "42",
    "content-disposition": "attachment",
    "content-encoding": "identity",
    "www-authenticate": "Bearer",
    "retry-after": "5",
    "content-range": "bytes 0-1/2",
    "accept-ranges": "bytes",
    "vary": "Origin",
}
RICH = [f"{k}: {v}" for k, v in {**SAFELISTED, **OTHERS}.items()] + [
    "Set-Cookie: s=1",
    "Set-Cookie2: s=2",
]


def readable(*lines, credentials="omit", browser="chromium", acao=ACAO_ANY, method="GET"):
    acao_lines = [acao, ACAC_TRUE] if credentials == "include" else [acao]
    outcome = fetch(
        server(resp(200, *acao_lines, *lines)),
        credentials=credentials,
        browser=browser,
        method=method,
    )
    assert outcome.allowed, outcome.explain()
    return outcome.readable_headers


@pytest.mark.parametrize("browser", ["chromium", "spec", "firefox", "safari"])
def test_without_expose_headers_only_the_seven_safelisted_names(browser):
    assert readable(*RICH, browser=browser) == SAFELISTED


@pytest.mark.parametrize(
    ("aceh", "extra"),
    [
        (["ETag"], {"etag"}),
        (["etag, X-Request-Id"], {"etag", "x-request-id"}),
        (["ETAG"], {"etag"}),
        (["  etag ,, , x-request-id ,"], {"etag", "x-request-id"}),
        (["etag", "x-request-id"], {"etag", "x-request-id"}),
        (["etag, x-absent"], {"etag"}),
        ([""], set()),
        (["etag x-request-id"], set()),  # space-separated: the whole header fails
        (["etag, X(Other)"], set()),
        (["etag;"], set()),
        (["Set-Cookie"], set()),
        (["set-cookie, set-cookie2, etag"], {"etag"}),
        (["etag", "bad value"], set()),
    ],
)
@pytest.mark.parametrize("credentials", ["omit", "include"])
def test_expose_headers_lists_names(credentials, aceh, extra):
    lines = [f"Access-Control-Expose-Headers: {v}" for v in aceh]
    got = readable(*RICH, *lines, credentials=credentials, acao=ACAO_PAGE)
    expected = set(SAFELISTED) | extra
    assert set(got) == expected
    assert "set-cookie" not in got


def test_wildcard_exposes_everything_but_set_cookie_without_credentials():
    got = readable(*RICH, "Access-Control-Expose-Headers: *")
    assert set(got) == set(SAFELISTED) | set(OTHERS) | {
        "access-control-allow-origin",
        "access-control-expose-headers",
    }
    assert "set-cookie" not in got
    assert "set-cookie2" not in got
    head = readable(*RICH, "Access-Control-Expose-Headers: *", method="HEAD")
    assert head == got


def test_wildcard_among_names_still_hides_set_cookie():
    got = readable(*RICH, "Access-Control-Expose-Headers: *, set-cookie")
    assert "set-cookie" not in got
    assert "etag" in got


@pytest.mark.parametrize(
    ("aceh", "extra"),
    [
        ("*", set()),
        ("*, X-Custom", {"x-custom"}),
    ],
)
def test_wildcard_is_literal_with_credentials(aceh, extra):
    got = readable(
        *RICH,
        "X-Custom: 1",
        f"Access-Control-Expose-Headers: {aceh}",
        credentials="include",
        acao=ACAO_PAGE,
    )
    assert set(got) == set(SAFELISTED) | extra


def test_a_header_literally_named_star_is_exposed_with_credentials():
    got = readable(
        "*: star", "Access-Control-Expose-Headers: *", credentials="include", acao=ACAO_PAGE
    )
    assert got == {"*": "star"}


def test_values_are_trimmed_duplicates_joined_names_lower_cased():
    got = readable(
        "X-Dup: 1",
        "x-dup:  2 ",
        "X-High: caf\xe9",
        "Access-Control-Expose-Headers: X-DUP, x-high",
    )
    assert got == {"x-dup": "1, 2", "x-high": "caf\xe9"}


@pytest.mark.parametrize(
    ("browser", "joined"), [("chromium", "a, b"), ("spec", "a, b"), ("firefox", "a,b")]
)
def test_two_content_type_lines_join_per_profile(browser, joined):
    assert readable("Content-Type: a", "Content-Type: b", browser=browser) == {
        "content-type": joined
    }


def test_expose_headers_on_the_preflight_has_no_effect():
    preflight = resp(
        204, ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Expose-Headers: etag"
    )
    outcome = fetch(server(resp(200, ACAO_ANY, 'ETag: "x"'), preflight), method="PUT")
    assert outcome.allowed
    assert "etag" not in outcome.readable_headers


def test_a_blocked_fetch_reads_nothing():
    outcome = fetch(server(resp(200, "X-A: 1", "Access-Control-Expose-Headers: *")))
    assert not outcome.allowed
    assert outcome.readable_headers == {}
