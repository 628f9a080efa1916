"""Several policies that each block a fetch: every one logs its own console line.

Measured with random_csp.py (seed 1, rnd-csp-012): for ``default-src ..., connect-src 'none'``
blocking a URL twice, Chromium 156, Firefox 153 ESR and WebKitGTK 2.50.6 each log two lines,
the first policy's first; the engine used to report only the first policy's line.
"""

from pytest_cors.engine import csp, get_profile, prepare_request, run_fetch
from pytest_cors.http import Headers, Response
from pytest_cors.origin import parse_origin

PAGE = parse_origin("http://app.example.com")
BOTH_BLOCK = "default-src http://api.example.org:*, connect-src 'none'"


def _outcome(url, policy, browser, responses=()):
    profile = get_profile(browser)
    req = prepare_request(url, origin="http://app.example.com", profile=profile, page_csp=policy)
    flow = run_fetch(req, profile)
    replies = iter(responses)
    try:
        flow.send(None)
        while True:
            flow.send(next(replies))
    except StopIteration as stop:
        return stop.value


def test_every_violated_policy_is_a_violation_in_order():
    found = csp.violations(BOTH_BLOCK, "http://app.example.com/x", PAGE)
    assert [v.directive.text for v in found] == [
        "default-src http://api.example.org:*",
        "connect-src 'none'",
    ]
    assert csp.check(BOTH_BLOCK, "http://app.example.com/x", PAGE) == found[0]
    # a policy that allows the URL adds nothing
    assert len(csp.violations("connect-src *, connect-src 'none'", "http://a.test/", PAGE)) == 1
    assert csp.violations("connect-src *, default-src *", "http://a.test/", PAGE) == []


def test_chromium_logs_a_line_per_policy():
    outcome = _outcome("http://app.example.com/x", BOTH_BLOCK, "chromium")
    lines = outcome.failure.message.split("\n")
    assert len(lines) == 2
    assert lines[0].endswith(
        "\"default-src http://api.example.org:*\". Note that 'connect-src' was not explicitly "
        "set, so 'default-src' is used as a fallback. The action has been blocked."
    )
    assert lines[1] == (
        "Connecting to 'http://app.example.com/x' violates the following Content Security "
        "Policy directive: \"connect-src 'none'\". The action has been blocked."
    )
    assert outcome.failure.code == "CSPViolation"
    assert outcome.failure.failed_parameter == "default-src http://api.example.org:*"


def test_firefox_and_webkit_log_a_line_per_policy():
    firefox = _outcome("http://app.example.com/x", BOTH_BLOCK, "firefox").failure.message
    assert [line.split("directive: ")[1] for line in firefox.split("\n")] == [
        '"default-src http://api.example.org:*"',
        "\"connect-src 'none'\"",
    ]
    webkit = _outcome("http://app.example.com/x", BOTH_BLOCK, "safari").failure.message
    assert webkit.split("\n") == [
        "Refused to connect to http://app.example.com/x because it appears in neither the "
        "connect-src directive nor the default-src directive of the Content Security Policy.",
        "Refused to connect to http://app.example.com/x because it does not appear in the "
        "connect-src directive of the Content Security Policy.",
    ]


def test_after_a_redirect_webkits_trailing_lines_come_once_after_every_policys_line():
    hop = Response(302, Headers((("Location", "http://other.example.com/b"),)))
    policy = "connect-src 'self', default-src 'self'"
    outcome = _outcome("http://app.example.com/a", policy, "safari", [hop])
    lines = outcome.failure.message.split("\n")
    assert [line.split(" because")[0] for line in lines[:2]] == [
        "Refused to connect to http://other.example.com/b"
    ] * 2
    assert lines[2:] == [
        "Blocked by Content Security Policy.",
        "Fetch API cannot load http://other.example.com/b due to access control checks.",
    ]
    assert outcome.failure.step == "redirect"


def test_firefox_checks_a_redirects_target_against_the_csp_before_the_redirects_cors():
    """Measured (random_csp.py seed 11, rnd-csp-009): a 303 with a wrong ACAO to a host the
    policy lacks is a CSP block in Firefox, a CORS failure in Chromium and WebKit."""
    hop = Response(
        303,
        Headers(
            (
                ("Location", "http://other.example.com/b"),
                ("Access-Control-Allow-Origin", "http://app.example.com/"),
            )
        ),
    )
    policy = "default-src http://api.example.org"
    firefox = _outcome("http://api.example.org/a", policy, "firefox", [hop])
    assert firefox.failure.code == "CSPViolation"
    assert firefox.failure.step == "redirect"
    assert "at http://other.example.com/b because" in firefox.failure.message
    for browser in ("chromium", "safari"):
        other = _outcome("http://api.example.org/a", policy, browser, [hop])
        assert other.failure.code == "CORSAllowOriginNotMatchingOrigin", browser
    # a redirect whose CORS passes is blocked by the CSP at the target in all three
    good = Response(
        303,
        Headers(
            (
                ("Location", "http://other.example.com/b"),
                ("Access-Control-Allow-Origin", "http://app.example.com"),
            )
        ),
    )
    for browser in ("chromium", "firefox", "safari"):
        outcome = _outcome("http://api.example.org/a", policy, browser, [good])
        assert outcome.failure.code == "CSPViolation", browser
