"""The keyword arguments of one simulated ``fetch()``, defined once for every entry point.

``simulate_fetch``, ``async_simulate_fetch``, ``Browser.fetch`` / ``afetch``, the assertion
helpers and the ``cors`` fixture's helpers all take the same fetch options. Their public
signatures stay written out (the API page and ``help()`` show every argument, and IDEs complete
them), but each forwards them as one :class:`FetchOptions` built by :func:`fetch_options`, and
``tests/test_flow.py`` holds every signature to this one list of names and defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, TypedDict, cast

from pytest_cors.cookies import PROBE_COOKIES, CookiesArg
from pytest_cors.engine.lna import LocalNetwork
from pytest_cors.engine.request import HeadersArg, RedirectMode, RequestMode


class _PageOrigin(TypedDict):
    """The one option without a default (a base class: ``typing.Required`` is Python 3.11+)."""

    origin: str


class FetchOptions(_PageOrigin, total=False):
    """What the page's script passes to ``fetch()``, and what the browser holds for it."""

    method: str
    headers: HeadersArg
    credentials: object
    body: str | bytes | None
    cookies: CookiesArg
    page_csp: str | None
    mode: RequestMode
    redirect: RedirectMode
    local_network: LocalNetwork | None


#: Every option but ``origin`` (which has none), with the default each entry point declares.
FETCH_DEFAULTS: dict[str, Any] = {
    "method": "GET",
    "headers": None,
    "credentials": "omit",
    "body": None,
    "cookies": PROBE_COOKIES,
    "page_csp": None,
    "mode": "cors",
    "redirect": "follow",
    "local_network": None,
}

FETCH_OPTION_NAMES = ("origin", *FETCH_DEFAULTS)
_PICK = itemgetter(*FETCH_OPTION_NAMES)


def fetch_options(arguments: Mapping[str, Any]) -> FetchOptions:
    """The fetch options among an entry point's ``locals()``, to pass on with ``**``.

    Called first thing in an entry point, where its locals are exactly its arguments; names
    that are not fetch options (``target``, ``expose``, ``browser``) stay behind.
    """
    return cast(FetchOptions, dict(zip(FETCH_OPTION_NAMES, _PICK(arguments), strict=True)))
