"""Sites, as browsers draw them: the public suffix list decides where one site ends.

A *site* is an origin's scheme plus its registrable domain (``https://example.co.uk`` for
``https://shop.example.co.uk``); browsers compute it with the public suffix list, private
section included (``github.io`` is a public suffix, so ``a.github.io`` and ``b.github.io`` are
different sites). ``Sec-Fetch-Site``, ``SameSite`` cookies and the contract loader's wildcard
guard all need it. The list is the one the ``publicsuffixlist`` package ships (dated in its
version); it is read once, on first use.
"""

from __future__ import annotations

import ipaddress

from publicsuffixlist import PublicSuffixList

from pytest_cors._memo import memoised
from pytest_cors.origin import Origin


@memoised(maxsize=1)
def _psl() -> PublicSuffixList:
    """The public suffix list, loaded once: a load (over 100 ms), not a speed-up."""
    # Unknown TLDs count as public suffixes: a browser's rule '*' treats them so.
    return PublicSuffixList(accept_unknown=True)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def public_suffix(host: str) -> str | None:
    """The public suffix of ``host`` (``co.uk`` for ``shop.example.co.uk``); ``None`` for an IP
    address or an empty host."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host):
        return None
    suffix: str | None = _psl().publicsuffix(host)
    return suffix


def is_public_suffix(host: str) -> bool:
    """Whether ``host`` is itself a public suffix (``com``, ``co.uk``, ``github.io``)."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host):
        return False
    return bool(_psl().is_public(host))


def registrable_domain(host: str) -> str | None:
    """The registrable domain of ``host`` (public suffix plus one label); ``None`` for an IP
    address or a host that is a public suffix itself (it has none)."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host):
        return None
    domain: str | None = _psl().privatesuffix(host)
    return domain


def site_of(origin: Origin) -> tuple[str, str] | None:
    """The (scheme, host) pair that names ``origin``'s site: its registrable domain, or its
    whole host when it has none (an IP address, ``localhost``, a public suffix); ``None`` for
    an opaque origin, which is same-site with nothing."""
    if origin.opaque:
        return None
    return origin.scheme, registrable_domain(origin.host) or origin.host


def same_site(a: Origin, b: Origin) -> bool:
    """Schemeful same-site, as browsers decide ``Sec-Fetch-Site`` and ``SameSite``:
    ``http://example.com`` and ``https://example.com`` are different sites.

    Answered without the public suffix list where it cannot matter (its first load costs over
    100 ms, a one-off scan's whole budget): other schemes, the same host, an IP address (its
    site is itself), or other top-level labels (a registrable domain ends with its host's).
    """
    if a.opaque or b.opaque or a.scheme != b.scheme:
        return False
    host_a, host_b = a.host.lower().rstrip("."), b.host.lower().rstrip(".")
    if host_a == host_b:
        return True
    if _is_ip(host_a) or _is_ip(host_b) or host_a.rpartition(".")[2] != host_b.rpartition(".")[2]:
        return False
    return site_of(a) == site_of(b)
