"""Load a contract file into the typed model, reporting every problem with its line.

Four stages, each bounded, so that no input can hang the loader or exhaust memory:

1. bytes -> text: at most :data:`MAX_CONTRACT_BYTES`, UTF-8 only.
2. text -> YAML node graph: PyYAML's pure-Python ``SafeLoader``, subclassed to resolve plain
   scalars by the YAML 1.2 core schema (what editors and the JSON Schema see, so ``yes`` is a
   string and not true), to keep each alias as a reference with its own mark, and to refuse
   nesting deeper than :data:`MAX_DEPTH`.
3. node graph -> marked tree: aliases expanded up to :data:`MAX_ALIAS_NODES` values in total
   (a "billion laughs" document stops after that many steps); recursive aliases, duplicate
   keys, non-string keys and foreign tags are reported.
4. marked tree -> :class:`~pytest_cors.contract.model.Contract`: every key checked, every
   problem collected, then one :class:`~pytest_cors.errors.ContractError` listing them all.

PyYAML is imported inside functions so that importing this module (the plugin does, at
start-up) stays cheap.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from pytest_cors.contract.model import (
    BROWSER_PROFILES,
    DEFAULT_BROWSERS,
    DEFAULT_METHODS,
    FAULTS,
    AllowedFinding,
    Contract,
    Coverage,
    Mark,
    MaxAge,
    OriginRule,
    Policy,
    Target,
)
from pytest_cors.engine.request import TOKEN, is_forbidden_header, normalize_method
from pytest_cors.engine.response import FORBIDDEN_RESPONSE_HEADERS
from pytest_cors.errors import ContractError, CorsUsageError, Diagnostic, hide_user_error
from pytest_cors.origin import (
    Origin,
    hide_userinfo,
    origin_of_url,
    origin_spelling_problem,
    parse_origin,
    split_url,
)
from pytest_cors.site import is_public_suffix, public_suffix, registrable_domain

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

SUPPORTED_VERSIONS = (1,)
MAX_CONTRACT_BYTES = 1024 * 1024
"""Contracts larger than this (1 MiB) are refused before parsing: pure-Python PyYAML reads
about 0.25 MiB a second and everything after it is linear in the size too, so the bound keeps
the worst case to about 4 s."""
MAX_ALIAS_NODES = 10_000
"""How many values aliases may produce in one contract, in total."""
MAX_DEPTH = 32
"""How deeply values may nest (a real contract needs about 7 levels)."""
MAX_DIAGNOSTICS = 200

_T = TypeVar("_T")

# --------------------------------------------------------------------------------------------
# Stage 1 and 2: bytes -> text -> YAML nodes


class _Fatal(Exception):
    """A problem after which nothing else in the file can be trusted."""

    def __init__(self, mark: Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _TooDeep(Exception):
    def __init__(self, yaml_mark: Any) -> None:
        super().__init__("too deep")
        self.yaml_mark = yaml_mark


@dataclass
class _AliasRef:
    """An alias as composed: the anchored node it names and where the alias was written."""

    target: Any
    anchor: str
    start_mark: Any


_STR = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema).
_CORE_NULL = re.compile(r"~|null|Null|NULL|")
_CORE_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def _core_tag(value: str) -> str:
    for pattern, tag in (
        (_CORE_NULL, _NULL_TAG),
        (_CORE_BOOL, _BOOL_TAG),
        (_CORE_INT, _INT_TAG),
        (_CORE_FLOAT, _FLOAT_TAG),
    ):
        if pattern.fullmatch(value):
            return tag
    return _STR


@functools.cache
def _loader_class() -> type[Any]:
    """The SafeLoader subclass, built on first use so that yaml is imported lazily."""
    import yaml
    from yaml.composer import ComposerError
    from yaml.events import AliasEvent
    from yaml.nodes import ScalarNode

    class ContractYamlLoader(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(AliasEvent):
                event = self.get_event()  # type: ignore[no-untyped-call]
                if event.anchor not in self.anchors:
                    raise ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
                return _AliasRef(self.anchors[event.anchor], event.anchor, event.start_mark)
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode:
                return _core_tag(value) if implicit[0] else _STR
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

    return ContractYamlLoader


def _code_point(character: object) -> int:
    if isinstance(character, int):
        return character
    return ord(str(character)[:1] or "\0")


_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def _text_mark(file: str, text: str, index: int) -> Mark:
    """The 1-based line and column of ``text[index]``, counting breaks as YAML does."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return Mark(file, line, index - start + 1)


def _too_big(file: str) -> _Fatal:
    return _Fatal(
        Mark(file, 1, 1),
        f"the file is larger than {MAX_CONTRACT_BYTES} bytes (1 MiB), the limit for a contract",
    )


def _decode(data: bytes, file: str) -> str:
    if len(data) > MAX_CONTRACT_BYTES:
        raise _too_big(file)
    # UTF-32 first: the UTF-32-LE byte order mark starts with the UTF-16-LE one
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise _Fatal(Mark(file, 1, 1), "the file is UTF-32; save the contract as UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Fatal(Mark(file, 1, 1), "the file is UTF-16; save the contract as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise _Fatal(
            Mark(file, line, column),
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the contract "
            "as UTF-8",
        ) from None


def _compose(text: str, file: str) -> Any:
    import yaml

    def at(yaml_mark: Any) -> Mark:
        return Mark(file, yaml_mark.line + 1, yaml_mark.column + 1)

    loader = None
    try:
        loader = _loader_class()(text)
        return loader.get_single_node()
    except _TooDeep as exc:
        raise _Fatal(at(exc.yaml_mark), f"values nest deeper than {MAX_DEPTH} levels") from None
    except yaml.reader.ReaderError as exc:
        raise _Fatal(
            _text_mark(file, text, exc.position),
            f"the file contains the character U+{_code_point(exc.character):04X}, which YAML "
            "does not allow",
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, at, text) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for text
        raise _Fatal(Mark(file, 1, 1), f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_error(exc: Any, at: Callable[[Any], Mark], text: str = "") -> _Fatal:
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    where = at(mark) if mark is not None else Mark("", 1, 1)
    if problem == "but found another document":
        return _Fatal(where, "a contract is a single YAML document; remove this second one")
    if context.startswith("found duplicate anchor") and exc.context_mark is not None:
        anchor = context.split("'")[1] if "'" in context else ""
        return _Fatal(
            where,
            f"anchor '&{anchor}' is defined twice (first at line {exc.context_mark.line + 1})",
        )
    message = f"invalid YAML: {problem}" if problem else f"invalid YAML: {context}"
    if problem and context:
        message += f" ({context})"
    if context == "while parsing a flow sequence" and exc.problem_mark is not None:
        message += _flow_question_hint(text, exc.problem_mark.line, exc.problem_mark.column)
    return _Fatal(where, message)


_FLOW_ITEM_END = re.compile(r"[,\]}]|\s#")


def _flow_question_hint(text: str, line: int, column: int) -> str:
    """The fix for a ``?`` inside ``[...]`` (0-based ``line`` and ``column`` of the error).

    In a flow sequence YAML reads ``?`` as the start of a mapping key, so ``[/a, /a?page=2]``
    does not parse: the item holding it must be quoted."""
    lines = text.splitlines()
    row = lines[line] if 0 <= line < len(lines) else ""
    row = re.split(r"\s#", row, maxsplit=1)[0]  # a comment's '?' is no part of the problem
    if "?" not in row:
        return ""
    at = row.find("?", column) if "?" in row[column:] else row.rfind("?")
    start = max(row.rfind(mark, 0, at) for mark in ("[", ",", "{")) + 1
    end = _FLOW_ITEM_END.search(row, at)
    item = row[start : end.start() if end else len(row)].strip()
    quoted = '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"; inside [...] YAML reads '?' as the start of a key: quote the item, as in {quoted}"


# --------------------------------------------------------------------------------------------
# Stage 3: YAML nodes -> marked tree


@dataclass
class _Scalar:
    value: str | int | float | bool | None
    text: str
    mark: Mark
    bad: bool = False


@dataclass
class _Seq:
    items: list[_Raw]
    mark: Mark
    bad: bool = False


@dataclass
class _Map:
    entries: dict[str, tuple[Mark, _Raw]]
    mark: Mark
    bad: bool = False


_Raw = _Scalar | _Seq | _Map


_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_message(text: str, at: int) -> str:
    """Why a string holding a surrogate code point is refused, and the escape to write."""
    high, low = text[at], text[at + 1 : at + 2]
    if "\ud800" <= high <= "\udbff" and low and "\udc00" <= low <= "\udfff":
        joined = text[at : at + 2].encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        return (
            f"this string holds the surrogate pair \\u{ord(high):04x}\\u{ord(low):04x}, which the "
            "YAML reader keeps as two lone surrogates, not valid Unicode text; write the "
            f"character itself, or the escape \\U{ord(joined):08X}"
        )
    return (
        f"this string holds the lone surrogate \\u{ord(high):04x}, which is not valid Unicode "
        "text; remove it, or write the character meant"
    )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,") else tag


class _Builder:
    """Turns the node graph into a tree, expanding aliases within a fixed budget."""

    def __init__(self, file: str, report: Callable[[Mark, str], None]) -> None:
        self.file = file
        self.report = report
        self.expanded = 0
        self.alias: tuple[Mark, str] | None = None
        self.open: set[int] = set()

    def at(self, yaml_mark: Any) -> Mark:
        return Mark(self.file, yaml_mark.line + 1, yaml_mark.column + 1)

    def build(self, node: Any, depth: int = 1) -> _Raw:
        if isinstance(node, _AliasRef):
            return self._alias(node, depth)
        mark = self.at(node.start_mark)
        if depth > MAX_DEPTH:
            raise _Fatal(mark, f"values nest deeper than {MAX_DEPTH} levels (through aliases)")
        if self.alias is not None:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_NODES:
                where, name = self.alias
                raise _Fatal(
                    where,
                    f"alias '*{name}' takes the contract beyond {MAX_ALIAS_NODES} values "
                    "produced by aliases; repeat less, or use 'defaults'",
                )
        if node.id == "scalar":
            return self._scalar(node, mark)
        if node.tag not in (_SEQ_TAG, _MAP_TAG):
            self.report(mark, f"the YAML tag '{_short_tag(node.tag)}' is not allowed in a contract")
            return _Scalar(None, "", mark, bad=True)
        self.open.add(id(node))
        try:
            if node.id == "sequence":
                return _Seq([self.build(item, depth + 1) for item in node.value], mark)
            return self._mapping(node, mark, depth)
        finally:
            self.open.discard(id(node))

    def _alias(self, ref: _AliasRef, depth: int) -> _Raw:
        mark = self.at(ref.start_mark)
        if id(ref.target) in self.open:
            self.report(
                mark, f"alias '*{ref.anchor}' is used inside its own anchor (a recursive value)"
            )
            return _Scalar(None, "", mark, bad=True)
        outer = self.alias is None
        if outer:
            self.alias = (mark, ref.anchor)
        try:
            return self.build(ref.target, depth)
        finally:
            if outer:
                self.alias = None

    def _scalar(self, node: Any, mark: Mark) -> _Scalar:
        tag, text = node.tag, node.value
        surrogate = _SURROGATE.search(text)
        if surrogate is not None:  # a "\ud800" escape: no UTF-8 (no report, no log) can hold it
            self.report(mark, _surrogate_message(text, surrogate.start()))
            return _Scalar(None, text, mark, bad=True)
        if tag == _STR:
            return _Scalar(text, text, mark)
        if tag == _NULL_TAG and _CORE_NULL.fullmatch(text):
            return _Scalar(None, text, mark)
        if tag == _BOOL_TAG and _CORE_BOOL.fullmatch(text):
            return _Scalar(text.lower() == "true", text, mark)
        if tag == _INT_TAG and _CORE_INT.fullmatch(text):
            try:
                if text.startswith(("0o", "0x")):
                    return _Scalar(int(text[2:], 8 if text[1] == "o" else 16), text, mark)
                return _Scalar(int(text, 10), text, mark)
            except ValueError:
                self.report(mark, "this integer has too many digits")
                return _Scalar(None, text, mark, bad=True)
        if tag == _FLOAT_TAG and _CORE_FLOAT.fullmatch(text):
            lowered = text.lower().lstrip("+")
            if lowered.endswith("inf"):
                return _Scalar(float("-inf" if lowered.startswith("-") else "inf"), text, mark)
            return _Scalar(float("nan") if lowered == ".nan" else float(text), text, mark)
        if tag in (_NULL_TAG, _BOOL_TAG, _INT_TAG, _FLOAT_TAG):
            self.report(mark, f"{text!r} is not a valid {_short_tag(tag)} value")
        else:
            self.report(mark, f"the YAML tag '{_short_tag(tag)}' is not allowed in a contract")
        return _Scalar(None, text, mark, bad=True)

    def _mapping(self, node: Any, mark: Mark, depth: int) -> _Map:
        entries: dict[str, tuple[Mark, _Raw]] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            value = self.build(value_node, depth + 1)
            if not isinstance(key, _Scalar) or not isinstance(key.value, str):
                if not key.bad:
                    self.report(key.mark, f"keys must be strings, got {_describe(key)}")
                continue
            if key.value in entries:
                first = entries[key.value][0]
                self.report(
                    key.mark,
                    f"duplicate key '{key.value}' (first at line {first.line}); YAML would "
                    "silently keep only this last one",
                )
            entries[key.value] = (key.mark, value)
        return _Map(entries, mark)


def _suggest(key: str, allowed: Collection[str]) -> str | None:
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


def _misspelt(node: _Map, key: str, allowed: Collection[str]) -> bool:
    """Whether ``node`` holds a misspelling of ``key`` (or a merge key that may supply it).

    A missing required key is then not reported: the "did you mean" already says it.
    """
    return any(
        k == "<<" or (k not in allowed and _suggest(k, allowed) == key) for k in node.entries
    )


def _describe(node: _Raw) -> str:
    """How a value reads in an error message: its type and, for scalars, the value."""
    if isinstance(node, _Map):
        return "a mapping"
    if isinstance(node, _Seq):
        return "a list"
    value = node.value
    if value is None:
        return "null (an empty value)"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"an integer ({value})" if len(node.text) <= 40 else "an integer"
    if isinstance(value, float):
        return f"a number ({node.text[:40]})"
    shown = value if len(value) <= 60 else value[:57] + "..."
    return f"a string ({shown!r})"


# --------------------------------------------------------------------------------------------
# Stage 4: marked tree -> Contract

_TOP_KEYS = (
    "version",
    "description",
    "target",
    "browsers",
    "seed",
    "coverage",
    "defaults",
    "policies",
)
_COVERAGE_KEYS = ("routes", "ignore", "openapi")
_POLICY_KEYS = (
    "name",
    "description",
    "paths",
    "error_paths",
    "faults",
    "origins",
    "methods",
    "request_headers",
    "expose_headers",
    "credentials",
    "max_age",
    "public",
    "cors",
    "vary",
    "private_network",
    "browsers",
    "probes",
    "allow_findings",
)
_NOT_IN_DEFAULTS = {
    "name": "'name' cannot be set in defaults; each policy names itself",
    "paths": "'paths' cannot be set in defaults; each policy lists its own",
    "description": "'description' cannot be set in defaults; describe each policy itself",
}
_DEFAULTS_KEYS = tuple(k for k in _POLICY_KEYS if k not in _NOT_IN_DEFAULTS)
_HOMES = {
    **dict.fromkeys(
        ("version", "target", "seed", "coverage", "defaults", "policies"), "at the top level"
    ),
    **dict.fromkeys(_COVERAGE_KEYS, "under 'coverage'"),
    **dict.fromkeys(_DEFAULTS_KEYS, "in a policy or in 'defaults'"),
    "name": "in a policy",
    "paths": "in a policy",
    "allow": "under 'origins'",
    "deny": "under 'origins'",
    "min": "under 'max_age'",
    "max": "under 'max_age'",
    "app": "under 'target'",
    "base_url": "under 'target'",
    "id": "in an 'allow_findings' entry",
    "reason": "in an 'allow_findings' entry",
    "regex": "in an 'origins.allow' entry",
}

_TOKEN_CHARS = "letters, digits and !#$%&'*+-.^_`|~"
_APP = re.compile(
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?", re.ASCII
)
_POLICY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_FINDING_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_ALLOWED_HOST = re.compile(r"\[[0-9a-f:.]+\]|[a-z0-9_.-]+")
_WILDCARD_LABEL = "wildcard-label-for-pytest-cors"


class _Bad:
    """Marks a value already reported as wrong, so that nothing reports it again."""


_BAD = _Bad()


@dataclass
class _Level:
    """One layer of policy settings (a policy or ``defaults``), with flat keys.

    ``values`` holds the valid values (``"origins.allow"``, ``"max_age.min"``, ...), ``present``
    every key written, valid or not, and ``marks`` the key and item marks by field path.
    """

    values: dict[str, Any] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    marks: dict[str, Mark] = field(default_factory=dict)
    _groups: dict[str, dict[str, Mark]] | None = None

    def groups(self) -> dict[str, dict[str, Mark]]:
        """The marks under each key written, computed once (``defaults`` is merged into every
        policy)."""
        if self._groups is None:
            by_key: dict[str, dict[str, Mark]] = {key: {} for key in self.present}
            for path, mark in self.marks.items():
                base = path.partition("[")[0]
                for key in dict.fromkeys((path, base, base.partition(".")[0])):
                    if key in by_key:
                        by_key[key][path] = mark
            self._groups = by_key
        return self._groups


class _MergedMarks(Mapping[str, Mark]):
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
class _Merged:
    """A policy's effective settings: its own, else those of ``defaults``."""

    values: dict[str, Any]
    marks: _MergedMarks
    present: set[str]
    inherited: set[str]
    undecided: set[str]

    @classmethod
    def of(cls, own: _Level, defaults: _Level) -> _Merged:
        own_marks = dict(own.marks)
        inherited = defaults.present - own.present
        values = {k: defaults.values[k] for k in inherited if k in defaults.values}
        groups = defaults.groups()
        for parent in ("origins", "max_age"):
            if parent not in own_marks and parent in defaults.marks:
                own_marks[parent] = defaults.marks[parent]
        values.update(own.values)
        present = own.present | defaults.present
        # A flag written but invalid: the checks that depend on it would only guess.
        undecided = {"public", "cors"} & present - values.keys()
        marks = _MergedMarks(own_marks, {key: groups[key] for key in inherited})
        return cls(values, marks, present, inherited, undecided)

    def drop(self, key: str) -> None:
        """Forget an inherited setting, as if ``defaults`` had not set it."""
        self.values.pop(key, None)
        self.inherited.discard(key)
        self.present.discard(key)
        self.marks.inherited.pop(key, None)
        parent = key.partition(".")[0]
        if parent != key:
            under = parent + "."
            left = any(p.startswith(under) for p in self.marks.own) or any(
                k.startswith(under) for k in self.marks.inherited
            )
            if not left:
                self.marks.own.pop(parent, None)  # nothing of it is left


def _flow(parts: list[str]) -> str:
    """A YAML flow list of ``parts``, quoting what a plain scalar could not hold."""

    def one(part: str) -> str:
        if not part or part[0] in "*&!{}[]'\"%@`|>#,?:-" or ": " in part or " #" in part:
            return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return part

    return "[" + ", ".join(one(p) for p in parts) + "]"


class _RuleIndex:
    """``origins.allow`` rules arranged for look-up: which rule, first in list order, admits an
    origin, in time independent of the number of exact and subdomain rules."""

    def __init__(self, rules: Sequence[OriginRule]) -> None:
        self.exact: dict[str, tuple[int, OriginRule]] = {}
        self.subdomain: dict[tuple[str, str, int | None], tuple[int, OriginRule]] = {}
        self.regexes: list[tuple[int, OriginRule]] = []
        for position, rule in enumerate(rules):
            if rule.kind == "exact" and rule.origin is not None:
                self.exact.setdefault(rule.origin.serialize(), (position, rule))
            elif rule.kind == "subdomain":
                key = (rule.scheme, rule.suffix, rule.port)
                self.subdomain.setdefault(key, (position, rule))
            else:
                self.regexes.append((position, rule))

    def first_match(self, origin: Origin) -> OriginRule | None:
        text = origin.serialize()
        found = [self.exact[text]] if text in self.exact else []
        scheme, sep, authority = text.partition("://")
        if sep and self.subdomain and not authority.endswith("]"):
            host, colon, port_text = authority.rpartition(":")
            if not colon or not port_text.isdigit():
                host, port_text = authority, ""
            port = int(port_text) if port_text else None
            for at, char in enumerate(host):
                if char == ".":
                    candidate = self.subdomain.get((scheme, host[at + 1 :], port))
                    if candidate is not None and candidate[1].matches(text):
                        found.append(candidate)
        for position, rule in self.regexes:
            if found and position > min(found, key=lambda f: f[0])[0]:
                break
            if rule.matches(text):
                found.append((position, rule))
                break
        return min(found, key=lambda f: f[0])[1] if found else None


class _Validator:
    def __init__(self, file: str, known_findings: Collection[str] | None) -> None:
        self.file = file
        self.known_findings = known_findings
        self.diagnostics: list[Diagnostic] = []
        self.cache: dict[tuple[Any, ...], tuple[Any, Any]] = {}  # kept values pin the ids

    def error(self, mark: Mark, message: str) -> None:
        self.diagnostics.append(_diagnostic(mark, message))

    # -- generic shapes ------------------------------------------------------------------

    def unknown_key(self, key: str, mark: Mark, allowed: Collection[str], where: str) -> None:
        if key == "<<":
            self.error(mark, "YAML merge keys ('<<') are not supported; use 'defaults'")
            return
        home = _HOMES.get(key)
        if home is not None and not home.startswith(("in a policy", "in an 'allow")):
            self.error(mark, f"'{key}' does not belong {where}; it goes {home}")
            return
        if home is not None and where == "at the top level":
            self.error(mark, f"'{key}' does not belong {where}; it goes {home}")
            return
        close = _suggest(key, allowed)
        if close:
            self.error(mark, f"unknown key '{key}' {where}; did you mean '{close}'?")
        else:
            expected = ", ".join(sorted(allowed))
            self.error(mark, f"unknown key '{key}' {where}; expected one of: {expected}")

    def mapping(
        self, node: _Raw, label: str, allowed: Collection[str], where: str
    ) -> dict[str, tuple[Mark, _Raw]] | None:
        if not isinstance(node, _Map):
            if not node.bad:
                self.error(node.mark, f"{label} must be a mapping, got {_describe(node)}")
            return None
        known = {}
        for key, (key_mark, value) in node.entries.items():
            if key in allowed:
                known[key] = (key_mark, value)
            else:
                self.unknown_key(key, key_mark, allowed, where)
        return known

    def string(self, node: _Raw, label: str, *, empty_ok: bool = False) -> str | _Bad:
        if isinstance(node, _Scalar) and isinstance(node.value, str):
            if not empty_ok and not node.value.strip():
                self.error(node.mark, f"{label} must not be empty")
                return _BAD
            return node.value
        if not node.bad:
            self.error(node.mark, f"{label} must be a string, got {_describe(node)}")
        return _BAD

    def boolean(self, node: _Raw, label: str) -> bool | _Bad:
        if isinstance(node, _Scalar) and isinstance(node.value, bool):
            return node.value
        if node.bad:
            return _BAD
        message = f"'{label}' must be true or false, got {_describe(node)}"
        if isinstance(node, _Scalar) and isinstance(node.value, str):
            word = node.value.strip().lower()
            close = difflib.get_close_matches(word, ("true", "false"), n=1, cutoff=0.6)
            if word in ("yes", "on", "y") or close == ["true"]:
                message += "; did you mean true?"
            elif word in ("no", "off", "n") or close == ["false"]:
                message += "; did you mean false?"
        self.error(node.mark, message)
        return _BAD

    def integer(self, node: _Raw, label: str) -> int | _Bad:
        value = node.value if isinstance(node, _Scalar) else None
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.error(node.mark, f"'{label}' must not be negative, got {value}")
                return _BAD
            return value
        if not node.bad:
            self.error(node.mark, f"'{label}' must be a whole number, got {_describe(node)}")
        return _BAD

    def items(
        self,
        node: _Raw,
        label: str,
        noun: str,
        item: Callable[[_Raw], _T | _Bad],
        *,
        marks: dict[str, Mark],
        path: str,
        identity: Callable[[_T], Hashable] | None = None,
        at_least_one: bool = False,
    ) -> tuple[_T, ...] | _Bad:
        """A list whose items are checked by ``item``; duplicates and emptiness reported.

        A tuple, so that a policy shares the very value it inherits from ``defaults``."""
        if not isinstance(node, _Seq):
            if node.bad:
                return _BAD
            message = f"'{label}' must be a list, got {_describe(node)}"
            if isinstance(node, _Scalar) and isinstance(node.value, str) and node.value.strip():
                parts = [p.strip() for p in node.value.split(",") if p.strip()]
                message += f"; did you mean {_flow(parts)}?"
            self.error(node.mark, message)
            return _BAD
        if at_least_one and not node.items:
            self.error(node.mark, f"'{label}' must list at least one {noun}")
            return _BAD
        result: list[_T] = []
        seen: dict[Hashable, Mark] = {}
        clean = True
        for index, child in enumerate(node.items):
            marks[f"{path}[{index}]"] = child.mark
            value = item(child)
            if isinstance(value, _Bad):
                clean = False
                continue
            if identity is not None:
                key = identity(value)
                if key in seen:
                    shown = child.value if isinstance(child, _Scalar) else key
                    first = seen[key]
                    where = (
                        f"column {first.column}"
                        if first.line == child.mark.line
                        else f"line {first.line}"
                    )
                    self.error(child.mark, f"{noun} {shown!r} is listed twice (first at {where})")
                    clean = False
                    continue
                seen[key] = child.mark
            result.append(value)
        return tuple(result) if clean else _BAD

    # -- single values -------------------------------------------------------------------

    def path(self, node: _Raw, label: str) -> str | _Bad:
        text = self.string(node, f"a path in '{label}'")
        if isinstance(text, _Bad):
            return _BAD
        problem = _path_problem(text, label)
        if problem:
            self.error(node.mark, problem)
            return _BAD
        return text

    def method(self, node: _Raw) -> str | _Bad:
        text = self.string(node, "a method")
        if isinstance(text, _Bad):
            return _BAD
        try:
            sent = normalize_method(text)
        except CorsUsageError:
            sent = ""
        if text == "*":
            problem = "'*' is not a method a page can send; list the methods it uses"
        elif not TOKEN.fullmatch(text):
            problem = f"method {text!r} is not an HTTP method (a token of {_TOKEN_CHARS})"
        elif not sent:
            problem = f"method {text!r} is forbidden: fetch() refuses to send it"
        elif sent != text:
            problem = f"write method {text!r} as {sent!r}: browsers send it upper-cased"
        elif text.upper() == "PATCH" and text != "PATCH":
            problem = (
                f"method {text!r} is sent exactly as written (browsers upper-case only DELETE, "
                "GET, HEAD, OPTIONS, POST and PUT) and servers expect 'PATCH'; did you mean "
                "'PATCH'?"
            )
        else:
            return text
        self.error(node.mark, problem)
        return _BAD

    def header(self, node: _Raw, label: str) -> str | _Bad:
        text = self.string(node, f"a header name in '{label}'")
        if isinstance(text, _Bad):
            return _BAD
        lower = text.lower()
        problem = ""
        if text == "*":
            problem = f"'*' is not a header name; list the headers in '{label}' one by one"
        elif not TOKEN.fullmatch(text):
            problem = f"header name {text!r} is not valid (a token of {_TOKEN_CHARS})"
        elif label == "request_headers" and is_forbidden_header(text, ""):
            problem = (
                f"{text!r} is a forbidden request header: a page cannot set it, so fetch() "
                "never sends it"
            )
        elif label == "request_headers" and lower.startswith("access-control-"):
            problem = (
                f"{text!r} is a response header: the server sends it, and a page that sends it "
                "only triggers a preflight"
            )
        elif label == "expose_headers" and lower in FORBIDDEN_RESPONSE_HEADERS:
            problem = f"{text!r} is never readable by a page, even when exposed"
        if problem:
            self.error(node.mark, problem)
            return _BAD
        return text

    def empty_origin(self, node: _Raw, label: str) -> bool:
        """YAML reads a bare ``null`` as no value; the opaque origin needs quotes."""
        if isinstance(node, _Scalar) and node.value is None and not node.bad:
            self.error(
                node.mark,
                f"an origin in '{label}' is an empty value; write \"null\" in quotes for the "
                "opaque origin",
            )
            return True
        return False

    def concrete_origin(self, node: _Raw, label: str) -> Origin | _Bad:
        """An origin a browser can send (``origins.deny``, ``probes``)."""
        if isinstance(node, _Map):
            self.error(
                node.mark,
                f"'{label}' lists origins a browser sends; patterns and regexes belong in "
                "'origins.allow'",
            )
            return _BAD
        if self.empty_origin(node, label):
            return _BAD
        text = self.string(node, f"an origin in '{label}'")
        if isinstance(text, _Bad):
            return _BAD
        if "*" in text or text.startswith(("^", "re:")):
            problem = (
                f"{text!r} is a pattern, but '{label}' lists origins a browser sends, such as "
                "'https://evil.example.net'"
            )
            self.error(node.mark, problem)
            return _BAD
        origin = _origin(text)
        if isinstance(origin, str):
            self.error(node.mark, origin)
            return _BAD
        return origin

    def allow_rule(self, node: _Raw) -> OriginRule | _Bad:
        """One ``origins.allow`` entry: exact origin, subdomain pattern or ``{regex: ...}``."""
        if isinstance(node, _Map):
            return self.regex_rule(node)
        if self.empty_origin(node, "origins.allow"):
            return _BAD
        text = self.string(node, "an origin in 'origins.allow'")
        if isinstance(text, _Bad):
            return _BAD
        problem: str
        if text == "*":
            problem = (
                "'*' is not an origin; set 'public: true' for a policy open to every origin, or "
                "admit a family of origins with a subdomain pattern such as "
                "'https://*.example.com' or {regex: '^https://[a-z]+\\.example\\.com$'}"
            )
        elif text.startswith(("re:", "^")) or text.endswith("$"):
            pattern = text[3:] if text.startswith("re:") else text
            problem = f"write a regular expression as {{regex: '{pattern}'}}"
        elif "*" in text:
            return self.subdomain_rule(text, node.mark)
        else:
            origin = _origin(text, strict_host=True)
            if not isinstance(origin, str):
                return OriginRule("exact", origin.serialize(), node.mark, origin=origin)
            problem = origin
        self.error(node.mark, problem)
        return _BAD

    def subdomain_rule(self, text: str, mark: Mark) -> OriginRule | _Bad:
        scheme, sep, rest = text.partition("://")
        misspelt = None if sep else origin_spelling_problem(text.replace("*", _WILDCARD_LABEL))
        if misspelt is not None:  # 'https:/*.example.com'
            problem = misspelt.replace(_WILDCARD_LABEL, "*").replace(
                "origin ", "origin pattern ", 1
            )
        elif not sep:
            problem = f"origin pattern {text!r} has no scheme; did you mean 'https://{text}'?"
        elif "*" in scheme or not rest.startswith("*.") or rest.count("*") != 1:
            problem = (
                f"in {text!r}, '*' may only stand for the whole leftmost label, as in "
                "'https://*.example.com'"
            )
        else:
            stand_in = f"{scheme}://{_WILDCARD_LABEL}{rest[1:]}"
            origin = _origin(stand_in, strict_host=True)
            if isinstance(origin, str):
                problem = origin.replace(_WILDCARD_LABEL, "*")
                problem = problem.replace("origin ", "origin pattern ", 1)
            else:
                suffix = origin.host[len(_WILDCARD_LABEL) + 1 :]
                domain = suffix.removesuffix(".")
                if not all(domain.split(".")):
                    problem = f"origin pattern {text!r} has an empty label"
                elif domain != "localhost" and is_public_suffix(domain):
                    # The public suffix list decides, as browsers do for cookies and sites:
                    # 'co.uk', 'github.io' and 'com' alike are shared by unrelated owners.
                    problem = (
                        f"origin pattern {text!r} would allow every site under '.{suffix}', a "
                        "public suffix whose names belong to unrelated owners; name a domain, "
                        f"as in '{origin.scheme}://*.example.{suffix}'"
                    )
                else:
                    canonical = origin.serialize().replace(_WILDCARD_LABEL, "*")
                    return OriginRule(
                        "subdomain",
                        canonical,
                        mark,
                        scheme=origin.scheme,
                        suffix=suffix,
                        port=origin.port,
                    )
        self.error(mark, problem)
        return _BAD

    def regex_rule(self, node: _Map) -> OriginRule | _Bad:
        entries = self.mapping(node, "a regex entry", ("regex",), "in an 'origins.allow' entry")
        if entries is None:
            return _BAD
        if "regex" not in entries:
            if node.entries.keys() <= {"regex"}:
                self.error(node.mark, "an 'origins.allow' entry needs 'regex'")
            return _BAD
        value_node = entries["regex"][1]
        pattern = self.string(value_node, "'regex'")
        if isinstance(pattern, _Bad):
            return _BAD
        mark = value_node.mark
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            self.error(mark, f"regex '{pattern}' does not compile: {exc.msg} at position {exc.pos}")
            return _BAD
        starts = pattern.startswith("^")
        escapes = len(pattern[:-1]) - len(pattern[:-1].rstrip("\\"))
        ends = pattern.endswith("$") and escapes % 2 == 0
        if not (starts and ends):
            fixed = _anchored(pattern, starts=starts, ends=ends)
            hint = f"; did you mean '{fixed}'?" if fixed is not None else ""
            flags = _GLOBAL_FLAGS.match(pattern)
            if flags is not None and pattern[flags.end() :].startswith("^") and ends:
                self.error(
                    mark,
                    f"regex '{pattern}' must start with '^' (then any flags, in a group that "
                    f"spans the rest){hint}",
                )
                return _BAD
            self.error(
                mark,
                f"regex '{pattern}' must start with '^' and end with '$': unanchored, it also "
                f"matches longer origins such as 'https://app.example.com.evil.net'{hint}",
            )
            return _BAD
        problem = _regex_admits_too_much(pattern, compiled)
        if problem is not None:
            self.error(mark, problem)
            return _BAD
        return OriginRule("regex", pattern, mark, regex=compiled)

    def browser(self, node: _Raw) -> str | _Bad:
        text = self.string(node, "a browser profile")
        if isinstance(text, _Bad):
            return _BAD
        if text in BROWSER_PROFILES:
            return text
        close = difflib.get_close_matches(text.lower(), BROWSER_PROFILES, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.error(
            node.mark,
            f"unknown browser profile {text!r}{hint} (profiles: {', '.join(BROWSER_PROFILES)})",
        )
        return _BAD

    def fault(self, node: _Raw) -> str | _Bad:
        text = self.string(node, "a fault")
        if isinstance(text, _Bad):
            return _BAD
        if text in FAULTS:
            return text
        close = difflib.get_close_matches(text.lower().replace("-", "_"), FAULTS, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.error(node.mark, f"unknown fault {text!r}{hint} (faults: {', '.join(FAULTS)})")
        return _BAD

    def finding(self, node: _Raw, marks: dict[str, Mark], path: str) -> AllowedFinding | _Bad:
        entries = self.mapping(
            node, "an 'allow_findings' entry", ("id", "reason"), "in an 'allow_findings' entry"
        )
        if entries is None:
            return _BAD
        values: dict[str, str | _Bad] = {}
        own: dict[str, Mark] = {}
        for key in ("id", "reason"):
            if key in entries:
                key_mark, value_node = entries[key]
                own[key] = key_mark
                marks[f"{path}.{key}"] = key_mark
                values[key] = self.string(value_node, f"'{key}'")
        finding_id, reason = values.get("id"), values.get("reason")
        if finding_id is None:
            self.error(node.mark, "an 'allow_findings' entry needs 'id' (the finding to silence)")
        elif isinstance(finding_id, str) and not _FINDING_ID.fullmatch(finding_id):
            self.error(
                entries["id"][1].mark,
                f"finding id {finding_id!r} is not valid (a letter, then letters, digits, "
                "'-' or '_')",
            )
            finding_id = _BAD
        elif (
            isinstance(finding_id, str)
            and self.known_findings is not None
            and finding_id not in self.known_findings
        ):
            close = difflib.get_close_matches(finding_id, list(self.known_findings), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.error(entries["id"][1].mark, f"unknown finding id {finding_id!r}{hint}")
            finding_id = _BAD
        if reason is None:
            self.error(
                node.mark,
                "an 'allow_findings' entry needs 'reason': say why the finding is accepted",
            )
        if not isinstance(finding_id, str) or not isinstance(reason, str):
            return _BAD
        return AllowedFinding(finding_id, reason, node.mark, marks=own)

    # -- policies ------------------------------------------------------------------------

    def level(self, entries: dict[str, tuple[Mark, _Raw]], *, defaults: bool = False) -> _Level:
        """Check every policy-level key of a policy or of ``defaults``."""
        out = _Level()
        for key, (key_mark, node) in entries.items():
            if defaults and key in _NOT_IN_DEFAULTS:
                self.error(key_mark, _NOT_IN_DEFAULTS[key])
                continue
            out.marks[key] = key_mark
            if key in ("origins", "max_age"):
                self.nested(key, node, out)
                continue
            out.present.add(key)
            value = self.policy_value(key, node, out.marks)
            if not isinstance(value, _Bad):
                out.values[key] = value
        return out

    def nested(self, key: str, node: _Raw, out: _Level) -> None:
        subkeys = ("allow", "deny") if key == "origins" else ("min", "max")
        if not isinstance(node, _Map) and not node.bad:
            shape = "{allow: [...], deny: [...]}" if key == "origins" else "{min: ..., max: ...}"
            self.error(
                node.mark, f"'{key}' must be a mapping, got {_describe(node)}; write {shape}"
            )
            out.present.add(key)
            return
        entries = self.mapping(node, f"'{key}'", subkeys, f"in '{key}'")
        if isinstance(node, _Map) and not node.entries:
            self.error(node.mark, f"'{key}' is empty; give '{subkeys[0]}' and/or '{subkeys[1]}'")
        if entries is None or not entries:
            out.present.add(key)  # written, but unusable: reported above
            return
        for sub, (sub_mark, sub_node) in entries.items():
            flat = f"{key}.{sub}"
            out.present.add(flat)
            out.marks[flat] = sub_mark
            value: Any
            if key == "max_age":
                value = self.integer(sub_node, flat)
            elif sub == "allow":
                value = self.items(
                    sub_node,
                    flat,
                    "origin",
                    self.allow_rule,
                    marks=out.marks,
                    path=flat,
                    identity=lambda rule: (rule.kind, rule.text),
                )
            else:
                value = self.items(
                    sub_node,
                    flat,
                    "origin",
                    lambda n: self.concrete_origin(n, "origins.deny"),
                    marks=out.marks,
                    path=flat,
                    identity=lambda origin: origin,
                )
            if not isinstance(value, _Bad):
                out.values[flat] = value

    def policy_value(self, key: str, node: _Raw, marks: dict[str, Mark]) -> Any:
        if key in ("credentials", "public", "cors", "vary", "private_network"):
            return self.boolean(node, key)
        if key == "description":
            return self.string(node, "'description'", empty_ok=True)
        if key == "name":
            return self.policy_name(node)
        lists: dict[str, tuple[str, Callable[[_Raw], Any], Callable[[Any], Hashable], bool]] = {
            "paths": ("path", lambda n: self.path(n, "paths"), str, True),
            "error_paths": ("path", lambda n: self.path(n, "error_paths"), str, False),
            "methods": ("method", self.method, str, True),
            "request_headers": (
                "header",
                lambda n: self.header(n, "request_headers"),
                str.lower,
                False,
            ),
            "expose_headers": (
                "header",
                lambda n: self.header(n, "expose_headers"),
                str.lower,
                False,
            ),
            "browsers": ("browser profile", self.browser, str, True),
            "faults": ("fault", self.fault, str, False),
            "probes": (
                "origin",
                lambda n: self.concrete_origin(n, "probes"),
                lambda o: o,
                False,
            ),
        }
        if key == "allow_findings":
            counter = iter(range(1 << 30))

            def one(n: _Raw) -> AllowedFinding | _Bad:
                return self.finding(n, marks, f"allow_findings[{next(counter)}]")

            return self.items(
                node,
                key,
                "finding",
                one,
                marks=marks,
                path=key,
                identity=lambda f: f.id,
            )
        noun, item, identity, at_least_one = lists[key]
        return self.items(
            node,
            key,
            noun,
            item,
            marks=marks,
            path=key,
            identity=identity,
            at_least_one=at_least_one,
        )

    def policy_name(self, node: _Raw) -> str | _Bad:
        name = self.string(node, "'name'")
        if isinstance(name, _Bad):
            return _BAD
        if _POLICY_NAME.fullmatch(name):
            return name
        fixed = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-_.")[:64]
        hint = f"; did you mean {fixed!r}?" if fixed else ""
        self.error(
            node.mark,
            f"policy name {name!r} may only hold letters, digits, '-', '_' and '.' (at most 64; "
            f"it is part of every test id){hint}",
        )
        return _BAD

    def policy(
        self,
        node: _Raw,
        number: int,
        defaults: _Level,
        contract_browsers: tuple[str, ...],
        names: dict[str, Mark],
    ) -> Policy | None:
        label = f"policy #{number}"
        if isinstance(node, _Map) and "name" in node.entries:
            name_node = node.entries["name"][1]
            if isinstance(name_node, _Scalar) and isinstance(name_node.value, str):
                label = f"policy {name_node.value!r}"
        entries = self.mapping(node, f"{label}", _POLICY_KEYS, f"in {label}")
        if entries is None or not isinstance(node, _Map):
            return None
        own = self.level(entries)
        for required in ("name", "paths"):
            if required not in own.present and not _misspelt(node, required, _POLICY_KEYS):
                self.error(node.mark, f"{label} is missing required key '{required}'")
        name = own.values.get("name")
        if isinstance(name, str):
            if name in names:
                self.error(
                    node.entries["name"][1].mark,
                    f"duplicate policy name {name!r} (first at line {names[name].line}); "
                    "names must be unique",
                )
            else:
                names[name] = node.entries["name"][1].mark
        merged = _Merged.of(own, defaults)
        self.contradictions(merged, own, defaults, node.mark)
        complete = len(entries) == len(node.entries)
        self.cross_checks(merged, own, node.mark, label, complete=complete)
        if not isinstance(name, str) or "paths" not in own.values:
            return None
        return _make_policy(name, node.mark, merged, contract_browsers)

    def contradictions(
        self, merged: _Merged, own: _Level, defaults: _Level, policy_mark: Mark
    ) -> None:
        """Settings that ``public: true`` or ``cors: false`` make meaningless or contradictory.

        When the flag is the policy's own and the other setting comes from ``defaults``, the
        inherited setting is dropped (``defaults: {credentials: true}`` beside a public
        policy); otherwise, written at the same level or against an inherited flag, it is an
        error.
        """
        values = merged.values

        def settle(flag: str, key: str, message: str, at: str = "") -> None:
            if key not in merged.present:
                return
            if flag in own.present and key not in own.present:
                merged.drop(key)
            else:
                self.error(merged.marks.get(at or key, policy_mark), message)

        if values.get("public") is True:
            if values.get("credentials") is True:
                settle(
                    "public",
                    "credentials",
                    "'credentials: true' cannot go with 'public: true': browsers refuse "
                    "'Access-Control-Allow-Origin: *' on credentialed requests (list trusted "
                    "callers under 'origins.allow' instead)",
                )
            if values.get("cors") is False:
                settle(
                    "public",
                    "cors",
                    "'cors: false' contradicts 'public: true': a policy cannot be open to every "
                    "origin and closed to all",
                )
            for key in ("origins.deny", "probes"):
                settle(
                    "public",
                    key,
                    f"'{key}' cannot go with 'public: true': a public policy lets every origin "
                    "read, so none can be refused",
                )
        if values.get("cors") is False:
            closed = "has no meaning with 'cors: false' (no origin may read these paths)"
            settle(
                "cors",
                "origins.allow",
                "'origins.allow' contradicts 'cors: false'; list origins that must be refused "
                "under 'origins.deny'",
            )
            for key in ("expose_headers", "vary", "error_paths", "faults"):
                settle("cors", key, f"'{key}' {closed}")
            for key in ("max_age.min", "max_age.max"):
                settle("cors", key, f"'max_age' {closed}", at="max_age")
            if values.get("private_network") is True:
                settle("cors", "private_network", f"'private_network: true' {closed}")

    def cross_checks(
        self, merged: _Merged, own: _Level, policy_mark: Mark, label: str, *, complete: bool
    ) -> None:
        """Rules between values: ranges, overlaps, and a policy that allows nobody.

        ``complete`` is false when the policy has unknown keys: a misspelt ``origins`` then
        says enough, and "allows no origin" would only repeat it.
        """
        values, marks = merged.values, merged.marks
        low, high = values.get("max_age.min"), values.get("max_age.max")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            if "max_age.min" not in own.present and "max_age.max" in own.present:
                message = (
                    f"'max_age.max' ({high}) is less than 'max_age.min' ({low}) from defaults "
                    f"(line {marks['max_age.min'].line})"
                )
                at = "max_age.max"
            else:
                message = f"'max_age.min' ({low}) is greater than 'max_age.max' ({high})"
                if "max_age.max" not in own.present and "max_age.min" in own.present:
                    message += f" from defaults (line {marks['max_age.max'].line})"
                at = "max_age.min"
            self.error(marks.get(at, policy_mark), message)
        open_to_some = values.get("cors", True) and not values.get("public")
        if complete and not merged.undecided and open_to_some:
            if not {"origins", "origins.allow"} & merged.present:
                self.error(
                    policy_mark,
                    f"{label} allows no origin: add 'origins.allow', or set 'public: true' "
                    "(every origin) or 'cors: false' (none)",
                )
            elif values.get("origins.allow") == ():
                self.error(
                    marks["origins.allow"],
                    "'origins.allow' is empty: list the origins that may read, or set "
                    "'public: true' (every origin) or 'cors: false' (none)",
                )
        rules: tuple[OriginRule, ...] = values.get("origins.allow", ())
        for key in ("origins.deny", "probes"):
            for index, origin, rule in self.admitted(rules, values.get(key, ())):
                self.error(
                    marks.get(f"{key}[{index}]", policy_mark),
                    f"origin {origin.serialize()!r} is in '{key}', which lists origins to "
                    f"refuse, but 'origins.allow' admits it through '{rule.text}' "
                    f"(line {rule.mark.line})",
                )
        paths: tuple[str, ...] = values.get("paths", ())
        error_paths: tuple[str, ...] = values.get("error_paths", ())
        # Walk the shorter list: 'error_paths' may come from defaults, shared by every policy.
        if len(paths) < len(error_paths):
            where = self.positions(error_paths)
            both = sorted(where[path] for path in paths if path in where)
        else:
            listed = set(paths)
            both = [index for index, path in enumerate(error_paths) if path in listed]
        for index in both:
            self.error(
                marks.get(f"error_paths[{index}]", policy_mark),
                f"path {error_paths[index]!r} is listed in both 'paths' and 'error_paths'",
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
            index = _RuleIndex(rules)
            found = []
            for position, origin in enumerate(origins):
                rule = index.first_match(origin)
                if rule is not None:
                    found.append((position, origin, rule))
            self.cache[key] = ((rules, origins), found)
        return self.cache[key][1]  # type: ignore[no-any-return]

    # -- the whole file ------------------------------------------------------------------

    def contract(self, root: _Raw | None) -> Contract | None:
        if root is None:
            self.error(
                Mark(self.file, 1, 1),
                "the contract is empty; it needs at least 'version: 1' and a 'policies' list",
            )
            return None
        if isinstance(root, _Scalar) and root.value is None and not root.bad:
            self.error(
                root.mark,
                "the contract is empty; it needs at least 'version: 1' and a 'policies' list",
            )
            return None
        entries = self.mapping(
            root, "the contract (version, policies, ...)", _TOP_KEYS, "at the top level"
        )
        if entries is None or not isinstance(root, _Map):
            return None
        marks = {key: key_mark for key, (key_mark, _) in entries.items()}
        version = self.version(entries, root)
        if version is None:
            return None
        description = None
        if "description" in entries:
            got = self.string(entries["description"][1], "'description'", empty_ok=True)
            description = got if isinstance(got, str) else None
        target = self.target(entries["target"]) if "target" in entries else None
        browsers: tuple[str, ...] = DEFAULT_BROWSERS
        if "browsers" in entries:
            got_browsers = self.policy_value("browsers", entries["browsers"][1], marks)
            if not isinstance(got_browsers, _Bad):
                browsers = tuple(got_browsers)
        seed = None
        if "seed" in entries:
            got_seed = self.integer(entries["seed"][1], "seed")
            seed = got_seed if isinstance(got_seed, int) else None
        coverage = self.coverage(entries["coverage"]) if "coverage" in entries else None
        defaults = _Level()
        if "defaults" in entries:
            found = self.mapping(entries["defaults"][1], "'defaults'", _POLICY_KEYS, "in defaults")
            if found is not None:
                defaults = self.level(found, defaults=True)
                marks.update(_prefixed(defaults.marks, "defaults"))
        policies = self.policies(entries, root, defaults, browsers, marks)
        if self.diagnostics or policies is None:
            return None
        return Contract(
            file=self.file,
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

    def coverage(self, item: tuple[Mark, _Raw]) -> Coverage | None:
        key_mark, node = item
        entries = self.mapping(node, "'coverage'", _COVERAGE_KEYS, "in coverage")
        if entries is None:
            return None
        marks = {key: mark for key, (mark, _) in entries.items()}
        if "routes" not in entries:
            self.error(node.mark, "'coverage' needs 'routes: all' (the routes every policy covers)")
            return None
        routes_node = entries["routes"][1]
        routes = self.string(routes_node, "'coverage.routes'")
        if isinstance(routes, _Bad):
            return None
        if routes != "all":
            self.error(routes_node.mark, f"'coverage.routes' must be 'all', got {routes!r}")
            return None
        ignore: tuple[str, ...] = ()
        if "ignore" in entries:
            got = self.items(
                entries["ignore"][1],
                "coverage.ignore",
                "pattern",
                lambda n: self.string(n, "a pattern in 'coverage.ignore'"),
                marks=marks,
                path="ignore",
                identity=lambda text: text,
            )
            if isinstance(got, _Bad):
                return None
            ignore = got
        openapi = None
        if "openapi" in entries:
            got_openapi = self.string(entries["openapi"][1], "'coverage.openapi'")
            if isinstance(got_openapi, _Bad):
                return None
            openapi = got_openapi
        return Coverage("all", key_mark, ignore=ignore, openapi=openapi, marks=marks)

    def version(self, entries: dict[str, tuple[Mark, _Raw]], root: _Map) -> int | None:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        if "version" not in entries:
            if _misspelt(root, "version", _TOP_KEYS):
                return SUPPORTED_VERSIONS[-1]
            self.error(
                root.mark,
                f"missing required key 'version'; start the contract with 'version: "
                f"{SUPPORTED_VERSIONS[-1]}'",
            )
            return SUPPORTED_VERSIONS[-1]
        node = entries["version"][1]
        value = node.value if isinstance(node, _Scalar) else None
        if isinstance(value, int) and not isinstance(value, bool):
            if value in SUPPORTED_VERSIONS:
                return value
            self.error(
                node.mark,
                f"unknown version {value}; this pytest-cors reads contract version {supported}",
            )
            return None
        if node.bad:
            return SUPPORTED_VERSIONS[-1]
        hint = ""
        if isinstance(value, (str, float)) and str(value).strip() in ("1", "1.0"):
            hint = "; did you mean 1?"
        self.error(
            node.mark, f"'version' must be an integer ({supported}), got {_describe(node)}{hint}"
        )
        return SUPPORTED_VERSIONS[-1]

    def target(self, item: tuple[Mark, _Raw]) -> Target | None:
        key_mark, node = item
        entries = self.mapping(node, "'target'", ("app", "base_url"), "in target")
        if entries is None:
            return None
        if not entries:
            if isinstance(node, _Map) and not node.entries:
                self.error(node.mark, "'target' is empty; give 'app' or 'base_url'")
            return None
        if len(entries) == 2:
            self.error(
                entries["base_url"][0],
                "give either 'target.app' or 'target.base_url', not both",
            )
            return None
        marks = {key: mark for key, (mark, _) in entries.items()}
        if "app" in entries:
            app_node = entries["app"][1]
            app = self.string(app_node, "'target.app'")
            if isinstance(app, _Bad):
                return None
            if not _APP.fullmatch(app):
                hint = f"; did you mean '{app}:app'?" if ":" not in app and app else ""
                self.error(
                    app_node.mark,
                    f"'target.app' {app!r} must be 'module:attribute' (an app) or "
                    f"'module:factory()', e.g. 'myproject.asgi:app'{hint}",
                )
                return None
            return Target(app, None, key_mark, marks=marks)
        url_node = entries["base_url"][1]
        url = self.string(url_node, "'target.base_url'")
        if isinstance(url, _Bad):
            return None
        problem = base_url_problem(url)
        if problem:
            self.error(url_node.mark, problem)
            return None
        return Target(None, url, key_mark, marks=marks)

    def policies(
        self,
        entries: dict[str, tuple[Mark, _Raw]],
        root: _Map,
        defaults: _Level,
        browsers: tuple[str, ...],
        marks: dict[str, Mark],
    ) -> tuple[Policy, ...] | None:
        if "policies" not in entries:
            if _misspelt(root, "policies", _TOP_KEYS):
                return None
            self.error(
                root.mark,
                "missing required key 'policies'; list at least one policy (name, paths, ...)",
            )
            return None
        node = entries["policies"][1]
        if not isinstance(node, _Seq):
            if not node.bad:
                self.error(node.mark, f"'policies' must be a list, got {_describe(node)}")
            return None
        if not node.items:
            self.error(node.mark, "'policies' must list at least one policy")
            return None
        names: dict[str, Mark] = {}
        result = []
        for index, item in enumerate(node.items):
            marks[f"policies[{index}]"] = item.mark
            policy = self.policy(item, index + 1, defaults, browsers, names)
            if policy is not None:
                result.append(policy)
        return tuple(result)


def _prefixed(marks: dict[str, Mark], prefix: str) -> dict[str, Mark]:
    return {f"{prefix}.{path}": mark for path, mark in marks.items()}


def _make_policy(
    name: str, mark: Mark, merged: _Merged, contract_browsers: tuple[str, ...]
) -> Policy:
    values = merged.values
    max_age = MaxAge(values.get("max_age.min"), values.get("max_age.max"))
    return Policy(
        name=name,
        mark=mark,
        paths=tuple(values["paths"]),
        description=values.get("description"),
        error_paths=tuple(values.get("error_paths", ())),
        faults=tuple(values["faults"]) if "faults" in values else None,
        allow=tuple(values.get("origins.allow", ())),
        deny=tuple(values.get("origins.deny", ())),
        methods=tuple(values.get("methods", DEFAULT_METHODS)),
        request_headers=tuple(values.get("request_headers", ())),
        expose_headers=tuple(values.get("expose_headers", ())),
        credentials=values.get("credentials", False),
        max_age=max_age,
        public=values.get("public", False),
        cors=values.get("cors", True),
        vary=values.get("vary", True),
        private_network=values.get("private_network", False),
        browsers=tuple(values.get("browsers", contract_browsers)),
        probes=tuple(values.get("probes", ())),
        allow_findings=tuple(values.get("allow_findings", ())),
        inherited=frozenset(merged.inherited),
        marks=merged.marks,
    )


def _origin(text: str, *, strict_host: bool = False) -> Origin | str:
    """The origin ``text`` names, or the message saying why a browser never sends it."""
    scheme = text.partition("://")[0].lower()
    if "://" in text and scheme not in ("http", "https"):
        return f"origin {text!r} is not a web page's origin; pages have http:// or https:// origins"
    if "://" not in text and text != "null":
        problem = origin_spelling_problem(text)
        if problem is not None:
            return problem
        try:
            suggestion = origin_of_url("https://" + text).serialize()
        except ValueError as exc:
            return (
                f"origin {text!r} has no scheme, and is not valid with one either ({exc}); a "
                "browser sends e.g. 'https://app.example.com'"
            )
        return f"origin {text!r} has no scheme; did you mean {suggestion!r}?"
    try:
        origin = parse_origin(text)
    except CorsUsageError as exc:
        return str(exc)
    if origin.opaque:
        return origin
    if strict_host and not _ALLOWED_HOST.fullmatch(origin.host):
        return (
            f"origin {text!r} has a host no domain name has (letters, digits, '-', '_' and '.' "
            "only, or an IP address)"
        )
    return origin


_GLOBAL_FLAGS = re.compile(r"(?:\(\?[aiLmsux]+\))+")


def _anchored(pattern: str, *, starts: bool, ends: bool) -> str | None:
    """``pattern`` anchored with ``^`` and ``$``, or ``None`` when that does not compile.

    Leading global flags (``(?i)^...$``) must stay first, so they become a scoped group
    (``^(?i:...)$``); a suggestion is only made once ``re`` compiles it."""
    flags = _GLOBAL_FLAGS.match(pattern)
    if flags is not None:
        body = pattern[flags.end() :]
        body = body[1:] if body.startswith("^") else body
        inner_ends = body.endswith("$") and (len(body[:-1]) - len(body[:-1].rstrip("\\"))) % 2 == 0
        body = body[:-1] if inner_ends else body
        letters = "".join(dict.fromkeys(re.sub(r"[^aiLmsux]", "", flags[0])))
        fixed = f"^(?{letters}:{body})$"
    else:
        fixed = ("" if starts else "^") + pattern + ("" if ends else "$")
    try:
        re.compile(fixed)
    except (re.error, RecursionError, OverflowError):
        return None
    return fixed


# -- judging a regex by what it admits --------------------------------------------------------
#
# Anchors in the right places say little: '^a|b$' is anchored at both ends and still admits
# 'a' followed by anything, '^.*$' admits every origin. So the loader tries the compiled regex
# on origins built to expose the usual mistakes: an attacker's domains, 'null', and, from
# sample strings the regex itself admits, the allowed host with text after it or before it, a
# dot replaced, the scheme swapped. A regex is tried with ``search`` (a match anywhere), the
# loosest of the ways servers apply one (JavaScript's ``test``, Python's ``re.search``), so
# that the contract does not bless a pattern that is only safe under ``fullmatch``.
#
# Python's ``re`` cannot be interrupted, so the work is bounded instead of timed: at most
# _MAX_SAMPLES samples, each probe at most _PROBE_CHARS characters, and a fixed handful of
# probes per sample (about a hundred matches per regex, all on short strings). A pattern that
# backtracks catastrophically on strings this short is contrived; nothing here raises on one
# that cannot be sampled (look-arounds, back-references): only the fixed probes judge it.

_PROBE_CHARS = 100
_MAX_SAMPLES = 12
_EVIL_DOMAIN = "evil.net"
_IP_LIKE = re.compile(r"[0-9.]+|\[.*\]")
_ANY_OWNER_PROBES = ("https://evil.net", "https://evil.co.uk", "https://evil.github.io")


class _Unsampled(Exception):
    """A regex construct the sampler does not follow."""


def _regex_tree(pattern: str) -> Any:
    from pytest_cors._compat import sre_parse

    return sre_parse(pattern)


_MAXREPEAT = 2**32 - 1  # sre's MAXREPEAT: the upper bound of '*', '+' and '{n,}'


_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "1",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}


def _in_class(items: Any, char: str) -> bool:
    """Whether ``char`` is in a (non-negated) character class; unknown parts count as in."""
    code = ord(char)
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and arg == code:
            return True
        if name == "RANGE" and arg[0] <= code <= arg[1]:
            return True
        if name == "CATEGORY" and re.fullmatch(
            {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_WORD": r"\w"}.get(
                str(arg), r"\W" if str(arg) == "CATEGORY_NOT_WORD" else "."
            ),
            char,
        ):
            return True
        if name not in ("LITERAL", "RANGE", "CATEGORY"):
            return True
    return False


def _class_sample(items: Any) -> str:
    if items and str(items[0][0]) == "NEGATE":
        for char in "a0-._x":
            if not _in_class(items[1:], char):
                return char
        raise _Unsampled("negated class")
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":  # '1' for [0-9]: a port is never 0
            return "1" if arg[0] == ord("0") < ord("1") <= arg[1] else chr(arg[0])
        if name == "CATEGORY" and str(arg) in _CATEGORY_SAMPLES:
            return _CATEGORY_SAMPLES[str(arg)]
    raise _Unsampled("class")


def _samples(items: Any) -> list[str]:
    """Short strings the parsed regex ``items`` may match: each alternative, each repeat taken
    its fewest times and once more, the first character of each class (at most _MAX_SAMPLES,
    shortest choices first)."""
    out = [""]
    for op, arg in items:
        name = str(op)
        options: list[str]
        if name == "LITERAL":
            options = [chr(arg)]
        elif name == "NOT_LITERAL":
            options = ["b" if arg == ord("a") else "a"]
        elif name == "ANY":
            options = ["."]  # a lone '.' in an origin regex is most often meant as a dot
        elif name == "IN":
            options = [_class_sample(arg)]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            wildcard = len(sub) == 1 and str(sub[0][0]) == "ANY"  # '.*', '.+': any text
            inner = ["a"] if wildcard else _samples(sub)
            counts = (low, low + 1) if high > low else (low,)
            options = [s * n for n in counts for s in inner if len(s) * n <= _PROBE_CHARS]
        elif name == "SUBPATTERN":
            options = _samples(arg[-1])
        elif name == "ATOMIC_GROUP":
            options = _samples(arg)
        elif name == "BRANCH":
            each = [_samples(alternative) for alternative in arg[1]]
            # round robin, so that every alternative is sampled before any is sampled twice
            options = [s[i] for i in range(_MAX_SAMPLES) for s in each if i < len(s)]
        elif name == "AT":
            continue
        else:
            raise _Unsampled(name)
        joined = (a + b for a in out for b in options if len(a) + len(b) <= _PROBE_CHARS)
        out = list(dict.fromkeys(joined))[:_MAX_SAMPLES]
    return out


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_MAX_UNBOUNDED = 3


def _can_match(item: tuple[Any, Any], char: str) -> bool:
    """Whether one parsed item (a repeat's whole body when it is one item) may match ``char``;
    anything but a character, a class or '.' counts as yes."""
    name, arg = str(item[0]), item[1]
    if name == "LITERAL":
        return bool(arg == ord(char))
    if name == "NOT_LITERAL":
        return bool(arg != ord(char))
    if name == "IN":
        if arg and str(arg[0][0]) == "NEGATE":
            return not _in_class(arg[1:], char)
        return _in_class(arg, char)
    return True


def _repeat_risk(items: Any) -> str | None:
    """Why matching the parsed regex may backtrack without bound, if it may.

    Exponential: a repeat inside a repeat, unless each turn of the outer one ends at a literal
    character the inner ones cannot match (``([a-z0-9-]+\\.)+`` is fine, ``(a+)+`` is not).
    Polynomial: more than _MAX_UNBOUNDED unbounded repeats in all; the probes are short enough
    for three.
    """
    unbounded = 0

    def inner_repeats(sub: Any) -> list[Any]:
        found = []
        for op, arg in sub:
            name = str(op)
            if name in _REPEATS and arg[1] > 1:
                found.append(arg[2])
                found += inner_repeats(arg[2])
            elif name == "SUBPATTERN":
                found += inner_repeats(arg[-1])
            elif name == "ATOMIC_GROUP":
                found += inner_repeats(arg)
            elif name == "BRANCH":
                for alternative in arg[1]:
                    found += inner_repeats(alternative)
        return found

    def walk(sub: Any) -> str | None:
        nonlocal unbounded
        for op, arg in sub:
            name = str(op)
            if name in _REPEATS:
                _, high, body = arg
                unbounded += high >= _MAXREPEAT
                nested = inner_repeats(body)
                if high > 1 and nested:
                    turn = body
                    while len(turn) == 1 and str(turn[0][0]) == "SUBPATTERN":
                        turn = turn[0][1][-1]
                    literals = [chr(a) for o, a in turn if str(o) == "LITERAL"]
                    if not any(
                        not any(len(r) != 1 or _can_match(r[0], c) for r in nested)
                        for c in literals
                    ):
                        return "a repeat inside a repeat"
                found = walk(body)
            elif name == "SUBPATTERN":
                found = walk(arg[-1])
            elif name == "ATOMIC_GROUP":
                found = walk(arg)
            elif name == "BRANCH":
                found = next((f for f in map(walk, arg[1]) if f), None)
            else:
                found = None
            if found:
                return found
        return None

    found = walk(items)
    if found is None and unbounded > _MAX_UNBOUNDED:
        return f"more than {_MAX_UNBOUNDED} unbounded repeats ('*', '+', '{{n,}}')"
    return found


def _origin_parts(text: str) -> tuple[str, str, str] | None:
    """``(scheme, host, ":port" or "")`` when ``text`` is an http(s) origin as browsers write
    it."""
    if len(text) > _PROBE_CHARS or not text.startswith(("http://", "https://")):
        return None
    try:
        origin = parse_origin(text)
    except ValueError:
        return None
    authority = text.partition("://")[2]
    if origin.opaque or origin.serialize() != text or not authority.startswith(origin.host):
        return None
    if not all(origin.host.removesuffix(".").split(".")):
        return None  # '.example.com', from a '.*' taken zero times: no browser sends it
    return origin.scheme, origin.host, authority[len(origin.host) :]


def _site(host: str) -> str:
    """Who owns ``host``: its registrable domain (every ``*.localhost`` is this machine)."""
    if host == "localhost" or host.endswith(".localhost"):
        return "localhost"
    return registrable_domain(host) or host


def _regex_admits_too_much(pattern: str, regex: re.Pattern[str]) -> str | None:
    """Why the (anchored, compiled) ``pattern`` admits more than an ``origins.allow`` entry
    should, judged by probing it; ``None`` when no probe gets through."""

    def admits(text: str) -> bool:
        return len(text) <= _PROBE_CHARS and regex.search(text) is not None

    shown = f"regex '{pattern}'"
    try:
        tree = _regex_tree(pattern)
        risk = _repeat_risk(tree)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return f"{shown} is nested too deeply to be judged; write it more simply"
    if risk is not None:
        # Not run at all: one match could take hours, in the loader and in the server.
        return (
            f"{shown} holds {risk}, so a failing match can backtrack for minutes or more (a "
            "server using it can be stalled by one request); write it with fewer repeats, as in "
            "'^https://([a-z0-9-]+\\.)*example\\.com$'"
        )
    anyone = next((o for o in _ANY_OWNER_PROBES if admits(o)), None)
    if anyone is not None:
        also = " and 'null'" if admits("null") else ""
        return (
            f"{shown} admits origins of any owner, such as '{anyone}'{also}; set 'public: true' "
            "for a policy open to every origin, or spell out the hosts it may admit"
        )
    if admits("null"):
        return (
            f"{shown} admits 'null', the origin of every sandboxed iframe and data: page; list "
            '"null" as an entry of its own if that is meant'
        )
    try:
        samples = [s for s in _samples(tree) if regex.fullmatch(s)]
    except (_Unsampled, re.error, RecursionError, OverflowError, ValueError, TypeError):
        return None  # only the fixed probes above judge a regex the sampler cannot follow
    split = any(str(op) == "BRANCH" for op, _ in tree)
    grouped: str | None = None
    if split:
        grouped = "^(?:" + pattern[1:-1] + ")$"
        try:
            re.compile(grouped)
        except (re.error, RecursionError, OverflowError):
            grouped = None
    split_why = (
        "'^' and '$' bind tighter than '|', so each anchors only the alternative beside it"
        + (f"; did you mean '{grouped}'?" if grouped else "")
    )
    if split:
        for sample in samples:
            for probe in (f"{sample}.{_EVIL_DOMAIN}", f"{_EVIL_DOMAIN}/{sample}"):
                if admits(probe):
                    return f"{shown} admits '{probe}': {split_why}"
    named: list[tuple[str, str, str]] = []  # origins with the scheme the regex spells out
    unpinned: list[tuple[str, str, str]] = []  # origins it admits under a scheme it leaves open
    for sample in samples:
        for text in dict.fromkeys((sample, sample.lower())):
            parts = _origin_parts(text)
            if parts is not None and admits(text):
                named.append(parts)
                break
        else:
            rest = sample.lower().split("://", 1)[-1]
            for scheme in ("https", "http"):
                parts = _origin_parts(f"{scheme}://{rest}")
                if parts is not None and admits(f"{scheme}://{rest}"):
                    unpinned.append(parts)
    for scheme, host, port in dict.fromkeys([*named, *unpinned]):
        site = _site(host)
        suffix = public_suffix(host)
        tricks: list[tuple[str, str]] = []
        if suffix is not None and host.endswith("." + suffix) and not _IP_LIKE.fullmatch(host):
            shared = f"'{suffix}' is a public suffix, whose names belong to unrelated owners"
            tricks.append((f"evil.{suffix}", shared))
        tricks += [
            (f"{host}.{_EVIL_DOMAIN}", split_why if split else f"it lets anything follow '{host}'"),
            (f"evil{host}", split_why if split else f"it lets anything come before '{host}'"),
        ]
        tricks += [
            (f"{host[:i]}x{host[i + 1 :]}", "an unescaped '.' matches any character; write '\\.'")
            for i, char in enumerate(host)
            if char == "."
        ]
        for trick, why in tricks:
            probe = f"{scheme}://{trick}{port}"
            if _origin_parts(probe) is not None and admits(probe) and _site(trick) != site:
                return f"{shown} admits '{probe}', a site of another owner: {why}"
    both = {(host, port) for _, host, port in unpinned if ("https", host, port) in unpinned}
    for scheme, host, port in unpinned:
        if scheme == "http" and (host, port) in both:
            return (
                f"{shown} admits both 'https://{host}{port}' and 'http://{host}{port}': it leaves "
                "the scheme open, and anyone on the network can put script into an http:// "
                "page; start it with '^https://'"
            )
    return None


def _path_problem(text: str, label: str) -> str:
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", text):
        rest = text.split("://", 1)[1]
        start = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
        fixed = rest[start:].split("#", 1)[0]
        fixed = fixed if fixed.startswith("/") else "/" + fixed
        return f"'{label}' holds paths relative to the target, not URLs; did you mean {fixed!r}?"
    if not text.startswith("/"):
        return f"path {text!r} must start with '/'; did you mean {'/' + text.lstrip()!r}?"
    if text.startswith("//"):
        return (
            f"path {text!r} starts with '//', which URL parsers read as a host name; did you "
            f"mean {'/' + text.lstrip('/')!r}?"
        )
    if "#" in text:
        return (
            f"path {text!r} has a fragment, which is never sent to a server; did you mean "
            f"{text.split('#', 1)[0]!r}?"
        )
    odd = next((c for c in text if not ("!" <= c <= "~")), None)
    if odd is not None:
        fixed = quote(text, safe="/?&=%:@!$'()*+,;~-._")
        return f"path {text!r} contains {odd!r}; percent-encode it, as in {fixed!r}"
    return ""


def base_url_problem(
    url: str, label: str = "'target.base_url'", *, userinfo_ok: bool = False
) -> str:
    """Why ``url`` cannot be a live target's base URL (``""`` when it can), as the contract key
    ``target.base_url`` refuses it; ``label`` names where it was given (``--base-url``, ...).

    ``userinfo_ok``: a command-line URL may carry ``user:password@`` (it is never sent nor
    shown); a contract, which is committed, may not.
    """
    shown = hide_userinfo(url)
    if "://" not in url:
        return f"{label} {shown!r} must be an absolute URL; did you mean {'https://' + shown!r}?"
    if not url.startswith(("http://", "https://")):
        return f"{label} {shown!r} must start with 'http://' or 'https://'"
    try:
        parts = split_url(url)
    except ValueError as exc:  # an unbalanced '[' or ']'
        return f"{label} {shown!r} is not a valid URL: {exc}"
    if "@" in parts.netloc and not userinfo_ok:
        return f"{label} must not hold a user name or password; pass credentials another way"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        fixed = hide_userinfo(f"{parts.scheme}://{parts.netloc}{parts.path}")
        return f"{label} must not have a query or fragment; did you mean {fixed!r}?"
    if any(c.isspace() for c in url):
        return f"{label} {shown!r} contains white space"
    try:
        origin_of_url(url)
    except ValueError as exc:
        return f"{label} {shown!r} is not a valid URL: {str(exc).replace(url, shown)}"
    return ""


# --------------------------------------------------------------------------------------------
# Entry points


def _diagnostic(mark: Mark, message: str) -> Diagnostic:
    """One line per diagnostic, whatever the user's text holds, and of a readable length
    (a value pasted by mistake can be a megabyte long)."""
    message = message.replace("\r", "\\r").replace("\n", "\\n")
    if len(message) > 500:
        message = message[:497] + "..."
    return Diagnostic(mark.file, mark.line, mark.column, message)


def _finish(diagnostics: list[Diagnostic]) -> ContractError:
    unique = list(dict.fromkeys(diagnostics))
    unique.sort(key=lambda d: (d.line, d.column))
    if len(unique) > MAX_DIAGNOSTICS:
        last = unique[MAX_DIAGNOSTICS - 1]
        stop = f"too many problems; stopping after {MAX_DIAGNOSTICS - 1}"
        unique = [
            *unique[: MAX_DIAGNOSTICS - 1],
            Diagnostic(last.file, last.line, last.column, stop),
        ]
    return ContractError(unique)


def _load(text: str, file: str, known_findings: Collection[str] | None) -> Contract:
    validator = _Validator(file, known_findings)
    try:
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise _Fatal(
                _text_mark(file, text, exc.start),
                "the text holds a lone surrogate code point, which UTF-8 cannot encode",
            ) from None
        if size > MAX_CONTRACT_BYTES:
            raise _too_big(file)
        node = _compose(text.removeprefix("\ufeff"), file)
        root = None if node is None else _Builder(file, validator.error).build(node)
        contract = validator.contract(root)
    except _Fatal as fatal:
        validator.error(Mark(file, fatal.mark.line, fatal.mark.column), fatal.message)
        contract = None
    if validator.diagnostics or contract is None:
        raise _finish(validator.diagnostics)
    return contract


def load_contract_text(
    text: str, filename: str = "<contract>", *, known_findings: Collection[str] | None = None
) -> Contract:
    """Load a contract from ``text``; ``filename`` is what diagnostics name.

    ``known_findings``, when given, is the set of finding ids ``allow_findings`` may name;
    any other id is reported with a "did you mean".

    Raises :class:`~pytest_cors.errors.ContractError` listing every problem found.
    """
    return _load(text, filename, known_findings)


def load_contract(
    path: str | os.PathLike[str], *, known_findings: Collection[str] | None = None
) -> Contract:
    """Read and load the contract file at ``path`` (see :func:`load_contract_text`)."""
    file = os.fspath(path)
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_CONTRACT_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        problem = Diagnostic(file, 1, 1, f"cannot read the contract: {reason}")
        raise ContractError([problem]) from None
    try:
        text = _decode(data, file)
    except _Fatal as fatal:
        raise ContractError([_diagnostic(fatal.mark, fatal.message)]) from None
    return _load(text, file, known_findings)


def load_yaml_data(text: str, filename: str = "<contract>") -> Any:
    """The plain data in ``text``, read exactly as the loader reads it (YAML 1.2 core schema,
    bounded aliases, duplicate keys refused), without checking it is a contract.

    For tools that need the same view of the file, such as a JSON Schema validation.
    """
    diagnostics: list[Diagnostic] = []

    def report(mark: Mark, message: str) -> None:
        diagnostics.append(_diagnostic(mark, message))

    try:
        node = _compose(text.removeprefix("\ufeff"), filename)
        root = None if node is None else _Builder(filename, report).build(node)
    except _Fatal as fatal:
        report(Mark(filename, fatal.mark.line, fatal.mark.column), fatal.message)
        root = None
    if diagnostics:
        raise _finish(diagnostics)
    return None if root is None else _plain(root)


def _plain(node: _Raw) -> Any:
    if isinstance(node, _Map):
        return {key: _plain(value) for key, (_, value) in node.entries.items()}
    if isinstance(node, _Seq):
        return [_plain(item) for item in node.items]
    return node.value
