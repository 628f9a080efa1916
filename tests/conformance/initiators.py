"""The initiator scenarios (elements, XHR, EventSource, sendBeacon) and their page runner.

Every case is one URL of the scenario server on ``http://localhost:PORT2`` loaded by a page on
``http://localhost:PORT``: cross-origin (the port differs) but same-site, and potentially
trustworthy, so the browser sends Fetch Metadata and the page's own cookie (cookies ignore the
port): the ``Cookie`` line the server records says whether the request carried credentials.

The page runs the cases one at a time (a muted script error carries no URL, so it is tied to
its case by time) and reports, per case, what the page saw: loaded or errored, whether the
resource was used (image decoded, script run, stylesheet applied, font loaded, media metadata
read, event received), whether it is readable (canvas not tainted, script errors not muted,
``cssRules`` readable), and the script error message. The server records what was sent; each
engine's driver collects the console lines.
"""

from __future__ import annotations

import glob
import re
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from .server import Resp, ScenarioServer, Step

ANSWERS = ("none", "star", "origin", "creds")
CROSSORIGINS: tuple[str | None, ...] = (None, "anonymous", "use-credentials")
ELEMENTS = ("img", "script", "module", "stylesheet", "font", "video", "audio")


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _wav() -> bytes:
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    return buf.getvalue()


def font_bytes() -> bytes | None:
    """A real TrueType font from the machine (fonts-dejavu comes with the browsers)."""
    paths = sorted(glob.glob("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")) or sorted(
        glob.glob("/usr/share/fonts/**/*.ttf", recursive=True)
    )
    if not paths:
        return None
    with open(paths[0], "rb") as handle:
        return handle.read()


def _body(kind: str, sid: str) -> tuple[str, bytes]:
    if kind == "img":
        return "image/png", _png()
    if kind in ("script", "module"):
        js = (
            f'window.__ran = window.__ran || {{}}; window.__ran["{sid}"] = 1; '
            f'throw new Error("boom {sid}");'
        )
        return "text/javascript", js.encode()
    if kind == "stylesheet":
        return "text/css", f"#p-{sid} {{ width: 7px; }}".encode()
    if kind == "font":
        return "font/ttf", font_bytes() or b""
    if kind in ("video", "audio"):
        return "audio/wav", _wav()
    if kind == "eventsource":
        return "text/event-stream", b"retry: 600000\ndata: hello\n\n"
    return "text/plain", b"ok"


def answer_lines(answer: str) -> tuple[str, ...]:
    return {
        "none": (),
        "star": ("Access-Control-Allow-Origin: *",),
        "origin": ("Access-Control-Allow-Origin: {ORIGIN}", "Vary: Origin"),
        "creds": (
            "Access-Control-Allow-Origin: {ORIGIN}",
            "Access-Control-Allow-Credentials: true",
            "Vary: Origin",
        ),
    }[answer]


@dataclass(frozen=True)
class Case:
    """One initiator call: ``kind`` is an element name, ``xhr``, ``eventsource`` or ``beacon``."""

    sid: str
    kind: str
    answer: str
    crossorigin: str | None = None
    with_credentials: bool = False
    method: str = "GET"
    body: str | None = None
    content_type: str | None = None
    upload_listener: bool = False
    #: The CORS lines of every answer (resource, redirect, preflights) instead of ``answer``'s:
    #: random cases spell them wrong on purpose (``{ORIGIN}/``, two ACAO lines, ``True`` ...).
    cors_lines: tuple[str, ...] | None = None
    #: The resource's status (the body is the resource all the same, as a 404 page can be).
    status: int = 200
    #: A redirect before the resource: its status and the origin it sends the page to
    #: (``{LOCAL2}``: the resource's own; any other: the path is ``/s/<sid>/t`` there).
    redirect: tuple[int, str] | None = None
    #: What the case is, for a failure message (a random case: its seed and how to replay it).
    title: str = ""

    def cors(self) -> tuple[str, ...]:
        """The CORS lines every answer of this case carries."""
        return answer_lines(self.answer) if self.cors_lines is None else self.cors_lines

    def step(self) -> Step:
        """The resource's own step (the one ``/r`` answers unless there is a redirect)."""
        ctype, body = _body(self.kind, self.sid)
        lines = (f"Content-Type: {ctype}", "Cache-Control: no-store", *self.cors())
        preflight = (
            *self.cors(),
            "Access-Control-Allow-Methods: GET, POST",
            "Access-Control-Allow-Headers: content-type",
        )
        return Step(Resp(self.status, lines, body), Resp(204, preflight, b""))

    def steps(self) -> dict[str, Step]:
        """What the server answers per step: ``r`` the URL the page loads; with a redirect,
        ``r`` sends the page to ``t``, the resource (the preflights are the resource's)."""
        resource = self.step()
        if self.redirect is None:
            return {"r": resource}
        status, where = self.redirect
        hop_lines = (f"Location: {where}/s/{{SID}}/t", "Cache-Control: no-store", *self.cors())
        return {"r": Step(Resp(status, hop_lines, b""), resource.preflight), "t": resource}

    def spec(self, url: str) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "kind": self.kind,
            "url": url,
            "crossorigin": self.crossorigin,
            "withCredentials": self.with_credentials,
            "method": self.method,
            "body": self.body,
            "contentType": self.content_type,
            "uploadListener": self.upload_listener,
        }


def _co(value: str | None) -> str:
    return {None: "no", "anonymous": "anon", "use-credentials": "cred"}[value]


def _cases() -> list[Case]:
    out: list[Case] = []
    for element in ELEMENTS:
        # @font-face has no crossorigin attribute: a font is always CORS, credentials same-origin
        for co in (None,) if element == "font" else CROSSORIGINS:
            out += [Case(f"ini-{element}-{_co(co)}-{a}", element, a, co) for a in ANSWERS]
    for creds in (False, True):
        w = "wc" if creds else "nowc"
        out += [Case(f"ini-xhr-{w}-{a}", "xhr", a, with_credentials=creds) for a in ANSWERS]
        out += [Case(f"ini-es-{w}-{a}", "eventsource", a, with_credentials=creds) for a in ANSWERS]
    for listener in (False, True):
        tag = "upl" if listener else "noupl"
        out.append(Case(f"ini-xhr-post-{tag}-origin", "xhr", "origin", method="POST", body="x",
                        content_type="text/plain", upload_listener=listener))  # fmt: skip
    for ctype in ("text/plain", "application/json"):
        for a in ("star", "creds"):
            tag = ctype.split("/")[1]
            out.append(Case(f"ini-beacon-{tag}-{a}", "beacon", a, body="x", content_type=ctype))
    return out


CASES: list[Case] = _cases()
BY_SID = {c.sid: c for c in CASES}


def register_cases(server: ScenarioServer, cases: list[Case]) -> str:
    """Register every case; returns the page's URL (``http://localhost:PORT/page``)."""
    page_origin = server.origin("localhost")
    for case in cases:
        server.add(case.sid, page_origin, case.steps())
    return page_origin + "/page"


def case_url(server: ScenarioServer, case: Case) -> str:
    return f"{server.origin('localhost', second_port=True)}/s/{case.sid}/r"


def specs(server: ScenarioServer, cases: list[Case]) -> list[dict[str, Any]]:
    return [c.spec(case_url(server, c)) for c in cases]


#: Runs in the page: every case in turn; the result of each is what the page could observe.
RUNNER_JS = r"""
async ({specs, timeoutMs}) => {
  document.cookie = "pc=1; path=/";
  const errors = [];
  window.onerror = (message) => { errors.push(String(message)); return true; };
  const out = {};
  const wait = (target, good, bad) => new Promise(res => {
    const timer = setTimeout(() => res("timeout"), timeoutMs);
    target.addEventListener(good, () => { clearTimeout(timer); res("load"); }, {once: true});
    target.addEventListener(bad, () => { clearTimeout(timer); res("error"); }, {once: true});
  });
  async function one(s) {
    const r = {event: null, used: false, readable: null, error: null, status: null, sent: null};
    const co = s.crossorigin;
    if (s.kind === "img") {
      const img = new Image();
      if (co !== null) img.crossOrigin = co;
      const p = wait(img, "load", "error");
      img.src = s.url;
      r.event = await p;
      r.used = r.event === "load" && img.naturalWidth === 1;
      if (r.used) {
        const c = document.createElement("canvas"); c.width = 1; c.height = 1;
        const g = c.getContext("2d"); g.drawImage(img, 0, 0);
        try { g.getImageData(0, 0, 1, 1); r.readable = true; } catch (e) { r.readable = false; }
      }
    } else if (s.kind === "script" || s.kind === "module") {
      const el = document.createElement("script");
      if (s.kind === "module") el.type = "module";
      if (co !== null) el.crossOrigin = co;
      const before = errors.length;
      const p = wait(el, "load", "error");
      el.src = s.url;
      document.head.appendChild(el);
      r.event = await p;
      await new Promise(res => setTimeout(res, 0));
      r.used = Boolean(window.__ran && window.__ran[s.sid]);
      const mine = errors.slice(before);
      r.error = mine.length ? mine[0] : null;
      if (r.used) r.readable = r.error !== null && r.error.includes("boom");
    } else if (s.kind === "stylesheet") {
      const probe = document.createElement("div"); probe.id = "p-" + s.sid;
      document.body.appendChild(probe);
      const el = document.createElement("link"); el.rel = "stylesheet";
      if (co !== null) el.crossOrigin = co;
      const p = wait(el, "load", "error");
      el.href = s.url;
      document.head.appendChild(el);
      r.event = await p;
      r.used = getComputedStyle(probe).width === "7px";
      if (el.sheet) {
        try { el.sheet.cssRules; r.readable = true; } catch (e) { r.readable = false; }
      }
    } else if (s.kind === "font") {
      const family = "f" + s.sid.replace(/[^a-z0-9]/gi, "");
      const st = document.createElement("style");
      st.textContent = `@font-face { font-family: ${family}; src: url(${s.url}); }`;
      document.head.appendChild(st);
      const late = new Promise(res => setTimeout(res, timeoutMs));
      try { await Promise.race([document.fonts.load("16px " + family), late]); }
      catch (e) { r.error = String(e); }
      const face = [...document.fonts].find(f => f.family.replace(/"/g, "") === family);
      r.event = face ? face.status : "none";
      r.used = r.event === "loaded";
      r.readable = r.used;
    } else if (s.kind === "video" || s.kind === "audio") {
      const el = document.createElement(s.kind);
      if (co !== null) el.crossOrigin = co;
      el.preload = "auto"; el.muted = true;
      const p = wait(el, "loadedmetadata", "error");
      el.src = s.url;
      document.body.appendChild(el);
      r.event = await p;
      r.used = r.event === "load";
      if (el.error) r.error = `${el.error.code} ${el.error.message}`;
      el.removeAttribute("src"); el.load();
    } else if (s.kind === "xhr") {
      const x = new XMLHttpRequest();
      x.open(s.method, s.url);
      x.withCredentials = s.withCredentials;
      if (s.contentType) x.setRequestHeader("Content-Type", s.contentType);
      if (s.uploadListener) x.upload.onprogress = () => {};
      const p = wait(x, "load", "error");
      x.send(s.body);
      r.event = await p;
      r.status = x.status;
      r.used = r.event === "load";
      r.readable = r.used && x.responseText === "ok";
    } else if (s.kind === "eventsource") {
      const es = new EventSource(s.url, {withCredentials: s.withCredentials});
      const p = wait(es, "message", "error");
      r.event = await p;
      r.status = es.readyState;
      r.used = r.event === "load";
      r.readable = r.used;
      es.close();
    } else if (s.kind === "beacon") {
      try {
        const data = s.contentType ? new Blob([s.body], {type: s.contentType}) : s.body;
        r.sent = navigator.sendBeacon(s.url, data);
      } catch (e) { r.error = String(e); r.sent = false; }
      r.event = r.sent ? "queued" : "refused";
    }
    return r;
  }
  for (const s of specs) out[s.sid] = await one(s);
  return out;
}
"""


@dataclass
class InitiatorRun:
    """What one engine did for one case: the page's view, the requests, the console lines."""

    case: Case
    page: dict[str, Any]
    requests: list[Any]
    console: list[str] = field(default_factory=list)

    @property
    def preflighted(self) -> bool:
        return any(r.is_preflight for r in self.requests)

    def actuals(self) -> list[Any]:
        return [r for r in self.requests if not r.is_preflight]

    def first(self, name: str) -> str | None:
        """``name`` on the first non-preflight request (None: no such request or line)."""
        sent = self.actuals()
        return sent[0].get(name) if sent else None

    def summary(self) -> dict[str, Any]:
        """The facts compared with the kit, in one flat dict."""
        return {
            "sent": bool(self.actuals()),
            "preflight": self.preflighted,
            "origin": self.first("Origin") is not None,
            "cookie": self.first("Cookie") is not None,
            "mode": self.first("Sec-Fetch-Mode"),
            "dest": self.first("Sec-Fetch-Dest"),
            "used": bool(self.page.get("used")),
            "readable": self.page.get("readable"),
        }

    def transcript(self) -> str:
        lines = [f"{self.case.sid}: page saw {self.page}"]
        for req in self.requests:
            kind = "preflight" if req.is_preflight else "request"
            lines.append(f"  {kind}: {req.method} {req.path}")
            lines += [f"    {k}: {v}" for k, v in req.headers]
        lines += [f"  console: {c}" for c in self.console]
        return "\n".join(lines)


def collect(
    server: ScenarioServer, cases: list[Case], page: dict[str, Any], console: dict[str, list[str]]
) -> dict[str, InitiatorRun]:
    """Each case's run, once the beacons have reached the server (they are sent after the page
    script returns; bounded wait)."""
    deadline = time.monotonic() + 5
    beacons = [c for c in cases if c.kind == "beacon" and page[c.sid].get("sent")]
    while time.monotonic() < deadline and any(
        not [r for r in server.received(c.sid) if not r.is_preflight] for c in beacons
    ):
        time.sleep(0.05)
    time.sleep(0.2)  # a media element may send a second range request
    return {
        c.sid: InitiatorRun(c, page[c.sid], server.take(c.sid), console.get(c.sid, []))
        for c in cases
    }


_SID = re.compile(r"/s/(ini-[A-Za-z0-9_.-]+)/")


def _by_sid(lines: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in lines:
        match = _SID.search(line)
        if match:
            out.setdefault(match.group(1), []).append(line.strip())
    return out


def run_chromium(
    browser: Any, server: ScenarioServer, cases: list[Case]
) -> dict[str, InitiatorRun]:
    """The cases in one Chromium page (``browser``: the conformance ``Chromium``)."""
    url = register_cases(server, cases)
    context = browser.browser.new_context()
    lines: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: lines.append(message.text))
        page.goto(url)
        result = page.evaluate(RUNNER_JS, {"specs": specs(server, cases), "timeoutMs": 8000})
        page.wait_for_timeout(300)
    finally:
        context.close()
    return collect(server, cases, result, _by_sid(lines))


def run_firefox(browser: Any, server: ScenarioServer, cases: list[Case]) -> dict[str, InitiatorRun]:
    """The cases in one Firefox tab (``browser``: the conformance ``Firefox``)."""
    url = register_cases(server, cases)
    client = browser.client
    context = client.command("browsingContext.create", {"type": "tab"})["context"]
    try:
        client.command(
            "browsingContext.navigate", {"context": context, "url": url, "wait": "complete"}
        )
        client.events.clear()
        result = client.call(
            context, RUNNER_JS, {"specs": specs(server, cases), "timeoutMs": 8000}, timeout=600
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
    return collect(server, cases, result, _by_sid(texts))


def run_webkit(browser: Any, server: ScenarioServer, cases: list[Case]) -> dict[str, InitiatorRun]:
    """The cases in one WebKitGTK view (``browser``: the conformance ``WebKit``)."""
    url = register_cases(server, cases)
    browser.command("load", url=url)
    start = browser._marker()
    result = browser.command(
        "call",
        body=f"return await ({RUNNER_JS})(options);",
        args={"options": {"specs": specs(server, cases), "timeoutMs": 8000}},
        timeout=600,
    )
    browser.command("call", body="await new Promise(r => setTimeout(r, 300)); return 1;", args={})
    end = browser._marker()
    browser._wait_for_marker(end)
    return collect(server, cases, result, _by_sid(browser._lines_between(start, end)))
