"""The keys a contract may hold, where each one belongs, and "did you mean" for the others."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Collection

TOP_KEYS = (
    "version",
    "description",
    "target",
    "browsers",
    "seed",
    "coverage",
    "defaults",
    "policies",
)
COVERAGE_KEYS = ("routes", "ignore", "openapi")
TARGET_KEYS = ("app", "base_url")


class Setting(enum.Enum):
    """A policy-level setting; ``ORIGINS`` and ``MAX_AGE`` are the mappings that hold two."""

    NAME = "name"
    DESCRIPTION = "description"
    PATHS = "paths"
    ERROR_PATHS = "error_paths"
    FAULTS = "faults"
    ORIGINS = "origins"
    ORIGINS_ALLOW = "origins.allow"
    ORIGINS_DENY = "origins.deny"
    METHODS = "methods"
    REQUEST_HEADERS = "request_headers"
    EXPOSE_HEADERS = "expose_headers"
    CREDENTIALS = "credentials"
    MAX_AGE = "max_age"
    MAX_AGE_MIN = "max_age.min"
    MAX_AGE_MAX = "max_age.max"
    PUBLIC = "public"
    CORS = "cors"
    VARY = "vary"
    PRIVATE_NETWORK = "private_network"
    INITIATORS = "initiators"
    BROWSERS = "browsers"
    PROBES = "probes"
    ALLOW_FINDINGS = "allow_findings"

    @property
    def field(self) -> str:
        """The :class:`~pytest_cors.contract.drafts.Settings` field holding this setting's value."""
        return self.name.lower()

    @property
    def parent(self) -> Setting | None:
        """The mapping this setting is written under (``origins`` for ``origins.allow``)."""
        return _PARENTS.get(self)


_PARENTS = {
    Setting.ORIGINS_ALLOW: Setting.ORIGINS,
    Setting.ORIGINS_DENY: Setting.ORIGINS,
    Setting.MAX_AGE_MIN: Setting.MAX_AGE,
    Setting.MAX_AGE_MAX: Setting.MAX_AGE,
}
NESTED: dict[Setting, tuple[tuple[str, Setting], tuple[str, Setting]]] = {
    Setting.ORIGINS: (("allow", Setting.ORIGINS_ALLOW), ("deny", Setting.ORIGINS_DENY)),
    Setting.MAX_AGE: (("min", Setting.MAX_AGE_MIN), ("max", Setting.MAX_AGE_MAX)),
}
"""The two settings under each mapping, with their keys in it."""
POLICY_KEYS = tuple(setting.value for setting in Setting if setting.parent is None)
"""The keys of a policy (and of ``defaults``), in the order the documentation lists them."""
NOT_IN_DEFAULTS = {
    "name": "'name' cannot be set in defaults; each policy names itself",
    "paths": "'paths' cannot be set in defaults; each policy lists its own",
    "description": "'description' cannot be set in defaults; describe each policy itself",
}
DEFAULTS_KEYS = tuple(k for k in POLICY_KEYS if k not in NOT_IN_DEFAULTS)


class Home(enum.Enum):
    """Where a key belongs, as an unknown-key message says it ("it goes <home>")."""

    TOP = "at the top level"
    COVERAGE = "under 'coverage'"
    POLICY_OR_DEFAULTS = "in a policy or in 'defaults'"
    POLICY = "in a policy"
    ORIGINS = "under 'origins'"
    MAX_AGE = "under 'max_age'"
    TARGET = "under 'target'"
    FINDING = "in an 'allow_findings' entry"
    ALLOW_ENTRY = "in an 'origins.allow' entry"
    INITIATOR = "in an 'initiators' entry"

    @property
    def inside_a_policy(self) -> bool:
        """Whether the key is at home in a policy (or in one of its ``allow_findings``
        entries). Met in another mapping of a policy, such a key is more likely a slip among
        that mapping's own keys, so only the top level says where it goes."""
        return self in (Home.POLICY_OR_DEFAULTS, Home.POLICY, Home.FINDING)


HOMES: dict[str, Home] = {
    **dict.fromkeys(("version", "target", "seed", "coverage", "defaults", "policies"), Home.TOP),
    **dict.fromkeys(COVERAGE_KEYS, Home.COVERAGE),
    **dict.fromkeys(DEFAULTS_KEYS, Home.POLICY_OR_DEFAULTS),
    "name": Home.POLICY,
    "paths": Home.POLICY,
    "allow": Home.ORIGINS,
    "deny": Home.ORIGINS,
    "min": Home.MAX_AGE,
    "max": Home.MAX_AGE,
    "app": Home.TARGET,
    "base_url": Home.TARGET,
    "id": Home.FINDING,
    "reason": Home.FINDING,
    "regex": Home.ALLOW_ENTRY,
    "element": Home.INITIATOR,
    "crossorigin": Home.INITIATOR,
}


def suggest(key: str, allowed: Collection[str]) -> str | None:
    """The allowed key a user most likely meant by ``key``, if one is close enough."""
    lowered = key.lower()
    for candidate in sorted(allowed):
        if candidate.lower() == lowered:
            return candidate
    for candidate in sorted(allowed, key=len, reverse=True):
        prefix = lowered.startswith(candidate) or candidate.startswith(lowered)
        if prefix and min(len(candidate), len(lowered)) >= 3:
            return candidate
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.7)
    return close[0] if close else None


def misspelt(written: Collection[str], key: str, allowed: Collection[str]) -> bool:
    """Whether the ``written`` keys hold a misspelling of ``key`` (or a merge key that may
    supply it).

    A missing required key is then not reported: the "did you mean" already says it.
    """
    return any(k == "<<" or (k not in allowed and suggest(k, allowed) == key) for k in written)
