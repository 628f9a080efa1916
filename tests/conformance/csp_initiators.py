"""The ``csp-initiators`` family: the page's CSP against elements, XHR, EventSource and beacons.

Each case is one :class:`.initiators.Case` (answered ``Access-Control-Allow-Origin: *``, so
that CORS never decides) loaded by a page served with a ``Content-Security-Policy`` header
(``/page?csp=<policy>``, one page load per case). The page is ``http://localhost:PORT``, the
resource ``http://localhost:PORT2`` (``{LOCAL2}`` in a policy), so ``'self'`` never matches it.

Per initiator and its directive ``D`` (``img-src``, ``script-src-elem``, ``style-src-elem``,
``font-src``, ``media-src``; ``connect-src`` for XHR, EventSource and ``sendBeacon``): ``D``
allows, ``D`` refuses, ``default-src`` refuses as the fallback, ``default-src`` allows when
``D`` is absent (with another directive set to ``'none'``), and for scripts and stylesheets
the ``-elem`` directive against its parent (``script-src``, ``style-src``) both ways.

The random cases (:mod:`.random_csp_initiators`) mix several directives, two policies and a
CORS answer that is often wrong; a console line is tied to its case by the blocked URL.

A font's ``@font-face`` rule is an inline ``<style>`` (the initiators runner writes one), so
every font policy adds ``style-src 'unsafe-inline'``: it is not a font's fallback.

``test_csp_initiators.py`` compares each browser's run with the engine's (live and in-process):
whether anything reached the server, whether the page used the resource, and the console line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .initiators import RUNNER_JS, Case, collect, register_cases, specs
from .server import ScenarioServer

#: Each initiator kind and the directive it is checked against, per CSP3.
DIRECTIVES = {
    "img": "img-src",
    "script": "script-src-elem",
    "module": "script-src-elem",
    "stylesheet": "style-src-elem",
    "font": "font-src",
    "video": "media-src",
    "audio": "media-src",
    "xhr": "connect-src",
    "eventsource": "connect-src",
    "beacon": "connect-src",
}
KINDS = tuple(DIRECTIVES)
#: How long the page waits for one load (a refused one errors at once).
TIMEOUT_MS = 4000


@dataclass(frozen=True)
class CspCase:
    """One initiator call on a page with ``policy`` (``{LOCAL2}``: the resource's origin)."""

    case: Case
    policy: str
    title: str
    #: Whether the policy allows the URL (what CSP says; the browsers are the judge).
    allowed: bool

    @property
    def sid(self) -> str:
        return self.case.sid

    @property
    def kind(self) -> str:
        return self.case.kind


def _cases() -> list[CspCase]:
    out: list[CspCase] = []
    for kind, directive in DIRECTIVES.items():
        n = 0

        def add(title: str, policy: str, allowed: bool, kind: str = kind) -> None:
            nonlocal n
            n += 1
            if kind == "font":
                policy += "; style-src 'unsafe-inline'"
            extra: dict[str, Any] = {}
            if kind == "beacon":
                extra = {"body": "x", "content_type": "text/plain"}
            case = Case(f"ini-csp-{kind}-{n}", kind, "star", **extra)
            out.append(CspCase(case, policy, title, allowed))

        other = "img-src" if directive == "connect-src" else "connect-src"
        add(f"{directive} lists the origin: allowed", f"{directive} {{LOCAL2}}", True)
        add(f"{directive} 'self': refused", f"{directive} 'self'", False)
        add("default-src 'self' as the fallback: refused", "default-src 'self'", False)
        add(f"default-src allows, no {directive}: allowed",
            f"default-src {{LOCAL2}}; {other} 'none'", True)  # fmt: skip
        add(f"{directive} overrides default-src 'none': allowed",
            f"default-src 'none'; {directive} {{LOCAL2}}", True)  # fmt: skip
        if directive in ("script-src-elem", "style-src-elem"):
            parent = directive[: -len("-elem")]
            add(f"{directive} wins over {parent}: allowed",
                f"{parent} 'self'; {directive} {{LOCAL2}}", True)  # fmt: skip
            add(f"{directive} wins over {parent}: refused",
                f"{parent} {{LOCAL2}}; {directive} 'self'", False)  # fmt: skip
            add(f"{parent} as the fallback: refused", f"{parent} 'self'", False)
            add(f"{parent} overrides default-src: refused",
                f"default-src {{LOCAL2}}; {parent} 'self'", False)  # fmt: skip
            add(f"{parent} as the fallback: allowed",
                f"default-src 'none'; {parent} {{LOCAL2}}", True)  # fmt: skip
    return out


CSP_CASES: list[CspCase] = _cases()
BY_SID = {c.sid: c for c in CSP_CASES}


def policy_for(server: ScenarioServer, case: CspCase) -> str:
    """The case's policy as sent (placeholders filled)."""
    return server.filler(case.sid)(case.policy)


def page_for(server: ScenarioServer, case: CspCase) -> str:
    """The case's own page URL: ``/page`` with its policy (the ``n`` parameter only tells
    pages apart)."""
    return (
        f"{server.origin('localhost')}/page?csp={quote(policy_for(server, case), safe='')}"
        f"&n={case.sid}"
    )


_SID = re.compile(r"/s/(ini-csp-[A-Za-z0-9_.-]+)/")
_CONSOLE = re.compile(r"^CONSOLE (?:SECURITY|JS|NETWORK) (?:ERROR|WARNING) (.*)$")
_CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")


_FIRST_URL = re.compile(r"https?://[^\s'\"]+")


def csp_lines(texts: list[str]) -> dict[str, list[str]]:
    """The console lines about a CSP violation, per case id: the blocked URL, the first one in
    the line, says which (a random policy may name a case's URL in its directive too, and a
    line about the page's favicon then quotes it)."""
    out: dict[str, list[str]] = {}
    for text in texts:
        text = text.strip()
        url = _FIRST_URL.search(text)
        match = _SID.search(url.group(0) + "/") if url else None
        if match and any(word in text for word in _CSP_WORDS):
            out.setdefault(match.group(1), []).append(text)
    return out


def _collect(
    server: ScenarioServer, cases: list[CspCase], page: dict[str, Any], texts: list[str]
) -> dict[str, Any]:
    return collect(server, [c.case for c in cases], page, csp_lines(texts))


def _one(case: CspCase, server: ScenarioServer) -> dict[str, Any]:
    return {"specs": specs(server, [case.case]), "timeoutMs": TIMEOUT_MS}


#: The initiators runner for one case, an exception kept as the case's result: WebKitGTK
#: 2.50.6 throws ``SecurityError: The operation is insecure.`` from ``new EventSource(url)``
#: when the page's CSP refuses ``url`` (Chromium and Firefox fire ``error``).
ONE_JS = (
    "async (options) => { try { return await (" + RUNNER_JS + ")(options); } catch (e) { "
    "return {[options.specs[0].sid]: {event: 'threw', used: false, readable: null, "
    "error: String(e), status: null, sent: null}}; } }"
)


def run_chromium(browser: Any, server: ScenarioServer, cases: list[CspCase]) -> dict[str, Any]:
    """Every case on its own page in one Chromium tab (``browser``: the conformance
    ``Chromium``)."""
    register_cases(server, [c.case for c in cases])
    context = browser.browser.new_context()
    texts: list[str] = []
    page_results: dict[str, Any] = {}
    try:
        page = context.new_page()
        page.on("console", lambda message: texts.append(message.text))
        for case in cases:
            page.goto(page_for(server, case))
            page_results.update(page.evaluate(ONE_JS, _one(case, server)))
        page.wait_for_timeout(300)
    finally:
        context.close()
    return _collect(server, cases, page_results, texts)


def run_firefox(browser: Any, server: ScenarioServer, cases: list[CspCase]) -> dict[str, Any]:
    """Every case on its own page in one Firefox tab (``browser``: the conformance
    ``Firefox``)."""
    register_cases(server, [c.case for c in cases])
    client = browser.client
    context = client.command("browsingContext.create", {"type": "tab"})["context"]
    page_results: dict[str, Any] = {}
    try:
        client.events.clear()
        for case in cases:
            client.command(
                "browsingContext.navigate",
                {"context": context, "url": page_for(server, case), "wait": "complete"},
            )
            page_results.update(client.call(context, ONE_JS, _one(case, server), timeout=120))
        client.drain(0.5)
        texts = [
            str(e["params"].get("text", ""))
            for e in client.events
            if e.get("method") == "log.entryAdded"
        ]
        client.events.clear()
    finally:
        client.command("browsingContext.close", {"context": context})
    return _collect(server, cases, page_results, texts)


def run_webkit(browser: Any, server: ScenarioServer, cases: list[CspCase]) -> dict[str, Any]:
    """Every case on its own page in one WebKitGTK view (``browser``: the conformance
    ``WebKit``)."""
    register_cases(server, [c.case for c in cases])
    start = browser._marker()
    page_results: dict[str, Any] = {}
    for case in cases:
        browser.command("load", url=page_for(server, case))
        page_results.update(
            browser.command(
                "call",
                body=f"return await ({ONE_JS})(options);",
                args={"options": _one(case, server)},
                timeout=120,
            )
        )
    browser.command("call", body="await new Promise(r => setTimeout(r, 300)); return 1;", args={})
    end = browser._marker()
    browser._wait_for_marker(end)
    texts = []
    for line in browser._lines_between(start, end):
        match = _CONSOLE.match(line.rstrip("\n"))
        if match:
            texts.append(match.group(1))
    return _collect(server, cases, page_results, texts)
