"""The page's Content Security Policy, as far as it decides whether a request may start.

Pure: a small CSP3 parser and matcher. A policy is a list of directives, each a list of source
expressions; a request's URL is checked against the directive that applies to its destination
(``fetch()``: ``connect-src``; a font ``font-src``, an image ``img-src``, ... each falling back
to ``default-src``: :func:`directive_for`). A blocked request never leaves
the page, so no CORS step runs at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from pytest_cors.origin import DEFAULT_PORTS as _DEFAULT_PORTS
from pytest_cors.origin import Origin

#: The directive each initiator consults, most specific first; ``default-src`` is the fallback.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "connect-src": ("connect-src", "default-src"),
    "font-src": ("font-src", "default-src"),
    "img-src": ("img-src", "default-src"),
    "media-src": ("media-src", "default-src"),
    "script-src": ("script-src-elem", "script-src", "default-src"),
    "script-src-elem": ("script-src-elem", "script-src", "default-src"),
    "style-src": ("style-src-elem", "style-src", "default-src"),
    "style-src-elem": ("style-src-elem", "style-src", "default-src"),
}
#: The directive a ``fetch()`` call is checked against.
FETCH_DIRECTIVE = "connect-src"
#: The directive each request destination is checked against (CSP3 "Get the effective
#: directive for request"): an element's own, ``connect-src`` for the empty destination of
#: ``fetch()``, ``XMLHttpRequest``, ``EventSource`` and ``sendBeacon``.
DESTINATION_DIRECTIVES: dict[str, str] = {
    "font": "font-src",
    "image": "img-src",
    "script": "script-src-elem",
    "style": "style-src-elem",
    "audio": "media-src",
    "video": "media-src",
    "track": "media-src",
}


def directive_for(destination: str) -> str:
    """The directive a request of ``destination`` (its ``Sec-Fetch-Dest``) is checked against;
    ``connect-src`` for ``"empty"`` and every destination not listed."""
    return DESTINATION_DIRECTIVES.get(destination, FETCH_DIRECTIVE)


_WHITESPACE = " \t\n\f\r"


@dataclass(frozen=True)
class Directive:
    """One directive as written: its name (lower case), the raw value and its sources."""

    name: str
    value: str
    sources: tuple[str, ...]

    @property
    def text(self) -> str:
        """The directive as browsers quote it in their console lines."""
        return f"{self.name} {self.value}".strip()


@dataclass(frozen=True)
class Policy:
    """One serialized policy: its directives by name (the first of a repeated name wins)."""

    directives: tuple[Directive, ...]

    def get(self, name: str) -> Directive | None:
        return next((d for d in self.directives if d.name == name), None)

    def effective(self, directive: str) -> Directive | None:
        """The directive that governs ``directive`` (itself or a fallback), ``None``: none."""
        for name in FALLBACKS.get(directive, (directive, "default-src")):
            found = self.get(name)
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Violation:
    """A URL that a directive does not allow."""

    directive: Directive
    #: The directive the initiator asked for (``connect-src``) when a fallback decided.
    wanted: str
    url: str

    @property
    def fallback(self) -> bool:
        return self.directive.name != self.wanted


def parse_policies(text: str) -> tuple[Policy, ...]:
    """Parse a ``Content-Security-Policy`` value: comma-separated policies, ``;`` directives."""
    policies = []
    for serialized in text.split(","):
        directives: list[Directive] = []
        for token in serialized.split(";"):
            token = token.strip(_WHITESPACE)
            if not token:
                continue
            name, *sources = token.split()
            name = name.lower()
            if any(d.name == name for d in directives):
                continue  # a repeated directive is ignored
            value = token[len(name) :].strip(_WHITESPACE)
            directives.append(Directive(name, value, tuple(sources)))
        if directives:
            policies.append(Policy(tuple(directives)))
    return tuple(policies)


def check(
    policy_text: str | None,
    url: str,
    page: Origin,
    *,
    directive: str = FETCH_DIRECTIVE,
    redirected: bool = False,
) -> Violation | None:
    """The first violation of ``policy_text`` by a request to ``url``, ``None`` when allowed.

    ``redirected``: the URL is a redirect's target, whose path a source no longer restricts.
    """
    found = violations(policy_text, url, page, directive=directive, redirected=redirected)
    return found[0] if found else None


def violations(
    policy_text: str | None,
    url: str,
    page: Origin,
    *,
    directive: str = FETCH_DIRECTIVE,
    redirected: bool = False,
) -> list[Violation]:
    """Every policy's violation by a request to ``url``, in policy order (empty: allowed).

    Each violated policy logs a console line of its own (measured: Chromium 156, Firefox 153
    ESR and WebKitGTK 2.50.6 log one per policy of ``a, b``, in that order).
    """
    if not policy_text:
        return []
    found = []
    for policy in parse_policies(policy_text):
        governing = policy.effective(directive)
        if governing is None:
            continue
        if not source_list_matches(governing.sources, url, page, redirected=redirected):
            found.append(Violation(governing, directive, url))
    return found


def source_list_matches(
    sources: tuple[str, ...], url: str, page: Origin, *, redirected: bool = False
) -> bool:
    """CSP3 "does url match source list in origin with redirect count"."""
    if not sources or (len(sources) == 1 and sources[0].lower() == "'none'"):
        return False
    parts = urlsplit(url)
    return any(_matches(source, parts, page, redirected) for source in sources)


def _scheme_matches(expression: str, scheme: str) -> bool:
    """CSP3 scheme-part match: equal, or the secure upgrade of an insecure scheme."""
    expression = expression.lower()
    if expression == scheme:
        return True
    upgrades = {"http": ("https",), "ws": ("wss", "http", "https"), "wss": ("https",)}
    return scheme in upgrades.get(expression, ())


def _port(parts_port: int | None, scheme: str) -> int | None:
    return parts_port if parts_port is not None else _DEFAULT_PORTS.get(scheme)


def _matches(source: str, parts: SplitResult, page: Origin, redirected: bool) -> bool:
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = _port(parts.port, scheme)
    except ValueError:
        return False
    lowered = source.lower()
    if lowered == "*":
        # any network scheme, and the page's own scheme
        return scheme in ("http", "https", "ws", "wss") or (
            not page.opaque and scheme == page.scheme
        )
    if lowered == "'self'":
        if page.opaque:
            return False
        page_port = _port(page.port, page.scheme)
        if (scheme, host, port) == (page.scheme, page.host, page_port):
            return True
        # the same host upgraded to a secure scheme, on its default port or the same port
        secure = (page.scheme, scheme) in (("http", "https"), ("ws", "wss"))
        return host == page.host and secure and port in (page_port, _DEFAULT_PORTS.get(scheme))
    if lowered.startswith("'"):
        return False  # nonces, hashes, 'unsafe-inline' ...: they never match a URL
    if lowered.endswith(":") and "/" not in lowered:
        return _scheme_matches(lowered[:-1], scheme)
    return _host_source_matches(source, scheme, host, parts.port, parts.path, page, redirected)


def _host_source_matches(
    source: str,
    scheme: str,
    host: str,
    explicit_port: int | None,
    path: str,
    page: Origin,
    redirected: bool,
) -> bool:
    rest = source
    expression_scheme = ""
    if "://" in rest:
        expression_scheme, rest = rest.split("://", 1)
        if not _scheme_matches(expression_scheme, scheme):
            return False
    elif page.opaque or not _scheme_matches(page.scheme, scheme):
        return False
    slash = rest.find("/")
    authority, source_path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    if authority.startswith("["):
        end = authority.find("]") + 1
        source_host, source_port = authority[:end], authority[end + 1 :]
    else:
        source_host, _, source_port = authority.partition(":")
    source_host = source_host.lower()
    if source_host.startswith("*."):
        if not host.endswith(source_host[1:]):
            return False
    elif source_host != "*" and source_host != host:
        return False
    url_port = _port(explicit_port, scheme)
    if source_port == "*":
        pass
    elif source_port:
        if not source_port.isdigit():
            return False
        wanted = int(source_port)
        upgraded = wanted == 80 and url_port == 443 and scheme in ("https", "wss")
        if wanted != url_port and not upgraded:
            return False
    else:
        default = _DEFAULT_PORTS.get(expression_scheme.lower() or scheme)
        if url_port != _DEFAULT_PORTS.get(scheme) and url_port != default:
            return False
    if source_path and not redirected:
        wanted_path = unquote(source_path)
        have = unquote(path or "/")
        if wanted_path.endswith("/"):
            return have.startswith(wanted_path)
        return have == wanted_path
    return True


def firefox_text(directive: Directive, page: Origin) -> str:
    """The directive as Firefox quotes it in its console line.

    Firefox writes back each source as it parsed it: a host source written without a scheme
    gets the page's (``*.example.com:*`` reads ``http://*.example.com:*``), and a host source's
    scheme and host are lower case (``HTTP://API.EXAMPLE.ORG:*`` reads
    ``http://api.example.org:*``); keywords and scheme sources stay as written (measured,
    Firefox 153 ESR). On an opaque page Firefox adds its page URL's scheme, which the origin
    ``null`` does not tell: a source without a scheme stays as written there.
    """
    sources = []
    for source in directive.sources:
        if source.startswith("'") or source == "*" or _is_scheme_source(source):
            sources.append(source)
        elif "://" in source:
            sources.append(_firefox_host_source(source))
        elif page.opaque:
            sources.append(source)
        else:
            sources.append(_firefox_host_source(f"{page.scheme}://{source}"))
    return " ".join([directive.name, *sources])


def _firefox_host_source(source: str) -> str:
    """``scheme://host[:port][/path]`` with the scheme and the host lower-cased."""
    scheme, rest = source.split("://", 1)
    end = next((i for i, c in enumerate(rest) if c in ":/"), len(rest))
    return f"{scheme.lower()}://{rest[:end].lower()}{rest[end:]}"


def _is_scheme_source(source: str) -> bool:
    return source.endswith(":") and "/" not in source
