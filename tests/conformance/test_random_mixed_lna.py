"""The mixed-content and LNA random generators, without a browser: deterministic per seed,
different across seeds, and covering every value of each dimension over a few seeds."""

from __future__ import annotations

from . import random_lna, random_mixed_content


def test_mixed_content_cases_are_the_same_for_a_seed_and_differ_across_seeds() -> None:
    first, again = random_mixed_content.generate(7), random_mixed_content.generate(7)
    assert first == again
    assert [c.title for c in first] != [c.title for c in random_mixed_content.generate(8)]
    assert len({c.sid for c in first}) == len(first)
    assert all(c.sid.startswith("mix-rnd-") and "seed 7" in c.title for c in first)


def test_mixed_content_cases_cover_every_dimension_over_a_few_seeds() -> None:
    cases = [c for seed in range(6) for c in random_mixed_content.generate(seed, 40)]
    assert {c.kind for c in cases} == set(random_mixed_content.KINDS)
    assert {c.target for c in cases} == set(random_mixed_content.TARGETS)
    assert {c.crossorigin for c in cases} == set(random_mixed_content.CROSSORIGINS)
    assert {c.credentials for c in cases if c.kind == "fetch"} == {"omit", "same-origin", "include"}
    assert {c.method for c in cases if c.kind == "fetch"} == set(random_mixed_content.METHODS)
    for answer in random_mixed_content.ACAO:
        assert any(f"acao={answer} " in c.title for c in cases), answer
    assert {c.step.actual.status for c in cases if c.step} == {200, 404, 500}
    # a preflighted fetch() to an http URL: the kit must block it before the preflight
    assert any(c.kind == "fetch" and c.target == "http" and c.method == "PUT" for c in cases)


def test_lna_cases_are_the_same_for_a_seed_and_differ_across_seeds() -> None:
    first = random_lna.generate(7)
    assert first == random_lna.generate(7)
    assert [c.title for c in first] != [c.title for c in random_lna.generate(8)]
    assert all(c.sid.startswith("lna-rnd-") and "seed 7" in c.title for c in first)


def test_lna_cases_cover_every_dimension_and_never_leave_a_prompt() -> None:
    cases = [c for seed in range(6) for c in random_lna.generate(seed, 30)]
    assert {c.page_space for c in cases} == set(random_lna.SPACES)
    assert {c.space for c in cases} == set(random_lna.SPACES)
    assert {c.grant for c in cases} == set(random_lna.GRANTS)
    assert {c.secure for c in cases} == {True, False}
    assert {c.method for c in cases} == {"GET", "PUT", "POST"}
    # Firefox would hang on a prompt: every random permission is decided
    assert "prompt" not in {c.grant for c in cases}
    for answer in random_lna.ACAO:
        assert any(f"acao={answer} " in c.title for c in cases), answer
