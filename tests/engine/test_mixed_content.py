"""Mixed content: an https page fetching plain http is stopped before any request."""

import pytest

from pytest_cors.engine import get_profile, prepare_request, run_fetch
from pytest_cors.http import Headers, Response

ANY = Headers((("Access-Control-Allow-Origin", "*"),))


def run(url, browser="chromium", origin="https://app.example.com", responses=(), **request):
    """The fetch of ``url`` from the https page (``request``: prepare_request's options), the
    engine answered by ``responses`` in turn: its outcome and every request it sent."""
    profile = get_profile(browser)
    req = prepare_request(url, origin=origin, profile=profile, mixed_content=True, **request)
    flow = run_fetch(req, profile)
    sent, replies = [], iter(responses)
    try:
        request = next(flow)
        while True:
            sent.append(request)
            request = flow.send(next(replies))
    except StopIteration as stop:
        return stop.value, sent


@pytest.mark.parametrize(
    ("browser", "line"),
    [
        ("chromium", "Mixed Content: The page at 'https://app.example.com/' was loaded over "
         "HTTPS, but requested an insecure resource 'http://api.example.com/x'. This request has "
         "been blocked; the content must be served over HTTPS."),
        ("firefox", 'Blocked loading mixed active content "http://api.example.com/x"'),
        ("safari", "[blocked] The page at https://app.example.com/ requested insecure content "
         "from http://api.example.com/x. This content was blocked and must be served over HTTPS."
         "\nNot allowed to request resource\n"
         "Fetch API cannot load http://api.example.com/x due to access control checks."),
    ],
)  # fmt: skip
def test_https_page_to_http_is_blocked_without_a_request(browser, line):
    outcome, sent = run("http://api.example.com/x", browser, responses=[Response(200, ANY)])
    assert sent == []
    assert outcome.failure.code == "MixedContent"
    assert outcome.failure.message == line
    assert "mixed content, not CORS" in outcome.failure.hint


@pytest.mark.parametrize(
    "url", ["http://localhost:8/x", "http://127.0.0.1:8/x", "http://[::1]:8/x"]
)
@pytest.mark.parametrize(("browser", "blocked"), [("chromium", False), ("firefox", False),
                                                  ("safari", True)])  # fmt: skip
def test_loopback_is_trustworthy_except_in_webkit(url, browser, blocked):
    outcome, sent = run(url, browser, responses=[Response(200, ANY)])
    assert (outcome.failure is not None and outcome.failure.code == "MixedContent") is blocked
    assert len(sent) == (0 if blocked else 1)


def test_an_http_page_or_an_https_url_is_not_mixed_content():
    outcome, sent = run("http://api.example.com/x", origin="http://app.example.com",
                        responses=[Response(200, ANY)])  # fmt: skip
    assert outcome.allowed and len(sent) == 1
    outcome, sent = run("https://api.example.com/x", responses=[Response(200, ANY)])
    assert outcome.allowed and len(sent) == 1


@pytest.mark.parametrize("browser", ["chromium", "firefox", "safari"])
def test_a_redirect_to_http_is_blocked_at_the_redirect(browser):
    hop = Response(302, Headers((("Location", "http://api.example.com/z"),
                                 ("Access-Control-Allow-Origin", "*"))))  # fmt: skip
    outcome, sent = run("https://api.example.com/a", browser, responses=[hop])
    assert len(sent) == 1
    assert outcome.failure.code == "MixedContent"
    assert outcome.failure.step == "redirect"
    assert "http://api.example.com/z" in outcome.failure.message
    if browser == "safari":  # WebKit's last line names the URL the script fetched
        assert outcome.failure.message.endswith(
            "Fetch API cannot load https://api.example.com/a due to access control checks."
        )


def test_off_by_default_so_in_process_http_targets_keep_working():
    profile = get_profile("chromium")
    req = prepare_request("http://testserver/x", origin="https://app.example.com", profile=profile)
    assert next(run_fetch(req, profile)).url == "http://testserver/x"


def run_element(url, element, browser="chromium", crossorigin=None, responses=()):
    from dataclasses import replace

    from pytest_cors.engine.initiators import element_request

    profile = get_profile(browser)
    made = element_request(element, crossorigin, profile.console)
    req = prepare_request(
        url,
        origin="https://app.example.com",
        profile=profile,
        method=made.method,
        headers=list(made.headers),
        credentials=made.credentials,
        mode=made.mode,
        mixed_content=True,
    )
    req = replace(req, destination=made.destination)
    flow = run_fetch(req, profile)
    sent, replies = [], iter(responses)
    try:
        request = next(flow)
        while True:
            sent.append(request)
            request = flow.send(next(replies))
    except StopIteration as stop:
        return stop.value, sent


@pytest.mark.parametrize("browser", ["chromium", "firefox", "safari"])
@pytest.mark.parametrize("crossorigin", [None, "anonymous"])
def test_an_image_is_upgraded_to_https_keeping_the_port(browser, crossorigin):
    # measured: Chromium 156, Firefox 153, WebKitGTK 2.50.6 (tests/conformance)
    outcome, sent = run_element("http://api.example.com:8443/i.png", "img", browser,
                                crossorigin, [Response(200, ANY)])  # fmt: skip
    assert [r.url for r in sent] == ["https://api.example.com:8443/i.png"]
    assert outcome.failure is None and outcome.allowed


@pytest.mark.parametrize("browser", ["chromium", "firefox", "safari"])
@pytest.mark.parametrize("url", ["http://127.0.0.1:8/i.png", "http://localhost:8/i.png"])
def test_an_image_from_loopback_loads_over_http_even_in_webkit(browser, url):
    outcome, sent = run_element(url, "img", browser, responses=[Response(200, ANY)])
    assert [r.url for r in sent] == [url]
    assert outcome.allowed


@pytest.mark.parametrize(
    ("element", "kind"), [("script", "script"), ("font", "font"), ("stylesheet", "stylesheet")]
)
def test_a_blocked_element_is_named_by_its_kind(element, kind):
    outcome, sent = run_element("http://api.example.com/x", element)
    assert sent == []
    assert f"requested an insecure {kind} 'http://api.example.com/x'" in outcome.failure.message
    outcome, _ = run_element("http://api.example.com/x", element, "safari")
    assert outcome.failure.message.startswith("[blocked] The page at https://app.example.com/")
    assert "\n" not in outcome.failure.message  # WebKit logs only the [blocked] line for it


# -- measured in Chromium 156 through --host-resolver-rules (tests/conformance/
#    test_mixed_content.py, the mix-*-ip-* cases) ------------------------------------------


@pytest.mark.parametrize("host", ["10.1.2.3", "192.168.7.8"])
def test_chromium_lets_a_local_ip_literal_through_for_local_network_access(host):
    outcome, sent = run(f"http://{host}:8/x", "chromium", responses=[Response(200, ANY)])
    assert outcome.allowed and len(sent) == 1 and sent[0].url.startswith("http://")


@pytest.mark.parametrize("browser", ["firefox", "safari"])
def test_a_local_ip_literal_stays_mixed_content_elsewhere(browser):
    outcome, sent = run("http://10.1.2.3:8/x", browser, responses=[Response(200, ANY)])
    assert outcome.failure.code == "MixedContent" and sent == []


def test_a_public_ip_literal_is_blocked_for_fetch_in_chromium():
    outcome, sent = run("http://203.0.113.5:8/x", "chromium", responses=[Response(200, ANY)])
    assert outcome.failure.code == "MixedContent" and sent == []


def _element(url, element, browser="chromium"):
    from dataclasses import replace

    from pytest_cors.engine.initiators import element_request

    profile = get_profile(browser)
    made = element_request(element, None, profile.console)
    req = prepare_request(url, origin="https://app.example.com", profile=profile,
                          credentials=made.credentials, mode=made.mode,
                          mixed_content=True)  # fmt: skip
    flow = run_fetch(replace(req, destination=made.destination), profile)
    sent = []
    try:
        sent.append(next(flow))
        flow.send(Response(200, ANY))
    except StopIteration as stop:
        return stop.value, sent
    raise AssertionError("one request at most")


@pytest.mark.parametrize(("element", "kind"), [("img", "image"), ("audio", "audio file"),
                                               ("video", "video")])  # fmt: skip
def test_chromium_blocks_media_at_a_public_ip_it_cannot_upgrade(element, kind):
    outcome, sent = _element("http://203.0.113.5:8/x", element)
    assert sent == [] and outcome.failure.code == "MixedContent"
    assert f"requested an insecure {kind} 'http://203.0.113.5:8/x'" in outcome.failure.message


def test_chromium_loads_an_image_at_a_local_ip_over_http_not_upgraded():
    outcome, sent = _element("http://10.1.2.3:8/x", "img")
    assert outcome.allowed and sent[0].url == "http://10.1.2.3:8/x"


def test_a_blocked_xhr_is_worded_as_each_browser_words_it():
    from pytest_cors.engine.initiators import xhr_request
    from pytest_cors.initiators import _judged

    words = {}
    for browser in ("chromium", "firefox", "safari"):
        outcome, _ = run("http://api.example.com/x", browser)
        words[browser] = _judged(outcome, xhr_request("GET", False, False, None),
                                 get_profile(browser)).failure.message  # fmt: skip
    assert (
        "requested an insecure XMLHttpRequest endpoint 'http://api.example.com/x'"
        in (words["chromium"])
    )
    assert words["firefox"] == 'Blocked loading mixed active content "http://api.example.com/x"'
    assert words["safari"].endswith(
        "XMLHttpRequest cannot load http://api.example.com/x due to access control checks."
    )


@pytest.mark.parametrize(("browser", "origin"), [("chromium", "https://app.example.com"),
                                                 ("firefox", "null"),
                                                 ("safari", "null")])  # fmt: skip
def test_an_upgraded_redirect_taints_the_origin_except_in_chromium(browser, origin):
    from dataclasses import replace

    from pytest_cors.engine.initiators import element_request

    profile = get_profile(browser)
    made = element_request("video", "anonymous", profile.console)
    req = prepare_request("https://api.example.com/r", origin="https://app.example.com",
                          profile=profile, credentials=made.credentials, mode=made.mode,
                          mixed_content=True)  # fmt: skip
    flow = run_fetch(replace(req, destination=made.destination), profile)
    next(flow)
    hop = Headers((("Location", "http://api.example.com/b"), ("Access-Control-Allow-Origin", "*")))
    second = flow.send(Response(302, hop))
    assert second.url == "https://api.example.com/b"
    assert second.headers.get("Origin") == origin


PREFLIGHT_OK = Headers((("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "*"),
                        ("Access-Control-Allow-Headers", "*")))  # fmt: skip


def run_put(browser, responses):
    """A preflighted PUT from the https page to an https URL, answered by ``responses``."""
    return run("https://api.example.com/a", browser, responses=responses, method="PUT",
               headers=[("X-Custom", "1")], body="x")  # fmt: skip


@pytest.mark.parametrize(
    ("browser", "sent_after_redirect"),
    [("chromium", []), ("firefox", []), ("safari", [("OPTIONS", "http://api.example.com/z")])],
)
def test_webkit_preflights_a_redirects_http_url_before_blocking_it(browser, sent_after_redirect):
    hop = Response(307, Headers((("Location", "http://api.example.com/z"),
                                 ("Access-Control-Allow-Origin", "*"))))  # fmt: skip
    answers = [Response(204, PREFLIGHT_OK), hop, Response(204, PREFLIGHT_OK)]
    outcome, sent = run_put(browser, answers)
    assert [(r.method, r.url) for r in sent[2:]] == sent_after_redirect
    assert [r.method for r in sent[:2]] == ["OPTIONS", "PUT"]
    assert outcome.failure.code == "MixedContent" and not outcome.allowed


def test_webkit_reports_a_refused_preflight_at_the_http_url_as_cors():
    hop = Response(307, Headers((("Location", "http://api.example.com/z"),
                                 ("Access-Control-Allow-Origin", "*"))))  # fmt: skip
    outcome, sent = run_put("safari", [Response(204, PREFLIGHT_OK), hop, Response(204, Headers())])
    assert [r.method for r in sent] == ["OPTIONS", "PUT", "OPTIONS"]
    assert outcome.failure.code != "MixedContent"
