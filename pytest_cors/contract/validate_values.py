"""Check single contract values (strings, flags, lists, paths, methods, headers, ...) and
collect a diagnostic for each problem, so that one run reports them all."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Hashable, Sequence
from typing import TypeVar
from urllib.parse import quote

from pytest_cors.contract.diagnostics import diagnostic
from pytest_cors.contract.keys import HOMES, Setting, suggest
from pytest_cors.contract.model import (
    BROWSER_PROFILES,
    CROSSORIGIN_VALUES,
    FAULTS,
    INITIATOR_ELEMENTS,
    INITIATOR_NAMES,
    AllowedFinding,
    Initiator,
    Mark,
)
from pytest_cors.contract.yaml_source import Map, Raw, Scalar, Seq, describe
from pytest_cors.engine.request import TOKEN, is_forbidden_header, normalize_method
from pytest_cors.engine.response import FORBIDDEN_RESPONSE_HEADERS
from pytest_cors.errors import CorsUsageError, Diagnostic
from pytest_cors.origin import hide_userinfo, origin_of_url, split_url

_T = TypeVar("_T")

_TOKEN_CHARS = "letters, digits and !#$%&'*+-.^_`|~"
_FINDING_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


class Bad:
    """Marks a value already reported as wrong, so that nothing reports it again."""


BAD = Bad()

Entries = dict[str, tuple[Mark, Raw]]
"""A mapping's known keys, each with its key's mark and its value."""


def flow(parts: list[str]) -> str:
    """A YAML flow list of ``parts``, quoting what a plain scalar could not hold."""

    def one(part: str) -> str:
        if not part or part[0] in "*&!{}[]'\"%@`|>#,?:-" or ": " in part or " #" in part:
            return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return part

    return "[" + ", ".join(one(p) for p in parts) + "]"


class ValueChecks:
    """Checks one value at a time; each problem becomes a diagnostic in :attr:`diagnostics`."""

    def __init__(self, file: str, known_findings: Collection[str] | None) -> None:
        self.file = file
        self.known_findings = known_findings
        self.diagnostics: list[Diagnostic] = []

    def error(self, mark: Mark, message: str) -> None:
        """Collect one problem; checking goes on, so that the user sees them all at once."""
        self.diagnostics.append(diagnostic(mark, message))

    # -- generic shapes ------------------------------------------------------------------

    def unknown_key(
        self, key: str, mark: Mark, allowed: Collection[str], where: str, *, top_level: bool
    ) -> None:
        """Say where a misplaced key goes (decided by its :class:`~.keys.Home`, never by the
        wording of a message), else which allowed key it most likely misspells."""
        if key == "<<":
            self.error(mark, "YAML merge keys ('<<') are not supported; use 'defaults'")
            return
        home = HOMES.get(key)
        if home is not None and (top_level or not home.inside_a_policy):
            self.error(mark, f"'{key}' does not belong {where}; it goes {home.value}")
            return
        close = suggest(key, allowed)
        if close:
            self.error(mark, f"unknown key '{key}' {where}; did you mean '{close}'?")
        else:
            expected = ", ".join(sorted(allowed))
            self.error(mark, f"unknown key '{key}' {where}; expected one of: {expected}")

    def mapping(
        self,
        node: Raw,
        label: str,
        allowed: Collection[str],
        where: str,
        *,
        top_level: bool = False,
    ) -> Entries | None:
        """The entries of the mapping ``node`` whose keys are ``allowed``; each other key is
        reported as unknown ``where`` (``top_level``: where is the contract's top level)."""
        if not isinstance(node, Map):
            if not node.bad:
                self.error(node.mark, f"{label} must be a mapping, got {describe(node)}")
            return None
        known = {}
        for key, (key_mark, value) in node.entries.items():
            if key in allowed:
                known[key] = (key_mark, value)
            else:
                self.unknown_key(key, key_mark, allowed, where, top_level=top_level)
        return known

    def string(self, node: Raw, label: str, *, empty_ok: bool = False) -> str | Bad:
        """A string (not empty unless ``empty_ok``); a number or a list is reported."""
        if isinstance(node, Scalar) and isinstance(node.value, str):
            if not empty_ok and not node.value.strip():
                self.error(node.mark, f"{label} must not be empty")
                return BAD
            return node.value
        if not node.bad:
            self.error(node.mark, f"{label} must be a string, got {describe(node)}")
        return BAD

    def boolean(self, node: Raw, label: str) -> bool | Bad:
        """``true`` or ``false``; ``yes``, ``on`` and near misses get a "did you mean"."""
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        if node.bad:
            return BAD
        message = f"'{label}' must be true or false, got {describe(node)}"
        if isinstance(node, Scalar) and isinstance(node.value, str):
            word = node.value.strip().lower()
            close = difflib.get_close_matches(word, ("true", "false"), n=1, cutoff=0.6)
            if word in ("yes", "on", "y") or close == ["true"]:
                message += "; did you mean true?"
            elif word in ("no", "off", "n") or close == ["false"]:
                message += "; did you mean false?"
        self.error(node.mark, message)
        return BAD

    def integer(self, node: Raw, label: str) -> int | Bad:
        """A whole number, not negative (seconds, a seed)."""
        value = node.value if isinstance(node, Scalar) else None
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.error(node.mark, f"'{label}' must not be negative, got {value}")
                return BAD
            return value
        if not node.bad:
            self.error(node.mark, f"'{label}' must be a whole number, got {describe(node)}")
        return BAD

    def items(
        self,
        node: Raw,
        label: str,
        noun: str,
        item: Callable[[Raw], _T | Bad],
        *,
        marks: dict[str, Mark],
        path: str,
        identity: Callable[[_T], Hashable] | None = None,
        at_least_one: bool = False,
    ) -> tuple[_T, ...] | Bad:
        """A list whose items are checked by ``item``; duplicates and emptiness reported.

        A tuple, so that a policy shares the very value it inherits from ``defaults``."""
        if not isinstance(node, Seq):
            if node.bad:
                return BAD
            message = f"'{label}' must be a list, got {describe(node)}"
            if isinstance(node, Scalar) and isinstance(node.value, str) and node.value.strip():
                parts = [p.strip() for p in node.value.split(",") if p.strip()]
                message += f"; did you mean {flow(parts)}?"
            self.error(node.mark, message)
            return BAD
        if at_least_one and not node.items:
            self.error(node.mark, f"'{label}' must list at least one {noun}")
            return BAD
        result: list[_T] = []
        seen: dict[Hashable, Mark] = {}
        clean = True
        for index, child in enumerate(node.items):
            marks[f"{path}[{index}]"] = child.mark
            value = item(child)
            if isinstance(value, Bad):
                clean = False
                continue
            if identity is not None:
                key = identity(value)
                if key in seen:
                    shown = child.value if isinstance(child, Scalar) else key
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
        return tuple(result) if clean else BAD

    # -- single values -------------------------------------------------------------------

    def path(self, node: Raw, label: str) -> str | Bad:
        """A path as a browser sends it (see :func:`path_problem`)."""
        text = self.string(node, f"a path in '{label}'")
        if isinstance(text, Bad):
            return BAD
        problem = path_problem(text, label)
        if problem:
            self.error(node.mark, problem)
            return BAD
        return text

    def method(self, node: Raw) -> str | Bad:
        """A method written as fetch() sends it, so that a preflight asks for that spelling."""
        text = self.string(node, "a method")
        if isinstance(text, Bad):
            return BAD
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
        return BAD

    def header(self, node: Raw, key: Setting) -> str | Bad:
        """A header name a page can send (``request_headers``) or read (``expose_headers``)."""
        label = key.value
        text = self.string(node, f"a header name in '{label}'")
        if isinstance(text, Bad):
            return BAD
        lower = text.lower()
        problem = ""
        if text == "*":
            problem = f"'*' is not a header name; list the headers in '{label}' one by one"
        elif not TOKEN.fullmatch(text):
            problem = f"header name {text!r} is not valid (a token of {_TOKEN_CHARS})"
        elif key is Setting.REQUEST_HEADERS and is_forbidden_header(text, ""):
            problem = (
                f"{text!r} is a forbidden request header: a page cannot set it, so fetch() "
                "never sends it"
            )
        elif key is Setting.REQUEST_HEADERS and lower.startswith("access-control-"):
            problem = (
                f"{text!r} is a response header: the server sends it, and a page that sends it "
                "only triggers a preflight"
            )
        elif key is Setting.EXPOSE_HEADERS and lower in FORBIDDEN_RESPONSE_HEADERS:
            problem = f"{text!r} is never readable by a page, even when exposed"
        if problem:
            self.error(node.mark, problem)
            return BAD
        return text

    def browser(self, node: Raw) -> str | Bad:
        """One of the browser profiles the engine models."""
        return self.one_of(node, "browser profile", "profiles", BROWSER_PROFILES, str.lower)

    def fault(self, node: Raw) -> str | Bad:
        """One of the error answers the kit can provoke."""
        return self.one_of(
            node, "fault", "faults", FAULTS, lambda text: text.lower().replace("-", "_")
        )

    def initiator(self, node: Raw) -> Initiator | Bad:
        """An ``initiators`` item: a name (``fetch``, ``xhr``, ``eventsource``, ``beacon`` or
        an element), or ``{element: ..., crossorigin: anonymous|use-credentials}``."""
        if isinstance(node, Scalar) and isinstance(node.value, str):
            name = self.one_of(node, "initiator", "initiators", INITIATOR_NAMES, str.lower)
            return BAD if isinstance(name, Bad) else Initiator(name)
        if not isinstance(node, Map):
            if not node.bad:
                self.error(
                    node.mark,
                    "an 'initiators' entry is a name (fetch, xhr, eventsource, beacon, or an "
                    f"element: {', '.join(INITIATOR_ELEMENTS)}) or a mapping "
                    "{element: img, crossorigin: anonymous}, got " + describe(node),
                )
            return BAD
        entries = self.mapping(
            node, "an 'initiators' entry", ("element", "crossorigin"), "in an 'initiators' entry"
        )
        if entries is None:
            return BAD
        if "element" not in entries:
            if "element" not in node.entries:  # a misspelt key is reported already
                self.error(
                    node.mark,
                    "an 'initiators' entry needs 'element' (one of "
                    f"{', '.join(INITIATOR_ELEMENTS)})",
                )
            return BAD
        element_node = entries["element"][1]
        element = self.string(element_node, "'element'")
        if isinstance(element, str) and element in INITIATOR_NAMES[:4]:
            self.error(
                element_node.mark,
                f"{element!r} is not an element: list it as a plain item ('- {element}'), "
                "without 'element:'",
            )
            element = BAD
        elif isinstance(element, str):
            element = self.one_of(
                element_node, "element", "elements", INITIATOR_ELEMENTS, str.lower
            )
        crossorigin: str | Bad | None = None
        if "crossorigin" in entries:
            value_node = entries["crossorigin"][1]
            crossorigin = self.string(value_node, "'crossorigin'")
            if isinstance(crossorigin, str):
                if element == "font":
                    self.error(
                        entries["crossorigin"][0],
                        "a CSS font (@font-face) has no crossorigin attribute: it is always a "
                        "CORS request without cookies; write '- font'",
                    )
                    crossorigin = BAD
                elif crossorigin not in CROSSORIGIN_VALUES:
                    crossorigin = self.one_of(
                        value_node,
                        "crossorigin value",
                        "crossorigin",
                        CROSSORIGIN_VALUES,
                        str.lower,
                    )
        if not isinstance(element, str) or isinstance(crossorigin, Bad):
            return BAD
        return Initiator(element, crossorigin)

    def one_of(
        self,
        node: Raw,
        noun: str,
        plural: str,
        choices: Sequence[str],
        spelling: Callable[[str], str],
    ) -> str | Bad:
        """A name out of ``choices``; another one gets the closest choice to its ``spelling``
        as a "did you mean", and the list of all."""
        text = self.string(node, f"a {noun}")
        if isinstance(text, Bad):
            return BAD
        if text in choices:
            return text
        close = difflib.get_close_matches(spelling(text), choices, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.error(node.mark, f"unknown {noun} {text!r}{hint} ({plural}: {', '.join(choices)})")
        return BAD

    def finding(self, node: Raw, marks: dict[str, Mark], path: str) -> AllowedFinding | Bad:
        """An ``allow_findings`` entry: a known finding id and the reason it is accepted."""
        entries = self.mapping(
            node, "an 'allow_findings' entry", ("id", "reason"), "in an 'allow_findings' entry"
        )
        if entries is None:
            return BAD
        values: dict[str, str | Bad] = {}
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
            finding_id = BAD
        elif (
            isinstance(finding_id, str)
            and self.known_findings is not None
            and finding_id not in self.known_findings
        ):
            close = difflib.get_close_matches(finding_id, list(self.known_findings), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.error(entries["id"][1].mark, f"unknown finding id {finding_id!r}{hint}")
            finding_id = BAD
        if reason is None:
            self.error(
                node.mark,
                "an 'allow_findings' entry needs 'reason': say why the finding is accepted",
            )
        if not isinstance(finding_id, str) or not isinstance(reason, str):
            return BAD
        return AllowedFinding(finding_id, reason, node.mark, marks=own)


def path_problem(text: str, label: str) -> str:
    """Why ``text`` is no path a browser requests as written (``""`` when it is), with the fix."""
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
