"""Contracts as pytest items: one item per check, named and located after the contract.

The plugin hands a contract file to :class:`ContractFile`, which yields one
:class:`PolicyNode` per policy; each check of the policy becomes a :class:`CheckItem`. The
tree is the node id: ``cors.yaml::spa-api::PUT /items/1 from https://evil.example.net ->
denied``, so selecting a file, a policy or one check by the id pytest prints, ``-k``, ``--lf``,
``--ff``, ``--sw``, JUnit XML and pytest-xdist work as with any test. A check run in another
browser profile than Chromium ends in ``[firefox]``, as a parametrized test would.

Items run through pytest's own run-test protocol and public hooks only. The check runs in the
item's *setup* (so an unreachable target makes the item an error, never a failure or a pass)
and is judged in its *call*. A contract with no target of its own (and none on the command
line) is checked against the project's ``cors_target`` fixture: its checks are then
:class:`FixtureCheckItem`, ``pytest.Function`` items that request the fixture like any test
(every scope works: the file is a ``pytest.Module`` with no Python module behind it, as
pytest's own doctest text files are). Each item leaves a plain-data record in its
``user_properties``; the plugin gathers them (also from xdist workers) for the terminal
summary and ``--cors-report``.
"""

from __future__ import annotations

import linecache
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pytest_cors.contract import load_contract
from pytest_cors.contract.checks import (
    FINDINGS,
    Evidence,
    Finding,
    PlannedCheck,
    browser_summary,
    build_checks,
    coverage_message,
    evaluate,
    failing,
    resolved_seed,
    uncovered_routes,
)
from pytest_cors.contract.model import Mark
from pytest_cors.engine.story import curl_line, render_exchange, verdict_line
from pytest_cors.errors import ContractError, CorsError, CorsUsageError, hide_user_error
from pytest_cors.hints import framework_of, hint_for
from pytest_cors.http import visible
from pytest_cors.pytest_plugin.session import session_state
from pytest_cors.report import redact
from pytest_cors.routing import Route, openapi_location, routes, routes_from_openapi
from pytest_cors.run import ContractRun, NotApplicable, TargetSpec, import_app

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

RECORD_KEY = "pytest_cors"


class CheckFailed(Exception):
    """The server broke the contract; the message is the whole explanation."""


class ContractFile(pytest.Module):
    """A contract file: loads it and yields one :class:`PolicyNode` per policy.

    A ``pytest.Module`` so that the checks of a contract without a target can request a
    module-scoped ``cors_target`` fixture; there is no Python module to import.
    """

    obj = None

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        state = session_state(self.config)
        try:
            contract = load_contract(_shown_path(self.path), known_findings=FINDINGS)
        except ContractError as exc:
            raise self.CollectError(
                f"invalid CORS contract ({len(exc.diagnostics)} problem"
                f"{'s' if len(exc.diagnostics) != 1 else ''}):\n{exc}"
            ) from None
        seed = resolved_seed(contract, state.seed)
        spec = TargetSpec.resolve(contract, app=state.app, base_url=state.base_url)
        # A missing or unimportable target is one error for the file, not one per check.
        # Under pytest, a contract with no target uses the cors_target fixture instead.
        fixture = spec.app is None and spec.base_url is None
        if fixture and state.command:
            raise self.CollectError(
                f"{_shown_path(self.path)}: no target to check. Add 'target: {{app: "
                "module:attr}' or 'target: {base_url: https://...}' to the contract, or pass "
                f"{state.flag('app')} or {state.flag('base-url')}."
            )
        try:
            app = None if spec.app is None else import_app(spec.app, spec.contract_file)
        except CorsUsageError as exc:
            raise self.CollectError(f"{_shown_path(self.path)}: {exc}") from None
        run = ContractRun(
            contract, spec, concurrency=state.concurrency, target=app, fixture=fixture
        )
        state.runs[str(self.path)] = run
        try:
            live = None if fixture else run.live
            checks = build_checks(contract, seed=seed, browser=state.browser, live=live)
        except CorsError as exc:
            raise self.CollectError(f"{self.path}: {exc}") from None
        by_policy: dict[str, list[PlannedCheck]] = {}
        for check in checks:
            by_policy.setdefault(check.policy.name, []).append(check)
        for name, policy_checks in by_policy.items():
            yield PolicyNode.from_parent(self, name=name, checks=policy_checks, run=run, seed=seed)
        if contract.coverage is not None and fixture:
            yield FixtureCoverageItem.from_parent(
                self, name="coverage", callobj=_cors_contract_check, app=None, live=None
            )
        elif contract.coverage is not None:
            yield CoverageItem.from_parent(self, name="coverage", app=app, live=spec.base_url)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


class PolicyNode(pytest.Collector):
    """One policy of a contract: ``cors.yaml::spa-api`` selects all its checks."""

    def __init__(
        self, *, checks: list[PlannedCheck], run: ContractRun, seed: int | str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.checks = checks
        self.run = run
        self.seed = seed

    def collect(self) -> Iterator[pytest.Item]:
        for check in self.checks:
            name = check.name.split("::", 1)[1]
            if self.run.fixture:
                yield FixtureCheckItem.from_parent(
                    self, name=name, callobj=_cors_contract_check, check=check, seed=self.seed
                )
                continue
            # The id spelled out: pytest 9 parses a trailing ``[...]`` of an id as parameters
            # (the browser variant here), and an id it parses must equal the one it builds.
            yield CheckItem.from_parent(
                self, name=name, nodeid=f"{self.nodeid}::{name}", check=check, seed=self.seed
            )

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.checks[0].policy.mark.line - 1, self.name


class CoverageItem(pytest.Item):
    """``cors.yaml::coverage``: every route of the app has a policy (the contract's
    ``coverage`` key). The routes are read in setup, from ``coverage.openapi`` when given,
    else from the in-process app (:class:`FixtureCoverageItem`: the ``cors_target``
    fixture's). A contract checked against a live server without ``coverage.openapi``, or an
    app whose routes the kit cannot read, is an error of this item: one paragraph saying what
    to do, no traceback."""

    def __init__(self, *, app: object, live: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.live = live
        self.routes: list[Route] = []
        self.add_marker("cors_contract")

    def setup(self) -> None:
        try:
            self._read_routes()
        except CorsError as exc:
            problem = str(exc)
        else:
            return
        # pytest.fail without its traceback (outside the except: no chained exception shown):
        # a setup error then reads as the message alone
        pytest.fail(visible(redact(problem)), pytrace=False)

    def _read_routes(self) -> None:
        contract = load_contract(_shown_path(self.path), known_findings=FINDINGS)
        self.contract = contract
        assert contract.coverage is not None
        shown = _shown_path(self.path)
        openapi = "'coverage.openapi' with the app's OpenAPI document"
        if contract.coverage.openapi is not None:
            document = openapi_location(contract.coverage.openapi, self.path.parent)
            self.routes = routes_from_openapi(document)
        elif isinstance(self.app, str) or self.live:
            where = f"the live server {redact(self.live or str(self.app))}"
            raise CorsUsageError(
                f"{shown}: 'coverage' needs the routes of the app, and this contract runs "
                f"against {where}. Give 'target: {{app: module:attr}}' (or "
                f"{session_state(self.config).flag('app')}), or {openapi}."
            )
        else:
            try:
                self.routes = routes(self.app)
            except CorsUsageError as exc:
                raise CorsUsageError(
                    f"{shown}: 'coverage' cannot list the routes of the app it checks: "
                    f"{str(exc).removeprefix('pytest_cors.routes() ')}. Give {openapi} "
                    "(FastAPI and Litestar serve one), or point the contract at the framework's "
                    "app itself rather than a wrapper around it."
                ) from None

    def runtest(self) -> None:
        left = uncovered_routes(self.contract, self.routes)
        if left:
            raise CheckFailed(visible(redact(coverage_message(left))))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        exc = excinfo.value
        if isinstance(exc, (CheckFailed, CorsError)):
            mark = getattr(getattr(self, "contract", None), "coverage", None)
            line = f"\n\nContract: {_shown_path(self.path)}:{mark.mark.line}" if mark else ""
            prefix = "" if isinstance(exc, CheckFailed) else f"{type(exc).__name__}: "
            return f"{prefix}{exc}{line}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, "coverage"


def _shown_path(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it (for diagnostics)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Check(pytest.Item):
    """What every contract check item does: run the check in setup, judge it in the call.

    Not collected itself: :class:`CheckItem` is the plain item, :class:`FixtureCheckItem` the
    one that gets its target from the ``cors_target`` fixture.
    """

    cors_check: PlannedCheck
    run: ContractRun
    seed: int | str

    def _init_check(self, check: PlannedCheck, seed: int | str) -> None:
        policy = self.parent
        assert isinstance(policy, PolicyNode)
        self.cors_check = check
        self.run = policy.run
        self.seed = seed
        self.evidence: Evidence | None = None
        self.findings: list[Finding] = []
        self.framework_fix: str | None = None
        """The fix in the user's framework a finding names, for the record's ``fix``."""
        self.add_marker("cors_contract")

    def reportinfo(self) -> tuple[Path, int, str]:
        # Not a suffix of the node id: pytest's verbose line would read a suffix as a dotted
        # Python name and print each '.' of an origin as '::'. This is the failure's headline.
        return (
            self.path,
            self.cors_check.mark.line - 1,
            f"{self.cors_check.policy.name}: {self.name}",
        )

    def setup(self) -> None:
        self._run_check(None)

    def _run_check(self, target: object) -> None:
        self.started = time.time()  # the record's "started": the HTML report's run duration
        state = session_state(self.config)
        state.start(self.run)
        try:
            self.evidence = self.run.result(self.cors_check, target=target)
        except NotApplicable as exc:
            self._record("skipped", error=str(exc))
            pytest.skip(str(exc))
        except CorsError as exc:
            self._record("error", error=str(exc))
            raise

    def runtest(self) -> None:
        assert self.evidence is not None
        self.findings = self._in_framework(evaluate(self.cors_check, self.evidence))
        bad = failing(self.findings)
        self._record("failed" if bad else "passed")
        if bad:
            raise CheckFailed(self._explain(bad))

    def _framework(self) -> str | None:
        """The framework serving the target: the in-process app's, else the fingerprint of
        its CORS middleware in the responses (:mod:`pytest_cors.hints`)."""
        evidence = self.evidence
        assert evidence is not None
        try:
            known = evidence.framework or self.run.memo().framework
        except CorsError:
            known = ""
        return known or framework_of(None, evidence.exchanges)

    def _in_framework(self, findings: list[Finding]) -> list[Finding]:
        """``findings`` with the fix in the user's framework after the header-level one, as
        ``assert_cors_allows`` gives it (blocked requests, unreadable declared headers)."""
        evidence = self.evidence
        outcome = evidence.outcome if evidence is not None else None
        wanted = {"CORS-BLOCKED", "CORS-EXPOSE-MISSING"}
        if outcome is None or not wanted & {f.id for f in findings}:
            return findings
        framework = self._framework()
        out = []
        for finding in findings:
            hint = None
            if finding.id == "CORS-BLOCKED" and not outcome.allowed:
                hint = hint_for(framework, outcome)
            elif finding.id == "CORS-EXPOSE-MISSING":
                readable = outcome.readable_headers
                declared = self.cors_check.policy.expose_headers
                missing = [h for h in declared if h.lower() not in readable]
                hint = hint_for(framework, outcome, missing) if missing else None
            self.framework_fix = self.framework_fix or hint
            out.append(replace(finding, message=_after_fix(finding.message, hint)))
        return out

    def teardown(self) -> None:
        self.evidence = None  # the report keeps what it needs: less for the GC to walk

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        exc = excinfo.value
        if isinstance(exc, CheckFailed):
            return str(exc)
        if isinstance(exc, CorsError):
            return self.error_text(exc)
        if style is None:  # pytest.Function's repr_failure takes no style
            return super().repr_failure(excinfo)
        return super().repr_failure(excinfo, style)

    def error_text(self, exc: CorsError) -> str:
        """A target that gave no response is the user's to fix: the kit's message, no
        traceback from the kit (the plugin's report hook uses it for the setup phase too)."""
        text = (
            f"{type(exc).__name__}: {exc}\n\nNo verdict: the check needs a response from "
            f"the target.\n{self._where()}"
        )
        return visible(redact(text))

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
        return visible(redact("\n".join(lines)))

    def _record(self, status: str, error: str | None = None) -> None:
        check = self.cors_check
        evidence = self.evidence
        observed = None
        if evidence is not None and evidence.outcome is not None:
            observed = "allowed" if evidence.outcome.allowed else "denied"
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
            "seed": self.seed,
            "target": redact(self.run.describe()),
            "transcript": transcript(evidence) if status == "failed" and evidence else None,
            **_story(evidence, self.framework_fix),
            "started": round(getattr(self, "started", time.time()), 3),
            "finished": round(time.time(), 3),
        }
        self.user_properties[:] = [p for p in self.user_properties if p[0] != RECORD_KEY]
        self.user_properties.append((RECORD_KEY, record))


class CheckItem(_Check):
    """One check of a contract: a simulated ``fetch()`` and the verdict the contract expects."""

    def __init__(self, *, check: PlannedCheck, seed: int | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_check(check, seed)


def _cors_contract_check(cors_target: object) -> None:
    """Stands for a contract check that needs the ``cors_target`` fixture: pytest reads the
    fixtures a :class:`FixtureCheckItem` needs from this signature (it is never called)."""


class _IdAsText(pytest.Item):
    """Hands pytest the node id as text, so that pytest parses it.

    ``pytest.Function`` builds a structured id in which a check's whole name is one segment,
    but pytest 9 parses the ids it stores (``--lf``, ``--ff``, ``--nf``) and takes a ``[`` in
    the last segment (``[firefox]``, or an origin ``http://[::1]``) as the start of parameters:
    the two forms would differ and ``--lf`` would not find the item. Placed after
    ``pytest.Function`` in the class order, it sees the id ``Function`` passes on.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("nodeid") is not None:
            kwargs["nodeid"] = str(kwargs["nodeid"])
        super().__init__(*args, **kwargs)


class FixtureCheckItem(_Check, pytest.Function, _IdAsText):
    """A check of a contract without a target: checked against the ``cors_target`` fixture,
    requested as any test requests a fixture (its scope, overrides and teardown apply)."""

    def __init__(self, *, check: PlannedCheck, seed: int | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_check(check, seed)

    def setup(self) -> None:
        try:
            pytest.Function.setup(self)  # the fixtures, cors_target among them
        except NoTarget as exc:
            # One error for the contract: its other checks are skipped, saying where to look.
            skip = pytest.mark.skip(reason=f"no target to check: see the error of {self.nodeid}")
            for item in session_state(self.config).selected:
                if item.run is self.run and item is not self:
                    item.add_marker(skip)
            raise CorsUsageError(str(exc)) from None
        self._run_check(self.funcargs["cors_target"])


class FixtureCoverageItem(CoverageItem, pytest.Function, _IdAsText):
    """``cors.yaml::coverage`` of a contract without a target: the routes of the app the
    ``cors_target`` fixture gives (an app or its test client; a URL needs
    ``coverage.openapi``)."""

    def setup(self) -> None:
        try:
            pytest.Function.setup(self)  # the fixtures, cors_target among them
        except NoTarget as exc:
            problem = str(exc)
        else:
            problem = ""
        if problem:
            pytest.fail(visible(redact(problem)), pytrace=False)
        self.app = self.funcargs["cors_target"]
        super().setup()


class NoTarget(Exception):
    """Raised by the default ``cors_target`` fixture: the project defines none."""


def _after_fix(message: str, hint: str | None) -> str:
    """``message`` with ``hint`` on the line after its ``Fix:`` line (else at its end)."""
    if not hint:
        return message
    lines = message.split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith("Fix: ")), len(lines) - 1)
    return "\n".join([*lines[: at + 1], hint, *lines[at + 1 :]])


def _story(evidence: Evidence | None, framework_fix: str | None = None) -> dict[str, str | None]:
    """What the HTML report shows of any check, failed or not: the verdict line, the console
    message and the fix when the browser blocked, and a ``curl`` line for the last request
    sent (secrets left out: the report redacts again, as it does every string)."""
    outcome = evidence.outcome if evidence is not None else None
    failure = outcome.failure if outcome is not None else None
    exchanges = evidence.exchanges if evidence is not None else []
    return {
        "verdict": visible(redact(verdict_line(outcome))) if outcome is not None else None,
        "message": visible(redact(failure.message)) if failure is not None else None,
        "fix": visible(redact("\n".join(filter(None, [failure.hint, framework_fix]))))
        if failure is not None
        else None,
        "curl": visible(redact(curl_line(exchanges[-1].request))) if exchanges else None,
    }


def transcript(evidence: Evidence) -> str:
    """The engine's explanation plus any raw exchange, secrets redacted and control characters
    escaped (the text goes to the terminal and into reports)."""
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
    return visible("\n\n".join(parts))
