"""Which method a redirected request keeps: a family of fixed scenarios.

The Fetch Standard changes the method only for a 303 (to ``GET``, unless ``HEAD``) and for a
301/302 of a ``POST``. WebKitGTK's network layer (libsoup) also turns a ``DELETE`` into a
``GET`` when any redirect leads to another origin (scheme, host or port); a same-origin redirect
keeps it. Random scenario ``rnd-033`` of seed 1348884450 (a ``DELETE`` answered by a 308 to
another host) first showed it; these pin the rule down for every redirect status, each kind of
cross-origin hop, and the methods it leaves alone.
"""

from __future__ import annotations

from .scenarios import ACAO_ORIGIN, TEXT, Fetch, Scenario, _Family, permissive_preflight, resp
from .server import Resp, Step

#: Answers any preflight a non-credentialed request can send, whatever its Origin.
_ANY = permissive_preflight("*", "*")
_ANY_ORIGIN = Resp(
    204,
    (
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Methods: *",
        "Access-Control-Allow-Headers: *",
    ),
    b"",
)
_READABLE = resp(200, "Access-Control-Allow-Origin: *", TEXT)


def _hop(status: int, where: str) -> Step:
    """``/a``: a redirect to ``where``'s ``/b`` that passes the CORS check."""
    return Step(Resp(status, (f"Location: {where}/s/{{SID}}/b", ACAO_ORIGIN), b""), _ANY)


def redirect_method_scenarios() -> list[Scenario]:
    fam = _Family("redirmethod")
    delete = Fetch("DELETE", credentials="omit")
    for status in (301, 302, 307, 308):
        for where, title in (
            ("{OTHER}", "another host"),
            ("{API2}", "the same host on another port"),
            ("{API}", "the same origin"),
        ):
            fam.add(
                f"DELETE, {status} to {title}",
                delete,
                {"a": _hop(status, where), "b": Step(_READABLE, _ANY_ORIGIN)},
            )
    for method in ("PUT", "PATCH", "POST", "delete", "OPTIONS"):
        fam.add(
            f"{method} with a body, 307 to another host",
            Fetch(method, credentials="omit", body="x"),
            {"a": _hop(307, "{OTHER}"), "b": Step(_READABLE, _ANY_ORIGIN)},
        )
    fam.add(
        "DELETE with a JSON body and X-Custom, 308 to another host",
        Fetch(
            "DELETE",
            (("Content-Type", "application/json"), ("X-Custom", "1")),
            credentials="omit",
            body="{}",
        ),
        {"a": _hop(308, "{OTHER}"), "b": Step(_READABLE, _ANY_ORIGIN)},
    )
    fam.add(
        "DELETE, 307 to the page's own origin",
        delete,
        {"a": _hop(307, "{APP}"), "b": Step(_READABLE, _ANY_ORIGIN)},
    )
    fam.add(
        "DELETE from the opaque page, 308 to another host",
        delete,
        {"a": _hop(308, "{OTHER}"), "b": Step(_READABLE, _ANY_ORIGIN)},
        page="null",
    )
    fam.add(
        "DELETE, 307 within the API, then 307 to another host",
        delete,
        {
            "a": Step(Resp(307, ("Location: {API}/s/{SID}/b", ACAO_ORIGIN), b""), _ANY),
            "b": Step(Resp(307, ("Location: {OTHER}/s/{SID}/c", ACAO_ORIGIN), b""), _ANY),
            "c": Step(_READABLE, _ANY_ORIGIN),
        },
    )
    fam.add(
        "DELETE to the page's own origin, 307 to the API",
        delete,
        {"a": Step(Resp(307, ("Location: {API}/s/{SID}/b",), b"")), "b": Step(_READABLE, _ANY)},
        url="{APP}/s/{SID}/a",
    )
    return fam.items
