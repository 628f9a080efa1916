import logging
import traceback

import pytest

pytest_plugins = ["pytester"]

# CPython keeps the ast module's recursion counter per interpreter, not per thread (see
# python/cpython#106905): two threads converting ASTs at once can fail one of them with
# "SystemError: AST constructor recursion depth mismatch". In this suite, servers in background
# threads log the tracebacks of views made to raise (the `exception` fault), and CPython 3.11+
# calls ast.parse for every traceback line to place its ^^^ carets, while Sanic compiles its
# router with ast.parse when an app starts: the two collide now and then under xdist. The carets
# are cosmetic; a test process that never parses for them cannot hit the race from that side.
if hasattr(traceback, "_extract_caret_anchors_from_line_segment"):
    traceback._extract_caret_anchors_from_line_segment = lambda segment: None  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _root_log_handlers_restored():
    """A Litestar app built without ``logging_config=None`` (a docs example, a routes test)
    adds a handler to the root logger bound to the stream pytest captures at that moment; live
    servers' threads logging later printed "--- Logging error ---" once it was closed. Each
    test leaves the root logger's handlers as it found them."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
