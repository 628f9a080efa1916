"""The headers a browser adds to a request on its own (reference §3.3, §5.1).

``User-Agent``, ``Accept-Language``, ``Accept-Encoding``, ``Referer`` and Fetch Metadata
(``Sec-Fetch-Site``, ``-Mode``, ``-Dest``), plus each engine's extras (Chromium's user-agent
client hints and ``Sec-Fetch-Storage-Access``, Firefox's ``Priority``). They are added after
everything the CORS protocol decides: the preflight decision and
``Access-Control-Request-Headers`` look only at the script's own headers, so nothing here can
change a verdict. A server may still answer them differently (Fetch Metadata gating refuses
``Sec-Fetch-Site: cross-site``), which is why the simulated browser sends them.

What was measured (Chromium 156, Firefox 153, loopback server recording every line):

* Fetch Metadata and the ``br, zstd`` codings go only to *potentially trustworthy* URLs
  (``https``, ``localhost`` and ``*.localhost``, ``127.0.0.0/8``, ``[::1]``); a plain ``http``
  URL gets ``Accept-Encoding: gzip, deflate`` and no ``Sec-Fetch-*`` at all, except that
  Chromium still puts ``Sec-Fetch-Mode: cors`` on a preflight.
* ``Referer`` follows ``strict-origin-when-cross-origin``: the page's origin and ``/`` across
  origins, none from a page whose origin is opaque, and none from an ``https`` page to an
  ``http`` URL, even a loopback one the Secure Contexts rules call trustworthy (both browsers,
  measured from an ``https`` page to ``http://localhost`` and ``http://127.0.0.1``: the scheme
  decides, not trustworthiness; any other ``http`` URL is mixed content there, never fetched).
  The simulated page is only an origin, so it is taken to be the page at ``/`` of that origin:
  a same-origin request carries that URL too (a browser sends the page's whole URL there).
* A script-set ``Range`` turns ``Accept-Encoding`` into ``identity``; a script-set
  ``User-Agent`` (where the profile keeps it), ``Accept-Language`` or ``Priority`` is sent
  instead of the browser's own; a preflight carries the browser's own values only.

Pure: no I/O. :mod:`pytest_cors.site` reads the public suffix list the ``publicsuffixlist``
package ships, once, the first time a ``Sec-Fetch-Site`` needs a registrable domain.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from pytest_cors.engine.profiles import Profile
from pytest_cors.origin import Origin
from pytest_cors.site import same_site

#: Header names the browser adds with the same value to every request of a profile (its
#: identity rather than anything about the request); ``explain()`` groups them on one line.
CONSTANT_NAMES = frozenset(
    {
        "user-agent",
        "accept-language",
        "accept-encoding",
        "priority",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
        "sec-ch-ua-platform",
    }
)


def is_potentially_trustworthy(origin: Origin) -> bool:
    """Whether a URL of ``origin`` is *potentially trustworthy* (Secure Contexts): ``https`` or
    ``wss``, or a loopback host (``localhost``, ``*.localhost``, ``127.0.0.0/8``, ``[::1]``)."""
    if origin.opaque:
        return False
    if origin.scheme in ("https", "wss"):
        return True
    host = origin.host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _relation(page: Origin, target: Origin) -> str:
    if page.same_origin(target):
        return "same-origin"
    return "same-site" if same_site(page, target) else "cross-site"


def fetch_site(page: Origin, hops: Iterable[Origin]) -> str:
    """``Sec-Fetch-Site`` for a request from ``page`` that went through ``hops`` (every URL of
    its redirect chain, the current one last): the farthest relation any hop has to the page.
    Sites are schemeful and drawn with the public suffix list (:func:`pytest_cors.site.same_site`);
    an opaque page is cross-site to everything."""
    value = "same-origin"
    for hop in hops:
        relation = _relation(page, hop)
        if relation == "cross-site":
            return relation
        if relation == "same-site":
            value = relation
    return value


def referrer(page: Origin, target: Origin) -> str | None:
    """``Referer`` under the default policy ``strict-origin-when-cross-origin``, for a page at
    ``/`` of ``page``: that URL, or nothing from an ``https`` page to a URL that is not
    ``https`` (a downgrade), or from an opaque origin (the simulated page has no URL)."""
    if page.opaque:
        return None
    if page.scheme == "https" and target.scheme not in ("https", "wss"):
        return None
    return page.serialize() + "/"


_SCRIPT_SETTABLE = frozenset({"user-agent", "accept-language", "range", "priority"})
_MEMO: dict[tuple[object, ...], tuple[Profile, tuple[tuple[str, str], ...]]] = {}


def added_headers(
    profile: Profile,
    page: Origin,
    target: Origin,
    hops: Iterable[Origin],
    *,
    preflight: bool,
    credentials: str = "omit",
    script: Iterable[tuple[str, str]] = (),
) -> tuple[tuple[str, str], ...]:
    """The lines ``profile`` adds to a request from ``page`` to ``target``, in the order
    ``explain()`` shows them (varying ones first).

    ``hops`` is the redirect chain so far, ``target`` included (a preflight passes just its own
    URL); ``script`` the script's header lines (a preflight carries none), which win over the
    browser's own where the script may set them.
    """
    names = frozenset(n for n in (name.lower() for name, _ in script) if n in _SCRIPT_SETTABLE)
    chain = tuple(hops)
    # Remembered per profile object (by identity: hashing a profile walks all its fields): a
    # suite sends the same few requests from the same few pages over and over.
    key = (id(profile), page, target, chain, preflight, credentials, names)
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is profile:
        return hit[1]
    lines = _build(profile, page, target, chain, preflight, credentials, names)
    if len(_MEMO) >= 4096:
        _MEMO.clear()
    _MEMO[key] = (profile, lines)
    return lines


def _build(
    profile: Profile,
    page: Origin,
    target: Origin,
    hops: tuple[Origin, ...],
    preflight: bool,
    credentials: str,
    names: frozenset[str],
) -> tuple[tuple[str, str], ...]:
    trustworthy = is_potentially_trustworthy(target)
    out: list[tuple[str, str]] = []
    ref = referrer(page, target)
    if ref is not None:
        out.append(("Referer", ref))
    if trustworthy:
        site = fetch_site(page, hops)
        out += [("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")]
        if (
            profile.sends_storage_access
            and not preflight
            and credentials == "include"
            and site == "cross-site"
        ):
            out.append(("Sec-Fetch-Storage-Access", "none"))
    elif preflight and profile.preflight_fetch_mode_everywhere:
        out.append(("Sec-Fetch-Mode", "cors"))
    if "user-agent" not in names:
        out.append(("User-Agent", profile.user_agent))
    if "accept-language" not in names:
        out.append(("Accept-Language", profile.accept_language))
    if "range" in names:
        out.append(("Accept-Encoding", "identity"))
    else:
        coding = profile.accept_encoding if trustworthy else profile.accept_encoding_http
        out.append(("Accept-Encoding", coding))
    if trustworthy and not preflight:
        out += list(profile.ua_client_hints)
    if profile.priority and "priority" not in names:
        out.append(("Priority", profile.priority))
    return tuple(out)
