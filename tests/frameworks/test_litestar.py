"""litestar."""

from __future__ import annotations

from .stacks import LITESTAR
from .suite import FrameworkSuite


class TestLitestar(FrameworkSuite):
    stack = LITESTAR
