"""Reduce Chromium's run and the engine's outcomes to the same shape, and list differences.

Compared, per scenario: every request on the wire (kind, method, host, path, ``Origin``,
``Access-Control-Request-Method`` / ``-Headers``), and per ``fetch()``: resolved or rejected,
the status, the readable response headers (names and values), the DevTools ``corsError`` and
the console line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .chromium import BrowserRun, page_origin, scenario_url
from .scenarios import Scenario
from .server import Received, ScenarioServer


@dataclass(frozen=True)
class Wire:
    """One request as sent, reduced to what the browser decides."""

    kind: str
    method: str
    host: str
    path: str
    origin: str | None
    acrm: str | None
    acrh: str | None

    def __str__(self) -> str:
        text = f"{self.kind} {self.method} {self.host}{self.path} Origin={self.origin}"
        if self.kind == "preflight":
            text += f" ACRM={self.acrm} ACRH={self.acrh}"
        return text


@dataclass(frozen=True)
class Verdict:
    """What the page's script saw for one ``fetch()``."""

    allowed: bool
    status: int | None
    readable: tuple[tuple[str, str], ...]
    raised: bool = False  # the request never left (a TypeError from fetch() itself)

    def __str__(self) -> str:
        if self.raised:
            return "threw before sending"
        if not self.allowed:
            return "rejected"
        return f"resolved {self.status} readable={dict(self.readable)}"


@dataclass
class Side:
    name: str
    wires: list[Wire]
    verdicts: list[Verdict]
    cors_errors: list[str]
    console: list[str]
    transcript: str
    extra: dict[str, Any] = field(default_factory=dict)


def wire_from_received(r: Received) -> Wire:
    kind = "preflight" if r.is_preflight else "actual"
    return Wire(
        kind,
        r.method,
        r.get("Host") or "",
        r.path,
        r.get("Origin"),
        r.get("Access-Control-Request-Method"),
        r.get("Access-Control-Request-Headers"),
    )


def wire_from_exchange(exchange: Any) -> Wire:
    request = exchange.request
    parts = urlsplit(request.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = request.headers
    return Wire(
        exchange.kind,
        request.method,
        parts.netloc,
        path,
        headers.get("Origin"),
        headers.get("Access-Control-Request-Method"),
        headers.get("Access-Control-Request-Headers"),
    )


def sent_exchanges(outcome: Any) -> list[Any]:
    """The exchanges that went over the wire (not those the engine's HTTP cache answered)."""
    cached = set(getattr(outcome, "http_cached", ()))
    return [e for i, e in enumerate(outcome.exchanges) if i not in cached]


def _readable(pairs: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k.lower(), v) for k, v in pairs))


def chromium_side(run: BrowserRun) -> Side:
    verdicts = [
        Verdict(
            f.resolved,
            f.status if f.resolved else None,
            _readable(f.headers) if f.resolved else (),
            raised=f.construction_error,
        )
        for f in run.fetches
    ]
    return Side(
        "Chromium",
        [wire_from_received(r) for r in run.requests],
        verdicts,
        [e.cors_error for e in run.cors_errors if e.cors_error],
        [line for line in run.console if line.startswith("Access to fetch")],
        run.transcript(),
        {"timed_out": any(f.timed_out for f in run.fetches)},
    )


def run_engine(server: ScenarioServer, scenario: Scenario, target: object) -> list[Any]:
    """The scenario's fetches through one engine ``Browser`` (one preflight cache), in order.

    An entry is an ``Outcome``, or the ``CorsUsageError`` the engine raised where ``fetch()``
    would throw before sending anything.
    """
    from pytest_cors import Browser
    from pytest_cors.errors import CorsUsageError

    browser = Browser("chromium")
    url = scenario_url(server, scenario)
    origin = page_origin(server, scenario.page)
    results: list[Any] = []
    for f in scenario.fetches:
        dropped = {name.lower() for name in f.drops}
        try:
            outcome = browser.fetch(
                target,
                url,
                origin=origin,
                method=f.method,
                headers=[(k, v) for k, v in f.headers if k.lower() not in dropped],
                credentials=f.credentials,
                body=f.body,
            )
        except CorsUsageError as exc:
            results.append(exc)
            continue
        results.append(outcome)
    return results


def dropped_header_problems(
    server: ScenarioServer, scenario: Scenario, target: object, run: BrowserRun
) -> list[str]:
    """For forbidden request headers: Chromium must not have sent the script's value, and the
    engine must refuse the header with a usage error saying the browser would drop it."""
    from pytest_cors import simulate_fetch
    from pytest_cors.errors import CorsUsageError

    problems: list[str] = []
    for f in scenario.fetches:
        for name in f.drops:
            value = next(v for k, v in f.headers if k == name)
            if any(
                k.lower() == name.lower() and v == value for r in run.requests for k, v in r.headers
            ):
                problems.append(f"Chromium sent the forbidden header {name}: {value}")
            try:
                simulate_fetch(
                    target,
                    scenario_url(server, scenario),
                    origin=page_origin(server, scenario.page),
                    method=f.method,
                    headers=[(name, value)],
                    credentials=f.credentials,
                    body=f.body,
                )
            except CorsUsageError as exc:
                if name.lower() not in str(exc).lower() or "drop" not in str(exc):
                    problems.append(f"usage error for {name} does not say it is dropped: {exc}")
            else:
                problems.append(
                    f"engine accepted the forbidden header {name} (want CorsUsageError)"
                )
    return problems


def engine_side(name: str, results: list[Any], wires: list[Wire] | None = None) -> Side:
    """The engine's story; ``wires`` replaces its own transcript by what a server recorded."""
    verdicts: list[Verdict] = []
    errors: list[str] = []
    console: list[str] = []
    own_wires: list[Wire] = []
    texts: list[str] = []
    for result in results:
        if isinstance(result, Exception):
            verdicts.append(Verdict(False, None, (), raised=True))
            texts.append(f"raised {type(result).__name__}: {result}")
            continue
        own_wires.extend(wire_from_exchange(e) for e in sent_exchanges(result))
        verdicts.append(
            Verdict(
                result.allowed,
                result.status if result.allowed else None,
                _readable(result.readable_headers.items()) if result.allowed else (),
            )
        )
        if result.failure is not None:
            if result.failure.chromium_error:
                errors.append(result.failure.chromium_error)
            console.append(result.failure.message)
        texts.append(result.explain())
    transcript = f"engine ({name}):\n" + "\n---\n".join(texts)
    return Side(name, own_wires if wires is None else wires, verdicts, errors, console, transcript)


_NAMED_HEADER = re.compile(r"Request header field (\S+) is not allowed")


def _masked(lines: list[str]) -> list[str]:
    """Console lines with the header a HeaderDisallowed message names blanked out.

    When several request headers are not allowed, Chromium names the first one in the iteration
    order of Blink's header hash map: deterministic for one set of names, but neither the
    script's order nor sorted order (``X-C, Content-Type, X-A`` names ``x-c``; ``X-A, X-B``
    names ``x-a``). Any of them explains the failure, so the name is not compared.
    """
    return [_NAMED_HEADER.sub("Request header field <name> is not allowed", line) for line in lines]


def differences(browser: Side, engine: Side, *, console: bool = True) -> list[str]:
    """Every way ``engine`` did not do what ``browser`` did; empty when they agree."""
    diffs: list[str] = []
    if browser.extra.get("timed_out"):
        diffs.append("Chromium timed out: the scenario server never answered")
    for i, (b, e) in enumerate(zip(browser.verdicts, engine.verdicts, strict=True), 1):
        if (b.allowed, b.raised) != (e.allowed, e.raised):
            diffs.append(f"fetch {i}: Chromium {b}, engine {e}")
        elif b.allowed and b.status != e.status:
            diffs.append(f"fetch {i}: status Chromium {b.status}, engine {e.status}")
        elif b.allowed and b.readable != e.readable:
            only_b = sorted(set(b.readable) - set(e.readable))
            only_e = sorted(set(e.readable) - set(b.readable))
            diffs.append(
                f"fetch {i}: readable headers differ: only Chromium {only_b}, only engine {only_e}"
            )
    if browser.wires != engine.wires:
        diffs.append(
            "requests sent differ:\n  Chromium:\n"
            + "".join(f"    {w}\n" for w in browser.wires)
            + "  engine:\n"
            + "".join(f"    {w}\n" for w in engine.wires)
        )
    if browser.cors_errors != engine.cors_errors:
        diffs.append(
            f"DevTools corsError: Chromium {browser.cors_errors}, engine {engine.cors_errors}"
        )
    if console and browser.console and _masked(browser.console) != _masked(engine.console):
        diffs.append(
            "console line differs:\n"
            + "".join(f"  Chromium: {line}\n" for line in browser.console)
            + "".join(f"  engine:   {line}\n" for line in engine.console)
        )
    return diffs
