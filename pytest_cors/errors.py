"""The kit's exceptions. User mistakes raise these; only policy verdicts fail tests.

::

    CorsError                         anything the kit raises on purpose
    ├── CorsUsageError(ValueError)    a bad argument: origin, credentials mode, header, profile
    ├── UnsupportedTargetError(TypeError)  a target object no adapter understands
    ├── TargetError                   the target gave no usable response (a reset, the app
    │   │                             raised, ...); never yields a verdict
    │   ├── TargetConnectionError     no connection could be opened: refused, host unreachable
    │   ├── TargetDNSError            the host name did not resolve
    │   ├── TargetTLSError            the TLS handshake failed (certificate, not TLS at all)
    │   ├── TargetTimeoutError        no answer within the timeout
    │   └── TargetProtocolError       an answer that is not HTTP a browser would accept
    └── ContractError                 a malformed contract file; carries every diagnostic
    CorsAssertionError(AssertionError)  a CORS expectation did not hold (a test failure)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


# What went wrong on the wire is decided from the exception types the HTTP client raised, never
# from their messages (which quote the URL and the server's bytes). Each subclass takes the same
# arguments as TargetError, so ``type(error)(error.detail, target=..., step=...)`` keeps the kind.


class TargetConnectionError(TargetError):
    """No connection could be opened to the target: the port refused it (nothing listens
    there) or the host or network is unreachable. Nothing was sent.

    A connection that opened and then broke (a reset, a close before the answer) is a plain
    :class:`TargetError`.
    """


class TargetDNSError(TargetError):
    """The target's host name did not resolve to an address: a typo, or a host not (or no
    longer) in DNS. Nothing was sent."""


class TargetTLSError(TargetError):
    """The TLS handshake with an ``https://`` target failed: a certificate the client does not
    trust or that names another host, or a server that does not speak TLS on that port."""


class TargetTimeoutError(TargetError):
    """The target did not connect or send its response head in time: the deadline of one
    request as a whole (``timeout``, 10 s by default, ``adapt(target, timeout=...)``), or an
    httpx client's own timeout."""


class TargetProtocolError(TargetError):
    """The target answered with bytes a browser rejects as an HTTP response: not HTTP at all,
    a malformed status line or chunk, contradicting ``Content-Length`` values, or a response
    head over the 256 KiB a browser reads."""


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


def hide_user_error(excinfo: Any) -> bool:
    """The kit's modules set ``__tracebackhide__ = hide_user_error``: pytest then leaves their
    frames out of a traceback whose error is one of the kit's own (a user mistake or an
    unreachable target, which the message explains), and keeps them for anything else (a bug).
    ``excinfo`` is pytest's ``ExceptionInfo`` (``None`` in some pytest versions)."""
    return excinfo is not None and isinstance(getattr(excinfo, "value", None), CorsError)
