"""Validate a contract's marked tree, top level down, into the typed :class:`Contract`.

The top-level keys are checked here (``version``, ``target``, ``coverage``, ...); each policy
and ``defaults`` go to :class:`~pytest_cors.contract.validate_policy.PolicyChecks`. Every
problem is collected in the shared :class:`~pytest_cors.contract.validate_values.ValueChecks`,
so that one run reports them all; a contract is only returned when there is none.
"""

from __future__ import annotations

import re

from pytest_cors.contract.drafts import Level
from pytest_cors.contract.keys import (
    COVERAGE_KEYS,
    POLICY_KEYS,
    TARGET_KEYS,
    TOP_KEYS,
    Setting,
    misspelt,
)
from pytest_cors.contract.model import (
    DEFAULT_BROWSERS,
    Contract,
    ContractTarget,
    Coverage,
    Mark,
    Policy,
)
from pytest_cors.contract.validate_policy import PolicyChecks
from pytest_cors.contract.validate_values import Bad, Entries, ValueChecks, base_url_problem
from pytest_cors.contract.yaml_source import Map, Raw, Scalar, Seq, describe

SUPPORTED_VERSIONS = (1,)
"""The contract format versions this release reads."""

_APP = re.compile(
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?", re.ASCII
)
_EMPTY = "the contract is empty; it needs at least 'version: 1' and a 'policies' list"


class ContractChecks:
    """Checks a whole contract, reporting through the :class:`ValueChecks` it is given."""

    def __init__(self, values: ValueChecks) -> None:
        self.values = values
        self.policy_checks = PolicyChecks(values)

    def contract(self, root: Raw | None) -> Contract | None:
        """The contract ``root`` holds (``None`` for an empty file), or ``None`` when any
        problem was reported."""
        if root is None:
            self.values.error(Mark(self.values.file, 1, 1), _EMPTY)
            return None
        if isinstance(root, Scalar) and root.value is None and not root.bad:
            self.values.error(root.mark, _EMPTY)
            return None
        entries = self.values.mapping(
            root,
            "the contract (version, policies, ...)",
            TOP_KEYS,
            "at the top level",
            top_level=True,
        )
        if entries is None or not isinstance(root, Map):
            return None
        marks = {key: key_mark for key, (key_mark, _) in entries.items()}
        version = self.version(entries, root)
        if version is None:
            return None
        description = None
        if "description" in entries:
            got = self.values.string(entries["description"][1], "'description'", empty_ok=True)
            description = got if isinstance(got, str) else None
        target = self.target(entries["target"]) if "target" in entries else None
        browsers: tuple[str, ...] = DEFAULT_BROWSERS
        if "browsers" in entries:
            got_browsers = self.policy_checks.policy_value(
                Setting.BROWSERS, entries["browsers"][1], marks
            )
            if not isinstance(got_browsers, Bad):
                browsers = tuple(got_browsers)
        seed = None
        if "seed" in entries:
            got_seed = self.values.integer(entries["seed"][1], "seed")
            seed = got_seed if isinstance(got_seed, int) else None
        coverage = self.coverage(entries["coverage"]) if "coverage" in entries else None
        defaults = Level()
        if "defaults" in entries:
            found = self.values.mapping(
                entries["defaults"][1], "'defaults'", POLICY_KEYS, "in defaults"
            )
            if found is not None:
                defaults = self.policy_checks.level(found, defaults=True)
                marks.update({f"defaults.{path}": mark for path, mark in defaults.marks.items()})
        policies = self.policies(entries, root, defaults, browsers, marks)
        if self.values.diagnostics or policies is None:
            return None
        return Contract(
            file=self.values.file,
            version=version,
            mark=root.mark,
            policies=policies,
            description=description,
            target=target,
            browsers=browsers,
            seed=seed,
            coverage=coverage,
            marks=marks,
        )

    def coverage(self, item: tuple[Mark, Raw]) -> Coverage | None:
        """``coverage``: every route of the app must belong to a policy, or be ignored."""
        key_mark, node = item
        entries = self.values.mapping(node, "'coverage'", COVERAGE_KEYS, "in coverage")
        if entries is None:
            return None
        marks = {key: mark for key, (mark, _) in entries.items()}
        if "routes" not in entries:
            self.values.error(
                node.mark, "'coverage' needs 'routes: all' (the routes every policy covers)"
            )
            return None
        routes_node = entries["routes"][1]
        routes = self.values.string(routes_node, "'coverage.routes'")
        if isinstance(routes, Bad):
            return None
        if routes != "all":
            self.values.error(routes_node.mark, f"'coverage.routes' must be 'all', got {routes!r}")
            return None
        ignore: tuple[str, ...] = ()
        if "ignore" in entries:
            got = self.values.items(
                entries["ignore"][1],
                "coverage.ignore",
                "pattern",
                lambda n: self.values.string(n, "a pattern in 'coverage.ignore'"),
                marks=marks,
                path="ignore",
                identity=lambda text: text,
            )
            if isinstance(got, Bad):
                return None
            ignore = got
        openapi = None
        if "openapi" in entries:
            got_openapi = self.values.string(entries["openapi"][1], "'coverage.openapi'")
            if isinstance(got_openapi, Bad):
                return None
            openapi = got_openapi
        return Coverage("all", key_mark, ignore=ignore, openapi=openapi, marks=marks)

    def version(self, entries: Entries, root: Map) -> int | None:
        """The format version; ``None`` for one this release cannot read (then nothing else
        is checked). A missing or mistyped version is reported and read as the newest."""
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        if "version" not in entries:
            if misspelt(root.entries, "version", TOP_KEYS):
                return SUPPORTED_VERSIONS[-1]
            self.values.error(
                root.mark,
                f"missing required key 'version'; start the contract with 'version: "
                f"{SUPPORTED_VERSIONS[-1]}'",
            )
            return SUPPORTED_VERSIONS[-1]
        node = entries["version"][1]
        value = node.value if isinstance(node, Scalar) else None
        if isinstance(value, int) and not isinstance(value, bool):
            if value in SUPPORTED_VERSIONS:
                return value
            self.values.error(
                node.mark,
                f"unknown version {value}; this pytest-cors reads contract version {supported}",
            )
            return None
        if node.bad:
            return SUPPORTED_VERSIONS[-1]
        hint = ""
        if isinstance(value, (str, float)) and str(value).strip() in ("1", "1.0"):
            hint = "; did you mean 1?"
        self.values.error(
            node.mark, f"'version' must be an integer ({supported}), got {describe(node)}{hint}"
        )
        return SUPPORTED_VERSIONS[-1]

    def target(self, item: tuple[Mark, Raw]) -> ContractTarget | None:
        """``target``: an importable app or a live base URL, not both."""
        key_mark, node = item
        entries = self.values.mapping(node, "'target'", TARGET_KEYS, "in target")
        if entries is None:
            return None
        if not entries:
            if isinstance(node, Map) and not node.entries:
                self.values.error(node.mark, "'target' is empty; give 'app' or 'base_url'")
            return None
        if len(entries) == 2:
            self.values.error(
                entries["base_url"][0],
                "give either 'target.app' or 'target.base_url', not both",
            )
            return None
        marks = {key: mark for key, (mark, _) in entries.items()}
        if "app" in entries:
            app_node = entries["app"][1]
            app = self.values.string(app_node, "'target.app'")
            if isinstance(app, Bad):
                return None
            if not _APP.fullmatch(app):
                hint = f"; did you mean '{app}:app'?" if ":" not in app and app else ""
                self.values.error(
                    app_node.mark,
                    f"'target.app' {app!r} must be 'module:attribute' (an app) or "
                    f"'module:factory()', e.g. 'myproject.asgi:app'{hint}",
                )
                return None
            return ContractTarget(app, None, key_mark, marks=marks)
        url_node = entries["base_url"][1]
        url = self.values.string(url_node, "'target.base_url'")
        if isinstance(url, Bad):
            return None
        problem = base_url_problem(url)
        if problem:
            self.values.error(url_node.mark, problem)
            return None
        return ContractTarget(None, url, key_mark, marks=marks)

    def policies(
        self,
        entries: Entries,
        root: Map,
        defaults: Level,
        browsers: tuple[str, ...],
        marks: dict[str, Mark],
    ) -> tuple[Policy, ...] | None:
        """The policies, each merged with ``defaults``; the marks of each go to ``marks``."""
        if "policies" not in entries:
            if misspelt(root.entries, "policies", TOP_KEYS):
                return None
            self.values.error(
                root.mark,
                "missing required key 'policies'; list at least one policy (name, paths, ...)",
            )
            return None
        node = entries["policies"][1]
        if not isinstance(node, Seq):
            if not node.bad:
                self.values.error(node.mark, f"'policies' must be a list, got {describe(node)}")
            return None
        if not node.items:
            self.values.error(node.mark, "'policies' must list at least one policy")
            return None
        names: dict[str, Mark] = {}
        result = []
        for index, item in enumerate(node.items):
            marks[f"policies[{index}]"] = item.mark
            policy = self.policy_checks.policy(item, index + 1, defaults, browsers, names)
            if policy is not None:
                result.append(policy)
        return tuple(result)
