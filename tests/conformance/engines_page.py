"""Generate ``docs/engines.md``: what each profile does, where Chromium, Firefox and WebKit part.

The page is built from two sources only, so a test can check it is current:

* the profile definitions (``pytest_cors.engine.profiles``): one row per rule, the rule's text
  taken from the ``#:`` comment above its field, one column per profile;
* the engine run over the conformance scenarios (the systematic table, served in-process by the
  WSGI twin) under the ``chromium`` profile and each of ``firefox`` and ``safari``: every
  scenario where the two answer differently (verdict, status, readable headers, requests sent,
  failure code) is listed under the rule that explains it — the one flag that, switched from
  Chromium's value to the other engine's, makes the ``chromium`` profile answer as the other.

The profiles are themselves checked against the real browsers by ``test_chromium.py``,
``test_firefox.py`` and ``test_webkit.py``, so the page describes measured behaviour as far as
those suites pass.

Write the page: ``python -m tests.conformance.engines_page --write`` (from the repository root).
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import sys
from pathlib import Path
from typing import Any

from . import engines_families
from .firefox import run_engine_as
from .scenarios import SCENARIOS, Scenario
from .server import ScenarioServer
from .twin import wsgi_app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "engines.md"
#: The Firefox the ``firefox`` profile was last checked against (``firefox-esr --version``).
FIREFOX_CHECKED = "153.8.0esr"
#: The WebKit the ``safari`` profile was last measured against (WebKitGTK, Safari 26's WebCore).
WEBKIT_CHECKED = "2.50.6"
PROFILE_ORDER = ("chromium", "firefox", "safari", "spec")

#: Where the reference (``cors-fetch-rules.md``) discusses each rule.
SECTIONS = {
    "wildcard_covers_authorization": "§5.2 step 6, §11.1",
    "client_hints_safelisted": "§11.4",
    "joins_duplicate_request_headers": "§3.2",
    "drops_user_agent": "§3.4",
    "high_bytes_unsafe_in_accept": "§3.1, §11.7",
    "accepts_space_before_colon": "§6",
    "negative_max_age_disables_cache": "§5.2 step 8, §5.5",
    "unparsable_max_age_uses_default": "§5.5, §11.7",
    "max_age_cap": "§5.5",
    "cached_wildcard_method_covers": "§5.5, §11.7",
    "credentialed_entry_serves_omit": "§5.5, §11.7",
    "tainted_preflight_sends_null": "§1.4, §8",
    "cross_origin_redirect_turns_delete_into_get": "§8 (WebKitGTK's libsoup layer, measured)",
    "preflight_redirect_reported": "§5.3",
    "cached_wildcard_header_covers": "§5.5, §11.7",
    "caches_opaque_origin": "§5.5",
    "failed_fetch_clears_cache": "§5.5",
    "method_check_before_header_parse": "§12.1, §12.2",
    "content_type_join": "§7, §11.7",
    "console": "§12 (also which MDN code names a failure)",
    "script_error": "§0 (Chromium), §11.6 (WebKit); Firefox measured by the conformance suite",
    "max_redirects": "§8",
    "default_max_age": "§5.5",
    "http_cache": "RFC 9111 (not in the reference: measured by the conformance suite)",
    "user_agent": "§3.3, §3.4",
    "accept_language": "§3.3, §5.1",
    "accept_encoding": "§3.3, §5.1",
    "accept_encoding_http": "§3.3, §5.1",
    "preflight_fetch_mode_everywhere": "§5.1",
    "ua_client_hints": "§5.1",
}
#: Fields about the headers the browser adds: they never change what CORS decides, so no
#: scenario of the table shows them; ``test_added_headers.py`` compares them line by line.
ADDED_HEADER_FIELDS = frozenset(
    {
        "user_agent",
        "accept_language",
        "accept_encoding",
        "accept_encoding_http",
        "preflight_fetch_mode_everywhere",
        "ua_client_hints",
        "sends_storage_access",
        "priority",
    }
)
_FALLBACK_TEXT = {
    "max_redirects": "Redirects followed before the fetch fails.",
    "default_max_age": (
        "Lifetime of a preflight-cache entry without ``Access-Control-Max-Age``, seconds."
    ),
}


def rule_texts() -> dict[str, str]:
    """Each profile field's ``#:`` comment (joined), read from the profile's source."""
    from pytest_cors.engine.profiles import Profile

    texts: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(Profile).splitlines():
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped[2:].strip())
            continue
        match = re.match(r"(\w+)\s*:", stripped)
        if match and pending:
            texts[match.group(1)] = " ".join(pending)
        if not stripped.startswith("#"):
            pending = []
    return texts


def _value(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None or value == "" or value == ():
        return "none"
    if isinstance(value, tuple) and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return "; ".join(f"`{name}: {text}`" for name, text in value)
    if isinstance(value, str):
        return f"`{value}`" if value.strip() == value else f"`{value!r}`"
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("``", "`")


# -- the engine run -----------------------------------------------------------------------------
def summary(results: list[Any]) -> tuple[Any, ...]:
    """What a page or a server could observe of one scenario's fetches (not the message text)."""
    from .compare import sent_exchanges, wire_from_exchange

    out: list[Any] = []
    for result in results:
        if isinstance(result, Exception):
            out.append(("raised", type(result).__name__))
            continue
        out.append(
            (
                result.allowed,
                result.status if result.allowed else None,
                tuple(sorted(result.readable_headers.items())) if result.allowed else (),
                result.failure.code if result.failure else None,
                tuple(wire_from_exchange(e) for e in sent_exchanges(result)),
            )
        )
    return tuple(out)


def _forbidden(scenario: Scenario) -> frozenset[str]:
    from pytest_cors.engine.request import is_forbidden_header

    return frozenset(
        k.lower() for f in scenario.fetches for k, v in f.headers if is_forbidden_header(k, v)
    )


def differences_by_rule(
    scenarios: list[Scenario], other_name: str = "firefox"
) -> tuple[dict[str, list[Scenario]], list[Scenario]]:
    """Scenarios where the chromium profile and ``other_name`` differ, keyed by the rule
    explaining it.

    A scenario can sit under several rules (each flag alone explains it); one that no single
    flag explains goes to the second list.
    """
    from pytest_cors.engine.profiles import CHROMIUM, PROFILES
    from pytest_cors.targets.wsgi import WsgiTarget

    other = PROFILES[other_name]
    differing = [
        f.name
        for f in dataclasses.fields(CHROMIUM)
        if f.name != "name" and getattr(CHROMIUM, f.name) != getattr(other, f.name)
    ]
    by_rule: dict[str, list[Scenario]] = {name: [] for name in differing}
    unexplained: list[Scenario] = []
    with ScenarioServer() as server:
        from .chromium import register

        register(server, scenarios)
        target = WsgiTarget(wsgi_app(server), server.api)

        def observe(profile: Any, scenario: Scenario) -> tuple[Any, ...]:
            return summary(run_engine_as(profile, server, scenario, target, _forbidden(scenario)))

        for scenario in scenarios:
            chromium = observe(CHROMIUM, scenario)
            theirs = observe(other, scenario)
            if chromium == theirs:
                continue
            explained = False
            for name in differing:
                hybrid = dataclasses.replace(
                    CHROMIUM, name=f"chromium+{name}", **{name: getattr(other, name)}
                )
                if observe(hybrid, scenario) == theirs:
                    by_rule[name].append(scenario)
                    explained = True
            if not explained:
                unexplained.append(scenario)
    return by_rule, unexplained


# -- the page -----------------------------------------------------------------------------------
def render(scenarios: list[Scenario] | None = None) -> str:
    from pytest_cors.engine.profiles import PROFILES

    scenarios = SCENARIOS if scenarios is None else scenarios
    profiles = [PROFILES[name] for name in PROFILE_ORDER if name in PROFILES]
    profiles += [p for name, p in sorted(PROFILES.items()) if name not in PROFILE_ORDER]
    texts = {**_FALLBACK_TEXT, **rule_texts()}
    fields = [f.name for f in dataclasses.fields(profiles[0]) if f.name != "name"]

    out: list[str] = [
        "# Engines: Chromium, Firefox, WebKit and the profiles",
        "",
        "<!-- Generated by `python -m tests.conformance.engines_page --write`; do not edit. -->",
        "",
        "Browsers do not all decide CORS alike. `simulate_fetch(..., browser=...)` and",
        "`Browser(...)` take a *profile*: `chromium` (the default), `firefox`, `safari` or `spec`",
        "(the Fetch Standard as written). A profile is a handful of rules; everything else is the",
        "same in every engine and is not an option. The `chromium` profile is verified against",
        "real Chromium ([Fidelity](fidelity.md)) and the `firefox` profile against real Firefox",
        f"(**Firefox {FIREFOX_CHECKED}**, see below), on every CI run. The `safari` profile's",
        f"rules were measured in **WebKitGTK {WEBKIT_CHECKED}** (Safari 26's WebCore CORS code",
        "on libsoup, not Safari's CFNetwork) by `tests/conformance/test_webkit.py`, on every CI",
        "run; the fixed scenarios on which the profile still departs from WebKit are listed there",
        "and must keep departing until they are fixed ([Fidelity](fidelity.md)).",
        "",
        "## What each profile does",
        "",
        "| rule | " + " | ".join(p.name for p in profiles) + " | reference |",
        "|---|" + "---|" * len(profiles) + "---|",
    ]
    for name in fields:
        values = [_value(getattr(p, name)) for p in profiles]
        text = _cell(texts.get(name, name))
        out.append(
            f"| {text} (`{name}`) | " + " | ".join(values) + f" | {SECTIONS.get(name, '')} |"
        )
    out += [
        "",
        "References are to the sections of the project's CORS rules reference.",
        "",
    ]
    out += rule_section(scenarios, "firefox", "Firefox", texts)
    out += rule_section(scenarios, "safari", "WebKit", texts)
    out += engines_families.section()
    out += [
        "## How the `firefox` profile is checked",
        "",
        "`tests/conformance/test_firefox.py` runs the same scenarios as the Chromium suite in",
        "Debian's `firefox-esr`, headless, with a fresh temporary profile whose `user.js`",
        "sends the scenario host names to the loopback scenario server",
        "(`network.dns.forceResolve`, `network.trr.mode` 5) and switches off Firefox's background",
        "services (updates, telemetry, safe browsing, captive portal, remote settings). Firefox",
        "speaks WebDriver BiDi natively, so a small websocket client drives it: no geckodriver,",
        "no browser download.",
        "Each page origin gets one tab; its scenarios' `fetch()` calls run inside the page.",
        "",
        'For every scenario the engine runs with `browser="firefox"`, against the live scenario',
        "server and against the same bytes served in-process, and must match what Firefox did:",
        "allowed or blocked, status, readable headers, every request sent (preflight or not,",
        "`Origin` on every hop, exact `Access-Control-Request-*`), the failure's `code` against",
        "the MDN name of the reason Firefox printed in its console (`CORSMissingAllowOrigin`,",
        "...), and the failure's `message` against that console line (Firefox's typographic",
        "quotes compared as ASCII).",
        "",
        "Run it:",
        "",
        "```bash",
        "python -m pytest tests/conformance/test_firefox.py      # about 20 s",
        "python -m pytest -m browser                              # both browsers",
        "```",
        "",
        "Without Firefox the suite is skipped with the reason; under `CI=true` a missing browser",
        "fails. `PYTEST_CORS_FIREFOX` points it at another binary. A disagreement prints the",
        "scenario, both verdicts and both transcripts (what Firefox sent and saw, and the engine's",
        "explanation); random scenarios print the seed to replay them (`PYTEST_CORS_SEED`).",
        "",
        "Two Firefox behaviours the driver works around, because they would make results depend",
        "on how the suite runs rather than on the headers:",
        "",
        "* Firefox keeps at most 100 preflight-cache entries (least recently used evicted), so the",
        "  scenarios with a second fetch run in a batch of their own, after the rest.",
        "* In a page of a site the browser has not loaded before, the first fetches that could",
        "  reuse a preflight-cache entry send a new preflight anyway; each page first repeats a",
        "  cacheable preflighted request until Firefox serves it from the cache.",
        "",
        "Regenerate this page after changing a profile or the scenario table:",
        "",
        "```bash",
        "python -m tests.conformance.engines_page --write",
        "```",
        "",
    ]
    return "\n".join(out)


def rule_section(
    scenarios: list[Scenario], other_name: str, engine: str, texts: dict[str, str]
) -> list[str]:
    """The page's "where Chromium and ``engine`` differ" section: each rule on which the
    ``chromium`` profile and ``other_name`` disagree, with the scenarios it alone explains."""
    from pytest_cors.engine.profiles import PROFILES

    chromium, other = PROFILES["chromium"], PROFILES[other_name]
    by_rule, unexplained = differences_by_rule(scenarios, other_name)
    out = [
        f"## Where Chromium and {engine} differ, rule by rule",
        "",
        f"For every rule on which the `chromium` and `{other_name}` profiles disagree, the",
        "conformance scenarios (the systematic table, not the random ones) on which the two",
        "profiles answer differently — allowed or blocked, status, readable headers, the requests",
        "sent, the failure code — and which that rule alone explains: switching just that rule",
        f"of the `chromium` profile to {engine}'s value makes it answer as the `{other_name}`",
        "profile.",
        "",
    ]
    total = len({s.sid for items in by_rule.values() for s in items} | {s.sid for s in unexplained})
    out.append(f"{total} of {len(scenarios)} scenarios differ between the two profiles.")
    out.append("")
    for name, items in by_rule.items():
        text = _cell(texts.get(name, name))
        out += [
            f"### {text}",
            "",
            f"`{name}` — Chromium: {_value(getattr(chromium, name))}; "
            f"{engine}: {_value(getattr(other, name))}"
            + (f"; reference {SECTIONS[name]}." if name in SECTIONS else "."),
            "",
        ]
        if items:
            out.append(f"Scenarios that show it ({len(items)}):")
            out.append("")
            out += [f"* {s.family}: {_cell(s.title)}" for s in sorted(items, key=_key)]
        elif name in ADDED_HEADER_FIELDS:
            out.append("A header the browser adds: it never changes what CORS decides, so no")
            out.append("scenario of the table shows it; `test_added_headers.py` compares the")
            out.append("headers each browser sent with the profile's, line by line.")
        else:
            out.append("No scenario of the table shows it on its own (it changes wording or")
            out.append("limits the scenarios do not reach).")
        out.append("")
    if unexplained:
        out += [
            "### Explained only by several rules together",
            "",
            *[f"* {s.family}: {_cell(s.title)}" for s in sorted(unexplained, key=_key)],
            "",
        ]
    return out


def _key(scenario: Scenario) -> tuple[str, str]:
    return (scenario.family, scenario.title)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help=f"write {PAGE}")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        PAGE.write_text(text, encoding="utf-8")
        print(f"wrote {PAGE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
