"""The ``lna`` family: Local Network Access, measured with address-space overrides.

Browsers decide a URL's address space from the IP address they connect to; every scenario host
is loopback here, so each browser is told that the page's port is *public* and a third port
*local* (private); the API's own port stays *loopback*. Chromium is started with
``--ip-address-space-overrides``; Firefox gets the same through its prefs
(``network.lna.address_space.public.override`` / ``.private.override``, ``127.0.0.1:PORT``),
every other ``network.lna.*`` pref left at Firefox 153's default (the gate on and blocking).
The page is ``https://app.example.com:PUBLIC/`` (a secure context) or, for the insecure case,
``http://`` on the same port; each case fetches the API on one of the three ports over https
(so mixed content stays out of it). The permission state is the browsing context's: left at
its default (headless, nobody answers the prompt) or granted with the browsers' shared names
(``loopback-network``, ``local-network``): through DevTools' ``Browser.setPermission`` in
Chromium, WebDriver BiDi's ``permissions.setPermission`` in Firefox (which refuses the name
``local-network-access``, measured). Firefox fails a request whose prompt nobody answers only
after ``network.lna.prompt.timeout`` (5 minutes by default), so that one pref is shortened.

Compared with the engine's ``chromium`` / ``firefox`` profile given
``local_network=LocalNetwork(...)`` with the same permissions and the overridden spaces
declared (``page_space``, ``target_space``): whether the page used the answer, every request
the server received (a refused request sends nothing, not even a preflight), and the console
line, which must be the browser's own.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from .mixed_content import FETCH_JS
from .server import API_HOST, APP_HOST, Received, Resp, Step
from .tls_server import TlsScenarioServer

OPEN = Resp(
    204,
    (
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Methods: *",
        "Access-Control-Allow-Headers: *",
        "Access-Control-Allow-Private-Network: true",
    ),
    b"",
)
TEXT_STAR = Resp(200, ("Content-Type: text/plain", "Access-Control-Allow-Origin: *"), b"ok")
TEXT_BARE = Resp(200, ("Content-Type: text/plain",), b"ok")

#: Permission grants per browsing context (what ``Browser.setPermission`` grants).
GRANTS: dict[str, tuple[str, ...]] = {
    "prompt": (),
    "loopback": ("loopback-network",),
    "local": ("local-network",),
}
#: Decided permissions (every one granted or denied, so no prompt is ever left open: Firefox
#: would wait ``network.lna.prompt.timeout``), used by the random cases: name -> state.
DECIDED: dict[str, dict[str, str]] = {
    "allow-all": {"loopback-network": "granted", "local-network": "granted"},
    "deny-all": {"loopback-network": "denied", "local-network": "denied"},
    "loopback-only": {"loopback-network": "granted", "local-network": "denied"},
    "local-only": {"loopback-network": "denied", "local-network": "granted"},
}


def permissions(grant: str) -> dict[str, str]:
    """The permission states a grant key sets: a fixed grant's names granted, or decided."""
    if grant in DECIDED:
        return DECIDED[grant]
    return dict.fromkeys(GRANTS[grant], "granted")


@dataclass(frozen=True)
class LnaCase:
    """One ``fetch()``: ``space`` is the API port's address space, ``grant`` the context's
    permissions (a key of ``GRANTS``), ``secure`` whether the page is https."""

    sid: str
    title: str
    space: str
    grant: str = "prompt"
    method: str = "GET"
    secure: bool = True
    acao: bool = True
    #: The page's address space (its port's); the random cases vary it.
    page_space: str = "public"
    #: The answer, replacing the default (the random cases' CORS answers).
    step: Step | None = None
    #: fetch()'s headers (``None``: PUT sends ``X-Custom``, as the fixed cases do).
    headers: tuple[tuple[str, str], ...] | None = None

    def steps(self) -> dict[str, Step]:
        if self.step is not None:
            return {"r": self.step}
        return {"r": Step(TEXT_STAR if self.acao else TEXT_BARE, OPEN)}

    @staticmethod
    def port_of(server: TlsScenarioServer, space: str) -> int:
        return {"public": server.port, "loopback": server.port2, "local": server.extra[0]}[space]

    def port(self, server: TlsScenarioServer) -> int:
        return self.port_of(server, self.space)

    def url(self, server: TlsScenarioServer) -> str:
        scheme = "https" if self.secure else "http"
        return f"{scheme}://{API_HOST}:{self.port(server)}/s/{self.sid}/r"

    def page_origin(self, server: TlsScenarioServer) -> str:
        port = self.port_of(server, self.page_space)
        return f"{'https' if self.secure else 'http'}://{APP_HOST}:{port}"

    def fetch_headers(self) -> tuple[tuple[str, str], ...]:
        if self.headers is not None:
            return self.headers
        return (("X-Custom", "1"),) if self.method == "PUT" else ()

    def spec(self, server: TlsScenarioServer) -> dict[str, Any]:
        """The fetch() spec of mixed_content.FETCH_JS."""
        body = "x" if self.method in ("PUT", "POST") else None
        return {"sid": self.sid, "url": self.url(server), "method": self.method,
                "headers": [list(h) for h in self.fetch_headers()], "body": body}  # fmt: skip


def _cases() -> list[LnaCase]:
    c = LnaCase
    out = []
    for grant in GRANTS:
        for space in ("loopback", "local", "public"):
            out.append(c(f"lna-{grant}-{space}-get", f"GET to {space}, {grant} granted",
                         space, grant))  # fmt: skip
        out.append(c(f"lna-{grant}-loopback-put", f"PUT (preflighted) to loopback, {grant}",
                     "loopback", grant, method="PUT"))  # fmt: skip
    out += [
        c("lna-loopback-noacao", "granted, the API sends no ACAO: CORS still applies",
          "loopback", "loopback", acao=False),
        c("lna-insecure-loopback", "an http public page to loopback, granted: Chromium refuses",
          "loopback", "loopback", secure=False),
        c("lna-insecure-public", "an http public page to public: allowed", "public",
          "loopback", secure=False),
    ]  # fmt: skip
    return out


CASES = _cases()


def override_flag(server: TlsScenarioServer) -> str:
    """Chromium's switch: the page's port public, the third port local (private)."""
    return (
        f"--ip-address-space-overrides=127.0.0.1:{server.port}=public,"
        f"127.0.0.1:{server.extra[0]}=private"
    )


#: Firefox's wait for an unanswered permission prompt, shortened from its 5 minutes: what
#: happens when it ends is the default's (the request fails), only sooner.
FIREFOX_PROMPT_TIMEOUT_MS = 1000


def firefox_prefs(server: TlsScenarioServer) -> dict[str, object]:
    """Firefox's overrides: the page's port public, the third port private (Firefox's word
    for Chromium's ``local``; its ``local`` is loopback)."""
    return {
        "network.lna.address_space.public.override": f"127.0.0.1:{server.port}",
        "network.lna.address_space.private.override": f"127.0.0.1:{server.extra[0]}",
        "network.lna.prompt.timeout": FIREFOX_PROMPT_TIMEOUT_MS,
    }


@dataclass
class LnaRun:
    case: LnaCase
    page: dict[str, Any]
    requests: list[tuple[Received, str]]
    console: list[str]

    def summary(self) -> dict[str, Any]:
        return {
            "used": bool(self.page.get("used")),
            "sent": [("preflight" if r.is_preflight else r.method) for r, _ in self.requests],
            "pna": any(r.get("Access-Control-Request-Private-Network") for r, _ in self.requests),
        }

    def transcript(self) -> str:
        lines = [f"{self.case.sid}: page saw {self.page}"]
        for r, scheme in self.requests:
            lines.append(f"  {r.method} {r.path} over {scheme}")
            lines += [f"    {k}: {v}" for k, v in r.headers if k.lower().startswith("access-")]
        lines += [f"  console: {line}" for line in self.console]
        return "\n".join(lines)


_SID = re.compile(r"/s/(lna-[A-Za-z0-9_.-]+)/")


def run_chromium(
    browser: Any, server: TlsScenarioServer, cases: list[LnaCase]
) -> dict[str, LnaRun]:
    """Every case in Chromium (``browser``: the conformance ``Chromium`` started with
    ``--ignore-certificate-errors`` and :func:`override_flag`); one context per grant and
    page scheme."""
    for case in cases:
        server.add(case.sid, case.page_origin(server), case.steps())
    results: dict[str, Any] = {}
    console: dict[str, list[str]] = {}
    groups = sorted({(c.grant, c.secure, c.page_space) for c in cases})
    browser_cdp = browser.browser.new_browser_cdp_session()
    for grant, secure, space in groups:
        group = [c for c in cases if (c.grant, c.secure, c.page_space) == (grant, secure, space)]
        origin = group[0].page_origin(server)
        context = browser.browser.new_context()
        try:
            page = context.new_page()

            def keep(message: Any) -> None:
                match = _SID.search(message.text)
                if match:
                    console.setdefault(match.group(1), []).append(message.text)

            page.on("console", keep)
            cdp = context.new_cdp_session(page)
            info = cdp.send("Target.getTargetInfo")["targetInfo"]
            cdp.detach()
            for name, state in permissions(grant).items() if secure else ():
                # a page's session may not grant (``Permission can't be granted in current
                # context``): the browser's own session does, naming the page's context; it
                # refuses the same way for an http origin (measured), which LNA never lets
                # through anyway
                browser_cdp.send(
                    "Browser.setPermission",
                    {
                        "permission": {"name": name},
                        "setting": state,
                        "origin": origin,
                        "browserContextId": info["browserContextId"],
                    },
                )
            page.goto(origin + "/")
            specs = [c.spec(server) for c in group]
            results.update(page.evaluate(FETCH_JS, {"specs": specs, "timeoutMs": 8000}))
            page.wait_for_timeout(300)
        finally:
            context.close()
    time.sleep(0.1)
    return {
        c.sid: LnaRun(c, results[c.sid], server.take_with_schemes(c.sid), console.get(c.sid, []))
        for c in cases
    }


def run_firefox(browser: Any, server: TlsScenarioServer, cases: list[LnaCase]) -> dict[str, LnaRun]:
    """Every case in Firefox (``browser``: the conformance ``Firefox`` accepting insecure
    certificates, started with :func:`firefox_prefs`); one user context per grant and page
    scheme, its permissions set through BiDi ``permissions.setPermission``."""
    for case in cases:
        server.add(case.sid, case.page_origin(server), case.steps())
    client = browser.client
    results: dict[str, Any] = {}
    console: dict[str, list[str]] = {}
    for grant, secure, space in sorted({(c.grant, c.secure, c.page_space) for c in cases}):
        group = [c for c in cases if (c.grant, c.secure, c.page_space) == (grant, secure, space)]
        origin = group[0].page_origin(server)
        user_context = client.command("browser.createUserContext", {})["userContext"]
        try:
            for name, state in permissions(grant).items():
                client.command(
                    "permissions.setPermission",
                    {
                        "descriptor": {"name": name},
                        "state": state,
                        "origin": origin,
                        "userContext": user_context,
                    },
                )
            context = client.command(
                "browsingContext.create", {"type": "tab", "userContext": user_context}
            )["context"]
            client.command(
                "browsingContext.navigate",
                {"context": context, "url": origin + "/", "wait": "complete"},
            )
            client.events.clear()
            specs = [c.spec(server) for c in group]
            results.update(
                client.call(context, FETCH_JS, {"specs": specs, "timeoutMs": 15000}, timeout=300)
            )
            client.drain(0.5)
            for event in client.events:
                if event.get("method") != "log.entryAdded":
                    continue
                text = str(event["params"].get("text", ""))
                match = _SID.search(text)
                if match:
                    console.setdefault(match.group(1), []).append(text)
            client.events.clear()
        finally:
            client.command("browser.removeUserContext", {"userContext": user_context})
    time.sleep(0.1)
    return {
        c.sid: LnaRun(c, results[c.sid], server.take_with_schemes(c.sid), console.get(c.sid, []))
        for c in cases
    }
