"""A griffe extension for the API page: show reST roles in docstrings as inline code.

The package's docstrings use Sphinx roles (``:class:`~pytest_cors.flow.Browser```), which
Markdown would print verbatim. This turns each into ``Browser`` (the last dotted part when the
role has ``~``, the name as written otherwise), so the rendered page reads cleanly.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj|const):`(~?)([^`]+)`")


def plain_roles(text: str) -> str:
    """Replace every reST role in ``text`` by inline code."""

    def code(match: re.Match[str]) -> str:
        tilde, target = match.groups()
        return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"

    return _ROLE.sub(code, text)


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)
