"""From a contract to checks, and from what the server answered to findings.

:func:`build_checks` expands every policy into :class:`PlannedCheck` values, each one
``fetch()`` (or, for a fault, one request the fault provokes) with the verdict the contract
expects:

* **allowed**: every path x allowed origin x method, with the declared request headers and
  credentials; ``error_paths`` must carry CORS headers too (one request per allowed origin, with
  the method :func:`error_path_method` picks).
* **denied**: methods and request headers outside the lists, the ``deny`` origins, and the
  adversarial origins of :mod:`pytest_cors.probes`, each tagged with its attack class;
  ``public`` policies must refuse credentials; ``cors: false`` policies every origin.

:func:`evaluate` turns what came back into :class:`Finding` values with stable ids
(:data:`FINDINGS`, documented in ``docs/contract-checks.md``). Besides the check's own verdict it
applies the guards to every response seen: ``*`` on a policy that is not public, ``*`` in
``Access-Control-Allow-Methods``/``-Headers``, credentials on public policies, a leftover
``Access-Control-Allow-Private-Network``, ``Vary: Origin``, preflight versus actual.
``allow_findings`` silences a finding id in its policy; a silenced finding is kept (with its
reason) but does not fail the check.

Nothing here sends a request: :mod:`pytest_cors.run` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from pytest_cors.contract.model import Contract, Initiator, Mark, OriginRule, Policy
from pytest_cors.engine.response import SAFELISTED_RESPONSE_HEADERS
from pytest_cors.hints import NAMES
from pytest_cors.http import Exchange, Headers
from pytest_cors.origin import parse_origin
from pytest_cors.probes import ATTACKS, DEFAULT_SEED, Probe, generate_probes, random_origin
from pytest_cors.routing import sample_path

if TYPE_CHECKING:
    from pytest_cors.engine import Outcome
    from pytest_cors.routing import Route
from pytest_cors._compat import sre_parse
from pytest_cors.contract.faults import fix_for, not_found_path
from pytest_cors.engine import get_profile
from pytest_cors.engine.response import cors_check
from pytest_cors.errors import ContractError, hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

Severity = Literal["error", "warning"]
Expect = Literal["allowed", "denied"]
Kind = Literal["allowed", "error-path", "fault", "method", "header", "origin", "credentials"]


@dataclass(frozen=True)
class FindingKind:
    """A documented finding: stable id, severity, one-line title."""

    id: str
    severity: Severity
    title: str


FINDINGS: dict[str, FindingKind] = {
    f.id: f
    for f in (
        FindingKind("CORS-BLOCKED", "error", "a request the contract allows is blocked"),
        FindingKind("CORS-EXPOSE-MISSING", "error", "a declared expose header is not readable"),
        FindingKind("CORS-EXPOSE-SENSITIVE", "error", "a sensitive header is readable"),
        FindingKind("CORS-EXPOSE-EXTRA", "warning", "headers readable beyond expose_headers"),
        FindingKind("CORS-MAX-AGE", "error", "Access-Control-Max-Age outside max_age"),
        FindingKind("CORS-MAX-AGE-CAP", "warning", "Max-Age above the browser's cap"),
        FindingKind("CORS-CREDENTIALS", "warning", "credentials granted though not declared"),
        *(
            FindingKind(a.finding, "error", f"granted {a.title}")
            for a in ATTACKS.values()
        ),
        FindingKind("CORS-EXTRA-METHOD", "error", "a method outside 'methods' is granted"),
        FindingKind("CORS-EXTRA-HEADER", "error", "a request header outside the list is granted"),
        FindingKind("CORS-WILDCARD", "error", "'*' on a policy that is not public"),
        FindingKind("CORS-WILDCARD-METHODS", "error", "'*' grants methods beyond the list"),
        FindingKind("CORS-WILDCARD-HEADERS", "error", "'*' grants headers beyond the list"),
        FindingKind("CORS-PUBLIC-CREDENTIALS", "error", "a public policy grants credentials"),
        FindingKind("CORS-PNA", "warning", "a Private Network Access header no browser reads"),
        FindingKind("CORS-VARY", "error", "no Vary: Origin on an echoed origin"),
        FindingKind("CORS-DISABLED", "error", "a 'cors: false' route grants an origin"),
        FindingKind("CORS-DISABLED-NOT-FOUND", "warning", "a 'cors: false' path answers 404"),
        FindingKind("CORS-PREFLIGHT-MISMATCH", "error", "preflight and actual disagree"),
        FindingKind("CORS-ERROR-MASKED", "error", "an error answer carries no CORS headers"),
        FindingKind("CORS-UNCOVERED-ROUTE", "error", "a route of the app has no policy"),
    )
}  # fmt: skip
"""Every finding id, stable and documented; ``allow_findings`` may name any of them."""


@dataclass(frozen=True)
class Finding:
    """One problem found by a check; ``silenced`` holds the contract's reason when accepted."""

    id: str
    message: str
    mark: Mark | None = None
    silenced: str | None = None

    @property
    def severity(self) -> Severity:
        return FINDINGS[self.id].severity

    @property
    def fails(self) -> bool:
        """Whether this finding fails its check (an error nobody accepted)."""
        return self.severity == "error" and self.silenced is None


@dataclass(frozen=True)
class PlannedCheck:
    """One flow to run and the verdict the contract expects from it."""

    file: str
    policy: Policy
    kind: Kind
    path: str
    origin: str
    method: str
    expect: Expect
    mark: Mark
    browser: str = "chromium"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    attack: str | None = None
    finding: str | None = None  # raised when the expectation fails
    source: str = ""  # the contract entry the check comes from, as written
    label: str = ""  # what the id says besides method, path and origin
    fault: str | None = None  # the fault a "fault" check provokes (model.FAULTS)
    control: str = ""  # an unrelated origin: granted too, a granted probe is a reflection
    initiator: Initiator | None = None  # not fetch(): an element, XHR, EventSource, a beacon

    @property
    def name(self) -> str:
        """The pytest item name: ``policy::METHOD /path from ORIGIN -> verdict``."""
        parts = [f"{self.policy.name}::{self.method} {self.path} from {self.origin}"]
        if self.label:
            parts.append(self.label)
        if self.credentials != self.policy.credentials:
            parts.append("with credentials" if self.credentials else "without credentials")
        text = " ".join(parts) + f" -> {self.expect}"
        if self.browser != "chromium":
            text += f" [{self.browser}]"
        return text

    @property
    def title(self) -> str:
        """What the check asks, in a sentence, for failure messages and reports."""
        creds = " with credentials" if self.credentials else ""
        headers = ", ".join(n for n, _ in self.headers)
        sent = f" sending {headers}" if headers else ""
        what = f"{self.method} {self.path} from {self.origin}{creds}{sent}"
        if self.fault:
            what += f" ({FAULT_TITLES[self.fault]})"
        if self.attack:
            what += f" ({ATTACKS[self.attack].title})"
        if self.initiator is not None:
            what += f" by {initiator_phrase(self.initiator)}"
        return f"{what} must be {self.expect}"


def initiator_phrase(initiator: Initiator) -> str:
    """How a page makes the request, for titles: ``a web font (@font-face)``."""
    attribute = f' crossorigin="{initiator.crossorigin}"' if initiator.crossorigin else ""
    return {
        "font": "a web font (@font-face)",
        "img": f"<img{attribute}>",
        "script": f"<script{attribute}>",
        "module": f'<script type="module"{attribute}>',
        "stylesheet": f'<link rel="stylesheet"{attribute}>',
        "video": f"<video{attribute}>",
        "audio": f"<audio{attribute}>",
        "xhr": "XMLHttpRequest",
        "eventsource": "EventSource",
        "beacon": "navigator.sendBeacon()",
    }.get(initiator.name, initiator.name)


# -- building checks -----------------------------------------------------------------------

FAULT_TITLES = {
    "not_found": "a path no route serves: the app's 404",
    "method_not_allowed": "a method the route does not serve: the router's 405",
    "exception": "the view raises: the framework's 500",
}

_HEADER_VALUES = {
    "content-type": "application/json",
    "accept": "application/json",
    "accept-language": "en",
    "content-language": "en",
    "authorization": "Bearer pytest-cors",
}
UNLISTED_HEADER = "X-Pytest-Cors-Unlisted"
_DENIED_METHOD_CANDIDATES = ("PUT", "PATCH", "DELETE")
_SIMPLE_METHODS = ("GET", "HEAD", "POST")


def header_value(name: str) -> str:
    """The value sent for a declared request header: a realistic one that is not safelisted."""
    return _HEADER_VALUES.get(name.lower(), "pytest-cors")


def sample_origin(rule: OriginRule) -> str | None:
    """A concrete origin the rule admits: the origin itself, ``app.`` + the suffix, or one
    built from the regex (``None`` when no origin can be built for it)."""
    if rule.kind == "exact":
        return rule.origin.serialize() if rule.origin is not None else None
    if rule.kind == "subdomain":
        port = "" if rule.port is None else f":{rule.port}"
        return f"{rule.scheme}://app.{rule.suffix}{port}"
    text = _regex_sample(rule.text)
    if text is None or not rule.matches(text):
        return None
    try:
        return parse_origin(text).serialize() if parse_origin(text).serialize() == text else None
    except ValueError:
        return None


def _regex_sample(pattern: str) -> str | None:
    """A short string the regex matches: the first branch, fewest repeats, a plain character
    for each class. ``None`` for constructs it cannot follow (look-arounds, back-references)."""
    try:
        tree = sre_parse(pattern)
        return _emit(tree, sre_parse)
    except (re.error, ValueError, TypeError, IndexError, OverflowError, RecursionError):
        return None


def _emit(items: Any, sre: Any) -> str:
    c = sre
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_char(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            out.append(_emit(sub, c) * low)
        elif name == "SUBPATTERN":
            out.append(_emit(arg[-1], c))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(arg, c))
        elif name == "BRANCH":
            out.append(_emit(arg[1][0], c))
        elif name == "AT":
            continue
        else:
            raise ValueError(name)
    return "".join(out)


def _class_char(items: Any) -> str:
    if items and str(items[0][0]) == "NEGATE":
        raise ValueError("negated class")
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a"}.get(str(arg), "a")
    raise ValueError("empty class")


def _allowed_origins(policy: Policy) -> list[tuple[str, OriginRule]]:
    out: dict[str, OriginRule] = {}
    for rule in policy.allow:
        origin = sample_origin(rule)
        if origin is not None and origin not in out:
            out[origin] = rule
    return list(out.items())


def _browsers(contract: Contract, policy: Policy, override: str | None) -> tuple[str, ...]:
    if override:
        return (override,)
    return policy.browsers or contract.browsers


MAX_CHECKS = 100_000
"""The most checks one contract file may generate (counted before duplicates are merged).

Each check is a pytest item and at least one request: pytest collects about 5 000 items a
second, so 100 000 already cost some 20 s before the first request and a few hundred MB of
memory, and a run of minutes against an in-process app. A real contract needs far fewer: a
policy makes about 50 checks per path (its allowed requests and some 40 adversarial origins),
so 100 000 is 2 000 paths, where one path per route suffices. Past the bound, a contract is
almost certainly generated by mistake (20 000 paths make a million checks, which pytest cannot
collect in any useful time); it is refused, naming the policy, before a single check is built.
"""


def _policy_probes(policy: Policy, seed: int | str) -> list[Probe]:
    """The adversarial probes a policy is tried with (none for a public policy)."""
    if policy.public and policy.cors:
        return []
    closed = not policy.cors
    probes = generate_probes(
        policy.allow,
        seed=seed,
        scope=policy.name,
        allows=policy.allows,
        deny=policy.deny,
        extra=policy.probes,
        data=() if closed else None,
    )
    if closed:
        return [p for p in probes if p.attack not in _CLOSED_SKIPPED]
    return probes


def count_checks(
    policy: Policy, probes: Sequence[Probe], browsers: int, *, live: bool | None = None
) -> int:
    """How many checks :func:`build_checks` makes for ``policy``, by arithmetic: as many as the
    builders below append, for each of ``browsers`` browser profiles."""
    faults = len(_faults(policy, live))
    paths, errors, methods = len(policy.paths), len(policy.error_paths), len(policy.methods)
    listed = set(policy.methods)
    names = {n.lower() for n in policy.request_headers}
    outside = sum(m not in listed for m in _DENIED_METHOD_CANDIDATES) + sum(
        h.lower() not in names for h in (UNLISTED_HEADER, "Authorization")
    )
    loads = sum(methods if i.name in ("fetch", "xhr") else 1 for i in policy.initiators)
    if not policy.cors:
        each = paths * len(probes) + paths * methods
    elif policy.public:
        each = paths * loads + errors + faults + paths + paths * outside
    else:
        origins = len(_allowed_origins(policy))
        each = paths * origins * loads + (errors + faults) * origins
        each += paths * len(probes)
        each += paths * outside if origins else 0
    return each * browsers


def _bounded(
    contract: Contract, seed: int | str, browser: str | None, live: bool | None = None
) -> list[tuple[Policy, list[Probe], tuple[str, ...]]]:
    """Each policy with its probes and browsers, once the count of checks they make is known
    to stay within :data:`MAX_CHECKS`; :class:`ContractError` naming the policy otherwise."""
    plans = []
    total = 0
    for policy in contract.policies:
        probes = _policy_probes(policy, seed)
        browsers = _browsers(contract, policy, browser)
        count = count_checks(policy, probes, len(browsers), live=live)
        total += count
        if total > MAX_CHECKS:
            where = f"{policy.mark.file}:{policy.mark.line}"
            if count > MAX_CHECKS:
                shape = f"{len(policy.paths)} paths"
                if len(browsers) > 1:
                    shape += f", each in {len(browsers)} browsers"
                message = (
                    f"policy {policy.name!r} ({where}) would make {count} checks ({shape}), "
                    f"more than the {MAX_CHECKS} a contract may make; list fewer paths (one "
                    "per route is enough) or split the policy across contract files"
                )
            else:
                message = (
                    f"policy {policy.name!r} ({where}) would take the contract to {total} "
                    f"checks (it makes {count}), more than the {MAX_CHECKS} a contract may "
                    "make; split the policies across several contract files"
                )
            raise ContractError([policy.mark.diagnostic(message)])
        plans.append((policy, probes, browsers))
    return plans


def build_checks(
    contract: Contract,
    *,
    seed: int | str | None = None,
    browser: str | None = None,
    live: bool | None = None,
) -> list[PlannedCheck]:
    """Every check of the contract, in a stable order (ids never depend on anything but the
    contract, the seed, the browser override and whether the target is live).

    ``live`` says whether the target is a live server (``None``: not known yet): a policy
    without ``faults`` checks the faults that apply to it (see :mod:`~pytest_cors.contract.faults`).

    Raises :class:`~pytest_cors.errors.ContractError` when the contract would make more than
    :data:`MAX_CHECKS` checks, before building any."""
    effective_seed = seed if seed is not None else resolved_seed(contract)
    checks: list[PlannedCheck] = []
    for policy, probes, browsers in _bounded(contract, effective_seed, browser, live):
        base = _policy_checks(contract.file, policy, effective_seed, probes, live)
        for name in browsers:
            checks += [replace(c, browser=name) for c in base]
    out: list[PlannedCheck] = []
    seen: set[str] = set()
    for check in checks:
        if check.attack and ATTACKS[check.attack].safari_only:
            check = replace(check, browser="safari")
        if check.name not in seen:
            seen.add(check.name)
            out.append(check)
    return out


def resolved_seed(contract: Contract, override: int | str | None = None) -> int | str:
    """The seed in force: the command line's, else the contract's, else :data:`DEFAULT_SEED`."""
    if override is not None:
        return override
    return contract.seed if contract.seed is not None else DEFAULT_SEED


def _policy_checks(
    file: str, policy: Policy, seed: int | str, probes: Sequence[Probe], live: bool | None = None
) -> list[PlannedCheck]:
    if not policy.cors:
        return _closed_checks(file, policy, seed, probes)
    if policy.public:
        return _public_checks(file, policy, seed, live)
    return _restricted_checks(file, policy, seed, probes, live)


def sent_paths(policy: Policy) -> list[str]:
    """The paths a policy's checks send: each path template filled with sample values
    (``/items/{id}`` -> ``/items/1``, an inline example ``{id=42}`` first; see
    :func:`~pytest_cors.routing.sample_path`), each sent once."""
    return list(dict.fromkeys(sample_path(path) for path in policy.paths))


def _declared_headers(policy: Policy) -> tuple[tuple[str, str], ...]:
    return tuple((name, header_value(name)) for name in policy.request_headers)


def _simple_method(policy: Policy) -> str:
    return next((m for m in policy.methods if m in _SIMPLE_METHODS), policy.methods[0])


def error_path_method(policy: Policy) -> str:
    """The method an ``error_paths`` check sends: one the policy lists and the route most likely
    serves, so that the app's error is what comes back, not a router's 405 for a method the
    route lacks. GET when listed, else the first listed HEAD or POST, else the first listed."""
    if "GET" in policy.methods:
        return "GET"
    return _simple_method(policy)


def _faults(policy: Policy, live: bool | None) -> list[str]:
    """The faults checked for ``policy``, in a fixed order; ``method_not_allowed`` only when the
    policy does not list ``POST`` (else its allowed checks send POST to every path already)."""
    if not policy.cors:
        return []
    chosen = policy.faults_for(live=live)
    return [
        name
        for name in ("not_found", "method_not_allowed", "exception")
        if name in chosen and not (name == "method_not_allowed" and "POST" in policy.methods)
    ]


def fault_request(policy: Policy, fault: str, seed: int | str) -> tuple[str, str]:
    """The path and method a ``fault`` check of ``policy`` sends."""
    first = sample_path(policy.paths[0])
    if fault == "not_found":
        return not_found_path(first, seed, policy.name), error_path_method(policy)
    if fault == "method_not_allowed":
        return first, "POST"
    return first, error_path_method(policy)


def _fault_checks(
    file: str,
    policy: Policy,
    origins: Sequence[tuple[str, Mark, str]],
    seed: int | str,
    live: bool | None,
) -> list[PlannedCheck]:
    """One check per fault and allowed origin (not per path): the first path stands for the
    policy, as the same app's error handling answers for all of them."""
    checks = []
    for index, fault in enumerate(_faults(policy, live)):
        path, method = fault_request(policy, fault, seed)
        mark = policy.where(f"faults[{index}]") if policy.faults else policy.where("faults")
        for origin, _, _source in origins:
            checks.append(
                PlannedCheck(
                    file, policy, "fault", path, origin, method, "allowed", mark,
                    credentials=policy.credentials, source="faults", fault=fault,
                    label=f"(fault: {fault})", finding="CORS-ERROR-MASKED",
                )
            )  # fmt: skip
    return checks


def _allowed_checks(
    file: str, policy: Policy, origins: Sequence[tuple[str, Mark, str]]
) -> list[PlannedCheck]:
    checks = []
    headers = _declared_headers(policy)
    fetches = any(i.name == "fetch" for i in policy.initiators)
    for path in sent_paths(policy):
        for origin, mark, source in origins:
            for method in policy.methods if fetches else ():
                checks.append(
                    PlannedCheck(
                        file, policy, "allowed", path, origin, method, "allowed", mark,
                        headers=headers, credentials=policy.credentials, source=source,
                    )
                )  # fmt: skip
            checks += _initiator_checks(file, policy, path, origin, source, headers)
    for index, path in enumerate(map(sample_path, policy.error_paths)):
        mark = policy.where(f"error_paths[{index}]")
        for origin, _, source in origins:
            checks.append(
                PlannedCheck(
                    file, policy, "error-path", path, origin, error_path_method(policy), "allowed",
                    mark, credentials=policy.credentials, source=source,
                    label="(error response)",
                )
            )  # fmt: skip
    return checks


def _initiator_checks(
    file: str,
    policy: Policy,
    path: str,
    origin: str,
    source: str,
    headers: tuple[tuple[str, str], ...],
) -> list[PlannedCheck]:
    """The allowed checks of a path and origin by each initiator besides ``fetch()`` that the
    policy's ``initiators`` lists: an element's load (``GET``), ``XMLHttpRequest`` (each method,
    with the declared headers), ``EventSource`` (``GET``), a beacon (``POST``, typed
    ``application/json`` when ``request_headers`` lists ``Content-Type``, else ``text/plain``)."""
    checks = []
    for index, initiator in enumerate(policy.initiators):
        if initiator.name == "fetch":
            continue
        mark = policy.where(f"initiators[{index}]")
        credentials = policy.credentials or initiator.crossorigin == "use-credentials"
        sent: tuple[tuple[str, str], ...] = ()
        methods: Sequence[str] = ("GET",)
        if initiator.name == "xhr":
            methods, sent = policy.methods, headers
        elif initiator.name == "beacon":
            methods = ("POST",)
            sent = tuple(h for h in headers if h[0].lower() == "content-type")
        for method in methods:
            checks.append(
                PlannedCheck(
                    file, policy, "allowed", path, origin, method, "allowed", mark,
                    headers=sent, credentials=credentials, source=source,
                    label=f"({initiator.label})", initiator=initiator,
                )
            )  # fmt: skip
    return checks


def _outside_lists(file: str, policy: Policy, origin: str) -> list[PlannedCheck]:
    """Methods and headers the contract does not list, sent without credentials (where a
    ``*`` in the preflight answer counts)."""
    checks = []
    listed = set(policy.methods)
    methods = [m for m in _DENIED_METHOD_CANDIDATES if m not in listed]
    names = {n.lower() for n in policy.request_headers}
    headers = [h for h in (UNLISTED_HEADER, "Authorization") if h.lower() not in names]
    for path in sent_paths(policy):
        for method in methods:
            checks.append(
                PlannedCheck(
                    file, policy, "method", path, origin, method, "denied",
                    policy.where("methods"), source="methods",
                )
            )  # fmt: skip
        for name in headers:
            checks.append(
                PlannedCheck(
                    file, policy, "header", path, origin, _simple_method(policy), "denied",
                    policy.where("request_headers"), headers=((name, header_value(name)),),
                    source="request_headers", label=f"with {name}",
                )
            )  # fmt: skip
    return checks


_CLOSED_SKIPPED = frozenset({"prefix", "suffix", "substring", "dot-replacement"})


def _probe_checks(
    file: str, policy: Policy, probes: Sequence[Probe], *, closed: bool, control: str = ""
) -> list[PlannedCheck]:
    rules = {rule.text: rule for rule in policy.allow}
    checks = []
    method = policy.methods[0]
    for path in sent_paths(policy):
        for probe in probes:
            mark = _probe_mark(policy, probe.attack, probe.origin, rules.get(probe.source))
            credentials = policy.credentials if probe.credentials is None else probe.credentials
            checks.append(
                PlannedCheck(
                    file, policy, "origin", path, probe.origin, method, "denied", mark,
                    credentials=credentials, attack=probe.attack,
                    finding="CORS-DISABLED" if closed else probe.finding, source=probe.source,
                    control="" if probe.attack == "random-origin" else control,
                )
            )  # fmt: skip
    return checks


def _probe_mark(policy: Policy, attack: str, origin: str, rule: OriginRule | None) -> Mark:
    if rule is not None:
        return rule.mark
    for key, values in (("origins.deny", policy.deny), ("probes", policy.probes)):
        for index, value in enumerate(values):
            if value.serialize() == origin:
                return policy.where(f"{key}[{index}]")
    if attack in ATTACKS and policy.allow:
        return policy.where("origins.allow")
    return policy.mark


def _restricted_checks(
    file: str, policy: Policy, seed: int | str, probes: Sequence[Probe], live: bool | None = None
) -> list[PlannedCheck]:
    origins = [(o, rule.mark, rule.text) for o, rule in _allowed_origins(policy)]
    checks = _allowed_checks(file, policy, origins)
    checks += _fault_checks(file, policy, origins, seed, live)
    if origins:
        checks += _outside_lists(file, policy, origins[0][0])
    control = random_origin(seed, policy.name)
    checks += _probe_checks(file, policy, probes, closed=False, control=control)
    return checks


def _public_checks(
    file: str, policy: Policy, seed: int | str, live: bool | None = None
) -> list[PlannedCheck]:
    anyone = random_origin(seed, policy.name)
    mark = policy.where("public")
    checks = _allowed_checks(file, policy, [(anyone, mark, "public")])
    checks += _fault_checks(file, policy, [(anyone, mark, "public")], seed, live)
    checks += [
        PlannedCheck(
            file, policy, "credentials", path, anyone, policy.methods[0], "denied", mark,
            credentials=True, finding="CORS-PUBLIC-CREDENTIALS", source="public",
        )
        for path in sent_paths(policy)
    ]  # fmt: skip
    checks += _outside_lists(file, policy, anyone)
    return checks


def _closed_checks(
    file: str, policy: Policy, seed: int | str, probes: Sequence[Probe]
) -> list[PlannedCheck]:
    checks = _probe_checks(file, policy, probes, closed=True)
    origin = random_origin(seed, policy.name)
    headers = _declared_headers(policy)
    mark = policy.where("cors")
    for path in sent_paths(policy):
        for method in policy.methods:
            checks.append(
                PlannedCheck(
                    file, policy, "origin", path, origin, method, "denied", mark,
                    headers=headers, credentials=policy.credentials, attack="random-origin",
                    finding="CORS-DISABLED", source="cors",
                    label=f"with {', '.join(n for n, _ in headers)}" if headers else "",
                )
            )  # fmt: skip
    return checks


# -- evaluating what came back ---------------------------------------------------------------

_SENSITIVE = re.compile(
    r"authorization|auth|token|csrf|xsrf|secret|session|api-?key|cookie|password|"
    r"debug|internal|backend|upstream|real-ip|forwarded|^server$|powered-by|served-by|"
    r"aspnet|^via$|^x-host$|^x-runtime$",
    re.IGNORECASE,
)


def is_sensitive_header(name: str) -> bool:
    """Authorization or CSRF tokens, session ids, internal host or debug headers."""
    return bool(_SENSITIVE.search(name))


@dataclass
class Evidence:
    """What a check saw: the engine's outcome and any raw exchanges the runner added."""

    outcome: Outcome | None = None
    extra: list[Exchange] = field(default_factory=list)
    app_errors: list[str] = field(default_factory=list)
    """What an in-process app raised on an error path, each judged as a bare 500 (the runner's
    ``bare_500``): ``"GET http://testserver/boom raised RuntimeError: boom"``."""
    framework: str = ""
    """The framework serving an in-process app (``"starlette"``, ...), for the fix a
    ``CORS-ERROR-MASKED`` finding names; ``""`` when unknown (a live server)."""
    reflected: bool = False
    """For a look-alike probe that got in: the check's unrelated ``control`` origin was
    granted too, so the server reflects any origin (one cause, reported as ``CORS-REFLECT``)."""

    @property
    def exchanges(self) -> list[Exchange]:
        return (list(self.outcome.exchanges) if self.outcome else []) + list(self.extra)


def _tokens(headers: Headers, name: str) -> list[str]:
    return [t.strip(" \t") for v in headers.get_all(name) for t in v.split(",") if t.strip(" \t")]


def _acao(headers: Headers) -> str | None:
    return headers.get("Access-Control-Allow-Origin")


def _step(exchange: Exchange) -> str:
    return "preflight" if exchange.kind == "preflight" else "response"


def _verdict(check: PlannedCheck, outcome: Outcome | None) -> str:
    if outcome is None:
        return ""
    creds = " with credentials" if check.credentials else ""
    if outcome.allowed:
        return (
            f"The browser would let a page on {check.origin} read {check.method} {check.path}"
            f"{creds} (status {outcome.status})."
        )
    code = outcome.failure.code if outcome.failure else "blocked"
    return f"The browser would block {check.method} {check.path} from {check.origin} ({code})."


def evaluate(check: PlannedCheck, evidence: Evidence) -> list[Finding]:
    """The findings for one check, silenced ones marked, duplicates (same id) dropped."""
    found: list[Finding] = []
    outcome = evidence.outcome
    if check.kind in ("allowed", "error-path"):
        found += _allowed_findings(check, evidence)
    elif check.kind == "fault":
        found += _fault_findings(check, evidence)
    elif check.kind in ("origin", "credentials"):
        found += _denied_origin_findings(check, evidence)
    else:
        found += _outside_list_findings(check, outcome)
    found += _guards(check, evidence)
    out: list[Finding] = []
    seen: set[str] = set()
    for finding in found:
        if finding.id in seen:
            continue
        seen.add(finding.id)
        accepted = check.policy.silenced(finding.id)
        out.append(replace(finding, silenced=accepted.reason) if accepted else finding)
    return out


def _allowed_findings(check: PlannedCheck, evidence: Evidence) -> list[Finding]:
    outcome = evidence.outcome
    if outcome is None:
        return []
    if check.initiator is not None:
        return _initiator_findings(check, outcome)
    if not outcome.allowed:
        failure = outcome.failure
        text = failure.message if failure else "The browser would block this request."
        hint = f"\nFix: {failure.hint}" if failure else ""
        raised = "".join(
            f"\n{error}: judged as the bare '500 Internal Server Error' a server (uvicorn, "
            "gunicorn) answers when the app raises, without the app's CORS headers. Answer the "
            "error where the CORS layer still adds its headers; if the app does so in production "
            "and only its test set-up raises (Flask's TESTING, Django's test client), see "
            "'error_paths' in the contract docs."
            for error in evidence.app_errors
        )
        return [Finding("CORS-BLOCKED", f"{check.title}, but it is blocked.\n{text}{hint}{raised}")]
    found: list[Finding] = []
    actual = outcome.actual
    if check.kind == "allowed" and actual is not None:
        found += _expose_findings(check, actual.response.headers)
    preflight = outcome.preflight
    if check.kind == "allowed" and preflight is not None:
        found += _max_age_findings(check, preflight.response.headers)
    return found


def _initiator_findings(check: PlannedCheck, outcome: Outcome) -> list[Finding]:
    """``CORS-BLOCKED`` when the page cannot use what its initiator loads: a ``no-cors`` load
    (an element without ``crossorigin``, a beacon) must be used, a CORS load read as well."""
    initiator = check.initiator
    assert initiator is not None
    cors = outcome.request.mode == "cors" and initiator.name != "beacon"
    if outcome.used and (outcome.readable or not cors):
        found: list[Finding] = []
        if initiator.name == "xhr" and outcome.actual is not None:
            found += _expose_findings(check, outcome.actual.response.headers)
        return found
    how = initiator_phrase(initiator)
    why = next((n.text for n in reversed(outcome.notes) if n.step == "initiator"), "")
    failure = outcome.failure
    lines = [f"{check.title}, but the page cannot {'use' if not outcome.used else 'read'} it "
             f"({initiator.label}): {why}."]  # fmt: skip
    if failure is not None:
        lines.append(failure.message)
        fix = failure.hint
    elif outcome.actual is not None and initiator.name == "eventsource":
        fix = (
            f"answer {check.path} with status 200 and 'Content-Type: text/event-stream': "
            "EventSource fails on any other answer."
        )
    elif outcome.actual is not None:
        status = outcome.actual.response.status
        fix = (
            f"answer {check.path} with a 2xx status: on {status} {how} fires its error event "
            "and the page never uses it."
        )
    else:
        fix = "the request never reached the server; see the outcome above."
    if failure is not None and cors and failure.code.startswith("CORS"):
        fix += (
            f" {how.capitalize() if how[0].islower() else how} is a CORS request: the server "
            f"must answer {check.path} with 'Access-Control-Allow-Origin: {check.origin}'"
            + (" and 'Access-Control-Allow-Credentials: true'" if check.credentials else "")
            + " (a server or CDN that adds CORS headers only to its API routes drops them here)."
        )
    lines.append(f"Fix: {fix}")
    return [Finding("CORS-BLOCKED", "\n".join(lines))]


def _answered(evidence: Evidence) -> Exchange | None:
    """The exchange a blocked request stopped at: the actual response, else the preflight."""
    outcome = evidence.outcome
    if outcome is None:
        return None
    return outcome.actual or outcome.preflight


def _fault_findings(check: PlannedCheck, evidence: Evidence) -> list[Finding]:
    """``CORS-ERROR-MASKED`` when the page cannot read the error the fault provoked."""
    outcome = evidence.outcome
    if outcome is None or outcome.allowed:
        return []
    failure = outcome.failure
    exchange = _answered(evidence)
    status = exchange.response.status if exchange is not None else None
    where = _step(exchange) if exchange is not None else "response"
    answered = f"{status} {exchange.response.reason}".strip() if exchange else "an error"
    code = f" ({failure.code})" if failure else ""
    raised = "".join(
        f" {error}: judged as the bare '500 Internal Server Error' a server (uvicorn, gunicorn) "
        "answers when the app raises, without the app's headers."
        for error in evidence.app_errors
    )
    framework = evidence.framework
    fix = fix_for(framework)
    # the framework as its docs spell it ("FastAPI", "aiohttp"), without the CORS package
    label = f"Fix ({NAMES.get(framework, framework).split(' (')[0]})" if framework else "Fix"
    return [
        Finding(
            "CORS-ERROR-MASKED",
            f"fault {check.fault}: the app answered {check.method} {check.path} with "
            f"{answered} on the {where}, without the CORS headers{code}: a page on "
            f"{check.origin} sees a CORS error instead of the {status or 'error'}, and cannot "
            f"tell the user what went wrong.{raised}\n{label}: {fix}",
        )
    ]


def _expose_findings(check: PlannedCheck, headers: Headers) -> list[Finding]:
    policy = check.policy
    mark = policy.where("expose_headers")
    listed = _tokens(headers, "Access-Control-Expose-Headers")
    lowered = {t.lower() for t in listed}
    star = "*" in listed and not check.credentials
    declared = {h.lower(): h for h in policy.expose_headers}
    found = []
    missing = [h for low, h in declared.items() if not star and low not in lowered]
    missing = [h for h in missing if h.lower() not in SAFELISTED_RESPONSE_HEADERS]
    if missing:
        found.append(
            Finding(
                "CORS-EXPOSE-MISSING",
                f"the page cannot read {', '.join(missing)}: Access-Control-Expose-Headers is "
                f"{headers.get('Access-Control-Expose-Headers')!r} on the response to "
                f"{check.method} {check.path}. Add {', '.join(missing)} to it.",
                mark,
            )
        )
    if star:
        beyond = sorted(
            {
                n.lower()
                for n, _ in headers
                if n.lower() not in declared
                and n.lower() not in SAFELISTED_RESPONSE_HEADERS
                and n.lower() not in ("set-cookie", "set-cookie2")
            }
        )
        reason = "Access-Control-Expose-Headers: * makes every response header readable"
    else:
        beyond = sorted(
            low for low in lowered if low not in declared and low not in SAFELISTED_RESPONSE_HEADERS
        )
        reason = "Access-Control-Expose-Headers lists them"
    sensitive = [n for n in beyond if is_sensitive_header(n)]
    if sensitive:
        found.append(
            Finding(
                "CORS-EXPOSE-SENSITIVE",
                f"{reason}: a page on {check.origin} can read {', '.join(sensitive)}, which "
                "looks like a credential, a CSRF token or an internal detail. Stop exposing it.",
                mark,
            )
        )
    rest = [n for n in beyond if n not in sensitive]
    if rest:
        found.append(
            Finding(
                "CORS-EXPOSE-EXTRA",
                f"{reason}: {', '.join(rest)} readable beyond expose_headers "
                f"({', '.join(policy.expose_headers) or 'none declared'}).",
                mark,
            )
        )
    return found


def _max_age_findings(check: PlannedCheck, headers: Headers) -> list[Finding]:
    policy = check.policy
    low, high = policy.max_age.min, policy.max_age.max
    mark = policy.where("max_age")
    raw = headers.get("Access-Control-Max-Age")
    profile = get_profile(check.browser)
    found: list[Finding] = []
    if raw is None:
        if low is not None and low > profile.default_max_age:
            found.append(
                Finding(
                    "CORS-MAX-AGE",
                    "the preflight response has no Access-Control-Max-Age, so browsers cache "
                    f"it for {profile.default_max_age} s, below max_age.min ({low} s): "
                    "a preflight before nearly every request.",
                    mark,
                )
            )
        return found
    if not re.fullmatch(r"[0-9]{1,18}", raw):
        if low is not None or high is not None:
            found.append(
                Finding(
                    "CORS-MAX-AGE",
                    f"Access-Control-Max-Age {raw!r} is not a number of seconds.",
                    mark,
                )
            )
        return found
    seconds = int(raw)
    if (low is not None and seconds < low) or (high is not None and seconds > high):
        bounds = f"{low if low is not None else 0}..{high if high is not None else 'inf'}"
        found.append(
            Finding(
                "CORS-MAX-AGE",
                f"Access-Control-Max-Age is {seconds}, outside max_age ({bounds} s).",
                mark,
            )
        )
    cap = profile.max_age_cap
    if cap is not None and seconds > cap:
        found.append(
            Finding(
                "CORS-MAX-AGE-CAP",
                f"Access-Control-Max-Age {seconds} is above {profile.name}'s cap of {cap} s: "
                f"{profile.name} re-sends the preflight after {cap} s anyway.",
                mark,
            )
        )
    return found


def _granting_exchange(check: PlannedCheck, evidence: Evidence) -> Exchange | None:
    """The first response whose Access-Control-Allow-Origin names the probe origin itself."""
    return next((e for e in evidence.exchanges if _acao(e.response.headers) == check.origin), None)


def _denied_origin_findings(check: PlannedCheck, evidence: Evidence) -> list[Finding]:
    outcome = evidence.outcome
    finding = check.finding or "CORS-PROBE"
    if check.kind == "credentials":
        if outcome is not None and outcome.allowed:
            return [
                Finding(
                    finding,
                    f"a page on {check.origin} can read {check.method} {check.path} with the "
                    "user's cookies: the server answers a credentialed request with its own "
                    "origin and Access-Control-Allow-Credentials: true. A public resource must "
                    "be served with '*' and without credentials.",
                )
            ]
        return []
    granting = _granting_exchange(check, evidence)
    if granting is None:
        return []  # refused, or granted through '*' only (the wildcard guard reports that)
    attack = ATTACKS[check.attack] if check.attack else None
    what = f" ({attack.title})" if attack else ""
    where = _step(granting)
    if check.policy.cors:
        head = f"{check.origin}{what} is granted: the server answered the {where} with "
        head += f"'Access-Control-Allow-Origin: {check.origin}'."
    else:
        head = f"the policy says 'cors: false', yet {check.origin}{what} is granted on the {where}."
    tail = ""
    if outcome is not None and outcome.allowed:
        creds = " with the user's cookies" if check.credentials else ""
        tail = f" A page on {check.origin} can read {check.method} {check.path}{creds}."
    elif outcome is not None and outcome.failure is not None:
        tail = (
            f" This request is still blocked ({outcome.failure.code}), but only by a later "
            "check: the server's origin test accepted the origin."
        )
    if evidence.reflected and check.policy.cors:
        return [
            Finding(
                "CORS-REFLECT",
                f"{check.origin}{what} is granted, and so is the unrelated {check.control}: the "
                f"server reflects any origin.{tail} This look-alike ({check.attack}) is one of "
                "the classes that got in for that one cause, all reported under CORS-REFLECT: "
                "there is no origin pattern to fix. Compare the Origin with an allow-list "
                "instead of echoing it.",
            )
        ]
    hint = {
        "CORS-REFLECT": " The server reflects any Origin: compare it with an allow-list instead.",
        "CORS-NULL": " Never allow 'null': any page can send it from a sandboxed iframe.",
        "CORS-PREFIX-MATCH": " The origin test is not anchored at the end (a prefix match or a "
        "regex without '$'): compare whole origins.",
        "CORS-SUFFIX-MATCH": " The origin test is not anchored at the start (an endswith match "
        "or a regex without '^'): compare whole origins.",
        "CORS-SUBSTRING-MATCH": " The origin test looks for a substring: compare whole origins.",
        "CORS-UNESCAPED-DOT": " A '.' in the origin regex is not escaped: write '\\.'.",
        "CORS-SPECIAL-CHARS": " Safari sends such hosts verbatim; only an exact match on the "
        "whole origin is safe.",
    }.get(finding, "")
    return [Finding(finding, head + tail + hint)]


def _outside_list_findings(check: PlannedCheck, outcome: Outcome | None) -> list[Finding]:
    if outcome is None or not outcome.allowed:
        return []
    preflight = outcome.preflight
    if preflight is None:
        return []
    headers = preflight.response.headers
    if check.kind == "method":
        listed = _tokens(headers, "Access-Control-Allow-Methods")
        by_star = check.method not in listed and "*" in listed
        finding = "CORS-WILDCARD-METHODS" if by_star else "CORS-EXTRA-METHOD"
        what = f"method {check.method}"
        allowed = (
            f"only {', '.join(check.policy.methods)}" if check.policy.methods else "no methods"
        )
        via = "Access-Control-Allow-Methods: *" if by_star else "Access-Control-Allow-Methods"
    else:
        name = check.headers[0][0]
        listed = _tokens(headers, "Access-Control-Allow-Headers")
        by_star = name.lower() not in {t.lower() for t in listed} and "*" in listed
        finding = "CORS-WILDCARD-HEADERS" if by_star else "CORS-EXTRA-HEADER"
        what = f"request header {name}"
        names = check.policy.request_headers
        allowed = f"only {', '.join(names)}" if names else "no request headers"
        via = "Access-Control-Allow-Headers: *" if by_star else "Access-Control-Allow-Headers"
    return [
        Finding(
            finding,
            f"the preflight grants {what} through {via}, but the contract lists {allowed}. "
            f"A page on {check.origin} can send it to {check.path}.",
        )
    ]


def _guards(check: PlannedCheck, evidence: Evidence) -> list[Finding]:
    policy = check.policy
    found: list[Finding] = []
    exchanges = evidence.exchanges
    if not policy.cors and exchanges and all(e.response.status == 404 for e in exchanges):
        # a mistyped base URL or path answers 404 without CORS headers: "closed" proves nothing
        found.append(
            Finding(
                "CORS-DISABLED-NOT-FOUND",
                f"{check.method} {check.path} answers 404 Not Found, so that it carries no "
                "Access-Control-Allow-Origin proves nothing about the route: check the base URL "
                "and the path.",
                policy.mark,
            )
        )
    for exchange in exchanges:
        headers = exchange.response.headers
        acao = _acao(headers)
        where = f"the {_step(exchange)} to {exchange.request.method} {check.path}"
        if not policy.cors and acao is not None:
            found.append(
                Finding(
                    "CORS-DISABLED",
                    f"the policy says 'cors: false', yet {where} carries "
                    f"'Access-Control-Allow-Origin: {acao}'.",
                    policy.where("cors"),
                )
            )
        if policy.cors and not policy.public and acao == "*":
            found.append(
                Finding(
                    "CORS-WILDCARD",
                    f"{where} carries 'Access-Control-Allow-Origin: *' but policy "
                    f"{policy.name!r} is not public: any site can read it without credentials. "
                    "Send the allowed origin instead, or mark the policy 'public: true'.",
                    policy.mark,
                )
            )
        if policy.public and headers.get("Access-Control-Allow-Credentials") == "true":
            found.append(
                Finding(
                    "CORS-PUBLIC-CREDENTIALS",
                    f"{where} carries 'Access-Control-Allow-Credentials: true' on a public "
                    "policy: drop it, public resources are read without cookies.",
                    policy.where("public"),
                )
            )
        pna = headers.get("Access-Control-Allow-Private-Network")
        if pna is not None:
            # Local Network Access (Chromium 142+) replaced PNA: the header grants nothing
            found.append(
                Finding(
                    "CORS-PNA",
                    f"{where} carries 'Access-Control-Allow-Private-Network: {pna}', which no "
                    "browser reads: Chromium 142+ replaced Private Network Access with Local "
                    "Network Access (no private-network preflight; the user's 'local-network' "
                    "or 'loopback-network' permission decides, then ordinary CORS). It neither "
                    "opens nor closes the service to public pages: remove it.",
                    policy.where("private_network"),
                )
            )
        vary = f"its Vary is {headers.get('Vary')!r}" if "Vary" in headers else "it has no Vary"
        if (
            policy.cors
            and policy.vary
            and exchange.kind == "actual"
            and acao is not None
            and acao not in ("*", "null")
            and acao == exchange.request.headers.get("Origin")
            and not ({"origin", "*"} & {t.lower() for t in _tokens(headers, "Vary")})
        ):
            found.append(
                Finding(
                    "CORS-VARY",
                    f"{where} sets 'Access-Control-Allow-Origin: {acao}' from the request's "
                    f"Origin but {vary}: a shared cache can "
                    "replay this answer to another origin. Add 'Vary: Origin'.",
                    policy.where("vary"),
                )
            )
        if (
            check.kind in ("allowed", "error-path", "fault")
            and policy.cors
            and not policy.public
            and not policy.credentials
            and headers.get("Access-Control-Allow-Credentials") == "true"
        ):
            found.append(
                Finding(
                    "CORS-CREDENTIALS",
                    f"{where} grants credentials ('Access-Control-Allow-Credentials: true') but "
                    "the contract does not declare 'credentials: true'.",
                    policy.where("credentials"),
                )
            )
    found += _mismatch(check, evidence)
    return found


def _mismatch(check: PlannedCheck, evidence: Evidence) -> list[Finding]:
    outcome = evidence.outcome
    if outcome is None or outcome.failure is None:
        return []
    credentials = "include" if check.credentials else "omit"
    if outcome.preflight is not None and outcome.failure.step == "actual":
        return [
            Finding(
                "CORS-PREFLIGHT-MISMATCH",
                f"the preflight granted {check.method} from {check.origin}, but the actual "
                f"response refuses it ({outcome.failure.code}): the {check.method} already ran "
                "on the server when the browser hid the answer. Make both answers agree.",
            )
        ]
    if outcome.failure.step == "preflight" and outcome.failure.code not in _LIST_REFUSALS:
        for exchange in evidence.extra:
            if exchange.kind != "actual":
                continue
            if cors_check(exchange.response.headers, check.origin, credentials) is None:
                return [
                    Finding(
                        "CORS-PREFLIGHT-MISMATCH",
                        f"the preflight refuses {check.method} from {check.origin} "
                        f"({outcome.failure.code}), but the actual response grants it: the "
                        "two are decided by different code (a proxy, an auth layer, a route "
                        "without OPTIONS). Make both answers agree.",
                    )
                ]
    return []


_LIST_REFUSALS = frozenset(
    {
        "CORSMethodNotFound",
        "CORSMissingAllowHeaderFromPreflight",
        "CORSInvalidAllowMethod",
        "CORSInvalidAllowHeader",
    }
)
"""Preflight refusals about the method or headers: the actual response cannot contradict them."""


def failing(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that fail a check (errors nobody silenced)."""
    return [f for f in findings if f.fails]


def browser_summary(check: PlannedCheck, evidence: Evidence) -> str:
    """One line: what the browser would do with this check's request."""
    return _verdict(check, evidence.outcome)


def uncovered_routes(contract: Contract, found: Iterable[Route]) -> list[Route]:
    """The routes of ``found`` that no policy's ``paths`` covers, less the contract's
    ``coverage.ignore`` (a policy path covers a route when it matches its template)."""
    from pytest_cors.routing import (
        uncovered,  # lazy: routing loads yaml (openapi_document); importing a contract must not
    )

    ignore = contract.coverage.ignore if contract.coverage is not None else ()
    paths = [path for policy in contract.policies for path in policy.paths]
    return uncovered(found, paths, ignore)


def coverage_message(left: Sequence[Route]) -> str:
    """The ``CORS-UNCOVERED-ROUTE`` explanation: the app's routes first, then the framework's."""

    def line(route: Route) -> str:
        name = f"  ({route.name})" if route.name else ""
        host = f"  [host {route.host}]" if route.host else ""
        return f"  {route.shown_methods():<24} {route.path_template}{name}{host}"

    own = [r for r in left if not r.internal]
    internal = [r for r in left if r.internal]
    lines = []
    if own:
        lines.append(f"[CORS-UNCOVERED-ROUTE] {len(own)} route(s) no policy covers:")
        lines += [line(r) for r in own]
    if internal:
        if lines:
            lines.append("")
        lines.append(
            f"[CORS-UNCOVERED-ROUTE] {len(internal)} framework-internal route(s) no policy "
            "covers (add their names or paths to 'coverage.ignore' if no page fetches them):"
        )
        lines += [line(r) for r in internal]
    lines += [
        "",
        "Add each path (a template such as /items/{id} works) to a policy's 'paths', or a glob "
        "matching its path or name to 'coverage.ignore'.",
    ]
    return "\n".join(lines)
