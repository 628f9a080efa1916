"""Redirects as ``fetch()`` follows them (reference §1.4, §8)."""

import itertools

import pytest

from .drive import ACAC_TRUE, ACAO_ANY, ACAO_PAGE, PAGE, code, fetch, resp, routes, without_added

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
    kept = [n for n, _ in without_added(final) if n != "Origin" and n != "Accept"]
    assert kept == ["X-Keep"]


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


def _preflights(outcome):
    """(URL path, ACRM, ACRH) of every preflight sent."""
    return [
        (
            e.request.url.rsplit("/", 1)[1],
            e.request.headers.get("Access-Control-Request-Method"),
            e.request.headers.get("Access-Control-Request-Headers"),
        )
        for e in outcome.preflights
    ]


def _chain(start, *hops):
    """``start`` -> ``hops`` as (status, URL) redirects; every URL allows everything."""
    table = {}
    urls = [start, *[url for _, url in hops]]
    for (status, _), here, there in zip(hops, urls, urls[1:], strict=False):
        table[here] = (hop(status, there, ACAO_ANY), ALLOW_PUT)
    table[urls[-1]] = (resp(200, ACAO_ANY), ALLOW_PUT)
    return routes(table)


JSON = {"Content-Type": "application/json"}
AUTH = {"Authorization": "Bearer t"}


# Random hardening R1 (Firefox 153, seed 27776277 rnd-186 and fixed scenarios redir-0xx):
# Firefox decides "needs a preflight" from the script's request and keeps it for the whole
# redirect chain; the later preflights name the script's unsafe headers less those the latest
# redirect removed (body headers on a 303/POST rewrite, Authorization on a cross-origin hop).
@pytest.mark.parametrize(
    ("title", "start", "method", "headers", "hops", "firefox", "chromium"),
    [
        ("PUT 303 same origin", f"{B}/r", "PUT", None, [(303, f"{B}/s")],
         [("r", "PUT", None), ("s", "GET", None)], [("r", "PUT", None)]),
        ("DELETE 303 cross origin", f"{B}/r", "DELETE", None, [(303, f"{C}/s")],
         [("r", "DELETE", None), ("s", "GET", None)], [("r", "DELETE", None)]),
        ("POST json 302", f"{B}/r", "POST", JSON, [(302, f"{B}/s")],
         [("r", "POST", "content-type"), ("s", "GET", None)], [("r", "POST", "content-type")]),
        ("POST json+X 303", f"{B}/r", "POST", {**JSON, "X-A": "1"}, [(303, f"{B}/s")],
         [("r", "POST", "content-type,x-a"), ("s", "GET", "x-a")],
         [("r", "POST", "content-type,x-a"), ("s", "GET", "x-a")]),
        ("POST json 303 then 302: the second hop names content-type again", f"{B}/r", "POST",
         JSON, [(303, f"{B}/s"), (302, f"{B}/t")],
         [("r", "POST", "content-type"), ("s", "GET", None), ("t", "GET", "content-type")],
         [("r", "POST", "content-type")]),
        ("GET Authorization, cross-origin then same-origin hop", f"{B}/r", "GET", AUTH,
         [(302, f"{C}/s"), (302, f"{C}/t")],
         [("r", "GET", "authorization"), ("s", "GET", None), ("t", "GET", "authorization")],
         [("r", "GET", "authorization")]),
        ("GET Authorization, two cross-origin hops", f"{B}/r", "GET", AUTH,
         [(302, f"{C}/s"), (302, f"{B}/t")],
         [("r", "GET", "authorization"), ("s", "GET", None), ("t", "GET", None)],
         [("r", "GET", "authorization")]),
        ("same-origin PUT 303 to the API: never needed one", f"{A}/r", "PUT", None,
         [(303, f"{B}/s")], [], []),
        ("same-origin POST json 303 to the API: the script's unsafe header counts", f"{A}/r",
         "POST", JSON, [(303, f"{B}/s")], [("s", "GET", None)], []),
        ("same-origin POST json 303, 302 to the API", f"{A}/r", "POST", JSON,
         [(303, f"{A}/s"), (302, f"{B}/t")], [("t", "GET", "content-type")], []),
        ("simple POST 303: nothing to keep", f"{B}/r", "POST", None, [(303, f"{C}/s")], [], []),
        ("PUT 307: preflighted anyway", f"{B}/r", "PUT", None, [(307, f"{B}/s")],
         [("r", "PUT", None), ("s", "PUT", None)], [("r", "PUT", None), ("s", "PUT", None)]),
    ],
)  # fmt: skip
def test_firefox_keeps_the_preflight_across_redirects(
    title, start, method, headers, hops, firefox, chromium
):
    body = "x" if method not in ("GET", "HEAD") else None
    for browser, expected in (("firefox", firefox), ("chromium", chromium)):
        outcome = fetch(
            _chain(start, *hops), start, method=method, headers=headers, body=body,
            browser=browser,
        )  # fmt: skip
        assert outcome.allowed, outcome.explain()
        assert _preflights(outcome) == expected, (title, browser)


def test_firefox_kept_preflight_can_fail():
    # The GET after a 303 is refused when its (kept) preflight is: Firefox rejected the fetch.
    table = {
        f"{B}/r": (hop(303, f"{B}/s", ACAO_ANY), ALLOW_PUT),
        f"{B}/s": (resp(200, ACAO_ANY), resp(404, ACAO_ANY)),
    }
    outcome = fetch(routes(table), method="PUT", body="x", browser="firefox")
    assert not outcome.allowed
    assert outcome.failure.step == "preflight"
    assert outcome.failure.code == "CORSPreflightDidNotSucceed"
    assert fetch(routes(table), method="PUT", body="x", browser="chromium").allowed


@pytest.mark.parametrize(("max_age", "again"), [("600", False), (None, False), ("0", True)])
def test_firefox_kept_preflight_is_served_by_a_known_key(max_age, again):
    # A kept preflight asks for no method or header of its own: any entry for the URL serves it,
    # even one with no tokens; without an entry (Max-Age 0) it is sent again.
    lines = [ACAO_ANY] + ([f"Access-Control-Max-Age: {max_age}"] if max_age else [])
    put = resp(204, ACAO_ANY, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: 600")
    answer = routes(
        {f"{B}/r": (hop(303, f"{B}/s", ACAO_ANY), put), f"{B}/s": (resp(200, ACAO_ANY),
                                                                   resp(204, *lines))}
    )  # fmt: skip
    from pytest_cors.engine import PreflightCache, get_profile

    cache = PreflightCache(get_profile("firefox"))
    first = fetch(answer, f"{B}/r", method="PUT", body="x", browser="firefox", cache=cache)
    assert _preflights(first) == [("r", "PUT", None), ("s", "GET", None)]
    second = fetch(answer, f"{B}/r", method="PUT", body="x", browser="firefox", cache=cache, now=1)
    assert second.allowed
    assert _preflights(second) == ([("s", "GET", None)] if again else [])
