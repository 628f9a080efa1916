"""The ``mixed-content`` family: an ``https`` page reaching plain ``http``, in all three engines.

The page is ``https://app.example.com:PORT/`` on the loopback TLS server (tls_server.py); each
case fetches or loads a URL of the same server, whose ports answer TLS and plain HTTP alike, so
the server records whether a request came at all and over which scheme (an upgraded ``http``
URL arrives over TLS on the same port). ``api.example.org`` is mapped to loopback by each
browser's own means but is not a loopback *name*, so ``http://api.example.org`` is not
potentially trustworthy: mixed content. ``http://127.0.0.1`` and ``http://localhost`` are.

What the page saw (a ``fetch()`` resolved or rejected, an element loaded and used), what the
server received (nothing, or which requests over which scheme) and the console lines are
compared with the engine's profile run through ``prepare_request(..., mixed_content=True)``
(``test_mixed_content.py``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from .initiators import RUNNER_JS, Case
from .server import API_HOST, APP_HOST, LOCAL_HOST, LOOP_HOST, Received, Resp, Step
from .tls_server import TlsScenarioServer

#: Non-loopback IP literals: not potentially trustworthy, so ``http`` to them is mixed content.
#: Only Chromium can send them to the loopback server (its ``--host-resolver-rules`` maps an IP
#: literal too: :data:`IP_RESOLVER_RULES`); Firefox's ``network.dns.forceResolve`` and WebKit
#: never resolve an IP literal, so those cases run in Chromium alone (``MixCase.engines``).
LOCAL_IP = "10.1.2.3"  # a local (private) address: Local Network Access territory
PUBLIC_IP = "203.0.113.5"  # TEST-NET-3: a public address
IP_RESOLVER_RULES = f"MAP {LOCAL_IP} 127.0.0.1, MAP {PUBLIC_IP} 127.0.0.1"
ENGINES = ("chromium", "firefox", "webkit")

ANY = Resp(
    204,
    (
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Methods: *",
        "Access-Control-Allow-Headers: *",
    ),
    b"",
)
TEXT_STAR = Resp(200, ("Content-Type: text/plain", "Access-Control-Allow-Origin: *"), b"ok")

#: Each target: the URL's scheme and host.
TARGET_URLS = {
    "http": ("http", API_HOST),
    "https": ("https", API_HOST),
    "redirect": ("https", API_HOST),
    "loop": ("http", LOOP_HOST),
    "localhost": ("http", LOCAL_HOST),
    "ip-local": ("http", LOCAL_IP),
    "ip-public": ("http", PUBLIC_IP),
}


@dataclass(frozen=True)
class MixCase:
    """One request of the page: ``kind`` is ``fetch``, ``xhr`` or an element (``img`` ...);
    ``target`` names the URL (a key of :data:`TARGET_URLS`): ``http`` (the API over plain
    http), ``https``, ``loop`` (``http://127.0.0.1``), ``localhost``, ``ip-local`` /
    ``ip-public`` (an IP literal, Chromium only), or ``redirect`` (https, answering 302 to
    http). ``step``, when given, replaces the default answer (the random cases' CORS answers);
    ``headers``/``body``/``credentials`` are a fetch()'s (``None``: PUT sends ``X-Custom``);
    ``hop_preflight`` answers the preflight at the redirecting https URL (default: the same as
    the final step's)."""

    sid: str
    title: str
    kind: str
    target: str
    crossorigin: str | None = None
    method: str = "GET"
    engines: tuple[str, ...] = ENGINES
    step: Step | None = None
    hop: Resp | None = None
    headers: tuple[tuple[str, str], ...] | None = None
    body: str | None = None
    credentials: str = "omit"
    hop_preflight: Resp | None = None

    def fetch_headers(self) -> tuple[tuple[str, str], ...]:
        if self.headers is not None:
            return self.headers
        return (("X-Custom", "1"),) if self.method == "PUT" else ()

    def fetch_body(self) -> str | None:
        if self.headers is not None:
            return self.body
        return "x" if self.method == "PUT" else None

    def steps(self, server: TlsScenarioServer) -> dict[str, Step]:
        final = self.step
        if final is None and self.kind in ("fetch", "xhr"):
            final = Step(TEXT_STAR, ANY)
        elif final is None:
            final = Case(self.sid, self.kind, "star", self.crossorigin).step()
        if self.target == "redirect":
            to = f"http://{API_HOST}:{server.port}/s/{self.sid}/b"
            hop = self.hop or Resp(302, ("Access-Control-Allow-Origin: *",), b"")
            hop = Resp(hop.status, (f"Location: {to}", *hop.lines), b"")
            return {"r": Step(hop, self.hop_preflight or final.preflight), "b": final}
        return {"r": final}

    def url(self, server: TlsScenarioServer) -> str:
        scheme, host = TARGET_URLS[self.target]
        return f"{scheme}://{host}:{server.port}/s/{self.sid}/r"


def _cases() -> list[MixCase]:
    c = MixCase
    return [
        c("mix-fetch-http", "fetch() GET to http: blocked before CORS, nothing sent",
          "fetch", "http"),
        c("mix-fetch-put-http", "fetch() PUT to http: blocked, no preflight either",
          "fetch", "http", method="PUT"),
        c("mix-fetch-https", "fetch() to https (the control): allowed", "fetch", "https"),
        c("mix-fetch-redirect", "https URL redirected to http: blocked at the redirect",
          "fetch", "redirect"),
        c("mix-fetch-put-redirect", "preflighted PUT to https redirected to http: blocked",
          "fetch", "redirect", method="PUT"),
        c("mix-fetch-put-redirect-refused", "the same, the http URL's preflight refusing",
          "fetch", "redirect", method="PUT", step=Step(TEXT_STAR, Resp(204, (), b"")),
          hop_preflight=ANY),
        c("mix-fetch-loop", "fetch() to http://127.0.0.1: potentially trustworthy",
          "fetch", "loop"),
        c("mix-fetch-localhost", "fetch() to http://localhost: potentially trustworthy",
          "fetch", "localhost"),
        c("mix-xhr-http", "XHR GET to http: blocked", "xhr", "http"),
        c("mix-img-http", "<img> without crossorigin to http", "img", "http"),
        c("mix-img-anon-http", "<img crossorigin=anonymous> to http", "img", "http",
          crossorigin="anonymous"),
        c("mix-script-http", "<script> to http: blocked", "script", "http"),
        c("mix-font-http", "@font-face to http: blocked", "font", "http"),
        c("mix-style-http", "<link rel=stylesheet> to http: blocked", "stylesheet", "http"),
        c("mix-img-loop", "<img> to http://127.0.0.1: not upgraded, loaded", "img", "loop"),
        c("mix-img-localhost", "<img> to http://localhost", "img", "localhost"),
        # media is upgraded like an image in all three (measured)
        c("mix-audio-http", "<audio> to http: upgraded to https", "audio", "http"),
        c("mix-video-http", "<video> to http: upgraded to https", "video", "http"),
        c("mix-audio-anon-http", "<audio crossorigin=anonymous> to http: upgraded",
          "audio", "http", crossorigin="anonymous"),
        c("mix-video-loop", "<video> to http://127.0.0.1: not upgraded, loaded",
          "video", "loop"),
        c("mix-xhr-put-http", "XHR PUT to http: blocked, no preflight", "xhr", "http",
          method="PUT"),
        # an IP literal: Chromium alone can reach one (see IP_RESOLVER_RULES)
        *(c(f"mix-{kind}-ip-{space}", f"{kind} to http://<{space} IP>", kind, f"ip-{space}",
            engines=("chromium",))
          for kind in ("fetch", "xhr", "script", "img", "audio", "video")
          for space in ("local", "public")),
    ]  # fmt: skip


CASES = _cases()
BY_SID = {c.sid: c for c in CASES}


def page_url(server: TlsScenarioServer) -> str:
    """The https page, at ``/`` (the engine names the page by its origin and ``/``)."""
    return f"https://{APP_HOST}:{server.port}/"


def page_origin(server: TlsScenarioServer) -> str:
    return f"https://{APP_HOST}:{server.port}"


def register(server: TlsScenarioServer, cases: list[MixCase]) -> None:
    for case in cases:
        server.add(case.sid, page_origin(server), case.steps(server))


#: Runs in the page: every fetch() case in turn (the element and XHR cases go through
#: initiators.RUNNER_JS); a result says whether the call resolved.
FETCH_JS = r"""
async ({specs, timeoutMs}) => {
  const out = {};
  for (const s of specs) {
    const init = {method: s.method, credentials: s.credentials || "omit"};
    if (s.headers !== undefined) {
      if (s.headers.length) init.headers = s.headers;
      if (s.body !== null) init.body = s.body;
    } else if (s.method === "PUT") { init.body = "x"; init.headers = {"X-Custom": "1"}; }
    const abort = new AbortController(); init.signal = abort.signal;
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const r = await fetch(s.url, init);
      await r.text();
      out[s.sid] = {used: true, status: r.status, url: r.url, error: null};
    } catch (e) {
      out[s.sid] = {used: false, status: null, url: null, error: String(e)};
    } finally { clearTimeout(timer); }
  }
  return out;
}
"""


def specs(server: TlsScenarioServer, cases: list[MixCase]) -> tuple[list[Any], list[Any]]:
    """The fetch() specs and the initiators runner's specs."""
    fetches = [
        {
            "sid": c.sid,
            "url": c.url(server),
            "method": c.method,
            "headers": [list(h) for h in c.fetch_headers()],
            "body": c.fetch_body(),
            "credentials": c.credentials,
        }
        for c in cases
        if c.kind == "fetch"
    ]
    others = [
        Case(c.sid, c.kind, "star", c.crossorigin, method=c.method,
             body="x" if c.method == "PUT" else None).spec(c.url(server))
        for c in cases
        if c.kind != "fetch"
    ]  # fmt: skip
    return fetches, others


def of_engine(cases: list[MixCase], engine: str) -> list[MixCase]:
    """The cases ``engine`` can run (an IP-literal case only where it reaches the server)."""
    return [c for c in cases if engine in c.engines]


@dataclass
class MixRun:
    """What one engine did for one case."""

    case: MixCase
    page: dict[str, Any]
    requests: list[tuple[Received, str]]
    console: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "used": bool(self.page.get("used")),
            "sent": [(r.method, r.path.split("/")[-1], scheme) for r, scheme in self.requests],
        }

    def transcript(self) -> str:
        lines = [f"{self.case.sid}: page saw {self.page}"]
        lines += [f"  {r.method} {r.path} over {scheme}" for r, scheme in self.requests]
        lines += [f"  console: {line}" for line in self.console]
        return "\n".join(lines)


def _by_sid(lines: list[str]) -> dict[str, list[str]]:
    """Console lines per case: a line naming no case URL goes with the next line that does
    (WebKit's ``Not allowed to request resource``)."""
    out: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in lines:
        match = re.search(r"/s/(mix-[A-Za-z0-9_.-]+|lna-[A-Za-z0-9_.-]+)/", line)
        if match is None:
            pending.append(line.strip())
            continue
        out.setdefault(match.group(1), []).extend([*pending, line.strip()])
        pending = []
    return out


def _collect(
    server: TlsScenarioServer,
    cases: list[MixCase],
    results: dict[str, Any],
    console: dict[str, list[str]],
) -> dict[str, MixRun]:
    time.sleep(0.2)  # a late second request (none expected) still lands in its case
    return {
        c.sid: MixRun(c, results[c.sid], server.take_with_schemes(c.sid), console.get(c.sid, []))
        for c in cases
    }


def run_chromium(
    browser: Any, server: TlsScenarioServer, cases: list[MixCase]
) -> dict[str, MixRun]:
    """The cases in one Chromium page (``browser``: the conformance ``Chromium`` started with
    ``--ignore-certificate-errors``)."""
    register(server, cases)
    fetches, others = specs(server, cases)
    context = browser.browser.new_context()
    lines: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: lines.append(message.text))
        page.goto(page_url(server))
        results = page.evaluate(FETCH_JS, {"specs": fetches, "timeoutMs": 8000})
        results.update(page.evaluate(RUNNER_JS, {"specs": others, "timeoutMs": 8000}))
        page.wait_for_timeout(300)
    finally:
        context.close()
    return _collect(server, cases, results, _by_sid(lines))


def run_firefox(browser: Any, server: TlsScenarioServer, cases: list[MixCase]) -> dict[str, MixRun]:
    """The cases in one Firefox tab (``browser``: a ``Firefox`` accepting insecure certs)."""
    cases = of_engine(cases, "firefox")
    register(server, cases)
    fetches, others = specs(server, cases)
    client = browser.client
    context = client.command("browsingContext.create", {"type": "tab"})["context"]
    try:
        client.command(
            "browsingContext.navigate",
            {"context": context, "url": page_url(server), "wait": "complete"},
        )
        client.events.clear()
        results = client.call(context, FETCH_JS, {"specs": fetches, "timeoutMs": 8000}, timeout=120)
        results.update(
            client.call(context, RUNNER_JS, {"specs": others, "timeoutMs": 8000}, timeout=120)
        )
        client.drain(0.5)
        texts = [
            str(e["params"].get("text", ""))
            for e in client.events
            if e.get("method") == "log.entryAdded"
        ]
        client.events.clear()
    finally:
        client.command("browsingContext.close", {"context": context})
    return _collect(server, cases, results, _by_sid(texts))


#: A WebKit console line on stderr (``CONSOLE SECURITY WARN [blocked] The page at ...``).
_WEBKIT_CONSOLE = re.compile(r"^CONSOLE [A-Z]+ [A-Z]+ (.*)$")


def run_webkit(browser: Any, server: TlsScenarioServer, cases: list[MixCase]) -> dict[str, MixRun]:
    """The cases in one WebKitGTK view (``browser``: the conformance ``WebKit``)."""
    cases = of_engine(cases, "webkit")
    register(server, cases)
    fetches, others = specs(server, cases)
    browser.command("load", url=page_url(server))
    start = browser._marker()
    results = {}
    for js, batch in ((FETCH_JS, fetches), (RUNNER_JS, others)):
        results.update(
            browser.command(
                "call",
                body=f"return await ({js})(options);",
                args={"options": {"specs": batch, "timeoutMs": 8000}},
                timeout=120,
            )
        )
    browser.command("call", body="await new Promise(r => setTimeout(r, 300)); return 1;", args={})
    end = browser._marker()
    browser._wait_for_marker(end)
    lines = []
    for raw in browser._lines_between(start, end):
        match = _WEBKIT_CONSOLE.match(raw.rstrip("\n"))
        if match is not None:
            lines.append(match.group(1).strip())
    return _collect(server, cases, results, _by_sid(lines))
