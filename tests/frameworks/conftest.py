"""The ``servers`` fixture of :class:`~tests.frameworks.suite.FrameworkSuite`.

A module-level function, not a method: a class-scoped fixture runs once for all the class's
instances, so pytest 9 refuses instance-method fixtures of that scope. It reads the stack from
the requesting class.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .suite import Servers


@pytest.fixture(scope="class")
def servers(request: pytest.FixtureRequest) -> Iterator[Servers]:
    servers = Servers(request.cls.stack)
    try:
        yield servers
    finally:
        servers.close()
