"""What the pages say about a ``requests.Session`` target is what works.

A ``requests.Session`` has no ``base_url`` (unlike an ``httpx.Client``): it reaches a server
through an absolute URL, or through ``adapt(session, base_url=...)``. No page may say it is
used "with its base_url", and the two ways the pages name must work against a live server.
"""

from __future__ import annotations

import re

import pytest
from docs_helpers import DOCS, ROOT
from docs_pages import read

from pytest_cors import CorsUsageError, simulate_fetch
from pytest_cors.targets import adapt
from tests.servers import serve_wsgi

PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
PAGE = "https://app.example.com"


def sentences(markdown: str) -> list[str]:
    text = " ".join(markdown.split())
    return re.split(r"(?<=[.!?])\s+(?=[A-Z`*-])|\s+-\s+\*\*", text)


def session_sentences() -> list[tuple[str, str]]:
    return [
        (page.relative_to(ROOT).as_posix(), sentence)
        for page in PAGES
        for sentence in sentences(read(page))
        if "requests.Session" in sentence
    ]


def test_no_page_gives_a_requests_session_a_base_url_of_its_own():
    found = session_sentences()
    assert len(found) >= 3
    for page, sentence in found:
        assert not re.search(r"\bits `?base_url`?", sentence), f"{page}: {sentence}"


@pytest.mark.parametrize("page", ["README.md", "docs/frameworks/index.md"])
def test_the_pages_say_how_a_session_gets_its_server(page):
    text = " ".join(read(ROOT / page).split())
    assert "it has no base URL" in text or "has no base URL of its own" in text
    assert 'adapt(session, base_url="https://api.example.com")' in text


def app(environ, start_response):
    start_response(
        "200 OK", [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", PAGE)]
    )
    return [b"ok"]


def test_a_session_works_the_two_ways_the_pages_name_and_not_with_a_bare_path():
    requests = pytest.importorskip("requests")
    with serve_wsgi(app) as base_url, requests.Session() as session:
        assert simulate_fetch(session, f"{base_url}/items", origin=PAGE).allowed
        assert simulate_fetch(adapt(session, base_url=base_url), "/items", origin=PAGE).allowed
        with pytest.raises(CorsUsageError, match="absolute URL"):
            simulate_fetch(session, "/items", origin=PAGE)
        assert not hasattr(session, "base_url")
