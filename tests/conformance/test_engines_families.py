"""The engines page's "beyond fetch()" part (engines_families.py): it lists what parts the
profiles, and only that."""

from __future__ import annotations

from types import SimpleNamespace

from . import engines_families as fam


def test_a_case_the_profiles_answer_alike_is_left_out_and_one_they_part_on_is_listed():
    cases = [SimpleNamespace(sid="a", title="same"), SimpleNamespace(sid="b", title="parts")]
    rows = fam._rows(
        cases,
        lambda case, profile: "x" if case.title == "same" or profile != "safari" else "y",
        lambda case: case.title,
    )
    assert [(r.sid, r.title, r.answers) for r in rows] == [("b", "parts", ("x", "x", "y"))]


def test_webkit_alone_blocks_an_https_pages_fetch_to_loopback_http():
    total, rows = fam.mixed_content_rows()
    by_title = {r.title: r.answers for r in rows}
    loop = by_title["fetch() to http://127.0.0.1: potentially trustworthy"]
    assert loop[0] == loop[1] == "allowed (cors), 1 request"
    assert loop[2] == "MixedContent, 0 requests"
    assert len(rows) < total


def test_only_the_safari_profile_lets_a_public_page_reach_loopback_without_a_permission():
    _, rows = fam.lna_rows()
    prompt = next(r for r in rows if r.title.startswith("GET to loopback, prompt"))
    assert prompt.answers == (
        "LocalNetworkAccessDenied, 0 requests",
        "LocalNetworkAccessDenied, 0 requests",
        "allowed (cors), 1 request",
    )


def test_a_case_run_in_one_engine_says_so():
    _, rows = fam.mixed_content_rows()
    assert any(r.title.endswith("(measured in chromium only)") for r in rows)
