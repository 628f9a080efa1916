"""Drive Debian's Firefox ESR (headless, WebDriver BiDi) over the conformance scenarios.

One Firefox for the session, started with a fresh temporary profile whose ``user.js`` sends the
scenario host names to loopback (``network.dns.forceResolve``) and switches off every background
service that would otherwise talk to the network. Pages are grouped by origin exactly as the
Chromium driver groups them, and each page runs the Chromium driver's own ``fetch()`` runner; so
the two browsers see the same requests, and the scenario server records what each one sent.

Firefox reports a CORS failure only in the console: ``... (Reason: CORS header
'Access-Control-Allow-Origin' missing). Status code: 200.`` Each line is tied to its scenario by
the URL in it and to its ``fetch()`` by time (a small prelude in the page timestamps every
``fetch()`` and keeps the calls of one scenario at least a moment apart), then its reason text is
mapped to MDN's name (``CORSMissingAllowOrigin`` ...), which the engine's ``failure.code`` must
equal.

Two Firefox habits would make the preflight-cache scenarios depend on how the suite runs: its
cache holds 100 entries (so scenarios with a second fetch run in a batch of their own), and a
page of a newly loaded site does not reuse entries for its first fetches (so each page first
repeats a cacheable preflighted request until Firefox serves it from the cache).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bidi import BidiClient, BidiError
from .chromium import (
    _RUNNER_JS,
    FetchResult,
    _fetch_result,
    fetch_specs,
    page_url,
    register,
    scenario_url,
)
from .scenarios import Fetch, Scenario
from .server import Received, Resp, ScenarioServer, Step

FIREFOX = os.environ.get("PYTEST_CORS_FIREFOX", "/usr/bin/firefox-esr")

#: ``user.js`` of the throw-away profile: loopback names, no background traffic, no first run.
PREFS: dict[str, object] = {
    # the scenario host names (app.example.com, api.example.org ...) all go to 127.0.0.1
    "network.dns.forceResolve": "127.0.0.1",
    "network.trr.mode": 5,
    "network.proxy.type": 0,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "network.connectivity-service.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.dns.native_https_query": False,
    # no https upgrade of the scenario pages
    "dom.security.https_first": False,
    "dom.security.https_first_pbm": False,
    "dom.security.https_only_mode": False,
    # BiDi only, no CDP
    "remote.active-protocols": 1,
    # background services
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank",
    "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.system.topstories": False,
    "browser.newtabpage.activity-stream.feeds.snippets": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.ping-centre.telemetry": False,
    "browser.aboutwelcome.enabled": False,
    "browser.search.update": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "browser.topsites.contile.enabled": False,
    "browser.urlbar.suggest.quicksuggest.sponsored": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.usage.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": "",
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "toolkit.coverage.endpoint.base": "",
    "extensions.update.enabled": False,
    "extensions.update.autoUpdateDefault": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "services.settings.server": "",
    "services.sync.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "nimbus.enabled": False,
    "geo.enabled": False,
    "media.gmp-manager.url": "",
    "media.gmp-gmpopenh264.enabled": False,
    "security.OCSP.enabled": 0,
    "security.remote_settings.crlite_filters.enabled": False,
    "identity.fxaccounts.enabled": False,
    "privacy.trackingprotection.enabled": False,
    "network.cookie.cookieBehavior": 0,
}

#: Firefox's reason texts (``security.properties``) to MDN's names, most specific first.
REASONS: tuple[tuple[str, str], ...] = (
    ("CORS disabled", "CORSDisabled"),
    ("CORS request did not succeed", "CORSDidNotSucceed"),
    ("CORS header 'Origin' cannot be added", "CORSOriginHeaderNotAdded"),
    ("CORS request external redirect not allowed", "CORSExternalRedirectNotAllowed"),
    ("CORS request not http", "CORSRequestNotHttp"),
    ("Multiple CORS header 'Access-Control-Allow-Origin' not allowed",
     "CORSMultipleAllowOriginNotAllowed"),
    ("CORS header 'Access-Control-Allow-Origin' missing", "CORSMissingAllowOrigin"),
    ("CORS header 'Access-Control-Allow-Origin' does not match",
     "CORSAllowOriginNotMatchingOrigin"),
    ("Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '*'",
     "CORSNotSupportingCredentials"),
    ("expected 'true' in CORS header 'Access-Control-Allow-Credentials'",
     "CORSMissingAllowCredentials"),
    ("Did not find method in CORS header 'Access-Control-Allow-Methods'", "CORSMethodNotFound"),
    ("in CORS header 'Access-Control-Allow-Methods'", "CORSInvalidAllowMethod"),
    ("in CORS header 'Access-Control-Allow-Headers' from CORS preflight",
     "CORSMissingAllowHeaderFromPreflight"),
    ("is not allowed according to header 'Access-Control-Allow-Headers'",
     "CORSMissingAllowHeaderFromPreflight"),
    ("in CORS header 'Access-Control-Allow-Headers'", "CORSInvalidAllowHeader"),
    ("CORS preflight response did not succeed", "CORSPreflightDidNotSucceed"),
    ("CORS preflight channel did not succeed", "CORSPreflightDidNotSucceed"),
    ("When the 'Access-Control-Allow-Headers' is '*'", "CORSAllowHeaderFromPreflightDeprecation"),
)  # fmt: skip

_BLOCKED = "Cross-Origin Request Blocked"
_REASON = re.compile(r"\(Reason: (.*)\)")
_SID_IN_URL = re.compile(r"/s/([A-Za-z0-9_.-]+)/")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

# Keeps the fetch() calls of one URL at least GAP_MS apart and timestamps each one, so a
# console line (timestamped by the browser) can be tied to the call that caused it.
GAP_MS = 150
_PRELUDE_JS = """
(gap) => {
  const original = window.fetch.bind(window);
  const log = {};
  window.__conformanceFetchLog = log;
  window.fetch = async (url, init) => {
    const key = String(url);
    const calls = log[key] || (log[key] = []);
    const last = calls[calls.length - 1];
    if (last) {
      const wait = last.end + gap - Date.now();
      if (wait > 0) await new Promise(r => setTimeout(r, wait));
    }
    const call = {start: Date.now(), end: null};
    calls.push(call);
    try { return await original(url, init); } finally { call.end = Date.now(); }
  };
  return true;
}
"""
_FETCH_LOG_JS = "() => window.__conformanceFetchLog"


def reason_code(text: str) -> str | None:
    """MDN's name for the reason in a Firefox console line (``None``: not a CORS line)."""
    match = _REASON.search(text.translate(_QUOTES))
    if match is None:
        return None
    reason = match.group(1)
    for needle, code in REASONS:
        if needle in reason:
            return code
    return f"unknown reason: {reason}"


def find_firefox() -> str | None:
    """The Firefox binary to drive, or None (the caller decides: skip, or fail under CI)."""
    if os.path.isfile(FIREFOX) and os.access(FIREFOX, os.X_OK):
        return FIREFOX
    return shutil.which("firefox-esr") or shutil.which("firefox")


def firefox_version(executable: str) -> str:
    """``Mozilla Firefox 153.7.0esr`` as the binary prints it ('' if it does not run)."""
    try:
        out = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def user_js(prefs: dict[str, object] = PREFS) -> str:
    lines = []
    for name, value in prefs.items():
        if isinstance(value, bool):
            literal = "true" if value else "false"
        elif isinstance(value, int):
            literal = str(value)
        else:
            literal = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.append(f'user_pref("{name}", {literal});')
    return "\n".join(lines) + "\n"


@dataclass
class ConsoleLine:
    text: str
    timestamp: int
    code: str | None


@dataclass
class FirefoxRun:
    """Everything Firefox did for one scenario."""

    scenario: Scenario
    fetches: list[FetchResult]
    requests: list[Received]
    console: list[ConsoleLine]
    #: The first CORS console line logged during each ``fetch()`` (None: no line).
    reasons: list[ConsoleLine | None]

    @property
    def codes(self) -> list[str | None]:
        """MDN's name for each fetch's reason (None where Firefox logged none)."""
        return [line.code if line else None for line in self.reasons]

    def transcript(self) -> str:
        lines = [f"Firefox for {self.scenario.sid}:"]
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
        lines.extend(f"  console: {line.text}" for line in self.console)
        return "\n".join(lines)


def attribute(lines: list[ConsoleLine], starts: list[int], count: int) -> list[ConsoleLine | None]:
    """The first CORS reason line of each of ``count`` calls, given each call's start time.

    Firefox logs a second ``CORSDidNotSucceed`` line after a failed preflight; taking the first
    line of each call leaves it out.
    """
    reasons: list[ConsoleLine | None] = [None] * count
    for line in sorted(lines, key=lambda item: item.timestamp):
        if line.code is None or line.code == "CORSAllowHeaderFromPreflightDeprecation":
            continue
        index = 0
        for i, start in enumerate(starts):
            if start <= line.timestamp:
                index = i
        if index < count and reasons[index] is None:
            reasons[index] = line
    return reasons


def plain(text: str) -> str:
    """A console line with Firefox's typographic quotes made ASCII, as the engine writes them."""
    return text.translate(_QUOTES).strip()


class Firefox:
    """One headless Firefox ESR for the whole session, driven over WebDriver BiDi."""

    def __init__(
        self,
        executable: str,
        workers: int = 8,
        timeout_ms: int = 15000,
        start_timeout: float = 60,
        prefs: dict[str, object] | None = None,
        accept_insecure_certs: bool = False,
    ) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="pytest-cors-firefox-")
        profile = Path(self._dir.name)
        (profile / "user.js").write_text(user_js({**PREFS, **(prefs or {})}), encoding="utf-8")
        self._log = (profile / "stderr.log").open("wb")
        self._proc = subprocess.Popen(
            [
                executable,
                "-profile",
                str(profile),
                "-no-remote",
                "-headless",
                "--remote-debugging-port",
                "0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1", "MOZ_HEADLESS": "1"},
        )
        self._client: BidiClient | None = None
        try:
            port = self._wait_for_port(profile, start_timeout)
            self._client = BidiClient(f"ws://127.0.0.1:{port}/session", timeout=start_timeout)
            always = {"acceptInsecureCerts": True} if accept_insecure_certs else {}
            session = self._client.command(
                "session.new", {"capabilities": {"alwaysMatch": always} if always else {}}
            )
            caps = session["capabilities"]
            self.version: str = caps.get("browserVersion", "")
            self._client.command("session.subscribe", {"events": ["log.entryAdded"]})
            tree = self._client.command("browsingContext.getTree", {"maxDepth": 0})
            self._context: str = tree["contexts"][0]["context"]
        except Exception:
            self.close()
            raise
        self._workers = workers
        self._timeout_ms = timeout_ms

    def _wait_for_port(self, profile: Path, timeout: float) -> int:
        """The BiDi port Firefox chose (it writes it to the profile once it listens)."""
        import json

        marker = profile / "WebDriverBiDiServer.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"Firefox exited with status {self._proc.returncode}: "
                                   f"{self._stderr_tail()}")  # fmt: skip
            try:
                return int(json.loads(marker.read_text(encoding="utf-8"))["ws_port"])
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        raise RuntimeError(f"Firefox opened no BiDi port within {timeout} s: {self._stderr_tail()}")

    def _stderr_tail(self) -> str:
        self._log.flush()
        path = Path(self._dir.name) / "stderr.log"
        return path.read_text(encoding="utf-8", errors="replace")[-2000:]

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.command("session.end", {}, timeout=10)
            except (BidiError, OSError, TimeoutError):
                pass
            finally:
                self._client.close()
                self._client = None
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=20)
        self._log.close()
        self._dir.cleanup()

    @property
    def client(self) -> BidiClient:
        assert self._client is not None, "Firefox is closed"
        return self._client

    def run(self, server: ScenarioServer, scenarios: list[Scenario]) -> dict[str, FirefoxRun]:
        """Run every scenario once; one page load per page origin, as the Chromium driver does."""
        register(server, scenarios)
        runs: dict[str, FirefoxRun] = {}
        for page_name in sorted({s.page for s in scenarios}):
            group = [s for s in scenarios if s.page == page_name]
            runs.update(self._run_page(server, page_name, group))
        return runs

    def _warm_up(
        self, server: ScenarioServer, context: str, page_name: str, tries: int = 5
    ) -> bool:
        """Repeat a cacheable preflighted PUT from this page until Firefox serves it from cache.

        Measured on Firefox 153: in a page of a site Firefox has not loaded yet, the first
        fetches that could use a preflight-cache entry (as many as run at once) preflight again,
        whatever the ``Max-Age``; later ones behave. A page a user has had open for a while is
        past that, so the scenarios start only once a repeat has been served from the cache.
        """
        allow = (
            "Access-Control-Allow-Origin: {ORIGIN}",
            "Access-Control-Allow-Methods: PUT",
            "Access-Control-Max-Age: 600",
        )
        step = Step(Resp(200, allow[:1]), Resp(204, allow, b""))
        put = Fetch("PUT", body="x", credentials="omit")
        for attempt in range(tries):
            warm = Scenario(f"firefox-warm-up-{page_name}-{attempt}", "warm-up", "PUT twice",
                            (put, put), {"a": step}, page=page_name)  # fmt: skip
            register(server, [warm])
            self._batch(server, context, [warm])
            if sum(r.is_preflight for r in server.take(warm.sid)) == 1:
                return True
        return False

    def _run_page(
        self, server: ScenarioServer, page_name: str, group: list[Scenario]
    ) -> dict[str, FirefoxRun]:
        client = self.client
        # A fresh top-level context per page origin: no preflight-cache entries carry over.
        created = client.command("browsingContext.create", {"type": "tab"})
        context = created["context"]
        try:
            client.command(
                "browsingContext.navigate",
                {"context": context, "url": page_url(server, page_name), "wait": "complete"},
            )
            client.call(context, _PRELUDE_JS, GAP_MS)
            # The opaque page too: Firefox keys its entries by the page's own opaque principal
            # and reuses them once past the start-up misses (the old "never reused" finding F3
            # was exactly those misses, on a page that had not been warmed up).
            self._warm_up(server, context, page_name)
            client.events.clear()
            # Firefox keeps at most 100 preflight-cache entries (least recently used go first):
            # hundreds of concurrent preflights would evict the entries that the scenarios with
            # a second fetch are about. Those run on their own, after the rest.
            results: dict[str, list[dict[str, Any]]] = {}
            for batch in (
                [s for s in group if len(s.fetches) == 1],
                [s for s in group if len(s.fetches) > 1],
            ):
                if batch:
                    results.update(self._batch(server, context, batch))
            fetch_log: dict[str, list[dict[str, Any]]] = client.call(context, _FETCH_LOG_JS)
            client.drain()
            console = self._console_lines(client.events)
            client.events.clear()
        finally:
            client.command("browsingContext.close", {"context": context})
        runs = {}
        for s in group:
            fetches = [_fetch_result(r) for r in results[s.sid]]
            starts = [int(call["start"]) for call in fetch_log.get(scenario_url(server, s), [])]
            lines = console.get(s.sid, [])
            runs[s.sid] = FirefoxRun(
                s, fetches, server.take(s.sid), lines, attribute(lines, starts, len(fetches))
            )
        return runs

    def _batch(
        self, server: ScenarioServer, context: str, scenarios: list[Scenario]
    ) -> dict[str, list[dict[str, Any]]]:
        """Every fetch of ``scenarios`` in the page, through the Chromium driver's runner."""
        specs = fetch_specs(server, scenarios)
        results: dict[str, list[dict[str, Any]]] = self.client.call(
            context,
            _RUNNER_JS,
            {"specs": specs, "workers": self._workers, "timeoutMs": self._timeout_ms},
            timeout=300,
        )
        return results

    @staticmethod
    def _console_lines(events: list[dict[str, Any]]) -> dict[str, list[ConsoleLine]]:
        out: dict[str, list[ConsoleLine]] = {}
        for event in events:
            if event.get("method") != "log.entryAdded":
                continue
            params = event["params"]
            text = str(params.get("text", ""))
            match = _SID_IN_URL.search(text)
            if not match or _BLOCKED not in text:
                continue
            line = ConsoleLine(text, int(params.get("timestamp", 0)), reason_code(text))
            out.setdefault(match.group(1), []).append(line)
        return out


# -- the engine's side ------------------------------------------------------------------------
def run_engine_as(
    profile: str,
    server: ScenarioServer,
    scenario: Scenario,
    target: object,
    without: frozenset[str] = frozenset(),
) -> list[Any]:
    """The scenario's fetches through one engine ``Browser(profile)``, in order.

    Header names in ``without`` (lower case) are left out, as the browser drops a forbidden
    header. An entry is an ``Outcome``, or the ``CorsUsageError`` the engine raised instead.
    """
    from pytest_cors import Browser
    from pytest_cors.errors import CorsUsageError

    from .chromium import page_origin

    browser = Browser(profile)
    url = scenario_url(server, scenario)
    origin = page_origin(server, scenario.page)
    results: list[Any] = []
    for f in scenario.fetches:
        try:
            results.append(
                browser.fetch(
                    target,
                    url,
                    origin=origin,
                    method=f.method,
                    headers=[(k, v) for k, v in f.headers if k.lower() not in without],
                    credentials=f.credentials,
                    body=f.body,
                )
            )
        except CorsUsageError as exc:
            results.append(exc)
    return results
