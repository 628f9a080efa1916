"""Read contract text as YAML into a tree of marked values (file, line, column on each).

The loader's reading steps, each bounded, so that no input can hang it or exhaust memory:

1. bytes -> text: at most :data:`MAX_CONTRACT_BYTES`, UTF-8 only.
2. text -> YAML node graph: PyYAML's pure-Python ``SafeLoader``, subclassed to resolve plain
   scalars by the YAML 1.2 core schema (what editors and the JSON Schema see, so ``yes`` is a
   string and not true), to keep each alias as a reference with its own mark, and to refuse
   nesting deeper than :data:`MAX_DEPTH`.
3. node graph -> marked tree (:class:`Scalar`, :class:`Seq`, :class:`Map`): aliases expanded up
   to :data:`MAX_ALIAS_NODES` values in total (a "billion laughs" document stops after that many
   steps); recursive aliases, duplicate keys, non-string keys and foreign tags are reported.

PyYAML is imported inside functions so that importing this module, and so the contract package,
stays cheap (``tests/contract/test_contract_loader.py`` holds it to that).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_cors.contract.model import Mark

MAX_CONTRACT_BYTES = 1024 * 1024
"""Contracts larger than this (1 MiB) are refused before parsing: pure-Python PyYAML reads
about 0.25 MiB a second and everything after it is linear in the size too, so the bound keeps
the worst case to about 4 s."""
MAX_ALIAS_NODES = 10_000
"""How many values aliases may produce in one contract, in total."""
MAX_DEPTH = 32
"""How deeply values may nest (a real contract needs about 7 levels)."""

Report = Callable[[Mark, str], None]
"""Where a problem found while reading goes: its mark and its message."""

# --------------------------------------------------------------------------------------------
# Stage 1 and 2: bytes -> text -> YAML nodes


class Fatal(Exception):
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
    # lazy: importing the contract package stays free of yaml (start-up cost)
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


def text_mark(file: str, text: str, index: int) -> Mark:
    """The 1-based line and column of ``text[index]``, counting breaks as YAML does."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return Mark(file, line, index - start + 1)


def too_big(file: str) -> Fatal:
    """The refusal of a contract over :data:`MAX_CONTRACT_BYTES`, before any parsing."""
    return Fatal(
        Mark(file, 1, 1),
        f"the file is larger than {MAX_CONTRACT_BYTES} bytes (1 MiB), the limit for a contract",
    )


def decode(data: bytes, file: str) -> str:
    """The text of a contract file: UTF-8 (a byte order mark allowed), else a :class:`Fatal`
    naming the encoding to save it in."""
    if len(data) > MAX_CONTRACT_BYTES:
        raise too_big(file)
    # UTF-32 first: the UTF-32-LE byte order mark starts with the UTF-16-LE one
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise Fatal(Mark(file, 1, 1), "the file is UTF-32; save the contract as UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Fatal(Mark(file, 1, 1), "the file is UTF-16; save the contract as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise Fatal(
            Mark(file, line, column),
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the contract "
            "as UTF-8",
        ) from None


def compose(text: str, file: str) -> Any:
    """PyYAML's node graph of ``text`` (aliases kept as references); a YAML error becomes a
    :class:`Fatal` that says what to write instead."""
    import yaml  # lazy: importing the contract package stays free of yaml (start-up cost)

    def at(yaml_mark: Any) -> Mark:
        return Mark(file, yaml_mark.line + 1, yaml_mark.column + 1)

    loader = None
    try:
        loader = _loader_class()(text)
        return loader.get_single_node()
    except _TooDeep as exc:
        raise Fatal(at(exc.yaml_mark), f"values nest deeper than {MAX_DEPTH} levels") from None
    except yaml.reader.ReaderError as exc:
        raise Fatal(
            text_mark(file, text, exc.position),
            f"the file contains the character U+{_code_point(exc.character):04X}, which YAML "
            "does not allow",
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, at, text) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for text
        raise Fatal(Mark(file, 1, 1), f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_error(exc: Any, at: Callable[[Any], Mark], text: str = "") -> Fatal:
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    where = at(mark) if mark is not None else Mark("", 1, 1)
    if problem == "but found another document":
        return Fatal(where, "a contract is a single YAML document; remove this second one")
    if context.startswith("found duplicate anchor") and exc.context_mark is not None:
        anchor = context.split("'")[1] if "'" in context else ""
        return Fatal(
            where,
            f"anchor '&{anchor}' is defined twice (first at line {exc.context_mark.line + 1})",
        )
    message = f"invalid YAML: {problem}" if problem else f"invalid YAML: {context}"
    if problem and context:
        message += f" ({context})"
    if context == "while parsing a flow sequence" and exc.problem_mark is not None:
        mark = exc.problem_mark
        message += _flow_question_hint(text, mark.line, mark.column) or _flow_brace_hint(
            text, mark.line, mark.column
        )
    return Fatal(where, message)


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


def _flow_brace_hint(text: str, line: int, column: int) -> str:
    """The fix for a path template such as ``/items/{id}`` inside ``[...]``.

    YAML reads the ``{`` as the start of a mapping there, so the template must be quoted (or
    the list written as a block list)."""
    lines = text.splitlines()
    row = lines[line] if 0 <= line < len(lines) else ""
    if not (0 <= column < len(row)) or row[column] != "{":
        return ""
    start = max(row.rfind(mark, 0, column) for mark in ("[", ",")) + 1
    close = row.find("}", column)
    end = _FLOW_ITEM_END.search(row, close + 1 if close >= 0 else column + 1)
    item = row[start : end.start() if end else len(row)].strip()
    if not item.startswith("/"):
        return ""
    quoted = '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (
        "; inside [...] YAML reads '{' as the start of a mapping: quote the path template, as "
        f"in {quoted}, or write the paths as a block list"
    )


# --------------------------------------------------------------------------------------------
# Stage 3: YAML nodes -> marked tree


@dataclass
class Scalar:
    """A plain value as read (``value``) and as written (``text``)."""

    value: str | int | float | bool | None
    text: str
    mark: Mark
    bad: bool = False


@dataclass
class Seq:
    """A list."""

    items: list[Raw]
    mark: Mark
    bad: bool = False


@dataclass
class Map:
    """A mapping: each key with its own mark and its value."""

    entries: dict[str, tuple[Mark, Raw]]
    mark: Mark
    bad: bool = False


Raw = Scalar | Seq | Map
"""A value of the marked tree; ``bad`` when it was already reported as wrong."""


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


class Builder:
    """Turns the node graph into a tree, expanding aliases within a fixed budget."""

    def __init__(self, file: str, report: Callable[[Mark, str], None]) -> None:
        self.file = file
        self.report = report
        self.expanded = 0
        self.alias: tuple[Mark, str] | None = None
        self.open: set[int] = set()

    def at(self, yaml_mark: Any) -> Mark:
        return Mark(self.file, yaml_mark.line + 1, yaml_mark.column + 1)

    def build(self, node: Any, depth: int = 1) -> Raw:
        """The marked value of ``node``, ``depth`` levels down (an alias counts as its target)."""
        if isinstance(node, _AliasRef):
            return self._alias(node, depth)
        mark = self.at(node.start_mark)
        if depth > MAX_DEPTH:
            raise Fatal(mark, f"values nest deeper than {MAX_DEPTH} levels (through aliases)")
        if self.alias is not None:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_NODES:
                where, name = self.alias
                raise Fatal(
                    where,
                    f"alias '*{name}' takes the contract beyond {MAX_ALIAS_NODES} values "
                    "produced by aliases; repeat less, or use 'defaults'",
                )
        if node.id == "scalar":
            return self._scalar(node, mark)
        if node.tag not in (_SEQ_TAG, _MAP_TAG):
            self.report(mark, f"the YAML tag '{_short_tag(node.tag)}' is not allowed in a contract")
            return Scalar(None, "", mark, bad=True)
        self.open.add(id(node))
        try:
            if node.id == "sequence":
                return Seq([self.build(item, depth + 1) for item in node.value], mark)
            return self._mapping(node, mark, depth)
        finally:
            self.open.discard(id(node))

    def _alias(self, ref: _AliasRef, depth: int) -> Raw:
        mark = self.at(ref.start_mark)
        if id(ref.target) in self.open:
            self.report(
                mark, f"alias '*{ref.anchor}' is used inside its own anchor (a recursive value)"
            )
            return Scalar(None, "", mark, bad=True)
        outer = self.alias is None
        if outer:
            self.alias = (mark, ref.anchor)
        try:
            return self.build(ref.target, depth)
        finally:
            if outer:
                self.alias = None

    def _scalar(self, node: Any, mark: Mark) -> Scalar:
        tag, text = node.tag, node.value
        surrogate = _SURROGATE.search(text)
        if surrogate is not None:  # a "\ud800" escape: no UTF-8 (no report, no log) can hold it
            self.report(mark, _surrogate_message(text, surrogate.start()))
            return Scalar(None, text, mark, bad=True)
        if tag == _STR:
            return Scalar(text, text, mark)
        if tag == _NULL_TAG and _CORE_NULL.fullmatch(text):
            return Scalar(None, text, mark)
        if tag == _BOOL_TAG and _CORE_BOOL.fullmatch(text):
            return Scalar(text.lower() == "true", text, mark)
        if tag == _INT_TAG and _CORE_INT.fullmatch(text):
            try:
                if text.startswith(("0o", "0x")):
                    return Scalar(int(text[2:], 8 if text[1] == "o" else 16), text, mark)
                return Scalar(int(text, 10), text, mark)
            except ValueError:
                self.report(mark, "this integer has too many digits")
                return Scalar(None, text, mark, bad=True)
        if tag == _FLOAT_TAG and _CORE_FLOAT.fullmatch(text):
            lowered = text.lower().lstrip("+")
            if lowered.endswith("inf"):
                return Scalar(float("-inf" if lowered.startswith("-") else "inf"), text, mark)
            return Scalar(float("nan") if lowered == ".nan" else float(text), text, mark)
        if tag in (_NULL_TAG, _BOOL_TAG, _INT_TAG, _FLOAT_TAG):
            self.report(mark, f"{text!r} is not a valid {_short_tag(tag)} value")
        else:
            self.report(mark, f"the YAML tag '{_short_tag(tag)}' is not allowed in a contract")
        return Scalar(None, text, mark, bad=True)

    def _mapping(self, node: Any, mark: Mark, depth: int) -> Map:
        entries: dict[str, tuple[Mark, Raw]] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            value = self.build(value_node, depth + 1)
            if not isinstance(key, Scalar) or not isinstance(key.value, str):
                if not key.bad:
                    self.report(key.mark, f"keys must be strings, got {describe(key)}")
                continue
            if key.value in entries:
                first = entries[key.value][0]
                self.report(
                    key.mark,
                    f"duplicate key '{key.value}' (first at line {first.line}); YAML would "
                    "silently keep only this last one",
                )
            entries[key.value] = (key.mark, value)
        return Map(entries, mark)


def describe(node: Raw) -> str:
    """How a value reads in an error message: its type and, for scalars, the value."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
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


def plain(node: Raw) -> Any:
    """The plain Python data a marked tree holds (dicts, lists, scalars)."""
    if isinstance(node, Map):
        return {key: plain(value) for key, (_, value) in node.entries.items()}
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    return node.value


def read_tree(text: str, file: str, report: Report) -> Raw | None:
    """The marked tree of ``text`` (``None`` for an empty document); problems that spoil only
    one value go to ``report``, and :class:`Fatal` is raised for one that spoils the file."""
    node = compose(text.removeprefix("\ufeff"), file)
    return None if node is None else Builder(file, report).build(node)
