"""What DevTools shows, read back: a "Copy as cURL" command or a red CORS console line.

Pure: standard library only. :func:`parse_curl` reads the command Chromium's, Firefox's or
Safari's network panel copies (the bash form, and Chromium's cmd form with its ``^`` escapes)
and keeps what the page's script asked for: URL, method, body, the headers the script set and
the credentials mode, dropping what the browser adds by itself. :func:`parse_console` reads
Chromium's, Firefox's or WebKit's CORS console message: the URL, the page's origin (Firefox's
line does not name it), and the failing step, from which it rebuilds the request as far as
the line tells. Both return a :class:`FetchArgs` for ``simulate_fetch``.

The console patterns are made from the wording :mod:`pytest_cors.failures` renders, so a
message the kit prints is always one it can read back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pytest_cors.errors import CorsUsageError
from pytest_cors.failures import PREFLIGHT_PREFIX, make_failure
from pytest_cors.redaction import redact_url, redact_value

__all__ = ["ConsoleLine", "FetchArgs", "parse_console", "parse_curl"]


@dataclass(frozen=True)
class ConsoleLine:
    """What a console message says: who printed it, about which fetch, and what failed."""

    browser: str  # "chromium", "firefox" or "webkit": whose wording it is
    url: str  # the URL the script fetched (the first one, when a redirect followed)
    origin: str | None  # the page's origin; None when the line does not name it
    step: str | None  # "preflight", "actual" or "redirect"; None when the line does not say
    codes: tuple[str, ...]  # MDN codes the wording fits (empty: a reason the kit does not know)
    kinds: tuple[str, ...]  # Chromium failure kinds the wording fits
    reason: str  # the failing step, as the line words it
    parameter: str | None = None  # the method, header or value the line names
    status: int | None = None
    failed_url: str | None = None  # the URL that failed, when it is not ``url`` (a redirect)


@dataclass(frozen=True)
class FetchArgs:
    """The arguments of one ``fetch()`` as read from DevTools, and what the reading noticed.

    ``origin`` is ``None`` when the text does not name the page's origin: the caller must
    supply it. ``notes`` say what was dropped, guessed or ignored, one sentence each. The
    header values and the body may hold secrets: the ``repr`` shows neither.
    """

    url: str
    origin: str | None = None
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: str = "omit"
    body: str | None = None
    browser: str | None = None  # the profile the text came from, when it tells
    notes: tuple[str, ...] = ()
    console: ConsoleLine | None = None
    method_known: bool = True  # False: a console line that does not say which method
    cookies: int = 0  # how many cookies the copied request carried
    source: str = "options"  # "curl" or "console": what the arguments were read from

    def __repr__(self) -> str:
        headers = tuple((k, redact_value(k, v)) for k, v in self.headers)
        body = "None" if self.body is None else f"<{len(self.body.encode())} bytes>"
        return (
            f"FetchArgs(url={redact_url(self.url)!r}, origin={self.origin!r}, "
            f"method={self.method!r}, headers={headers!r}, credentials={self.credentials!r}, "
            f"body={body}, browser={self.browser!r})"
        )


# -- Copy as cURL ---------------------------------------------------------------------------------

BROWSER_ADDED = frozenset(
    {
        "user-agent",
        "accept-language",
        "accept-encoding",
        "referer",
        "priority",
        "connection",
        "host",
        "content-length",
        "te",
        "keep-alive",
        "upgrade-insecure-requests",
        "dnt",
    }
)
"""Request headers the browser sets by itself (a script cannot set them): dropped."""
_BROWSER_ADDED_PREFIXES = ("sec-fetch-", "sec-ch-ua", "sec-gpc")
_NO_VALUE_FLAGS = frozenset(
    {
        "--compressed",
        "-i",
        "--include",
        "-s",
        "--silent",
        "-S",
        "--show-error",
        "-k",
        "--insecure",
        "-L",
        "--location",
        "-v",
        "--verbose",
        "-g",
        "--globoff",
        "--http1.1",
        "--http2",
        "--http3",
        "-f",
        "--fail",
        "-N",
        "--no-buffer",
    }
)
_VALUE_FLAGS = frozenset(
    {
        "-o",
        "--output",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "--connect-timeout",
        "-m",
        "--max-time",
        "-x",
        "--proxy",
        "-w",
        "--write-out",
        "--resolve",
        "--cacert",
        "-E",
        "--cert",
        "--key",
        "-c",
        "--cookie-jar",
        "-T",
        "--upload-file",
        "-F",
        "--form",
        "--retry",
        "--limit-rate",
        "-r",
        "--range",
        "--max-redirs",
    }
)
_DATA_FLAGS = frozenset(
    {"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode"}
)
_SHORT_WITH_VALUE = {"-H": "-H", "-X": "-X", "-d": "-d", "-b": "-b"}
_HEADER_PLACEHOLDER = "example"


def parse_curl(text: str) -> FetchArgs:
    """The fetch a DevTools "Copy as cURL" command (bash or cmd form) describes.

    Kept: the URL, the method (``-X``; a body alone means POST, ``-I`` HEAD), the body
    (``--data-raw`` and the other ``--data`` forms), and every header the script could have
    set (``Content-Type``, ``Authorization``, custom ones). Dropped: what the browser adds by
    itself (``User-Agent``, ``Accept-Language``, ``Referer``, ``Sec-Fetch-*``, ``sec-ch-ua*``,
    ``Priority``...), ``Accept: */*`` (fetch's default), and DevTools' "Disable cache" pair.
    ``Origin`` becomes the page's origin (else the ``Referer``'s origin); a cookie (``-b`` or a
    ``Cookie`` header) means the browser held cookies, so credentials ``include``; their
    values are never kept. Options the request does not depend on are ignored with a note.
    """
    words = _split(text)
    if not words or _program(words[0]) != "curl":
        raise CorsUsageError(
            "--curl takes the command DevTools copies with 'Copy as cURL' (it starts with "
            f"'curl'), got {_shown(text)}"
        )
    if None in words:
        raise CorsUsageError(
            "--curl got several commands ('Copy all as cURL'?): paste the one for the request "
            "the console complains about"
        )
    args = [w for w in words[1:] if w is not None]
    url: str | None = None
    method: str | None = None
    head = False
    data: list[str] = []
    raw_headers: list[tuple[str, str]] = []
    cookies = 0
    notes: list[str] = []
    ignored: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        flag, value, i = _option(args, i)
        if flag is None:
            if url is None:
                url = arg
            else:
                ignored.append(f"the extra URL {redact_url(arg)!r}")
            continue
        if flag in ("-H", "--header"):
            name, sep, val = _need(flag, value).partition(":")
            if not sep:
                if name.endswith(";"):  # curl's way of sending an empty header
                    raw_headers.append((name[:-1].strip(), ""))
                else:
                    ignored.append(f"the header line {name.strip()!r} (no ':')")
                continue
            raw_headers.append((name.strip(), val.strip(" \t")))
        elif flag in ("-X", "--request"):
            method = _need(flag, value).upper()
        elif flag in ("-I", "--head"):
            head = True
        elif flag in _DATA_FLAGS:
            payload = _need(flag, value)
            if flag in ("-d", "--data", "--data-binary", "--data-ascii") and payload[:1] == "@":
                raise CorsUsageError(
                    f"--curl: {flag} {payload!r} reads the body from a file, which DevTools "
                    "never writes: paste the body with --data-raw"
                )
            if flag == "--data-urlencode":
                notes.append("--data-urlencode is read as is (not URL-encoded again)")
            data.append(payload)
        elif flag in ("-b", "--cookie"):
            _need(flag, value)
            cookies += 1
        elif flag == "--url":
            url = _need(flag, value) if url is None else url
        elif flag in _NO_VALUE_FLAGS:
            continue  # output and transport options: the browser's request does not change
        elif flag in _VALUE_FLAGS:
            ignored.append(f"{flag} (and its value)")
        else:
            ignored.append(flag)
    if url is None:
        raise CorsUsageError("--curl: the command names no URL")
    url = re.sub(r"\\([\[\]{}])", r"\1", url)  # DevTools escapes curl's URL globbing
    if urlsplit(url).scheme not in ("http", "https"):
        raise CorsUsageError(f"--curl: the URL {redact_url(url)!r} is not an http(s) URL")
    body = "&".join(data) if data else None
    if method is None:
        method = "HEAD" if head else ("POST" if body is not None else "GET")
    origin: str | None = None
    referer: str | None = None
    kept: list[tuple[str, str]] = []
    dropped: list[str] = []
    preflight_method: str | None = None
    preflight_names: list[str] = []
    lower = {n.lower(): v for n, v in raw_headers}
    no_cache = lower.get("pragma") == "no-cache" and lower.get("cache-control") == "no-cache"
    for name, val in raw_headers:
        key = name.lower()
        if key == "origin":
            origin = val
        elif key == "cookie":
            cookies += 1
        elif key == "referer":
            referer = val
        elif _browser_added(key, val, no_cache=no_cache):
            dropped.append(name)
        elif key == "access-control-request-method":
            preflight_method = val.strip()
        elif key == "access-control-request-headers":
            preflight_names = [n.strip() for n in val.split(",") if n.strip()]
        else:
            kept.append((name, val))
    if dropped:
        notes.append("dropped what the browser adds by itself: " + ", ".join(dropped))
    if no_cache:
        notes.append(
            "dropped Pragma and Cache-Control: no-cache (DevTools' 'Disable cache' adds them)"
        )
    if method == "OPTIONS" and preflight_method:
        # the preflight itself was copied: the script's request is what it announces
        method = preflight_method.upper()
        kept = [(n, _placeholder(n)) for n in preflight_names]
        body = None
        notes.append(
            f"this is the preflight: reproducing the {method} it announces"
            + (f" with {', '.join(preflight_names)}" if preflight_names else "")
            + " (header values are placeholders)"
        )
    if origin is None and referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            notes.append(f"the page's origin is taken from the Referer: {origin}")
    credentials = "omit"
    if cookies:
        credentials = "include"
        notes.append(
            "the request carried cookies, so the script asked for credentials: 'include' "
            "(their values are not used or shown; the simulated browser holds its own "
            "session cookie)"
        )
    if method in ("GET", "HEAD") and body is not None:
        notes.append(f"a {method} request cannot have a body: the body is left out")
        body = None
    if ignored:
        notes.append("ignored: " + ", ".join(ignored))
    return FetchArgs(
        url=url,
        origin=origin,
        method=method,
        headers=tuple(kept),
        credentials=credentials,
        body=body,
        notes=tuple(notes),
        cookies=cookies,
        source="curl",
    )


def _browser_added(key: str, value: str, *, no_cache: bool) -> bool:
    """Whether the lower-cased header ``key`` is one the browser set, not the script."""
    if key in BROWSER_ADDED or key.startswith(_BROWSER_ADDED_PREFIXES):
        return True
    if key == "accept" and value.strip() == "*/*":
        return True  # fetch's default
    return no_cache and key in ("pragma", "cache-control")


def _program(word: str | None) -> str:
    if word is None:
        return ""
    name = word.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name.removesuffix(".exe")


def _shown(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return repr(first[:60] + ("..." if len(first) > 60 else ""))


def _option(args: Sequence[str], i: int) -> tuple[str | None, str | None, int]:
    """The option at ``args[i]``: (flag, value, next index); (None, None, i + 1) for a word."""
    arg = args[i]
    if not arg.startswith("-") or arg == "-":
        return None, None, i + 1
    if arg.startswith("--"):
        flag, eq, inline = arg.partition("=")
        if eq and flag in _DATA_FLAGS | {"--header", "--request", "--cookie", "--url"}:
            return flag, inline, i + 1
        takes = flag in _DATA_FLAGS or flag in _VALUE_FLAGS
        takes = takes or flag in ("--header", "--request", "--cookie", "--url")
    else:
        flag = arg[:2]
        if flag in _SHORT_WITH_VALUE and len(arg) > 2:
            return flag, arg[2:], i + 1  # -XPUT, -H'Name: value'
        takes = flag in _SHORT_WITH_VALUE or flag in _VALUE_FLAGS
        flag = arg
    if takes:
        value = args[i + 1] if i + 1 < len(args) else None
        return flag, value, i + 2
    return flag, None, i + 1


def _need(flag: str, value: str | None) -> str:
    if value is None:
        raise CorsUsageError(f"--curl: {flag} needs a value")
    return value


def _placeholder(name: str) -> str:
    return "application/json" if name.lower() == "content-type" else _HEADER_PLACEHOLDER


def _split(text: str) -> list[str | None]:
    """The words of a shell command; ``None`` separates commands (``;``, ``&&``, ``|``)."""
    stripped = text.strip()
    if stripped.startswith("Invoke-WebRequest") or "Invoke-WebRequest" in stripped[:200]:
        raise CorsUsageError(
            "--curl got 'Copy as PowerShell'; use 'Copy as cURL (bash)' or 'Copy as cURL (cmd)'"
        )
    if stripped.startswith(("fetch(", "await fetch(")):
        raise CorsUsageError(
            "--curl got 'Copy as fetch'; use 'Copy as cURL (bash)' or 'Copy as cURL (cmd)'"
        )
    if '^"' in text or re.search(r"\^\r?\n", text):
        return list(_split_cmd(text))
    return _split_posix(text)


def _split_posix(text: str) -> list[str | None]:
    """bash's word splitting and quoting: ``'...'``, ``"..."``, ``$'...'`` (which DevTools
    writes for values holding quotes or control characters), backslashes, line
    continuations and comments. No expansion: ``$HOME`` stays as written."""
    words: list[str | None] = []
    current: list[str] = []
    started = False
    i, n = 0, len(text)

    def flush() -> None:
        nonlocal current, started
        if started:
            words.append("".join(current))
        current, started = [], False

    while i < n:
        c = text[i]
        if c == "\\":
            if text.startswith("\r\n", i + 1):
                i += 3
            elif i + 1 < n and text[i + 1] == "\n":
                i += 2
            else:
                current.append(text[i + 1 : i + 2])
                started, i = True, i + 2
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise CorsUsageError("--curl: a quote (') is never closed")
            current.append(text[i + 1 : end])
            started, i = True, end + 1
        elif c == "$" and text[i + 1 : i + 2] == "'":
            value, i = _ansi_c(text, i + 2)
            current.append(value)
            started = True
        elif c == '"':
            i += 1
            while True:
                if i >= n:
                    raise CorsUsageError('--curl: a quote (") is never closed')
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                    if text[i + 1] != "\n":
                        current.append(text[i + 1])
                    i += 2
                else:
                    current.append(c)
                    i += 1
            started = True
        elif c in " \t\r\n":
            flush()
            i += 1
        elif c in ";|" or text.startswith("&&", i):
            flush()
            words.append(None)
            i += 2 if text.startswith(("&&", "||"), i) else 1
        elif c == "#" and not started:
            end = text.find("\n", i)
            i = n if end < 0 else end
        else:
            current.append(c)
            started, i = True, i + 1
    flush()
    while words and words[-1] is None:  # a trailing ';' ends the one command
        words.pop()
    return words


_SIMPLE_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "e": "\x1b",
    "E": "\x1b",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def _ansi_c(text: str, i: int) -> tuple[str, int]:
    """The value of a ``$'...'`` word whose body starts at ``i``; and the index after it."""
    out: list[str] = []
    n = len(text)
    while i < n:
        c = text[i]
        if c == "'":
            return "".join(out), i + 1
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = text[i + 1]
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
            i += 2
        elif e in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[e]
            digits = re.match(f"[0-9a-fA-F]{{1,{limit}}}", text[i + 2 :])
            if digits:
                out.append(chr(int(digits[0], 16)))
                i += 2 + len(digits[0])
            else:
                out.append("\\" + e)
                i += 2
        elif e in "01234567":
            digits = re.match(r"[0-7]{1,3}", text[i + 1 :])
            assert digits is not None
            out.append(chr(int(digits[0], 8) & 0xFF))
            i += 1 + len(digits[0])
        else:
            out.append("\\" + e)
            i += 2
    raise CorsUsageError("--curl: a $'...' value is never closed")


def _split_cmd(text: str) -> list[str]:
    """Words of DevTools' "Copy as cURL (cmd)": cmd.exe's ``^`` escapes (``^`` + line break
    continues the line), then the C runtime's quoting, undone the way DevTools does it
    (``\\\\`` is one backslash, ``\\"`` a quote)."""
    chars: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "^":
            if text.startswith("\r\n", i + 1):
                i += 3
            elif text.startswith("\n", i + 1):
                i += 2
            else:
                chars.append(text[i + 1 : i + 2])
                i += 2
                continue
            if i < n:  # the first character after a continuation is taken as it is
                chars.append(text[i])
                i += 1
        elif c in "\r\n":
            chars.append(" ")
            i += 1
        else:
            chars.append(c)
            i += 1
    line = "".join(chars)
    words: list[str] = []
    current: list[str] = []
    started = quoted = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "\\" and i + 1 < n and line[i + 1] in '\\"':
            current.append(line[i + 1])
            started, i = True, i + 2
        elif c == '"':
            quoted, started, i = not quoted, True, i + 1
        elif c in " \t" and not quoted:
            if started:
                words.append("".join(current))
            current, started = [], False
            i += 1
        else:
            current.append(c)
            started, i = True, i + 1
    if quoted:
        raise CorsUsageError('--curl: a quote (^") is never closed')
    if started:
        words.append("".join(current))
    return words


# -- console lines --------------------------------------------------------------------------------

# Chromium's failure kinds (its corsError names, as pytest_cors.failures words them), with the
# steps of a fetch at which the engine reports each.
KIND_STEPS: dict[str, tuple[str, ...]] = {
    "MissingAllowOriginHeader": ("preflight", "actual"),
    "MultipleAllowOriginValues": ("preflight", "actual"),
    "InvalidAllowOriginValue": ("preflight", "actual"),
    "AllowOriginMismatch": ("preflight", "actual"),
    "WildcardOriginNotAllowed": ("preflight", "actual"),
    "InvalidAllowCredentials": ("preflight", "actual"),
    "PreflightInvalidStatus": ("preflight",),
    "PreflightDisallowedRedirect": ("preflight",),
    "InvalidAllowMethodsPreflightResponse": ("preflight",),
    "InvalidAllowHeadersPreflightResponse": ("preflight",),
    "MethodDisallowedByPreflightResponse": ("preflight",),
    "HeaderDisallowedByPreflightResponse": ("preflight",),
    "RedirectContainsCredentials": ("redirect",),
    "TooManyRedirects": ("redirect",),
    "InvalidRedirectLocation": ("redirect",),
    "CorsDisabledScheme": ("actual",),
}
# Codes Firefox reports besides a kind's own (the engine overrides them in these cases).
_FIREFOX_OVERRIDES = (
    ("MultipleAllowOriginValues", "CORSAllowOriginNotMatchingOrigin"),
    ("PreflightDisallowedRedirect", "CORSExternalRedirectNotAllowed"),
)
_CREDENTIAL_CODES = frozenset({"CORSNotSupportingCredentials", "CORSMissingAllowCredentials"})

_S_URL = "https://url.sentinel.invalid/p"
_S_ORIGIN = "https://origin.sentinel.invalid"
_S_PARAM = "PARAM-SENTINEL"
_S_STATUS = 599

_CHROMIUM_HEAD = re.compile(
    r"Access to (?:fetch|XMLHttpRequest|resource|script|font|image) at '(?P<url>.+?)'"
    r"(?: \(redirected from '(?P<initial>.+?)'\))? from origin '(?P<origin>.+?)' has been "
    r"blocked by CORS policy: (?P<reason>.*)"
)
_CHROMIUM_NET_LINE = re.compile(
    r"(?:^|\s)(?P<method>[A-Z]+) (?P<url>\S+) net::ERR_FAILED(?: (?P<status>\d{3}))?"
)
_FIREFOX_HEAD = re.compile(
    r"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
    r"resource at (?P<url>'[^']*'|\S+?)\. \(Reason: (?P<reason>.+?)\)\.?"
    r"(?=\s*(?:Status code:|\[Learn More\]|$))(?:\s*Status code: (?P<status>\d+|\(null\))\.?)?"
)
_WEBKIT_LAST = re.compile(
    r"(?:Fetch API|XMLHttpRequest) cannot load (?P<url>\S+?) due to access control checks\."
)
_WEBKIT_REDIRECT = re.compile(
    r"Cross-origin redirection to (?P<to>\S+) denied by Cross-Origin Resource Sharing "
    r"policy: (?P<reason>.*)"
)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    kinds: tuple[str, ...]
    codes: tuple[str, ...]
    step: str | None
    preflight_prefix: bool = False


def _regex(reason: str) -> str:
    """A pattern for ``reason`` as rendered with the sentinels: each becomes a group."""
    pattern = re.escape(reason)
    groups = (
        (re.escape(_S_ORIGIN), "origin", r"\S+?"),
        (re.escape(_S_PARAM), "param", r".+?"),
        (re.escape(str(_S_STATUS)), "status", r"\d{3}"),
    )
    for escaped, name, body in groups:
        first = True
        while escaped in pattern:
            group = f"(?P<{name}>{body})" if first else f"(?P={name})"
            pattern = pattern.replace(escaped, group, 1)
            first = False
    return pattern


def _merged(found: dict[tuple[str, bool], list[tuple[str, str, str]]]) -> list[_Pattern]:
    patterns = []
    for (pattern, prefix), entries in found.items():
        kinds = tuple(dict.fromkeys(k for k, _, _ in entries))
        codes = tuple(dict.fromkeys(c for _, c, _ in entries))
        steps = {s for _, _, s in entries}
        step = steps.pop() if len(steps) == 1 else None
        patterns.append(_Pattern(re.compile(pattern), kinds, codes, step, prefix))
    # the most specific first: a longer pattern says more
    return sorted(patterns, key=lambda p: len(p.regex.pattern), reverse=True)


def _build_patterns() -> dict[str, list[_Pattern]]:
    styles: dict[str, dict[tuple[str, bool], list[tuple[str, str, str]]]] = {
        "chromium": {},
        "firefox": {},
        "webkit": {},
    }
    renders: list[tuple[str, str, str, str | None]] = [
        (kind, step, style, None)
        for kind, steps in KIND_STEPS.items()
        for step in steps
        for style in styles
    ]
    renders += [(kind, "preflight", "firefox", code) for kind, code in _FIREFOX_OVERRIDES]
    for kind, step, style, override in renders:
        failure = make_failure(
            kind,
            url=_S_URL,
            origin=_S_ORIGIN,
            step=step,
            parameter=_S_PARAM,
            status=_S_STATUS,
            firefox=style == "firefox",
            webkit=style == "webkit",
            code_override=override,
        )
        message = failure.message
        prefix = False
        if style == "chromium":
            head = _CHROMIUM_HEAD.match(message)
            assert head is not None, message
            reason = head["reason"]
            if reason.startswith(PREFLIGHT_PREFIX):
                prefix, reason = True, reason[len(PREFLIGHT_PREFIX) :]
        elif style == "firefox":
            head = _FIREFOX_HEAD.match(message)
            assert head is not None, message
            reason = head["reason"]
        else:
            reason = message.rpartition("\n")[0] if "\n" in message else ""
            if not reason:
                continue  # WebKit words no reason of its own for this failure
        found = styles[style].setdefault((_regex(reason), prefix), [])
        found.append((kind, failure.code, step))
    return {style: _merged(found) for style, found in styles.items()}


_PATTERNS = _build_patterns()


def _flatten(text: str) -> str:
    text = text.replace("\u2018", "'").replace("\u2019", "'")  # Firefox's curly quotes
    return " ".join(text.split())


def parse_console(text: str) -> FetchArgs:
    """The fetch a CORS console message (Chromium's, Firefox's or WebKit's) is about.

    The URL and the page's origin come from the line (Firefox's and most of WebKit's do not
    name the origin: ``origin`` is then ``None``); the failing step tells whether a preflight
    was sent, and the method or header the line names is put back (``PUT`` for "Method PUT
    is not allowed...", an ``x-token`` header for "Request header field x-token..."), as is
    credentials ``include`` for a failure only a credentialed request meets.
    """
    flat = _flatten(text)
    for reader in (_read_chromium, _read_firefox, _read_webkit):
        line = reader(flat)
        if line is not None:
            return _args_from(line, flat)
    raise CorsUsageError(
        "--console takes a CORS console message: Chromium's 'Access to fetch at ... has been "
        "blocked by CORS policy: ...', Firefox's 'Cross-Origin Request Blocked: ...' or "
        f"WebKit's '... cannot load ... due to access control checks.'; got {_shown(text)}"
    )


def _match(
    style: str, reason: str, *, prefix: bool, full: bool
) -> tuple[_Pattern | None, dict[str, str]]:
    for pattern in _PATTERNS[style]:
        if pattern.preflight_prefix != prefix:
            continue
        found = pattern.regex.fullmatch(reason) if full else pattern.regex.match(reason)
        if found:
            return pattern, {k: v for k, v in found.groupdict().items() if v is not None}
    return None, {}


def _read_chromium(flat: str) -> ConsoleLine | None:
    head = _CHROMIUM_HEAD.search(flat)
    if head is None:
        return None
    reason = head["reason"].strip()
    prefix = reason.startswith(PREFLIGHT_PREFIX)
    rest = reason[len(PREFLIGHT_PREFIX) :] if prefix else reason
    # the ``GET URL net::ERR_FAILED 200`` line that may follow is not part of the reason
    rest = _CHROMIUM_NET_LINE.split(rest, maxsplit=1)[0].strip()
    pattern, groups = _match("chromium", rest, prefix=prefix, full=False)
    step = pattern.step if pattern else ("preflight" if prefix else None)
    url = head["initial"] or head["url"]
    return ConsoleLine(
        browser="chromium",
        url=url,
        origin=head["origin"],
        step=step,
        codes=pattern.codes if pattern else (),
        kinds=pattern.kinds if pattern else (),
        reason=reason,
        parameter=groups.get("param"),
        failed_url=head["url"] if head["initial"] else None,
    )


def _read_firefox(flat: str) -> ConsoleLine | None:
    head = _FIREFOX_HEAD.search(flat)
    if head is None:
        return None
    reason = head["reason"].strip()
    pattern, groups = _match("firefox", reason, prefix=False, full=True)
    status = head["status"]
    return ConsoleLine(
        browser="firefox",
        url=head["url"].strip("'"),
        origin=None,
        step=pattern.step if pattern else None,
        codes=pattern.codes if pattern else (),
        kinds=pattern.kinds if pattern else (),
        reason=reason,
        parameter=groups.get("param"),
        status=int(status) if status and status.isdigit() else None,
    )


def _read_webkit(flat: str) -> ConsoleLine | None:
    last = _WEBKIT_LAST.search(flat)
    if last is None:
        return None
    reason = flat[: last.start()].strip()
    reason = re.sub(r"\[Error\]\s*", "", reason).strip()  # Safari's console marks
    failed_url = None
    redirect = _WEBKIT_REDIRECT.fullmatch(reason)
    if redirect:
        failed_url, reason = redirect["to"], redirect["reason"].strip()
    pattern, groups = _match("webkit", reason, prefix=False, full=True) if reason else (None, {})
    status = groups.get("status")
    return ConsoleLine(
        browser="webkit",
        url=last["url"],
        origin=groups.get("origin"),
        step=pattern.step if pattern else None,
        codes=pattern.codes if pattern else (),
        kinds=pattern.kinds if pattern else (),
        reason=reason,
        parameter=groups.get("param"),
        status=int(status) if status else None,
        failed_url=failed_url,
    )


_PROFILE_OF = {"chromium": "chromium", "firefox": "firefox", "webkit": "safari"}


def _args_from(line: ConsoleLine, flat: str) -> FetchArgs:
    notes: list[str] = []
    method, method_known = "GET", True
    headers: list[tuple[str, str]] = []
    kinds = set(line.kinds)
    if "MethodDisallowedByPreflightResponse" in kinds and line.parameter:
        method = line.parameter.upper()
    elif "HeaderDisallowedByPreflightResponse" in kinds and line.parameter:
        headers.append((line.parameter, _placeholder(line.parameter)))
        notes.append(
            f"the line names the request header {line.parameter}: it is sent with a "
            f"placeholder value ({_placeholder(line.parameter)!r})"
        )
    if line.browser == "chromium":
        net = _CHROMIUM_NET_LINE.search(flat)
        if net and net["url"] in (line.url, line.failed_url) and method == "GET":
            method = net["method"]
    if line.step == "preflight" and method in ("GET", "HEAD", "POST") and not headers:
        method_known = False
        notes.append(
            "the line says a preflight was sent but not what made it needed: give the "
            "script's method (--method) and headers (-H) to reproduce it exactly"
        )
    credentials = "omit"
    if _CREDENTIAL_CODES.intersection(line.codes):
        credentials = "include"
        notes.append("the failure only happens to credentialed requests: credentials 'include'")
    if not line.codes:
        notes.append(
            f"the reason ({line.reason!r}) is not one pytest-cors knows: reproducing the "
            "fetch from the URL and origin only"
            if line.reason
            else "the line gives no reason: reproducing the fetch from the URL only"
        )
    return FetchArgs(
        url=line.url,
        origin=line.origin,
        method=method,
        headers=tuple(headers),
        credentials=credentials,
        browser=_PROFILE_OF[line.browser],
        notes=tuple(notes),
        console=line,
        method_known=method_known,
        source="console",
    )
