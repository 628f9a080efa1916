"""Adversarial origins: the ``Origin`` values attackers send to slip past an origin check.

A server-side origin check goes wrong in a handful of known ways: it reflects whatever arrives,
trusts ``null``, compares with ``startswith``/``endswith``/``in`` or an unanchored regex, leaves
a dot unescaped, ignores the scheme or the port, or admits any subdomain. Each way is an
*attack class* here, and from each allowed origin of a policy we derive the origins that would
get through that mistake: for ``https://app.example.com`` the prefix trick is
``https://app.example.com.evil.net``, the suffix trick ``https://evilapp.example.com``, and so on.

The probe set is data, deterministic for a given seed (the one random origin comes from a
``random.Random`` seeded with the seed and the policy name), so a failing probe can be
reproduced with ``--cors-seed``. Shared-hosting and private-network origins come from
``data/probe_origins.txt``; a contract adds its own under ``probes``.

Pure: standard library and :mod:`pytest_cors.origin` only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from pytest_cors.errors import hide_user_error
from pytest_cors.origin import Origin, parse_origin

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

DEFAULT_SEED = 1
"""The seed used when neither ``--cors-seed`` nor the contract's ``seed`` sets one.

Fixed, not drawn at random, so that check ids (which name the probe origins) stay the same from
run to run: ``--lf``, ``-k`` and pytest-xdist all need identical ids.
"""

ATTACKER_DOMAIN = "evil.net"
"""The attacker's registered domain used by the prefix and special-character tricks."""


@dataclass(frozen=True)
class Attack:
    """One way an origin check goes wrong, and the finding raised when a server falls for it."""

    name: str
    finding: str
    title: str
    safari_only: bool = False


ATTACKS: dict[str, Attack] = {
    a.name: a
    for a in (
        Attack(
            "random-origin", "CORS-REFLECT", "an unrelated origin, let in by reflecting any origin"
        ),
        Attack(
            "null", "CORS-NULL", "the origin 'null' that sandboxed iframes and data: pages send"
        ),
        Attack("prefix", "CORS-PREFIX-MATCH", "the allowed host as a prefix of another domain"),
        Attack("suffix", "CORS-SUFFIX-MATCH", "the allowed host as a suffix of another domain"),
        Attack("substring", "CORS-SUBSTRING-MATCH", "a part of the allowed host"),
        Attack("dot-replacement", "CORS-UNESCAPED-DOT", "a dot of the allowed host replaced"),
        Attack("http-downgrade", "CORS-HTTP-DOWNGRADE", "http:// instead of https://"),
        Attack("other-port", "CORS-OTHER-PORT", "the allowed host on another port"),
        Attack("unlisted-subdomain", "CORS-SUBDOMAIN", "a sibling or deeper subdomain"),
        Attack(
            "special-chars",
            "CORS-SPECIAL-CHARS",
            "a host with characters only Safari sends: ` } _",
            safari_only=True,
        ),
        Attack("shared-hosting", "CORS-SHARED-HOSTING", "a shared-hosting or sandbox origin"),
        Attack("private-network", "CORS-LOCAL-ORIGIN", "a local or private-network origin"),
        Attack("denied", "CORS-DENY", "an origin the contract lists under origins.deny"),
        Attack("custom", "CORS-PROBE", "an origin the contract lists under probes"),
    )
}


@dataclass(frozen=True)
class Probe:
    """One adversarial origin, with the attack class it stands for and where it came from.

    ``credentials`` is ``None`` when the probe is sent with the policy's own credentials mode,
    ``True``/``False`` when the probe insists (the random origin is tried both ways).
    """

    origin: str
    attack: str
    source: str = ""
    credentials: bool | None = None

    @property
    def finding(self) -> str:
        return ATTACKS[self.attack].finding

    @property
    def safari_only(self) -> bool:
        return ATTACKS[self.attack].safari_only


class RuleLike(Protocol):
    """What probe derivation needs from an ``origins.allow`` entry (the contract's OriginRule)."""

    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def origin(self) -> Origin | None: ...
    @property
    def scheme(self) -> str: ...
    @property
    def suffix(self) -> str: ...
    @property
    def port(self) -> int | None: ...


# Second-level labels under which registries sell names (co.uk, com.au, ...): enough to find the
# registrable domain of the hosts people allow, without shipping the Public Suffix List.
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "ltd", "ne", "net", "or", "org"})
_IP_HOST = re.compile(r"\[.*\]|[0-9.]+")
_DOTTED_LITERAL = re.compile(r"[a-z0-9-]+(?:\\?\.[a-z0-9-]+)+", re.IGNORECASE)


def registrable_domain(host: str) -> str:
    """``example.com`` for ``app.example.com``, ``shop.co.uk`` for ``www.shop.co.uk``."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _serialize(scheme: str, host: str, port: int | None) -> str:
    return f"{scheme}://{host}" if port is None else f"{scheme}://{host}:{port}"


def _other_port(scheme: str, port: int | None) -> int:
    if port is None:
        return 8443 if scheme == "https" else 8080
    return port + 1 if port < 65535 else port - 1


def derive(scheme: str, host: str, port: int | None, *, wildcard: bool = False) -> list[Probe]:
    """The adversarial origins for an allowed ``scheme://host[:port]``.

    With ``wildcard`` the allowed entry is ``scheme://*.host``: any subdomain of ``host`` is
    legitimate, so the tricks target the suffix check instead (a sample subdomain ``app.host``
    stands for the legitimate origins).
    """
    source = _serialize(scheme, f"*.{host}" if wildcard else host, port)
    out: list[tuple[str, str]] = []

    def add(
        attack: str, probe_host: str, probe_scheme: str = scheme, probe_port: int | None = port
    ) -> None:
        out.append((attack, _serialize(probe_scheme, probe_host, probe_port)))

    ip_or_single = bool(_IP_HOST.fullmatch(host)) or "." not in host
    sample = f"app.{host}" if wildcard else host
    if not ip_or_single:
        site = registrable_domain(host)
        add("prefix", f"{sample}.{ATTACKER_DOMAIN}")
        add("prefix", f"{sample}-{ATTACKER_DOMAIN}")
        if wildcard:
            add("prefix", f"{host}.{ATTACKER_DOMAIN}")
        else:
            add("suffix", f"evil{host}")
        add("suffix", f"evil-{site}")
        add("suffix", f"evil{site}")
        if not wildcard:
            add("substring", host[1:])
            add("substring", host[:-1])
        add("substring", site[1:])
        dots = [i for i, c in enumerate(sample) if c == "."][:3]
        for i in dots:
            add("dot-replacement", sample[:i] + "x" + sample[i + 1 :])
    if scheme == "https":
        add("http-downgrade", sample, "http")
    add("other-port", sample, scheme, _other_port(scheme, port))
    if not ip_or_single:
        if wildcard:
            add("unlisted-subdomain", host)
        else:
            labels = host.split(".")
            if host != registrable_domain(host):
                add("unlisted-subdomain", ".".join(["evil", *labels[1:]]))
            add("unlisted-subdomain", f"evil.{host}")
        for char in ("`", "}", "_"):
            add("special-chars", f"{sample}{char}.{ATTACKER_DOMAIN}")
    return [Probe(origin, attack, source) for attack, origin in out]


def _derive_rule(rule: RuleLike) -> list[Probe]:
    if rule.kind == "exact":
        origin = rule.origin
        if origin is None or origin.opaque:
            return []
        return derive(origin.scheme, origin.host, origin.port)
    if rule.kind == "subdomain":
        return derive(rule.scheme, rule.suffix, rule.port, wildcard=True)
    # A regex: derive from the longest dotted literal it contains (``example\.com``), as if it
    # admitted that domain's subdomains; whatever the regex really admits is filtered out later.
    literals = [m.group(0).replace("\\.", ".").lower() for m in _DOTTED_LITERAL.finditer(rule.text)]
    literals = [lit.strip("-.") for lit in literals if "." in lit.strip("-.")]
    if not literals:
        return []
    scheme = "http" if re.search(r"http(?!s)", rule.text) and "https" not in rule.text else "https"
    probes = derive(scheme, max(literals, key=len), None, wildcard=True)
    return [Probe(p.origin, p.attack, rule.text) for p in probes]


@dataclass(frozen=True)
class DataProbe:
    """One line of the probe data file."""

    attack: str
    origin: str


@cache
def builtin_probes() -> tuple[DataProbe, ...]:
    """The shared-hosting and private-network probes shipped in ``data/probe_origins.txt``."""
    text = resources.files("pytest_cors").joinpath("data/probe_origins.txt").read_text("utf-8")
    return parse_probe_data(text)


def parse_probe_data(text: str, name: str = "probe_origins.txt") -> tuple[DataProbe, ...]:
    """Read a probe data file: ``ATTACK-CLASS ORIGIN`` per line, ``#`` comments.

    Raises ``ValueError`` naming the line for an unknown class or an origin a browser could
    never send.
    """
    probes = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or parts[0] not in ATTACKS:
            raise ValueError(
                f"{name}:{number}: expected 'ATTACK-CLASS ORIGIN' with a class among "
                f"{', '.join(sorted(ATTACKS))}, got {raw.strip()!r}"
            )
        try:
            parse_origin(parts[1])
        except ValueError as exc:
            raise ValueError(f"{name}:{number}: {exc}") from None
        probes.append(DataProbe(parts[0], parts[1]))
    return tuple(probes)


def random_origin(seed: int | str, scope: str) -> str:
    """An unrelated origin no contract would list, drawn from ``seed`` and ``scope``.

    String seeding is stable across processes (unlike ``hash()``), so the same seed and scope
    give the same origin in every run and in every pytest-xdist worker.
    """
    rng = random.Random(f"pytest-cors:{seed}:{scope}")
    letters = "abcdefghijklmnopqrstuvwxyz"
    name = "".join(rng.choice(letters) for _ in range(10))
    tld = rng.choice(("com", "net", "org", "io"))
    return f"https://{name}.{tld}"


def generate_probes(
    allow: Iterable[RuleLike],
    *,
    seed: int | str,
    scope: str,
    allows: Callable[[str], bool],
    deny: Sequence[Origin | str] = (),
    extra: Sequence[Origin | str] = (),
    data: Sequence[DataProbe] | None = None,
) -> list[Probe]:
    """Every adversarial probe for one policy, in a stable order, without duplicates.

    ``allows(origin)`` says whether the contract means an origin to be allowed; such origins are
    dropped, since a probe is an origin that must be refused. ``scope`` (the policy name) and
    ``seed`` pick the random origin. The random origin comes first, with and without
    credentials; then ``null``, the ``deny`` origins, the ``extra`` probes, the origins derived
    from each allowed entry, and the shared-hosting and private-network data.
    """
    candidates: list[Probe] = []
    unrelated = random_origin(seed, scope)
    candidates.append(Probe(unrelated, "random-origin", "random", credentials=True))
    candidates.append(Probe(unrelated, "random-origin", "random", credentials=False))
    candidates.append(Probe("null", "null"))
    candidates += [Probe(str(o), "denied", "origins.deny") for o in deny]
    candidates += [Probe(str(o), "custom", "probes") for o in extra]
    for rule in allow:
        candidates += _derive_rule(rule)
    rows = builtin_probes() if data is None else data
    candidates += [Probe(row.origin, row.attack, "probe data") for row in rows]
    seen: set[tuple[str, bool | None]] = set()
    out = []
    for probe in candidates:
        key = (probe.origin, probe.credentials)
        if key in seen or _invalid(probe.origin) or allows(probe.origin):
            continue
        seen.add(key)
        out.append(probe)
    return out


def _invalid(origin: str) -> bool:
    try:
        parse_origin(origin)
    except ValueError:
        return True
    return False
