"""The engines page's last part: where the profiles part on the families beyond ``fetch()``.

The rule-by-rule sections of ``docs/engines.md`` cover the ``fetch()`` table. The other
families (modes, the page's CSP, elements and the other initiators, mixed content, Local
Network Access) are compared with the three real engines by their own modules; here each of
their fixed cases runs in-process under the ``chromium``, ``firefox`` and ``safari`` profiles,
and every case on which the three do not answer alike is listed with each profile's answer:
what the page got (allowed, used, or the failure code) and how many requests reached the
server. The console wording is left out (every engine words everything its own way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

PROFILES = ("chromium", "firefox", "safari")


@dataclass(frozen=True)
class Row:
    """One case of a family and what each profile (in ``PROFILES`` order) answers."""

    sid: str
    title: str
    answers: tuple[str, ...]


def say(outcome: Any, sent: int | None = None) -> str:
    """A profile's answer in a few words: what the page got, and the requests that went out."""
    if isinstance(outcome, Exception):
        return "refused by fetch() (no request)"
    if outcome.failure is not None:
        verdict = outcome.failure.code
    elif outcome.initiator != "fetch":
        verdict = "used" if outcome.used else "not used"
    else:
        verdict = f"allowed ({outcome.response_type})"
    count = len(outcome.exchanges) if sent is None else sent
    return f"{verdict}, {count} request{'s' if count != 1 else ''}"


def _rows(
    cases: list[Any], answer: Callable[[Any, str], str], title: Callable[[Any], str]
) -> list[Row]:
    rows = []
    for case in cases:
        answers = tuple(answer(case, profile) for profile in PROFILES)
        if len(set(answers)) > 1:
            measured = getattr(case, "engines", None)
            note = (
                f" (measured in {', '.join(measured)} only)"
                if measured and len(measured) < 3
                else ""
            )
            rows.append(Row(str(case.sid), title(case) + note, answers))
    return rows


@contextmanager
def _scenario_server() -> Iterator[Any]:
    from .server import ScenarioServer

    with ScenarioServer() as server:
        yield server


def _scenario_rows(
    scenarios: list[Any], run: Callable[[Any, Any, Any, str], list[Any]]
) -> tuple[int, list[Row]]:
    """Rows of a family of ``fetch()`` scenarios; ``run(server, scenario, target, profile)``
    gives the results of its fetches."""
    from pytest_cors.targets.wsgi import WsgiTarget

    from .chromium import register
    from .twin import wsgi_app

    with _scenario_server() as server:
        register(server, scenarios)
        target = WsgiTarget(wsgi_app(server), server.api)

        def answer(scenario: Any, profile: str) -> str:
            return "; ".join(say(r) for r in run(server, scenario, target, profile))

        return len(scenarios), _rows(scenarios, answer, lambda s: s.title)


def modes_rows() -> tuple[int, list[Row]]:
    from .modes import MODE_SCENARIOS
    from .test_modes import run_engine

    return _scenario_rows(MODE_SCENARIOS, run_engine)


def csp_rows() -> tuple[int, list[Row]]:
    from .csp_scenarios import CSP_SCENARIOS
    from .test_csp import run_engine_csp

    return _scenario_rows(
        CSP_SCENARIOS, lambda server, s, target, profile: run_engine_csp(profile, server, s, target)
    )


def initiator_rows() -> tuple[int, list[Row]]:
    from pytest_cors.targets.wsgi import WsgiTarget

    from .initiators import CASES, register_cases
    from .test_initiators import simulate
    from .twin import wsgi_app

    with _scenario_server() as server:
        register_cases(server, CASES)
        target = WsgiTarget(wsgi_app(server), server.origin("localhost", second_port=True))

        def answer(case: Any, profile: str) -> str:
            return say(simulate(server, case, profile, target))

        return len(CASES), _rows(CASES, answer, _initiator_title)


def _initiator_title(case: Any) -> str:
    what = case.kind if case.crossorigin is None else f"{case.kind} crossorigin={case.crossorigin}"
    if case.with_credentials:
        what += " withCredentials"
    if case.method != "GET":
        what += f" {case.method}"
    if case.content_type:
        what += f" {case.content_type}"
    if case.upload_listener:
        what += " upload listener"
    return f"{what}, answer {case.answer}"


def csp_initiator_rows() -> tuple[int, list[Row]]:
    from pytest_cors.targets.wsgi import WsgiTarget

    from .csp_initiators import CSP_CASES
    from .initiators import register_cases
    from .test_csp_initiators import simulate
    from .twin import wsgi_app

    with _scenario_server() as server:
        register_cases(server, [c.case for c in CSP_CASES])
        target = WsgiTarget(wsgi_app(server), server.origin("localhost", second_port=True))

        def answer(case: Any, profile: str) -> str:
            return say(simulate(server, case, profile, target))

        return len(CSP_CASES), _rows(CSP_CASES, answer, lambda c: str(c.title))


def mixed_content_rows() -> tuple[int, list[Row]]:
    from .mixed_content import CASES, register
    from .test_mixed_content import run_engine
    from .tls_server import TlsScenarioServer

    with TlsScenarioServer() as server:
        register(server, CASES)

        def answer(case: Any, profile: str) -> str:
            outcome, sent = run_engine(server, case, profile, "in-process")
            return say(outcome, len(sent))

        return len(CASES), _rows(CASES, answer, lambda c: str(c.title))


def lna_rows() -> tuple[int, list[Row]]:
    from .lna import CASES
    from .test_lna import run_engine
    from .tls_server import TlsScenarioServer

    with TlsScenarioServer(extra_ports=1) as server:  # a third address space: "local"
        for case in CASES:
            server.add(case.sid, case.page_origin(server), case.steps())

        def answer(case: Any, profile: str) -> str:
            outcome, sent = run_engine(server, case, "in-process", profile)
            return say(outcome, len(sent))

        return len(CASES), _rows(CASES, answer, lambda c: str(c.title))


#: Each family: its name on the page, the module that compares it with the engines, its rows.
FAMILIES: tuple[tuple[str, str, Callable[[], tuple[int, list[Row]]]], ...] = (
    ("modes (`mode`, `redirect`)", "test_modes.py", modes_rows),
    ("the page's CSP, `fetch()`", "test_csp.py", csp_rows),
    ("elements, XHR, EventSource, beacons", "test_initiators.py", initiator_rows),
    ("the page's CSP, other initiators", "test_csp_initiators.py", csp_initiator_rows),
    ("mixed content", "test_mixed_content.py", mixed_content_rows),
    ("Local Network Access", "test_lna.py", lna_rows),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def section() -> list[str]:
    """The page's lines for every family."""
    out = [
        "## Beyond fetch(): where the three profiles part",
        "",
        "Each fixed case of the other conformance families, run in-process under the",
        "`chromium`, `firefox` and `safari` profiles; listed where the three answer differently",
        "(what the page got — allowed, used, or the failure code — and how many requests",
        "reached the server; console wording aside). The module named beside each family",
        "compares every case, fixed and random, with Chromium, Firefox and WebKit themselves.",
        "",
    ]
    for name, module, rows_of in FAMILIES:
        total, rows = rows_of()
        out += [
            f"### {name}",
            "",
            f"{len(rows)} of {total} cases differ (`tests/conformance/{module}`).",
            "",
        ]
        if rows:
            out += ["| case | chromium | firefox | safari |", "|---|---|---|---|"]
            out += [
                f"| {_cell(r.title)} | " + " | ".join(_cell(a) for a in r.answers) + " |"
                for r in rows
            ]
            out.append("")
    return out
