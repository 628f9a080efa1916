"""falcon."""

from __future__ import annotations

from .stacks import FALCON
from .suite import FrameworkSuite


class TestFalcon(FrameworkSuite):
    stack = FALCON
