"""Invariants over generated requests and hostile responses (issue 2 §5, issue 7).

Responses here carry arbitrary latin-1 bytes in header names and values, duplicates, empty
values and long lists; the engine must never raise anything but the kit's own errors, and the
same input must always give the same verdict.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_cors.engine import PROFILES, PreflightCache, get_profile
from pytest_cors.engine.request import is_forbidden_header, unsafe_header_names
from pytest_cors.engine.response import effective_headers
from pytest_cors.errors import CorsError
from pytest_cors.http import Headers, Response

from .drive import fetch, is_preflight

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = settings(SETTINGS, max_examples=400)

PAGE_ORIGINS = ["https://app.example.com", "http://localhost:3000", "null"]
TARGETS = [
    "https://api.example.org/r",
    "https://api.example.org/r?q=1",
    "http://localhost:3000/x",
    "https://app.example.com/same",
]
CORS_NAMES = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Location",
    "Set-Cookie",
    "Set-Cookie2",
    "Content-Type",
    "Vary",
    "X-Custom",
]
INTERESTING_VALUES = [
    "*",
    "null",
    "true",
    "True",
    "https://app.example.com",
    "http://localhost:3000",
    "https://app.example.com/",
    "PUT, DELETE",
    "*, x-a",
    "x-a, authorization",
    "600",
    "-1",
    "",
    "https://api.example.org/next",
    "/relative",
    "https://u:p@api.example.org/",
    "data:,x",
    "set-cookie, *",
]

latin1 = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=40)
long_latin1 = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=3000)


@st.composite
def header_name(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(latin1)
    name = draw(st.sampled_from(CORS_NAMES))
    if kind == 1:
        name = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in name)
    if kind == 2:
        name = draw(st.sampled_from(["", " ", "\t"])) + name + draw(st.sampled_from(["", " "]))
    return name


header_value = st.one_of(st.sampled_from(INTERESTING_VALUES), latin1, long_latin1)


LOCATIONS = [
    "https://api.example.org/r",
    "https://api.example.org/next",
    "https://other.example.com/s",
    "https://app.example.com/back",
    "/relative",
    "?q=2",
    "https://u:p@api.example.org/",
    "data:,x",
]


@st.composite
def cors_block(draw, origin, method):
    """Lines a CORS-aware server would send, each one possibly left out or garbled."""
    lines = [
        ("Access-Control-Allow-Origin", draw(st.sampled_from([origin, origin, "*", "null"]))),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", draw(st.sampled_from([method, "*", f"GET, {method}"]))),
        (
            "Access-Control-Allow-Headers",
            draw(st.sampled_from(["*", "x-a, authorization", "*, authorization"])),
        ),
        ("Access-Control-Expose-Headers", draw(st.sampled_from(["*", "x-custom", "set-cookie"]))),
        ("Access-Control-Max-Age", draw(st.sampled_from(["600", "-1", "abc", "0"]))),
    ]
    kept = []
    for name, value in lines:
        choice = draw(st.integers(0, 19))  # 0, the simplest draw, keeps the line as it is
        if choice == 19:
            continue
        if choice == 18:
            value = draw(latin1)
        if choice == 17:
            name = name.upper() + " "
        kept.append((name, value))
    return kept


@st.composite
def wire_response(draw, origin="https://app.example.com", method="GET", max_headers=12):
    status = draw(
        st.one_of(
            st.sampled_from([200, 204, 301, 302, 303, 307, 308, 404, 500]), st.integers(0, 999)
        )
    )
    pairs = draw(cors_block(origin, method)) if draw(st.integers(0, 7)) != 7 else []
    if 300 <= status < 400 and draw(st.integers(0, 3)) != 3:
        pairs.append(("Location", draw(st.sampled_from(LOCATIONS))))
    pairs += draw(st.lists(st.tuples(header_name(), header_value), max_size=max_headers))
    if draw(st.integers(0, 3)) == 3 and pairs:  # many duplicates of one line
        pairs += [draw(st.sampled_from(pairs))] * draw(st.integers(1, 60))
    return Response(status, Headers(pairs))


safe_name = st.from_regex(r"[A-Za-z][A-Za-z0-9\-_]{0,15}", fullmatch=True).filter(
    lambda n: not is_forbidden_header(n, "")
)
request_value = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=255, exclude_characters="\x00\r\n"),
    max_size=150,
)
request_headers = st.lists(
    st.one_of(
        st.tuples(safe_name, request_value),
        st.tuples(
            st.sampled_from(
                [
                    "Accept",
                    "Content-Type",
                    "Range",
                    "Accept-Language",
                    "DPR",
                    "Authorization",
                    "X-A",
                ]
            ),
            request_value,
        ),
    ),
    max_size=8,
)
method = st.one_of(
    st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "patch", "OPTIONS"]),
    st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True).filter(
        lambda m: m.upper() not in ("CONNECT", "TRACE", "TRACK")
    ),
)


@st.composite
def fetch_case(draw, responses=None):
    """Everything one simulated fetch needs, including the scripted responses."""
    m = draw(method)
    origin = draw(st.sampled_from(PAGE_ORIGINS))
    return {
        "url": draw(st.sampled_from(TARGETS)),
        "origin": origin,
        "method": m,
        "headers": draw(request_headers),
        "credentials": draw(st.sampled_from(["omit", "same-origin", "include"])),
        "body": None if m.upper() in ("GET", "HEAD") else draw(st.none() | st.just("x")),
        "browser": draw(st.sampled_from(sorted(PROFILES))),
        "responses": draw(responses or st.lists(wire_response(origin, m), min_size=1, max_size=6)),
    }


def scripted(responses):
    """Answer each request with the next scripted response (the last one repeats)."""
    seq = list(responses)
    count = [0]

    def answer(request):
        i = min(count[0], len(seq) - 1)
        count[0] += 1
        return seq[i]

    return answer


def run(case, cache=None, now=0.0):
    args = {k: v for k, v in case.items() if k != "responses"}
    return fetch(scripted(case["responses"]), cache=cache, now=now, **args)


def summary(outcome):
    f = outcome.failure
    return (
        outcome.allowed,
        f and (f.code, f.message, f.hint, f.chromium_error, f.failed_parameter, f.step),
        outcome.readable_headers,
        [(w.code, w.message) for w in outcome.warnings],
        [(e.kind, e.request, e.response) for e in outcome.exchanges],
        outcome.status,
        outcome.url,
        outcome.same_origin,
        outcome.preflight_cached,
        outcome.redirected,
        outcome.explain(),
    )


def cross_origin(case):
    return not case["url"].startswith(case["origin"] + "/")


@HOSTILE
@given(fetch_case())
def test_hostile_responses_only_raise_kit_errors_and_verdicts_are_deterministic(case):
    try:
        first = run(case)
    except CorsError:
        try:
            run(case)
        except CorsError:
            return
        raise AssertionError("the same input raised once and not twice") from None
    second = run(case)
    assert summary(first) == summary(second)
    # And with a preflight cache carried between two runs.
    cache = PreflightCache(get_profile(case["browser"]))
    a, b = run(case, cache, 0.0), run(case, cache, 1.0)
    cache2 = PreflightCache(get_profile(case["browser"]))
    assert summary(a) == summary(run(case, cache2, 0.0))
    assert summary(b) == summary(run(case, cache2, 1.0))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(wire_response(max_headers=200), min_size=1, max_size=3),
    st.sampled_from(sorted(PROFILES)),
)
def test_very_long_header_lists(responses, browser):
    case = {
        "url": TARGETS[0],
        "origin": PAGE_ORIGINS[0],
        "method": "PUT",
        "headers": [("X-A", "1")],
        "credentials": "include",
        "body": None,
        "browser": browser,
        "responses": responses,
    }
    assert summary(run(case)) == summary(run(case))


def _without_acao(response):
    pairs = [
        (n, v)
        for n, v in response.headers
        if n.strip(" \t").lower() != "access-control-allow-origin"
    ]
    return Response(response.status, Headers(pairs))


@SETTINGS
@given(fetch_case())
def test_no_acao_never_allows_a_cross_origin_read(case):
    case["responses"] = [_without_acao(r) for r in case["responses"]]
    try:
        outcome = run(case)
    except CorsError:
        return
    if cross_origin(case):
        assert not outcome.allowed
        assert outcome.readable_headers == {}


@SETTINGS
@given(fetch_case(), st.booleans())
def test_credentialed_success_means_exact_origin_and_true(case, plant):
    case["credentials"] = "include"
    if plant:  # make success likely: every response allows this page with credentials
        origin = case["origin"]
        case["responses"] = [
            Response(
                r.status,
                Headers(
                    [
                        ("Access-Control-Allow-Origin", origin),
                        ("Access-Control-Allow-Credentials", "true"),
                        ("Access-Control-Allow-Methods", case["method"]),
                        ("Access-Control-Allow-Headers", "*, authorization"),
                        *r.headers,
                    ]
                ),
            )
            for r in case["responses"]
        ]
    try:
        outcome = run(case)
    except CorsError:
        return
    if not outcome.allowed:
        return
    profile = get_profile(case["browser"])
    for exchange in outcome.exchanges:
        sent_origin = exchange.request.headers.get("Origin")
        if sent_origin is None or outcome.same_origin:
            continue
        got = effective_headers(exchange.response.headers, profile)
        assert got.get("Access-Control-Allow-Origin") == sent_origin
        assert got.get("Access-Control-Allow-Credentials") == "true"


@SETTINGS
@given(fetch_case())
def test_same_origin_requests_never_preflight(case):
    origin = case["origin"] if case["origin"] != "null" else "https://app.example.com"
    case["origin"] = origin
    case["url"] = origin + "/same?x=1"
    case["responses"] = [
        Response(200 if r.status in (301, 302, 303, 307, 308) else r.status, r.headers)
        for r in case["responses"]
    ]
    try:
        outcome = run(case)
    except CorsError:
        return
    assert outcome.allowed
    assert outcome.same_origin
    assert outcome.preflights == []
    assert "set-cookie" not in outcome.readable_headers


@SETTINGS
@given(fetch_case(), st.sampled_from(["*", "set-cookie", "Set-Cookie, *", "SET-COOKIE2,x-custom"]))
def test_readable_headers_never_include_set_cookie(case, expose):
    case["responses"] = [
        Response(
            r.status,
            Headers(
                [
                    *r.headers,
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Expose-Headers", expose),
                    ("Set-Cookie", "s=1"),
                    ("set-cookie2", "t=2"),
                ]
            ),
        )
        for r in case["responses"]
    ]
    try:
        outcome = run(case)
    except CorsError:
        return
    assert not {"set-cookie", "set-cookie2"} & set(outcome.readable_headers)


@SETTINGS
@given(fetch_case())
def test_request_headers_list_is_sorted_lower_case_bare_commas(case):
    case["url"], case["origin"] = TARGETS[0], PAGE_ORIGINS[0]
    try:
        outcome = run(case)
    except CorsError:
        return
    profile = get_profile(case["browser"])
    for exchange in outcome.exchanges:
        if not is_preflight(exchange.request):
            continue
        lines = exchange.request.headers.get_all("Access-Control-Request-Headers")
        assert len(lines) <= 1
        if not lines:
            continue
        (value,) = lines
        items = value.split(",")
        assert value == value.lower()
        assert " " not in value and "" not in items
        assert items == sorted(set(items), key=lambda n: n.encode("latin-1"))
    if outcome.exchanges and is_preflight(outcome.exchanges[0].request):
        sent = outcome.request.headers
        acrh = outcome.exchanges[0].request.headers.get("Access-Control-Request-Headers")
        assert (acrh or "").split(",") == (",".join(unsafe_header_names(sent, profile))).split(",")
        names = {n.lower() for n, _ in sent}
        assert set(filter(None, (acrh or "").split(","))) <= names


@settings(max_examples=300, deadline=None)
@given(
    url=st.text(max_size=40) | st.sampled_from(TARGETS),
    origin=st.text(max_size=30) | st.sampled_from(PAGE_ORIGINS),
    method=st.text(max_size=10),
    headers=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=20)), max_size=4)
    | st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
    credentials=st.one_of(
        st.sampled_from(["omit", "include", "same-origin", "bogus"]),
        st.booleans(),
        st.none(),
        st.integers(),
    ),
    body=st.none() | st.text(max_size=5) | st.binary(max_size=5) | st.integers(),
    browser=st.sampled_from([*sorted(PROFILES), "chrome", ""]),
)
def test_any_arguments_give_a_verdict_or_a_usage_error(
    url, origin, method, headers, credentials, body, browser
):
    def answer(request):
        return Response(200, Headers([("Access-Control-Allow-Origin", "*")]))

    outcome = error = None
    try:
        outcome = fetch(
            answer,
            url,
            origin=origin,
            method=method,
            headers=headers,
            credentials=credentials,
            body=body,
            browser=browser,
        )
    except CorsError as exc:
        error = exc
    if error is not None:
        assert isinstance(error, (ValueError, TypeError))
        assert str(error)
    else:
        assert outcome.allowed in (True, False)
