"""Typed drafts of a policy's settings: one level (a policy or ``defaults``) and the two merged.

A setting is a :class:`~pytest_cors.contract.keys.Setting` (named as the contract and the marks
name it, such as ``origins.allow``); its valid value sits in the field of :class:`Settings` of
the same name (``origins_allow``), ``None`` when it was not written or was written wrong (no
valid value is ``None``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pytest_cors.contract.keys import NESTED, Setting
from pytest_cors.contract.model import AllowedFinding, Initiator, Mark, OriginRule
from pytest_cors.origin import Origin


@dataclass(frozen=True)
class Settings:
    """The valid values of one level, or of a policy merged with ``defaults``."""

    name: str | None = None
    description: str | None = None
    paths: tuple[str, ...] | None = None
    error_paths: tuple[str, ...] | None = None
    faults: tuple[str, ...] | None = None
    origins_allow: tuple[OriginRule, ...] | None = None
    origins_deny: tuple[Origin, ...] | None = None
    methods: tuple[str, ...] | None = None
    request_headers: tuple[str, ...] | None = None
    expose_headers: tuple[str, ...] | None = None
    credentials: bool | None = None
    max_age_min: int | None = None
    max_age_max: int | None = None
    public: bool | None = None
    cors: bool | None = None
    vary: bool | None = None
    private_network: bool | None = None
    initiators: tuple[Initiator, ...] | None = None
    browsers: tuple[str, ...] | None = None
    probes: tuple[Origin, ...] | None = None
    allow_findings: tuple[AllowedFinding, ...] | None = None

    @classmethod
    def of(cls, values: Mapping[Setting, Any]) -> Settings:
        """The settings holding ``values`` (each checked by the validator for its setting)."""
        return cls(**{key.field: value for key, value in values.items()})

    def get(self, key: Setting) -> Any:
        """The value of ``key``; ``None`` when not set or not valid."""
        return getattr(self, key.field)


@dataclass
class Level:
    """One layer of policy settings (a policy or ``defaults``).

    ``settings`` holds the valid values, ``present`` every setting written, valid or not, and
    ``marks`` the key and item marks by field path (``origins.allow[0]``, ...).
    """

    settings: Settings = field(default_factory=Settings)
    present: set[Setting] = field(default_factory=set)
    marks: dict[str, Mark] = field(default_factory=dict)
    _groups: dict[str, dict[str, Mark]] | None = None

    def groups(self) -> dict[str, dict[str, Mark]]:
        """The marks under each setting written, by its name, computed once (``defaults`` is
        merged into every policy)."""
        if self._groups is None:
            by_key: dict[str, dict[str, Mark]] = {key.value: {} for key in self.present}
            for path, mark in self.marks.items():
                base = path.partition("[")[0]
                for key in dict.fromkeys((path, base, base.partition(".")[0])):
                    if key in by_key:
                        by_key[key][path] = mark
            self._groups = by_key
        return self._groups


class MergedMarks(Mapping[str, Mark]):
    """A policy's marks: its own, and those of the ``defaults`` settings it inherits.

    The inherited marks are not copied: each inherited key brings the dict of ``defaults``
    marks under it (``origins.allow``, ``origins.allow[0]``, ...), shared by every policy, so
    that merging costs the same whether ``defaults`` lists three origins or three thousand.
    """

    def __init__(self, own: dict[str, Mark], inherited: dict[str, dict[str, Mark]]) -> None:
        self.own = own
        self.inherited = inherited

    def __getitem__(self, path: str) -> Mark:
        base = path.partition("[")[0]
        for key in (base, base.partition(".")[0]):
            group = self.inherited.get(key)
            if group is not None and path in group:
                return group[path]
        return self.own[path]

    def __iter__(self) -> Iterator[str]:
        seen = set(self.own)
        yield from self.own
        for group in self.inherited.values():
            for path in group:
                if path not in seen:
                    seen.add(path)
                    yield path

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class Merged:
    """A policy's effective settings: its own, else those of ``defaults``."""

    settings: Settings
    marks: MergedMarks
    present: set[Setting]
    inherited: set[Setting]
    undecided: set[Setting]

    @classmethod
    def of(cls, own: Level, defaults: Level) -> Merged:
        """``own`` over ``defaults``; the tuples inherited are shared, not copied."""
        own_marks = dict(own.marks)
        inherited = defaults.present - own.present
        groups = defaults.groups()
        for parent in NESTED:
            if parent.value not in own_marks and parent.value in defaults.marks:
                own_marks[parent.value] = defaults.marks[parent.value]
        # What the policy writes, valid or not, replaces what defaults says.
        settings = replace(
            defaults.settings,
            **{key.field: own.settings.get(key) for key in own.present if key not in NESTED},
        )
        present = own.present | defaults.present
        # A flag written but invalid: the checks that depend on it would only guess.
        undecided: set[Setting] = {
            flag
            for flag in (Setting.PUBLIC, Setting.CORS)
            if flag in present and settings.get(flag) is None
        }
        marks = MergedMarks(own_marks, {key.value: groups[key.value] for key in inherited})
        return cls(settings, marks, present, inherited, undecided)

    def drop(self, key: Setting) -> None:
        """Forget an inherited setting, as if ``defaults`` had not set it."""
        self.settings = replace(self.settings, **{key.field: None})
        self.inherited.discard(key)
        self.present.discard(key)
        self.marks.inherited.pop(key.value, None)
        parent = key.parent
        if parent is not None:
            under = parent.value + "."
            left = any(p.startswith(under) for p in self.marks.own) or any(
                k.startswith(under) for k in self.marks.inherited
            )
            if not left:
                self.marks.own.pop(parent.value, None)  # nothing of it is left
