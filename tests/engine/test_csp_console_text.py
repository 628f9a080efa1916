"""How each engine quotes the violated CSP directive in its console line (measured)."""

from __future__ import annotations

import pytest

from pytest_cors.engine.csp import firefox_text, parse_policies
from pytest_cors.origin import parse_origin

PAGE = parse_origin("http://app.example.com:8000")


def _directive(text: str):
    return parse_policies(text)[0].directives[0]


@pytest.mark.parametrize(
    ("written", "firefox"),
    [
        # measured in Firefox 153 ESR by tests/conformance/test_csp.py (csp-012, -013, -014)
        ("connect-src *.example.com:*", "connect-src http://*.example.com:*"),
        ("connect-src other.example.com", "connect-src http://other.example.com"),
        (
            "connect-src 'self' other.example.com:* https: http://o.example.com:81/x",
            "connect-src 'self' http://other.example.com:* https: http://o.example.com:81/x",
        ),
        # as written (csp-001, -002, -010, -016 agree with Firefox)
        ("connect-src 'self'", "connect-src 'self'"),
        ("connect-src 'none'", "connect-src 'none'"),
        (
            "connect-src http://api.example.org:81/other/",
            "connect-src http://api.example.org:81/other/",
        ),
        ("default-src *", "default-src *"),
    ],
)
def test_firefox_adds_the_page_scheme_to_host_sources(written, firefox):
    assert firefox_text(_directive(written), PAGE) == firefox
    assert _directive(written).text == written  # what Chromium and WebKit quote


def test_an_https_page_gives_its_scheme_and_an_opaque_page_keeps_the_text():
    https = parse_origin("https://app.example.com")
    assert (
        firefox_text(_directive("connect-src a.example"), https) == "connect-src https://a.example"
    )
    opaque = parse_origin("null")
    assert firefox_text(_directive("connect-src a.example"), opaque) == "connect-src a.example"
