"""pytest-cors: a browser's CORS algorithm, simulated faithfully, for your test suite."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
