"""The typed, validated contract: what the loader returns and the checks are built from.

Every object keeps where it came from. ``obj.mark`` is the start of its YAML node, and
``obj.where("methods[2]")`` gives the mark of any field (falling back to the nearest enclosing
one), so a check that fails can always name the contract line that asked for it. Values taken
from ``defaults`` carry the marks of the ``defaults`` lines they were written on.

Nothing here imports YAML: the model is plain data, cheap to import from the plugin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pytest_cors.engine.profiles import PROFILES
from pytest_cors.errors import Diagnostic, hide_user_error
from pytest_cors.origin import Origin

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

BROWSER_PROFILES = tuple(PROFILES)
"""The browser profile names a contract may list under ``browsers``."""

FAULTS = ("not_found", "exception", "method_not_allowed")
"""The faults a policy's ``faults`` may list: error answers that must still carry CORS headers."""
LIVE_FAULTS = ("not_found", "method_not_allowed")
"""The faults that apply to a live server (``exception`` needs the app in this process)."""

DEFAULT_BROWSERS = ("chromium",)
DEFAULT_METHODS = ("GET",)

INITIATOR_ELEMENTS = ("font", "img", "script", "module", "stylesheet", "video", "audio")
"""The elements a policy's ``initiators`` may name (see :func:`pytest_cors.simulate_load`)."""
INITIATOR_NAMES = ("fetch", "xhr", "eventsource", "beacon", *INITIATOR_ELEMENTS)
"""Every plain item of a policy's ``initiators``."""
CROSSORIGIN_VALUES = ("anonymous", "use-credentials")
"""The values of ``crossorigin`` in an ``initiators`` entry ``{element: ..., crossorigin: ...}``."""


@dataclass(frozen=True)
class Initiator:
    """One entry of a policy's ``initiators``: what the page reaches its paths with.

    ``name`` is ``fetch``, ``xhr``, ``eventsource``, ``beacon`` or an element (see
    :data:`INITIATOR_ELEMENTS`); ``crossorigin`` is the element's attribute (``None``: none).
    """

    name: str
    crossorigin: str | None = None

    @property
    def element(self) -> bool:
        """Whether this is an element's load (``simulate_load``)."""
        return self.name in INITIATOR_ELEMENTS

    @property
    def label(self) -> str:
        """As a check's id and messages name it: ``font``, ``img crossorigin=anonymous``."""
        if self.crossorigin is None:
            return self.name
        return f"{self.name} crossorigin={self.crossorigin}"


FETCH = Initiator("fetch")
DEFAULT_INITIATORS = (FETCH,)


@dataclass(frozen=True)
class Mark:
    """A place in a contract file: 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def diagnostic(self, message: str) -> Diagnostic:
        """A diagnostic at this place, for layers that find problems after loading."""
        return Diagnostic(self.file, self.line, self.column, message)


_FIELD_TAIL = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


class _Located:
    """Shared location look-up for model objects that carry ``mark`` and ``marks``."""

    mark: Mark
    marks: Mapping[str, Mark]

    def where(self, field_path: str = "") -> Mark:
        """The mark of ``field_path`` (``"origins.allow[1]"``), else of its nearest parent.

        Never fails: an unknown or defaulted field falls back to the object's own mark.
        """
        path = field_path
        while path:
            found = self.marks.get(path)
            if found is not None:
                return found
            tail = _FIELD_TAIL.search(path)
            if tail is None or tail.start() == 0:
                break
            path = path[: tail.start()]
        return self.mark


@dataclass(frozen=True)
class OriginRule(_Located):
    """One entry of ``origins.allow``: an exact origin, a subdomain pattern or a regex.

    ``text`` is the entry as written (for a regex, the pattern itself). For ``subdomain``
    rules ``scheme``, ``suffix`` and ``port`` describe ``scheme://*.suffix[:port]``, where the
    ``*`` stands for one or more whole labels.
    """

    kind: Literal["exact", "subdomain", "regex"]
    text: str
    mark: Mark
    origin: Origin | None = None
    scheme: str = ""
    suffix: str = ""
    port: int | None = None
    regex: re.Pattern[str] | None = field(default=None, compare=False)
    marks: Mapping[str, Mark] = field(default_factory=dict, repr=False, compare=False)

    def matches(self, origin: Origin | str) -> bool:
        """Whether a browser ``Origin`` (object or serialisation) is allowed by this rule."""
        text = origin.serialize() if isinstance(origin, Origin) else origin
        if self.kind == "exact":
            return self.origin is not None and text == self.origin.serialize()
        if self.kind == "regex":
            return self.regex is not None and self.regex.fullmatch(text) is not None
        prefix = f"{self.scheme}://"
        if not text.startswith(prefix):
            return False
        authority = text[len(prefix) :]
        port_suffix = "" if self.port is None else f":{self.port}"
        if not authority.endswith(port_suffix):
            return False
        host = authority[: len(authority) - len(port_suffix)] if port_suffix else authority
        if ":" in host or "/" in host:
            return False
        labels = host[: -len(self.suffix) - 1] if host.endswith("." + self.suffix) else ""
        return bool(labels) and all(labels.split("."))


@dataclass(frozen=True)
class AllowedFinding(_Located):
    """A finding silenced in a policy, with the reason the team accepted it."""

    id: str
    reason: str
    mark: Mark
    marks: Mapping[str, Mark] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class MaxAgeBounds:
    """The accepted ``Access-Control-Max-Age`` range in seconds; ``None`` is unbounded."""

    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class ContractTarget(_Located):
    """Where the contract runs by default: an importable app or a live base URL."""

    app: str | None
    base_url: str | None
    mark: Mark
    marks: Mapping[str, Mark] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Coverage(_Located):
    """The contract's ``coverage`` key: every route the app serves must have a policy.

    ``ignore`` holds glob patterns matched against a route's path template and its name;
    ``openapi`` is an OpenAPI document (a path relative to the contract) to read the routes
    from instead of the app.
    """

    routes: Literal["all"]
    mark: Mark
    ignore: tuple[str, ...] = ()
    openapi: str | None = None
    marks: Mapping[str, Mark] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Policy(_Located):
    """One policy with ``defaults`` applied: every field holds its effective value.

    ``inherited`` names the fields (``"methods"``, ``"origins.allow"``, ...) whose value came
    from ``defaults``; their marks point into ``defaults``.
    """

    name: str
    mark: Mark
    paths: tuple[str, ...]
    description: str | None = None
    error_paths: tuple[str, ...] = ()
    faults: tuple[str, ...] | None = None
    """The faults to check (see :data:`FAULTS`); ``None``: all that apply to the target."""
    allow: tuple[OriginRule, ...] = ()
    deny: tuple[Origin, ...] = ()
    methods: tuple[str, ...] = DEFAULT_METHODS
    request_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    credentials: bool = False
    max_age: MaxAgeBounds = MaxAgeBounds()
    public: bool = False
    cors: bool = True
    vary: bool = True
    private_network: bool = False
    browsers: tuple[str, ...] = DEFAULT_BROWSERS
    probes: tuple[Origin, ...] = ()
    allow_findings: tuple[AllowedFinding, ...] = ()
    initiators: tuple[Initiator, ...] = DEFAULT_INITIATORS
    """What the page reaches the paths with; the allowed checks run each (default: fetch)."""
    inherited: frozenset[str] = frozenset()
    marks: Mapping[str, Mark] = field(default_factory=dict, repr=False, compare=False)

    def allows(self, origin: Origin | str) -> bool:
        """Whether the contract means ``origin`` to be allowed by this policy."""
        if not self.cors:
            return False
        if self.public:
            return True
        return any(rule.matches(origin) for rule in self.allow)

    def faults_for(self, *, live: bool | None) -> tuple[str, ...]:
        """The faults checked against a target: the listed ones, else all that apply
        (``live`` unknown: all, those that do not apply are then reported as such)."""
        if self.faults is not None:
            return self.faults
        return LIVE_FAULTS if live else FAULTS

    def allowed_by(self, origin: Origin | str) -> OriginRule | None:
        """The first ``origins.allow`` rule that admits ``origin``, if any."""
        return next((rule for rule in self.allow if rule.matches(origin)), None)

    def silenced(self, finding_id: str) -> AllowedFinding | None:
        """The ``allow_findings`` entry silencing ``finding_id`` in this policy, if any."""
        return next((f for f in self.allow_findings if f.id == finding_id), None)


@dataclass(frozen=True)
class Contract(_Located):
    """A whole contract file, validated."""

    file: str
    version: int
    mark: Mark
    policies: tuple[Policy, ...]
    description: str | None = None
    target: ContractTarget | None = None
    browsers: tuple[str, ...] = DEFAULT_BROWSERS
    seed: int | None = None
    coverage: Coverage | None = None
    marks: Mapping[str, Mark] = field(default_factory=dict, repr=False, compare=False)

    def policy(self, name: str) -> Policy:
        """The policy called ``name`` (``KeyError`` if there is none)."""
        for policy in self.policies:
            if policy.name == name:
                return policy
        raise KeyError(name)
