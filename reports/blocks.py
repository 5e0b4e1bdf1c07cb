"""A report as format-neutral blocks (headings, paragraphs, tables, images, links) and the sanitising of scraped text.

Every output format (docx, HTML, Markdown) renders the same blocks, so the three say the same thing.
Scraped text is cleaned here once, as alerts clean it (control, bidi-override, zero-width and XML-invalid
characters removed); each renderer then escapes it for its own format. Links are only ever http(s) URLs
checked and percent-encoded by the same ``alerts.render.safe_url`` as the alerts' links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from alerts.render import cut_chars, one_line, safe_url


@dataclass(frozen=True)
class Link:
    """Link text (scraped, plain) and a checked URL."""

    text: str
    url: str


Cell = str | Link


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class Image:
    name: str
    png: bytes
    caption: str


Block = Heading | Paragraph | Table | Image


@dataclass
class Document:
    """A titled sequence of blocks; ``kind`` is ``weekly`` or ``daily`` (the fonts differ)."""

    kind: str
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    author: str = ""  # the issuing office, for the file's properties
    created: datetime | None = None  # the report's "now", for the file's properties


def clean(text: str | None, limit: int | None = None) -> str:
    """Scraped text as one plain line (``alerts.render.one_line``), cut to ``limit`` characters."""
    line = one_line(text)
    return line if limit is None else cut_chars(line, limit)


def link(text: str, url: str | None) -> Cell:
    """A link when the URL is a safe http(s) one, else the plain text."""
    checked = safe_url(url)
    return Link(text, checked) if checked else text
