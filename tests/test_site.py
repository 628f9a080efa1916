"""Sites by the public suffix list (pytest_cors.site), as browsers draw them."""

from __future__ import annotations

import pytest

from pytest_cors.origin import parse_origin
from pytest_cors.site import is_public_suffix, public_suffix, registrable_domain, same_site


@pytest.mark.parametrize(
    ("host", "suffix", "domain"),
    [
        ("shop.example.co.uk", "co.uk", "example.co.uk"),
        ("api.example.com", "com", "example.com"),
        ("example.com", "com", "example.com"),
        ("a.b.github.io", "github.io", "b.github.io"),  # the list's private section counts
        ("github.io", "github.io", None),
        ("co.uk", "co.uk", None),
        ("127.0.0.1", None, None),
        ("[::1]", None, None),
        ("API.Example.COM.", "com", "example.com"),
    ],
)
def test_suffix_and_registrable_domain(host, suffix, domain):
    assert public_suffix(host) == suffix
    assert registrable_domain(host) == domain


@pytest.mark.parametrize("host", ["com", "co.uk", "github.io", "herokuapp.com", "unknowntld"])
def test_public_suffixes(host):
    assert is_public_suffix(host)


@pytest.mark.parametrize("host", ["example.com", "app.github.io", "127.0.0.1", "localhost.example"])
def test_not_public_suffixes(host):
    assert not is_public_suffix(host)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://app.example.com", "https://api.example.com", True),
        ("https://app.example.com", "http://api.example.com", False),  # schemeful
        ("https://a.github.io", "https://b.github.io", False),
        ("https://example.co.uk", "https://other.co.uk", False),
        ("http://127.0.0.1:3000", "http://127.0.0.1:8000", True),  # an IP is its own site
        ("http://127.0.0.1", "http://127.0.0.2", False),
        ("http://localhost:3000", "http://localhost:5000", True),
        ("null", "https://example.com", False),
    ],
)
def test_same_site(a, b, same):
    assert same_site(parse_origin(a), parse_origin(b)) is same
    assert same_site(parse_origin(b), parse_origin(a)) is same


PAIRS = [
    ("https://app.example.com", "https://api.example.com"),
    ("https://app.example.com", "https://app.example.org"),
    ("https://a.github.io", "https://b.github.io"),
    ("https://github.io", "https://a.github.io"),
    ("https://example.co.uk", "https://shop.example.co.uk"),
    ("https://x.unknowntld", "https://y.unknowntld"),
    ("https://unknowntld", "https://x.unknowntld"),
    ("http://127.0.0.1", "http://localhost"),
    ("http://[::1]", "http://[::1]:8080"),
    ("https://com", "https://example.com"),
    ("https://xn--strae-oqa.de", "https://www.xn--strae-oqa.de"),
]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_same_site_answers_as_the_sites_compare(a, b):
    """The shortcuts agree with comparing the two sites the public suffix list draws."""
    from pytest_cors.site import site_of

    for x, y in ((a, b), (b, a), (a, a)):
        ox, oy = parse_origin(x), parse_origin(y)
        assert same_site(ox, oy) is (site_of(ox) is not None and site_of(ox) == site_of(oy))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://evil.example.net", "http://127.0.0.1:8000"),  # another scheme
        ("http://evil.example.net", "http://127.0.0.1:8000"),  # an IP address
        ("https://app.example.com", "https://app.example.com"),  # the same host
        ("https://app.example.com", "https://api.example.org"),  # other top-level labels
    ],
)
def test_same_site_needs_no_public_suffix_list_where_it_cannot_matter(a, b, monkeypatch):
    import pytest_cors.site as site

    def unloaded():
        raise AssertionError("the public suffix list was loaded")

    monkeypatch.setattr(site, "_psl", unloaded)
    same_site(parse_origin(a), parse_origin(b))
