"""Recording a contract: what a server grants today, written as the contract that says so.

``pytest-cors record`` is this module's :func:`record`: it probes each path from the given
origins (and an origin nobody lists) with the simulated browser, keeps what it saw as a
:class:`Grant`, groups the paths that behave alike into one policy, and writes the contract,
loaded back before it is returned so that it is always valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_cors.contract.checks import UNLISTED_HEADER, header_value
from pytest_cors.contract.loader import load_contract_text
from pytest_cors.contract.runner import import_app
from pytest_cors.engine.response import SAFELISTED_RESPONSE_HEADERS
from pytest_cors.errors import CorsUsageError
from pytest_cors.flow import Browser
from pytest_cors.origin import parse_origin
from pytest_cors.targets import adapt, as_sync
from pytest_cors.targets.live import LiveTarget

if TYPE_CHECKING:
    from pytest_cors.engine import Outcome

DEFAULT_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
STRANGER = "https://pytest-cors-record.example"
"""An origin nobody lists: if the server grants it, it grants every origin."""
DEFAULT_HEADERS = ("Content-Type", "Authorization", "X-Requested-With")
_SIMPLE = ("GET", "HEAD", "POST")


@dataclass(frozen=True)
class Grant:
    """What a server grants on one path; paths with equal grants share a policy."""

    cors: bool
    """False when no listed origin (and no stranger) is let in: a ``cors: false`` policy."""
    public: bool
    """Any origin reads it without credentials (``*``, or a reflected stranger)."""
    allow: tuple[str, ...]
    deny: tuple[str, ...]
    reckless: bool
    """Any origin reads it *with* credentials: recorded, and flagged in a comment."""
    credentials: bool = False
    methods: tuple[str, ...] = ("GET",)
    headers: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    max_age: int | None = None


def record(
    *,
    origins: Sequence[str],
    paths: Sequence[str],
    base_url: str | None = None,
    app: str | None = None,
    target: object = None,
    methods: Sequence[str] = DEFAULT_METHODS,
    headers: Sequence[str] = DEFAULT_HEADERS,
    browser: str = "chromium",
) -> str:
    """The contract text describing what the target grants ``origins`` on ``paths`` today.

    Paths that behave alike share a policy. The result is loaded back before it is returned,
    so it is always a valid contract.
    """
    if base_url is not None and "@" in base_url.partition("://")[2].partition("/")[0]:
        raise CorsUsageError(
            "--base-url must not hold a user name or password: the recorded contract would "
            "carry it (and pytest-cors never sends credentials in URLs)"
        )
    for origin in origins:
        parse_origin(origin)
    for path in paths:
        if not path.startswith("/"):
            raise CorsUsageError(f"--path {path!r} must start with '/'")
    closers: list[Any] = []
    if target is None:
        if app is not None:
            target = import_app(app, str(Path.cwd() / "record"))
        elif base_url is not None:
            live = LiveTarget(base_url.rstrip("/"), pool_size=4)
            closers.append(live.close)
            target = live
        else:
            raise CorsUsageError("record needs --base-url URL or --app MODULE:ATTR")
    sync = as_sync(adapt(target))
    try:
        probe_headers = [*dict.fromkeys([*headers, UNLISTED_HEADER])]
        found = {
            path: observe(sync, path, origins, methods, probe_headers, browser) for path in paths
        }
    finally:
        for close in closers:
            close()
    groups: dict[Grant, list[str]] = {}
    for path, grant in found.items():
        groups.setdefault(grant, []).append(path)
    lines = [
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/pytest-cors/"
        "pytest-cors/main/pytest_cors/contract/schema.json",
        f"# Recorded by `pytest-cors record` on {date.today().isoformat()}: what the server "
        "grants today.",
        "# Review it, commit it, and run `pytest-cors check` in CI to be warned of any drift.",
        "version: 1",
        "target:",
    ]
    if app is not None:
        lines.append(f"  app: {json.dumps(app)}")
    elif base_url is not None:
        lines.append(f"  base_url: {json.dumps(base_url.rstrip('/'))}")
    else:
        lines.pop()
    lines.append("policies:")
    used: set[str] = set()
    for grant, group_paths in groups.items():
        name = _policy_name(group_paths[0], used)
        lines += _policy_lines(name, group_paths, grant, [UNLISTED_HEADER])
    text = "\n".join(lines) + "\n"
    load_contract_text(text, "recorded.yaml")
    return text


def _policy_name(path: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.strip("/")).strip("-.") or "root"
    base = base[:60]
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return name


def observe(
    target: Any,
    path: str,
    origins: Sequence[str],
    methods: Sequence[str],
    headers: Sequence[str],
    browser: str,
) -> Grant:
    """What the server grants on one path: origins, credentials, methods, headers, exposure."""

    def fetch(
        origin: str, method: str = "GET", creds: bool = False, names: Sequence[str] = ()
    ) -> Outcome:
        return Browser(browser).fetch(
            target,
            path,
            origin=origin,
            method=method,
            headers=[(n, header_value(n)) for n in names],
            credentials="include" if creds else "omit",
        )

    first = {o: fetch(o) for o in origins}
    acao = {o: _acao(out) for o, out in first.items()}
    anyone = fetch(STRANGER).allowed
    reckless = anyone and fetch(STRANGER, creds=True).allowed
    public = (anyone and not reckless) or bool(origins and all(v == "*" for v in acao.values()))
    allowed = () if public else tuple(o for o, out in first.items() if out.allowed and acao[o] == o)
    denied = tuple(o for o in origins if o not in allowed and not public)
    if not public and not allowed:
        return Grant(cors=False, public=False, allow=(), deny=denied, reckless=reckless)
    probe = STRANGER if public else allowed[0]
    credentials = not public and fetch(probe, creds=True).allowed
    granted = []
    for method in methods:
        outcome = fetch(probe, method, credentials)
        status = outcome.actual.response.status if outcome.actual else None
        if outcome.allowed and not (method in _SIMPLE and status in (404, 405, 501)):
            granted.append(method)
    names = tuple(name for name in headers if fetch(probe, "GET", credentials, [name]).allowed)
    response = first[probe].actual if probe in first else fetch(probe).actual
    exposed: list[str] = []
    if response is not None:
        for value in response.response.headers.get_all("Access-Control-Expose-Headers"):
            for token in value.split(","):
                token = token.strip()
                if token and token != "*" and token.lower() not in SAFELISTED_RESPONSE_HEADERS:
                    exposed.append(token)
    max_age = None
    preflighted = fetch(probe, "GET", credentials, [headers[0]]) if headers else None
    if preflighted is not None and preflighted.preflight is not None:
        raw = preflighted.preflight.response.headers.get("Access-Control-Max-Age")
        if raw is not None and raw.isdigit():
            max_age = int(raw)
    return Grant(
        cors=True,
        public=public,
        allow=allowed,
        deny=denied,
        reckless=reckless,
        credentials=credentials,
        methods=tuple(granted) or ("GET",),
        headers=names,
        expose=tuple(dict.fromkeys(exposed)),
        max_age=max_age,
    )


def _acao(outcome: Outcome) -> str | None:
    actual = outcome.actual
    return actual.response.headers.get("Access-Control-Allow-Origin") if actual else None


def _flow(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _policy_lines(
    name: str, paths: Sequence[str], grant: Grant, hidden: Sequence[str]
) -> list[str]:
    lines = [f"  - name: {name}", f"    paths: {_flow(paths)}"]
    if not grant.cors:
        lines.append("    cors: false")
        if grant.deny:
            lines += ["    origins:", f"      deny: {_flow(grant.deny)}"]
        return lines
    if grant.reckless:
        lines.append(
            "    # the server grants ANY origin, with credentials: `pytest-cors check` fails "
            "until it is fixed"
        )
    if grant.public:
        lines.append("    public: true")
    else:
        lines += ["    origins:", f"      allow: {_flow(grant.allow)}"]
        if grant.deny:
            lines.append(f"      deny: {_flow(grant.deny)}")
    lines.append(f"    methods: {_flow(grant.methods)}")
    listed = [h for h in grant.headers if h not in hidden]
    if any(h in grant.headers for h in hidden):
        lines.append(
            "    # the server granted a made-up request header too: it lets any header through"
        )
    if listed:
        lines.append(f"    request_headers: {_flow(listed)}")
    if grant.expose:
        lines.append(f"    expose_headers: {_flow(grant.expose)}")
    if grant.credentials:
        lines.append("    credentials: true")
    if grant.max_age is not None:
        lines.append(f"    max_age: {{min: {grant.max_age}, max: {grant.max_age}}}")
    return lines
