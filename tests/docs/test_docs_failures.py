"""The failure reference documents every code and warning, with the messages the engine prints."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from docs_helpers import DOCS, ROOT
from docs_pages import blocks, read, sections
from failure_scenarios import PAGE, SCENARIOS, URL, server

from pytest_cors import simulate_fetch
from pytest_cors.failures import make_failure

PACKAGE = ROOT / "pytest_cors"
PAGE_TEXT = read(DOCS / "failures.md")
SECTIONS = sections(PAGE_TEXT)
WARNING_SECTIONS = sections(SECTIONS.get("Warnings", ""), level=3)
FRAMEWORKS = ("Flask-CORS", "django-cors-headers", "FastAPI / Starlette", "Hand-written headers")
CODE = re.compile(r"CORS[A-Z][A-Za-z]+")


def string_constants(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def failure_codes() -> set[str]:
    """Every MDN-style code the failures module and the engine can report."""
    sources = [PACKAGE / "failures.py", *sorted((PACKAGE / "engine").glob("*.py"))]
    return {s for path in sources for s in string_constants(path) if CODE.fullmatch(s)}


def chromium_kinds() -> set[str]:
    """The Chromium failure kinds ``failures.py`` maps to codes (keys of its kind table)."""
    tree = ast.parse((PACKAGE / "failures.py").read_text())
    kinds = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                first = value.elts[0] if isinstance(value, ast.Tuple) and value.elts else None
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(first, ast.Constant)
                    and CODE.fullmatch(str(first.value))
                ):
                    kinds.add(key.value)
    return kinds


def warning_codes() -> set[str]:
    """Every ``CorsWarning("Code", ...)`` the package can emit."""
    codes = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "CorsWarning"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
    return codes


def test_the_code_scan_finds_the_codes_and_kinds():
    # the scans above are what keeps the page complete: make sure they see something
    assert {"CORSMissingAllowOrigin", "CORSMethodNotFound"} <= failure_codes()
    assert {"MissingAllowOriginHeader", "HeaderDisallowedByPreflightResponse"} <= chromium_kinds()
    assert "AuthorizationCoveredByWildcard" in warning_codes()


@pytest.mark.parametrize("code", sorted(failure_codes()))
def test_every_failure_code_has_a_section(code):
    assert code in SECTIONS, f"docs/failures.md needs a '## {code}' section"


@pytest.mark.parametrize("kind", sorted(chromium_kinds()))
def test_every_chromium_kind_is_named_in_its_section(kind):
    for step in ("actual", "preflight"):
        failure = make_failure(kind, url=URL, origin=PAGE, step=step)
        if failure.chromium_error is not None:
            assert f"`{failure.chromium_error}`" in SECTIONS[failure.code], (
                f"section {failure.code} should name Chromium's {failure.chromium_error}"
            )


def test_every_section_is_a_known_code_or_a_page_part():
    extra = set(SECTIONS) - failure_codes() - {"Configurations that pass every check", "Warnings"}
    assert not extra, f"sections for codes the engine never reports: {sorted(extra)}"


@pytest.mark.parametrize("code", sorted(failure_codes()))
def test_every_code_has_a_scenario(code):
    assert any(s.code == code for s in SCENARIOS), (
        f"add a scenario for {code} to tests/docs/failure_scenarios.py"
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.browser}-{s.name}")
def test_each_scenario_fails_with_its_code(scenario):
    outcome = scenario.run()
    assert not outcome.allowed
    assert outcome.failure.code == scenario.code


@pytest.mark.parametrize("browser", ["Chromium", "Firefox"])
@pytest.mark.parametrize("code", sorted(failure_codes()))
def test_the_page_shows_exactly_the_messages_the_engine_prints(code, browser):
    documented = {b.body.strip() for b in blocks(SECTIONS[code]) if b.title == browser}
    printed = {
        s.run().failure.message
        for s in SCENARIOS
        if s.code == code and s.browser == browser.lower()
    }
    assert documented == printed


@pytest.mark.parametrize("code", sorted(failure_codes()))
def test_every_section_has_a_cause_and_a_fix_for_each_framework(code):
    text = SECTIONS[code]
    assert "**Cause.**" in text
    assert "**Fix.**" in text
    if code == "CORSRequestNotHttp":  # a client-side problem: no server setting exists
        assert "No server setting changes this" in text
        return
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")]
    assert [r for r in rows if r.strip("-")] == list(FRAMEWORKS)


@pytest.mark.parametrize("code", sorted(warning_codes()))
def test_every_warning_code_has_a_section(code):
    assert code in WARNING_SECTIONS, f"docs/failures.md needs '### {code}' under '## Warnings'"
    assert "**Fix:**" in WARNING_SECTIONS[code]


def test_warning_sections_are_known_codes():
    assert set(WARNING_SECTIONS) <= warning_codes()


def _headers_app(*headers):
    return server(list(headers))


ACAO = ("Access-Control-Allow-Origin", PAGE)
WARNING_CASES = {
    "AuthorizationCoveredByWildcard": (
        _headers_app(ACAO, ("Access-Control-Allow-Headers", "*")),
        {"headers": {"Authorization": "Bearer t"}},
    ),
    "ClientHintSafelisted": (_headers_app(ACAO), {"headers": {"DPR": "2"}}),
    "UserAgentDropped": (_headers_app(ACAO), {"headers": {"User-Agent": "robot"}}),
    "NegativeMaxAge": (
        _headers_app(
            ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "-1")
        ),
        {"method": "PUT"},
    ),
    "MalformedHeaderLine": (_headers_app(("Access-Control-Allow-Origin ", PAGE)), {}),
}


def test_every_warning_has_a_case():
    assert set(WARNING_CASES) == warning_codes()


@pytest.mark.parametrize("code", sorted(WARNING_CASES))
def test_each_warning_arises_where_the_page_says(code):
    app, fetch = WARNING_CASES[code]
    outcome = simulate_fetch(app, URL, origin=PAGE, **fetch)
    assert outcome.allowed  # a warning alone never blocks (in the default profile)
    assert [w.code for w in outcome.warnings] == [code]
