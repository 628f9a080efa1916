"""What each initiator asks of the fetch algorithm, and what the page makes of the answer.

A page reaches across origins with more than ``fetch()``: ``<img>``, ``<script>``, module
scripts, stylesheets, CSS fonts, ``<video>``/``<audio>``, ``XMLHttpRequest``, ``EventSource``
and ``navigator.sendBeacon()``. Each one is a fetch with its own mode, credentials mode,
destination and ``Accept``; this module is that mapping (HTML's "CORS settings attribute",
XHR's ``withCredentials`` and upload listeners, Beacon's content type), and the judgement
of an :class:`~pytest_cors.engine.outcome.Outcome` into "used" and "readable". Pure: the
drivers in :mod:`pytest_cors.initiators` run the request against a target.

Measured in Chromium 156 (``tests/conformance/test_initiators.py`` checks every case in each
engine it finds): an element without ``crossorigin`` sends a ``no-cors`` request with the
cookies and no ``Origin``, and uses the response whatever its CORS headers (an opaque image is
shown but taints a canvas; an opaque script runs but its errors read ``Script error.``); with
``crossorigin`` (and always for a font or a module script) it sends a CORS request and drops
the resource when the check fails; ``crossorigin="anonymous"`` (and a font, and a module
without the attribute) sends no cookie to another origin. Firefox 153 agrees; WebKitGTK 2.50
departs in one place: a CSS font is a ``no-cors`` load there, used whatever the CORS headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pytest_cors.errors import CorsUsageError

Element = Literal["img", "script", "module", "stylesheet", "font", "video", "audio"]
ELEMENTS: tuple[Element, ...] = ("img", "script", "module", "stylesheet", "font", "video", "audio")
CROSSORIGIN_VALUES = (None, "anonymous", "use-credentials")

#: ``Sec-Fetch-Dest`` per element (a module script's destination is ``script``).
_DESTINATIONS = {
    "img": "image",
    "script": "script",
    "module": "script",
    "stylesheet": "style",
    "font": "font",
    "video": "video",
    "audio": "audio",
}
#: The word Chromium's console puts after "Access to" (measured, Chromium 156).
_CHROMIUM_KINDS = {
    "img": "image",
    "script": "script",
    "module": "script",
    "stylesheet": "CSS stylesheet",
    "font": "font",
    "video": "video",
    "audio": "audio",
    "xhr": "XMLHttpRequest",
    "eventsource": "resource",
    "beacon": "resource",
}
#: The ``Accept`` an element sends, per console family, as measured (Chromium 156, Firefox 153,
#: WebKitGTK 2.50); missing: ``*/*``, the engine's own.
_FIREFOX_MEDIA = "application/ogg;q=0.7,{other}/*;q=0.6,*/*;q=0.5"
_ACCEPT = {
    ("img", "chromium"): (
        "image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
    ),
    ("img", "firefox"): "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
    ("img", "webkit"): (
        "image/webp,image/avif,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
    ),
    ("stylesheet", "chromium"): "text/css,*/*;q=0.1",
    ("stylesheet", "firefox"): "text/css,*/*;q=0.1",
    ("stylesheet", "webkit"): "text/css,*/*;q=0.1",
    ("font", "firefox"): "application/font-woff2;q=1.0,application/font-woff;q=0.9,*/*;q=0.8",
    ("video", "firefox"): "video/webm,video/ogg,video/*;q=0.9,"
    + _FIREFOX_MEDIA.format(other="audio"),
    ("audio", "firefox"): (
        "audio/webm,audio/ogg,audio/wav,audio/*;q=0.9," + _FIREFOX_MEDIA.format(other="video")
    ),
}
_ATTRIBUTE = {None: "", "anonymous": ' crossorigin="anonymous"'}


@dataclass(frozen=True)
class InitiatorRequest:
    """The fetch an initiator makes: what :func:`~pytest_cors.engine.request.prepare_request`
    is given, plus the destination and XHR's use-CORS-preflight flag."""

    initiator: str
    #: How the page wrote it, for the story: ``<img crossorigin="anonymous">``.
    label: str
    method: str
    mode: Literal["cors", "no-cors"]
    credentials: str
    destination: str = "empty"
    headers: tuple[tuple[str, str], ...] = ()
    use_cors_preflight: bool = False

    @property
    def chromium_kind(self) -> str:
        """The word after "Access to" in Chromium's console line (``fetch`` for ``fetch()``)."""
        return _CHROMIUM_KINDS.get(self.initiator, "fetch")


def element_request(element: str, crossorigin: str | None, console: str) -> InitiatorRequest:
    """The request ``<element src=... crossorigin=...>`` makes, in a ``console`` family's
    browser (``chromium``, ``firefox``, ``webkit``: the ``Accept`` differs)."""
    if element not in _DESTINATIONS:
        raise CorsUsageError(
            f"unknown element {element!r}; use one of {', '.join(ELEMENTS)} "
            "(for fetch() use simulate_fetch, for XMLHttpRequest simulate_xhr)"
        )
    if crossorigin == "":
        crossorigin = "anonymous"  # HTML: an empty (or invalid) value is the anonymous state
    if crossorigin not in CROSSORIGIN_VALUES:
        raise CorsUsageError(
            f"unknown crossorigin value {crossorigin!r}; use None (no attribute), "
            "'anonymous' or 'use-credentials'"
        )
    if element == "font" and crossorigin is not None:
        raise CorsUsageError(
            "a CSS font (@font-face) has no crossorigin attribute: it is always a CORS request "
            "with credentials 'same-origin'; leave crossorigin=None"
        )
    # WebKit loads a CSS font without CORS (measured, WebKitGTK 2.50: no Origin, cookies
    # sent, the font used whatever the answer's CORS headers); HTML and the others use CORS.
    cors_font = console != "webkit"
    cors = crossorigin is not None or element == "module" or (element == "font" and cors_font)
    if crossorigin == "use-credentials":
        credentials = "include"
    elif cors:
        credentials = "same-origin"
    else:
        credentials = "include"  # a no-cors load carries the cookies
    accept = _ACCEPT.get((element, console))
    tag = {"module": 'script type="module"', "stylesheet": 'link rel="stylesheet"'}.get(
        element, element
    )
    attribute = _ATTRIBUTE.get(crossorigin, f' crossorigin="{crossorigin}"')
    label = "@font-face src" if element == "font" else f"<{tag}{attribute}>"
    return InitiatorRequest(
        initiator=element,
        label=label,
        method="GET",
        mode="cors" if cors else "no-cors",
        credentials=credentials,
        destination=_DESTINATIONS[element],
        headers=(("Accept", accept),) if accept else (),
    )


def xhr_request(
    method: str, with_credentials: bool, upload_listeners: bool, body: object
) -> InitiatorRequest:
    """``XMLHttpRequest``: mode ``cors``; ``withCredentials`` is credentials ``include``, else
    ``same-origin``; an ``xhr.upload`` listener registered before ``send()`` of a body sets the
    use-CORS-preflight flag (a preflight even for a simple request)."""
    if not isinstance(with_credentials, bool) or not isinstance(upload_listeners, bool):
        raise CorsUsageError("with_credentials and upload_listeners are True or False")
    return InitiatorRequest(
        initiator="xhr",
        label="XMLHttpRequest" + (" withCredentials" if with_credentials else ""),
        method=method,
        mode="cors",
        credentials="include" if with_credentials else "same-origin",
        use_cors_preflight=upload_listeners and body is not None,
    )


def eventsource_request(with_credentials: bool) -> InitiatorRequest:
    """``new EventSource(url, {withCredentials})``: a CORS GET for ``text/event-stream``."""
    if not isinstance(with_credentials, bool):
        raise CorsUsageError("with_credentials is True or False")
    return InitiatorRequest(
        initiator="eventsource",
        label="EventSource" + (" withCredentials" if with_credentials else ""),
        method="GET",
        mode="cors",
        credentials="include" if with_credentials else "same-origin",
        headers=(("Accept", "text/event-stream"),),
    )


def beacon_request(content_type: str | None, safelisted: bool) -> InitiatorRequest:
    """``navigator.sendBeacon(url, data)``: a keepalive POST with credentials ``include``;
    ``no-cors`` unless the data's type is not a CORS-safelisted ``Content-Type``, which makes
    it a CORS request, preflighted (measured in Chromium 156: it neither throws nor sends the
    POST until a preflight allows it)."""
    return InitiatorRequest(
        initiator="beacon",
        label="navigator.sendBeacon",
        method="POST",
        mode="no-cors" if safelisted else "cors",
        credentials="include",
        headers=(("Content-Type", content_type),) if content_type is not None else (),
    )


@dataclass(frozen=True)
class Use:
    """What the page makes of the answer: whether it uses it, whether its script reads it."""

    used: bool
    readable: bool
    why: str


def judge(
    initiator: str,
    allowed: bool,
    response_type: str,
    status: int | None,
    content_type: str,
    *,
    errors_muted: bool = True,
) -> Use:
    """``used`` and ``readable`` for an initiator whose fetch ended as given (``status``: the
    last actual response's, even when the page cannot see it; ``None`` if none came).
    ``errors_muted=False``: this browser shows an opaque script's errors (see
    :func:`mutes_opaque_script_errors`)."""
    ok = status is not None and 200 <= status <= 299
    if initiator == "beacon":
        sent = status is not None
        return Use(sent, False, "the beacon reached the server" if sent else "nothing was sent")
    if not allowed:
        return Use(False, False, "the fetch failed, so the page drops the resource")
    opaque = response_type == "opaque"
    if initiator == "eventsource":
        stream = content_type.split(";", 1)[0].strip().lower() == "text/event-stream"
        if status != 200 or not stream:
            return Use(False, False, "EventSource needs a 200 text/event-stream answer")
        return Use(True, True, "the stream is open and its events reach the page")
    if initiator == "xhr":
        return Use(True, True, "the page reads the status, headers and body")
    # An image decodes whatever the status: a 404 or 500 carrying an image body is shown
    # (Chromium 156, Firefox 153, WebKitGTK 2.50.6, measured: tests/conformance/
    # random_mixed_content.py); every other element drops a response that is not ok.
    image_body = initiator == "img" and content_type.lower().startswith("image/")
    if not ok and not image_body:
        return Use(False, False, f"status {status}: the element fires its error event")
    if opaque and initiator == "script" and not errors_muted:
        return Use(True, True, "an opaque script: it runs, and this browser shows its errors")
    if opaque and initiator == "font":
        return Use(True, True, "a no-cors font: this browser uses it without any CORS check")
    if opaque:
        what = {
            "img": "the image is shown, but it taints a canvas it is drawn on",
            "script": "the script runs, but its errors reach the page as 'Script error.'",
            "stylesheet": "the stylesheet applies, but its cssRules throw",
        }.get(initiator, "the media plays, but it taints a canvas it is drawn on")
        return Use(True, False, f"an opaque response: {what}")
    return Use(True, True, "the page uses the resource and can read it")


def mutes_opaque_script_errors(console: str, same_site: bool) -> bool:
    """Whether a ``console`` family's browser mutes the errors of a ``no-cors`` script.

    HTML mutes them ("Script error.") and Chromium does; Firefox 153 was measured showing
    them in full whatever the script's site (tests/conformance: another port of
    ``localhost``, ``127.0.0.1``, another host name, after a redirect to another site, and a
    page on a host name), so ``same_site`` no longer decides: it stays for the callers.
    """
    return console != "firefox"
