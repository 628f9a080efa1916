"""Validate one policy (or ``defaults``) into typed :class:`Settings`, merge it with
``defaults``, check the rules between its values, and build the :class:`Policy`."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from pytest_cors.contract.deprecations import PRIVATE_NETWORK as PRIVATE_NETWORK_DEPRECATED
from pytest_cors.contract.deprecations import warn_deprecated
from pytest_cors.contract.drafts import Level, Merged, Settings
from pytest_cors.contract.keys import NESTED, NOT_IN_DEFAULTS, POLICY_KEYS, Setting, misspelt
from pytest_cors.contract.model import (
    DEFAULT_INITIATORS,
    DEFAULT_METHODS,
    AllowedFinding,
    Mark,
    MaxAgeBounds,
    OriginRule,
    Policy,
)
from pytest_cors.contract.validate_origins import OriginChecks, RuleIndex
from pytest_cors.contract.validate_values import BAD, Bad, Entries, ValueChecks
from pytest_cors.contract.yaml_source import Map, Raw, Scalar, describe
from pytest_cors.origin import Origin

_POLICY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_FLAGS = (
    Setting.CREDENTIALS,
    Setting.PUBLIC,
    Setting.CORS,
    Setting.VARY,
    Setting.PRIVATE_NETWORK,
)

ListSpec = tuple[str, Callable[[Raw], Any], Callable[[Any], Hashable], bool]
"""How a list setting is checked: its items' noun, the item check, what makes two items the
same, and whether it must list at least one."""


class PolicyChecks:
    """Checks policies, reporting through the :class:`ValueChecks` it is given."""

    def __init__(self, values: ValueChecks) -> None:
        self.values = values
        self.origins = OriginChecks(values)
        self.cache: dict[tuple[Any, ...], tuple[Any, Any]] = {}  # kept values pin the ids
        self.lists: dict[Setting, ListSpec] = {
            Setting.PATHS: ("path", lambda n: values.path(n, "paths"), str, True),
            Setting.ERROR_PATHS: ("path", lambda n: values.path(n, "error_paths"), str, False),
            Setting.METHODS: ("method", values.method, str, True),
            Setting.REQUEST_HEADERS: (
                "header",
                lambda n: values.header(n, Setting.REQUEST_HEADERS),
                str.lower,
                False,
            ),
            Setting.EXPOSE_HEADERS: (
                "header",
                lambda n: values.header(n, Setting.EXPOSE_HEADERS),
                str.lower,
                False,
            ),
            Setting.BROWSERS: ("browser profile", values.browser, str, True),
            Setting.INITIATORS: ("initiator", values.initiator, lambda i: i.label, True),
            Setting.FAULTS: ("fault", values.fault, str, False),
            Setting.PROBES: (
                "origin",
                lambda n: self.origins.concrete_origin(n, "probes"),
                lambda o: o,
                False,
            ),
            Setting.ORIGINS_ALLOW: (
                "origin",
                self.origins.allow_rule,
                lambda rule: (rule.kind, rule.text),
                False,
            ),
            Setting.ORIGINS_DENY: (
                "origin",
                lambda n: self.origins.concrete_origin(n, "origins.deny"),
                lambda o: o,
                False,
            ),
        }

    def level(self, entries: Entries, *, defaults: bool = False) -> Level:
        """Check every policy-level key of a policy or of ``defaults``."""
        found: dict[Setting, Any] = {}
        out = Level()
        for key, (key_mark, node) in entries.items():
            if defaults and key in NOT_IN_DEFAULTS:
                self.values.error(key_mark, NOT_IN_DEFAULTS[key])
                continue
            out.marks[key] = key_mark
            setting = Setting(key)
            if setting in NESTED:
                self.nested(setting, node, out, found)
                continue
            out.present.add(setting)
            value = self.policy_value(setting, node, out.marks)
            if not isinstance(value, Bad):
                found[setting] = value
        out.settings = Settings.of(found)
        return out

    def nested(self, key: Setting, node: Raw, out: Level, found: dict[Setting, Any]) -> None:
        """The two settings under ``origins`` or ``max_age``."""
        subs = dict(NESTED[key])
        subkeys = tuple(subs)
        if not isinstance(node, Map) and not node.bad:
            shape = (
                "{allow: [...], deny: [...]}" if key is Setting.ORIGINS else "{min: ..., max: ...}"
            )
            self.values.error(
                node.mark, f"'{key.value}' must be a mapping, got {describe(node)}; write {shape}"
            )
            out.present.add(key)
            return
        entries = self.values.mapping(node, f"'{key.value}'", subkeys, f"in '{key.value}'")
        if isinstance(node, Map) and not node.entries:
            self.values.error(
                node.mark,
                f"'{key.value}' is empty; give '{subkeys[0]}' and/or '{subkeys[1]}'",
            )
        if entries is None or not entries:
            out.present.add(key)  # written, but unusable: reported above
            return
        for sub, (sub_mark, sub_node) in entries.items():
            setting = subs[sub]
            flat = setting.value
            out.present.add(setting)
            out.marks[flat] = sub_mark
            value: Any
            if key is Setting.MAX_AGE:
                value = self.values.integer(sub_node, flat)
            else:
                value = self.listed(setting, sub_node, out.marks)
            if not isinstance(value, Bad):
                found[setting] = value

    def policy_value(self, key: Setting, node: Raw, marks: dict[str, Mark]) -> Any:
        """The valid value of the (not nested) setting ``key``, or :data:`BAD`."""
        if key in _FLAGS:
            return self.values.boolean(node, key.value)
        if key is Setting.DESCRIPTION:
            return self.values.string(node, "'description'", empty_ok=True)
        if key is Setting.NAME:
            return self.policy_name(node)
        if key is Setting.ALLOW_FINDINGS:
            counter = iter(range(1 << 30))

            def one(n: Raw) -> AllowedFinding | Bad:
                return self.values.finding(n, marks, f"allow_findings[{next(counter)}]")

            return self.values.items(
                node,
                key.value,
                "finding",
                one,
                marks=marks,
                path=key.value,
                identity=lambda f: f.id,
            )
        return self.listed(key, node, marks)

    def listed(self, key: Setting, node: Raw, marks: dict[str, Mark]) -> Any:
        """The valid value of the list setting ``key``, or :data:`BAD`."""
        noun, item, identity, at_least_one = self.lists[key]
        return self.values.items(
            node,
            key.value,
            noun,
            item,
            marks=marks,
            path=key.value,
            identity=identity,
            at_least_one=at_least_one,
        )

    def policy_name(self, node: Raw) -> str | Bad:
        """A name fit for a test id; another gets a cleaned-up "did you mean"."""
        name = self.values.string(node, "'name'")
        if isinstance(name, Bad):
            return BAD
        if _POLICY_NAME.fullmatch(name):
            return name
        fixed = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-_.")[:64]
        hint = f"; did you mean {fixed!r}?" if fixed else ""
        self.values.error(
            node.mark,
            f"policy name {name!r} may only hold letters, digits, '-', '_' and '.' (at most 64; "
            f"it is part of every test id){hint}",
        )
        return BAD

    def policy(
        self,
        node: Raw,
        number: int,
        defaults: Level,
        contract_browsers: tuple[str, ...],
        names: dict[str, Mark],
    ) -> Policy | None:
        """The policy ``node`` holds (the ``number``-th), merged with ``defaults``; ``None``
        when it cannot be built. ``names`` collects the names seen, to refuse a repeat."""
        label = f"policy #{number}"
        if isinstance(node, Map) and "name" in node.entries:
            name_node = node.entries["name"][1]
            if isinstance(name_node, Scalar) and isinstance(name_node.value, str):
                label = f"policy {name_node.value!r}"
        entries = self.values.mapping(node, label, POLICY_KEYS, f"in {label}")
        if entries is None or not isinstance(node, Map):
            return None
        own = self.level(entries)
        for required in (Setting.NAME, Setting.PATHS):
            if required not in own.present and not misspelt(
                node.entries, required.value, POLICY_KEYS
            ):
                self.values.error(node.mark, f"{label} is missing required key '{required.value}'")
        name = own.settings.name
        if name is not None:
            if name in names:
                self.values.error(
                    node.entries["name"][1].mark,
                    f"duplicate policy name {name!r} (first at line {names[name].line}); "
                    "names must be unique",
                )
            else:
                names[name] = node.entries["name"][1].mark
        merged = Merged.of(own, defaults)
        self.contradictions(merged, own, node.mark)
        complete = len(entries) == len(node.entries)
        self.cross_checks(merged, own, node.mark, label, complete=complete)
        paths = own.settings.paths
        if name is None or paths is None:
            return None
        return make_policy(name, paths, node.mark, merged, contract_browsers)

    def contradictions(self, merged: Merged, own: Level, policy_mark: Mark) -> None:
        """Settings that ``public: true`` or ``cors: false`` make meaningless or contradictory.

        When the flag is the policy's own and the other setting comes from ``defaults``, the
        inherited setting is dropped (``defaults: {credentials: true}`` beside a public
        policy); otherwise, written at the same level or against an inherited flag, it is an
        error. ``merged.settings`` is read afresh after each step, as a drop changes it.
        """

        def settle(flag: Setting, key: Setting, message: str) -> None:
            if key not in merged.present:
                return
            if flag in own.present and key not in own.present:
                merged.drop(key)
            else:
                at = key.parent if key.parent is Setting.MAX_AGE else key
                self.values.error(merged.marks.get(at.value, policy_mark), message)

        if merged.settings.public is True:
            if merged.settings.credentials is True:
                settle(
                    Setting.PUBLIC,
                    Setting.CREDENTIALS,
                    "'credentials: true' cannot go with 'public: true': browsers refuse "
                    "'Access-Control-Allow-Origin: *' on credentialed requests (list trusted "
                    "callers under 'origins.allow' instead)",
                )
            if merged.settings.cors is False:
                settle(
                    Setting.PUBLIC,
                    Setting.CORS,
                    "'cors: false' contradicts 'public: true': a policy cannot be open to every "
                    "origin and closed to all",
                )
            for key in (Setting.ORIGINS_DENY, Setting.PROBES):
                settle(
                    Setting.PUBLIC,
                    key,
                    f"'{key.value}' cannot go with 'public: true': a public policy lets every "
                    "origin read, so none can be refused",
                )
        if merged.settings.cors is False:
            closed = "has no meaning with 'cors: false' (no origin may read these paths)"
            settle(
                Setting.CORS,
                Setting.ORIGINS_ALLOW,
                "'origins.allow' contradicts 'cors: false'; list origins that must be refused "
                "under 'origins.deny'",
            )
            for key in (
                Setting.EXPOSE_HEADERS,
                Setting.VARY,
                Setting.ERROR_PATHS,
                Setting.FAULTS,
                Setting.INITIATORS,
            ):
                settle(Setting.CORS, key, f"'{key.value}' {closed}")
            for key in (Setting.MAX_AGE_MIN, Setting.MAX_AGE_MAX):
                settle(Setting.CORS, key, f"'max_age' {closed}")
            if merged.settings.private_network is True:
                settle(Setting.CORS, Setting.PRIVATE_NETWORK, f"'private_network: true' {closed}")

    def cross_checks(
        self, merged: Merged, own: Level, policy_mark: Mark, label: str, *, complete: bool
    ) -> None:
        """Rules between values: ranges, overlaps, and a policy that allows nobody.

        ``complete`` is false when the policy has unknown keys: a misspelt ``origins`` then
        says enough, and "allows no origin" would only repeat it.
        """
        settings, marks = merged.settings, merged.marks
        low, high = settings.max_age_min, settings.max_age_max
        if low is not None and high is not None and low > high:
            if Setting.MAX_AGE_MIN not in own.present and Setting.MAX_AGE_MAX in own.present:
                message = (
                    f"'max_age.max' ({high}) is less than 'max_age.min' ({low}) from defaults "
                    f"(line {marks['max_age.min'].line})"
                )
                at = "max_age.max"
            else:
                message = f"'max_age.min' ({low}) is greater than 'max_age.max' ({high})"
                if Setting.MAX_AGE_MAX not in own.present and Setting.MAX_AGE_MIN in own.present:
                    message += f" from defaults (line {marks['max_age.max'].line})"
                at = "max_age.min"
            self.values.error(marks.get(at, policy_mark), message)
        open_to_some = settings.cors is not False and not settings.public
        if complete and not merged.undecided and open_to_some:
            if not {Setting.ORIGINS, Setting.ORIGINS_ALLOW} & merged.present:
                self.values.error(
                    policy_mark,
                    f"{label} allows no origin: add 'origins.allow', or set 'public: true' "
                    "(every origin) or 'cors: false' (none)",
                )
            elif settings.origins_allow == ():
                self.values.error(
                    marks["origins.allow"],
                    "'origins.allow' is empty: list the origins that may read, or set "
                    "'public: true' (every origin) or 'cors: false' (none)",
                )
        self.credentialed_loads(merged, policy_mark)
        rules = settings.origins_allow or ()
        refused = ((Setting.ORIGINS_DENY, settings.origins_deny), (Setting.PROBES, settings.probes))
        for key, origins in refused:
            for index, origin, rule in self.admitted(rules, origins or ()):
                self.values.error(
                    marks.get(f"{key.value}[{index}]", policy_mark),
                    f"origin {origin.serialize()!r} is in '{key.value}', which lists origins to "
                    f"refuse, but 'origins.allow' admits it through '{rule.text}' "
                    f"(line {rule.mark.line})",
                )
        paths = settings.paths or ()
        error_paths = settings.error_paths or ()
        # Walk the shorter list: 'error_paths' may come from defaults, shared by every policy.
        if len(paths) < len(error_paths):
            where = self.positions(error_paths)
            both = sorted(where[path] for path in paths if path in where)
        else:
            listed = set(paths)
            both = [index for index, path in enumerate(error_paths) if path in listed]
        for index in both:
            self.values.error(
                marks.get(f"error_paths[{index}]", policy_mark),
                f"path {error_paths[index]!r} is listed in both 'paths' and 'error_paths'",
            )

    def credentialed_loads(self, merged: Merged, policy_mark: Mark) -> None:
        """An element loaded with ``crossorigin: use-credentials`` sends the cookies: the
        policy must say ``credentials: true`` (a public policy can never grant them)."""
        settings = merged.settings
        if settings.credentials is None and Setting.CREDENTIALS in merged.present:
            return  # written wrong: reported already
        if settings.credentials is True or settings.cors is False:
            return
        for index, initiator in enumerate(settings.initiators or ()):
            if initiator.crossorigin == "use-credentials":
                self.values.error(
                    merged.marks.get(f"initiators[{index}]", policy_mark),
                    f"'{initiator.name}' with 'crossorigin: use-credentials' sends the cookies, "
                    "so the server must grant credentials: set 'credentials: true' in this "
                    "policy, or load it with 'crossorigin: anonymous'",
                )

    def positions(self, items: tuple[str, ...]) -> dict[str, int]:
        """Where each item of ``items`` is, computed once per list (lists inherited from
        ``defaults`` are the same tuple in every policy)."""
        key = ("positions", id(items))
        if key not in self.cache:
            self.cache[key] = (items, {item: index for index, item in enumerate(items)})
        return self.cache[key][1]  # type: ignore[no-any-return]

    def admitted(
        self, rules: tuple[OriginRule, ...], origins: tuple[Origin, ...]
    ) -> list[tuple[int, Origin, OriginRule]]:
        """Each of ``origins`` that ``rules`` admit, with the first rule admitting it.

        Exact origins and subdomain patterns are looked up, not scanned, and the answer is kept
        per pair of lists, so that lists inherited from ``defaults`` are compared once, not once
        per policy. Only regexes are tried one by one (a regex is a program, not a key)."""
        if not rules or not origins:
            return []
        key = ("admitted", id(rules), id(origins))
        if key not in self.cache:
            index = RuleIndex(rules)
            found = []
            for position, origin in enumerate(origins):
                rule = index.first_match(origin)
                if rule is not None:
                    found.append((position, origin, rule))
            self.cache[key] = ((rules, origins), found)
        return self.cache[key][1]  # type: ignore[no-any-return]


def make_policy(
    name: str,
    paths: tuple[str, ...],
    mark: Mark,
    merged: Merged,
    contract_browsers: tuple[str, ...],
) -> Policy:
    """The model's policy from a checked draft: each setting not written takes its default."""
    settings = merged.settings
    written = merged.marks.get(Setting.PRIVATE_NETWORK.value)
    if written is not None:  # still loads, with a warning: browsers now use LNA, not PNA
        warn_deprecated(written, PRIVATE_NETWORK_DEPRECATED)
    return Policy(
        name=name,
        mark=mark,
        paths=paths,
        description=settings.description,
        error_paths=settings.error_paths or (),
        faults=settings.faults,
        allow=settings.origins_allow or (),
        deny=settings.origins_deny or (),
        methods=DEFAULT_METHODS if settings.methods is None else settings.methods,
        request_headers=settings.request_headers or (),
        expose_headers=settings.expose_headers or (),
        credentials=settings.credentials is True,
        max_age=MaxAgeBounds(settings.max_age_min, settings.max_age_max),
        public=settings.public is True,
        cors=settings.cors is not False,
        vary=settings.vary is not False,
        private_network=settings.private_network is True,
        browsers=contract_browsers if settings.browsers is None else settings.browsers,
        probes=settings.probes or (),
        allow_findings=settings.allow_findings or (),
        initiators=DEFAULT_INITIATORS if settings.initiators is None else settings.initiators,
        inherited=frozenset(setting.value for setting in merged.inherited),
        marks=merged.marks,
    )
