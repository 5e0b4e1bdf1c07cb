"""Turn an HTML fragment into plain text (tags removed, paragraph breaks as newlines, emoji as their names),
and squeeze the whitespace of a short text that is already plain (``clean``).

Plain text (no tag but ``<em>`` highlights, no entity) needs no parser. Other markup is parsed once, and
only its ``<br>``, ``<img>`` and block elements are touched: a marker character stands for their line
breaks until the whole text is assembled. Characters no text can hold (C0 controls, lone surrogates,
non-characters, also as numeric references) are dropped first: lxml refuses them, and a post must not
be lost for one stray byte.
"""

from __future__ import annotations

import re

from lxml import etree

_BLOCKS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 tr table blockquote section article header footer pre dd dt".split()
)
_DROPPED = ("script", "style", "noscript", "template")
_RUNS = re.compile(r"[ \t\r\n\f\v\xa0]+")
_SPACES = re.compile(r"\s+")  # any Unicode whitespace: \xa0 (&nbsp;) and \u3000 (ideographic space) included
_EMOJI_ALT = re.compile(r"^\[[^\[\]]{1,12}\]$")
_BREAK = "\ue000"  # a line break while the text is assembled (a private-use character, dropped from inputs)
_UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ue000\ufffe\uffff]")
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
_HIGHLIGHTS = re.compile(r"</?em>")  # search highlights: inline, no line break in them
_FULL_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.I)
_PARSER = etree.HTMLParser()  # lxml.html's parser settings, with plain lxml elements


def html_to_text(html: str | None) -> str:
    """Plain text of ``html``: entities decoded, scripts and styles dropped, one ``\\n`` between blocks."""
    if not html or not html.strip():
        return ""
    html = _holdable(html)
    plain = _HIGHLIGHTS.sub("", html) if "<em>" in html else html
    if "<" not in plain and "&" not in plain:
        return _RUNS.sub(" ", plain).strip()
    try:
        root = _fragment(html)
    except (etree.ParserError, ValueError):
        return _tidy(html)
    return _marked_text(root)


def clean(text: str | None) -> str:
    """``text`` with each run of whitespace as one space and none at either end; "" for ``None``."""
    return _SPACES.sub(" ", text or "").strip()


def _holdable(html: str) -> str:
    """``html`` without the characters lxml refuses, written out or as numeric character references."""
    html = _UNHOLDABLE.sub("", html)
    return _NUMERIC_REFERENCE.sub(_holdable_reference, html) if "&#" in html else html


def _holdable_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    return match.group() if code <= 0x10FFFF and not _UNHOLDABLE.match(chr(code)) else ""


def _fragment(html: str) -> etree._Element:
    """The element holding the parsed markup: its ``<body>``, or the whole document when it has several or none."""
    root = etree.fromstring(html if _FULL_DOCUMENT.match(html) else f"<html><body>{html}</body></html>", _PARSER)
    if root is None:
        raise ValueError("no markup to parse")
    bodies = root.findall("body")
    return bodies[0] if len(bodies) == 1 else root


def _marked_text(root: etree._Element) -> str:
    """The text of ``root`` with its HTML whitespace collapsed and a line break around each block and ``<br>``."""
    etree.strip_elements(root, etree.Comment, *_DROPPED, with_tail=False)
    for element in root.iter():  # a loop over every element beats lxml's filter on twenty tag names
        tag = element.tag
        if tag in _BLOCKS:
            element.text = _BREAK + (element.text or "")
            element.tail = _BREAK + (element.tail or "")
        elif tag == "br":
            element.tail = _BREAK + (element.tail or "")
        elif tag == "img":
            alt = element.get("alt", "")
            if _EMOJI_ALT.match(alt):
                element.tail = alt.replace("\n", _BREAK) + (element.tail or "")
    text = etree.tostring(root, method="text", encoding="unicode", with_tail=False)
    return _tidy(text.replace("\n", " ").replace(_BREAK, "\n"))


def _tidy(text: str) -> str:
    lines = (_RUNS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
