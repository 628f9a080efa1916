"""aiohttp."""

from __future__ import annotations

from .stacks import AIOHTTP
from .suite import FrameworkSuite


class TestAiohttp(FrameworkSuite):
    stack = AIOHTTP
