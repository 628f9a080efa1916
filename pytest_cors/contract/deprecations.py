"""Contract keys that still load but no longer mean what they did: a warning, never an error.

A contract written for an older kit must keep loading (a CI run should not break because
browsers changed); the warning names the file and line and says what to do instead. It is a
``FutureWarning``: Python shows those to end users by default, as it does not
``DeprecationWarning`` outside ``__main__``.
"""

from __future__ import annotations

import warnings

from pytest_cors.contract.diagnostics import diagnostic
from pytest_cors.contract.model import Mark


class ContractDeprecationWarning(FutureWarning):
    """A contract key that still loads but is deprecated."""


PRIVATE_NETWORK = (
    "'private_network' is deprecated and has no effect on the checks: Chromium 142+ replaced "
    "Private Network Access with Local Network Access, which sends no private-network "
    "preflight and reads no 'Access-Control-Allow-Private-Network' header; a public page "
    "reaches a local or loopback service only once its user grants the 'local-network' or "
    "'loopback-network' permission, and then ordinary CORS decides. Remove the key (no "
    "server header can opt in)."
)


def warn_deprecated(mark: Mark, message: str) -> None:
    """Warn once about a deprecated key at ``mark`` (file, line and column first)."""
    warnings.warn(str(diagnostic(mark, message)), ContractDeprecationWarning, stacklevel=2)
