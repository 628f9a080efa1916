"""The cookies a simulated browser holds, and which of them a request carries.

A server that opens CORS only for signed-in users (a middleware that reflects the ``Origin``
with ``Access-Control-Allow-Credentials: true`` when a session cookie arrives) is only tested
faithfully by a browser that holds a session cookie. So every simulated ``fetch()`` starts from
a cookie jar: :data:`PROBE_COOKIES` unless the caller gives one (``cookies=``), and this module
decides, per request, which cookies the browser attaches. Pure: no I/O.

The rules (reference §9, Fetch's "HTTP-network-or-cache fetch", RFC 6265bis §5.6.7):

1. The **credentials mode** decides whether cookies go at all: ``include``, or ``same-origin``
   while every hop so far was same-origin with the page. A preflight never carries any.
2. **Domain and path**: a cookie goes to the host it belongs to (host-only, or its ``Domain``
   and the subdomains) and to paths under its ``Path``.
3. **Secure** cookies go only to a secure context: ``https``, or ``http`` on ``localhost``
   (``*.localhost``) and loopback addresses, which browsers treat as secure. An in-process app
   (a test client's ``http://testserver``) counts as one too: it stands for the deployed site,
   which a browser reaches over https.
4. **SameSite**: ``Lax`` and ``Strict`` cookies go only on same-site requests: the page's site
   (scheme and registrable domain, :func:`pytest_cors.site.same_site`) is the site of the
   request URL and of every URL the fetch was redirected through. ``fetch()`` is never a
   top-level navigation, so ``Lax`` gets no more than ``Strict`` here. ``None`` requires
   ``Secure`` in Chromium (RFC 6265bis): without it the cookie is rejected, so never held.
5. **Third-party cookies** (the request's site is not the page's): each browser's policy, see
   :data:`COOKIE_POLICIES`.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TypeAlias
from urllib.parse import urlsplit

from pytest_cors.engine.fetch import Note
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.http import Request
from pytest_cors.origin import Origin, origin_of_url
from pytest_cors.redaction import by_length, redact_url
from pytest_cors.site import same_site

if TYPE_CHECKING:
    # http.cookiejar loads urllib.request (~15 ms of start-up): a jar passed in means a client
    # already imported it, so it is looked up in sys.modules (:func:`_cookie_jar_class`)
    from http.cookiejar import Cookie as JarCookie
    from http.cookiejar import CookieJar

    from pytest_cors.engine.fetch import Outcome

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

SameSite = Literal["None", "Lax", "Strict"]

PROBE_COOKIES: Mapping[str, str] = MappingProxyType({"pytest_cors_session": "probe"})
"""The jar every simulated browser holds unless told otherwise: one session cookie for the
target, a stand-in for a signed-in user's. Given as a mapping, it gets the attributes of
:func:`session_cookie`: the worst realistic case for a security check."""

_NAME = re.compile(r"[^\x00-\x20\x7f;=](?:[^\x00-\x1f\x7f;=]*[^\x00-\x20\x7f;=])?")
_BAD_VALUE = re.compile(r"[\x00-\x1f\x7f;]")


@dataclass(frozen=True)
class Cookie:
    """One cookie the browser holds, as the server set it.

    ``domain=None`` is a host-only cookie of the host the fetch starts at; a name (``Domain=``
    in ``Set-Cookie``) covers that host and its subdomains. The value never shows in a repr.
    """

    name: str
    value: str
    samesite: SameSite = "None"
    secure: bool = True
    domain: str | None = None
    path: str = "/"

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(name, str) or not _NAME.fullmatch(name) or max(map(ord, name)) > 0xFF:
            raise CorsUsageError(
                "a cookie name (such as 'session') has no '=', ';', control character, "
                f"character above U+00FF or blank at either end; got {self.name!r}"
            )
        if not isinstance(self.value, str) or _BAD_VALUE.search(self.value):
            raise CorsUsageError(
                f"the value of cookie {self.name!r} must be a string without ';' or control "
                "characters"
            )
        if any(ord(c) > 0xFF for c in self.value):
            raise CorsUsageError(
                f"the value of cookie {self.name!r} has a character above U+00FF: a Cookie "
                "header holds bytes (percent-encode it)"
            )
        spelled = {s.lower(): s for s in ("None", "Lax", "Strict")}
        samesite = spelled.get(str(self.samesite).lower())
        if samesite is None:
            raise CorsUsageError(
                f"cookie {self.name!r}: samesite must be 'None', 'Lax' or 'Strict', "
                f"got {self.samesite!r}"
            )
        object.__setattr__(self, "samesite", samesite)
        if self.domain is not None:
            domain = str(self.domain).strip().lower().lstrip(".").rstrip(".")
            if not domain:
                raise CorsUsageError(f"cookie {self.name!r}: domain must name a host")
            object.__setattr__(self, "domain", domain)
        if not isinstance(self.path, str) or not self.path.startswith("/"):
            raise CorsUsageError(f"cookie {self.name!r}: path must start with '/'")

    def __repr__(self) -> str:
        return (
            f"Cookie(name={self.name!r}, value={by_length(self.value)}, "
            f"samesite={self.samesite!r}, secure={self.secure!r}, domain={self.domain!r}, "
            f"path={self.path!r})"
        )

    def attributes(self) -> str:
        """The attributes as ``Set-Cookie`` spells them: ``SameSite=None; Secure``."""
        secure = "; Secure" if self.secure else ""
        domain = f"; Domain={self.domain}" if self.domain else ""
        return f"SameSite={self.samesite}{secure}{domain}; Path={self.path}"


CookiesArg: TypeAlias = "Mapping[str, str] | Iterable[Cookie] | CookieJar | None"
"""What ``cookies=`` takes: ``{"name": "value"}`` (the attributes of :func:`session_cookie`),
:class:`Cookie` objects, a :class:`http.cookiejar.CookieJar` (``requests.Session().cookies``,
``httpx.Client().cookies`` and Starlette's ``TestClient().cookies`` via their jar), or ``None``
(or an empty one) for a signed-out browser."""


@dataclass(frozen=True)
class CookiePolicy:
    """What one browser does with cookies where browsers differ."""

    #: Cookies sent when the request's site is not the page's: ``"allowed"`` (SameSite=None
    #: cookies go), ``"partitioned"`` (a cookie the site set as first party lives in its own
    #: site's partition, so it is not sent from another site's page), ``"blocked"``.
    third_party: Literal["allowed", "partitioned", "blocked"]
    #: A ``SameSite=None`` cookie without ``Secure`` is rejected when set (never held).
    none_requires_secure: bool


COOKIE_POLICIES: dict[str, CookiePolicy] = {
    # Chrome allows third-party cookies by default (the deprecation was abandoned in 2024-25);
    # it rejects SameSite=None without Secure since Chrome 80.
    "chromium": CookiePolicy("allowed", none_requires_secure=True),
    # Fetch leaves cookies to the cookie standard (RFC 6265bis), which sends SameSite=None
    # cookies cross-site and requires Secure with them: as Chromium.
    "spec": CookiePolicy("allowed", none_requires_secure=True),
    # Total Cookie Protection (default since Firefox 103): cookies are keyed by the top-level site.
    "firefox": CookiePolicy("partitioned", none_requires_secure=False),
    # Intelligent Tracking Prevention blocks third-party cookies.
    "safari": CookiePolicy("blocked", none_requires_secure=False),
}
"""Each profile's cookie policy (reference §9, §11.6). A profile of another name is treated as
Chromium: the browser that sends the most cookies, so the strictest test."""


def cookie_policy(profile_name: str) -> CookiePolicy:
    """The policy of the profile named ``profile_name`` (Chromium's for any other name)."""
    return COOKIE_POLICIES.get(profile_name, COOKIE_POLICIES["chromium"])


def is_secure_context(url: str) -> bool:
    """Whether a browser sends ``Secure`` cookies to ``url``: ``https``/``wss``, or a host it
    treats as secure over ``http`` (``localhost``, ``*.localhost``, loopback addresses)."""
    parts = urlsplit(url)
    if parts.scheme.lower() in ("https", "wss"):
        return True
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def session_cookie(name: str, value: str, url: str, *, in_process: bool = False) -> Cookie:
    """The cookie a ``{name: value}`` entry stands for at ``url``: the worst realistic case.

    A session cookie its site set with ``SameSite=None; Secure``, the only kind a cross-site
    page can ever have sent; where no ``Secure`` cookie can exist (plain ``http`` to a host
    that is not local, and not an in-process app) the site can only have set it without
    ``Secure``, and then not as ``SameSite=None``: a cookie without SameSite is ``Lax`` in
    Chromium, and no browser sends it cross-site.
    """
    if in_process or is_secure_context(url):
        return Cookie(name, value, samesite="None", secure=True)
    return Cookie(name, value, samesite="Lax", secure=False)


@dataclass(frozen=True)
class Held:
    """A cookie in the jar of one fetch: the cookie, and the host a host-only cookie is for."""

    cookie: Cookie
    host: str
    host_only: bool


def _cookie_jar_class() -> type[CookieJar] | None:
    """``http.cookiejar.CookieJar`` if that module was imported (no jar exists otherwise)."""
    module = sys.modules.get("http.cookiejar")
    return getattr(module, "CookieJar", None) if module is not None else None


def jar_for(cookies: CookiesArg, url: str, *, in_process: bool = False) -> tuple[Held, ...]:
    """The cookies a browser holds for a fetch that starts at ``url``, from ``cookies=``."""
    if cookies is None:
        return ()
    host = (urlsplit(url).hostname or "").rstrip(".")
    jar_class = _cookie_jar_class()
    if jar_class is not None:
        inner = getattr(cookies, "jar", None)  # httpx.Cookies, Starlette's TestClient.cookies
        if isinstance(inner, jar_class):
            cookies = inner
        if isinstance(cookies, jar_class):
            return tuple(h for c in cookies if (h := _from_jar(c, host)) is not None)
    if isinstance(cookies, Mapping):
        held = []
        for name, value in cookies.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise CorsUsageError(
                    "cookies={name: value} takes strings, got "
                    f"{type(name).__name__} {name!r}: {type(value).__name__}"
                )
            held.append(Held(session_cookie(name, value, url, in_process=in_process), host, True))
        return tuple(held)
    if isinstance(cookies, (str, bytes)) or not isinstance(cookies, Iterable):
        raise CorsUsageError(_ACCEPTED + f"; got {type(cookies).__name__}")
    out = []
    for item in cookies:
        if not isinstance(item, Cookie):
            raise CorsUsageError(_ACCEPTED + f"; got {type(item).__name__} in the list")
        out.append(Held(item, item.domain or host, item.domain is None))
    return tuple(out)


_ACCEPTED = (
    "cookies takes a mapping {'name': 'value'}, a list of pytest_cors.Cookie, a "
    "http.cookiejar.CookieJar (a client's .cookies), or None for a signed-out browser"
)


def _from_jar(cookie: JarCookie, start: str) -> Held | None:
    """An ``http.cookiejar`` cookie as the browser holds it; ``None`` once expired. One set by
    hand without a domain (``client.cookies.set(name, value)``) is for the host ``start``."""
    if cookie.is_expired():
        return None
    samesite = "Lax"  # no SameSite attribute: Lax in Chromium; elsewhere same result for fetch()
    for spelling in ("SameSite", "samesite", "Samesite", "sameSite", "SAMESITE"):
        given = cookie.get_nonstandard_attr(spelling)
        if isinstance(given, str) and given.lower() in ("none", "lax", "strict"):
            samesite = given
            break
    host = cookie.domain.lower().lstrip(".") or start
    if not cookie.domain_specified and host.endswith(".local") and "." not in host[:-6]:
        host = host[:-6]  # http.cookiejar names a dotless host 'testserver.local'
    value = cookie.value or ""
    held = Cookie(
        cookie.name,
        value,
        samesite=samesite,  # type: ignore[arg-type]  # checked by Cookie
        secure=bool(cookie.secure),
        domain=None if not cookie.domain_specified else host,
        path=cookie.path or "/",
    )
    return Held(held, host, not cookie.domain_specified)


@dataclass(frozen=True)
class Decision:
    """Whether one held cookie goes with one request, and why (for the story)."""

    cookie: Cookie
    sent: bool
    why: str


def _domain_match(held: Held, host: str) -> bool:
    if held.host_only:
        return host == held.host
    return host == held.host or host.endswith("." + held.host)


def _path_match(cookie_path: str, path: str) -> bool:
    if path == cookie_path:
        return True
    if not path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or path[len(cookie_path)] == "/"


def decide(
    jar: Sequence[Held],
    url: str,
    *,
    page: Origin,
    chain: Sequence[str],
    profile: str,
    in_process: bool = False,
) -> list[Decision]:
    """Which cookies of ``jar`` a credentialed request to ``url`` carries, from a page at
    ``page``, after the redirects ``chain`` (the URLs of the fetch so far, ``url`` last).

    Cookies for another host or path are left out of the answer altogether; every other one
    is a :class:`Decision` saying whether it goes. The caller has already decided that the
    credentials mode lets cookies go with this request (never on a preflight).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    path = parts.path or "/"
    policy = cookie_policy(profile)
    target = origin_of_url(url)
    first_party = same_site(page, target)
    same_site_chain = first_party and all(same_site(page, origin_of_url(u)) for u in chain)
    secure = in_process or is_secure_context(url)
    out = []
    for held in jar:
        cookie = held.cookie
        if not _domain_match(held, host) or not _path_match(cookie.path, path):
            continue
        page_name = page.serialize()
        if cookie.secure and not secure:
            out.append(Decision(cookie, False, "Secure, and the URL is not https"))
        elif cookie.samesite == "None" and not cookie.secure and policy.none_requires_secure:
            out.append(Decision(cookie, False, "SameSite=None without Secure is rejected"))
        elif cookie.samesite != "None" and not same_site_chain:
            where = (
                f"the page {page_name} is cross-site"
                if not first_party
                else "the fetch was redirected through another site"
            )
            out.append(Decision(cookie, False, f"SameSite={cookie.samesite} and {where}"))
        elif not first_party and policy.third_party != "allowed":
            why = {
                "partitioned": "this browser partitions cookies by top-level site, and the "
                f"page {page_name} is another site",
                "blocked": f"this browser blocks third-party cookies (the page {page_name} is "
                "another site)",
            }[policy.third_party]
            out.append(Decision(cookie, False, why))
        else:
            why = "a same-site request" if first_party else "this browser sends third-party cookies"
            out.append(Decision(cookie, True, why))
    return out


def cookie_header(decisions: Iterable[Decision]) -> str | None:
    """The ``Cookie`` header value for the cookies sent (longer paths first, as browsers order
    them), or ``None`` when none is."""
    sent = [d.cookie for d in decisions if d.sent]
    if not sent:
        return None
    sent.sort(key=lambda c: -len(c.path))
    return "; ".join(f"{c.name}={c.value}" for c in sent)


def describe(decisions: Sequence[Decision], method: str, url: str) -> str:
    """One line of the story: which cookies went with ``method url`` and which did not."""
    shown = [
        f"{d.cookie.name} ({d.cookie.attributes()}) {'sent' if d.sent else 'not sent'}: {d.why}"
        for d in decisions
    ]
    return f"{method} {redact_url(url)}: " + "; ".join(shown)


def _is_preflight(request: Request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


class CookieFlow:
    """The cookies of one ``fetch()``, request by request: the engine calls :meth:`attach` on
    each request it sends (it returns the request as it goes out, which the exchange records),
    then :meth:`finish` adds the cookie lines to the outcome's story."""

    def __init__(
        self,
        jar: Sequence[Held],
        *,
        page: Origin,
        credentials: str,
        profile: str,
        in_process: bool = False,
    ) -> None:
        self.jar = jar
        self.page = page
        self.credentials = credentials
        self.profile = profile
        self.in_process = in_process
        self.chain: list[str] = []
        self.cross_origin = False  # the fetch's response tainting became "cors"
        self.notes: list[str] = []

    def includes_credentials(self) -> bool:
        """Fetch's includeCredentials for the hop at hand: ``include``, or ``same-origin``
        while no hop has left the page's origin."""
        if self.credentials == "include":
            return True
        return self.credentials == "same-origin" and not self.cross_origin

    def attach(self, request: Request) -> Request:
        """``request`` with the ``Cookie`` header the browser adds, if any."""
        if _is_preflight(request):
            return request  # a preflight never carries credentials
        self.chain.append(request.url)
        if not self.page.same_origin(origin_of_url(request.url)):
            self.cross_origin = True
        if not self.jar or not self.includes_credentials():
            return request
        decisions = decide(
            self.jar,
            request.url,
            page=self.page,
            chain=self.chain,
            profile=self.profile,
            in_process=self.in_process,
        )
        if any(not d.sent for d in decisions):  # a sent one shows as the Cookie line
            self.notes.append(describe(decisions, request.method, request.url))
        header = cookie_header(decisions)
        if header is None:
            return request
        return Request(
            request.method, request.url, request.headers.with_header("Cookie", header), request.body
        )

    def finish(self, outcome: Outcome) -> Outcome:
        """``outcome`` with the cookie lines in its story (the engine recorded each request
        as it went out, cookies and all, through :meth:`attach`)."""
        if self.notes:
            outcome.notes[:0] = [Note("cookies", text) for text in self.notes]
        return outcome
