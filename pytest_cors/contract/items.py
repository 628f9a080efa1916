"""Contracts as pytest items: one item per check, named and located after the contract.

The plugin hands a contract file to :class:`ContractFile`; each check becomes a
:class:`CheckItem` named like ``spa-api::PUT /items/1 from https://evil.example.net -> denied``
so that ``-k``, ``--lf``, JUnit XML and pytest-xdist work as with any test. The check runs in
the item's *setup* (so an unreachable target makes the item an error, never a failure or a
pass) and is judged in its *call*. Each item leaves a plain-data record in its
``user_properties``; the plugin gathers them (also from xdist workers) for the terminal summary
and ``--cors-report``.

A check is mostly pytest's bookkeeping: with one item per check, pytest's per-phase plumbing
(output capture switched on and off three times, log capture, the skip/xfail evaluation) costs
more than the check itself. :func:`lean_protocol` runs a check item through every hook pytest's
protocol calls, except the capture and logging plugins' per-phase switches: an item runs no user
code outside its setup, and the setup of an in-process check (where the app runs) keeps its
output and log capture. A conftest implementing the per-phase hooks, a plugin with a protocol
of its own (pytest-rerunfailures), ``--pdb`` or ``--setup-*`` get pytest's own protocol.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_cors.contract.checks import (
    FINDINGS,
    Check,
    Evidence,
    Finding,
    browser_summary,
    build_checks,
    evaluate,
    failing,
    resolved_seed,
)
from pytest_cors.contract.model import Mark
from pytest_cors.contract.runner import ContractRun, SameOriginProbe, TargetSpec
from pytest_cors.errors import ContractError, CorsError
from pytest_cors.report import redact

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from pytest_cors.plugin import CorsSession

RECORD_KEY = "pytest_cors"
_QUIET = ("capturemanager", "logging-plugin")  # pytest's per-phase capture and log switches
_OPTIONS = ("usepdb", "setupshow", "setuponly", "setupplan")
_OWN_PROTOCOL = ("_pytest.runner", "pytest_cors.plugin")


class CheckFailed(Exception):
    """The server broke the contract; the message is the whole explanation."""


class ContractFile(pytest.File):
    """A contract file: loads it and yields one item per check."""

    def collect(self) -> Iterator[pytest.Item]:
        from pytest_cors.contract import load_contract

        state = cors_session(self.config)
        try:
            contract = load_contract(_shown_path(self.path), known_findings=FINDINGS)
        except ContractError as exc:
            raise self.CollectError(
                f"invalid CORS contract ({len(exc.diagnostics)} problem"
                f"{'s' if len(exc.diagnostics) != 1 else ''}):\n{exc}"
            ) from None
        seed = resolved_seed(contract, state.seed)
        spec = TargetSpec.resolve(contract, app=state.app, base_url=state.base_url)
        run = ContractRun(contract, spec, concurrency=state.concurrency)
        state.runs[str(self.path)] = run
        try:
            checks = build_checks(contract, seed=seed, browser=state.browser)
        except CorsError as exc:
            raise self.CollectError(f"{self.path}: {exc}") from None
        for check in checks:
            yield CheckItem.from_parent(self, name=check.name, check=check, run=run, seed=seed)


def _shown_path(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it (for diagnostics)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class CheckItem(pytest.Item):
    """One check of a contract: a simulated ``fetch()`` and the verdict the contract expects."""

    def __init__(self, *, check: Check, run: ContractRun, seed: int | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cors_check = check
        self.run = run
        self.seed = seed
        self.evidence: Evidence | None = None
        self.findings: list[Finding] = []
        self.add_marker("cors_contract")

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.cors_check.mark.line - 1, self.name

    def setup(self) -> None:
        state = cors_session(self.config)
        state.start(self.run)
        try:
            self.evidence = self.run.result(self.cors_check)
        except SameOriginProbe as exc:
            self._record("skipped", error=str(exc))
            pytest.skip(str(exc))
        except CorsError as exc:
            self._record("error", error=str(exc))
            raise

    def runtest(self) -> None:
        assert self.evidence is not None
        self.findings = evaluate(self.cors_check, self.evidence)
        bad = failing(self.findings)
        self._record("failed" if bad else "passed")
        if bad:
            raise CheckFailed(self._explain(bad))

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        exc = excinfo.value
        if isinstance(exc, CheckFailed):
            return str(exc)
        if isinstance(exc, CorsError):
            return (
                f"{type(exc).__name__}: {exc}\n\nNo verdict: the check needs a response from "
                f"the target.\n{self._where()}"
            )
        return super().repr_failure(excinfo)

    def _repr_failure_py(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> TerminalRepr:
        # pytest renders errors of the setup phase through this method, not repr_failure: a
        # target that gave no response is the user's to fix, so no traceback from the kit.
        if isinstance(excinfo.value, CorsError) and not self.config.getoption("fulltrace"):
            return _Text(str(self.repr_failure(excinfo)))  # type: ignore[return-value]
        return super()._repr_failure_py(excinfo, style)

    # -- text -----------------------------------------------------------------------------

    def _where(self) -> str:
        check = self.cors_check
        mark = check.mark
        line = linecache.getline(str(self.path), mark.line).rstrip()
        text = f"Contract: {self.shown(mark)} (policy {check.policy.name!r})"
        return f"{text}\n  {mark.line} | {line}" if line else text

    def shown(self, mark: Mark) -> str:
        """``FILE:LINE:COL`` with the file as the node id spells it (relative to rootdir)."""
        return f"{self.nodeid.split('::', 1)[0] or self.path}:{mark.line}:{mark.column}"

    def _explain(self, bad: list[Finding]) -> str:
        check = self.cors_check
        evidence = self.evidence
        assert evidence is not None
        lines = []
        for finding in bad:
            lines.append(f"[{finding.id}] {finding.message}")
        lines += ["", f"Expected: {check.title}."]
        summary = browser_summary(check, evidence)
        if summary:
            lines.append(f"Browser: {summary}")
        others = [f for f in self.findings if f not in bad]
        for finding in others:
            state = f"silenced: {finding.silenced}" if finding.silenced else finding.severity
            lines.append(f"Also [{finding.id}] ({state}): {finding.message}")
        lines += ["", self._where()]
        for finding in bad:
            if finding.mark not in (None, check.mark, check.policy.mark):
                assert finding.mark is not None
                line = linecache.getline(str(self.path), finding.mark.line).rstrip()
                lines.append(f"  {finding.id} concerns {self.shown(finding.mark)}: {line.strip()}")
        lines += ["", "Transcript:", transcript(evidence)]
        return "\n".join(lines)

    def _record(self, status: str, error: str | None = None) -> None:
        check = self.cors_check
        evidence = self.evidence
        observed = None
        if evidence is not None and evidence.outcome is not None:
            observed = "allowed" if evidence.outcome.allowed else "denied"
        elif evidence is not None and evidence.extra:
            pna = evidence.extra[0].response.headers.get("Access-Control-Allow-Private-Network")
            observed = "allowed" if pna == "true" else "denied"
        record = {
            "contract": self.nodeid.split("::", 1)[0] or str(self.path),
            "file": str(self.path),
            "nodeid": self.nodeid,
            "policy": check.policy.name,
            "check": check.name,
            "kind": check.kind,
            "path": check.path,
            "origin": check.origin,
            "method": check.method,
            "headers": [name for name, _ in check.headers],
            "credentials": check.credentials,
            "browser": check.browser,
            "expect": check.expect,
            "attack": check.attack,
            "source": check.source,
            "line": check.mark.line,
            "column": check.mark.column,
            "status": status,
            "observed": observed,
            "findings": [
                {
                    "id": f.id,
                    "severity": f.severity,
                    "message": f.message,
                    "silenced": f.silenced,
                    "line": (f.mark or check.mark).line,
                    "column": (f.mark or check.mark).column,
                }
                for f in self.findings
            ],
            "error": error,
            "seed": str(self.seed),
            "target": redact(self.run.spec.describe()),
            "transcript": transcript(evidence) if status == "failed" and evidence else None,
        }
        self.user_properties[:] = [p for p in self.user_properties if p[0] != RECORD_KEY]
        self.user_properties.append((RECORD_KEY, record))


def lean_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """Run and report a :class:`CheckItem` as pytest's protocol does, without pytest's
    per-phase output and log capture; ``None`` hands the item back to pytest's own protocol
    when a conftest, a protocol plugin or an option could tell the difference."""
    hooks = _lean_hooks(item.config) if isinstance(item, CheckItem) else None
    if hooks is None:
        return None
    assert isinstance(item, CheckItem)
    ihook = item.ihook
    ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    # An in-process check runs the app in its setup: that phase keeps pytest's own output and
    # log capture. A live check's requests went out on worker threads: nothing to capture.
    setup = hooks.setup if item.run.live else ihook.pytest_runtest_setup
    if _phase(ihook, item, "setup", lambda: setup(item=item)).passed:
        _phase(ihook, item, "call", lambda: hooks.call(item=item))
    if item.session.shouldfail or item.session.shouldstop:
        nextitem = None
    _phase(ihook, item, "teardown", lambda: hooks.teardown(item=item, nextitem=nextitem))
    item.evidence = None  # keep the report, not every response: less for the GC to walk
    ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def _phase(ihook: Any, item: pytest.Item, when: Any, func: Callable[[], None]) -> pytest.TestReport:
    reraise: tuple[type[BaseException], ...] = (pytest.exit.Exception, KeyboardInterrupt)
    call = pytest.CallInfo.from_call(func, when=when, reraise=reraise)
    report: pytest.TestReport = ihook.pytest_runtest_makereport(item=item, call=call)
    ihook.pytest_runtest_logreport(report=report)
    if call.excinfo is not None and not report.skipped:
        ihook.pytest_exception_interact(node=item, call=call, report=report)
    return report


class _LeanHooks:
    """``pytest_runtest_setup``/``call``/``teardown`` minus the capture and logging plugins:
    every other implementation (pytest's runner and skip marks, other plugins) still runs."""

    def __init__(self, config: pytest.Config) -> None:
        manager = config.pluginmanager
        quiet = [p for p in (manager.get_plugin(name) for name in _QUIET) if p is not None]
        self.setup = manager.subset_hook_caller("pytest_runtest_setup", quiet)
        self.call = manager.subset_hook_caller("pytest_runtest_call", quiet)
        self.teardown = manager.subset_hook_caller("pytest_runtest_teardown", quiet)


_LEAN = pytest.StashKey["_LeanHooks | None"]()


def _lean_hooks(config: pytest.Config) -> _LeanHooks | None:
    """This session's lean hooks, or ``None`` where pytest's own protocol must run."""
    if _LEAN not in config.stash:
        hook = config.hook
        conftest = any(
            _is_conftest(impl.plugin)
            for name in ("pytest_runtest_setup", "pytest_runtest_call", "pytest_runtest_teardown")
            for impl in getattr(hook, name).get_hookimpls()
        )
        other_protocol = any(  # e.g. pytest-rerunfailures: it runs the protocol its own way
            not (impl.wrapper or impl.hookwrapper) and _owner(impl.plugin) not in _OWN_PROTOCOL
            for impl in hook.pytest_runtest_protocol.get_hookimpls()
        )
        options = any(config.getoption(name, False) for name in _OPTIONS)
        lean = not (conftest or other_protocol or options)
        config.stash[_LEAN] = _LeanHooks(config) if lean else None
    return config.stash[_LEAN]


def _is_conftest(plugin: object) -> bool:
    return Path(str(getattr(plugin, "__file__", ""))).name == "conftest.py"


def _owner(plugin: object) -> str:
    """The module a hook implementation comes from (a plugin is a module or an instance)."""
    name = getattr(plugin, "__name__", None)
    return name if isinstance(name, str) else type(plugin).__module__


class _Text:
    """A plain block of text in pytest's report (what ``repr_failure`` returns as ``str``)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def toterminal(self, tw: Any) -> None:
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text


def transcript(evidence: Evidence) -> str:
    """The engine's explanation plus any raw exchange, secrets redacted."""
    from pytest_cors.explain import render_exchange

    parts = []
    if evidence.outcome is not None:
        parts.append(evidence.outcome.explain())
    for exchange in evidence.extra:
        title = (
            "Private-network preflight (sent by pytest-cors):"
            if exchange.kind == "preflight"
            else "Actual request without the preflight (sent by pytest-cors to compare):"
        )
        parts.append("\n".join([title, *render_exchange(exchange)]))
    return "\n\n".join(parts)


def cors_session(config: pytest.Config) -> CorsSession:
    from pytest_cors.plugin import session_state

    return session_state(config)
