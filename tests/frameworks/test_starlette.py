"""starlette."""

from __future__ import annotations

from .stacks import STARLETTE
from .suite import FrameworkSuite


class TestStarlette(FrameworkSuite):
    stack = STARLETTE
