"""Running a family of initiator cases in each engine, once per test module.

test_initiators.py, test_csp_initiators.py and test_mixed_content.py each load their family's
cases in one page per engine (Chromium, Firefox, WebKit) and then compare every case with the
kit. An engine is started only when a test first asks for its runs, so a missing engine (or
one that does not start) skips only its own tests: under ``CI=true`` it fails them instead
(``conftest._unavailable``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from .conftest import _unavailable

R = TypeVar("R")


def launch(name: str, *, insecure_certs: bool = False) -> Any:
    """The conformance driver of engine ``name`` (``chromium``, ``firefox`` or ``webkit``),
    started; skip (fail under CI=true) when it is not there or does not start.
    ``insecure_certs``: accept the loopback TLS server's self-signed certificate."""
    if name == "chromium":
        from .chromium import Chromium, find_chromium

        exe = find_chromium()
        if exe is None:
            _unavailable("Chromium not found (install Debian's 'chromium' package)")
        args = ["--ignore-certificate-errors"] if insecure_certs else []
        make: Callable[[], Any] = lambda: Chromium(exe, extra_args=args)  # noqa: E731
    elif name == "firefox":
        from .firefox import Firefox, find_firefox

        exe = find_firefox()
        if exe is None:
            _unavailable("Firefox not found (install Debian's 'firefox-esr' package)")
        make = lambda: Firefox(exe, accept_insecure_certs=insecure_certs)  # noqa: E731
    else:
        from .webkit import WebKit, webkit_missing

        reason = webkit_missing()
        if reason is not None:
            _unavailable(f"WebKit unavailable: {reason}")
        make = WebKit
    try:
        return make()
    except Exception as exc:
        _unavailable(f"{name} did not start: {exc}")
        raise


class EngineRuns(Generic[R]):
    """A family's runs by engine, each engine run once, on first use, against ``server``.

    ``runners``: the family's ``run_chromium`` / ``run_firefox`` / ``run_webkit`` by engine
    name, each taking (browser, server, cases) and giving each case's run by sid.
    ``insecure_certs``: see :func:`launch`. A module fixture holds one, so that an engine that
    is missing skips (fails under CI=true) only the tests that ask for it.
    """

    def __init__(
        self,
        runners: Mapping[str, Callable[..., dict[str, R]]],
        server: Any,
        cases: Sequence[Any],
        *,
        insecure_certs: bool = False,
    ) -> None:
        self.runners = runners
        self.server = server
        self.cases = list(cases)
        self.insecure_certs = insecure_certs
        self._done: dict[str, dict[str, R]] = {}

    def of(self, name: str) -> dict[str, R]:
        """Every case's run in engine ``name``, by sid (the engine started the first time)."""
        if name not in self._done:
            browser = launch(name, insecure_certs=self.insecure_certs)
            try:
                self._done[name] = self.runners[name](browser, self.server, self.cases)
            finally:
                browser.close()
        return self._done[name]
