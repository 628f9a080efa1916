"""The ``Origin`` a ``no-cors`` POST carries on each redirect hop, per engine (measured).

Measured in Chromium 156, Firefox 153 ESR and WebKitGTK 2.50.6 with a no-cors POST from
``http://app.example.com`` (random_modes.py seed 10, rnd-modes-214 and rnd-modes-236, then
the table below). Chromium sends ``null`` after any redirect to another origin, a first hop of
the page's own origin included; Firefox and WebKit taint as the standard does, and WebKit keeps
``Origin`` on a 302's or 303's GET when that redirect stayed on one origin (the page's, or the
API's within a no-cors request: CI seed 1142465497), never when it crossed to another.
"""

from __future__ import annotations

import pytest

from tests.engine.drive import fetch, resp

APP = "http://app.example.com"
API = "http://api.example.org"
OTHER = "http://other.example.com"
API2 = "http://api.example.org:8081"
P = APP  # the page's origin, as sent

#: (page, first URL's origin, [(status, next origin)], {profile: Origin per request sent}).
TABLE = [
    (APP, API, [(303, OTHER)], {"chromium": [P, None], "firefox": [P, None], "safari": [P, None]}),
    (APP, API, [(303, APP)], {"chromium": [P, None], "firefox": [P, None], "safari": [P, None]}),
    ("null", API, [(303, API2)],
     {"chromium": ["null", None], "firefox": ["null", None], "safari": ["null", None]}),
    (APP, API, [(307, OTHER)],
     {"chromium": [P, "null"], "firefox": [P, "null"], "safari": [P, "null"]}),
    (APP, APP, [(303, APP)], {"chromium": [P, None], "firefox": [P, None], "safari": [P, P]}),
    (APP, APP, [(303, API)], {"chromium": [P, None], "firefox": [P, None], "safari": [P, None]}),
    (APP, APP, [(307, OTHER)], {"chromium": [P, "null"], "firefox": [P, P], "safari": [P, P]}),
    (APP, API, [(307, API)], {"chromium": [P, P], "firefox": [P, P], "safari": [P, P]}),
    # CI seed 1142465497, rnd-modes-000: a 302 within the API's origin, WebKit keeps Origin
    (APP, API, [(302, API)], {"chromium": [P, None], "firefox": [P, None], "safari": [P, P]}),
    (APP, APP, [(307, API), (307, APP)],
     {"chromium": [P, "null", "null"], "firefox": [P, P, "null"], "safari": [P, P, "null"]}),
    ("null", API, [(307, APP)],
     {"chromium": ["null", "null"], "firefox": ["null", "null"], "safari": ["null", "null"]}),
    (APP, APP, [(307, APP), (307, OTHER)],
     {"chromium": [P, P, "null"], "firefox": [P, P, P], "safari": [P, P, P]}),
]  # fmt: skip


def _origins_sent(page, first, hops, browser):
    urls = [f"{first}/s/0"] + [f"{origin}/s/{i}" for i, (_, origin) in enumerate(hops, 1)]
    answers = {urls[i]: resp(status, f"Location: {urls[i + 1]}") for i, (status, _) in
               enumerate(hops)}  # fmt: skip
    answers[urls[-1]] = resp(200, "Content-Type: text/plain")
    sent = []

    def answer(request):
        sent.append(request)
        return answers[request.url]

    outcome = fetch(answer, urls[0], origin=page, method="POST", body="x", mode="no-cors",
                    browser=browser)  # fmt: skip
    assert outcome.allowed, outcome.explain()
    return [request.headers.get("Origin") for request in sent]


@pytest.mark.parametrize("browser", ["chromium", "firefox", "safari"])
@pytest.mark.parametrize(("page", "first", "hops", "measured"), TABLE)
def test_the_origin_of_each_hop_is_the_browsers(page, first, hops, measured, browser):
    assert _origins_sent(page, first, hops, browser) == measured[browser]
