"""A preflight at the page's own origin, after a redirect led a CORS request back there.

Firefox 153 ESR sends that preflight with the page's origin and does not check its
``Access-Control-Allow-Origin`` / ``-Credentials`` (measured: none, a duplicated one and another
origin's all pass; an unlisted method still fails). Chromium and WebKit send ``Origin: null``
and check it as any preflight. Found by random_modes.py (seed 7, rnd-modes-002).
"""

from __future__ import annotations

import pytest

from tests.engine.drive import fetch, resp, routes

PAGE = "http://evil.example.net"
API = "http://api.example.org/a"
HOME = "http://evil.example.net/b"
HOP = resp(
    307,
    f"Location: {HOME}",
    f"Access-Control-Allow-Origin: {PAGE}",
    "Access-Control-Allow-Credentials: true",
)
FIRST_PREFLIGHT = resp(
    204,
    f"Access-Control-Allow-Origin: {PAGE}",
    "Access-Control-Allow-Methods: PUT",
    "Access-Control-Allow-Credentials: true",
)
ACTUAL = resp(200, "Access-Control-Allow-Origin: *")


def _put(home_preflight, browser, credentials="omit"):
    answer = routes({API: (HOP, FIRST_PREFLIGHT), HOME: (ACTUAL, home_preflight)})
    return fetch(answer, API, origin=PAGE, method="PUT", body="x", credentials=credentials,
                 browser=browser)  # fmt: skip


@pytest.mark.parametrize(
    "lines",
    [
        ("Access-Control-Allow-Methods: PUT",),
        ("Access-Control-Allow-Origin: http://app.example.com",
         "Access-Control-Allow-Methods: PUT"),
        (f"Access-Control-Allow-Origin: {PAGE}", f"Access-Control-Allow-Origin: {PAGE}",
         "Access-Control-Allow-Methods: PUT"),
    ],
)  # fmt: skip
def test_firefox_skips_the_origin_check_of_a_preflight_home(lines):
    outcome = _put(resp(204, *lines), "firefox")
    assert outcome.allowed, outcome.explain()
    preflight_home, actual_home = outcome.exchanges[-2:]
    assert preflight_home.kind == "preflight"
    assert preflight_home.request.headers.get("Origin") == PAGE
    assert actual_home.request.headers.get("Origin") == "null"  # tainted all the same


def test_firefox_skips_the_credentials_check_too_but_not_the_actual_responses():
    outcome = _put(resp(204, "Access-Control-Allow-Methods: PUT"), "firefox", "include")
    assert not outcome.allowed
    assert outcome.failure.step == "actual"  # the preflight passed; ACAO * with credentials
    assert [e.kind for e in outcome.exchanges][-1] == "actual"


def test_firefox_still_checks_the_method():
    outcome = _put(resp(204, "Access-Control-Allow-Methods: GET"), "firefox")
    assert not outcome.allowed
    assert outcome.failure.step == "preflight"
    assert outcome.exchanges[-1].kind == "preflight"


@pytest.mark.parametrize("browser", ["chromium", "safari"])
def test_the_others_check_the_preflight_home_as_any_other(browser):
    outcome = _put(resp(204, "Access-Control-Allow-Methods: PUT"), browser)
    assert not outcome.allowed
    assert outcome.failure.step == "preflight"
    assert outcome.exchanges[-1].request.headers.get("Origin") == "null"


def test_a_preflight_to_another_origin_is_still_checked_in_firefox():
    answer = routes({
        API: (resp(307, "Location: http://other.example.com/b",
                   f"Access-Control-Allow-Origin: {PAGE}"), FIRST_PREFLIGHT),
        "http://other.example.com/b": (ACTUAL, resp(204, "Access-Control-Allow-Methods: PUT")),
    })  # fmt: skip
    outcome = fetch(answer, API, origin=PAGE, method="PUT", body="x", browser="firefox")
    assert not outcome.allowed
    assert outcome.failure.step == "preflight"
