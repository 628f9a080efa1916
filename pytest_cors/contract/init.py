"""``pytest-cors init``: a starter contract from what exists: routes, CORS answers, HAR files.

:func:`init` reads every route of the app (:func:`pytest_cors.routing.routes`, or an OpenAPI
document), asks the app what it grants on each (:func:`pytest_cors.contract.record.observe`,
the origins given plus the page origins of the HAR files), folds in the frontend's real
cross-origin calls (:mod:`pytest_cors.contract.har`: origins, methods, headers, credentials,
exposed headers), groups the routes that behave alike into one policy, and writes the contract
with ``coverage: {routes: all}``. Where what it saw looks like a bug (any origin reflected,
``null`` granted, ``*`` with credentials, an error answer without CORS headers, a call of the
frontend the server refuses today) the policy gets a ``# SUSPICIOUS:`` comment: run against the
same app, the contract fails on those and nothing else.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from pytest_cors.contract.checks import UNLISTED_HEADER
from pytest_cors.contract.har import HarCall, Need, needs, read_har
from pytest_cors.contract.record import (
    DEFAULT_HEADERS,
    DEFAULT_METHODS,
    SCHEMA_LINE,
    Grant,
    Written,
    annotate,
    observe,
    observed_suspicions,
    policy_lines,
    policy_name,
    target_lines,
)
from pytest_cors.errors import CorsUsageError
from pytest_cors.origin import parse_origin
from pytest_cors.routing import Route, is_url, routes, routes_from_openapi, sample_path
from pytest_cors.run import import_app
from pytest_cors.targets import adapt, as_sync
from pytest_cors.targets.live import LiveTarget

__all__ = ["init"]

_NOT_PROBED = frozenset({"HEAD", "OPTIONS", "TRACE", "CONNECT"})
_PARAM = re.compile(r"\{([^{}:=]*)(?::([^{}=]*))?\}")


@dataclass
class _Entry:
    """One path of the contract: a route's template (or a HAR path) and what probes it."""

    written: str
    methods: tuple[str, ...]
    need: Need | None = None


def init(
    *,
    app: str | None = None,
    base_url: str | None = None,
    target: object = None,
    openapi: str | Path | None = None,
    har: Sequence[str | Path] = (),
    origins: Sequence[str] = (),
    headers: Sequence[str] = DEFAULT_HEADERS,
    browser: str = "chromium",
    output: str | Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The text of a starter contract for the app (``app`` import string or ``target``
    object) or the live server at ``base_url``.

    Routes come from ``openapi`` (a file or URL) when given, else from the app; a live server
    without ``openapi`` gets the paths its frontend called (``har``). ``output`` is where the
    contract will be written: a relative ``coverage.openapi`` file is written relative to it.
    Loaded back before it is returned, so it is always a valid contract; each suspicious
    behaviour also goes to ``warn``."""
    say = warn or (lambda _: None)
    for origin in origins:
        parse_origin(origin)
    if base_url is not None and "@" in base_url.partition("://")[2].partition("/")[0]:
        raise CorsUsageError(
            "--base-url must not hold a user name or password: the contract would carry it"
        )
    calls = [call for file in har for call in read_har(file)]
    closers: list[Callable[[], None]] = []
    if target is None and app is not None:
        target = import_app(app, str(Path.cwd() / "init"))
    found = _discover(target, openapi)
    if found is None and not calls:
        raise CorsUsageError(
            "init against a live server needs its routes (--openapi FILE or URL) or the "
            "frontend's calls (--har FILE)"
        )
    kept = _backend_calls(calls, found, base_url, say)
    entries, ignore = _entries(found, kept, say)
    if not entries:
        went = ", ".join(sorted({c.url_origin for c in calls}))
        raise CorsUsageError(
            f"no route to write a policy for: none of the {len(calls)} cross-origin call(s) of "
            f"the HAR file(s) went to {base_url} (they went to {went}); record the HAR against "
            "this server, or give its OpenAPI document (--openapi)"
        )
    page_origins = [o for e in entries if e.need for o in e.need.origins]
    probed = list(dict.fromkeys([*origins, *page_origins]))
    if not probed:
        say(
            "no origin given (--origin, --har): a route only some origins may read is written "
            "as 'cors: false'; give the origins of your frontend"
        )
    if target is None:
        if base_url is None:
            raise CorsUsageError("init needs --app MODULE:ATTR or --base-url URL")
        live = LiveTarget(base_url.rstrip("/"), pool_size=4)
        closers.append(live.close)
        sync = as_sync(adapt(live))
    else:
        sync = as_sync(adapt(target))
    groups: dict[Grant, list[str]] = {}
    notes: dict[Grant, list[str]] = {}
    try:
        for entry in entries:
            tried = [*dict.fromkeys([*headers, *(entry.need.headers if entry.need else ())])]
            grant = observe(
                sync, sample_path(entry.written), probed, entry.methods,
                [*tried, UNLISTED_HEADER], browser, reflect_public=False,
            )  # fmt: skip
            missing: list[str] = []
            if entry.need is not None:
                grant, missing = _fold(grant, entry.need)
            groups.setdefault(grant, []).append(entry.written)
            notes.setdefault(grant, []).extend(n for n in missing if n not in notes[grant])
    finally:
        for close in closers:
            close()
    head = _head(app, base_url, found is not None, openapi, output, ignore, len(calls), har)
    used: set[str] = set()
    written = []
    for grant, paths in groups.items():
        name = policy_name(paths[0], used)
        lines = policy_lines(name, paths, grant, [UNLISTED_HEADER])
        written.append(Written(name, lines, [*observed_suspicions(grant), *notes[grant]]))
    # None: the live server the text names (closed by now)
    return annotate(head, written, target, browser, warn)


def _discover(target: object, openapi: str | Path | None) -> list[Route] | None:
    """The app's routes: from the OpenAPI document, else the app; None for a live server."""
    if openapi is not None:
        return routes_from_openapi(openapi)
    if target is not None:
        return routes(target)
    return None


def _backend_calls(
    calls: Sequence[HarCall],
    found: Sequence[Route] | None,
    base_url: str | None,
    say: Callable[[str], None],
) -> list[HarCall]:
    """The calls that went to this backend, paths relative to ``base_url``'s path.

    With a ``base_url``, the calls to its origin under its path; in process, the calls to the
    origin most of whose calls match a route (the frontend may call other servers too)."""
    if not calls:
        return []
    if base_url is not None:
        parts = urlsplit(base_url.rstrip("/"))
        backend = parse_origin(f"{parts.scheme}://{parts.netloc}").serialize()
        prefix = parts.path.rstrip("/")
        kept = [
            replace(c, path=c.path[len(prefix) :] or "/")
            for c in calls
            if c.url_origin == backend and (c.path == prefix or c.path.startswith(prefix + "/"))
        ]
    else:
        routed = found or ()
        score: dict[str, int] = {}
        for call in calls:
            hit = any(r.matches(call.path) for r in routed)
            score[call.url_origin] = score.get(call.url_origin, 0) + hit
        backend = max(score, key=lambda o: score[o])
        kept = [c for c in calls if c.url_origin == backend]
    others = sorted({c.url_origin for c in calls if c.url_origin != backend})
    if others:
        say(
            f"left out {len(calls) - len(kept)} call(s) of the HAR file(s) to other servers "
            f"than {backend}: {', '.join(others)}"
        )
    return kept


def _entries(
    found: Sequence[Route] | None, calls: Sequence[HarCall], say: Callable[[str], None]
) -> tuple[list[_Entry], list[str]]:
    """The contract's paths, each with the methods to probe and the frontend's need, and the
    ``coverage.ignore`` globs of the framework's own routes."""
    folded = needs(calls)
    entries: dict[str, _Entry] = {}
    ignore: list[str] = []
    for route in found or ():
        if route.internal:
            ignore.append(route.name or route.path_template)
            continue
        template = route.path_template
        if template in entries:  # one path, several routes (one per method)
            before = entries[template]
            before.methods = _union(before.methods, _methods(route))
            continue
        entries[template] = _Entry(template, _methods(route))
    by_route: dict[str, list[Need]] = {}
    for path, need in folded.items():
        served = _route_for(path, found)
        if served is None:
            if found is not None:
                say(
                    f"the frontend calls {', '.join(need.methods)} {path} ({need.sources[0]}), "
                    "which no route of the app serves: left out"
                )
                continue
            entries[path] = _Entry(path, _union(DEFAULT_METHODS, need.methods), need)
            continue
        by_route.setdefault(served, []).append(need)
    for template, wanted in by_route.items():
        entry = entries[template]
        need = wanted[0]
        for more in wanted[1:]:
            need = _merge(need, more)
        entry.need = need
        entry.methods = _union(entry.methods, need.methods)
        entry.written = _with_example(template, wanted[0].path)
    return list(entries.values()), ignore


def _methods(route: Route) -> tuple[str, ...]:
    own = tuple(m for m in route.methods if m not in _NOT_PROBED)
    return _union(DEFAULT_METHODS, own)


def _route_for(path: str, found: Sequence[Route] | None) -> str | None:
    """The template of the route serving ``path``: the most specific of those matching."""
    matching = [r for r in found or () if not r.internal and r.matches(path)]
    if not matching:
        return None
    return min(matching, key=lambda r: len(_PARAM.findall(r.path_template))).path_template


def _with_example(template: str, path: str) -> str:
    """``/items/{id}`` written ``/items/{id=42}`` after the frontend's call of ``/items/42``,
    so that the check sends the path the frontend really uses."""
    names: list[str] = []
    pattern = ""
    position = 0
    for match in _PARAM.finditer(template):
        pattern += re.escape(template[position : match.start()])
        pattern += "(.+)" if match.group(2) == "path" else "([^/]+)"
        names.append(match.group(1))
        position = match.end()
    pattern += re.escape(template[position:])
    values = re.fullmatch(pattern, path)
    if not names or values is None or any(set(v) & set("{}=") for v in values.groups()):
        return template
    examples = iter(values.groups())
    return _PARAM.sub(lambda m: f"{{{m.group(1)}={next(examples)}}}", template)


def _fold(grant: Grant, need: Need) -> tuple[Grant, list[str]]:
    """``grant`` widened by what the frontend needs, and a note for each need the server does
    not meet today (the contract fails there until the server grants it)."""
    where = f"(seen in {need.sources[0]})"
    notes: list[str] = []
    if grant.public:
        if need.credentials and not grant.credentials:
            notes.append(
                f"the frontend sends credentials, which an answer open to any origin never "
                f"lets it read {where}"
            )
        return grant, notes
    new_origins = [o for o in need.origins if o not in grant.allow]
    if new_origins:
        notes.append(
            f"the frontend at {', '.join(new_origins)} calls {', '.join(need.methods)} "
            f"{need.path}, which the server does not let it read today {where}"
        )
    methods = [m for m in need.methods if m not in grant.methods]
    if methods and not new_origins:
        notes.append(f"the frontend sends {', '.join(methods)}, not granted today {where}")
    headers = [h for h in need.headers if h.lower() not in {x.lower() for x in grant.headers}]
    if headers and not new_origins:
        notes.append(f"the frontend sets {', '.join(headers)}, not granted today {where}")
    if need.credentials and not grant.credentials and not new_origins:
        notes.append(f"the frontend sends credentials, not granted today {where}")
    allow = _union(grant.allow, need.origins)
    widened = replace(
        grant,
        cors=True,
        allow=allow,
        deny=tuple(o for o in grant.deny if o not in allow),
        methods=_union(grant.methods, need.methods) if grant.cors else need.methods,
        headers=_union(grant.headers, need.headers),
        credentials=grant.credentials or need.credentials,
        expose=_union(grant.expose, need.expose),
    )
    return widened, notes


def _merge(first: Need, second: Need) -> Need:
    return Need(
        path=first.path,
        origins=_union(first.origins, second.origins),
        methods=_union(first.methods, second.methods),
        headers=_union(first.headers, second.headers),
        credentials=first.credentials or second.credentials,
        expose=_union(first.expose, second.expose),
        sources=(*first.sources, *second.sources),
    )


def _union(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    seen = {name.lower(): name for name in first}
    for name in second:
        seen.setdefault(name.lower(), name)
    return tuple(seen.values())


def _head(
    app: str | None,
    base_url: str | None,
    routed: bool,
    openapi: str | Path | None,
    output: str | Path | None,
    ignore: Sequence[str],
    calls: int,
    har: Sequence[str | Path],
) -> list[str]:
    sources = ["the app's routes" if routed else "the paths its frontend called"]
    sources.append("what it grants today")
    if har:
        sources.append(f"{calls} cross-origin call(s) of {', '.join(Path(h).name for h in har)}")
    lines = [
        SCHEMA_LINE,
        f"# Written by `pytest-cors init` on {date.today().isoformat()} from "
        f"{', '.join(sources[:-1])} and {sources[-1]}.",
        "# Review it: each '# SUSPICIOUS:' comment is a behaviour that looks like a bug, and",
        "# `pytest-cors check` fails there until the server is fixed (or the finding is listed",
        "# in the policy's allow_findings with a reason). Commit it and run it in CI.",
        "version: 1",
        *target_lines(app, base_url),
    ]
    in_process = base_url is None
    if routed and (in_process or openapi is not None):
        lines += ["coverage:", "  routes: all"]
        if openapi is not None:
            lines.append(f"  openapi: {json.dumps(_openapi_entry(openapi, output))}")
        if ignore:
            lines += [
                "  # the framework's own routes: give them a policy if another site's page "
                "reads them",
                f"  ignore: [{', '.join(json.dumps(g) for g in dict.fromkeys(ignore))}]",
            ]
    lines.append("policies:")
    return lines


def _openapi_entry(openapi: str | Path, output: str | Path | None) -> str:
    """``coverage.openapi`` as the contract must hold it: a URL, or the file relative to the
    folder the contract is written to."""
    if isinstance(openapi, str) and is_url(openapi):
        return openapi
    folder = Path(output).resolve().parent if output is not None else Path.cwd()
    try:
        return Path(os.path.relpath(Path(openapi).resolve(), folder)).as_posix()
    except ValueError:  # another drive
        return Path(openapi).resolve().as_posix()
