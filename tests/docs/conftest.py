"""Fixtures for the documentation tests (helpers live in ``docs_helpers``)."""

from __future__ import annotations

from docs_helpers import example_project

__all__ = ["example_project"]
