"""django."""

from __future__ import annotations

from .stacks import DJANGO
from .suite import FrameworkSuite


class TestDjango(FrameworkSuite):
    stack = DJANGO
