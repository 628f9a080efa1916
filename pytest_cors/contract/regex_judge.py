"""Judge an ``origins.allow`` regex by the origins it admits, within a fixed amount of work.

Also the "did you mean" for a regex written without its anchors (:func:`anchored`).
"""

from __future__ import annotations

import re
from typing import Any

from pytest_cors._compat import sre_parse
from pytest_cors.origin import parse_origin
from pytest_cors.site import public_suffix, registrable_domain

GLOBAL_FLAGS = re.compile(r"(?:\(\?[aiLmsux]+\))+")
"""Leading global flags such as ``(?i)``."""


def anchored(pattern: str, *, starts: bool, ends: bool) -> str | None:
    """``pattern`` anchored with ``^`` and ``$``, or ``None`` when that does not compile.

    Leading global flags (``(?i)^...$``) must stay first, so they become a scoped group
    (``^(?i:...)$``); a suggestion is only made once ``re`` compiles it."""
    flags = GLOBAL_FLAGS.match(pattern)
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


def regex_admits_too_much(pattern: str, regex: re.Pattern[str]) -> str | None:
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
