"""The ``modes`` family: ``fetch()``'s request mode and redirect mode, in every engine.

``mode: "no-cors"`` (an opaque response, safelisted method and headers only), ``mode:
"same-origin"`` (any cross-origin URL fails, also after a redirect), ``redirect: "manual"`` (an
``opaqueredirect`` response, the ``Location`` never requested) and ``redirect: "error"`` (any
redirect fails). ``test_modes.py`` runs these in Chromium, Firefox and WebKit and compares each
with the engine, live and in-process: the verdict, the response type, the requests sent.
"""

from __future__ import annotations

from .scenarios import (
    ACAO_ORIGIN,
    TEXT,
    Fetch,
    Scenario,
    _Family,
    ok_actual,
    one_step,
    permissive_preflight,
    resp,
)
from .server import Resp, Step

SAME = "{APP}/s/{SID}/a"  # a URL of the page's own origin


def _redirect(status: int, location: str, *lines: str) -> Resp:
    return Resp(status, (f"Location: {location}", *lines), b"")


def _no_cors(fam: _Family) -> None:
    nc = "no-cors"
    fam.add(
        "no-cors GET, no ACAO: opaque",
        Fetch(mode=nc, credentials="omit"),
        one_step(resp(200, TEXT)),
    )
    fam.add(
        "no-cors GET, ACAO granted: still opaque",
        Fetch(mode=nc, credentials="omit"),
        one_step(ok_actual("X-Extra: 1", "Access-Control-Expose-Headers: X-Extra")),
    )
    fam.add(
        "no-cors GET answered 404: opaque, status hidden", Fetch(mode=nc), one_step(resp(404, TEXT))
    )
    fam.add(
        "no-cors POST text/plain: sent with Origin, opaque",
        Fetch("POST", (("Content-Type", "text/plain"),), body="x", mode=nc),
        one_step(resp(200, TEXT)),
    )
    fam.add("no-cors HEAD", Fetch("HEAD", mode=nc), one_step(resp(200, TEXT)))
    fam.add(
        "no-cors PUT: fetch() throws", Fetch("PUT", body="x", mode=nc), one_step(resp(200, TEXT))
    )
    fam.add("no-cors DELETE: fetch() throws", Fetch("DELETE", mode=nc), one_step(resp(200, TEXT)))
    fam.add(
        "no-cors GET with a custom header: the header is dropped",
        Fetch(headers=(("X-Custom", "1"),), mode=nc, drops=("X-Custom",)),
        one_step(resp(200, TEXT)),
    )
    fam.add(
        "no-cors GET with Range: the header is dropped",
        Fetch(headers=(("Range", "bytes=0-1"),), mode=nc, drops=("Range",)),
        one_step(resp(200, TEXT)),
    )
    fam.add(
        "no-cors POST application/json: the header is dropped",
        Fetch(
            "POST",
            (("Content-Type", "application/json"),),
            body="{}",
            mode=nc,
            drops=("Content-Type",),
        ),
        one_step(resp(200, TEXT)),
    )
    fam.add(
        "no-cors GET with Accept-Language: sent, no preflight",
        Fetch(headers=(("Accept-Language", "de"),), mode=nc),
        one_step(resp(200, TEXT)),
    )
    fam.add(
        "no-cors GET redirected to another origin without ACAO: followed, opaque",
        Fetch(mode=nc),
        {"a": Step(_redirect(302, "{API2}/s/{SID}/b")), "b": Step(resp(200, TEXT))},
    )
    fam.add(
        "no-cors GET to the page's own origin: a basic response",
        Fetch(mode=nc),
        one_step(resp(200, TEXT, "X-Own: 1")),
        url=SAME,
    )
    fam.add(
        "no-cors GET same-origin redirected cross-origin: opaque",
        Fetch(mode=nc),
        {"a": Step(_redirect(302, "{API}/s/{SID}/b")), "b": Step(resp(200, TEXT))},
        url=SAME,
    )
    fam.add(
        "no-cors with redirect manual, cross-origin",
        Fetch(mode=nc, redirect="manual"),
        one_step(resp(200, TEXT)),
    )
    fam.add(
        "no-cors with redirect error, cross-origin",
        Fetch(mode=nc, redirect="error"),
        one_step(resp(200, TEXT)),
    )
    fam.add(
        "no-cors with redirect manual, same-origin",
        Fetch(mode=nc, redirect="manual"),
        one_step(resp(200, TEXT)),
        url=SAME,
    )


def _same_origin(fam: _Family) -> None:
    so = "same-origin"
    fam.add(
        "same-origin mode, same-origin URL", Fetch(mode=so), one_step(resp(200, TEXT)), url=SAME
    )
    fam.add(
        "same-origin mode, cross-origin URL with ACAO: fails, nothing sent",
        Fetch(mode=so, credentials="omit"),
        one_step(ok_actual()),
    )
    fam.add(
        "same-origin mode, cross-origin PUT: fails, no preflight",
        Fetch("PUT", body="x", mode=so),
        one_step(ok_actual(), permissive_preflight()),
    )
    fam.add(
        "same-origin mode, redirected to another origin: fails at the redirect",
        Fetch(mode=so),
        {"a": Step(_redirect(302, "{API}/s/{SID}/b")), "b": Step(ok_actual())},
        url=SAME,
    )
    fam.add(
        "same-origin mode, redirected within the origin",
        Fetch(mode=so),
        {"a": Step(_redirect(302, SAME.replace("/a", "/b"))), "b": Step(resp(200, TEXT))},
        url=SAME,
    )


def _manual(fam: _Family) -> None:
    m = "manual"
    fam.add(
        "redirect manual, cross-origin 302 with ACAO: opaqueredirect",
        Fetch(redirect=m, credentials="omit"),
        {"a": Step(_redirect(302, "{API}/s/{SID}/b", ACAO_ORIGIN)), "b": Step(ok_actual())},
    )
    fam.add(
        "redirect manual, cross-origin 302 without ACAO",
        Fetch(redirect=m, credentials="omit"),
        {"a": Step(_redirect(302, "{API}/s/{SID}/b")), "b": Step(ok_actual())},
    )
    fam.add(
        "redirect manual, 307 after a preflight",
        Fetch("PUT", (("X-Custom", "1"),), body="x", credentials="omit", redirect=m),
        {
            "a": Step(_redirect(307, "{API2}/s/{SID}/b", ACAO_ORIGIN), permissive_preflight()),
            "b": Step(ok_actual(), permissive_preflight()),
        },
    )
    fam.add(
        "redirect manual, same-origin 302",
        Fetch(redirect=m),
        {"a": Step(_redirect(302, "{API}/s/{SID}/b")), "b": Step(ok_actual())},
        url=SAME,
    )
    fam.add(
        "redirect manual, no redirect: a plain CORS response",
        Fetch(redirect=m, credentials="omit"),
        one_step(ok_actual()),
    )
    fam.add(
        "redirect manual, 200 without ACAO: a CORS failure",
        Fetch(redirect=m, credentials="omit"),
        one_step(resp(200, TEXT)),
    )


def _error(fam: _Family) -> None:
    e = "error"
    fam.add(
        "redirect error, cross-origin 302 with ACAO: fails",
        Fetch(redirect=e, credentials="omit"),
        {"a": Step(_redirect(302, "{API}/s/{SID}/b", ACAO_ORIGIN)), "b": Step(ok_actual())},
    )
    fam.add(
        "redirect error, cross-origin 302 without ACAO",
        Fetch(redirect=e, credentials="omit"),
        {"a": Step(_redirect(302, "{API}/s/{SID}/b")), "b": Step(ok_actual())},
    )
    fam.add(
        "redirect error, same-origin 302: fails",
        Fetch(redirect=e),
        {"a": Step(_redirect(302, SAME.replace("/a", "/b"))), "b": Step(resp(200, TEXT))},
        url=SAME,
    )
    fam.add(
        "redirect error, no redirect", Fetch(redirect=e, credentials="omit"), one_step(ok_actual())
    )


def mode_scenarios() -> list[Scenario]:
    """The family's scenarios, numbered ``mode-001`` on."""
    fam = _Family("mode")
    _no_cors(fam)
    _same_origin(fam)
    _manual(fam)
    _error(fam)
    return fam.items


MODE_SCENARIOS = mode_scenarios()
