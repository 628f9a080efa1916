"""Why a browser blocked a request: stable codes, DevTools wording and the server-side fix.

Pure: standard library only. ``code`` is MDN's CORS error name (stable, documented);
``chromium_error`` is the ``corsError`` DevTools reports (``None`` where Chromium reports none);
``message`` is the console line of the profile's browser; ``hint`` says how to fix the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pytest_cors.errors import hide_user_error

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "


@dataclass(frozen=True)
class Failure:
    """The reason a simulated ``fetch()`` rejected."""

    code: str
    message: str
    hint: str
    chromium_error: str | None
    failed_parameter: str
    step: str  # "preflight", "actual" or "redirect"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CorsWarning:
    """Something one browser tolerates today that the standard or another browser refuses."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# kind -> (MDN code, detail text, hint). ``{v}`` is the failed parameter, ``{o}`` the origin.
_KINDS: dict[str, tuple[str, str, str]] = {
    "MissingAllowOriginHeader": (
        "CORSMissingAllowOrigin",
        "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "Send 'Access-Control-Allow-Origin: {o}' on this response (including on errors and "
        "redirects), or '*' for a public resource fetched without credentials.",
    ),
    "MultipleAllowOriginValues": (
        "CORSMultipleAllowOriginNotAllowed",
        "The 'Access-Control-Allow-Origin' header contains multiple values '{v}', but only one "
        "is allowed. Have the server send the header with a valid value.",
        "Send exactly one Access-Control-Allow-Origin line holding the single requesting origin; "
        "check that a proxy and the app do not both add it.",
    ),
    "InvalidAllowOriginValue": (
        "CORSAllowOriginNotMatchingOrigin",
        "The 'Access-Control-Allow-Origin' header contains the invalid value '{v}'. Have the "
        "server send the header with a valid value.",
        "Send the origin exactly as the browser serialises it ('{o}'), with scheme and without "
        "a trailing slash.",
    ),
    "AllowOriginMismatch": (
        "CORSAllowOriginNotMatchingOrigin",
        "The 'Access-Control-Allow-Origin' header has a value '{v}' that is not equal to the "
        "supplied origin. Have the server send the header with a valid value.",
        "Echo the allowed request origin byte for byte ('{o}'): same scheme, host, port, case, "
        "no trailing slash.",
    ),
    "WildcardOriginNotAllowed": (
        "CORSNotSupportingCredentials",
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
        "wildcard '*' when the request's credentials mode is 'include'.",
        "For credentialed requests send the exact origin ('{o}') plus "
        "'Access-Control-Allow-Credentials: true' and 'Vary: Origin' instead of '*'.",
    ),
    "InvalidAllowCredentials": (
        "CORSMissingAllowCredentials",
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '{v}' "
        "which must be 'true' when the request's credentials mode is 'include'.",
        "Send 'Access-Control-Allow-Credentials: true' (lower case, one line) for allowed origins.",
    ),
    "PreflightInvalidStatus": (
        "CORSPreflightDidNotSucceed",
        "It does not have HTTP ok status.",
        "Answer the OPTIONS preflight with a 2xx status (200 or 204) before routing, "
        "authentication or error handling get to it: a 404 or 405 usually means no handler "
        "answers OPTIONS at this URL, a 5xx that the server failed on the preflight.",
    ),
    "PreflightDisallowedRedirect": (
        "CORSPreflightDidNotSucceed",
        "Redirect is not allowed for a preflight request.",
        "Serve the preflight at the requested URL itself (often a trailing-slash or https "
        "redirect); request the final URL directly.",
    ),
    "InvalidAllowMethodsPreflightResponse": (
        "CORSInvalidAllowMethod",
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
        "List methods as comma-separated tokens, e.g. 'Access-Control-Allow-Methods: GET, PUT'.",
    ),
    "InvalidAllowHeadersPreflightResponse": (
        "CORSInvalidAllowHeader",
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
        "List header names as comma-separated tokens, e.g. "
        "'Access-Control-Allow-Headers: Content-Type, X-Request-Id'.",
    ),
    "MethodDisallowedByPreflightResponse": (
        "CORSMethodNotFound",
        "Method {v} is not allowed by Access-Control-Allow-Methods in preflight response.",
        "Add '{v}' (case-sensitive) to Access-Control-Allow-Methods on the preflight response.",
    ),
    "HeaderDisallowedByPreflightResponse": (
        "CORSMissingAllowHeaderFromPreflight",
        "Request header field {v} is not allowed by Access-Control-Allow-Headers in preflight "
        "response.",
        "Add '{v}' to Access-Control-Allow-Headers on the preflight response "
        "('*' never covers it for credentialed requests).",
    ),
    "RedirectContainsCredentials": (
        "CORSDidNotSucceed",
        "Redirect location '' contains a username and password, which is disallowed for "
        "cross-origin requests.",
        "Remove the user name and password from the Location of the redirect.",
    ),
    "TooManyRedirects": (
        "CORSDidNotSucceed",
        "",
        "Break the redirect loop: a browser gives up after 20 redirects.",
    ),
    "InvalidRedirectLocation": (
        "CORSDidNotSucceed",
        "",
        "Redirect to an absolute or relative http(s) URL.",
    ),
    "CorsDisabledScheme": (
        "CORSRequestNotHttp",
        "Cross origin requests are only supported for protocol schemes: http, https.",
        "Serve the resource over http or https.",
    ),
}

# The preflight status hint by status: what a 400 and a 401/403 usually mean (see
# ``_preflight_status_hint``); any other status gets the ``_KINDS`` hint.
_AUTH_STATUS_HINT = (
    "Answer the OPTIONS preflight with a 2xx status (200 or 204) without requiring "
    "authentication: a preflight never carries cookies or Authorization, so let the CORS layer "
    "answer it before the authentication layer sees it."
)


def _preflight_status_hint(
    status: int | None, origin: str, method: str, headers: Sequence[str]
) -> str | None:
    """The hint for a preflight answered ``status``, or ``None`` for the generic one.

    A 400 is what a CORS layer answers a preflight it refuses (Starlette's and FastAPI's
    ``CORSMiddleware`` send ``400 Disallowed CORS method``, ``... headers`` or ``... origin``
    rather than leaving the headers out); a 401 or 403, an authentication layer in front of it.
    ``method`` and ``headers`` are the preflight's ``Access-Control-Request-Method`` and
    ``-Headers`` when the caller knows them.
    """
    if status in (401, 403):
        return _AUTH_STATUS_HINT
    if status != 400:
        return None
    asked = f": {method}" if method else ""
    names = ",".join(h for h in headers if h)
    listed = f": {names}" if names else ""
    return (
        "A 400 answer to a preflight usually means the server's CORS layer refused it: the "
        f"method it asked for (Access-Control-Request-Method{asked}), a header it asked for "
        f"(Access-Control-Request-Headers{listed}) or the origin '{origin}' is not in the "
        "layer's allow-lists. Add them there (Starlette/FastAPI CORSMiddleware: allow_methods, "
        "allow_headers, allow_origins; its 400 body, 'Disallowed CORS method', '... headers' "
        "or '... origin', says which), or stop sending them."
    )


# Chromium's corsError names for failures on the preflight response.
_PREFLIGHT_VARIANTS = {
    "MissingAllowOriginHeader",
    "MultipleAllowOriginValues",
    "InvalidAllowOriginValue",
    "AllowOriginMismatch",
    "WildcardOriginNotAllowed",
    "InvalidAllowCredentials",
}
_WITH_PREFIX = _PREFLIGHT_VARIANTS | {"PreflightInvalidStatus", "PreflightDisallowedRedirect"}
_NO_CHROMIUM_CODE = {"TooManyRedirects", "InvalidRedirectLocation"}

_FIREFOX_REASONS = {
    "CORSMissingAllowOrigin": "CORS header 'Access-Control-Allow-Origin' missing",
    "CORSMultipleAllowOriginNotAllowed": (
        "Multiple CORS header 'Access-Control-Allow-Origin' not allowed"
    ),
    "CORSAllowOriginNotMatchingOrigin": (
        "CORS header 'Access-Control-Allow-Origin' does not match '{v}'"
    ),
    "CORSNotSupportingCredentials": (
        "Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '*'"
    ),
    "CORSMissingAllowCredentials": (
        "expected 'true' in CORS header 'Access-Control-Allow-Credentials'"
    ),
    "CORSMethodNotFound": "Did not find method in CORS header 'Access-Control-Allow-Methods'",
    "CORSInvalidAllowMethod": "invalid token '{v}' in CORS header 'Access-Control-Allow-Methods'",
    "CORSInvalidAllowHeader": "invalid token '{v}' in CORS header 'Access-Control-Allow-Headers'",
    "CORSMissingAllowHeaderFromPreflight": (
        "header '{v}' is not allowed according to header 'Access-Control-Allow-Headers' from "
        "CORS preflight response"
    ),
    "CORSPreflightDidNotSucceed": "CORS preflight response did not succeed",
    "CORSExternalRedirectNotAllowed": "CORS request external redirect not allowed",
    "CORSDidNotSucceed": "CORS request did not succeed",
    "CORSRequestNotHttp": "CORS request not http",
}

# Firefox appends the HTTP status only to these reasons.
_FIREFOX_WITH_STATUS = frozenset({"CORSMissingAllowOrigin", "CORSPreflightDidNotSucceed"})


# WebKit's console reason for each failure kind (measured, WebKitGTK 2.50.6, reference §11.6).
# ``{o}`` is the Origin the request carried, ``{v}`` the failed parameter, ``{s}`` the status.
_WEBKIT_REASONS = {
    "MissingAllowOriginHeader": "Origin {o} is not allowed by Access-Control-Allow-Origin. "
    "Status code: {s}",
    "AllowOriginMismatch": "Origin {o} is not allowed by Access-Control-Allow-Origin. "
    "Status code: {s}",
    "InvalidAllowOriginValue": "Origin {o} is not allowed by Access-Control-Allow-Origin. "
    "Status code: {s}",
    "MultipleAllowOriginValues": "Access-Control-Allow-Origin cannot contain more than one origin.",
    "WildcardOriginNotAllowed": (
        "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
    ),
    "InvalidAllowCredentials": (
        'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".'
    ),
    "PreflightInvalidStatus": "Preflight response is not successful. Status code: {s}",
    "PreflightDisallowedRedirect": "Preflight response is not successful. Status code: {s}",
    "InvalidAllowMethodsPreflightResponse": (
        "Header Access-Control-Allow-Methods has an invalid value: {v}"
    ),
    "InvalidAllowHeadersPreflightResponse": (
        "Header Access-Control-Allow-Headers has an invalid value: {v}"
    ),
    "MethodDisallowedByPreflightResponse": (
        "Method {v} is not allowed by Access-Control-Allow-Methods."
    ),
    "HeaderDisallowedByPreflightResponse": (
        "Request header field {v} is not allowed by Access-Control-Allow-Headers."
    ),
    "RedirectContainsCredentials": "redirection URL {v} has credentials",
}


def webkit_message(
    kind: str,
    *,
    url: str,
    origin: str,
    parameter: str = "",
    status: int | None = None,
    redirect_to: str | None = None,
) -> str:
    """WebKit's console lines for a failure: its reason, then the ``Fetch API`` line.

    A CORS check failing on a redirect response, and a redirect to a URL with credentials, are
    reported as a denied redirection to the ``Location`` (``redirect_to``). The ``Fetch API``
    line names ``url``, the request that failed (after a redirect, not the URL the script
    fetched). ``parameter`` is the whole failing header value for an Allow-Methods/-Headers
    list that does not parse, the redirect URL for one with credentials. Measured, WebKitGTK
    2.50.6: two ``Access-Control-Allow-Origin`` lines (read as one value with a comma) cannot
    contain more than one origin; a value with a blank and no comma is just not the origin.
    """
    if kind == "MultipleAllowOriginValues" and "," not in parameter:
        kind = "AllowOriginMismatch"
    template = _WEBKIT_REASONS.get(kind, "")
    reason = (
        template.replace("{o}", origin)
        .replace("{v}", parameter)
        .replace("{s}", "" if status is None else str(status))
    )
    if reason and redirect_to:
        reason = (
            f"Cross-origin redirection to {redirect_to} denied by Cross-Origin Resource Sharing "
            f"policy: {reason}"
        )
    last = f"Fetch API cannot load {url} due to access control checks."
    return f"{reason}\n{last}" if reason else last


def make_failure(
    kind: str,
    *,
    url: str,
    origin: str,
    step: str,
    parameter: str = "",
    firefox: bool = False,
    initial_url: str | None = None,
    status: int | None = None,
    code_override: str | None = None,
    token: str = "",
    initiator: str | None = None,
    requested_method: str = "",
    requested_headers: Sequence[str] = (),
    webkit: bool = False,
    redirect_to: str | None = None,
) -> Failure:
    """Build the failure for a Chromium failure ``kind`` seen at ``step`` of a fetch to ``url``.

    ``parameter`` is Chromium's ``failedParameter``; ``token`` the element of an
    Allow-Methods/-Headers list that did not parse (Chromium does not name it, Firefox does).
    ``origin`` is the ``Origin`` the failing request carried (``null`` after a tainting
    redirect), which the hint names; ``initiator`` the page's own origin, which Chromium's
    console line names even then. ``status`` is the failing response's status: the hint for a
    preflight that is not 2xx depends on it (a 400 is a CORS layer's refusal, a 401 or 403 an
    authentication layer's), and names ``requested_method`` and ``requested_headers`` (the
    preflight's ``Access-Control-Request-Method`` and ``-Headers``) when given. ``webkit``
    words ``message`` as WebKit's console does (:func:`webkit_message`; ``redirect_to`` is the
    ``Location`` of a redirect response that failed the check).
    """
    code, detail, hint = _KINDS[kind]
    if kind == "PreflightInvalidStatus":
        hint = _preflight_status_hint(status, origin, requested_method, requested_headers) or hint
    if code_override:
        code = code_override
    on_preflight = step == "preflight"
    chromium_error: str | None = kind
    if kind in _NO_CHROMIUM_CODE:
        chromium_error = None
    elif on_preflight and kind in _PREFLIGHT_VARIANTS:
        chromium_error = "Preflight" + kind
    detail = detail.replace("{v}", parameter)
    hint = hint.replace("{v}", parameter).replace("{o}", origin)
    if webkit:
        message = webkit_message(
            kind,
            url=url,
            origin=origin,
            parameter=token or parameter,
            status=status,
            redirect_to=redirect_to,
        )
    elif firefox:
        # Firefox names the URL that failed (the redirect target, not the initial URL), quotes
        # it only in the credentials reason, and reads header bytes as UTF-8 (measured, 153).
        value = (token or parameter).encode("latin-1", "replace").decode("utf-8", "replace")
        reason = _FIREFOX_REASONS[code].replace("{v}", value)
        where = f"'{url}'" if code == "CORSNotSupportingCredentials" else url
        message = (
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            f"resource at {where}. (Reason: {reason})."
        )
        if code == "CORSDidNotSucceed":
            message += " Status code: (null)."
        elif status is not None and code in _FIREFOX_WITH_STATUS:
            message += f" Status code: {status}."
    else:
        where = f"'{url}'"
        if initial_url and initial_url != url:
            where += f" (redirected from '{initial_url}')"
        prefix = PREFLIGHT_PREFIX if on_preflight and kind in _WITH_PREFIX else ""
        body = prefix + detail if detail else "net::ERR_FAILED"
        message = (
            f"Access to fetch at {where} from origin '{initiator or origin}' has been blocked "
            "by CORS policy: "
            f"{body}"
        )
    return Failure(
        code=code,
        message=message,
        hint=hint,
        chromium_error=chromium_error,
        failed_parameter=parameter,
        step=step,
    )


# -- stopped before CORS: mixed content and the page's CSP --------------------------------------
MIXED_CONTENT_HINT = (
    "This is mixed content, not CORS: an https page may not fetch plain http (the server never "
    "saw the request). Serve the API over https and request it with an https URL (a redirect to "
    "http is blocked too); only loopback hosts (localhost, 127.0.0.1, [::1]) are exempt in "
    "Chromium and Firefox."
)
CSP_HINT = (
    "This is the page's Content Security Policy, not the server's CORS: the browser refused to "
    "start the request, so no CORS header can fix it. Add the URL's origin (or scheme) to the "
    "page's '{d}' directive{f}, in the Content-Security-Policy the page is served with."
)


#: The word Chromium's mixed-content line names a blocked load by (Chromium 156, measured;
#: ``fetch()``, destination ``empty``, is a "resource").
_MIXED_CONTENT_KINDS = {
    "script": "script",
    "font": "font",
    "style": "stylesheet",
    # media blocked at an IP literal (not upgradable), measured; a video is a "video"
    "image": "image",
    "audio": "audio file",
    "video": "video",
}


def mixed_content_failure(
    *,
    url: str,
    page_url: str,
    initial_url: str,
    step: str,
    console: str = "chromium",
    destination: str = "empty",
) -> Failure:
    """An ``https`` page fetching insecure ``url``: blocked before a request is sent.

    Console lines measured (Chromium 156, Firefox 153 ESR, WebKitGTK 2.50.6); after a redirect
    WebKit's ``Fetch API`` line names the URL the script fetched, ``initial_url``. An element's
    load (``destination`` ``script``, ``font``, ``style``) is named by its kind in Chromium's
    line, and WebKit logs only its ``[blocked]`` line for it (measured).
    """
    if console == "firefox":
        message = f'Blocked loading mixed active content "{url}"'
    elif console == "webkit":
        lines = [
            f"[blocked] The page at {page_url} requested insecure content from {url}. This "
            "content was blocked and must be served over HTTPS."
        ]
        if destination == "empty":
            if step != "redirect":
                lines.append("Not allowed to request resource")
            lines.append(f"Fetch API cannot load {initial_url} due to access control checks.")
        message = "\n".join(lines)
    else:
        kind = _MIXED_CONTENT_KINDS.get(destination, "resource")
        message = (
            f"Mixed Content: The page at '{page_url}' was loaded over HTTPS, but requested an "
            f"insecure {kind} '{url}'. This request has been blocked; the content must be "
            "served over HTTPS."
        )
    return Failure(
        code="MixedContent",
        message=message,
        hint=MIXED_CONTENT_HINT,
        chromium_error=None,
        failed_parameter=url,
        step=step,
    )


#: How Chromium's console line starts for each directive a request is checked against
#: (measured, Chromium 156: tests/conformance/test_csp_initiators.py). Media has two blanks
#: before the URL's quote (``Loading media from  'http://...'``), as Chromium prints it.
_CHROMIUM_CSP_ACTIONS = {
    "connect-src": "Connecting to",
    "font-src": "Loading the font",
    "img-src": "Loading the image",
    "media-src": "Loading media from ",
    "script-src-elem": "Loading the script",
    "style-src-elem": "Loading the stylesheet",
}
#: Firefox's console line for a script or a stylesheet it refused (measured, Firefox 153 ESR);
#: every other directive reads "blocked the loading of a resource (...) at URL because ...".
_FIREFOX_CSP_WHAT = {
    "script-src-elem": ("a script", "from being executed "),
    "style-src-elem": ("a style", "from being applied "),
}
#: WebKit names a script's and a stylesheet's directive without ``-elem`` in its console line,
#: whichever of the two decided (measured, WebKitGTK 2.50.6).
_WEBKIT_CSP_NAMES = {"script-src-elem": "script-src", "style-src-elem": "style-src"}


def csp_failure(
    *,
    url: str,
    directive: str,
    directive_name: str,
    wanted: str,
    step: str,
    console: str = "chromium",
) -> Failure:
    """The page's CSP refused ``url``: ``directive`` is the governing directive as written
    (``connect-src 'self'``), ``directive_name`` its name, ``wanted`` the directive the
    initiator asked for (``connect-src``; another name means the ``default-src`` fallback).

    Console lines measured (Chromium 156, Firefox 153 ESR, WebKitGTK 2.50.6).
    """
    fallback = directive_name != wanted
    if console == "firefox":
        what, done = _FIREFOX_CSP_WHAT.get(wanted, ("the loading of a resource", ""))
        message = (
            f"Content-Security-Policy: The page's settings blocked {what} ({wanted}) at {url} "
            f'{done}because it violates the following directive: "{directive}"'
        )
    elif console == "webkit":
        # the -elem directive and its parent are one name to WebKit: only default-src is
        # told as a fallback
        named = _WEBKIT_CSP_NAMES.get(wanted, wanted)
        where = (
            f"it appears in neither the {named} directive nor the {directive_name} directive"
            if directive_name == "default-src" and named != "default-src"
            else f"it does not appear in the {named} directive"
        )
        verb = "connect to" if wanted == "connect-src" else "load"
        lines = [f"Refused to {verb} {url} because {where} of the Content Security Policy."]
        if step == "redirect":
            lines += [
                "Blocked by Content Security Policy.",
                f"Fetch API cannot load {url} due to access control checks.",
            ]
        message = "\n".join(lines)
    else:
        note = (
            f" Note that '{wanted}' was not explicitly set, so '{directive_name}' is used as a "
            "fallback."
            if fallback
            else ""
        )
        action = _CHROMIUM_CSP_ACTIONS.get(wanted, "Connecting to")
        message = (
            f"{action} '{url}' violates the following Content Security Policy directive: "
            f'"{directive}".{note} The action has been blocked.'
        )
    extra = f" (or add a '{wanted}' directive: '{directive_name}' applies as its fallback)"
    hint = CSP_HINT.replace("{d}", directive_name).replace("{f}", extra if fallback else "")
    return Failure(
        code="CSPViolation",
        message=message,
        hint=hint,
        chromium_error=None,
        failed_parameter=directive,
        step=step,
    )


# -- refused by fetch()'s own mode and redirect options -----------------------------------------
#: The failure kinds of ``mode`` and ``redirect``: no CORS check failed, the request's own
#: options refused it (the code is the kind; no DevTools ``corsError`` in Chromium).
MODE_KINDS = frozenset({"DisallowedByMode", "RedirectModeNotFollow", "RedirectModeError"})

_MODE_HINTS = {
    "DisallowedByMode": (
        "The page's fetch() asked for mode 'same-origin', which refuses every URL of another "
        "origin (also one a redirect leads to) before anything is sent: no server header can "
        "change that. Use mode 'cors' (the default) for a cross-origin API, or keep the "
        "request (and its redirects) on the page's own origin."
    ),
    "RedirectModeNotFollow": (
        "A no-cors request to another origin must let redirects be followed: fetch() refuses "
        "mode 'no-cors' with redirect 'manual' or 'error' before sending. Leave redirect at "
        "'follow', or use mode 'cors'."
    ),
    "RedirectModeError": (
        "The server answered with a redirect and the page asked for redirect 'error', which "
        "rejects on any redirect. Serve the resource at the requested URL (a trailing-slash or "
        "http-to-https redirect is the usual cause) or request the final URL directly; or let "
        "fetch() follow redirects."
    ),
}


def mode_failure(
    kind: str,
    *,
    url: str,
    page_origin: str,
    step: str,
    console: str = "chromium",
    script_error: str = "TypeError: Failed to fetch",
) -> Failure:
    """``fetch()`` refused by its own ``mode`` or ``redirect`` option at ``url``.

    Console lines measured (Chromium 156, Firefox 153 ESR, WebKitGTK 2.50.6): Firefox logs
    none of these, Chromium none for a redirect under ``redirect: "error"``; there the message
    says so, with what the script catches. After a redirect both Chromium and WebKit word a
    ``same-origin`` refusal as an unsafe load (Chromium names the page, modelled at ``/``).
    """
    lines: list[str] = []
    cannot = f"Fetch API cannot load {url} due to access control checks."
    if kind == "DisallowedByMode" and step == "redirect":
        match = "Domains, protocols and ports must match."
        if console == "chromium":
            lines = [
                f"Unsafe attempt to load URL {url} from frame with URL {page_origin}/. {match}"
            ]
        elif console == "webkit":
            lines = [f"Unsafe attempt to load URL {url} from origin {page_origin}. {match}", cannot]
    elif kind == "DisallowedByMode":
        if console == "chromium":
            lines = [
                f'Fetch API cannot load {url}. Request mode is "same-origin" but the URL\'s '
                f"origin is not same as the request origin {page_origin}."
            ]
        elif console == "webkit":
            lines = [f"Fetch API cannot load {url}."]
    elif kind == "RedirectModeNotFollow":
        if console == "chromium":
            lines = [
                f'Fetch API cannot load {url}. Request mode is "no-cors" but the redirect mode '
                'is not "follow".'
            ]
        elif console == "webkit":
            lines = [
                "No-Cors mode requires follow redirect mode",
                "Not allowed to request resource",
                cannot,
            ]
    elif console == "webkit":  # RedirectModeError
        lines = [f"Not allowed to follow a redirection while loading {url}", cannot]
    if not lines:
        why = {
            "DisallowedByMode": f'request mode "same-origin" and {url} is of another origin',
            "RedirectModeNotFollow": 'request mode "no-cors" needs redirect mode "follow"',
            "RedirectModeError": f'redirect mode "error" and {url} answered with a redirect',
        }[kind]
        lines = [f"fetch() rejects with {script_error} (no console line): {why}."]
    return Failure(
        code=kind,
        message="\n".join(lines),
        hint=_MODE_HINTS[kind],
        chromium_error=None,
        failed_parameter="",
        step=step,
    )
