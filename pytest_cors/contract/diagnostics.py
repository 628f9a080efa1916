"""Turn the problems found in a contract into diagnostic lines and one ContractError."""

from __future__ import annotations

from pytest_cors.contract.model import Mark
from pytest_cors.errors import ContractError, Diagnostic

MAX_DIAGNOSTICS = 200


def diagnostic(mark: Mark, message: str) -> Diagnostic:
    """One line per diagnostic, whatever the user's text holds, and of a readable length
    (a value pasted by mistake can be a megabyte long)."""
    message = message.replace("\r", "\\r").replace("\n", "\\n")
    if len(message) > 500:
        message = message[:497] + "..."
    return Diagnostic(mark.file, mark.line, mark.column, message)


def finish(diagnostics: list[Diagnostic]) -> ContractError:
    """The error listing ``diagnostics`` once each, in file order, at most
    :data:`MAX_DIAGNOSTICS` of them."""
    unique = list(dict.fromkeys(diagnostics))
    unique.sort(key=lambda d: (d.line, d.column))
    if len(unique) > MAX_DIAGNOSTICS:
        last = unique[MAX_DIAGNOSTICS - 1]
        stop = f"too many problems; stopping after {MAX_DIAGNOSTICS - 1}"
        unique = [
            *unique[: MAX_DIAGNOSTICS - 1],
            Diagnostic(last.file, last.line, last.column, stop),
        ]
    return ContractError(unique)
