"""Redirects as ``fetch()`` follows them (reference §1.4, §8)."""

import itertools

import pytest

from .drive import ACAC_TRUE, ACAO_ANY, ACAO_PAGE, PAGE, code, fetch, resp, routes

A = "https://app.example.com"  # the page's own origin
B = "https://api.example.org"
C = "https://other.example.com"
ALLOW_PUT = resp(
    204, ACAO_ANY, "Access-Control-Allow-Methods: *", "Access-Control-Allow-Headers: *"
)


def hop(status, location, *lines):
    return resp(status, f"Location: {location}", *lines)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_followed_with_a_cors_check_on_each_hop(status):
    outcome = fetch(
        routes(
            {
                f"{B}/r": hop(status, f"{B}/s", ACAO_ANY),
                f"{B}/s": resp(200, ACAO_ANY, "Content-Type: text/plain"),
            }
        )
    )
    assert outcome.allowed
    assert outcome.redirected
    assert outcome.url == f"{B}/s"
    assert outcome.status == 200
    assert [e.request.url for e in outcome.exchanges] == [f"{B}/r", f"{B}/s"]
    assert outcome.readable_headers == {"content-type": "text/plain"}


def test_a_relative_location_resolves_against_the_current_url():
    outcome = fetch(
        routes(
            {f"{B}/a/r": hop(302, "../s?x=1#frag", ACAO_ANY), f"{B}/s?x=1": resp(200, ACAO_ANY)}
        ),
        f"{B}/a/r",
    )
    assert outcome.allowed
    assert outcome.url == f"{B}/s?x=1"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_without_acao_fails_before_the_location_is_fetched(status):
    outcome = fetch(routes({f"{B}/r": hop(status, f"{B}/s")}))
    assert code(outcome) == "MissingAllowOriginHeader"
    assert len(outcome.exchanges) == 1
    assert outcome.failure.message.startswith(f"Access to fetch at '{B}/r' from origin '{PAGE}'")


def test_a_redirect_with_credentials_needs_acac_true():
    outcome = fetch(routes({f"{B}/r": hop(302, f"{B}/s", ACAO_PAGE)}), credentials="include")
    assert code(outcome) == "InvalidAllowCredentials"


@pytest.mark.parametrize(
    ("status", "lines"),
    [
        (302, []),  # no Location: the 3xx is the final response
        (301, ["Location:"]),  # empty Location: same
        (300, [f"Location: {B}/s"]),  # not a redirect status
        (304, [f"Location: {B}/s"]),
    ],
)
def test_a_3xx_that_is_no_redirect_is_the_final_response(status, lines):
    outcome = fetch(routes({f"{B}/r": resp(status, ACAO_ANY, *lines)}))
    assert outcome.allowed
    assert outcome.status == status
    assert not outcome.redirected


def test_the_first_non_empty_location_counts():
    outcome = fetch(
        routes(
            {
                f"{B}/r": resp(302, ACAO_ANY, "Location:", f"Location: {B}/s", f"Location: {B}/t"),
                f"{B}/s": resp(200, ACAO_ANY),
            }
        )
    )
    assert outcome.url == f"{B}/s"


@pytest.mark.parametrize(
    ("method", "status", "after"),
    [
        ("POST", 301, "GET"),
        ("POST", 302, "GET"),
        ("POST", 303, "GET"),
        ("PUT", 303, "GET"),
        ("DELETE", 303, "GET"),
        ("POST", 307, "POST"),
        ("POST", 308, "POST"),
        ("PUT", 301, "PUT"),
        ("PUT", 302, "PUT"),
        ("PUT", 307, "PUT"),
        ("HEAD", 303, "HEAD"),
        ("GET", 303, "GET"),
    ],
)
def test_method_and_body_rewrite(method, status, after):
    body = None if method in ("GET", "HEAD") else "payload"
    headers = {"Content-Language": "en", "X-Keep": "1"}
    if body is not None:
        headers["Content-Type"] = "text/plain"
    outcome = fetch(
        routes(
            {
                f"{B}/r": (hop(status, f"{B}/s", ACAO_ANY), ALLOW_PUT),
                f"{B}/s": (resp(200, ACAO_ANY), ALLOW_PUT),
            }
        ),
        method=method,
        headers=headers,
        body=body,
    )
    assert outcome.allowed, outcome.explain()
    final = outcome.actual.request
    assert final.method == after
    rewritten = after != method
    assert (final.body is None) is (rewritten or body is None)
    for name in ("Content-Type", "Content-Language"):
        expected = not rewritten and (name == "Content-Language" or body is not None)
        assert (name in final.headers) is expected
    assert final.headers.get("X-Keep") == "1"


def test_body_headers_all_removed_on_rewrite():
    headers = {
        "Content-Type": "text/plain",
        "Content-Language": "en",
        "Content-Encoding": "gzip",
        "Content-Location": "/x",
        "X-Keep": "1",
    }
    outcome = fetch(
        routes(
            {
                f"{B}/r": (hop(303, f"{B}/s", ACAO_ANY), ALLOW_PUT),
                f"{B}/s": (resp(200, ACAO_ANY), ALLOW_PUT),
            }
        ),
        method="POST",
        headers=headers,
        body="x",
    )
    final = outcome.actual.request
    assert [n for n, _ in final.headers if n != "Origin" and n != "Accept"] == ["X-Keep"]


@pytest.mark.parametrize(
    ("target", "kept"),
    [(f"{B}/s", True), (f"{C}/s", False), (f"{B}:8443/s", False)],
)
def test_authorization_is_dropped_on_a_cross_origin_hop(target, kept):
    outcome = fetch(
        routes(
            {
                f"{B}/r": (hop(307, target, ACAO_ANY), ALLOW_PUT),
                target: (resp(200, ACAO_ANY), ALLOW_PUT),
            }
        ),
        headers={"Authorization": "Bearer t"},
    )
    assert outcome.allowed, outcome.explain()
    assert ("Authorization" in outcome.actual.request.headers) is kept
    assert len(outcome.preflights) == (2 if kept else 1)


# §1.4: the Origin each request carries along a chain of URLs.
@pytest.mark.parametrize(
    ("chain", "origins"),
    [
        ([f"{A}/1", f"{B}/2"], [None, A]),
        ([f"{A}/1", f"{A}/2", f"{B}/3"], [None, None, A]),
        ([f"{B}/1", f"{B}/2"], [A, A]),
        ([f"{B}/1", f"{C}/2"], [A, "null"]),
        ([f"{B}/1", f"{A}/2"], [A, "null"]),
        ([f"{B}/1", f"{A}/2", f"{B}/3"], [A, "null", "null"]),
        ([f"{A}/1", f"{B}/2", f"{A}/3", f"{B}/4"], [None, A, "null", "null"]),
        ([f"{B}/1", "https://api.example.org:444/2", f"{B}/3"], [A, "null", "null"]),
    ],
)
def test_redirect_taint(chain, origins):
    table = {url: hop(302, nxt, ACAO_ANY) for url, nxt in itertools.pairwise(chain)}
    table[chain[-1]] = resp(200, ACAO_ANY)
    outcome = fetch(routes(table), chain[0])
    assert outcome.allowed, outcome.explain()
    assert [e.request.headers.get("Origin") for e in outcome.exchanges] == origins
    # same-origin only when CORS never applied along the way
    assert outcome.same_origin is all(url.startswith(A) for url in chain)


@pytest.mark.parametrize(
    ("acao", "acac", "credentials", "error"),
    [
        ("null", None, "omit", None),
        ("*", None, "omit", None),
        ("null", "true", "include", None),
        ("null", None, "include", "InvalidAllowCredentials"),
        ("*", "true", "include", "WildcardOriginNotAllowed"),
        (PAGE, None, "omit", "AllowOriginMismatch"),
        (PAGE, "true", "include", "AllowOriginMismatch"),
    ],
)
def test_after_taint_the_server_must_allow_null(acao, acac, credentials, error):
    first = [ACAO_PAGE, ACAC_TRUE]
    final = [f"Access-Control-Allow-Origin: {acao}"]
    if acac:
        final.append(f"Access-Control-Allow-Credentials: {acac}")
    outcome = fetch(
        routes({f"{B}/r": hop(302, f"{C}/s", *first), f"{C}/s": resp(200, *final)}),
        credentials=credentials,
    )
    assert code(outcome) == error
    if error:
        # The console names the page's origin even though Origin: null was sent (E2).
        assert outcome.failure.message.startswith(
            f"Access to fetch at '{C}/s' (redirected from '{B}/r') from origin '{PAGE}'"
        )
        assert outcome.actual.request.headers.get("Origin") == "null"


def test_a_later_3xx_hop_after_taint_also_needs_null():
    outcome = fetch(
        routes(
            {
                f"{B}/1": hop(302, f"{C}/2", ACAO_PAGE),
                f"{C}/2": hop(302, f"{B}/3", ACAO_PAGE),
                f"{B}/3": resp(200, ACAO_ANY),
            }
        ),
        f"{B}/1",
    )
    assert code(outcome) == "AllowOriginMismatch"
    assert outcome.failure.failed_parameter == PAGE
    assert len(outcome.exchanges) == 2


def test_a_redirect_back_to_the_page_origin_stays_cors():
    outcome = fetch(routes({f"{B}/1": hop(302, f"{A}/2", ACAO_ANY), f"{A}/2": resp(200)}), f"{B}/1")
    assert code(outcome) == "MissingAllowOriginHeader"


def test_twenty_redirects_are_followed_the_twenty_first_fails():
    def chain(n):
        table = {f"{B}/{i}": hop(302, f"{B}/{i + 1}", ACAO_ANY) for i in range(n)}
        table[f"{B}/{n}"] = resp(200, ACAO_ANY)
        return fetch(routes(table), f"{B}/0")

    ok = chain(20)
    assert ok.allowed
    assert len(ok.exchanges) == 21
    too_many = chain(21)
    assert not too_many.allowed
    assert too_many.failure.chromium_error is None
    assert too_many.failure.step == "redirect"
    assert len(too_many.exchanges) == 21, "the 22nd URL is never requested"


@pytest.mark.parametrize(
    ("start", "location", "blocked"),
    [
        (f"{B}/r", f"https://u:p@{C[8:]}/s", True),
        (f"{B}/r", "https://u:p@api.example.org/s", True),  # tainting is already cors
        (f"{B}/r", "https://user@api.example.org/s", True),
        (f"{A}/r", "https://u:p@api.example.org/s", True),  # cross-origin target
        (f"{A}/r", "https://u:p@app.example.com/s", False),  # same-origin, still basic
    ],
)
def test_userinfo_in_location(start, location, blocked):
    table = {start: hop(302, location, ACAO_ANY), location: resp(200, ACAO_ANY)}
    outcome = fetch(routes(table), start)
    assert outcome.allowed is not blocked
    if blocked:
        assert code(outcome) == "RedirectContainsCredentials"
        assert outcome.failure.message.endswith(
            "Redirect location '' contains a username and password, which is disallowed for "
            "cross-origin requests."
        )
        assert len(outcome.exchanges) == 1


@pytest.mark.parametrize(
    "location",
    [
        "data:text/plain,hi",
        "ftp://api.example.org/f",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://[::1",
    ],
)
def test_a_non_http_location_is_a_network_error(location):
    outcome = fetch(routes({f"{B}/r": hop(302, location, ACAO_ANY)}))
    assert not outcome.allowed
    assert outcome.failure.step == "redirect"
    assert outcome.failure.chromium_error is None
    assert len(outcome.exchanges) == 1


@pytest.mark.parametrize("status", [302, 307])
def test_a_preflighted_request_preflights_again_at_the_new_url(status):
    outcome = fetch(
        routes(
            {
                f"{B}/r": (hop(status, f"{B}/s", ACAO_ANY), ALLOW_PUT),
                f"{B}/s": (resp(200, ACAO_ANY), ALLOW_PUT),
            }
        ),
        method="PUT",
    )
    assert outcome.allowed
    assert [(e.kind, e.request.url) for e in outcome.exchanges] == [
        ("preflight", f"{B}/r"),
        ("actual", f"{B}/r"),
        ("preflight", f"{B}/s"),
        ("actual", f"{B}/s"),
    ]
    assert {e.request.headers.get("Origin") for e in outcome.exchanges} == {PAGE}


@pytest.mark.parametrize(
    ("browser", "preflight_origin"),
    [("chromium", "null"), ("spec", "null"), ("safari", "null"), ("firefox", PAGE)],
)
def test_the_preflight_after_a_cross_origin_hop_carries_its_own_origin(browser, preflight_origin):
    allow = resp(
        204, f"Access-Control-Allow-Origin: {preflight_origin}", "Access-Control-Allow-Methods: PUT"
    )
    outcome = fetch(
        routes(
            {
                f"{B}/r": (hop(307, f"{C}/s", ACAO_ANY), ALLOW_PUT),
                f"{C}/s": (resp(200, "Access-Control-Allow-Origin: null"), allow),
            }
        ),
        method="PUT",
        browser=browser,
    )
    assert outcome.allowed, outcome.explain()
    assert outcome.preflights[1].request.headers.get("Origin") == preflight_origin
    assert outcome.actual.request.headers.get("Origin") == "null"


def test_the_new_preflight_alone_decides():
    outcome = fetch(
        routes(
            {
                f"{B}/r": (hop(307, f"{C}/s", ACAO_ANY), ALLOW_PUT),
                f"{C}/s": (resp(200, ACAO_ANY), resp(204, ACAO_ANY)),
            }
        ),
        headers={"X-A": "1"},
    )
    assert code(outcome) == "HeaderDisallowedByPreflightResponse"
    assert outcome.failure.failed_parameter == "x-a"
    assert outcome.failure.step == "preflight"


def test_same_origin_request_preflights_once_it_goes_cross_origin():
    outcome = fetch(
        routes({f"{A}/r": hop(307, f"{B}/s"), f"{B}/s": (resp(200, ACAO_ANY), ALLOW_PUT)}),
        f"{A}/r",
        method="PUT",
    )
    assert outcome.allowed, outcome.explain()
    assert [e.kind for e in outcome.exchanges] == ["actual", "preflight", "actual"]
    assert outcome.preflight.request.headers.get("Origin") == PAGE
