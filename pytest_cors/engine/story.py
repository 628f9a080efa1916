"""An outcome told in text: the verdict, what was sent and received, each check, a curl line.

Part of the engine, so that ``Outcome.explain()`` needs nothing above it; pure: standard
library only. Secret values, by the one rule of :mod:`pytest_cors.http`
(``Authorization``, ``Cookie``, ``X-Api-Key``, ``*-Token`` headers, ``?token=`` and other secret
URL parameters, ...), are shown as present, never as what they were; a response body is shown
only when it is short text (often the server's reason for a refusal, such as Starlette's
``Disallowed CORS method``), with any of those secret values in it redacted too. Control
characters a server sent are shown as escapes (``\\x1b``), never written as they are.

The headers a browser adds with the same value to every request (``User-Agent``,
``Accept-Language``, ``Accept-Encoding``, Chromium's ``sec-ch-ua*``, Firefox's ``Priority``)
are named on one ``(browser-added: ...)`` line of a transcript; ``Referer`` and
``Sec-Fetch-*``, which say something about the request, are shown as lines; the curl line
carries them all, so a server sees what the browser sent. A compressed body (the browser
accepts gzip, br, zstd) is shown decoded when the standard library can decode it and it is
short text, else summed up with its coding.
"""

from __future__ import annotations

import shlex
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pytest_cors.engine.added import CONSTANT_NAMES
from pytest_cors.engine.profiles import PROFILES
from pytest_cors.http import Exchange, Headers, Request, Response, visible
from pytest_cors.redaction import by_length, is_secret_header, redact_params, redact_url

if TYPE_CHECKING:
    from pytest_cors.engine.fetch import Outcome
from pytest_cors.errors import hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

_REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
    303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 500: "Internal Server Error",
}  # fmt: skip


def verdict_line(outcome: Outcome) -> str:
    """One line: what the page's script would see."""
    req = outcome.request
    head = f"{req.method} {redact_url(req.url)} from origin {req.origin.serialize()}"
    if outcome.allowed and outcome.response_type == "opaque":
        return f"{head}: RESOLVED, OPAQUE (no-cors: status 0, nothing readable)"
    if outcome.allowed and outcome.response_type == "opaqueredirect":
        return f"{head}: RESOLVED, OPAQUE REDIRECT (redirect manual: status 0, not followed)"
    if outcome.allowed:
        kind = "same-origin" if outcome.same_origin else "CORS"
        return f"{head}: ALLOWED ({kind}, status {outcome.status})"
    code = outcome.failure.code if outcome.failure else "blocked"
    profile = PROFILES.get(outcome.browser)
    error = profile.script_error if profile else PROFILES["chromium"].script_error
    seen = _SEEN.get(outcome.initiator, "the element's error event")
    if outcome.initiator != "fetch":
        return f"{head}: BLOCKED ({code}) - page sees {seen}"
    return f"{head}: BLOCKED ({code}) - script sees {error}"


#: What a blocked request shows the page, by initiator (the standard's error paths; an
#: element load, any other initiator, fires the element's ``error`` event).
_SEEN = {
    "xhr": "the XHR's error event (status 0, no response)",
    "eventsource": "an error event, and the EventSource closes",
    "beacon": "nothing: sendBeacon() only queues the request",
}


def render_exchange(
    exchange: Exchange, indent: str = "  ", script_names: Iterable[str] = ()
) -> list[str]:
    """The request and response lines of one exchange, secrets redacted (control characters
    are left to the caller: :func:`explain` escapes the whole text once).

    The browser's constant lines (:data:`~pytest_cors.engine.added.CONSTANT_NAMES`) are named
    on one ``(browser-added: ...)`` line, except those the script set itself
    (``script_names``, lower case: a script-set ``Accept-Language`` is shown as a line).
    """
    req, resp = exchange.request, exchange.response
    lines = [f"{indent}> {req.method} {redact_url(req.url)}"]
    grouped = CONSTANT_NAMES.difference(script_names)
    added = [k for k, _ in req.headers if k.lower() in grouped]
    for k, v in req.headers.redacted():
        if k.lower() not in grouped:
            lines.append(f"{indent}> {k}: {v}")
        elif k == added[0]:  # the group's line stands where its first header stood
            lines.append(f"{indent}> (browser-added: {', '.join(added)})")
    if req.body:
        lines.append(f"{indent}> ({len(req.body)} byte body)")
    reason = resp.reason or _REASONS.get(resp.status, "")
    lines.append(f"{indent}< {resp.status} {reason}".rstrip())
    lines += [f"{indent}< {k}: {v}" for k, v in resp.headers.redacted()]
    if resp.body:
        text = body_text(resp)
        if text is None:
            lines.append(f"{indent}< ({len(resp.body)} byte body{_coding_note(resp)})")
        else:
            # a blank line, then the body, as on the wire (and in ``curl -i``)
            text = _redact_secrets(text, req.headers, resp.headers)
            lines.append(f"{indent}<")
            lines += [f"{indent}< {line}".rstrip() for line in text.splitlines()]
    return lines


BODY_SHOWN_UP_TO = 200
"""The longest response body (bytes) a transcript shows as text; a longer one is summed up."""


def _coding(response: Response) -> str:
    """The response's ``Content-Encoding`` (lower case; ``""`` for none or ``identity``)."""
    coding = (response.headers.get("Content-Encoding") or "").strip().lower()
    return "" if coding == "identity" else coding


def decoded_body(response: Response) -> bytes | None:
    """The body with its ``Content-Encoding`` undone, as the page would read it: for ``gzip``
    and ``deflate`` (the standard library's), at most :data:`BODY_SHOWN_UP_TO` + 1 bytes of it
    (enough to tell whether a transcript can show it). ``None`` when the body is not encoded
    that way: another coding (``br``, ``zstd``), a stacked one, or bytes a client already
    decoded (``requests`` and ``httpx`` decode what they can and keep the header)."""
    coding = _coding(response)
    waves = {"gzip": (31,), "x-gzip": (31,), "deflate": (15, -15)}.get(coding)
    if waves is None:
        return None
    for wbits in waves:  # "deflate" is zlib-wrapped by the standard, raw by some servers
        try:
            inflater = zlib.decompressobj(wbits)
            return inflater.decompress(response.body, BODY_SHOWN_UP_TO + 1)
        except zlib.error:
            continue
    return None


def _coding_note(response: Response) -> str:
    """What a summed-up body's length counts: the encoded bytes, when they still are."""
    coding = _coding(response)
    if not coding:
        return ""
    if decoded_body(response) is not None:
        return f", {coding}-encoded"
    try:
        response.body.decode("utf-8")
    except UnicodeDecodeError:
        return f", {coding}-encoded, not decoded here"
    return ""  # text: the client already decoded it (and kept the header)


def body_text(response: Response) -> str | None:
    """The body as text when a transcript can show it: at most :data:`BODY_SHOWN_UP_TO` bytes
    (once a gzip or deflate ``Content-Encoding`` is undone), ``text/*`` or no Content-Type,
    valid UTF-8 without control characters (tabs and line breaks aside). ``None`` otherwise (a
    JSON document, an HTML page of some size, binary data, a body still encoded)."""
    body = response.body
    if body and _coding(response):
        body = decoded_body(response) or body
    if not body or len(body) > BODY_SHOWN_UP_TO:
        return None
    media = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if media and not media.startswith("text/"):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(not c.isprintable() and c not in "\t\r\n" for c in text):
        return None
    return text.strip("\r\n") or None


def _redact_secrets(text: str, *header_lists: Headers) -> str:
    """``text`` with every secret header value of the exchange (and the credential inside it: a
    token after the auth scheme, a cookie's value) replaced as the header lines are, and the
    values of secret URL parameters too."""
    secrets: set[str] = set()
    for headers in header_lists:
        for name, value in headers:
            if not is_secret_header(name):
                continue
            name = name.strip().lower()
            value = value.strip(" \t")
            secrets.add(value)
            if name in ("cookie", "set-cookie"):
                pairs = value.split(";") if name == "cookie" else value.split(";")[:1]
                secrets.update(pair.partition("=")[2].strip(" \t") for pair in pairs)
            else:  # the credential after an auth scheme ("Bearer <token>"), if any
                secrets.add(value.partition(" ")[2].strip(" \t"))
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 4:  # shorter ones ("1", "yes") would only garble the text
            text = text.replace(secret, by_length(secret))
    return redact_params(text)


def curl_line(request: Request) -> str:
    """A copy-paste ``curl`` command that sends the same request (secrets left out), every
    browser-added header included; ``--compressed`` when it accepts compressed bodies, so
    curl prints the body decoded as the browser would read it."""
    parts = ["curl", "-i", "-X", request.method, redact_url(request.url)]
    codings = (request.headers.get("Accept-Encoding") or "identity").strip().lower()
    if codings != "identity":
        parts.append("--compressed")
    for name, value in request.headers.redacted():
        parts += ["-H", f"{name}: {value}"]
    if request.body:
        parts += ["--data-binary", "@body"]
    return " ".join(shlex.quote(p) for p in parts)


def explain(outcome: Outcome, *, with_failure: bool = True) -> str:
    """The whole story of one simulated ``fetch()``, for failure messages and debugging.

    ``with_failure=False`` leaves out the console line and the fix, for callers that print
    them already (the assertion helpers put the console line first and the fix last).
    """
    req = outcome.request
    lines = [verdict_line(outcome)]
    options = f"; mode: {req.mode}" if req.mode != "cors" else ""
    options += f"; redirect: {req.redirect}" if req.redirect != "follow" else ""
    lines.append(f"  browser profile: {outcome.browser}; credentials: {req.credentials}{options}")
    if outcome.failure and with_failure:
        failure = outcome.failure
        lines += ["", redact_params(failure.message), f"Fix: {redact_params(failure.hint)}"]
    script_names = {name.lower() for name, _ in req.headers}
    for index, exchange in enumerate(outcome.exchanges):
        title = "Preflight" if exchange.kind == "preflight" else "Request"
        if index in outcome.http_cached:
            title += " (answered by the HTTP cache: nothing was sent)"
        # a preflight carries none of the script's lines: all of its constant ones are ours
        own = () if exchange.kind == "preflight" else script_names
        lines += ["", f"{title}:", *render_exchange(exchange, script_names=own)]
    if outcome.notes:
        lines += ["", "Checks:"]
        marks = {True: "ok  ", False: "FAIL", None: "    "}
        lines += [f"  [{marks[n.ok]}] {n.step}: {redact_params(n.text)}" for n in outcome.notes]
    if outcome.allowed:
        names = ", ".join(sorted(outcome.readable_headers)) or "(none)"
        lines += ["", f"Readable response headers: {names}"]
    if outcome.warnings:
        lines += ["", "Warnings:"] + [f"  - {redact_params(str(w))}" for w in outcome.warnings]
    if outcome.exchanges:
        last = outcome.exchanges[-1].request
        lines += ["", "Reproduce:", f"  {curl_line(last)}"]
    return visible("\n".join(lines))
