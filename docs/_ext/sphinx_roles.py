"""A griffe extension for the API page: Sphinx conventions rendered the Markdown way.

The package's docstrings use Sphinx roles (``:class:`~pytest_cors.flow.Browser```), which
Markdown would print verbatim: each becomes ``Browser`` in inline code (the last dotted part
when the role has ``~``, the name as written otherwise). Attributes documented with a ``#:``
comment above them (as Sphinx autodoc reads them) get that comment as their docstring.
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


def comment_docstring(obj: griffe.Object) -> str | None:
    """The ``#:`` comment lines right above an attribute, joined, or ``None``."""
    if obj.lineno is None:
        return None
    try:
        lines = obj.lines_collection[obj.filepath]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    found: list[str] = []
    index = obj.lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        found.insert(0, lines[index].strip()[2:].strip())
        index -= 1
    return " ".join(found) or None


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring griffe loads; give ``#:`` comments to attributes."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is None and obj.is_attribute:
            text = comment_docstring(obj)
            if text:
                obj.docstring = griffe.Docstring(text, parent=obj)
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)
