"""Flask + flask-cors through Flask's test client and werkzeug's server."""

from __future__ import annotations

from .stacks import FLASK
from .suite import FrameworkSuite


class TestFlask(FrameworkSuite):
    stack = FLASK
