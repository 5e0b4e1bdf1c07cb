"""A report as format-neutral blocks (headings, paragraphs, tables, images, links) and the sanitising of scraped text.

Every output format (docx, HTML, Markdown) renders the same blocks, so the three say the same thing.
Scraped text is cleaned here once (control characters that XML forbids removed); each renderer then
escapes it for its own format. Links are only ever http(s) URLs, percent-encoded where needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from alerts.render import cut_chars

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"


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


def clean(text: str | None, limit: int | None = None) -> str:
    """Scraped text as one plain line: XML-invalid characters dropped, whitespace collapsed, cut to ``limit``."""
    line = _SPACES.sub(" ", _CONTROL.sub("", text or "")).strip()
    return line if limit is None else cut_chars(line, limit)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for any format's link (spaces, quotes, brackets, non-ASCII percent-encoded), else None."""
    raw = _CONTROL.sub("", (url or "").strip())
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(raw, safe=URL_SAFE)


def link(text: str, url: str | None) -> Cell:
    """A link when the URL is a safe http(s) one, else the plain text."""
    checked = safe_url(url)
    return Link(text, checked) if checked else text
