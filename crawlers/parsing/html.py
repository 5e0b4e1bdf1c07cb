"""CSS and XPath queries on lxml trees, compiled once and returning plain elements and strings.

parsel wraps every match in a ``Selector`` and compiles the XPath again on every call; on a crawl that
parses a page per post that overhead is a large share of the parse. The parsers take the tree parsel
already built (``root_of``) and query it through these compiled, cached expressions instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from scrapy.http import HtmlResponse, JsonResponse, TextResponse, XmlResponse
from scrapy.utils.response import get_base_url

_TRANSLATOR = HTMLTranslator()
_STRING = etree.XPath("string()", smart_strings=False)
_TREES: WeakKeyDictionary[TextResponse, Any] = WeakKeyDictionary()
_XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath normalize-space() collapses


@lru_cache(maxsize=1024)
def compiled_css(query: str) -> etree.XPath:
    """``query`` (CSS, with parsel's ``::text`` and ``::attr(name)``) as a compiled XPath."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(query), smart_strings=False)


@lru_cache(maxsize=1024)
def compiled_xpath(query: str) -> etree.XPath:
    return etree.XPath(query, smart_strings=False)


def root_of(page: Selector | TextResponse | Any) -> Any:
    """The lxml element of a response, a parsel selector, or an element passed through unchanged.

    A response's tree is built once and kept while the response lives. Not through ``response.selector``:
    Scrapy's selector and its response refer to each other, so every parsed page (body and tree) would wait
    for the cyclic garbage collector instead of going when its callback is done.
    """
    if isinstance(page, TextResponse):
        root = _TREES.get(page)
        if root is None:
            root = _TREES[page] = Selector(text=page.text, type=_selector_type(page), base_url=get_base_url(page)).root
        return root
    if isinstance(page, Selector):
        return page.root
    return page


def _selector_type(response: TextResponse) -> str | None:
    """The type Scrapy's ``response.selector`` would give (None: parsel reads it from the body)."""
    for response_class, kind in ((XmlResponse, "xml"), (JsonResponse, "json"), (HtmlResponse, "html")):
        if isinstance(response, response_class):
            return kind
    return None


def css(node: Any, query: str) -> list[Any]:
    """Every match of a CSS query under ``node``: elements, or strings for ``::text`` / ``::attr``."""
    return compiled_css(query)(node)


def css_first(node: Any, query: str) -> Any | None:
    matches = compiled_css(query)(node)
    return matches[0] if matches else None


def first(matches: list[Any]) -> Any | None:
    """The first of ``matches`` (as a query returns them), None when there is none."""
    return matches[0] if matches else None


def xpath(node: Any, query: str) -> list[Any]:
    return compiled_xpath(query)(node)


def css_each(nodes: list[Any], query: str) -> list[Any]:
    """The matches of a CSS query under each of ``nodes`` in turn, as parsel's ``SelectorList.css`` lists them."""
    compiled = compiled_css(query)
    return [match for node in nodes for match in compiled(node)]


def xpath_each(nodes: list[Any], query: str) -> list[Any]:
    """The matches of an XPath under each of ``nodes`` in turn, as parsel's ``SelectorList.xpath`` lists them."""
    compiled = compiled_xpath(query)
    return [match for node in nodes for match in compiled(node)]


def has_class(element: Any, name: str) -> bool:
    """Whether CSS ``.name`` matches ``element``: ``name`` is one of its class tokens (XPath whitespace)."""
    classes = element.get("class")
    return classes is not None and name in classes and name in _XML_SPACE.split(classes)


def string(node: Any | None) -> str:
    """XPath ``string()`` of a node (all its descendant text, comments excluded); "" for ``None``."""
    if node is None:
        return ""
    return node if isinstance(node, str) else _STRING(node)


def outer_html(node: Any, method: str = "html") -> str:
    """The node's markup, as ``Selector.get()`` returns it (``method="xml"`` for a node of an XML document)."""
    return etree.tostring(node, encoding="unicode", method=method, with_tail=False)
