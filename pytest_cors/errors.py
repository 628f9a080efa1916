"""The kit's exceptions. User mistakes raise these; only policy verdicts fail tests.

::

    CorsError                         anything the kit raises on purpose
    ├── CorsUsageError(ValueError)    a bad argument: origin, credentials mode, header, profile
    ├── UnsupportedTargetError(TypeError)  a target object no adapter understands
    ├── TargetError                   the target gave no usable response (unreachable, timeout,
    │                                 reset, not HTTP, the app raised); never yields a verdict
    └── ContractError                 a malformed contract file; carries every diagnostic
    CorsAssertionError(AssertionError)  a CORS expectation did not hold (a test failure)
"""

from __future__ import annotations

from dataclasses import dataclass


class CorsError(Exception):
    """Base class of every error the kit raises on purpose."""


class CorsUsageError(CorsError, ValueError):
    """An argument the kit cannot accept; the message says what is accepted."""


class UnsupportedTargetError(CorsError, TypeError):
    """A target object that no adapter knows how to drive."""


class TargetError(CorsError):
    """The target produced no usable HTTP response, so there can be no verdict."""

    def __init__(self, message: str, *, target: str = "", step: str = "") -> None:
        self.detail = message
        self.target = target
        self.step = step
        where = " ".join(p for p in (f"[{step}]" if step else "", target) if p)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a contract file, pointing at its line and column (1-based)."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ContractError(CorsError):
    """A contract that cannot be loaded; ``diagnostics`` lists every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


class CorsAssertionError(AssertionError):
    """A CORS expectation in a test did not hold."""
