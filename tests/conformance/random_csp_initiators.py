"""Random ``csp-initiators`` cases from the run's seed: a random page policy against a random
initiator, its options and a random CORS answer.

The fixed table (:mod:`.csp_initiators`) checks one directive rule at a time; here a page's
policy sets several directives at once (the initiator's own, its parents, ``default-src`` and
unrelated ones), each with a source list that does or does not match the resource's origin
(``http://localhost:PORT2``; the page is ``http://localhost:PORT``): the origin itself, a scheme
source, a port wildcard, a path, ``'self'`` (another port: no match), ``'none'``, a host without
its port (the default port: no match), another origin ... and sometimes two policies (a comma),
both of which must allow. The initiator's ``crossorigin``, ``withCredentials`` or body type and
the CORS answer (often wrong) vary too, so a CSP refusal, a CORS failure and success all occur.

Each case also says whether the policy allows the URL (``allowed``), worked out from how its
sources were drawn; a browser-free test holds that to the engine's own CSP matcher.
"""

from __future__ import annotations

import os
import random

from .csp_initiators import DIRECTIVES, CspCase
from .initiators import Case
from .random_initiators import cors_answer, initiator_options
from .randomized import SEED, SEED_ENV

COUNT_ENV = "PYTEST_CORS_RANDOM_CSP_INITIATORS_COUNT"
#: One page load per case and engine (about a tenth of a second each).
DEFAULT_COUNT = 40
KINDS = tuple(DIRECTIVES)

#: The directives that decide for each initiator's own directive, most specific first.
CHAINS = {
    "img-src": ("img-src", "default-src"),
    "font-src": ("font-src", "default-src"),
    "media-src": ("media-src", "default-src"),
    "connect-src": ("connect-src", "default-src"),
    "script-src-elem": ("script-src-elem", "script-src", "default-src"),
    "style-src-elem": ("style-src-elem", "style-src", "default-src"),
}
ALL_DIRECTIVES = tuple(sorted({name for chain in CHAINS.values() for name in chain}))
#: Sources that match ``http://localhost:PORT2/s/<sid>/r`` on a page at ``http://localhost:PORT``.
MATCHING = (
    "{LOCAL2}",
    "localhost:{PORT2}",
    "http:",
    "*",
    "http://localhost:*",
    "{LOCAL2}/s/",
    "{LOCAL2}/s/{SID}/r",
)
#: Sources that do not: the page's own origin, another scheme, port, host or path.
MISSING = (
    "'self'",
    "{LOCAL}",
    "https:",
    "localhost",
    "http://localhost:1",
    "127.0.0.1:{PORT2}",
    "{LOCAL2}/x/",
    "{APP}",
    "data:",
    "'unsafe-inline'",
)


def _sources(rng: random.Random) -> tuple[str, bool]:
    """A source list and whether it matches the resource's URL (``'none'`` stays alone)."""
    if rng.random() < 0.15:
        return "'none'", False
    picked = rng.sample(MATCHING + MISSING + MISSING, rng.randint(1, 3))
    return " ".join(dict.fromkeys(picked)), any(source in MATCHING for source in picked)


def _policy(rng: random.Random, kind: str) -> tuple[str, bool]:
    """One serialized policy and whether it allows the initiator's request."""
    chain = CHAINS[DIRECTIVES[kind]]
    names = list(chain) + rng.sample([d for d in ALL_DIRECTIVES if d not in chain], 2)
    if kind == "font":
        # the @font-face rule is an inline <style>: its own directives stay out of the way
        names = [n for n in names if n not in ("style-src", "style-src-elem")]
    picked = rng.sample(names, rng.randint(1, min(3, len(names))))
    verdicts: dict[str, bool] = {}
    parts = []
    for name in picked:
        sources, matches = _sources(rng)
        verdicts[name] = matches
        parts.append(f"{name} {sources}")
    if kind == "font":
        parts.append("style-src 'unsafe-inline'")
    governing = next((name for name in chain if name in verdicts), None)
    return "; ".join(parts), governing is None or verdicts[governing]


def generate(seed: int, count: int = DEFAULT_COUNT) -> list[CspCase]:
    """``count`` cases, the same ones for the same seed (a stream of this family's own)."""
    rng = random.Random(f"{seed}:csp-initiators")
    out = []
    for index in range(count):
        kind = rng.choice(KINDS)
        options = initiator_options(rng, kind)
        policy, allowed = _policy(rng, kind)
        if rng.random() < 0.25:  # two policies: each one must allow the URL
            second, second_allows = _policy(rng, kind)
            policy, allowed = f"{policy}, {second}", allowed and second_allows
        case = Case(
            f"ini-csp-rnd-{index:03d}",
            kind,
            "none",
            cors_lines=cors_answer(rng),
            title=f"random #{index} (seed {seed}; replay: {SEED_ENV}={seed})",
            **options,  # type: ignore[arg-type]
        )
        verdict = "allowed" if allowed else "refused"
        out.append(CspCase(case, policy, f"random #{index}, {verdict} (seed {seed})", allowed))
    return out


RANDOM_CSP_INITIATOR_CASES: list[CspCase] = generate(
    SEED, int(os.environ.get(COUNT_ENV, DEFAULT_COUNT))
)
