"""quart."""

from __future__ import annotations

from .stacks import QUART
from .suite import FrameworkSuite


class TestQuart(FrameworkSuite):
    stack = QUART
