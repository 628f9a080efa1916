"""Drive WebKitGTK (Debian's ``libwebkit2gtk-4.1``) over the conformance scenarios.

WebKitGTK has the CORS code of WebKit's WebCore and network process, the engine generation of
Safari 26, but libsoup as its HTTP stack instead of Apple's CFNetwork. Its Python bindings live
in Debian's own ``/usr/bin/python3`` (``python3-gi``), not in the project's virtualenv, so
``webkit_driver.py`` runs there, under ``xvfb-run``, as one subprocess for the whole session,
and this module talks to it in JSON lines.

Host names: WebKit has no resolver rules, so the driver runs in a private mount namespace
(``unshare --mount``) whose ``/etc/hosts`` is a bind-mounted file sending the scenario host
names to 127.0.0.1; the network namespace stays the host's, so the loopback scenario server is
reachable as it is for the other browsers.

Console lines: WebKit writes them to the web process's fd 2, which the driver's stderr pipe
carries here. A CORS failure prints its reason (``Origin X is not allowed by
Access-Control-Allow-Origin. Status code: 200``), then ``Fetch API cannot load URL due to access
control checks.``; the page's script sees only ``TypeError: Load failed``. Each reason is tied to
its scenario by the URL of the line after it, and to its ``fetch()`` by order: the calls of one
scenario run one after the other, so the n-th pair for a scenario belongs to its n-th rejected
call.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .chromium import _RUNNER_JS, FetchResult, _fetch_result, fetch_specs, page_url, register
from .scenarios import Scenario
from .server import HOSTS, Received, ScenarioServer

#: The Python that has WebKit's bindings (``PYTEST_CORS_WEBKIT_PYTHON`` for another one).
WEBKIT_PYTHON = os.environ.get("PYTEST_CORS_WEBKIT_PYTHON", "/usr/bin/python3")
DRIVER = Path(__file__).with_name("webkit_driver.py")
PACKAGES = "gir1.2-webkit2-4.1 libwebkit2gtk-4.1-0 xvfb xauth python3-gi"

_PROBE = (
    "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2; "
    "print(WebKit2.get_major_version(), WebKit2.get_minor_version(), "
    "WebKit2.get_micro_version())"
)

_FETCH_LINE = re.compile(r"Fetch API cannot load (\S+) due to access control checks\.")
_CONSOLE = re.compile(r"^CONSOLE (?:SECURITY|JS|NETWORK) (?:ERROR|WARNING) (.*)$")
_SID_IN_URL = re.compile(r"/s/([A-Za-z0-9_.-]+)/")


def webkit_missing() -> str | None:
    """Why WebKit cannot run here (``None``: it can)."""
    for tool in ("xvfb-run", "unshare"):
        if shutil.which(tool) is None:
            return f"'{tool}' not found (apt-get install {PACKAGES})"
    if not os.access(WEBKIT_PYTHON, os.X_OK):
        return f"{WEBKIT_PYTHON} not found"
    try:
        out = subprocess.run(
            [WEBKIT_PYTHON, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{WEBKIT_PYTHON} did not run: {exc}"
    if out.returncode != 0:
        return (
            f"WebKitGTK 4.1 bindings not importable by {WEBKIT_PYTHON} (apt-get install {PACKAGES})"
        )
    return None


@dataclass
class WebKitRun:
    """Everything WebKit did for one scenario."""

    scenario: Scenario
    fetches: list[FetchResult]
    requests: list[Received]
    #: Per fetch: WebKit's console lines for it (reason, then ``Fetch API cannot load``);
    #: empty for a fetch that resolved.
    console: list[list[str]]

    @property
    def reasons(self) -> list[str | None]:
        """The first (reason) line of each fetch (None where WebKit logged none)."""
        return [lines[0] if lines else None for lines in self.console]

    def transcript(self) -> str:
        lines = [f"WebKit for {self.scenario.sid}:"]
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
        for i, group in enumerate(self.console, 1):
            lines.extend(f"  console (fetch {i}): {line}" for line in group)
        return "\n".join(lines)


def pair_console(lines: list[str]) -> dict[str, list[list[str]]]:
    """WebKit's CORS console lines grouped per failure, per scenario id.

    A failure is the reason lines since the previous ``Fetch API cannot load`` line, then that
    line, which names the URL (and so the scenario).
    """
    out: dict[str, list[list[str]]] = {}
    pending: list[str] = []
    for raw in lines:
        match = _CONSOLE.match(raw.rstrip("\n"))
        if match is None:
            continue
        text = match.group(1).strip()
        fetch = _FETCH_LINE.search(text)
        if fetch is None:
            pending.append(text)
            continue
        sid = _SID_IN_URL.search(fetch.group(1))
        if sid is not None:
            out.setdefault(sid.group(1), []).append([*pending, text])
        pending = []
    return out


def hosts_file(path: Path) -> None:
    path.write_text("127.0.0.1 localhost\n127.0.0.1 " + " ".join(HOSTS) + "\n", encoding="utf-8")


class WebKit:
    """One WebKitGTK web view for the whole session (``webkit_driver.py`` in a subprocess)."""

    def __init__(
        self, workers: int = 8, timeout_ms: int = 15000, start_timeout: float = 60
    ) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="pytest-cors-webkit-")
        hosts = Path(self._dir.name) / "hosts"
        hosts_file(hosts)
        inner = 'mount --bind "$0" /etc/hosts && exec xvfb-run -a "$1" "$2"'
        unshare = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "-r", "--mount"]
        self._proc = subprocess.Popen(
            [*unshare, "sh", "-c", inner, str(hosts), WEBKIT_PYTHON, str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._stderr: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        self._answers: queue.Queue[str] = queue.Queue()
        self._out_reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._out_reader.start()
        self._next = 0
        self._marks = 0
        self._workers = workers
        self._timeout_ms = timeout_ms
        try:
            hello = self._answer(0, start_timeout)
            self.version: str = str(hello.get("value", ""))
        except Exception:
            self.close()
            raise

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            with self._lock:
                self._stderr.append(line)

    def _read_stdout(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._answers.put(line)
        self._answers.put("")

    def _answer(self, ident: int, timeout: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            line = ""
        if not line:
            raise RuntimeError(
                f"WebKit driver gave no answer (exit status {self._proc.poll()}): "
                + "".join(self.stderr_lines()[-20:])[-2000:]
            )
        message: dict[str, Any] = json.loads(line)
        if message.get("id") != ident:
            raise RuntimeError(f"WebKit driver answered {message.get('id')}, expected {ident}")
        if not message.get("ok"):
            raise RuntimeError(f"WebKit driver: {message.get('error')}")
        return message

    def command(self, op: str, timeout: float = 300, **params: Any) -> Any:
        assert self._proc.stdin is not None
        self._next += 1
        self._proc.stdin.write(json.dumps({"id": self._next, "op": op, **params}) + "\n")
        self._proc.stdin.flush()
        return self._answer(self._next, timeout).get("value")

    def stderr_lines(self) -> list[str]:
        with self._lock:
            return list(self._stderr)

    def close(self) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=20)
        self._reader.join(timeout=20)
        self._out_reader.join(timeout=20)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()
        self._dir.cleanup()

    def run(self, server: ScenarioServer, scenarios: list[Scenario]) -> dict[str, WebKitRun]:
        """Run every scenario once; one page load per page origin, as the other drivers do."""
        register(server, scenarios)
        runs: dict[str, WebKitRun] = {}
        for page_name in sorted({s.page for s in scenarios}):
            group = [s for s in scenarios if s.page == page_name]
            runs.update(self._run_page(server, page_name, group))
        return runs

    def _marker(self) -> str:
        self._marks += 1
        text = f"pytest-cors-webkit-mark-{self._marks}"
        self.command("mark", text=text)
        return text

    def _lines_between(self, start: str, end: str) -> list[str]:
        lines = self.stderr_lines()
        inside: list[str] = []
        seen = False
        for line in lines:
            if line.strip() == start:
                seen = True
            elif line.strip() == end:
                return inside
            elif seen:
                inside.append(line)
        raise RuntimeError(f"WebKit's stderr lost the marker {end}")

    def _wait_for_marker(self, text: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(line.strip() == text for line in self.stderr_lines()):
                return
            time.sleep(0.01)
        raise RuntimeError(f"WebKit's stderr never showed the marker {text}")

    def _run_page(
        self, server: ScenarioServer, page_name: str, group: list[Scenario]
    ) -> dict[str, WebKitRun]:
        self.command("load", url=page_url(server, page_name))
        start = self._marker()
        results: dict[str, list[dict[str, Any]]] = self.command(
            "call",
            body=f"return await ({_RUNNER_JS})(options);",
            args={
                "options": {
                    "specs": fetch_specs(server, group),
                    "workers": self._workers,
                    "timeoutMs": self._timeout_ms,
                }
            },
        )
        # The console lines of the last failures trail the promise a little: a marker written
        # after a short pause closes the page's lines.
        self.command("call", body="await new Promise(r => setTimeout(r, 100)); return 1;", args={})
        end = self._marker()
        self._wait_for_marker(end)
        console = pair_console(self._lines_between(start, end))
        runs = {}
        for s in group:
            fetches = [_fetch_result(r) for r in results[s.sid]]
            failures = iter(console.get(s.sid, []))
            per_fetch = [
                [] if f.resolved or f.construction_error else next(failures, []) for f in fetches
            ]
            leftover = list(failures)
            if leftover:  # more failures logged than fetches rejected: keep them visible
                per_fetch[-1] = per_fetch[-1] + [line for group_ in leftover for line in group_]
            runs[s.sid] = WebKitRun(s, fetches, server.take(s.sid), per_fetch)
        return runs


def main() -> int:  # pragma: no cover - a manual check: python -m tests.conformance.webkit
    reason = webkit_missing()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    browser = WebKit()
    try:
        print(browser.version)
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
