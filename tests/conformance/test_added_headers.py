"""The headers the browser adds, line by line, against real Chromium and Firefox.

The scenario server records every line the browser sent; for the ``added`` scenarios (simple
GET, preflighted PUT with a custom header, credentials include; to plain http, to a same-site
and to a cross-site loopback URL, a same-origin request, a redirect, a ``Range``) each request
must carry the same header *names* as the request the engine builds for the ``chromium`` or
``firefox`` profile, and the same *values* wherever they are deterministic (Fetch Metadata,
``Accept-Encoding``, ``Referer``, ``Priority`` and the CORS lines). ``User-Agent`` is compared by
shape (the browser's version numbers and the headless token aside), ``Accept-Language`` and
``sec-ch-ua`` by name (they follow the machine's locale and the browser's version). The runs are
the session's: no browser starts for this module.

The second half replays both sides' requests through the Fetch Metadata gate of
``test_fetch_metadata_gate.py`` (decided the way Go's ``http.CrossOriginProtection`` decides):
the server answers the engine as it answers the browser.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .chromium import BrowserRun
from .firefox import FirefoxRun, run_engine_as
from .scenarios import ADDED_HEADER_SCENARIOS, Scenario
from .server import Received, ScenarioServer
from .test_fetch_metadata_gate import cross_origin_protection
from .twin import wsgi_app

pytestmark = pytest.mark.browser

#: Lines of the HTTP/1.1 connection, not the browser's: each client writes its own; and the
#: kit's stand-in for the user's cookies on a credentialed request (the browsers had none set).
TRANSPORT = frozenset({"host", "connection", "content-length", "cookie"})
#: Compared by name only (the browser's locale, its version's GREASE brand).
NAME_ONLY = frozenset({"accept-language", "sec-ch-ua"})


def _shape(agent: str) -> str:
    """A User-Agent without version numbers, and without the headless token (the engine sends
    the form a user's browser sends)."""
    return re.sub(r"[0-9]+", "N", agent.replace("HeadlessChrome/", "Chrome/"))


def _lines(headers: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        if name.lower() not in TRANSPORT:
            out.setdefault(name.lower(), []).append(value)
    return out


def header_problems(browser: list[Received], engine: list[Any]) -> list[str]:
    """Every way the engine's requests differ from the browser's, request by request."""
    problems: list[str] = []
    if [(r.method, r.is_preflight) for r in browser] != [
        (e.request.method, e.kind == "preflight") for e in engine
    ]:
        return [
            "requests differ: browser "
            + str([(r.method, r.path) for r in browser])
            + ", engine "
            + str([(e.request.method, e.request.url) for e in engine])
        ]
    for i, (sent, built) in enumerate(zip(browser, engine, strict=True), 1):
        ours, theirs = _lines(built.request.headers), _lines(sent.headers)
        where = f"request {i} ({sent.method})"
        if set(ours) != set(theirs):
            problems.append(
                f"{where}: names only the browser sent {sorted(set(theirs) - set(ours))}, "
                f"only the engine {sorted(set(ours) - set(theirs))}"
            )
        for name in sorted(set(ours) & set(theirs) - NAME_ONLY):
            want, got = theirs[name], ours[name]
            if name == "user-agent":
                want, got = [_shape(v) for v in want], [_shape(v) for v in got]
            if want != got:
                problems.append(f"{where}: {name}: browser {want}, engine {got}")
    return problems


@pytest.fixture(scope="module")
def wsgi_target(scenario_server: ScenarioServer) -> Any:
    from pytest_cors.targets.wsgi import WsgiTarget

    return WsgiTarget(wsgi_app(scenario_server), scenario_server.api)


def _engine(profile: str, server: ScenarioServer, scenario: Scenario, target: Any) -> list[Any]:
    from .compare import sent_exchanges

    results = run_engine_as(profile, server, scenario, target)
    assert all(not isinstance(r, Exception) for r in results), results
    return [e for r in results for e in sent_exchanges(r)]


def _check(
    name: str,
    requests: list[Received],
    scenario: Scenario,
    server: ScenarioServer,
    target: Any,
) -> None:
    engine = _engine(name.lower(), server, scenario, target)
    problems = header_problems(requests, engine)
    if problems:
        sent = "\n".join(
            f"  {r.method} {r.path}\n" + "".join(f"    {k}: {v}\n" for k, v in r.headers)
            for r in requests
        )
        built = "\n---\n".join(
            e.request.method
            + " "
            + e.request.url
            + "\n"
            + "".join(f"    {k}: {v}\n" for k, v in e.request.headers)
            for e in engine
        )
        pytest.fail(
            f"the {name.lower()} profile's request headers differ from {name}'s\n\n"
            + scenario.describe()
            + "\n\n- "
            + "\n- ".join(problems)
            + f"\n\n{name} sent:\n{sent}\nengine built:\n{built}",
            pytrace=False,
        )


@pytest.mark.parametrize("scenario", ADDED_HEADER_SCENARIOS, ids=lambda s: s.sid)
def test_chromium_adds_what_the_chromium_profile_adds(
    scenario: Scenario,
    chromium_runs: dict[str, BrowserRun],
    scenario_server: ScenarioServer,
    wsgi_target: Any,
) -> None:
    run = chromium_runs[scenario.sid]
    assert all(f.resolved for f in run.fetches), run.transcript()
    _check("Chromium", run.requests, scenario, scenario_server, wsgi_target)


@pytest.mark.parametrize("scenario", ADDED_HEADER_SCENARIOS, ids=lambda s: s.sid)
def test_firefox_adds_what_the_firefox_profile_adds(
    scenario: Scenario,
    firefox_runs: dict[str, FirefoxRun],
    scenario_server: ScenarioServer,
    wsgi_target: Any,
) -> None:
    run = firefox_runs[scenario.sid]
    assert all(f.resolved for f in run.fetches), run.transcript()
    _check("Firefox", run.requests, scenario, scenario_server, wsgi_target)


def test_the_comparison_sees_a_wrong_value_and_a_missing_name() -> None:
    """The check above can fail: a changed Sec-Fetch-Site and a dropped Referer are reported."""
    from pytest_cors.http import Exchange, Headers, Request, Response

    sent = Received(
        "GET",
        "/s/x/a",
        1,
        (("Host", "h"), ("Sec-Fetch-Site", "cross-site"), ("Referer", "http://a/")),
    )
    built = Exchange(
        Request("GET", "http://h/s/x/a", Headers([("Sec-Fetch-Site", "same-site")])),
        Response(200),
    )
    problems = header_problems([sent], [built])
    assert problems == [
        "request 1 (GET): names only the browser sent ['referer'], only the engine []",
        "request 1 (GET): sec-fetch-site: browser ['cross-site'], engine ['same-site']",
    ]
    assert _shape("Mozilla/5.0 HeadlessChrome/156.0.0.0") == _shape("Mozilla/5.0 Chrome/157.0.1.2")


# -- a server that gates on Fetch Metadata answers the engine as it answers the browser ----------


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_a_fetch_metadata_gate_answers_the_engine_as_it_answers_the_browser(
    browser: str,
    request: pytest.FixtureRequest,
    scenario_server: ScenarioServer,
    wsgi_target: Any,
) -> None:
    runs = request.getfixturevalue(f"{browser}_runs")
    answers: dict[str, tuple[list[int], list[int]]] = {}
    for scenario in ADDED_HEADER_SCENARIOS:
        sent = runs[scenario.sid].requests
        built = _engine(browser, scenario_server, scenario, wsgi_target)
        answers[scenario.sid] = (
            [cross_origin_protection(r.method, r.headers) for r in sent],
            [cross_origin_protection(e.request.method, e.request.headers) for e in built],
        )
    assert {sid: b for sid, (b, _) in answers.items()} == {
        sid: e for sid, (_, e) in answers.items()
    }
    # and the gate does refuse something: the same-site and cross-site PUTs to loopback URLs
    refused = sorted(sid for sid, (b, _) in answers.items() if 403 in b)
    assert refused == ["added-005", "added-006", "added-008", "added-009", "added-011"]
