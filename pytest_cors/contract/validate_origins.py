"""Check the origins a contract lists: ``origins.allow`` rules (exact, subdomain pattern,
regex) and the concrete origins of ``origins.deny`` and ``probes``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pytest_cors.contract.model import Mark, OriginRule
from pytest_cors.contract.regex_judge import GLOBAL_FLAGS, anchored, regex_admits_too_much
from pytest_cors.contract.validate_values import BAD, Bad, ValueChecks
from pytest_cors.contract.yaml_source import Map, Raw, Scalar
from pytest_cors.errors import CorsUsageError
from pytest_cors.origin import Origin, origin_of_url, origin_spelling_problem, parse_origin
from pytest_cors.site import is_public_suffix

_ALLOWED_HOST = re.compile(r"\[[0-9a-f:.]+\]|[a-z0-9_.-]+")
_WILDCARD_LABEL = "wildcard-label-for-pytest-cors"


class OriginChecks:
    """Checks origin values, reporting through the :class:`ValueChecks` it is given."""

    def __init__(self, values: ValueChecks) -> None:
        self.values = values

    def empty_origin(self, node: Raw, label: str) -> bool:
        """YAML reads a bare ``null`` as no value; the opaque origin needs quotes."""
        if isinstance(node, Scalar) and node.value is None and not node.bad:
            self.values.error(
                node.mark,
                f"an origin in '{label}' is an empty value; write \"null\" in quotes for the "
                "opaque origin",
            )
            return True
        return False

    def concrete_origin(self, node: Raw, label: str) -> Origin | Bad:
        """An origin a browser can send (``origins.deny``, ``probes``)."""
        if isinstance(node, Map):
            self.values.error(
                node.mark,
                f"'{label}' lists origins a browser sends; patterns and regexes belong in "
                "'origins.allow'",
            )
            return BAD
        if self.empty_origin(node, label):
            return BAD
        text = self.values.string(node, f"an origin in '{label}'")
        if isinstance(text, Bad):
            return BAD
        if "*" in text or text.startswith(("^", "re:")):
            problem = (
                f"{text!r} is a pattern, but '{label}' lists origins a browser sends, such as "
                "'https://evil.example.net'"
            )
            self.values.error(node.mark, problem)
            return BAD
        origin = origin_or_problem(text)
        if isinstance(origin, str):
            self.values.error(node.mark, origin)
            return BAD
        return origin

    def allow_rule(self, node: Raw) -> OriginRule | Bad:
        """One ``origins.allow`` entry: exact origin, subdomain pattern or ``{regex: ...}``."""
        if isinstance(node, Map):
            return self.regex_rule(node)
        if self.empty_origin(node, "origins.allow"):
            return BAD
        text = self.values.string(node, "an origin in 'origins.allow'")
        if isinstance(text, Bad):
            return BAD
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
            origin = origin_or_problem(text, strict_host=True)
            if not isinstance(origin, str):
                return OriginRule("exact", origin.serialize(), node.mark, origin=origin)
            problem = origin
        self.values.error(node.mark, problem)
        return BAD

    def subdomain_rule(self, text: str, mark: Mark) -> OriginRule | Bad:
        """A pattern such as ``https://*.example.com``: ``*`` only as the whole leftmost label,
        and never over a public suffix."""
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
            origin = origin_or_problem(stand_in, strict_host=True)
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
        self.values.error(mark, problem)
        return BAD

    def regex_rule(self, node: Map) -> OriginRule | Bad:
        """A ``{regex: ...}`` entry: it must compile, be anchored, and admit no other owner's
        origin (judged by :mod:`~pytest_cors.contract.regex_judge`)."""
        entries = self.values.mapping(
            node, "a regex entry", ("regex",), "in an 'origins.allow' entry"
        )
        if entries is None:
            return BAD
        if "regex" not in entries:
            if node.entries.keys() <= {"regex"}:
                self.values.error(node.mark, "an 'origins.allow' entry needs 'regex'")
            return BAD
        value_node = entries["regex"][1]
        pattern = self.values.string(value_node, "'regex'")
        if isinstance(pattern, Bad):
            return BAD
        mark = value_node.mark
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            self.values.error(
                mark, f"regex '{pattern}' does not compile: {exc.msg} at position {exc.pos}"
            )
            return BAD
        starts = pattern.startswith("^")
        escapes = len(pattern[:-1]) - len(pattern[:-1].rstrip("\\"))
        ends = pattern.endswith("$") and escapes % 2 == 0
        if not (starts and ends):
            fixed = anchored(pattern, starts=starts, ends=ends)
            hint = f"; did you mean '{fixed}'?" if fixed is not None else ""
            flags = GLOBAL_FLAGS.match(pattern)
            if flags is not None and pattern[flags.end() :].startswith("^") and ends:
                self.values.error(
                    mark,
                    f"regex '{pattern}' must start with '^' (then any flags, in a group that "
                    f"spans the rest){hint}",
                )
                return BAD
            self.values.error(
                mark,
                f"regex '{pattern}' must start with '^' and end with '$': unanchored, it also "
                f"matches longer origins such as 'https://app.example.com.evil.net'{hint}",
            )
            return BAD
        problem = regex_admits_too_much(pattern, compiled)
        if problem is not None:
            self.values.error(mark, problem)
            return BAD
        return OriginRule("regex", pattern, mark, regex=compiled)


def origin_or_problem(text: str, *, strict_host: bool = False) -> Origin | str:
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


class RuleIndex:
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
        """The first rule, in list order, that admits ``origin``."""
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
