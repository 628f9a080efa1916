"""The API page covers the public surface, the plugin's options, and the engine links resolve."""

from __future__ import annotations

import argparse
import importlib
import re

import pytest
from docs_helpers import DOCS
from docs_pages import read

import pytest_cors
from pytest_cors.pytest_plugin import plugin

API_PAGE = read(DOCS / "api.md")
DIRECTIVE = re.compile(r"^::: (\S+)", re.M)
AUTOREF = re.compile(r"\]\[(pytest_cors(?:\.\w+)+)\]")
MY_PAGES = ["index.md", "getting-started.md", "how-cors-works.md", "failures.md", "ci.md", "api.md"]


def resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted`` and walk the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("name", sorted(set(pytest_cors.__all__) - {"__version__"}))
def test_every_public_name_is_documented(name):
    assert f"pytest_cors.{name}" in DIRECTIVE.findall(API_PAGE), (
        f"docs/api.md needs '::: pytest_cors.{name}'"
    )


def test_every_directive_names_something_that_exists():
    directives = DIRECTIVE.findall(API_PAGE)
    assert len(directives) > 10
    for dotted in directives:
        resolve(dotted)


@pytest.mark.parametrize(
    "flag", [flag for flag, kw in plugin._OPTIONS if kw.get("help") is not argparse.SUPPRESS]
)
def test_every_command_line_option_is_documented(flag):
    assert f"`{flag}" in API_PAGE


@pytest.mark.parametrize("key", sorted(plugin._INI))
def test_every_ini_key_is_documented(key):
    assert f"`{key}`" in API_PAGE


@pytest.mark.parametrize("page", MY_PAGES)
def test_engine_links_point_at_real_objects(page):
    for dotted in AUTOREF.findall(read(DOCS / page)):
        assert callable(resolve(dotted)) or isinstance(resolve(dotted), type), dotted


def test_how_cors_works_links_the_engine_and_the_standard():
    text = read(DOCS / "how-cors-works.md")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    steps = [s for s in sections if re.match(r"\d+\.", s)]
    assert len(steps) >= 8
    for step in steps:
        title = step.splitlines()[0]
        assert "https://fetch.spec.whatwg.org/#" in step or "CSP" in title, title
        if not title.startswith(("9.", "10.")):  # the last two compare CORS with other things
            assert AUTOREF.search(step), f"step {title!r} links no engine function"


def test_the_preflight_cache_table_matches_the_profiles():
    from pytest_cors.engine import PROFILES

    text = read(DOCS / "how-cors-works.md")
    section = text[text.index("## 8.") : text.index("## 9.")]
    names = {"Chromium": "chromium", "Firefox": "firefox", "Safari": "safari"}
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("browser", "---"):
            name = names.get(cells[0], "spec" if "`spec`" in cells[0] else cells[0])
            rows[name] = cells
    assert set(rows) == set(PROFILES)
    for name, (_, cap, negative) in rows.items():
        profile = PROFILES[name]
        expected_cap = "none" if profile.max_age_cap is None else f"{profile.max_age_cap} s"
        assert cap.startswith(expected_cap), (name, cap)
        assert (negative == "no caching") is profile.negative_max_age_disables_cache, name
