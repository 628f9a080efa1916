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
        # lower case scheme and host (random_csp.py, seed 1, rnd-csp-012); the path as written
        ("connect-src HTTP://API.EXAMPLE.ORG:*", "connect-src http://api.example.org:*"),
        ("connect-src API.Example.ORG:81/A/", "connect-src http://api.example.org:81/A/"),
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
    # a scheme written out is lower-cased with the host there too (random_csp.py seed 5,
    # rnd-csp-002: "default-src HTTP://API.EXAMPLE.ORG:* https:" read "http://api.example.org:*")
    assert firefox_text(_directive("default-src HTTP://API.EXAMPLE.ORG:* https:"), opaque) == (
        "default-src http://api.example.org:* https:"
    )


# -- each engine's line for an element's load (measured by test_csp_initiators.py) -------------
_URL = "http://localhost:9/s/x/r"


def _line(console: str, wanted: str, directive: str) -> str:
    from pytest_cors.failures import csp_failure

    return csp_failure(
        url=_URL,
        directive=directive,
        directive_name=directive.split()[0],
        wanted=wanted,
        step="actual",
        console=console,
    ).message


@pytest.mark.parametrize(
    ("wanted", "directive", "line"),
    [
        ("media-src", "media-src 'self'",
         f"Loading media from  '{_URL}' violates the following Content Security Policy "
         "directive: \"media-src 'self'\". The action has been blocked."),
        ("script-src-elem", "script-src 'self'",
         f"Loading the script '{_URL}' violates the following Content Security Policy directive: "
         "\"script-src 'self'\". Note that 'script-src-elem' was not explicitly set, so "
         "'script-src' is used as a fallback. The action has been blocked."),
        ("style-src-elem", "default-src 'self'",
         f"Loading the stylesheet '{_URL}' violates the following Content Security Policy "
         "directive: \"default-src 'self'\". Note that 'style-src-elem' was not explicitly set, "
         "so 'default-src' is used as a fallback. The action has been blocked."),
    ],
)  # fmt: skip
def test_chromium_element_lines(wanted, directive, line):
    assert _line("chromium", wanted, directive) == line


@pytest.mark.parametrize(
    ("wanted", "directive", "line"),
    [
        ("script-src-elem", "script-src 'self'",
         f"Content-Security-Policy: The page's settings blocked a script (script-src-elem) at "
         f"{_URL} from being executed because it violates the following directive: "
         "\"script-src 'self'\""),
        ("style-src-elem", "default-src 'self'",
         f"Content-Security-Policy: The page's settings blocked a style (style-src-elem) at "
         f"{_URL} from being applied because it violates the following directive: "
         "\"default-src 'self'\""),
        ("font-src", "font-src 'self'",
         "Content-Security-Policy: The page's settings blocked the loading of a resource "
         f"(font-src) at {_URL} because it violates the following directive: \"font-src 'self'\""),
    ],
)  # fmt: skip
def test_firefox_names_a_script_and_a_style(wanted, directive, line):
    assert _line("firefox", wanted, directive) == line


@pytest.mark.parametrize(
    ("wanted", "directive", "where"),
    [
        # WebKit drops -elem, and tells only default-src as a fallback
        ("script-src-elem", "script-src-elem 'self'", "does not appear in the script-src"),
        ("script-src-elem", "script-src 'self'", "does not appear in the script-src"),
        ("script-src-elem", "default-src 'self'",
         "appears in neither the script-src directive nor the default-src"),
        ("style-src-elem", "style-src 'self'", "does not appear in the style-src"),
        ("style-src-elem", "default-src 'self'",
         "appears in neither the style-src directive nor the default-src"),
        ("font-src", "default-src 'self'",
         "appears in neither the font-src directive nor the default-src"),
        ("img-src", "img-src 'self'", "does not appear in the img-src"),
    ],
)  # fmt: skip
def test_webkit_element_lines(wanted, directive, where):
    assert _line("webkit", wanted, directive) == (
        f"Refused to load {_URL} because it {where} directive of the Content Security Policy."
    )
