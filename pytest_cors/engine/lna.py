"""Local Network Access: a permission gate before any CORS step (Chromium, Firefox).

Local Network Access (LNA, Chromium 142+, reference section 10) replaced Private Network
Access: a page on a *public* address asking for a *local* (private) or *loopback* one needs the
user's permission, ``local-network`` or ``loopback-network`` (one ``local-network-access``
permission in Chromium 142 to 144). There is no preflight and no response header that opts in:
``Access-Control-Allow-Private-Network`` is ignored, and once the permission is granted the
request goes on to the ordinary CORS checks. A request refused here is never sent.

Measured in Chromium 156 (headless, ``--ip-address-space-overrides``): a public page to a
loopback or local target is refused without a request while the permission is not granted
(headless, no user answers the prompt: ``prompt`` acts as ``denied``); each permission covers
only its own space; granted, the preflight goes out without any PNA header; a *local* page
reaching *loopback* is not refused; a public page that is not a secure context is refused
whatever the permission says.

Measured in Firefox 153.8 ESR with its default preferences (``network.lna.enabled`` and
``network.lna.blocking`` are ``true``; the page made public with
``network.lna.address_space.public.override``): the same gate with the same two permission
names (granted through WebDriver BiDi ``permissions.setPermission``), except that a page that
is not a secure context is asked like any other (``network.lna.block_insecure_contexts`` is
``false``); an unanswered prompt fails the request after ``network.lna.prompt.timeout`` (5
minutes), a denied one at once, and the console tells it as ``CORS request did not succeed``.
WebKit has no such gate known, so the ``safari`` profile leaves ``local_network_access`` off.

The address space of a host is read from its literal IP address or its name (``localhost``,
``*.localhost``: loopback; ``*.local``: local; any other name: public), unless a test declares
it: a name's real space depends on what it resolves to, which a simulation cannot see.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal, get_args

from pytest_cors.engine.added import is_potentially_trustworthy
from pytest_cors.errors import CorsUsageError
from pytest_cors.failures import Failure
from pytest_cors.origin import Origin

AddressSpace = Literal["public", "local", "loopback"]
PermissionState = Literal["granted", "denied", "prompt"]

SPACES: tuple[str, ...] = get_args(AddressSpace)
STATES: tuple[str, ...] = get_args(PermissionState)

#: The permission a target's address space needs (Chromium 145+ names).
PERMISSIONS: dict[str, str] = {"local": "local-network", "loopback": "loopback-network"}

_LOOPBACK_NETS = tuple(
    ipaddress.ip_network(n)
    # 0.0.0.0/8 and :: reach the machine itself: Chromium treats them as loopback (source)
    for n in ("127.0.0.0/8", "::1/128", "0.0.0.0/8", "::/128")
)
_LOCAL_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
    )
)

LNA_HINT = (
    "This is Chromium's Local Network Access, not CORS: a page on a public address asked for "
    "a {space} address, and the browser refused before sending anything. No response header "
    "can allow it (Access-Control-Allow-Private-Network is ignored since Chromium 142). The "
    "user must grant the page the '{permission}' permission (a cross-origin iframe also needs "
    'allow="{permission}"), or the page and the service must sit in the same address space.'
)
INSECURE_HINT = (
    "This is Chromium's Local Network Access, not CORS: a page that is not a secure context "
    "(plain http on a public address) may not reach a {space} address at all, and no "
    "permission can allow it. Serve the page over https; then the user can grant the "
    "'{permission}' permission."
)
FIREFOX_HINT = (
    "This is Firefox's Local Network Access, not CORS (on by default in Firefox 153 ESR: "
    "network.lna.blocking): a page on a public address asked for a {space} address, and the "
    "browser refused before sending anything; its console calls it 'CORS request did not "
    "succeed'. No response header can allow it. The user must allow the page the "
    "'{permission}' permission (Firefox asks; a prompt left unanswered fails the request after "
    "network.lna.prompt.timeout, 5 minutes), or the page and the service must sit in the same "
    "address space."
)


@dataclass(frozen=True)
class LocalNetwork:
    """What a Local Network Access check needs beyond the two URLs.

    The permission states are the page's (``prompt`` behaves as ``denied``: no user answers a
    prompt in a test). ``page_space`` and ``target_space`` declare a space that a name's DNS
    would decide (``None``: read from the host); ``target_space`` applies to the fetched URL's
    origin, every other origin of a redirect chain is read from its host.
    """

    local_network: PermissionState = "prompt"
    loopback_network: PermissionState = "prompt"
    page_space: AddressSpace | None = None
    target_space: AddressSpace | None = None

    def __post_init__(self) -> None:
        for name in ("local_network", "loopback_network"):
            value = getattr(self, name)
            if value not in STATES:
                raise CorsUsageError(f"{name} must be one of {', '.join(STATES)}, got {value!r}")
        for name in ("page_space", "target_space"):
            value = getattr(self, name)
            if value is not None and value not in SPACES:
                raise CorsUsageError(
                    f"{name} must be one of {', '.join(SPACES)} or None, got {value!r}"
                )

    def state(self, space: str) -> str:
        """The state of the permission a target in ``space`` needs."""
        return self.loopback_network if space == "loopback" else self.local_network


@dataclass(frozen=True)
class Refusal:
    """Why the gate refused: ``insecure`` (a non-secure page) or ``permission``."""

    reason: Literal["insecure", "permission"]
    space: AddressSpace
    permission: str


def address_space(host: str) -> AddressSpace:
    """The address space of ``host`` (a name, an IPv4 literal or a bracketed IPv6 one)."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return "loopback"
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return "local" if name.endswith(".local") else "public"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in net for net in _LOOPBACK_NETS if net.version == address.version):
        return "loopback"
    if any(address in net for net in _LOCAL_NETS if net.version == address.version):
        return "local"
    return "public"


def space_of(origin: Origin, declared: AddressSpace | None) -> AddressSpace:
    """An origin's address space: the declared one, else its host's (an opaque one: public)."""
    if declared is not None:
        return declared
    return "public" if origin.opaque else address_space(origin.host)


def check(
    page: Origin,
    target: Origin,
    lna: LocalNetwork,
    *,
    first: Origin,
    insecure_refused: bool = True,
) -> Refusal | None:
    """Whether the browser refuses a request from ``page`` to ``target`` before sending it.

    ``first`` is the origin of the URL the script fetched (where ``target_space`` applies).
    Only a public page is refused (Chromium 156 and Firefox 153, measured: a local page reaches
    loopback). ``insecure_refused``: a page that is not a secure context is refused whatever
    its permission says (Chromium); else the permission decides (Firefox).
    """
    if target.opaque:
        return None
    if space_of(page, lna.page_space) != "public":
        return None
    declared = lna.target_space if target.same_origin(first) else None
    space = space_of(target, declared)
    if space == "public":
        return None
    permission = PERMISSIONS[space]
    if insecure_refused and not is_potentially_trustworthy(page):
        return Refusal("insecure", space, permission)
    if lna.state(space) != "granted":
        return Refusal("permission", space, permission)
    return None


def lna_failure(
    refusal: Refusal,
    *,
    url: str,
    page_origin: str,
    initial_url: str,
    step: str,
    console: str = "chromium",
) -> Failure:
    """The refusal in Chromium 156's words (console line and ``corsError``, measured), or in
    Firefox 153's (``console="firefox"``: its ``CORS request did not succeed`` line naming the
    refused URL, measured)."""
    if console == "firefox":
        return Failure(
            code="LocalNetworkAccessDenied",
            message=(
                "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
                f"remote resource at {url}. (Reason: CORS request did not succeed). Status "
                "code: (null)."
            ),
            hint=FIREFOX_HINT.format(space=refusal.space, permission=refusal.permission),
            chromium_error="LocalNetworkAccessPermissionDenied",
            failed_parameter=refusal.permission,
            step=step,
        )
    where = f"'{url}'"
    if initial_url != url:
        where += f" (redirected from '{initial_url}')"
    if refusal.reason == "insecure":
        detail = (
            "The request client is not a secure context and the resource is in more-private "
            f"address space `{refusal.space}`."
        )
        error, hint = "InsecureLocalNetwork", INSECURE_HINT
    else:
        detail = (
            f"Permission was denied for this request to access the `{refusal.space}` address space."
        )
        error, hint = "LocalNetworkAccessPermissionDenied", LNA_HINT
    return Failure(
        code="LocalNetworkAccessDenied",
        message=(
            f"Access to fetch at {where} from origin '{page_origin}' has been blocked by CORS "
            f"policy: {detail}"
        ),
        hint=hint.format(space=refusal.space, permission=refusal.permission),
        chromium_error=error,
        failed_parameter=refusal.permission,
        step=step,
    )
