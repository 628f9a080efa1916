"""HAR import: the cross-origin calls a frontend really made, read from what browsers write.

``har/frontend.har`` was recorded by headless Chromium loading the page of
:mod:`tests.contract.har_frontend` (playwright's ``record_har_path``); the browser test below
records it again and expects the same calls. The hand-written document follows what
Chromium's DevTools "Save all as HAR" writes (the page's URL as its title, ``_resourceType``,
preflight entries, ``Sec-Fetch-*`` headers).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from pytest_cors.contract.har import HarCall, Need, needs, parse_har, read_har
from pytest_cors.errors import CorsUsageError
from tests.contract.har_frontend import API_ORIGIN, FIXTURE, PAGE_ORIGIN, record_har

PAGE = PAGE_ORIGIN
API = API_ORIGIN


def test_the_chromium_har_gives_the_three_cross_origin_fetches():
    calls = read_har(FIXTURE)
    # the document, the same-origin /config.json and the cross-origin image are left out
    assert [(c.method, c.path) for c in calls] == [
        ("POST", "/api/login"),
        ("GET", "/api/items/42"),
        ("POST", "/api/items"),
    ]
    assert {c.origin for c in calls} == {PAGE}
    assert {c.url_origin for c in calls} == {API}
    login, item, create = calls
    assert (login.headers, login.credentials, login.expose) == ((), False, ())
    # Accept: application/json is safelisted; the browser's own headers are not the script's
    assert item.headers == ("X-Request-Id",)
    assert item.credentials is True  # the session cookie the login set
    assert item.expose == ("X-Total-Count",)
    assert item.status == 200
    assert create.headers == ("Content-Type",)  # application/json is not safelisted
    assert (create.credentials, create.status) == (True, 201)
    assert create.source == f"{FIXTURE}: entry 6"


def test_needs_fold_the_calls_of_each_path():
    calls = read_har(FIXTURE)
    more = replace(calls[1], method="DELETE", headers=("x-request-id", "X-Trace"), origin=API)
    folded = needs([*calls, more])
    item = folded["/api/items/42"]
    assert item.origins == (PAGE, API)
    assert item.methods == ("GET", "DELETE")
    assert item.headers == ("X-Request-Id", "X-Trace")  # first spelling kept, case-blind
    assert item.credentials is True
    assert len(item.sources) == 2
    assert folded["/api/login"] == Need(
        "/api/login", (PAGE,), ("POST",), sources=(calls[0].source,)
    )


def _header(name, value):
    return {"name": name, "value": value}


def _entry(method, url, headers, *, kind="fetch", status=200, answer=(), page="page_1", **extra):
    return {
        "pageref": page,
        "_resourceType": kind,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "http/1.1",
            "headers": [_header(n, v) for n, v in headers],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
            **extra,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "http/1.1",
            "headers": [_header(n, v) for n, v in answer],
            "cookies": [],
            "content": {"size": 0, "mimeType": "application/json"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 0,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }


DEVTOOLS = {
    "log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [
            {
                "startedDateTime": "2026-12-07T10:00:00.000Z",
                "id": "page_1",
                "title": "https://app.example.com/orders?tab=open",
                "pageTimings": {},
            }
        ],
        "entries": [
            _entry(  # the preflight DevTools lists as its own entry
                "OPTIONS",
                "https://api.example.com/orders/7",
                [
                    ("Origin", "https://app.example.com"),
                    ("Access-Control-Request-Method", "PUT"),
                    ("Access-Control-Request-Headers", "authorization,content-type"),
                    ("Sec-Fetch-Mode", "cors"),
                ],
                kind="preflight",
                status=204,
            ),
            _entry(
                "PUT",
                "https://api.example.com/orders/7?notify=1",
                [
                    (":authority", "api.example.com"),
                    ("Origin", "https://app.example.com"),
                    ("Authorization", "Bearer abc"),
                    ("Content-Type", "application/json"),
                    ("Content-Language", "en"),
                    ("Pragma", "no-cache"),
                    ("Cache-Control", "no-cache"),  # DevTools' "Disable cache", not the script
                    ("Sec-Fetch-Mode", "cors"),
                    ("User-Agent", "Mozilla/5.0"),
                ],
                answer=[
                    ("Access-Control-Allow-Origin", "https://app.example.com"),
                    ("Access-Control-Expose-Headers", "ETag, X-Request-Id, Content-Type"),
                    ("ETag", '"v2"'),
                    ("Content-Type", "application/json"),
                ],
            ),
            _entry(  # no Origin header recorded: the page's origin comes from its title
                "GET",
                "https://api.example.com/orders",
                [("Sec-Fetch-Mode", "cors"), ("Accept", "*/*")],
                kind="xhr",
                cookies=[{"name": "sid", "value": "x"}],
            ),
            _entry(  # an image: no CORS
                "GET",
                "https://api.example.com/logo.png",
                [("Sec-Fetch-Mode", "no-cors")],
                kind="image",
            ),
            _entry(  # fetch(..., {mode: "no-cors"})
                "POST",
                "https://api.example.com/beacon",
                [("Origin", "https://app.example.com"), ("Sec-Fetch-Mode", "no-cors")],
            ),
            _entry(  # a sandboxed iframe: an opaque origin no contract can name
                "GET", "https://api.example.com/orders", [("Origin", "null")]
            ),
            _entry(  # same origin
                "POST",
                "https://app.example.com/session",
                [("Origin", "https://app.example.com"), ("Sec-Fetch-Mode", "cors")],
            ),
            _entry(  # blocked by CORS: DevTools records status 0
                "DELETE",
                "https://api.example.com:8443/orders/7",
                [("Origin", "https://app.example.com"), ("X-Csrf", "t")],
                status=0,
            ),
        ],
    }
}


def test_a_devtools_har_keeps_cors_calls_and_what_the_script_set():
    calls = parse_har(json.dumps(DEVTOOLS), "orders.har")
    assert calls == [
        HarCall(
            origin="https://app.example.com",
            url_origin="https://api.example.com",
            path="/orders/7",
            method="PUT",
            headers=("Authorization", "Content-Type"),  # Content-Language: en is safelisted
            expose=("ETag",),  # listed and present; X-Request-Id listed but absent
            status=200,
            source="orders.har: entry 2",
        ),
        HarCall(
            origin="https://app.example.com",
            url_origin="https://api.example.com",
            path="/orders",
            method="GET",
            credentials=True,
            status=200,
            source="orders.har: entry 3",
        ),
        HarCall(
            origin="https://app.example.com",
            url_origin="https://api.example.com:8443",
            path="/orders/7",
            method="DELETE",
            headers=("X-Csrf",),
            status=0,
            source="orders.har: entry 8",
        ),
    ]


def test_a_firefox_har_without_resource_types_reads_the_origin_header():
    firefox = json.loads(json.dumps(DEVTOOLS))
    for entry in firefox["log"]["entries"]:
        del entry["_resourceType"]
        entry["request"]["headers"] = [
            h for h in entry["request"]["headers"] if h["name"] != "Sec-Fetch-Mode"
        ]
    calls = parse_har(json.dumps(firefox), "ff.har")
    # without Sec-Fetch-Mode the no-cors beacon still carries Origin: a call, as written
    assert [(c.method, c.path) for c in calls] == [
        ("PUT", "/orders/7"),
        ("POST", "/beacon"),
        ("DELETE", "/orders/7"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<html>", "orders.har: not a HAR file: not valid JSON"),
        ("[]", "orders.har: not a HAR file: it has no 'log' object"),
        ('{"log": {"entries": {}}}', "'log.entries' must be a list"),
        ('{"log": {"entries": [1]}}', "orders.har: entry 1: an entry must be an object"),
        ('{"log": {"entries": [{"request": {"method": "GET"}}]}}', "entry 1: its request has no"),
        (
            '{"log": {"entries": [{"request": {"url": "https://a.example/", "method": "GET", '
            '"headers": {}}}]}}',
            "entry 1: request: 'headers' must be a list",
        ),
        ('{"log": {"entries": [], "pages": {}}}', "'log.pages' must be a list"),
    ],
)
def test_a_malformed_har_is_a_usage_error_naming_the_file_and_entry(text, message):
    with pytest.raises(CorsUsageError, match=message.replace("(", r"\(")):
        parse_har(text, "orders.har")


def test_a_missing_or_binary_har_file_is_a_usage_error(tmp_path):
    with pytest.raises(CorsUsageError, match="cannot read the HAR file"):
        read_har(tmp_path / "missing.har")
    (tmp_path / "bin.har").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CorsUsageError, match=r"bin\.har: not a HAR file"):
        read_har(tmp_path / "bin.har")


@pytest.mark.browser
def test_chromium_records_the_calls_the_committed_har_holds(tmp_path):
    """The committed fixture is what Chromium writes today: record it again and compare."""
    from tests.conformance.chromium import FLAGS, find_chromium

    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium not found (CI=true: the browser tests must run)")
        pytest.skip("Chromium not found")
    fresh = tmp_path / "fresh.har"
    record_har(exe, fresh, FLAGS)

    def shape(calls):
        return [replace(c, source="") for c in calls]

    assert shape(read_har(fresh)) == shape(read_har(FIXTURE))
