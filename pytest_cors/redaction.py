"""The one rule for what no output shows: secret header values, URL parameters and user-info.

Every path that shows a value (``explain()``, curl lines, reprs, failure text, the terminal
summary and every report) calls this module, so a secret redacted in one place is redacted in
all of them. Pure: standard library only, and the lowest layer but ``errors``, so that ``http``
and everything above it can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from urllib.parse import unquote

# One rule, used wherever a value is shown (``explain()``, curl lines, failure transcripts,
# reports, reprs): a header or query parameter is *secret* when its name, compared without case
# and with ``_`` read as ``-``, is listed in SECRET_HEADERS (headers) or SECRET_PARAMS (query and
# fragment parameters of URLs), or matches a glob of SECRET_NAME_PATTERNS (both). The names of
# NEVER_REDACTED (the CORS headers themselves) are never secret. A secret value is shown as its
# length only: ``X-Api-Key: <redacted: 32 bytes>``, ``?token=<redacted: 12 bytes>``.
#
# The three collections are plain module-level sets, also reachable as ``pytest_cors.http.*``:
# add names to them (a ``conftest.py`` is a good place), or call :func:`add_secret_names`. See
# docs/reliability.md. Never rebind them: every name refers to these very sets.

SECRET_HEADERS: set[str] = {
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "apikey",
    "x-csrf-token",
    "x-xsrf-token",
}
"""Header names whose values are secret (lower case), besides SECRET_NAME_PATTERNS."""

SECRET_PARAMS: set[str] = {
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth",
    "api_key",
    "apikey",
    "key",
    "sig",
    "signature",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "code",
    "jwt",
    "session",
    "sessionid",
    "x-amz-credential",
    "x-amz-signature",
    "x-amz-security-token",
    "x-goog-credential",
    "x-goog-signature",
}
"""URL query (and fragment) parameter names whose values are secret, besides the patterns."""

SECRET_NAME_PATTERNS: set[str] = {
    "*-token",
    "*-secret",
    "*-key",
    "*-signature",
    "*-password",
    "*-credential",
    "*-credentials",
    "*api-key*",
    "*apikey*",
    "*auth",
    "*auth-*",
    "*authorization*",
    "*authentication*",
    "*-session",
    "*session-id",
    "*sessionid",
    "*sessid",
}
"""Globs (``fnmatch``, ``*`` and ``?``) over a lower-cased name with ``_`` read as ``-``: a
header or parameter whose name matches is secret (``X-Auth-Token``, ``client_secret``, ...)."""

NEVER_REDACTED: tuple[str, ...] = ("access-control-*", "origin", "vary")
"""Globs of names never redacted whatever the other lists say: the CORS headers themselves,
which every verdict is about."""


def _normal(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _secret_name(name: str, listed: set[str]) -> bool:
    normal = _normal(name)
    if any(fnmatchcase(normal, glob) for glob in NEVER_REDACTED):
        return False
    if normal in {_normal(n) for n in listed}:
        return True
    return any(fnmatchcase(normal, _normal(glob)) for glob in SECRET_NAME_PATTERNS)


def is_secret_header(name: str) -> bool:
    """Whether the values of header ``name`` are shown by their length only (see above)."""
    return _secret_name(name, SECRET_HEADERS)


def is_secret_param(name: str) -> bool:
    """Whether the values of URL parameter ``name`` (``?name=value``) are shown by their length
    only; a percent-encoded name is decoded first (``access%5Ftoken``)."""
    return _secret_name(unquote(name), SECRET_PARAMS)


def add_secret_names(names: Iterable[str]) -> None:
    """Treat ``names`` as secret from now on: a name with ``*`` or ``?`` is a glob for
    SECRET_NAME_PATTERNS, any other is added to both SECRET_HEADERS and SECRET_PARAMS.

    For a ``conftest.py``: ``pytest_cors.http.add_secret_names(["X-Tenant", "*-pin"])``.
    """
    for name in names:
        normal = name.strip().lower()
        if not normal:
            continue
        if "*" in normal or "?" in normal:
            SECRET_NAME_PATTERNS.add(normal)
        else:
            SECRET_HEADERS.add(normal)
            SECRET_PARAMS.add(normal)


def by_length(value: str) -> str:
    """A secret as shown: present, with its length only (an empty token tells from a cut one)."""
    return f"<redacted: {len(value)} bytes>"


def redact_value(name: str, value: str) -> str:
    """``value`` of header ``name`` as shown anywhere: a secret header's value is only its
    length; in any other value but a CORS header's, URLs have their secret parameters redacted
    (a ``Location``, a ``Link``, a ``Refresh``)."""
    if is_secret_header(name):
        return by_length(value)
    if any(fnmatchcase(_normal(name), glob) for glob in NEVER_REDACTED):
        return value
    return redact_params(value)


def redact_url(url: str) -> str:
    """``url`` with the value of every secret query or fragment parameter replaced by its
    length (``/items?token=<redacted: 12 bytes>&page=2``); anything else kept as it is."""
    start = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=-1)
    if start < 0:
        return url
    out = [url[: start + 1]]
    for piece in re.split(r"([&#;])", url[start + 1 :]):
        name, eq, value = piece.partition("=")
        if eq and value and is_secret_param(name) and not value.startswith("<redacted: "):
            piece = f"{name}={by_length(value)}"
        out.append(piece)
    return "".join(out)


_PARAM = re.compile(r"(?P<head>[?&#;](?P<name>[^=&#?;\s'\"<>]+)=)(?P<value>[^&#;\s'\"<>]+)")


def redact_params(text: str) -> str:
    """Free ``text`` (a message, a header value, a report) with the values of secret URL
    parameters replaced by their length: ``?name=value`` or ``&name=value`` (also after ``#``
    or ``;``), the value ending at the next separator, blank, quote or angle bracket."""
    if "=" not in text:
        return text
    return _PARAM.sub(
        lambda m: f"{m['head']}{by_length(m['value'])}" if is_secret_param(m["name"]) else m[0],
        text,
    )


_HEADER_LINE = re.compile(
    r"(?m)^(?P<head>[ \t<>]*(?P<name>[!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:(?!:)[ \t]*)"
    r"(?P<value>(?![ \t]*<redacted)[^\r\n]*)"
)
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s'\"]+@", re.IGNORECASE)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}")


def redact(text: str) -> str:
    """Free ``text`` (a report line, a record) without secrets: the values of secret header
    lines (``Name: value``), secret URL parameters, URL user-info and bearer tokens. Reports use
    it on every string, as they cannot know which of them quote a header."""
    if ":" in text:
        text = _HEADER_LINE.sub(_redacted_line, text)
    text = redact_params(text)
    text = _USERINFO.sub(lambda m: f"{m['scheme']}<redacted>@", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} <redacted>", text)


def _redacted_line(match: re.Match[str]) -> str:
    if not is_secret_header(match["name"]):
        return match[0]
    return f"{match['head']}{by_length(match['value'])}"


def hide_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` shown as ``<redacted>@``: messages never echo them."""
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    cut = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    authority = rest[:cut]
    if "@" not in authority:
        return url
    return f"{scheme}{sep}<redacted>@{authority.rpartition('@')[2]}{rest[cut:]}"
