"""The page's CSP: parsing, CSP3 source matching, and fetch() stopped before any request."""

import pytest

from pytest_cors.engine import csp, get_profile, prepare_request, run_fetch
from pytest_cors.origin import parse_origin

PAGE = parse_origin("http://app.example.com")


def allowed(policy, url, page=PAGE, redirected=False):
    return csp.check(policy, url, page, redirected=redirected) is None


@pytest.mark.parametrize(
    ("policy", "url", "ok"),
    [
        ("connect-src 'self'", "http://app.example.com/x", True),
        ("connect-src 'self'", "https://app.example.com/x", True),  # secure upgrade
        ("connect-src 'self'", "http://api.example.com/x", False),
        ("connect-src 'none'", "http://app.example.com/x", False),
        ("connect-src", "http://app.example.com/x", False),
        ("connect-src *", "http://api.example.com/x", True),
        ("connect-src https:", "https://api.example.com/x", True),
        ("connect-src https:", "http://api.example.com/x", False),
        ("connect-src http:", "https://api.example.com/x", True),
        ("connect-src https://*.example.com", "https://api.example.com/x", True),
        ("connect-src https://*.example.com", "https://example.com/x", False),
        ("connect-src api.example.com", "http://api.example.com/x", True),
        ("connect-src api.example.com", "https://api.example.com/x", True),
        ("connect-src api.example.com", "http://api.example.com:8080/x", False),
        ("connect-src api.example.com:8080", "http://api.example.com:8080/x", True),
        ("connect-src api.example.com:*", "http://api.example.com:9/x", True),
        ("connect-src http://api.example.com:80", "https://api.example.com/x", True),
        ("connect-src http://api.example.com/a/", "http://api.example.com/a/b", True),
        ("connect-src http://api.example.com/a/", "http://api.example.com/b", False),
        ("connect-src http://api.example.com/a", "http://api.example.com/a", True),
        ("connect-src http://api.example.com/a", "http://api.example.com/a/b", False),
        ("CONNECT-SRC 'SELF'", "http://app.example.com/x", True),
        ("default-src 'self'", "http://api.example.com/x", False),
        ("default-src *; connect-src 'self'", "http://api.example.com/x", False),
        ("connect-src 'none'; default-src *", "http://api.example.com/x", False),
        ("img-src 'none'", "http://api.example.com/x", True),  # no connect-src, no default-src
        ("connect-src 'self'; connect-src *", "http://api.example.com/x", False),  # first wins
        ("connect-src *, connect-src 'self'", "http://api.example.com/x", False),  # both apply
        ("connect-src 'unsafe-inline'", "http://app.example.com/x", False),
    ],
)
def test_source_matching(policy, url, ok):
    assert allowed(policy, url) is ok


def test_a_redirect_target_ignores_the_path():
    policy = "connect-src http://api.example.com/a/"
    assert not allowed(policy, "http://api.example.com/b/z")
    assert allowed(policy, "http://api.example.com/b/z", redirected=True)
    assert not allowed(policy, "http://evil.example.net/a/z", redirected=True)


def test_the_default_src_fallback_is_reported():
    violation = csp.check("default-src 'self'", "http://api.example.com/", PAGE)
    assert violation is not None
    assert violation.fallback
    assert violation.directive.text == "default-src 'self'"


def test_other_initiators_map_to_their_directives():
    policy = "default-src 'none'; img-src *; script-src 'self'"
    check = csp.check
    assert check(policy, "http://cdn.example.com/i.png", PAGE, directive="img-src") is None
    assert check(policy, "http://cdn.example.com/f.woff", PAGE, directive="font-src") is not None
    assert check(policy, "http://app.example.com/s.js", PAGE, directive="script-src") is None


def run(url, policy, browser="chromium", responses=()):
    profile = get_profile(browser)
    req = prepare_request(url, origin="http://app.example.com", profile=profile, page_csp=policy)
    flow = run_fetch(req, profile)
    sent = []
    replies = iter(responses)
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
        ("chromium", "Connecting to 'http://api.example.com/x' violates the following Content "
         "Security Policy directive: \"connect-src 'self'\". The action has been blocked."),
        ("firefox", "Content-Security-Policy: The page's settings blocked the loading of a "
         "resource (connect-src) at http://api.example.com/x because it violates the following "
         "directive: \"connect-src 'self'\""),
        ("safari", "Refused to connect to http://api.example.com/x because it does not appear in "
         "the connect-src directive of the Content Security Policy."),
    ],
)  # fmt: skip
def test_a_blocked_fetch_sends_nothing_and_says_csp(browser, line):
    outcome, sent = run("http://api.example.com/x", "connect-src 'self'", browser)
    assert sent == []
    assert not outcome.allowed
    assert outcome.failure.code == "CSPViolation"
    assert outcome.failure.message == line
    assert "not the server's CORS" in outcome.failure.hint
    assert outcome.failure.chromium_error is None
    assert "CSPViolation" in outcome.explain()


def test_the_fallback_is_named_in_each_wording():
    chromium, _ = run("http://api.example.com/x", "default-src 'self'")
    assert "'default-src' is used as a fallback" in chromium.failure.message
    safari, _ = run("http://api.example.com/x", "default-src 'self'", "safari")
    assert "neither the connect-src directive nor the default-src directive" in (
        safari.failure.message
    )


def test_an_allowed_fetch_goes_on_to_cors():
    from pytest_cors.http import Headers, Response

    ok = Response(200, Headers((("Access-Control-Allow-Origin", "*"),)))
    outcome, sent = run("http://api.example.com/x", "connect-src api.example.com", responses=[ok])
    assert outcome.allowed
    assert len(sent) == 1


def test_a_redirect_to_a_url_outside_the_policy_is_blocked_there():
    from pytest_cors.http import Headers, Response

    hop = Response(
        302,
        Headers((("Location", "http://evil.example.net/b"), ("Access-Control-Allow-Origin", "*"))),
    )
    outcome, sent = run("http://api.example.com/a/x", "connect-src http://api.example.com/a/",
                        responses=[hop])  # fmt: skip
    assert len(sent) == 1
    assert outcome.failure.code == "CSPViolation"
    assert outcome.failure.step == "redirect"
    assert "'http://evil.example.net/b'" in outcome.failure.message


def test_page_csp_must_be_text():
    from pytest_cors.errors import CorsUsageError

    with pytest.raises(CorsUsageError, match="page_csp"):
        prepare_request("http://a.example/", origin="http://b.example",
                        profile=get_profile("chromium"), page_csp=b"x")  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "destination", "governing"),
    [
        # measured in Chromium 156, Firefox 153 ESR and WebKitGTK 2.50.6 (test_csp_initiators.py)
        ("script-src 'self'; script-src-elem *", "script", None),
        ("script-src *; script-src-elem 'self'", "script", "script-src-elem 'self'"),
        ("default-src *; script-src 'self'", "script", "script-src 'self'"),
        ("default-src 'none'; script-src *", "script", None),
        ("style-src 'self'; style-src-elem *", "style", None),
        ("style-src *; style-src-elem 'self'", "style", "style-src-elem 'self'"),
        ("default-src *; style-src 'self'", "style", "style-src 'self'"),
        ("default-src 'self'", "font", "default-src 'self'"),
        ("default-src *; connect-src 'none'", "font", None),
        ("default-src 'none'; media-src *", "video", None),
        ("media-src 'self'", "audio", "media-src 'self'"),
        ("default-src *; img-src 'none'", "empty", None),
        ("default-src 'self'", "empty", "default-src 'self'"),
    ],
)
def test_an_elements_directive_and_its_fallbacks(policy, destination, governing):
    directive = csp.directive_for(destination)
    violation = csp.check(policy, "http://cdn.example.com/r", PAGE, directive=directive)
    assert (violation and violation.directive.text) == governing
