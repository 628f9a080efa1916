"""Recording a contract: what a server grants today, written as the contract that says so.

``pytest-cors record`` is this module's :func:`record`: it probes each path from the given
origins (and an origin nobody lists) with the simulated browser, keeps what it saw as a
:class:`Grant`, groups the paths that behave alike into one policy, and writes the contract,
loaded back before it is returned so that it is always valid. Before that, the contract is run
against the target once (:func:`annotate`): what fails there, and what one probe round saw
(any origin reflected, ``null`` granted, any origin with credentials), is what looks like a bug,
and becomes a ``# SUSPICIOUS:`` comment in its policy. ``pytest-cors init``
(:mod:`pytest_cors.contract.init`) writes its policies with the same pieces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_cors.contract.checks import FINDINGS, UNLISTED_HEADER, failing, header_value
from pytest_cors.contract.loader import load_contract_text
from pytest_cors.engine.response import SAFELISTED_RESPONSE_HEADERS
from pytest_cors.errors import CorsUsageError
from pytest_cors.flow import Browser
from pytest_cors.origin import parse_origin
from pytest_cors.probes import ATTACKS
from pytest_cors.run import check_contract, import_app
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
    reflects: bool = False
    """An origin nobody lists is echoed back in ``Access-Control-Allow-Origin``."""
    null: bool = False
    """The origin ``null`` is echoed back (sandboxed iframes, ``data:`` pages send it)."""


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
    warn: Callable[[str], None] | None = None,
) -> str:
    """The contract text describing what the target grants ``origins`` on ``paths`` today.

    Paths that behave alike share a policy. The result is loaded back before it is returned,
    so it is always a valid contract. What looks like a bug (any origin reflected, ``null``
    granted, ``*`` with credentials, ...) gets a comment in the policy, and a line to ``warn``.
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
    head = [
        SCHEMA_LINE,
        f"# Recorded by `pytest-cors record` on {date.today().isoformat()}: what the server "
        "grants today.",
        "# Review it, commit it, and run `pytest-cors check` in CI to be warned of any drift.",
        "version: 1",
        *target_lines(app, base_url),
        "policies:",
    ]
    used: set[str] = set()
    policies = []
    for grant, group_paths in groups.items():
        name = policy_name(group_paths[0], used)
        body = policy_lines(name, group_paths, grant, [UNLISTED_HEADER])
        policies.append(Written(name, body, observed_suspicions(grant)))
    # a live target is named in the text (and closed by now); an app object is not
    judged = None if base_url is not None and app is None else target
    return annotate(head, policies, judged, browser, warn)


SCHEMA_LINE = (
    "# yaml-language-server: $schema=https://raw.githubusercontent.com/pytest-cors/"
    "pytest-cors/main/pytest_cors/contract/schema.json"
)


def target_lines(app: str | None, base_url: str | None) -> list[str]:
    """The contract's ``target`` key: the app's import string, else the base URL, else none
    (an app object given in Python has no name a contract could hold)."""
    if app is not None:
        return ["target:", f"  app: {json.dumps(app)}"]
    if base_url is not None:
        return ["target:", f"  base_url: {json.dumps(base_url.rstrip('/'))}"]
    return []


@dataclass
class Written:
    """One policy as written: its name, its YAML lines, and the comments it gets."""

    name: str
    lines: list[str]
    notes: list[str]


def annotate(
    head: Sequence[str],
    policies: Sequence[Written],
    target: object,
    browser: str = "chromium",
    warn: Callable[[str], None] | None = None,
) -> str:
    """The contract text of ``head`` and ``policies``, each policy's suspicious behaviours in
    ``# SUSPICIOUS:`` comments: the notes it came with, then every finding that fails when the
    contract runs against ``target`` (``None``: its own). Loaded before and after, so the text
    is always a valid contract; each comment also goes to ``warn``."""

    def text() -> str:
        return "\n".join([*head, *(line for p in policies for line in p.lines)]) + "\n"

    load_contract_text(text(), "recorded.yaml")
    flagged = suspicions(text(), target, browser)
    for policy in policies:
        notes = [*policy.notes]
        notes += [n for n in flagged.get(policy.name, []) if n not in notes]
        policy.lines[1:1] = [f"    # SUSPICIOUS: {note}" for note in notes]
        if warn is not None:
            for note in notes:
                warn(f"policy {policy.name!r}: {note}")
    written = text()
    load_contract_text(written, "recorded.yaml")
    return written


SUSPICIOUS: dict[str, str] = {
    "CORS-REFLECT": "the server reflects ANY origin: every site on the web is let in",
    "CORS-NULL": "the origin 'null' is granted: sandboxed iframes and data: pages, which "
    "anyone can make, send it",
    "CORS-PUBLIC-CREDENTIALS": "any origin may read it WITH credentials ('*' or a reflected "
    "origin together with Access-Control-Allow-Credentials)",
    "CORS-WILDCARD": "'*' is sent where only listed origins should read",
    "CORS-ERROR-MASKED": "an error response (404, 405 or 500) carries no CORS headers: the page "
    "sees a CORS error instead of the real status",
}
"""The comment for each finding that looks like a server bug; look-alike origins (prefix,
suffix, unescaped dot, ...) get "a look-alike of an allowed origin is granted"."""
_LOOK_ALIKES = frozenset(
    a.finding for a in ATTACKS.values() if a.finding not in ("CORS-REFLECT", "CORS-NULL")
)


def observed_suspicions(grant: Grant) -> list[str]:
    """What looks like a bug in what one probe round saw (before any check ran)."""
    notes = []
    if grant.reckless:
        notes.append(SUSPICIOUS["CORS-PUBLIC-CREDENTIALS"])
    if grant.reflects:
        notes.append(SUSPICIOUS["CORS-REFLECT"])
    if grant.null and not grant.reflects:
        notes.append(SUSPICIOUS["CORS-NULL"])
    return notes


def suspicion_text(finding: str, example: str = "") -> str:
    """The comment a failing finding of a freshly written contract gets."""
    if finding in SUSPICIOUS:
        text = SUSPICIOUS[finding]
    elif finding in _LOOK_ALIKES:
        text = f"a look-alike of an allowed origin is granted ({finding})"
    else:
        kind = FINDINGS.get(finding)
        text = f"{kind.title if kind else finding} ({finding})"
    return f"{text}{f'; e.g. {example}' if example else ''}"


def suspicions(text: str, target: object, browser: str = "chromium") -> dict[str, list[str]]:
    """Run the contract ``text`` against ``target`` and say, per policy, what fails: each
    failing finding id once, as a :func:`suspicion_text` comment. A contract written from what
    the server does fails only where the server looks wrong, so these are its suspicious
    behaviours."""
    contract = load_contract_text(text, "recorded.yaml")
    found: dict[str, dict[str, str]] = {}
    for check, findings in check_contract(contract, target, browser=browser):
        for finding in failing(findings):
            example = f"{check.origin} on {check.method} {check.path}"
            if check.fault:
                example += f" (fault: {check.fault})"
            found.setdefault(check.policy.name, {}).setdefault(finding.id, example)
    return {
        name: [suspicion_text(fid, example) for fid, example in ids.items()]
        for name, ids in found.items()
    }


def policy_name(path: str, used: set[str]) -> str:
    """A policy name from its first path (``/api/items/{id}`` -> ``api-items-id``), unique in
    ``used``."""
    plain = re.sub(r"\{([^{}:=]*)[^{}]*\}", r"\1", path)  # /items/{id=42} -> /items/id
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", plain.strip("/")).strip("-.") or "root"
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
    *,
    reflect_public: bool = True,
) -> Grant:
    """What the server grants on one path: origins, credentials, methods, headers, exposure.

    A server that reflects any origin is recorded as ``public`` unless ``reflect_public`` is
    false and a listed origin was echoed: then the listed origins are what it grants, and the
    reflection is the suspicious part (``pytest-cors init``)."""

    def fetch(
        origin: str, method: str = "GET", creds: bool = False, names: Sequence[str] = ()
    ) -> Outcome:
        return Browser(browser, mixed_content=False).fetch(  # what the server grants
            target,
            path,
            origin=origin,
            method=method,
            headers=[(n, header_value(n)) for n in names],
            credentials="include" if creds else "omit",
        )

    first = {o: fetch(o) for o in origins}
    acao = {o: _acao(out) for o, out in first.items()}
    stranger = fetch(STRANGER)
    anyone = stranger.allowed
    reflects = anyone and _acao(stranger) == STRANGER
    nulled = fetch("null")
    null = nulled.allowed and _acao(nulled) == "null"
    reckless = anyone and fetch(STRANGER, creds=True).allowed
    echoed = tuple(o for o, out in first.items() if out.allowed and acao[o] == o)
    public = (anyone and not reckless) or bool(origins and all(v == "*" for v in acao.values()))
    if reflects and echoed and not reflect_public:
        public = False  # the listed origins are the intent; the reflection is the bug
    elif reckless and not echoed:
        public = True  # nobody listed: any origin with credentials, written as public
    allowed = () if public else echoed
    denied = tuple(o for o in origins if o not in allowed and not public)
    if not public and not allowed:
        return Grant(cors=False, public=False, allow=(), deny=denied, reckless=reckless, null=null)
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
        reflects=reflects,
        null=null,
    )


def _acao(outcome: Outcome) -> str | None:
    actual = outcome.actual
    return actual.response.headers.get("Access-Control-Allow-Origin") if actual else None


def _flow(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def policy_lines(name: str, paths: Sequence[str], grant: Grant, hidden: Sequence[str]) -> list[str]:
    """The YAML lines of one policy granting ``grant`` on ``paths``; request headers in
    ``hidden`` (the kit's made-up one) are left out, with a comment when they were granted."""
    lines = [f"  - name: {name}", f"    paths: {_flow(paths)}"]
    if not grant.cors:
        lines.append("    cors: false")
        if grant.deny:
            lines += ["    origins:", f"      deny: {_flow(grant.deny)}"]
        return lines
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
