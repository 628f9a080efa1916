"""Reading the Markdown pages: sections by heading, fenced blocks, snippet includes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(
    r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```\s*$", re.M | re.S
)
SNIPPET = re.compile(r'^\s*--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$', re.M)


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, its ``title="..."``, and its text."""

    lang: str
    title: str
    body: str


def blocks(markdown: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(markdown):
        info = match["info"].strip()
        lang = info.split(" ", 1)[0] if info else ""
        title = re.search(r'title="([^"]*)"', info)
        indent = len(match["indent"])
        body = "\n".join(line[indent:] for line in match["body"].splitlines())
        found.append(Block(lang, title.group(1) if title else "", body))
    return found


def sections(markdown: str, level: int = 2) -> dict[str, str]:
    """Heading text (without ``{#id}``) -> the text up to the next heading of that level."""
    marker = "#" * level + " "
    result: dict[str, str] = {}
    current = None
    for line in markdown.splitlines(keepends=True):
        if line.startswith(marker):
            current = re.sub(r"\s*\{#[^}]*\}\s*$", "", line[len(marker) :]).strip()
            result[current] = ""
        elif current is not None:
            result[current] += line
    return result


def snippet_paths(markdown: str) -> list[tuple[str, str | None]]:
    return [(m["path"], m["section"]) for m in SNIPPET.finditer(markdown)]


def read(page: Path) -> str:
    return page.read_text(encoding="utf-8")
