"""Render a report as Markdown (GitHub-flavoured tables), every scraped string escaped so it stays plain text.

GitHub-flavoured renderers also auto-link bare URLs, ``www.`` names and e-mail addresses and turn ``@name`` into
mentions: text goes through ``alerts.render.inert`` first, as in the alerts, so only our own links are links.
"""

from __future__ import annotations

import re

from alerts.render import inert
from reports.blocks import Cell, Document, Heading, Image, Link, Paragraph, Table

_INLINE = re.compile(r"([\\`*_{}\[\]()<>!|~&#])")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def escape(text: str, line_start: bool = True) -> str:
    """Scraped text as one line of literal Markdown: inline syntax (emphasis, links, raw HTML, ``|`` of tables,
    entities) backslash-escaped, and (``line_start``) a leading list / quote / heading marker neutralised."""
    line = _INLINE.sub(r"\\\1", inert(text))
    return _LINE_START.sub(_neutralise, line) if line_start else line


def _neutralise(match: re.Match[str]) -> str:
    """``- x`` → ``\\- x``; ``1. x`` → ``1\\. x``."""
    marker = match[2]
    return f"{match[1]}{marker[:-1]}\\{marker[-1]}"


def render_markdown(document: Document) -> str:
    """The Markdown text; charts are referenced by caption only (the HTML and .docx carry the images)."""
    lines = [f"# {escape(document.title)}", "", escape(document.subtitle), ""]
    for block in document.blocks:
        lines.extend(_block(block))
    return "\n".join(lines).rstrip("\n") + "\n"


def _block(block) -> list[str]:
    if isinstance(block, Heading):
        return [f"## {escape(block.text)}", ""]
    if isinstance(block, Paragraph):
        return [escape(block.text), ""]
    if isinstance(block, Table):
        header = "| " + " | ".join(escape(cell, line_start=False) for cell in block.header) + " |"
        rule = "|" + "|".join(" --- " for _ in block.header) + "|"
        rows = ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in block.rows]
        return [header, rule, *rows, ""]
    if isinstance(block, Image):
        return [f"*{escape(block.caption)}（见 HTML / Word 版）*", ""]
    return []


def _cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        return f"[{escape(cell.text, line_start=False)}](<{cell.url}>)"
    return escape(cell, line_start=False)
