"""The one memoiser: bounded, never caching an error, and listing what it caches."""

from __future__ import annotations

import pytest

from pytest_cors import _memo, site
from pytest_cors.engine import response
from pytest_cors.origin import origin_of_url
from pytest_cors.targets._wire import split_url


@pytest.fixture(autouse=True)
def own_registry(monkeypatch):
    """The functions these tests memoise stay out of the package's own list."""
    monkeypatch.setattr(_memo, "MEMOISED", list(_memo.MEMOISED))


def test_a_result_is_computed_once_then_evicted_past_the_bound():
    calls: list[str] = []

    @_memo.memoised(maxsize=2)
    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [upper("a"), upper("a"), upper("b"), upper("c"), upper("a")] == ["A", "A", "B", "C", "A"]
    assert calls == ["a", "b", "c", "a"]  # "a" fell out when "c" came in


def test_an_error_is_raised_again_on_every_call():
    calls: list[str] = []

    @_memo.memoised()
    def refuse(text: str) -> str:
        calls.append(text)
        raise ValueError(text)

    for _ in range(2):
        with pytest.raises(ValueError, match="x"):
            refuse("x")
    assert calls == ["x", "x"]


def test_the_kept_caches_are_registered():
    """What the benchmarks proved worth a cache (docs/performance.md): origin parsing, URL
    splitting and token lists. A new cache needs its figure there first."""
    names = {f"{f.__module__}.{f.__qualname__}" for f in _memo.MEMOISED}
    assert {
        "pytest_cors.origin._parse_origin",
        "pytest_cors.origin.is_valid_url_value",
        "pytest_cors.engine.response._tokens",
        "pytest_cors.engine.response._exposure",
        "pytest_cors.site._psl",
    } <= names
    assert origin_of_url in _memo.MEMOISED
    assert split_url in _memo.MEMOISED
    assert site._psl in _memo.MEMOISED
    assert response._tokens in _memo.MEMOISED
