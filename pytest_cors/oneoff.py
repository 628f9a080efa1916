"""One ``fetch()`` asked about from the command line: the request, its simulation, its verdict.

What ``pytest-cors fetch`` does between parsing its options and printing: the request built
from the options or from what DevTools shows (:mod:`pytest_cors.devtools`), the simulation
against a live server or an importable app, and the outcome told as text (the verdict, the
console line, whether a pasted console line is reproduced, the exchange and the fix) or shaped
as JSON. Every value shown goes through :mod:`pytest_cors.redaction`. Kept out of the CLI so
that the command stays argument parsing and one call per step.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pytest_cors.devtools import FetchArgs, parse_console, parse_curl
from pytest_cors.engine import Outcome, get_profile
from pytest_cors.engine.story import explain
from pytest_cors.errors import CorsUsageError
from pytest_cors.flow import simulate_fetch
from pytest_cors.hints import framework_of, hint_for
from pytest_cors.http import Headers, visible
from pytest_cors.redaction import redact_params, redact_url, redact_value
from pytest_cors.targets import adapt
from pytest_cors.targets.live import LiveTarget

__all__ = ["fetch_request", "outcome_json", "render", "reproduced", "simulate", "story"]


def fetch_request(
    *,
    url: str | None = None,
    curl: str | None = None,
    console: str | None = None,
    origin: str | None = None,
    method: str | None = None,
    headers: Sequence[str] = (),
    body: str | None = None,
    credentials: str | None = None,
    browser: str | None = None,
) -> FetchArgs:
    """The request to simulate: from ``curl`` or ``console`` if given (``-`` reads standard
    input), with the explicit options on top; checked as far as it can be before anything is
    sent, so that a usage error never costs a request."""
    if curl is not None or console is not None:
        if url is not None:
            raise CorsUsageError(
                "give the URL or --curl/--console, not both (the pasted text names the URL)"
            )
        if curl is not None:
            parsed = parse_curl(_pasted(curl))
        else:
            assert console is not None
            parsed = parse_console(_pasted(console))
    elif url is None:
        raise CorsUsageError(
            "fetch needs a URL, --curl '<Copy as cURL>' or --console '<the console message>'"
        )
    else:
        parsed = FetchArgs(url=url)
    parts = urlsplit(parsed.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CorsUsageError(f"the URL must be an absolute http(s) URL, got {parsed.url!r}")
    lines = list(parsed.headers)
    for line in headers:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise CorsUsageError(f"-H takes 'Name: value', got {line.split(':')[0]!r}")
        lines = [(n, v) for n, v in lines if n.lower() != name.strip().lower()]
        lines.append((name.strip(), value.strip(" \t")))
    page = origin or parsed.origin
    if page is None:
        raise CorsUsageError(_origin_missing(parsed))
    profile = browser or parsed.browser or "chromium"
    get_profile(profile)
    notes = list(parsed.notes)
    if method and not parsed.method_known:
        notes = [n for n in notes if "--method" not in n]
    return replace(
        parsed,
        origin=page,
        method=(method or parsed.method).upper(),
        headers=tuple(lines),
        body=parsed.body if body is None else body,
        credentials=credentials or parsed.credentials,
        browser=profile,
        notes=tuple(notes),
    )


def _pasted(value: str) -> str:
    """The text given to --curl or --console; ``-`` reads it from standard input (read only
    once the options agree, so that a usage error never waits on a terminal)."""
    return sys.stdin.read() if value == "-" else value


def _origin_missing(parsed: FetchArgs) -> str:
    """Why the page's origin is needed, worded for where the request came from."""
    console = parsed.console
    if console is not None:
        who = {"firefox": "Firefox's", "webkit": "WebKit's"}.get(console.browser, "This")
        return (
            f"{who} console message does not name the page's origin: add --origin, the "
            "origin of the page that called fetch() (e.g. --origin https://app.example.com)"
        )
    if parsed.source == "curl":
        return (
            "the copied request carries no Origin (nor Referer) header: add --origin, the "
            "origin of the page that called fetch()"
        )
    return "--origin is required: the origin of the page that calls fetch()"


def simulate(request: FetchArgs, app: str | None) -> tuple[Outcome, str | None]:
    """The outcome, and the framework serving the target (the app's, else its CORS
    middleware's fingerprint in the responses) for the fix in that framework."""
    parts = urlsplit(request.url)
    base = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    assert request.origin is not None and request.browser is not None
    target: object
    live: LiveTarget | None = None
    if app is not None:
        # lazy: only --app needs the runner's importer, whose imports slow a live fetch's start
        from pytest_cors.run import import_app

        target = adapt(import_app(app, str(Path.cwd() / "fetch")), base)
    else:
        others = []
        console = request.console
        if console is not None and console.failed_url:
            failed = urlsplit(console.failed_url)
            if failed.scheme in ("http", "https") and failed.netloc:
                others.append(f"{failed.scheme}://{failed.netloc.rpartition('@')[2]}")
        target = live = LiveTarget(
            base, pool_size=1, allow_origins=[o for o in others if o != base]
        )
    try:
        outcome = simulate_fetch(
            target,
            request.url,
            origin=request.origin,
            method=request.method,
            headers=list(request.headers),
            credentials=request.credentials,
            body=request.body,
            browser=request.browser,
        )
    finally:
        if live is not None:
            live.close()
    return outcome, framework_of(None if live is not None else target, outcome.exchanges)


_AT = {"preflight": "on the preflight", "actual": "on the request", "redirect": "on a redirect"}


def reproduced(outcome: Outcome, request: FetchArgs) -> str | None:
    """Whether the simulation failed as the console message says, in one sentence (``None``
    when the request did not come from a console message)."""
    console = request.console
    if console is None:
        return None
    failure = outcome.failure
    said = ", ".join(console.codes) or "a failure pytest-cors does not know"
    at = f" {_AT.get(console.step, '')}" if console.step else ""
    if outcome.allowed or failure is None:
        return (
            f"Not reproduced: the console says {said}{at}, but this fetch is allowed now (has "
            "the server changed, or did the page send other headers, credentials or cookies?)"
        )
    same_code = not console.codes or failure.code in console.codes
    same_step = console.step is None or console.step == failure.step
    done = f"{failure.code} {_AT.get(failure.step, '')}".rstrip()
    if same_code and same_step:
        return f"Reproduced: {done}, as the console says."
    return f"Not reproduced exactly: the console says {said}{at}; the simulation fails with {done}."


def story(outcome: Outcome, request: FetchArgs, framework: str | None = None) -> str:
    """The outcome as ``fetch`` prints it: notes, verdict, console line, whether a pasted
    console line is reproduced, the exchange, and the fix (in ``framework`` too, if known)."""
    lines = [f"note: {visible(redact_params(n))}" for n in request.notes]
    if lines:
        lines.append("")
    told = explain(outcome, with_failure=False).splitlines()
    lines += told[:2]
    failure = outcome.failure
    if failure is not None:
        lines += ["", f"Console ({outcome.browser}):"]
        lines += [f"  {line}" for line in visible(redact_params(failure.message)).splitlines()]
    said = reproduced(outcome, request)
    if said:
        lines += ["", said]
    lines += told[2:]
    if failure is not None:
        lines += ["", f"Fix: {visible(redact_params(failure.hint))}"]
        in_framework = hint_for(framework, outcome)
        if in_framework:
            lines.append(visible(redact_params(in_framework)))
    return "\n".join(lines)


def _redacted(text: str | None) -> str | None:
    return None if text is None else redact_params(text)


def _header_rows(lines: Headers) -> list[list[str]]:
    return [[name, value] for name, value in lines.redacted()]


def outcome_json(
    outcome: Outcome, request: FetchArgs | None = None, framework: str | None = None
) -> dict[str, Any]:
    """The outcome as a JSON object: the verdict, the failure (its fix in ``framework`` as
    ``framework_hint``, null when unknown), and every exchange with the values of secret
    headers redacted (bodies are not included)."""
    failure = outcome.failure
    req = outcome.request
    data: dict[str, Any] = {
        "verdict": "allowed" if outcome.allowed else "blocked",
        "allowed": outcome.allowed,
        "browser": outcome.browser,
        "request": {
            "url": redact_url(req.url),
            "origin": req.origin.serialize(),
            "method": req.method,
            "credentials": req.credentials,
            "headers": [[n, redact_value(n, v)] for n, v in req.headers],
            "body_bytes": None if req.body is None else len(req.body),
        },
        "status": outcome.status,
        "failure": None
        if failure is None
        else {
            "code": failure.code,
            "message": redact_params(failure.message),
            "hint": redact_params(failure.hint),
            "framework_hint": _redacted(hint_for(framework, outcome)),
            "chromium_error": failure.chromium_error,
            "step": failure.step,
        },
        "exchanges": [
            {
                "kind": exchange.kind,
                "request": {
                    "method": exchange.request.method,
                    "url": redact_url(exchange.request.url),
                    "headers": _header_rows(exchange.request.headers),
                    "body_bytes": len(exchange.request.body or b""),
                },
                "response": {
                    "status": exchange.response.status,
                    "headers": _header_rows(exchange.response.headers),
                    "body_bytes": len(exchange.response.body),
                },
            }
            for exchange in outcome.exchanges
        ],
        "readable_headers": {k: redact_value(k, v) for k, v in outcome.readable_headers.items()},
        "warnings": [
            {"code": w.code, "message": redact_params(w.message)} for w in outcome.warnings
        ],
    }
    if request is not None:
        data["notes"] = [redact_params(n) for n in request.notes]
        console = request.console
        if console is not None:
            data["console"] = {
                "browser": console.browser,
                "url": redact_url(console.url),
                "origin": console.origin,
                "step": console.step,
                "codes": list(console.codes),
                "reproduced": reproduced(outcome, request),
            }
    return data


def render(
    outcome: Outcome, request: FetchArgs, framework: str | None = None, *, as_json: bool = False
) -> str:
    """What ``fetch`` prints, newline-terminated: the story, or the JSON object."""
    if as_json:
        data = outcome_json(outcome, request, framework)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return story(outcome, request, framework) + "\n"
