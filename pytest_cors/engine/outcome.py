"""The values one simulated ``fetch()`` is about: the request as asked, and its outcome.

``FetchRequest`` is what the page's script asked for, checked as ``fetch()`` checks it;
``Outcome`` is what the browser did with it (the verdict, every exchange and the story's
notes). Kept apart from the algorithm in :mod:`pytest_cors.engine.fetch` so that readers of an
outcome (story, cookies, reports) need not import the algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pytest_cors.engine.lna import LocalNetwork
from pytest_cors.engine.story import explain
from pytest_cors.failures import CorsWarning, Failure
from pytest_cors.http import Exchange, redact_url, redact_value
from pytest_cors.origin import Origin

#: Response types whose status, headers and body the page cannot read at all.
OPAQUE_TYPES = frozenset({"opaque", "opaqueredirect"})


@dataclass(frozen=True)
class FetchRequest:
    """What the page's script asked for, validated as ``fetch()`` validates it."""

    url: str
    origin: Origin
    method: str
    headers: tuple[tuple[str, str], ...]
    credentials: str
    body: bytes | None
    warnings: tuple[CorsWarning, ...] = ()
    #: The page's ``Content-Security-Policy`` (``None``: the page has none).
    page_csp: str | None = None
    #: Block an ``https`` page's requests to plain ``http`` (mixed content). Off by default:
    #: in-process targets answer at ``http://testserver`` while tests name ``https`` pages.
    mixed_content: bool = False
    #: ``fetch()``'s ``mode`` (``cors``, ``no-cors``, ``same-origin``) and ``redirect``
    #: (``follow``, ``manual``, ``error``).
    mode: str = "cors"
    redirect: str = "follow"
    #: The request's destination, sent as ``Sec-Fetch-Dest``: ``empty`` for ``fetch()``, XHR,
    #: EventSource and beacons; ``image``, ``script``, ``style``, ``font``, ``video``,
    #: ``audio`` for an element's load (see :mod:`pytest_cors.engine.initiators`).
    destination: str = "empty"
    #: XHR's use-CORS-preflight flag (an ``xhr.upload`` listener): a cross-origin request
    #: is preflighted even when its method and headers are all safelisted.
    use_cors_preflight: bool = False
    #: Local Network Access inputs (Chromium, Firefox) (``None``: the gate is off, as before LNA: a
    #: loopback live server usually stands in for a public one).
    local_network: LocalNetwork | None = None

    def __repr__(self) -> str:
        # pytest prints reprs on a failing assert and in JUnit XML: no secret values, no body
        headers = tuple((k, redact_value(k, v)) for k, v in self.headers)
        body = "None" if self.body is None else f"<{len(self.body)} bytes>"
        return (
            f"FetchRequest(url={redact_url(self.url)!r}, origin={self.origin!r}, "
            f"method={self.method!r}, "
            f"headers={headers!r}, credentials={self.credentials!r}, body={body}, "
            f"warnings={self.warnings!r}"
            + (f", mode={self.mode!r}" if self.mode != "cors" else "")
            + (f", redirect={self.redirect!r}" if self.redirect != "follow" else "")
            + ")"
        )


@dataclass(frozen=True)
class Note:
    """One line of the story: which step, what was checked, and whether it passed."""

    step: str
    text: str
    ok: bool | None = None


@dataclass
class Outcome:
    """What a browser would do with one ``fetch()``: the verdict and the whole story."""

    request: FetchRequest
    browser: str
    allowed: bool = False
    exchanges: list[Exchange] = field(default_factory=list)
    failure: Failure | None = None
    warnings: list[CorsWarning] = field(default_factory=list)
    readable_headers: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    #: CORS never applied: every hop stayed same-origin with the page (tainting "basic")
    same_origin: bool = False
    preflight_cached: bool = False
    url: str = ""
    #: Indices into ``exchanges`` the HTTP cache answered: those requests were never sent.
    http_cached: list[int] = field(default_factory=list)
    #: The ``Response.type`` the page's script sees: ``basic`` (same-origin), ``cors``,
    #: ``opaque`` (``mode="no-cors"`` across origins: nothing readable), ``opaqueredirect``
    #: (``redirect="manual"`` met a redirect); ``error`` when ``fetch()`` rejects.
    response_type: str = "error"
    #: What made the request: ``fetch`` (``simulate_fetch``), ``xhr``, ``eventsource``,
    #: ``beacon``, or the element of ``simulate_load`` (``img``, ``script``, ...).
    initiator: str = "fetch"
    #: Whether the page uses the resource (an image shown, a script run, a font applied, a
    #: beacon delivered), and whether its script can read it (canvas not tainted, script
    #: errors not muted, ``responseText``): set by the initiators; ``None`` for ``fetch()``,
    #: where ``allowed`` and ``response_type`` say it.
    used: bool | None = None
    readable: bool | None = None

    @property
    def preflight(self) -> Exchange | None:
        """The last preflight sent (``None`` when none was needed or the cache answered)."""
        return next((e for e in reversed(self.exchanges) if e.kind == "preflight"), None)

    @property
    def actual(self) -> Exchange | None:
        """The last actual request and its response (``None`` when a preflight blocked it)."""
        return next((e for e in reversed(self.exchanges) if e.kind == "actual"), None)

    @property
    def preflights(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.kind == "preflight"]

    @property
    def status(self) -> int | None:
        """The status the page sees; ``None`` when ``fetch()`` rejected, ``0`` for an opaque
        response (``no-cors``) or an opaque redirect (``redirect="manual"``)."""
        if self.response_type in OPAQUE_TYPES:
            return 0 if self.allowed else None
        actual = self.actual
        return actual.response.status if self.allowed and actual else None

    @property
    def redirected(self) -> bool:
        return sum(1 for e in self.exchanges if e.kind == "actual") > 1

    def explain(self) -> str:
        """The whole story as text: requests, responses, each check and its result."""
        return explain(self)

    def __repr__(self) -> str:
        verdict = "allowed" if self.allowed else f"blocked ({self.failure and self.failure.code})"
        return (
            f"<Outcome {self.request.method} {redact_url(self.request.url)} from "
            f"{self.request.origin.serialize()}: {verdict}>"
        )
