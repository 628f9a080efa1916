"""Contract-free scanning: find the origins a server's CORS check lets in, without a contract.

``pytest-cors scan URL`` is :func:`scan`. A contract says which origins are meant to get in; a
scan has to guess. It takes the origins it is told are legitimate (``--origin``), else the ones
the server shows it trusts (its own origin, its site's usual front-end hosts, development
origins on a local target, or an ``Access-Control-Allow-Origin`` it answers whatever the
request), and
mutates them with the attack classes of :mod:`pytest_cors.probes`: prefix, suffix, substring,
unescaped dot, special characters, another port, the ``http://`` twin, subdomains, shared
hosting (with the public-suffix siblings of :mod:`pytest_cors.site`), local origins, two
legitimate origins run together, ``null`` and an unrelated random origin.

Every probe is one ``fetch()`` of the simulated browser with the user's cookies (so a
middleware that reflects only when a cookie arrives is caught), judged by the engine: a probe
is *granted* when the server answers ``Access-Control-Allow-Origin`` with the probe origin
itself, on the response or on a preflight. A preflighted probe (``PUT`` with a JSON body) is
sent for the unrelated origin only, to catch servers that reflect on preflights alone.

One finding per cause: a server that grants the unrelated origin reflects anything, and that is
reported as ``CORS-REFLECT`` alone; a look-alike explained by a broader class (a subdomain that
a suffix match admits, another port that a prefix match admits) is folded into that class.
Findings reuse the contract's ids and severities (``FINDINGS`` of ``contract.checks``) and carry
CWE-942; :meth:`ScanResult.records` gives the records the report writers take (the command
writes them with :func:`pytest_cors.report.write_report`, a layer above this one).
"""

from __future__ import annotations

import itertools
import textwrap
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_cors.engine import get_profile
from pytest_cors.engine.story import explain
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.flow import Browser
from pytest_cors.origin import parse_origin
from pytest_cors.probes import (
    ATTACKER_DOMAIN,
    ATTACKS,
    builtin_probes,
    derive,
    random_origin,
    registrable_domain,
)
from pytest_cors.site import public_suffix
from pytest_cors.targets import adapt, as_sync
from pytest_cors.targets.live import LiveTarget

if TYPE_CHECKING:
    from pytest_cors.engine import Outcome

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

CWE = "CWE-942"
"""Permissive Cross-domain Policy with Untrusted Domains: the weakness of every scan finding."""
DEV_ORIGINS = ("http://localhost:3000", "http://localhost:5173", "http://localhost:8080")
"""Origins front ends are developed on: tried (and mutated when granted) without ``--origin``
on a local target only (on any other target they are probes: ``CORS-LOCAL-ORIGIN``)."""
FRONT_END_LABELS = ("", "www", "app")
"""Hosts a front end of ``api.example.com`` usually has (``example.com``, ``www.``, ``app.``):
tried without ``--origin``, and mutated when granted."""
SEVERITY = "error"
"""The severity of every scan finding: the contract's for each attack class (kept equal by
``tests/test_scan.py``; not imported, the contract layer costs a scan a fifth of its start-up)."""
PREFLIGHT_METHOD = "PUT"
PREFLIGHT_HEADERS = (("Content-Type", "application/json"),)
# extra attack class of the scan: two legitimate origins run together
PAIR = "pair"
# one origin every anchoring mistake admits (prefix, suffix, pairs): sent first, and the
# prefix, suffix and pair look-alikes of its seed only when it is granted
ANCHORS = "anchors"
_FINDING_OF = {
    **{name: a.finding for name, a in ATTACKS.items()},
    PAIR: "CORS-PREFIX-MATCH",
    ANCHORS: "CORS-PREFIX-MATCH",
}
_GATED = frozenset({"prefix", "suffix", PAIR})
"""The attack classes an ``anchors`` probe stands for: each common way of writing them
(``startswith``, ``endswith``, ``in`` on the origin, a regex anchored at one end or neither)
admits the seed's host with the seed's origin before it and the seed's host after it."""
CLASSES: dict[str, tuple[str, ...]] = {
    "reflect": ("random-origin",),
    "null": ("null",),
    "prefix": ("prefix", PAIR),
    "suffix": ("suffix",),
    "substring": ("substring",),
    "unescaped-dot": ("dot-replacement",),
    "http-downgrade": ("http-downgrade",),
    "other-port": ("other-port",),
    "subdomain": ("unlisted-subdomain",),
    "special-chars": ("special-chars",),
    "shared-hosting": ("shared-hosting",),
    "local-origin": ("private-network",),
}
"""The classes ``only`` (``--only``) picks from, each the attack classes it sends; a finding id
(``CORS-PREFIX-MATCH``) or an attack name (``dot-replacement``) names its class too."""
_HINTS = {
    "CORS-REFLECT": "The server reflects any Origin: compare it with an allow-list instead.",
    "CORS-NULL": "Never allow 'null': any page can send it from a sandboxed iframe.",
    "CORS-PREFIX-MATCH": "The origin test is not anchored at the end (startswith, or a regex "
    "without '$'): compare whole origins.",
    "CORS-SUFFIX-MATCH": "The origin test is not anchored at the start (endswith, or a regex "
    "without '^'): compare whole origins.",
    "CORS-SUBSTRING-MATCH": "The origin test looks for a substring: compare whole origins.",
    "CORS-UNESCAPED-DOT": "A '.' in the origin regex is not escaped: write '\\.'.",
    "CORS-HTTP-DOWNGRADE": "The origin test ignores the scheme: a network attacker can serve "
    "the http:// twin. Compare whole origins, scheme included.",
    "CORS-OTHER-PORT": "The origin test ignores the port: compare whole origins.",
    "CORS-SUBDOMAIN": "Any subdomain gets in: list the subdomains you serve front ends on.",
    "CORS-SPECIAL-CHARS": "Safari sends such hosts verbatim; only an exact match on the whole "
    "origin is safe.",
    "CORS-SHARED-HOSTING": "Anyone can publish a page on that platform: never trust its suffix.",
    "CORS-LOCAL-ORIGIN": "Whatever runs on a visitor's machine or network gets in: keep local "
    "origins out of the production allow-list.",
}


@dataclass(frozen=True)
class ScanProbe:
    """One origin the scan sends, why (its attack class), and the legitimate origin behind it."""

    origin: str
    attack: str
    source: str = ""
    preflight: bool = False

    @property
    def finding(self) -> str:
        return _FINDING_OF[self.attack]


@dataclass
class ProbeResult:
    """What the simulated browser made of one probe."""

    path: str
    probe: ScanProbe
    outcome: Outcome
    granted: bool
    readable: bool
    """A page on the probe origin reads the response with the user's cookies."""
    findings: list[dict[str, Any]] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0


@dataclass
class ScanResult:
    """A whole scan: the target, the origins mutated, every probe, and the findings."""

    target: str
    seeds: list[str]
    results: list[ProbeResult]
    requests: int
    browser: str = "chromium"

    @property
    def findings(self) -> list[dict[str, Any]]:
        """Every finding, one per cause and path, each with the probe that shows it."""
        return [
            {**f, "path": r.path, "origin": r.probe.origin}
            for r in self.results
            for f in r.findings
        ]

    def lines(self) -> list[str]:
        """The scan told in a few lines: what was probed, then one line per finding."""
        paths = list(dict.fromkeys(r.path for r in self.results))
        seeds = ", ".join(self.seeds) or "none given or discovered"
        out = [
            f"scan {self.target}: {len(self.results)} probes on {', '.join(paths)}, "
            f"{self.requests} requests, browser {self.browser}",
            f"legitimate origins mutated: {seeds}",
        ]
        found = self.findings
        if not found:
            out.append("No finding: every adversarial origin was refused.")
            return out
        out.append(f"{len(found)} finding(s):")
        for finding in found:
            out.append(f"  {finding['id']} ({finding['severity']}, {CWE}) on {finding['path']}")
            out += textwrap.wrap(
                finding["message"],
                width=96,
                initial_indent="    ",
                subsequent_indent="    ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        return out

    def as_json(self) -> dict[str, Any]:
        """The scan as JSON: target, seeds, request count, findings and every probe's verdict."""
        return {
            "tool": "pytest-cors scan",
            "target": self.target,
            "browser": self.browser,
            "seeds": self.seeds,
            "requests": self.requests,
            "findings": self.findings,
            "probes": [
                {
                    "path": r.path,
                    "origin": r.probe.origin,
                    "attack": r.probe.attack,
                    "preflight": r.probe.preflight,
                    "granted": r.granted,
                    "readable": r.readable,
                }
                for r in self.results
            ],
        }

    def records(self) -> list[dict[str, Any]]:
        """The probes as the report writers take them (the records contract items leave)."""
        label = f"scan {self.target}"
        out = []
        for result in self.results:
            probe = result.probe
            method = PREFLIGHT_METHOD if probe.preflight else "GET"
            check = f"{result.path}::{method} {result.path} from {probe.origin} -> denied"
            out.append(
                {
                    "contract": label,
                    "file": self.target,
                    "nodeid": f"{label}::{check}",
                    "policy": result.path,
                    "check": check,
                    "kind": "origin",
                    "path": result.path,
                    "origin": probe.origin,
                    "method": method,
                    "headers": [n for n, _ in PREFLIGHT_HEADERS] if probe.preflight else [],
                    "credentials": True,
                    "browser": result.outcome.browser,
                    "expect": "denied",
                    "attack": probe.attack,
                    "source": probe.source,
                    "line": 1,
                    "column": 1,
                    "status": "failed" if result.granted else "passed",
                    "observed": "allowed" if result.granted else "denied",
                    "findings": [
                        {k: v for k, v in f.items() if k in _FINDING_KEYS} for f in result.findings
                    ],
                    "error": None,
                    "seed": None,
                    "target": self.target,
                    "transcript": explain(result.outcome) if result.granted else None,
                    "started": result.started,
                    "finished": result.finished,
                }
            )
        return out


_FINDING_KEYS = ("id", "severity", "message", "silenced", "line", "column", "cwe")


def scan(
    url: str | None = None,
    *,
    app: str | None = None,
    target: object = None,
    paths: Sequence[str] = (),
    origins: Sequence[str] = (),
    credentials: bool = False,
    browser: str = "chromium",
    seed: int | str = 1,
    only: Sequence[str] = (),
) -> ScanResult:
    """Probe ``paths`` of a live ``url``, an importable ``app`` or a ``target`` object.

    ``url`` may name a resource (``https://api.example.com/data``): its path is scanned when
    no ``paths`` are given. With ``app`` or ``target`` it is the URL the app sees (default
    ``http://localhost``). ``origins`` are the legitimate origins to mutate (discovered when
    empty). With ``credentials`` only grants a page reads with the user's cookies count.
    ``only`` restricts the classes probed (ids of :data:`CLASSES`, finding ids or attack
    names); the unrelated origin is sent whatever it says, as the control every class needs.
    Raises :class:`~pytest_cors.errors.TargetError` when the target gives no response (never
    a pass) and :class:`~pytest_cors.errors.CorsUsageError` for a bad argument.
    """
    get_profile(browser)
    selected = select_classes(only)
    for origin in origins:
        try:
            parse_origin(origin)
        except ValueError as exc:
            raise CorsUsageError(f"--origin {origin!r}: {exc}") from None
    for path in paths:
        if not path.startswith("/"):
            raise CorsUsageError(f"--path {path!r} must start with '/'")
    base_url, url_path = _split_url(url)
    paths = list(dict.fromkeys(paths or [url_path]))
    closers: list[Callable[[], None]] = []
    if target is None and app is not None:
        from pytest_cors.run import import_app  # lazy: the run layer, for --app only

        target = import_app(app, str(Path.cwd() / "scan"))
    if target is None:
        if url is None:
            raise CorsUsageError("scan needs a URL, or an app with --app MODULE:ATTR")
        live = LiveTarget(base_url, pool_size=2)
        closers.append(live.close)
        adapter: Any = live
    else:
        adapter = adapt(target, base_url if url is not None else None)
    base_url = str(getattr(adapter, "base_url", None) or base_url)
    try:
        return _Scanner(
            as_sync(adapter),
            base_url,
            origins,
            credentials=credentials,
            browser=browser,
            seed=seed,
            only=selected,
        ).run(paths)
    finally:
        for close in closers:
            close()


def select_classes(only: Sequence[str]) -> frozenset[str] | None:
    """The attack classes ``only`` names (``None``: every class), or a usage error naming the
    ids it takes. Each entry may hold several ids separated by commas."""
    names = [n.strip() for entry in only for n in entry.split(",") if n.strip()]
    if not names:
        return None
    by_finding: dict[str, set[str]] = {}
    for members in CLASSES.values():
        for attack in members:
            by_finding.setdefault(_FINDING_OF[attack], set()).add(attack)
    out: set[str] = set()
    for name in names:
        attacks: Collection[str] | None = (
            CLASSES.get(name.lower())
            or by_finding.get(name.upper())
            or ((name,) if any(name in a for a in CLASSES.values()) else None)
        )
        if not attacks:
            raise CorsUsageError(
                f"--only {name!r}: not a class of the scan; pick among {', '.join(CLASSES)} "
                "(or their finding ids)"
            )
        out.update(attacks)
    return frozenset(out)


def _split_url(url: str | None) -> tuple[str, str]:
    """The origin to scan and the path ``url`` names (``/`` when none), or a usage error."""
    if url is None:
        return "http://localhost", "/"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CorsUsageError(
            f"{url!r} is not an absolute http(s) URL; scan a live server such as "
            "'https://api.example.com/data', or an app with --app MODULE:ATTR"
        )
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}", path


class _Scanner:
    """The probing of one target: sends, judges and attributes findings to causes."""

    def __init__(
        self,
        target: Any,
        base_url: str,
        origins: Sequence[str],
        *,
        credentials: bool,
        browser: str,
        seed: int | str,
        only: frozenset[str] | None = None,
    ) -> None:
        self.target = target
        self.only = only
        self.base_url = base_url.rstrip("/")
        self.given = [parse_origin(o).serialize() for o in origins]
        self.credentials = credentials
        # the server's policy alone: an attacker's page can be http://, so no mixed content
        self.browsers = {browser: Browser(browser, mixed_content=False)}
        self.browser = browser
        self.random = random_origin(seed, "scan")
        self.requests = 0
        own = parse_origin(_origin_of(self.base_url))
        self.own = own.serialize()
        self.local_target = _is_local(own.host)

    def _browser(self, name: str) -> Browser:
        if name not in self.browsers:
            self.browsers[name] = Browser(name, mixed_content=False)
        return self.browsers[name]

    def send(self, path: str, probe: ScanProbe) -> ProbeResult:
        """One probe through the simulated browser; counts what went on the wire."""
        name = (
            "safari" if ATTACKS.get(probe.attack, ATTACKS["custom"]).safari_only else self.browser
        )
        started = time.time()
        outcome = self._browser(name).fetch(
            self.target,
            path,
            origin=probe.origin,
            method=PREFLIGHT_METHOD if probe.preflight else "GET",
            headers=list(PREFLIGHT_HEADERS) if probe.preflight else None,
            body="{}" if probe.preflight else None,
            credentials="include",
        )
        self.requests += len(outcome.exchanges) - len(outcome.http_cached)
        granted = any(
            e.response.headers.get("Access-Control-Allow-Origin") == probe.origin
            for e in outcome.exchanges
        )
        readable = granted and outcome.allowed
        if self.credentials:
            granted = readable
        return ProbeResult(path, probe, outcome, granted, readable, [], started, time.time())

    def run(self, paths: Sequence[str]) -> ScanResult:
        seeds = list(self.given)
        results: list[ProbeResult] = []
        for index, path in enumerate(paths):
            found = self._path(path, seeds, discover=index == 0 and not self.given)
            results += found
        return ScanResult(self.base_url, seeds, results, self.requests, self.browser)

    def _wants(self, *attacks: str) -> bool:
        return self.only is None or any(a in self.only for a in attacks)

    def _path(self, path: str, seeds: list[str], *, discover: bool) -> list[ProbeResult]:
        results = [self.send(path, ScanProbe(self.random, "random-origin", "random"))]
        if not results[0].granted and self._wants("random-origin"):
            results.append(self.send(path, ScanProbe(self.random, "random-origin", "random", True)))
        if any(r.granted for r in results):
            _attribute(results, [])
            return results  # it reflects anything: every look-alike would be that one cause
        _fixed_grant(results[0].outcome, seeds, self.random)
        if discover and self._wants(*_SEEDED):
            for origin in self._candidates():
                if origin in seeds:
                    continue
                result = self.send(path, ScanProbe(origin, "discovery", "discovery"))
                if result.granted or result.readable:
                    seeds.append(origin)
                _fixed_grant(result.outcome, seeds, origin)
        for probe, gated in self._plan(seeds):
            if _implied(probe, results, seeds):
                continue
            result = self.send(path, probe)
            results.append(result)
            if result.granted:
                for other in gated:
                    if not _implied(other, results, seeds):
                        results.append(self.send(path, other))
        judged = [r for r in results if r.probe.attack not in ("discovery", ANCHORS)]
        granted = {r.probe.source for r in judged if r.granted and r.probe.attack in _GATED}
        # an anchors probe is its own finding only when none of the look-alikes it stands
        # for got in (a check admitting that one origin alone)
        judged += [
            r for r in results if r.probe.attack == ANCHORS and r.probe.source not in granted
        ]
        _attribute(judged, seeds)
        return [r for r in results if r.probe.attack != "discovery"]

    def _candidates(self) -> list[str]:
        """Origins a front end of this target is likely on, tried when none is given: its
        site's usual front-end hosts, and (on a local target) the ports front ends are
        developed on. Not the target's own origin: a same-origin ``GET`` carries no
        ``Origin`` for a server to grant."""
        own = parse_origin(self.own)
        out = []
        if not own.opaque and not self.local_target and "." in own.host:
            site = registrable_domain(own.host)
            for label in FRONT_END_LABELS:
                out.append(f"https://{label}.{site}" if label else f"https://{site}")
        if self.local_target:
            out += DEV_ORIGINS
        return list(dict.fromkeys(out))

    def _plan(self, seeds: Sequence[str]) -> list[tuple[ScanProbe, list[ScanProbe]]]:
        """What to send after the unrelated origin: each probe with the probes it gates (sent
        only when it is granted): an ``anchors`` probe gates its seed's prefix, suffix and
        pair look-alikes. Anchors first, then the rest in :meth:`_probes` order."""
        probes = self._probes(seeds)
        anchors: dict[str, ScanProbe] = {}
        for seed in seeds:
            anchor = _anchor(seed)
            if anchor and self._wants(*_GATED) and anchor.origin not in seeds:
                anchors[seed] = anchor
        gated: dict[str, list[ScanProbe]] = {seed: [] for seed in anchors}
        rest: list[tuple[ScanProbe, list[ScanProbe]]] = []
        for probe in probes:
            owner = probe.source.split(" + ")[0] if probe.attack in _GATED else ""
            if owner in anchors:
                gated[owner].append(probe)
            else:
                rest.append((probe, []))
        return [(anchors[s], gated[s]) for s in anchors] + rest

    def _probes(self, seeds: Sequence[str]) -> list[ScanProbe]:
        """Every look-alike of ``seeds`` the scan sends, once each, never a seed itself."""
        out: list[ScanProbe] = [ScanProbe("null", "null")]
        for seed in seeds:
            origin = parse_origin(seed)
            if origin.opaque:
                continue
            out += _look_alikes(seed, origin.scheme, origin.host, origin.port)
            if not self._wants("shared-hosting") or "." not in origin.host:
                continue
            suffix = public_suffix(origin.host)
            if suffix and "." in suffix:  # a private-section suffix such as github.io
                out.append(
                    ScanProbe(
                        f"{origin.scheme}://pytest-cors-probe.{suffix}", "shared-hosting", seed
                    )
                )
        for first, second in itertools.pairwise(seeds):
            out.append(ScanProbe(first + parse_origin(second).host, PAIR, f"{first} + {second}"))
        local_ok = self.local_target and not self.given
        for row in builtin_probes():
            if row.attack == "private-network" and local_ok:
                continue
            out.append(ScanProbe(row.origin, row.attack, "probe data"))
        seen = set(seeds) | {self.own}
        unique = []
        for probe in out:
            if probe.origin in seen or not self._wants(probe.attack) or not _valid(probe.origin):
                continue
            seen.add(probe.origin)
            unique.append(probe)
        return unique


_SEEDED = (*(a for a in ATTACKS if a not in ("random-origin", "null", "private-network")), PAIR)
"""The attack classes derived from the allowed origins: discovery is worth its requests only
when one of them is probed."""


def _look_alikes(seed: str, scheme: str, host: str, port: int | None) -> list[ScanProbe]:
    """The contract's look-alikes of ``seed`` (:func:`pytest_cors.probes.derive`) minus the ones
    another look-alike stands for: of the substrings, the host cut at its end
    (``app.example.co``, which both ``origin in "..."`` and ``host in "..."`` admit); the three
    special characters as one host (`` app.example.com`}_.evil.net ``: a parser that stops at
    any of them reads the allowed host)."""
    out = []
    special = False
    for p in derive(scheme, host, port):
        if p.attack == "special-chars":
            special = True
        elif p.attack != "substring" or parse_origin(p.origin).host == host[:-1]:
            out.append(ScanProbe(p.origin, p.attack, seed))
    if special:
        combined = f"{host}`}}_.{ATTACKER_DOMAIN}"
        origin = f"{scheme}://{combined}" + (f":{port}" if port is not None else "")
        out.append(ScanProbe(origin, "special-chars", seed))
    return out


def _anchor(seed: str) -> ScanProbe | None:
    """``https://app.example.com.evilapp.example.com`` for ``https://app.example.com``: it
    starts with the seed and ends with its host (so with its site), so a prefix check, a
    suffix check on the host or the site, and a regex anchored at one end only all admit it.
    ``None`` where :func:`derive` has no prefix or suffix look-alike (an IP address, a
    one-label host) or where the seed has a port (the origin cannot both start with the seed
    and end with its host)."""
    origin = parse_origin(seed)
    if origin.opaque or origin.port is not None or "." not in origin.host:
        return None
    if origin.host.replace(".", "").isdigit() or origin.host.startswith("["):
        return None
    probe = f"{seed}.evil{origin.host}"
    return ScanProbe(probe, ANCHORS, seed) if _valid(probe) else None


def _implied(probe: ScanProbe, results: Sequence[ProbeResult], seeds: Sequence[str]) -> bool:
    """Whether a granted broader class already explains ``probe``, so that sending it could
    only add an origin to that finding's list (the folding of :func:`_attribute`): any origin
    starting with a seed once a prefix look-alike got in; a subdomain, dot or pair look-alike
    ending with the seed's site once a suffix look-alike that is no subdomain got in."""
    prefix = suffix = False
    for r in results:
        if not r.granted:
            continue
        if r.probe.attack in ("prefix", PAIR):
            prefix = True
        elif r.probe.attack == "suffix" and not _subdomain_of(r.probe.origin, seeds):
            suffix = True
    if (
        prefix
        and probe.attack not in ("prefix", PAIR)
        and any(probe.origin.startswith(s) for s in seeds)
    ):
        return True
    return (
        suffix
        and probe.attack in ("unlisted-subdomain", "dot-replacement", PAIR)
        and _ends_with_site(probe.origin, seeds)
    )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _is_local(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "[::1]", "testserver") or host.endswith(
        (".localhost", ".local")
    )


def _valid(origin: str) -> bool:
    try:
        parse_origin(origin)
    except ValueError:
        return False
    return True


def _fixed_grant(outcome: Outcome, seeds: list[str], sent: str) -> None:
    """An ``Access-Control-Allow-Origin`` naming another origin than the one sent names an
    origin the server trusts: a seed to mutate."""
    for exchange in outcome.exchanges:
        value = (exchange.response.headers.get("Access-Control-Allow-Origin") or "").strip()
        if value and value not in ("*", "null", sent) and _valid(value) and value not in seeds:
            seeds.append(parse_origin(value).serialize())


def _site_of(origin: str) -> tuple[str, str] | None:
    parsed = parse_origin(origin)
    if parsed.opaque:
        return None
    labels = parsed.host.split(".")
    return parsed.scheme, ".".join(labels[-2:])


def _subdomain_of(origin: str, seeds: Sequence[str]) -> bool:
    """Whether ``origin`` is a subdomain of a seed's registrable domain (same scheme)."""
    parsed = parse_origin(origin)
    if parsed.opaque:
        return False
    for seed in seeds:
        site = _site_of(seed)
        if site and parsed.scheme == site[0] and parsed.host.endswith("." + site[1]):
            return parsed.port == parse_origin(seed).port
    return False


def _ends_with_site(origin: str, seeds: Sequence[str]) -> bool:
    """Whether ``origin``'s host ends with a seed's registrable domain (``evilexample.com``)."""
    parsed = parse_origin(origin)
    return not parsed.opaque and any(
        parsed.host.endswith(site[1]) for site in map(_site_of, seeds) if site
    )


def _attribute(results: Sequence[ProbeResult], seeds: Sequence[str]) -> None:
    """Give each cause one finding: classes a broader class explains are folded into it."""
    granted = [r for r in results if r.granted]
    if not granted:
        return
    classes = {r.probe.finding for r in granted}
    cause: dict[int, str] = {}
    for result in granted:
        finding = result.probe.finding
        origin = result.probe.origin
        if (
            result.probe.attack == PAIR
            and "CORS-SUFFIX-MATCH" in classes
            and (_ends_with_site(origin, seeds))
        ):
            finding = "CORS-SUFFIX-MATCH"  # example.comwww.example.com: a suffix match
        elif (
            finding != "CORS-PREFIX-MATCH"
            and "CORS-PREFIX-MATCH" in classes
            and any(origin.startswith(s) for s in seeds)
        ):
            finding = "CORS-PREFIX-MATCH"
        elif finding in ("CORS-SUFFIX-MATCH", "CORS-SUBSTRING-MATCH", "CORS-UNESCAPED-DOT") and (
            "CORS-SUBDOMAIN" in classes and _subdomain_of(origin, seeds)
        ):
            finding = "CORS-SUBDOMAIN"
        elif (
            finding == "CORS-UNESCAPED-DOT"
            and "CORS-SUFFIX-MATCH" in classes
            and _ends_with_site(origin, seeds)
        ):
            finding = "CORS-SUFFIX-MATCH"  # appxexample.com: a suffix match lets it in too
        cause[id(result)] = finding
    final = set(cause.values())
    if "CORS-SUFFIX-MATCH" in final:  # a suffix match admits every subdomain too
        for key, value in cause.items():
            if value == "CORS-SUBDOMAIN":
                cause[key] = "CORS-SUFFIX-MATCH"
    reported: set[str] = set()
    for result in granted:
        finding = cause[id(result)]
        if finding in reported:
            continue
        reported.add(finding)
        result.findings.append(_finding(finding, result, granted, cause))


def _finding(
    finding: str, result: ProbeResult, granted: Sequence[ProbeResult], cause: dict[int, str]
) -> dict[str, Any]:
    probe = result.probe
    others = [r.probe.origin for r in granted if cause[id(r)] == finding and r is not result]
    step = f"the preflight to PUT {result.path}" if probe.preflight else f"GET {result.path}"
    head = f"{probe.origin} ({_title(probe.attack)}) is granted: the server answered {step} with "
    head += f"'Access-Control-Allow-Origin: {probe.origin}'."
    if result.readable:
        head += f" A page on {probe.origin} reads it with the user's cookies."
    else:
        head += " The browser still blocks it with cookies; without them a page reads it."
    if probe.source and probe.source not in ("random", "probe data"):
        head += f" Derived from {probe.source}."
    if others:
        shown = ", ".join(others[:4]) + (f" and {len(others) - 4} more" if len(others) > 4 else "")
        head += f" The same cause lets in {shown}."
    return {
        "id": finding,
        "severity": SEVERITY,
        "message": f"{head} {_HINTS.get(finding, '')} ({CWE})".replace("  ", " "),
        "silenced": None,
        "line": 1,
        "column": 1,
        "cwe": CWE,
    }


def _title(attack: str) -> str:
    if attack == PAIR:
        return "two allowed origins run together"
    if attack == ANCHORS:
        return "the allowed origin with its host after it"
    return ATTACKS[attack].title
