"""Turn an HTML fragment into plain text: tags removed, paragraph breaks as newlines, emoji as their names."""

from __future__ import annotations

import re

from lxml import etree, html as lxml_html

_BLOCKS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 tr table blockquote section article header footer pre dd dt".split()
)
_DROPPED = ("script", "style", "noscript", "template")
_RUNS = re.compile(r"[ \t\r\n\f\v\xa0]+")
_EMOJI_ALT = re.compile(r"^\[[^\[\]]{1,12}\]$")


def html_to_text(html: str | None) -> str:
    """Plain text of ``html``: entities decoded, scripts and styles dropped, one ``\\n`` between blocks."""
    if not html or not html.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(html)
    _drop_noise(root)
    for element in root.iter():
        _mark(element)
    text = etree.tostring(root, method="text", encoding="unicode", with_tail=False)
    return _tidy(text)


def _drop_noise(root: lxml_html.HtmlElement) -> None:
    for element in list(root.iter(etree.Comment, *_DROPPED)):
        if element.getparent() is not None:
            element.drop_tree()


def _mark(element: lxml_html.HtmlElement) -> None:
    """Collapse HTML whitespace, then mark line breaks with real newlines."""
    element.text = _RUNS.sub(" ", element.text) if element.text else element.text
    element.tail = _RUNS.sub(" ", element.tail) if element.tail else element.tail
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        element.tail = "\n" + (element.tail or "")
    elif tag == "img" and _EMOJI_ALT.match(element.get("alt", "")):
        element.tail = element.get("alt") + (element.tail or "")
    elif tag in _BLOCKS:
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")


def _tidy(text: str) -> str:
    lines = (_RUNS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
