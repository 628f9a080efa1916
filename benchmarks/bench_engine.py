"""Benchmark 5: verdicts per second of the pure engine on stored exchanges (no I/O).

Five fetches are run once against the Flask app to record the responses it gives (allowed GET,
credentialed PUT with preflight, a foreign origin denied, a method the preflight refuses, and
the same PUT from ``null``). The engine then replays them: ``prepare_request`` and ``run_fetch``
with a fresh preflight cache per verdict, exactly as ``simulate_fetch`` starts each call, fed
the stored responses instead of a target.

The baseline, timed in the same run, is Flask's test client sending the same requests: the
cheapest real in-process transport among the three frameworks. A ratio of 0.1 means a verdict
costs a tenth of the requests it judges, so the engine is never the bottleneck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import _harness as h
import bench_apps as apps

from pytest_cors import Request, Response, simulate_fetch
from pytest_cors.engine import Outcome, PreflightCache, get_profile, prepare_request, run_fetch

#: the engine may cost at most this fraction of the requests it judges (our own bar)
TARGET = 0.25

FETCHES: dict[str, dict[str, Any]] = {
    "allowed GET": {"origin": apps.ORIGINS[3]},
    "allowed PUT+preflight": {
        "origin": apps.ORIGINS[3],
        "method": "PUT",
        "headers": {"Content-Type": "application/json", "X-Token": "t"},
        "credentials": "include",
        "body": '{"a": 1}',
    },
    "denied origin": {"origin": "https://evil.example.net"},
    "denied method": {"origin": apps.ORIGINS[3], "method": "PATCH"},
    "denied null origin": {"origin": "null", "method": "DELETE", "credentials": "include"},
}


@dataclass
class Stored:
    """One fetch's arguments, the requests the kit sent and the responses the app gave."""

    url: str
    kwargs: dict[str, Any]
    requests: list[Request]
    responses: list[Response]
    allowed: bool


def record(client: Any) -> list[Stored]:
    stored = []
    for kwargs in FETCHES.values():
        outcome = simulate_fetch(client, "/r1", **kwargs)
        stored.append(
            Stored(
                outcome.request.url,
                kwargs,
                [e.request for e in outcome.exchanges],
                [e.response for e in outcome.exchanges],
                outcome.allowed,
            )
        )
    if [s.allowed for s in stored] != [True, True, False, False, False]:
        raise SystemExit("benchmark app misconfigured: unexpected verdicts")
    return stored


def verdict(item: Stored) -> Outcome:
    """One engine verdict from stored responses, set up as ``simulate_fetch`` sets one up."""
    profile = get_profile("chromium")
    cache = PreflightCache(profile)
    request = prepare_request(item.url, profile=profile, **item.kwargs)
    flow = run_fetch(request, profile, cache, 0.0)
    responses = iter(item.responses)
    next(flow)
    try:
        while True:
            flow.send(next(responses))
    except StopIteration as stop:
        outcome: Outcome = stop.value
        return outcome


def main(argv: list[str] | None = None) -> h.Report:
    args, reps, report = h.start(
        __doc__,
        "engine",
        "the pure engine on stored exchanges vs the requests it judges",
        "bench_engine.py",
        9,
        argv,
    )
    count = 5 if args.quick else 300
    client = apps.flask_app().test_client()
    send = apps.flask_sender(client)
    stored = record(client)
    for item in stored:
        replayed = verdict(item)
        if replayed.allowed != item.allowed:
            raise SystemExit(f"replay disagrees with the live verdict for {item.kwargs}")

    def engine() -> object:
        return [verdict(item) for item in stored]

    def requests() -> object:
        return [send(r) for item in stored for r in item.requests]

    ratios, base, cost = h.paired(requests, engine, count, reps, args.clock)
    verdicts = len(stored)
    exchanges = sum(len(item.requests) for item in stored)
    report.figures.append(
        h.Figure(
            "engine vs flask requests",
            f"{verdicts} verdicts ({exchanges} stored exchanges) per operation",
            "FlaskClient sending the same requests",
            ratios,
            base * 1e6,
            cost * 1e6,
            target=TARGET,
            extra={
                "verdicts per second": verdicts / cost,
                "in-process requests per second (baseline)": exchanges / base,
            },
        )
    )
    h.finish(report, args)
    return report


if __name__ == "__main__":
    main()
