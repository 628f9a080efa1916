"""The conformance scenarios: data, generated family by family from the reference's rules.

A scenario is one page origin, one or more ``fetch()`` calls made in a row (two for the preflight
cache), and what every URL of the scenario answers to a preflight and to the actual request.
Every rule family of ``cors-fetch-rules.md`` gets variants here; the comparison test runs each
scenario in Chromium and in the engine and compares what they did.

Specs use placeholders filled in by the server per request: ``{ORIGIN}`` (the page's serialized
origin, ``null`` for the opaque page), ``{API}`` / ``{API2}`` (the API on port 1 / port 2),
``{APP}``, ``{APP2}``, ``{EVIL}``, ``{OTHER}``, ``{PORT}``, ``{PORT2}``, ``{SID}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .server import Resp, Step

PAGES = ("app", "app2", "evil", "null")


@dataclass(frozen=True)
class Fetch:
    """What the page's script asks for: ``fetch(url, {method, headers, credentials, body})``."""

    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: str = "same-origin"
    body: str | None = None
    cache: str | None = None  # fetch()'s cache mode; "no-store" also bypasses the preflight cache
    # Forbidden header names among ``headers``: Chromium drops them silently, the engine refuses
    # them (CorsUsageError, a lead decision); the rest of the request is compared as usual.
    drops: tuple[str, ...] = ()
    mode: str = "cors"  # fetch()'s request mode and redirect mode (modes.py)
    redirect: str = "follow"


@dataclass(frozen=True)
class Scenario:
    sid: str
    family: str
    title: str
    fetches: tuple[Fetch, ...]
    steps: Mapping[str, Step]
    page: str = "app"
    url: str = "{API}/s/{SID}/a"

    def describe(self) -> str:
        lines = [f"scenario {self.sid} [{self.family}] {self.title}", f"  page: {self.page}"]
        for i, f in enumerate(self.fetches, 1):
            lines.append(
                f"  fetch {i}: {f.method} {self.url} credentials={f.credentials} "
                f"headers={list(f.headers)!r} body={f.body!r}"
            )
        for name, step in self.steps.items():
            if step.preflight is not None:
                p = step.preflight
                lines.append(f"  /{name} preflight -> {p.status} {list(p.lines)!r}")
            a = step.actual
            lines.append(f"  /{name} actual    -> {a.status} {list(a.lines)!r}")
        return "\n".join(lines)


# -- building blocks ---------------------------------------------------------------------------
ACAO_ORIGIN = "Access-Control-Allow-Origin: {ORIGIN}"
ACAC_TRUE = "Access-Control-Allow-Credentials: true"
TEXT = "Content-Type: text/plain"


def resp(status: int = 200, *lines: str, body: bytes = b"ok") -> Resp:
    return Resp(status, tuple(lines), body)


def ok_actual(*extra: str, credentialed: bool = False) -> Resp:
    """A 200 the page may read: exact origin (plus ACAC when credentialed)."""
    lines = [ACAO_ORIGIN, TEXT, *extra]
    if credentialed:
        lines.insert(1, ACAC_TRUE)
    return Resp(200, tuple(lines))


def preflight(*lines: str, status: int = 204) -> Resp:
    return Resp(status, tuple(lines), b"")


def permissive_preflight(methods: str = "*", headers: str = "*", *extra: str) -> Resp:
    """A preflight allowing everything a non-credentialed request can ask for."""
    return preflight(
        ACAO_ORIGIN,
        f"Access-Control-Allow-Methods: {methods}",
        f"Access-Control-Allow-Headers: {headers}",
        *extra,
    )


def one_step(actual: Resp, pre: Resp | None = None) -> dict[str, Step]:
    return {"a": Step(actual=actual, preflight=pre)}


class _Family:
    """Collects the scenarios of one family and numbers them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Scenario] = []

    def add(
        self,
        title: str,
        fetch: Fetch | tuple[Fetch, ...],
        steps: Mapping[str, Step],
        page: str = "app",
        url: str = "{API}/s/{SID}/a",
    ) -> None:
        fetches = fetch if isinstance(fetch, tuple) else (fetch,)
        sid = f"{self.name}-{len(self.items) + 1:03d}"
        self.items.append(Scenario(sid, self.name, title, fetches, steps, page, url))


# -- 1. which requests need a preflight ---------------------------------------------------------
def _methods() -> Iterator[Scenario]:
    fam = _Family("method")
    names = [
        "GET", "get", "Get", "HEAD", "head", "POST", "post", "pOST",
        "PUT", "put", "Put", "DELETE", "delete", "OPTIONS", "options",
        "PATCH", "patch", "Patch", "FOO", "foo", "M-SEARCH", "QUERY", "PROPFIND",
    ]  # fmt: skip
    for name in names:
        body = None if name.upper() in ("GET", "HEAD") else "x"
        fam.add(
            f"method {name} (allowed by ACAM *)",
            Fetch(method=name, credentials="omit", body=body),
            one_step(ok_actual(), permissive_preflight()),
        )
    # explicit ACAM listing the method as normalisation leaves it
    for name, listed in [("put", "PUT"), ("patch", "patch"), ("delete", "DELETE"), ("Foo", "Foo")]:
        fam.add(
            f"method {name} listed as {listed}",
            Fetch(method=name, body="x"),
            one_step(ok_actual(), permissive_preflight(listed)),
        )
    yield from fam.items


_UNSAFE_BYTES = ['"', "(", ")", ":", "<", ">", "?", "@", "[", "\\", "]", "{", "}", "\x7f", "\x01"]


def _safelisted_headers() -> Iterator[Scenario]:
    fam = _Family("reqhdr")

    def case(
        title: str, headers: list[tuple[str, str]], method: str = "GET", body=None, drops=()
    ) -> None:
        fam.add(
            title,
            Fetch(method, tuple(headers), "omit", body, drops=tuple(drops)),
            one_step(ok_actual(), permissive_preflight()),
        )

    accept = [
        "*/*", "application/json", "text/html, */*;q=0.8", "a" * 128, "a" * 129,
        "text/é", "x,y/z;=", "\tapplication/json ",
    ]  # fmt: skip
    accept += [f"text/{b}plain" for b in _UNSAFE_BYTES]
    for value in accept:
        case(f"Accept {value[:40]!r} ({len(value)} bytes)", [("Accept", value)])
    lang = [
        "en-US,en;q=0.9", "*", "de", "fr_FR", "en/us", "de:1", "é", "a" * 128, "a" * 129,
        "en US", "en(US)", "=;,.-*",
    ]  # fmt: skip
    for name in ("Accept-Language", "Content-Language"):
        for value in lang:
            case(f"{name} {value[:40]!r}", [(name, value)])
    content_types = [
        "text/plain", "TEXT/PLAIN", "Text/Plain;Charset=UTF-8", "text/plain;charset=utf-8",
        "text/plain; charset=utf-8", "text/plain;", "text/plain ;charset=utf-8",
        "application/x-www-form-urlencoded", "multipart/form-data",
        "multipart/form-data; boundary=xyz", "application/json", "text/html", "text/csv",
        'text/plain;charset="utf-8"', 'multipart/form-data; boundary="a:b"',
        "text/plain, application/json", "", "text/plain\x01", "text/plain;charset=é",
        "text/plain;x=" + "a" * 115, "text/plain;x=" + "a" * 116, "text", "text/plain/x",
        "application/x-www-form-urlencoded;charset=UTF-8", "text/plain;;a=b", " text/plain",
        "text/plain;a=b,c", "text/plain; charset=a, text/html",
        "multipart/form-data; boundary=x, text/plain", "text/plain;a=b, c",
    ]  # fmt: skip
    for value in content_types:
        case(
            f"Content-Type {value[:40]!r} ({len(value)} bytes)",
            [("Content-Type", value)],
            method="POST",
            body="x",
        )
    ranges = [
        "bytes=0-", "bytes=100-200", "bytes=0-0", "bytes=-500", "bytes=1-2,3-4", "bytes= 0-1",
        "bytes=0 -1", "BYTES=0-1", "Bytes=0-1", "bytes=0010-0020", "bytes=5-1", "items=0-1",
        "bytes=", "bytes=a-b", "bytes=" + "0" * 121 + "-", "bytes=" + "0" * 122 + "-",
    ]  # fmt: skip
    for value in ranges:
        case(f"Range {value[:40]!r} ({len(value)} bytes)", [("Range", value)])
    others = [
        ("Authorization", "Bearer t"), ("X-Requested-With", "XMLHttpRequest"),
        ("Cache-Control", "no-cache"), ("If-None-Match", '"abc"'), ("Last-Event-ID", "1"),
        ("X-Custom", ""), ("Pragma", "no-cache"), ("User-Agent", "conformance/1.0"),
        ("DPR", "2"), ("DPR", "abc"), ("Device-Memory", "8"), ("Device-Memory", "eight"),
        ("Downlink", "1.5"), ("Width", "800"), ("Width", "1.5"), ("Viewport-Width", "1000"),
        ("RTT", "50"), ("ECT", "4g"), ("ECT", "5g"), ("Save-Data", "on"), ("Save-Data", "ON"),
        ("Save-Data", "off"), ("Intervention", "<x>"), ("X-Custom", "1"),
    ]  # fmt: skip
    for name, value in others:
        case(f"{name}: {value!r}", [(name, value)])
    forbidden = [
        ("Cookie", "a=b"), ("Host", "evil.example.net"), ("Origin", "http://evil.example.net"),
        ("Referer", "http://x/"), ("Content-Length", "5"), ("Connection", "close"),
        ("Keep-Alive", "1"), ("TE", "trailers"), ("Proxy-Foo", "1"), ("Sec-Foo", "1"),
        ("Access-Control-Request-Method", "PUT"), ("X-HTTP-Method-Override", "CONNECT"),
        ("Accept-Encoding", "br"), ("Date", "x"),
        ("DNT", "1"), ("Expect", "100-continue"), ("Via", "1.1 x"), ("Upgrade", "h2c"),
        ("X-Method-Override", "trace, get"),
    ]  # fmt: skip
    for name, value in forbidden:
        case(f"forbidden {name}: {value!r}", [(name, value)], drops=[name])
    case("forbidden Cookie beside a custom header", [("Cookie", "a=b"), ("X-Custom", "1")],
         drops=["Cookie"])  # fmt: skip
    case("X-HTTP-Method-Override: 'PUT' is kept", [("X-HTTP-Method-Override", "PUT")])
    combos: list[tuple[str, list[tuple[str, str]]]] = [
        ("ACRH sorted and lowercased",
         [("X-B", "1"), ("x-a", "2"), ("Content-Type", "application/json")]),
        ("safelisted header left out of ACRH", [("Accept", "*/*"), ("X-Foo", "1")]),
        ("two Accept values joined beyond 128 bytes", [("Accept", "a" * 70), ("Accept", "b" * 70)]),
        ("two short Accept values", [("Accept", "text/html"), ("Accept", "*/*")]),
        ("two Content-Type values",
         [("Content-Type", "multipart/form-data; boundary=x"), ("Content-Type", "text/plain")]),
        ("two Content-Type values, the first plain",
         [("Content-Type", "text/plain"), ("Content-Type", "text/html")]),
        ("duplicate custom header names", [("X-A", "1"), ("x-a", "2")]),
        ("custom header plus safelisted Content-Type",
         [("X-Z", "1"), ("Content-Type", "text/plain")]),
        ("Authorization plus custom", [("Authorization", "Basic eA=="), ("X-Trace", "1")]),
        ("many custom headers", [(f"X-H{i}", str(i)) for i in range(8)]),
    ]  # fmt: skip
    big = "1" + "0" * 127
    safelisted_1024 = [
        ("Accept", "a" * 128), ("Accept-Language", "a" * 128), ("Content-Language", "a" * 128),
        ("Content-Type", "text/plain;x=" + "a" * 115), ("Range", "bytes=" + "0" * 121 + "-"),
        ("DPR", big), ("Device-Memory", big), ("Intervention", "i" * 128),
    ]  # fmt: skip
    combos.append(("1024 safelisted bytes exactly", safelisted_1024))
    combos.append(("1025 safelisted bytes", [*safelisted_1024[:-1], ("Intervention", "i" * 129)]))
    over = [*safelisted_1024[:-1], ("Intervention", "i" * 127), ("RTT", "5")]
    combos.append(("1024 bytes over nine headers", over))
    combos.append(("1025 bytes over nine headers", [*over[:-1], ("RTT", "55")]))
    for title, headers in combos:
        method = "POST" if any(k.lower() == "content-type" for k, _ in headers) else "GET"
        case(title, headers, method=method, body="x" if method == "POST" else None)
    # bodies give a Content-Type of their own
    fam.add(
        "POST with a string body",
        Fetch("POST", body="hello", credentials="omit"),
        one_step(ok_actual(), permissive_preflight()),
    )
    fam.add(
        "POST without a body",
        Fetch("POST", credentials="omit"),
        one_step(ok_actual(), permissive_preflight()),
    )
    yield from fam.items


# -- 2. Access-Control-Allow-Origin ------------------------------------------------------------
_ACAO_VALUES: list[tuple[str, tuple[str, ...]]] = [
    ("exact", ("Access-Control-Allow-Origin: {ORIGIN}",)),
    ("wildcard", ("Access-Control-Allow-Origin: *",)),
    ("missing", ()),
    ("padded", ("Access-Control-Allow-Origin: \t {ORIGIN} \t",)),
    ("padded wildcard", ("Access-Control-Allow-Origin:   *  ",)),
    ("upper case", ("Access-Control-Allow-Origin: HTTP://APP.EXAMPLE.COM:{PORT}",)),
    ("host capitalised", ("Access-Control-Allow-Origin: http://App.example.com:{PORT}",)),
    ("trailing slash", ("Access-Control-Allow-Origin: {ORIGIN}/",)),
    ("with path", ("Access-Control-Allow-Origin: {ORIGIN}/page",)),
    ("other port", ("Access-Control-Allow-Origin: {APP2}",)),
    ("no port", ("Access-Control-Allow-Origin: http://app.example.com",)),
    ("https", ("Access-Control-Allow-Origin: https://app.example.com:{PORT}",)),
    ("parent domain", ("Access-Control-Allow-Origin: http://example.com:{PORT}",)),
    ("no scheme", ("Access-Control-Allow-Origin: app.example.com:{PORT}",)),
    ("scheme-relative", ("Access-Control-Allow-Origin: //app.example.com:{PORT}",)),
    ("empty", ("Access-Control-Allow-Origin: ",)),
    ("null", ("Access-Control-Allow-Origin: null",)),
    ("NULL", ("Access-Control-Allow-Origin: NULL",)),
    ("list in one line", ("Access-Control-Allow-Origin: {ORIGIN}, {EVIL}",)),
    ("space separated", ("Access-Control-Allow-Origin: {ORIGIN} {ORIGIN}",)),
    ("two exact lines", ("Access-Control-Allow-Origin: {ORIGIN}",) * 2),
    ("two wildcard lines", ("Access-Control-Allow-Origin: *",) * 2),
    ("wildcard then exact", ("Access-Control-Allow-Origin: *", ACAO_ORIGIN)),
    ("quoted wildcard", ("Access-Control-Allow-Origin: '*'",)),
    ("double-quoted wildcard", ('Access-Control-Allow-Origin: "*"',)),
    ("double wildcard", ("Access-Control-Allow-Origin: **",)),
    ("wildcard pattern", ("Access-Control-Allow-Origin: http://*.example.com:{PORT}",)),
    ("other origin", ("Access-Control-Allow-Origin: {EVIL}",)),
    ("name lower case", ("access-control-allow-origin: {ORIGIN}",)),
    ("name upper case", ("ACCESS-CONTROL-ALLOW-ORIGIN: *",)),
    ("blank before colon", ("Access-Control-Allow-Origin : *",)),
    ("no space after colon", ("Access-Control-Allow-Origin:{ORIGIN}",)),
    ("tab before colon", ("Access-Control-Allow-Origin\t: {ORIGIN}",)),
    ("origin with query", ("Access-Control-Allow-Origin: {ORIGIN}?x",)),
    ("explicit default port", ("Access-Control-Allow-Origin: http://app.example.com:80",)),
]  # fmt: skip


def _acao() -> Iterator[Scenario]:
    fam = _Family("acao")
    for title, lines in _ACAO_VALUES:
        fam.add(
            f"simple GET, omit: ACAO {title}",
            Fetch(credentials="omit"),
            one_step(resp(200, *lines, TEXT)),
        )
        fam.add(
            f"simple GET, include: ACAO {title} + ACAC true",
            Fetch(credentials="include"),
            one_step(resp(200, *lines, ACAC_TRUE, TEXT)),
        )
        fam.add(
            f"preflighted PUT, omit: preflight ACAO {title}",
            Fetch("PUT", body="x", credentials="omit"),
            one_step(ok_actual(), preflight(*lines, "Access-Control-Allow-Methods: PUT")),
        )
    # the opaque origin and a page on another site
    for title, lines in _ACAO_VALUES[:4] + _ACAO_VALUES[16:18] + [_ACAO_VALUES[27]]:
        for creds in ("omit", "include"):
            fam.add(
                f"opaque page, {creds}: ACAO {title}",
                Fetch(credentials=creds),
                one_step(resp(200, *lines, ACAC_TRUE, TEXT)),
                page="null",
            )
    for title, lines in [
        _ACAO_VALUES[0],
        _ACAO_VALUES[1],
        ("app origin", ("Access-Control-Allow-Origin: {APP}",)),
    ]:
        fam.add(
            f"evil page: ACAO {title}",
            Fetch(credentials="omit"),
            one_step(resp(200, *lines, TEXT)),
            page="evil",
        )
        fam.add(
            f"app on port 2: ACAO {title}",
            Fetch(credentials="omit"),
            one_step(resp(200, *lines, TEXT)),
            page="app2",
        )
    fam.add(
        "same-origin fetch, no CORS headers",
        Fetch(credentials="omit"),
        one_step(resp(200, TEXT, "X-Secret: 1")),
        url="{APP}/s/{SID}/a",
    )
    fam.add(
        "same-origin PUT with custom header, no preflight",
        Fetch("PUT", headers=(("X-Custom", "1"),), body="x"),
        one_step(resp(200, TEXT)),
        url="{APP}/s/{SID}/a",
    )
    yield from fam.items


# -- 3. credentials ----------------------------------------------------------------------------
_ACAC_VALUES: list[tuple[str, tuple[str, ...]]] = [
    ("true", (ACAC_TRUE,)),
    ("True", ("Access-Control-Allow-Credentials: True",)),
    ("TRUE", ("Access-Control-Allow-Credentials: TRUE",)),
    ("1", ("Access-Control-Allow-Credentials: 1",)),
    ("false", ("Access-Control-Allow-Credentials: false",)),
    ("empty", ("Access-Control-Allow-Credentials: ",)),
    ("absent", ()),
    ("true, true", ("Access-Control-Allow-Credentials: true, true",)),
    ("two true lines", (ACAC_TRUE, ACAC_TRUE)),
    ("padded", ("Access-Control-Allow-Credentials:  true \t",)),
    ("yes", ("Access-Control-Allow-Credentials: yes",)),
    ("name lower case", ("access-control-allow-credentials: true",)),
    ("blank before colon", ("Access-Control-Allow-Credentials : true",)),
    ("quoted", ('Access-Control-Allow-Credentials: "true"',)),
]


def _credentials() -> Iterator[Scenario]:
    fam = _Family("cred")
    for title, lines in _ACAC_VALUES:
        fam.add(
            f"include GET: ACAC {title}",
            Fetch(credentials="include"),
            one_step(resp(200, ACAO_ORIGIN, *lines, TEXT)),
        )
        fam.add(
            f"include PUT: preflight ACAC {title}",
            Fetch("PUT", body="x", credentials="include"),
            one_step(
                ok_actual(credentialed=True),
                preflight(ACAO_ORIGIN, *lines, "Access-Control-Allow-Methods: PUT"),
            ),
        )
    for creds in ("omit", "same-origin"):
        for title, lines in [
            ("False", ("Access-Control-Allow-Credentials: false",)),
            ("absent", ()),
        ]:
            fam.add(
                f"{creds} GET ignores ACAC {title}",
                Fetch(credentials=creds),
                one_step(resp(200, ACAO_ORIGIN, *lines, TEXT)),
            )
    fam.add(
        "include GET: wildcard ACAO + ACAC true",
        Fetch(credentials="include"),
        one_step(resp(200, "Access-Control-Allow-Origin: *", ACAC_TRUE, TEXT)),
    )
    fam.add(
        "include PUT: preflight wildcard ACAO + ACAC true",
        Fetch("PUT", body="x", credentials="include"),
        one_step(
            ok_actual(credentialed=True),
            preflight(
                "Access-Control-Allow-Origin: *", ACAC_TRUE, "Access-Control-Allow-Methods: PUT"
            ),
        ),
    )
    fam.add(
        "include PUT: preflight fine, actual lacks ACAC",
        Fetch("PUT", body="x", credentials="include"),
        one_step(
            ok_actual(), preflight(ACAO_ORIGIN, ACAC_TRUE, "Access-Control-Allow-Methods: PUT")
        ),
    )
    fam.add(
        "omit PUT: wildcard preflight, exact actual",
        Fetch("PUT", body="x", credentials="omit"),
        one_step(
            ok_actual(),
            preflight("Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT"),
        ),
    )
    yield from fam.items


# -- 4. preflight status -----------------------------------------------------------------------
def _preflight_status() -> Iterator[Scenario]:
    fam = _Family("pfstatus")
    good = (
        ACAO_ORIGIN,
        "Access-Control-Allow-Methods: PUT",
        "Access-Control-Allow-Headers: X-Custom",
    )
    request = Fetch("PUT", headers=(("X-Custom", "1"),), body="x", credentials="omit")
    for status in (200, 201, 202, 204, 206, 299, 400, 401, 403, 404, 405, 409, 500, 502, 503):
        fam.add(
            f"preflight {status} with good CORS headers",
            request,
            one_step(ok_actual(), preflight(*good, status=status)),
        )
    for status in (300, 301, 302, 303, 304, 307, 308):
        fam.add(
            f"preflight {status} without Location",
            request,
            one_step(ok_actual(), preflight(*good, status=status)),
        )
    for status in (301, 302, 303, 307, 308):
        steps = {
            "a": Step(ok_actual(), preflight(*good, "Location: /s/{SID}/b", status=status)),
            "b": Step(ok_actual(), preflight(*good)),
        }
        fam.add(f"preflight {status} with Location", request, steps)
    for status in (401, 403, 404, 500):
        fam.add(
            f"preflight {status} without CORS headers",
            request,
            one_step(ok_actual(), preflight(status=status)),
        )
    yield from fam.items


# -- 5. Access-Control-Allow-Methods -----------------------------------------------------------
def _allow_methods() -> Iterator[Scenario]:
    fam = _Family("acam")
    acam = [
        "PUT", "put", "Put", "GET, PUT", "GET,PUT", " PUT ", "GET , PUT", ",PUT", "PUT,",
        "GET,,PUT", "*", "GET POST PUT", "PUT;", "PUT, (x)", '"PUT"', "", "DELETE", "PUT, é",
        "GET, PUT,", "PUT,\tDELETE", "PU T", "P:UT", "*,PUT",
    ]  # fmt: skip
    for value in acam:
        fam.add(
            f"PUT, omit: ACAM {value!r}",
            Fetch("PUT", body="x", credentials="omit"),
            one_step(ok_actual(), preflight(ACAO_ORIGIN, f"Access-Control-Allow-Methods: {value}")),
        )
    fam.add(
        "PUT, omit: no ACAM",
        Fetch("PUT", body="x", credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN)),
    )
    fam.add(
        "PUT, omit: ACAM in two lines",
        Fetch("PUT", body="x", credentials="omit"),
        one_step(
            ok_actual(),
            preflight(
                ACAO_ORIGIN,
                "Access-Control-Allow-Methods: GET",
                "Access-Control-Allow-Methods: PUT",
            ),
        ),
    )
    fam.add(
        "PUT, omit: ACAM name lower case",
        Fetch("PUT", body="x", credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN, "access-control-allow-methods: PUT")),
    )
    fam.add(
        "PUT, omit: ACAM blank before colon",
        Fetch("PUT", body="x", credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN, "Access-Control-Allow-Methods : PUT")),
    )
    for method, value in [
        ("patch", "PATCH"),
        ("patch", "patch"),
        ("PATCH", "patch"),
        ("patch", "*"),
        ("FOO", "*"),
        ("DELETE", "*"),
        ("OPTIONS", "OPTIONS"),
    ]:
        fam.add(
            f"{method}, omit: ACAM {value!r}",
            Fetch(method, body="x", credentials="omit"),
            one_step(ok_actual(), preflight(ACAO_ORIGIN, f"Access-Control-Allow-Methods: {value}")),
        )
    for value in ("PUT", "*", "*, PUT", "put"):
        fam.add(
            f"PUT, include: ACAM {value!r}",
            Fetch("PUT", body="x", credentials="include"),
            one_step(ok_actual(credentialed=True),
                     preflight(ACAO_ORIGIN, ACAC_TRUE, f"Access-Control-Allow-Methods: {value}")),
        )  # fmt: skip
    for method in ("GET", "POST", "HEAD"):
        fam.add(
            f"{method} forced by a header: no ACAM needed",
            Fetch(method, headers=(("X-Custom", "1"),), credentials="omit"),
            one_step(ok_actual(), preflight(ACAO_ORIGIN, "Access-Control-Allow-Headers: X-Custom")),
        )
    fam.add(
        "ACAM parse failure wins although GET needs no ACAM",
        Fetch("GET", headers=(("X-Custom", "1"),), credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN, "Access-Control-Allow-Methods: GET;",
                                        "Access-Control-Allow-Headers: X-Custom")),
    )  # fmt: skip
    yield from fam.items


# -- 6. Access-Control-Allow-Headers -----------------------------------------------------------
def _allow_headers() -> Iterator[Scenario]:
    fam = _Family("acah")
    custom = (("X-Custom", "1"),)
    acah = [
        "X-Custom", "x-custom", "X-CUSTOM", "*", "", "X-Other", "X-Other, X-Custom",
        "X-Other,,X-Custom", "X-Custom;", "X Custom", "X-Other X-Custom", "(x), X-Custom",
        "  X-Custom  ", ",X-Custom,", "X-Custom, é", "*, X-Custom", "X-Custom:1",
    ]  # fmt: skip
    for value in acah:
        fam.add(
            f"X-Custom, omit: ACAH {value!r}",
            Fetch(headers=custom, credentials="omit"),
            one_step(ok_actual(), preflight(ACAO_ORIGIN, f"Access-Control-Allow-Headers: {value}")),
        )
    fam.add(
        "X-Custom, omit: no ACAH",
        Fetch(headers=custom, credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN)),
    )
    fam.add(
        "X-Custom, omit: ACAH in two lines",
        Fetch(headers=custom, credentials="omit"),
        one_step(
            ok_actual(),
            preflight(
                ACAO_ORIGIN,
                "Access-Control-Allow-Headers: X-Other",
                "Access-Control-Allow-Headers: X-Custom",
            ),
        ),
    )
    for value in ("X-Custom", "*", "*, X-Custom"):
        fam.add(
            f"X-Custom, include: ACAH {value!r}",
            Fetch(headers=custom, credentials="include"),
            one_step(ok_actual(credentialed=True),
                     preflight(ACAO_ORIGIN, ACAC_TRUE, f"Access-Control-Allow-Headers: {value}")),
        )  # fmt: skip
    auth = (("Authorization", "Bearer t"),)
    for creds, value in [
        ("omit", "*"),
        ("include", "*"),
        ("omit", "Authorization"),
        ("omit", "authorization"),
        ("omit", "*, Authorization"),
        ("include", "Authorization"),
        ("omit", "X-Other"),
    ]:
        fam.add(
            f"Authorization, {creds}: ACAH {value!r}",
            Fetch(headers=auth, credentials=creds),
            one_step(ok_actual(credentialed=creds == "include"),
                     preflight(ACAO_ORIGIN, ACAC_TRUE, f"Access-Control-Allow-Headers: {value}")),
        )  # fmt: skip
    fam.add(
        "Authorization + X-Custom, omit: ACAH '*'",
        Fetch(headers=(*auth, *custom), credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN, "Access-Control-Allow-Headers: *")),
    )
    json_ct = (("Content-Type", "application/json"),)
    for value in ("Content-Type", "content-type", "*", "X-Other", None):
        lines = [ACAO_ORIGIN] + (
            [f"Access-Control-Allow-Headers: {value}"] if value is not None else []
        )
        fam.add(
            f"JSON POST: ACAH {value!r}",
            Fetch("POST", headers=json_ct, body="{}", credentials="omit"),
            one_step(ok_actual(), preflight(*lines)),
        )
    for value in ("Accept", "X-Other"):
        fam.add(
            f"129-byte Accept: ACAH {value!r}",
            Fetch(headers=(("Accept", "a" * 129),), credentials="omit"),
            one_step(ok_actual(), preflight(ACAO_ORIGIN, f"Access-Control-Allow-Headers: {value}")),
        )
    fam.add(
        "two custom headers, only one allowed",
        Fetch(headers=(("X-B", "1"), ("X-A", "1")), credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN, "Access-Control-Allow-Headers: X-B")),
    )
    # which unsafe header Chromium names when several are missing
    for names in (
        ("X-B", "X-A"),
        ("X-A", "X-B"),
        ("Content-Type", "X-Z"),
        ("X-Z", "Content-Type"),
        ("Authorization", "X-A"),
        ("X-A", "Authorization"),
        ("Accept", "X-Z"),
        ("X-Z", "Accept"),
        ("X-C", "Content-Type", "X-A"),
    ):
        values = {"Content-Type": "application/json", "Accept": "a" * 129}
        headers = tuple((n, values.get(n, "1")) for n in names)
        fam.add(
            f"none of {', '.join(names)} allowed: which one is named",
            Fetch("POST", headers=headers, body="x", credentials="omit"),
            one_step(ok_actual(), preflight(ACAO_ORIGIN, "Access-Control-Allow-Headers: X-Other")),
        )
    fam.add(
        "PUT with custom header, neither allowed",
        Fetch("PUT", headers=custom, body="x", credentials="omit"),
        one_step(ok_actual(), preflight(ACAO_ORIGIN)),
    )
    yield from fam.items


# -- 7. exposure -------------------------------------------------------------------------------
_EXPOSABLE = (
    "Cache-Control: no-cache", "Content-Language: en", "Expires: 0", "Pragma: no-cache",
    "ETag: \"v1\"", "Server: conformance", "X-Custom: c", "X-Other: o", "Link: </next>",
    "Set-Cookie: a=b", "Set-Cookie2: c=d", "X-Dup: 1", "X-Dup: 2", "Content-Disposition: inline",
    "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT",
)  # fmt: skip


def _exposure() -> Iterator[Scenario]:
    fam = _Family("expose")
    aceh = [
        None, "X-Custom", "x-custom", "X-CUSTOM", "X-Custom, X-Other", "*", "Set-Cookie",
        "Set-Cookie, X-Custom", "", "X-Custom X-Other", "X(Other), X-Custom", "X-Custom;",
        " X-Custom , ,X-Other", "ETag, Server, Link", "*, set-cookie", "X-Dup",
        "Content-Disposition", "X-Custom, é", "Access-Control-Allow-Origin",
    ]  # fmt: skip
    for value in aceh:
        extra = [] if value is None else [f"Access-Control-Expose-Headers: {value}"]
        fam.add(
            f"omit GET: ACEH {value!r}",
            Fetch(credentials="omit"),
            one_step(ok_actual(*extra, *_EXPOSABLE)),
        )
    for value in ("*", "*, X-Custom", "X-Custom", None):
        extra = [] if value is None else [f"Access-Control-Expose-Headers: {value}"]
        no_cookie = [line for line in _EXPOSABLE if not line.startswith("Set-Cookie")]
        fam.add(
            f"include GET: ACEH {value!r}",
            Fetch(credentials="include"),
            one_step(ok_actual(*extra, *no_cookie, credentialed=True)),
        )
    fam.add(
        "ACEH in two lines",
        Fetch(credentials="omit"),
        one_step(
            ok_actual(
                "Access-Control-Expose-Headers: X-Custom",
                "Access-Control-Expose-Headers: X-Other",
                *_EXPOSABLE,
            )
        ),
    )
    fam.add(
        "ACEH on the preflight only",
        Fetch(headers=(("X-Q", "1"),), credentials="omit"),
        one_step(
            ok_actual(*_EXPOSABLE),
            permissive_preflight("*", "*", "Access-Control-Expose-Headers: *"),
        ),
    )
    fam.add(
        "HEAD: ACEH '*'",
        Fetch("HEAD", credentials="omit"),
        one_step(ok_actual("Access-Control-Expose-Headers: *", *_EXPOSABLE)),
    )
    fam.add(
        "ACEH blank before colon",
        Fetch(credentials="omit"),
        one_step(ok_actual("Access-Control-Expose-Headers : X-Custom", *_EXPOSABLE)),
    )
    fam.add(
        "exposed header with padding and high bytes",
        Fetch(credentials="omit"),
        one_step(ok_actual("Access-Control-Expose-Headers: X-Custom", "X-Custom:  caf\xe9 \t")),
    )
    fam.add(
        "duplicate Content-Type lines",
        Fetch(credentials="omit"),
        one_step(resp(200, ACAO_ORIGIN, "Content-Type: text/plain", "Content-Type: text/html")),
    )
    yield from fam.items


# -- 8. actual response status -----------------------------------------------------------------
def _actual_status() -> Iterator[Scenario]:
    fam = _Family("status")
    for status in (
        200,
        201,
        202,
        203,
        204,
        206,
        299,
        304,
        400,
        401,
        403,
        404,
        409,
        418,
        422,
        429,
        500,
        502,
        503,
    ):
        fam.add(
            f"GET answered {status} with ACAO",
            Fetch(credentials="omit"),
            one_step(resp(status, ACAO_ORIGIN, TEXT)),
        )
        fam.add(
            f"GET answered {status} without ACAO",
            Fetch(credentials="omit"),
            one_step(resp(status, TEXT)),
        )
    for status in (300, 302, 307):
        fam.add(
            f"GET answered {status} without Location",
            Fetch(credentials="omit"),
            one_step(resp(status, ACAO_ORIGIN, TEXT)),
        )
    for status in (401, 500):
        fam.add(
            f"preflighted PUT answered {status} with ACAO",
            Fetch("PUT", body="x", credentials="omit"),
            one_step(resp(status, ACAO_ORIGIN, TEXT), permissive_preflight("PUT")),
        )
        fam.add(
            f"preflighted PUT answered {status} without ACAO",
            Fetch("PUT", body="x", credentials="omit"),
            one_step(resp(status, TEXT), permissive_preflight("PUT")),
        )
    yield from fam.items


# -- 9. redirects ------------------------------------------------------------------------------
def _redirect(status: int, location: str, *lines: str) -> Resp:
    return Resp(status, (f"Location: {location}", *lines), b"")


def _redirects() -> Iterator[Scenario]:
    fam = _Family("redir")
    omit = Fetch(credentials="omit")
    for status in (301, 302, 303, 307, 308):
        fam.add(
            f"{status} to the same API origin",
            omit,
            {
                "a": Step(_redirect(status, "{API}/s/{SID}/b", ACAO_ORIGIN)),
                "b": Step(ok_actual()),
            },
        )
        fam.add(
            f"{status} without ACAO on the redirect",
            omit,
            {
                "a": Step(_redirect(status, "{API}/s/{SID}/b")),
                "b": Step(ok_actual()),
            },
        )
        fam.add(
            f"{status} to another origin, final ACAO null",
            omit,
            {
                "a": Step(_redirect(status, "{API2}/s/{SID}/b", ACAO_ORIGIN)),
                "b": Step(resp(200, "Access-Control-Allow-Origin: null", TEXT)),
            },
        )
        fam.add(
            f"{status} POST to the same origin",
            Fetch("POST", body="x", credentials="omit"),
            {
                "a": Step(_redirect(status, "{API}/s/{SID}/b", ACAO_ORIGIN)),
                "b": Step(ok_actual()),
            },
        )
    fam.add(
        "relative Location",
        omit,
        {
            "a": Step(_redirect(302, "/s/{SID}/b", ACAO_ORIGIN)),
            "b": Step(ok_actual()),
        },
    )
    fam.add(
        "wildcard on redirect and final",
        omit,
        {
            "a": Step(_redirect(302, "{API}/s/{SID}/b", "Access-Control-Allow-Origin: *")),
            "b": Step(resp(200, "Access-Control-Allow-Origin: *", TEXT)),
        },
    )
    for title, final in [
        ("page origin", ACAO_ORIGIN),
        ("wildcard", "Access-Control-Allow-Origin: *"),
        ("null", "Access-Control-Allow-Origin: null"),
        ("missing", None),
    ]:
        lines = (final, TEXT) if final else (TEXT,)
        fam.add(
            f"cross-origin hop (other port), final ACAO {title}",
            omit,
            {
                "a": Step(_redirect(302, "{API2}/s/{SID}/b", ACAO_ORIGIN)),
                "b": Step(resp(200, *lines)),
            },
        )
        fam.add(
            f"cross-origin hop (other host), final ACAO {title}",
            omit,
            {
                "a": Step(_redirect(302, "{OTHER}/s/{SID}/b", ACAO_ORIGIN)),
                "b": Step(resp(200, *lines)),
            },
        )
        fam.add(
            f"hop back to the page origin, final ACAO {title}",
            omit,
            {
                "a": Step(_redirect(302, "{APP}/s/{SID}/b", ACAO_ORIGIN)),
                "b": Step(resp(200, *lines)),
            },
        )
    fam.add(
        "include: cross-origin hop, final null + ACAC",
        Fetch(credentials="include"),
        {
            "a": Step(_redirect(302, "{API2}/s/{SID}/b", ACAO_ORIGIN, ACAC_TRUE)),
            "b": Step(resp(200, "Access-Control-Allow-Origin: null", ACAC_TRUE, TEXT)),
        },
    )
    fam.add(
        "include: redirect without ACAC",
        Fetch(credentials="include"),
        {
            "a": Step(_redirect(302, "{API}/s/{SID}/b", ACAO_ORIGIN)),
            "b": Step(ok_actual(credentialed=True)),
        },
    )
    fam.add(
        "include: cross-origin hop, final wildcard",
        Fetch(credentials="include"),
        {
            "a": Step(_redirect(302, "{API2}/s/{SID}/b", ACAO_ORIGIN, ACAC_TRUE)),
            "b": Step(resp(200, "Access-Control-Allow-Origin: *", ACAC_TRUE, TEXT)),
        },
    )
    fam.add(
        "three hops: API -> API2 -> API, later hops need null",
        omit,
        {
            "a": Step(_redirect(302, "{API2}/s/{SID}/b", ACAO_ORIGIN)),
            "b": Step(_redirect(302, "{API}/s/{SID}/c", "Access-Control-Allow-Origin: null")),
            "c": Step(resp(200, "Access-Control-Allow-Origin: null", TEXT)),
        },
    )
    fam.add(
        "three hops: second hop answers the page origin",
        omit,
        {
            "a": Step(_redirect(302, "{API2}/s/{SID}/b", ACAO_ORIGIN)),
            "b": Step(_redirect(302, "{API}/s/{SID}/c", ACAO_ORIGIN)),
            "c": Step(resp(200, "Access-Control-Allow-Origin: null", TEXT)),
        },
    )
    fam.add(
        "same-origin start redirected to the API",
        omit,
        {
            "a": Step(_redirect(302, "{API}/s/{SID}/b")),
            "b": Step(ok_actual()),
        },
        url="{APP}/s/{SID}/a",
    )
    fam.add(
        "same-origin start redirected to the API, final null",
        omit,
        {
            "a": Step(_redirect(302, "{API}/s/{SID}/b")),
            "b": Step(resp(200, "Access-Control-Allow-Origin: null", TEXT)),
        },
        url="{APP}/s/{SID}/a",
    )
    fam.add(
        "same-origin start, same-origin hop",
        omit,
        {
            "a": Step(_redirect(302, "{APP}/s/{SID}/b")),
            "b": Step(resp(200, TEXT)),
        },
        url="{APP}/s/{SID}/a",
    )
    fam.add(
        "opaque page redirected across origins",
        omit,
        {
            "a": Step(_redirect(302, "{API2}/s/{SID}/b", "Access-Control-Allow-Origin: null")),
            "b": Step(resp(200, "Access-Control-Allow-Origin: null", TEXT)),
        },
        page="null",
    )
    fam.add(
        "Location with userinfo",
        omit,
        {
            "a": Step(
                _redirect(302, "http://user:pw@api.example.org:{PORT}/s/{SID}/b", ACAO_ORIGIN)
            ),
            "b": Step(ok_actual()),
        },
    )
    put = Fetch("PUT", headers=(("X-Custom", "1"),), body="x", credentials="omit")
    allow = ("Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: X-Custom")
    for status in (302, 307, 308):
        fam.add(
            f"preflighted PUT answered {status} to the same origin",
            put,
            {
                "a": Step(
                    _redirect(status, "{API}/s/{SID}/b", ACAO_ORIGIN),
                    preflight(ACAO_ORIGIN, *allow),
                ),
                "b": Step(ok_actual(), preflight(ACAO_ORIGIN, *allow)),
            },
        )
    fam.add(
        "preflighted PUT redirected cross-origin, preflight null there",
        put,
        {
            "a": Step(
                _redirect(307, "{API2}/s/{SID}/b", ACAO_ORIGIN), preflight(ACAO_ORIGIN, *allow)
            ),
            "b": Step(
                resp(200, "Access-Control-Allow-Origin: null", TEXT),
                preflight("Access-Control-Allow-Origin: null", *allow),
            ),
        },
    )
    fam.add(
        "preflighted PUT redirected cross-origin, second preflight wants page origin",
        put,
        {
            "a": Step(
                _redirect(307, "{API2}/s/{SID}/b", ACAO_ORIGIN), preflight(ACAO_ORIGIN, *allow)
            ),
            "b": Step(ok_actual(), preflight(ACAO_ORIGIN, *allow)),
        },
    )
    fam.add(
        "preflighted PUT redirected, new URL lacks ACAH",
        put,
        {
            "a": Step(
                _redirect(307, "{API}/s/{SID}/b", ACAO_ORIGIN), preflight(ACAO_ORIGIN, *allow)
            ),
            "b": Step(ok_actual(), preflight(ACAO_ORIGIN, allow[0])),
        },
    )
    fam.add(
        "simple GET redirected, custom header needs preflight at the new URL",
        Fetch(headers=(("X-Custom", "1"),), credentials="omit"),
        {
            "a": Step(
                _redirect(302, "{API}/s/{SID}/b", ACAO_ORIGIN), preflight(ACAO_ORIGIN, *allow)
            ),
            "b": Step(ok_actual(), preflight(ACAO_ORIGIN, *allow)),
        },
    )
    fam.add(
        "same-origin start with custom header redirected to the API",
        Fetch(headers=(("X-Custom", "1"),), credentials="omit"),
        {
            "a": Step(_redirect(307, "{API}/s/{SID}/b")),
            "b": Step(ok_actual(), preflight(ACAO_ORIGIN, *allow)),
        },
        url="{APP}/s/{SID}/a",
    )
    _add_kept_preflights(fam)
    yield from fam.items


_ANY_PREFLIGHT = preflight(
    "Access-Control-Allow-Origin: *",
    "Access-Control-Allow-Methods: *",
    "Access-Control-Allow-Headers: *",
)


def _chain(
    hops: tuple[tuple[int, str], ...], last: Resp | None = None, last_pre: Resp | None = None
) -> dict[str, Step]:
    """``/a`` -> ``/b`` -> ... as ``(status, origin placeholder)`` hops; every URL allows any
    non-credentialed request (``*``, whatever Origin the browser sends after a hop)."""
    steps: dict[str, Step] = {}
    names = "abcde"
    for i, (status, where) in enumerate(hops):
        target = f"{where}/s/{{SID}}/{names[i + 1]}"
        steps[names[i]] = Step(
            _redirect(status, target, "Access-Control-Allow-Origin: *"), _ANY_PREFLIGHT
        )
    steps[names[len(hops)]] = Step(
        last or resp(200, "Access-Control-Allow-Origin: *", TEXT), last_pre or _ANY_PREFLIGHT
    )
    return steps


def _add_kept_preflights(fam: _Family) -> None:
    """Firefox keeps "needs a preflight" for the whole redirect chain (random hardening R1).

    A method rewrite (303, or 301/302 after POST) leaves a GET without body headers, which by
    the standard needs no preflight; Firefox preflights it anyway, naming the script's unsafe
    headers less those the latest redirect removed. Chromium follows the standard.
    """
    put = Fetch("PUT", body="x", credentials="omit")
    json = Fetch("POST", (("Content-Type", "application/json"),), "omit", "x")
    json_x = Fetch("POST", (("Content-Type", "application/json"), ("X-Custom", "1")), "omit", "x")
    auth = Fetch(headers=(("Authorization", "Bearer t"),), credentials="omit")
    for status, where in ((303, "{API}"), (303, "{API2}"), (303, "{APP}")):
        fam.add(
            f"kept preflight: PUT answered {status} to {where}", put, _chain(((status, where),))
        )
    fam.add("kept preflight: DELETE answered 303 to another host",
            Fetch("DELETE", credentials="omit"), _chain(((303, "{OTHER}"),)))  # fmt: skip
    for status in (301, 302, 303):
        fam.add(f"kept preflight: JSON POST answered {status}", json, _chain(((status, "{API}"),)))
    fam.add("kept preflight: JSON POST with X-Custom answered 303", json_x,
            _chain(((303, "{API}"),)))  # fmt: skip
    fam.add("kept preflight: the new URL's preflight fails", put,
            _chain(((303, "{API}"),), last_pre=preflight(TEXT, status=404)))  # fmt: skip
    fam.add("kept preflight: JSON POST 303 then 302 names content-type again", json,
            _chain(((303, "{API}"), (302, "{API}"))))  # fmt: skip
    fam.add(
        "kept preflight: content-type named again and not allowed",
        json,
        _chain(
            ((303, "{API}"), (302, "{API}")),
            last_pre=preflight("Access-Control-Allow-Origin: *",
                               "Access-Control-Allow-Headers: X-Custom"),
        ),
    )  # fmt: skip
    fam.add("kept preflight: Authorization, cross-origin hop then same-origin hop", auth,
            _chain(((302, "{API2}"), (302, "{API2}"))))  # fmt: skip
    fam.add("kept preflight: Authorization, two cross-origin hops", auth,
            _chain(((302, "{API2}"), (302, "{API}"))))  # fmt: skip
    same = "{APP}/s/{SID}/a"
    fam.add("kept preflight: same-origin PUT 303 to the API (never needed one)", put,
            _chain(((303, "{API}"),)), url=same)  # fmt: skip
    fam.add("kept preflight: same-origin JSON POST 303 to the API", json,
            _chain(((303, "{API}"),)), url=same)  # fmt: skip
    fam.add("kept preflight: same-origin JSON POST 303 to itself, 302 to the API", json,
            _chain(((303, "{APP}"), (302, "{API}"))), url=same)  # fmt: skip
    fam.add("kept preflight: same-origin GET with Authorization 302 to the API", auth,
            _chain(((302, "{API}"),)), url=same)  # fmt: skip


# -- 10. the preflight cache -------------------------------------------------------------------
def _cache() -> Iterator[Scenario]:
    fam = _Family("cache")

    def twice(
        title: str, first: Fetch, second: Fetch, pre: Resp, actual: Resp | None = None
    ) -> None:
        fam.add(title, (first, second), one_step(actual or ok_actual(credentialed=True), pre))

    put = Fetch("PUT", body="x", credentials="omit", cache=None)
    base = (ACAO_ORIGIN, "Access-Control-Allow-Methods: PUT")
    for value in (None, "600", "0", "-1", " 600 ", "abc", "10.5", "600, 600", "7200", "86400", "1"):
        lines = base + ((f"Access-Control-Max-Age: {value}",) if value is not None else ())
        twice(f"PUT twice, Max-Age {value!r}", put, put, preflight(*lines))
    twice(
        "PUT twice, two Max-Age 600 lines",
        put,
        put,
        preflight(*base, "Access-Control-Max-Age: 600", "Access-Control-Max-Age: 600"),
    )
    delete = Fetch("DELETE", credentials="omit", cache=None)
    twice(
        "PUT entry does not cover DELETE",
        put,
        delete,
        preflight(*base, "Access-Control-Max-Age: 600"),
    )
    twice(
        "ACAM PUT, DELETE covers a later DELETE",
        put,
        delete,
        preflight(
            ACAO_ORIGIN, "Access-Control-Allow-Methods: PUT, DELETE", "Access-Control-Max-Age: 600"
        ),
    )
    patch = Fetch("PATCH", body="x", credentials="omit", cache=None)
    twice(
        "ACAM * covers a later PATCH",
        put,
        patch,
        preflight(ACAO_ORIGIN, "Access-Control-Allow-Methods: *", "Access-Control-Max-Age: 600"),
    )
    foo = Fetch(headers=(("X-Foo", "1"),), credentials="omit", cache=None)
    bar = Fetch(headers=(("X-Bar", "1"),), credentials="omit", cache=None)
    twice(
        "X-Foo entry does not cover X-Bar",
        foo,
        bar,
        preflight(
            ACAO_ORIGIN, "Access-Control-Allow-Headers: X-Foo", "Access-Control-Max-Age: 600"
        ),
    )
    twice(
        "X-Foo entry covers X-Foo again",
        foo,
        foo,
        preflight(
            ACAO_ORIGIN, "Access-Control-Allow-Headers: x-foo", "Access-Control-Max-Age: 600"
        ),
    )
    twice(
        "ACAH * covers a later X-Bar",
        foo,
        bar,
        preflight(ACAO_ORIGIN, "Access-Control-Allow-Headers: *", "Access-Control-Max-Age: 600"),
    )
    cred_pre = preflight(
        ACAO_ORIGIN, ACAC_TRUE, "Access-Control-Allow-Methods: PUT", "Access-Control-Max-Age: 600"
    )
    put_inc = Fetch("PUT", body="x", credentials="include", cache=None)
    twice("omit-made entry not used by include", put, put_inc, cred_pre)
    twice("include-made entry used by omit", put_inc, put, cred_pre)
    twice("include twice", put_inc, put_inc, cred_pre)
    twice(
        "failed preflight makes no entry",
        put,
        put,
        preflight(*base, "Access-Control-Max-Age: 600", status=500),
    )
    twice(
        "actual response failing CORS clears the entry",
        put,
        put,
        preflight(*base, "Access-Control-Max-Age: 600"),
        resp(200, TEXT),
    )
    twice(
        "simple GET twice: never a preflight",
        Fetch(credentials="omit", cache=None),
        Fetch(credentials="omit", cache=None),
        preflight(*base),
    )
    twice(
        "PUT preflight listing X-Foo covers a later GET with X-Foo",
        put,
        foo,
        preflight(
            ACAO_ORIGIN,
            "Access-Control-Allow-Methods: PUT",
            "Access-Control-Allow-Headers: X-Foo",
            "Access-Control-Max-Age: 600",
        ),
    )
    # the opaque origin, and the null origin of a tainted redirect
    null_pre = preflight(
        "Access-Control-Allow-Origin: null",
        "Access-Control-Allow-Methods: PUT",
        "Access-Control-Max-Age: 600",
    )
    for value in ("600", None):
        lines = ["Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT"]
        if value:
            lines.append(f"Access-Control-Max-Age: {value}")
        fam.add(
            f"opaque page: PUT twice, wildcard preflight, Max-Age {value!r}",
            (put, put),
            one_step(resp(200, "Access-Control-Allow-Origin: *", TEXT), preflight(*lines)),
            page="null",
        )
    fam.add(
        "opaque page: PUT twice, null preflight, Max-Age 600",
        (put, put),
        one_step(resp(200, "Access-Control-Allow-Origin: null", TEXT), null_pre),
        page="null",
    )
    fam.add(
        "tainted redirect: PUT twice, preflight at the new URL with Origin null",
        (put, put),
        {
            "a": Step(
                _redirect(307, "{API2}/s/{SID}/b", ACAO_ORIGIN),
                preflight(*base, "Access-Control-Max-Age: 600"),
            ),
            "b": Step(resp(200, "Access-Control-Allow-Origin: null", TEXT), null_pre),
        },
    )
    fam.add(
        "same-origin redirect: PUT twice, both URLs cached",
        (put, put),
        {
            "a": Step(
                _redirect(307, "{API}/s/{SID}/b", ACAO_ORIGIN),
                preflight(*base, "Access-Control-Max-Age: 600"),
            ),
            "b": Step(ok_actual(), preflight(*base, "Access-Control-Max-Age: 600")),
        },
    )
    # Firefox's kept preflight after a 303 (random hardening R1) asks the cache for GET and no
    # header: any entry for the URL serves it (here one listing only PUT); Max-Age 0 makes none.
    # (An entry with no token at all serves it too, but Firefox drops such entries whenever its
    # 100-entry cache is full, which the suite's concurrent scenarios make it: not compared.)
    any_put = preflight("Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT",
                        "Access-Control-Max-Age: 600")  # fmt: skip
    for value in ("600", "0"):
        steps = _chain(((303, "{API}"),), last_pre=preflight(
            "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT",
            f"Access-Control-Max-Age: {value}"))  # fmt: skip
        steps["a"] = Step(steps["a"].actual, any_put)
        fam.add(f"PUT 303 twice, new URL's preflight lists only PUT, Max-Age {value}",
                (put, put), steps)  # fmt: skip
    # Firefox's cache exempts only GET and POST from the method match (random hardening R3).
    head = Fetch("HEAD", (("X-Custom", "1"),), credentials="omit")
    for title, extra in (("not listed", ()), ("listed", ("Access-Control-Allow-Methods: HEAD",))):
        fam.add(
            f"HEAD with X-Custom twice, HEAD {title} in Allow-Methods",
            (head, head),
            one_step(ok_actual(), preflight(ACAO_ORIGIN, "Access-Control-Allow-Headers: X-Custom",
                                            "Access-Control-Max-Age: 600", *extra)),
        )  # fmt: skip
    # The opaque page with credentials and with a random-style request (seed 1032043536
    # rnd-156): Chromium never reuses, Firefox reuses within the page (random hardening R2).
    fam.add(
        "opaque page: credentialed PUT twice, null preflight with ACAC, Max-Age 600",
        (put_inc, put_inc),
        one_step(
            resp(200, "Access-Control-Allow-Origin: null", ACAC_TRUE, TEXT),
            preflight(*null_pre.lines, ACAC_TRUE),
        ),
        page="null",
    )
    options = Fetch("OPTIONS", (("Authorization", "Bearer t"), ("Range", "bytes=-5")),
                    "same-origin", "{}")  # fmt: skip
    fam.add(
        "opaque page: OPTIONS with Authorization and Range twice, no Max-Age",
        (options, options),
        one_step(
            resp(500, "Access-Control-Allow-Origin: null", TEXT),
            preflight("Access-Control-Allow-Origin: {ORIGIN}",
                      "Access-Control-Allow-Methods: OPTIONS , PUT",
                      "Access-Control-Allow-Headers: Range,Authorization"),
        ),
        page="null",
    )  # fmt: skip
    # A preflight's ACAH * lets Authorization through, a cached one never does (random
    # hardening R5, seed 1028407412 rnd-102).
    auth = Fetch(headers=(("Authorization", "Bearer t"),), credentials="omit")
    wildcard = preflight(ACAO_ORIGIN, "Access-Control-Allow-Headers: *",
                         "Access-Control-Max-Age: 600")  # fmt: skip
    twice("ACAH * from X-Foo, then Authorization", foo, auth, wildcard)
    twice("ACAH * twice for Authorization", auth, auth, wildcard)
    twice("ACAH *, authorization covers a later Authorization", foo, auth, preflight(
        ACAO_ORIGIN, "Access-Control-Allow-Headers: *, authorization",
        "Access-Control-Max-Age: 600"))  # fmt: skip
    yield from fam.items


# -- 11. the HTTP cache ----------------------------------------------------------------------
def _http_cache() -> Iterator[Scenario]:
    """Random hardening R4: a fresh stored response answers a later GET without a request.

    Chromium keeps a permanent redirect (301/308) with no freshness information at all; both
    keep what ``max-age``/``Expires``/``Last-Modified`` make fresh, with the differences the
    profiles' ``http_cache`` rules list. A stored response still goes through the CORS check.
    """
    fam = _Family("hcache")
    get = Fetch(credentials="omit")
    # Max-Age 0: these preflights make no preflight-cache entries, which would crowd Firefox's
    # 100-entry cache while the other two-fetch scenarios run (see firefox.py).
    allow = preflight(
        ACAO_ORIGIN, ACAC_TRUE, "Access-Control-Allow-Methods: PUT, POST, DELETE",
        "Access-Control-Allow-Headers: Cache-Control, Pragma, If-None-Match, Range, X-Custom",
        "Access-Control-Max-Age: 0",
    )  # fmt: skip
    final = Step(ok_actual(credentialed=True), allow)

    def hop(title: str, fetches: tuple[Fetch, ...], status: int = 301, *lines: str,
            page: str = "app") -> None:  # fmt: skip
        lines = lines or (ACAO_ORIGIN, ACAC_TRUE)
        fam.add(title, fetches, {"a": Step(_redirect(status, "{API}/s/{SID}/b", *lines), allow),
                                 "b": final}, page=page)  # fmt: skip

    def with_header(name: str, value: str) -> Fetch:
        return Fetch(headers=((name, value),), credentials="omit")

    # a stored redirect, then the next URL from the network
    for status in (301, 308, 302, 307):
        hop(f"GET twice through a {status}", (get, get), status)
    hop("301 with Cache-Control: no-cache", (get, get), 301, ACAO_ORIGIN, "Cache-Control: no-cache")
    hop("302 with max-age=600", (get, get), 302, ACAO_ORIGIN, "Cache-Control: max-age=600")
    hop("301 with max-age=600", (get, get), 301, ACAO_ORIGIN, "Cache-Control: max-age=600")
    hop(
        "301 with ETag and Set-Cookie", (get, get), 301, ACAO_ORIGIN, 'ETag: "e"', "Set-Cookie: r=1"
    )
    hop("301, then HEAD", (get, Fetch("HEAD", credentials="omit")))
    hop("301, then GET with X-Custom (preflighted)", (get, with_header("X-Custom", "1")))
    hop("301, then GET with Range", (get, with_header("Range", "bytes=0-10")))
    for name, value in (("Cache-Control", "no-cache"), ("Pragma", "no-cache"),
                        ("Cache-Control", "no-store"), ("If-None-Match", '"e"')):  # fmt: skip
        hop(f"301, then GET with {name}: {value}", (get, with_header(name, value)))
    hop("301 with credentials, then without", (Fetch(credentials="include"), get))
    hop("301 on the opaque page", (get, get), 301, "Access-Control-Allow-Origin: *", page="null")
    hop("301, then POST (rewritten to GET)", (get, Fetch("POST", body="x", credentials="omit")))

    # a stored final response: the later fetch sends nothing at all
    def twice(title: str, fetches: tuple[Fetch, ...], status: int, *lines: str,
              body: bytes = b"hello", page: str = "app") -> None:  # fmt: skip
        fam.add(title, fetches, one_step(resp(status, *lines, TEXT, body=body), allow), page=page)

    ok = (ACAO_ORIGIN, ACAC_TRUE)
    fresh = (*ok, "Cache-Control: max-age=600")
    hop("301 failing its CORS check, twice", (get, get), 301, "X-Other: o")
    hop("308 failing its CORS check, twice", (get, get), 308, ACAO_ORIGIN, ACAO_ORIGIN)
    for status in (200, 201, 203, 204, 300, 404, 410, 500):
        twice(f"{status} with max-age=600, twice", (get, get), status, *fresh)
    for status in (300, 410):
        twice(f"{status} without freshness information, twice", (get, get), status, *ok)
    for title, lines in (
        ("Last-Modified long ago", ("Last-Modified: Tue, 01 Jan 2019 00:00:00 GMT",)),
        ("Expires far ahead", ("Expires: Tue, 01 Jan 2199 00:00:00 GMT",)),
        ("Expires in the past", ("Expires: Tue, 01 Jan 2019 00:00:00 GMT",)),
        ("Date and Expires ten minutes apart, long ago",
         ("Date: Tue, 01 Jan 2019 00:00:00 GMT", "Expires: Tue, 01 Jan 2019 00:10:00 GMT")),
        ("two lines, max-age=600 and no-cache",
         ("Cache-Control: max-age=600", "Cache-Control: no-cache")),
        ("max-age=600 and Pragma: no-cache", ("Cache-Control: max-age=600", "Pragma: no-cache")),
        ("no-store", ("Cache-Control: no-store",)),
        ("s-maxage only", ("Cache-Control: s-maxage=600",)),
        ("private, max-age=600", ("Cache-Control: private, max-age=600",)),
        ("max-age=600, Vary: *", ("Cache-Control: max-age=600", "Vary: *")),
    ):  # fmt: skip
        twice(f"200 with {title}, twice", (get, get), 200, *ok, *lines)
    vary = (*fresh, "Vary: Accept-Language")
    twice("Vary: Accept-Language, same value", (with_header("Accept-Language", "en"),
          with_header("Accept-Language", "en")), 200, *vary)  # fmt: skip
    twice("Vary: Accept-Language, another value", (with_header("Accept-Language", "en"),
          with_header("Accept-Language", "de")), 200, *vary)  # fmt: skip
    for first, second in (("omit", "include"), ("include", "omit"), ("include", "include"),
                          ("same-origin", "omit"), ("same-origin", "include")):  # fmt: skip
        twice(f"fresh 200: {first}, then {second}", (Fetch(credentials=first),
              Fetch(credentials=second)), 200, *fresh)  # fmt: skip
    head = Fetch("HEAD", credentials="omit")
    twice("fresh 200: GET, then HEAD", (get, head), 200, *fresh)
    twice("fresh 200: HEAD, then GET", (head, get), 200, *fresh)
    twice("fresh 200: GET, HEAD, GET", (get, head, get), 200, *fresh)
    twice("fresh 200: three GETs", (get, get, get), 200, *fresh)
    for method in ("POST", "PUT", "DELETE"):
        other = Fetch(method, body=None if method == "DELETE" else "x", credentials="omit")
        twice(f"fresh 200: GET, {method}, GET", (get, other, get), 200, *fresh)
    for name, value in (("Cache-Control", "no-cache"), ("Cache-Control", "max-age=0"),
                        ("Pragma", "no-cache"), ("If-None-Match", '"e"'),
                        ("Cache-Control", "no-store"), ("X-Custom", "1")):  # fmt: skip
        twice(f"fresh 200, then {name}: {value}", (get, with_header(name, value)), 200, *fresh)
        twice(f"{name}: {value}, then a plain GET of a fresh 200",
              (with_header(name, value), get), 200, *fresh)  # fmt: skip
    ranges = (*fresh, "Access-Control-Expose-Headers: Content-Range")
    for value in ("bytes=0-1", "bytes=1-", "bytes=-2", "bytes=10-20", "bytes=0-1,3-4"):
        twice(f"fresh 200, then Range: {value}", (get, with_header("Range", value)), 200, *ranges)
    twice("fresh 200 failing its CORS check, twice", (get, get), 200, "Cache-Control: max-age=600")
    twice("fresh empty 200 failing its CORS check, twice", (get, get), 200,
          "Cache-Control: max-age=600", body=b"")  # fmt: skip
    twice("fresh 200 on the opaque page", (get, get), 200, "Access-Control-Allow-Origin: *",
          "Cache-Control: max-age=600", page="null")  # fmt: skip
    yield from fam.items


def _redirect_methods() -> Iterator[Scenario]:
    """In redirect_method.py (it builds on this module's helpers, so imported late)."""
    from .redirect_method import redirect_method_scenarios

    yield from redirect_method_scenarios()


FAMILIES = (
    _methods, _safelisted_headers, _acao, _credentials, _preflight_status, _allow_methods,
    _allow_headers, _exposure, _actual_status, _redirects, _cache, _http_cache,
    _redirect_methods,
)  # fmt: skip


def all_scenarios() -> list[Scenario]:
    scenarios = [s for family in FAMILIES for s in family()]
    ids = [s.sid for s in scenarios]
    assert len(ids) == len(set(ids)), "scenario ids must be unique"
    return scenarios


def by_id(scenarios: list[Scenario]) -> dict[str, Scenario]:
    return {s.sid: s for s in scenarios}


def _default_port() -> list[Scenario]:
    """Origins without a port (``http://app.example.com``): Chromium only, see chromium.py."""
    fam = _Family("port80")
    api80 = "{API80}/s/{SID}/a"
    for title, value in [
        ("exact, no port", "http://app.example.com"),
        ("explicit :80", "http://app.example.com:80"),
        ("trailing slash", "http://app.example.com/"),
        ("wildcard", "*"),
        ("the page's {ORIGIN}", "{ORIGIN}"),
    ]:
        line = f"Access-Control-Allow-Origin: {value}"
        fam.add(f"default-port page and API: ACAO {title}", Fetch(credentials="omit"),
                one_step(resp(200, line, TEXT)), page="app80", url=api80)  # fmt: skip
        fam.add(
            f"default-port page and API, PUT: preflight ACAO {title}",
            Fetch("PUT", body="x", credentials="omit"),
            one_step(ok_actual(), preflight(line, "Access-Control-Allow-Methods: PUT")),
            page="app80",
            url=api80,
        )
    fam.add("default-port page, API on another port", Fetch(credentials="omit"),
            one_step(ok_actual()), page="app80")  # fmt: skip
    fam.add("page with port, API on the default port", Fetch(credentials="omit"),
            one_step(ok_actual()), url=api80)  # fmt: skip
    fam.add("same host, default port vs explicit port: cross-origin", Fetch(credentials="omit"),
            one_step(resp(200, TEXT)), page="app80", url="{APP}/s/{SID}/a")  # fmt: skip
    fam.add("same origin through the default port", Fetch("PUT", (("X-Custom", "1"),), body="x"),
            one_step(resp(200, TEXT)), page="app80", url="{APP80}/s/{SID}/a")  # fmt: skip
    fam.add("redirect from the default port to another port", Fetch(credentials="omit"), {
        "a": Step(_redirect(302, "{API}/s/{SID}/b", ACAO_ORIGIN)),
        "b": Step(resp(200, "Access-Control-Allow-Origin: null", TEXT)),
    }, page="app80", url=api80)  # fmt: skip
    return fam.items


SCENARIOS = all_scenarios()
# Kept apart from SCENARIOS: only Chromium's resolver rules can map port 80 to the test server.
DEFAULT_PORT_SCENARIOS = _default_port()


def _added_headers() -> list[Scenario]:
    """The headers the browser adds (User-Agent, Referer, Sec-Fetch-* ...), compared line by
    line in test_added_headers.py. Kept out of SCENARIOS: they are about what is sent, which
    the main comparison does not look at, and need the loopback pages ``local`` (Fetch Metadata
    goes only to potentially trustworthy URLs, ``localhost`` and ``127.0.0.1`` among them)."""
    fam = _Family("added")
    custom = (("X-Custom", "1"),)
    credentialed = one_step(
        ok_actual(credentialed=True),
        preflight(ACAO_ORIGIN, ACAC_TRUE, "Access-Control-Allow-Methods: PUT",
                  "Access-Control-Allow-Headers: X-Custom"),
    )  # fmt: skip
    targets = [
        ("app", "{API}", "plain http, cross-site"),
        ("local", "{LOCAL2}", "localhost, another port: same-site"),
        ("local", "{LOOP}", "localhost to 127.0.0.1: cross-site"),
    ]
    for page, api, where in targets:
        url = api + "/s/{SID}/a"
        fam.add(f"{where}: simple GET", Fetch(credentials="omit"), one_step(ok_actual()),
                page=page, url=url)  # fmt: skip
        fam.add(
            f"{where}: PUT with a custom header",
            Fetch("PUT", custom, body="x", credentials="omit"),
            one_step(ok_actual(), permissive_preflight()),
            page=page,
            url=url,
        )
        fam.add(f"{where}: credentials include", Fetch("PUT", custom, body="x",
                credentials="include"), credentialed, page=page, url=url)  # fmt: skip
    fam.add(
        "same origin, the page at /: PUT with a custom header",
        Fetch("PUT", custom, body="x"),
        one_step(resp(200, TEXT)),
        page="local-root",
        url="{LOCAL}/s/{SID}/a",
    )
    fam.add(
        "same-site redirect to a cross-site URL",
        Fetch("PUT", body="x", credentials="omit"),
        {
            "a": Step(_redirect(307, "{LOOP}/s/{SID}/b", ACAO_ORIGIN), permissive_preflight()),
            # the Origin is null here (tainted) in Chromium, the page's in Firefox: * fits both
            "b": Step(resp(200, "Access-Control-Allow-Origin: *", TEXT), _ANY_PREFLIGHT),
        },
        page="local",
        url="{LOCAL2}/s/{SID}/a",
    )
    fam.add(
        "Range: Accept-Encoding identity",
        Fetch(headers=(("Range", "bytes=0-1"),), credentials="omit"),
        one_step(resp(206, ACAO_ORIGIN, TEXT)),
        page="local",
        url="{LOOP}/s/{SID}/a",
    )
    return fam.items


ADDED_HEADER_SCENARIOS = _added_headers()
