"""fastapi."""

from __future__ import annotations

from .stacks import FASTAPI
from .suite import FrameworkSuite


class TestFastAPI(FrameworkSuite):
    stack = FASTAPI
