"""Drive Debian's Chromium (headless, through playwright-python) over the scenario table.

One browser, one page per page origin; each page runs its scenarios' ``fetch()`` calls in a
single ``page.evaluate`` (a small worker pool, so a few hundred scenarios take seconds). For
every scenario we keep what script saw (resolved or rejected, status, every readable header),
the console's CORS line and DevTools' ``corsErrorStatus``; the server keeps what was sent.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .scenarios import Scenario
from .server import (
    APP_HOST,
    EVIL_HOST,
    HOSTS,
    LOCAL_HOST,
    Received,
    ScenarioServer,
    split_page,
)

CHROMIUM_ENV = "PYTEST_CORS_CHROMIUM"  # another binary; a path that does not exist = none

FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
)

# Runs inside the page: every scenario's fetches, a pool of workers, one result list per id.
_RUNNER_JS = """
async ({specs, workers, timeoutMs}) => {
  const out = {};
  async function once(url, f) {
    const headers = new Headers();
    try {
      for (const [k, v] of f.headers) headers.append(k, v);
    } catch (e) {
      return {resolved: false, error: String(e), construction: true};
    }
    const init = {method: f.method, headers, credentials: f.credentials, mode: f.mode || "cors"};
    if (f.body !== null) init.body = f.body;
    if (f.cache !== null) init.cache = f.cache;
    if (f.redirect) init.redirect = f.redirect;
    if (init.mode !== "cors") {
      // what fetch() throws before sending (a no-cors PUT): told apart from a rejection
      try { new Request(url, init); } catch (e) {
        return {resolved: false, error: String(e), construction: true};
      }
    }
    const abort = new AbortController();
    init.signal = abort.signal;
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const r = await fetch(url, init);
      let text = null;
      try { text = await r.text(); } catch (e) { text = null; }
      return {resolved: true, status: r.status, type: r.type, redirected: r.redirected,
              url: r.url, headers: [...r.headers], body: text};
    } catch (e) {
      return {resolved: false, error: String(e), timedOut: abort.signal.aborted};
    } finally {
      clearTimeout(timer);
    }
  }
  let next = 0;
  async function worker() {
    while (next < specs.length) {
      const spec = specs[next++];
      const results = [];
      for (const f of spec.fetches) results.push(await once(spec.url, f));
      out[spec.sid] = results;
    }
  }
  await Promise.all(Array.from({length: workers}, worker));
  return out;
}
"""

#: Chromium's second console line for a fetch its page's CSP blocked.
CSP_BLOCKED = "Refused to connect because it violates the document's Content Security Policy"
_SID_IN_URL = re.compile(r"/s/([A-Za-z0-9_.-]+)/")


def resolver_rules(default_port_to: int | None = None) -> str:
    """Every scenario host to 127.0.0.1; with ``default_port_to``, port 80 to that port too.

    Chromium's rules can rewrite the port, which gives default-port origins such as
    ``http://app.example.com`` without binding port 80 (Firefox's ``forceResolve`` cannot).
    """
    rules = []
    if default_port_to is not None:
        rules += [f"MAP {host}:80 127.0.0.1:{default_port_to}" for host in HOSTS]
    rules += [f"MAP {host} 127.0.0.1" for host in HOSTS]
    return ", ".join(rules)


def find_chromium() -> str | None:
    """The Chromium binary to drive, or None (the caller decides: skip, or fail under CI)."""
    wanted = os.environ.get(CHROMIUM_ENV)
    if wanted:
        return wanted if os.path.isfile(wanted) and os.access(wanted, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@dataclass
class FetchResult:
    """What the page's script saw for one ``fetch()``."""

    resolved: bool
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    type: str = ""
    redirected: bool = False
    timed_out: bool = False
    construction_error: bool = False


@dataclass
class CorsError:
    """DevTools' ``Network.loadingFailed`` for one request."""

    url: str
    error_text: str
    cors_error: str | None
    failed_parameter: str | None


@dataclass
class BrowserRun:
    """Everything Chromium did for one scenario."""

    scenario: Scenario
    fetches: list[FetchResult]
    requests: list[Received]
    console: list[str]
    cors_errors: list[CorsError]

    def transcript(self) -> str:
        lines = [f"Chromium for {self.scenario.sid}:"]
        for req in self.requests:
            kind = "preflight" if req.is_preflight else "request"
            lines.append(f"  {kind}: {req.method} port={req.port} {req.path}")
            for name, value in req.headers:
                if name.lower() in ("origin", "access-control-request-method",
                                    "access-control-request-headers", "content-type"):  # fmt: skip
                    lines.append(f"    {name}: {value}")
        for i, result in enumerate(self.fetches, 1):
            if result.resolved:
                lines.append(f"  fetch {i}: resolved {result.status} headers={result.headers}")
            else:
                lines.append(f"  fetch {i}: rejected {result.error}")
        lines.extend(f"  console: {line}" for line in self.console)
        lines.extend(
            f"  devtools: {e.cors_error or '-'} ({e.failed_parameter!r}) {e.error_text}"
            for e in self.cors_errors
        )
        return "\n".join(lines)


def page_url(server: ScenarioServer, page: str) -> str:
    page, csp = split_page(page)
    if csp is not None:  # the page served with a Content-Security-Policy (csp_scenarios.py)
        return page_url(server, page) + "?csp=" + quote(server.filler("")(csp), safe="")
    return {
        "app": f"{server.origin(APP_HOST)}/page",
        "app2": f"{server.origin(APP_HOST, second_port=True)}/page",
        "evil": f"{server.origin(EVIL_HOST)}/page",
        "null": f"{server.origin(APP_HOST)}/opaque",
        "app80": f"http://{APP_HOST}/page",  # port 80, mapped by resolver_rules()
        # potentially trustworthy pages (Fetch Metadata needs no TLS on loopback names)
        "local": f"{server.origin(LOCAL_HOST)}/page",
        "local-root": f"{server.origin(LOCAL_HOST)}/",  # the page at /, as the engine models it
    }[page]


def page_origin(server: ScenarioServer, page: str) -> str:
    if split_page(page)[0] == "null":
        return "null"
    scheme, _, rest = page_url(server, page).partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def register(server: ScenarioServer, scenarios: Iterable[Scenario]) -> None:
    for scenario in scenarios:
        server.add(scenario.sid, page_origin(server, scenario.page), scenario.steps)


def scenario_url(server: ScenarioServer, scenario: Scenario) -> str:
    return server.filler(scenario.sid)(scenario.url)


class Chromium:
    """One headless Chromium for the whole session."""

    def __init__(
        self,
        executable: str,
        workers: int = 8,
        timeout_ms: int = 15000,
        default_port_to: int | None = None,
        extra_args: Iterable[str] = (),
    ) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(
                executable_path=executable,
                args=[
                    *FLAGS,
                    f"--host-resolver-rules={resolver_rules(default_port_to)}",
                    *extra_args,  # a family's own switches (TLS, address-space overrides)
                ],
            )
        except Exception:
            self._pw.stop()
            raise
        self.version: str = self.browser.version
        self._workers = workers
        self._timeout_ms = timeout_ms

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._pw.stop()

    def run(self, server: ScenarioServer, scenarios: list[Scenario]) -> dict[str, BrowserRun]:
        """Run every scenario once; group by page origin, one page (and context) each."""
        register(server, scenarios)
        runs: dict[str, BrowserRun] = {}
        for page_name in sorted({s.page for s in scenarios}):
            group = [s for s in scenarios if s.page == page_name]
            runs.update(self._run_page(server, page_name, group))
        return runs

    def _run_page(
        self, server: ScenarioServer, page_name: str, group: list[Scenario]
    ) -> dict[str, BrowserRun]:
        context = self.browser.new_context()
        try:
            page = context.new_page()
            console: dict[str, list[str]] = {}
            failures: dict[str, list[CorsError]] = {}
            urls: dict[str, str] = {}

            def on_console(message: Any) -> None:
                text = message.text
                match = _SID_IN_URL.search(text)
                if match:
                    console.setdefault(match.group(1), []).append(text)

            def on_request(event: dict[str, Any]) -> None:
                urls[event["requestId"]] = event["request"]["url"]

            def on_failed(event: dict[str, Any]) -> None:
                url = urls.get(event["requestId"], "")
                match = _SID_IN_URL.search(url)
                if not match:
                    return
                status = event.get("corsErrorStatus") or {}
                failures.setdefault(match.group(1), []).append(
                    CorsError(
                        url,
                        event.get("errorText", ""),
                        status.get("corsError"),
                        status.get("failedParameter"),
                    )
                )

            page.on("console", on_console)
            cdp = context.new_cdp_session(page)
            cdp.on("Network.requestWillBeSent", on_request)
            cdp.on("Network.loadingFailed", on_failed)
            cdp.send("Network.enable")
            page.goto(page_url(server, page_name))
            specs = fetch_specs(server, group)
            results = page.evaluate(
                _RUNNER_JS,
                {"specs": specs, "workers": self._workers, "timeoutMs": self._timeout_ms},
            )
            # Console and DevTools events trail the promise: wait until every rejected fetch
            # has its DevTools failure and console line (bounded, so a browser that reports
            # fewer shows up as a difference instead of a hang).
            expected = {
                sid: sum(1 for r in rs if not r["resolved"] and not r.get("construction"))
                for sid, rs in results.items()
            }
            # A fetch the page's CSP blocked gets no DevTools failure, only its console lines.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and any(
                len(failures.get(sid, ())) + sum(CSP_BLOCKED in c for c in console.get(sid, ())) < n
                or len(console.get(sid, ())) < n
                for sid, n in expected.items()
            ):
                page.wait_for_timeout(20)
            cdp.detach()
        finally:
            context.close()
        runs = {}
        for s in group:
            fetches = [_fetch_result(r) for r in results[s.sid]]
            runs[s.sid] = BrowserRun(
                s, fetches, server.take(s.sid), console.get(s.sid, []), failures.get(s.sid, [])
            )
        return runs


def _fetch_result(raw: dict[str, Any]) -> FetchResult:
    if raw["resolved"]:
        return FetchResult(
            resolved=True,
            status=raw["status"],
            headers=[(k, v) for k, v in raw["headers"]],
            type=raw["type"],
            redirected=raw["redirected"],
        )
    return FetchResult(
        resolved=False,
        error=raw["error"],
        timed_out=bool(raw.get("timedOut")),
        construction_error=bool(raw.get("construction")),
    )


def fetch_specs(server: ScenarioServer, scenarios: list[Scenario]) -> list[dict[str, Any]]:
    """What the page's runner needs for each scenario: its URL and every fetch's options."""
    return [
        {
            "sid": s.sid,
            "url": scenario_url(server, s),
            "fetches": [
                {
                    "method": f.method,
                    "headers": [list(h) for h in f.headers],
                    "credentials": f.credentials,
                    "body": f.body,
                    "cache": f.cache,
                    "mode": f.mode,
                    "redirect": f.redirect,
                }
                for f in s.fetches
            ],
        }
        for s in scenarios
    ]
