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
