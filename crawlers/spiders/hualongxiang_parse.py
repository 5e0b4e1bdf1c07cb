"""Pure parsers for 化龙巷 (hualongxiang.com, PHPWind 8.x) pages, per FORMATS.md §3.

Board lists (``thread.php``, GBK), so.hualongxiang.com search results (UTF-8) and thread pages
(``read.php``, GBK). FORMATS.md gives no board-list selectors: those follow PHPWind 8's standard
``thread.htm`` template (``tr.tr3`` rows, ``td.author``, ``td.num`` "回复/人气") with fallbacks.
Dates are returned as the page's own text; the spider turns them into datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from parsel import Selector
from scrapy.http import TextResponse

from crawlers.parsing.counts import parse_count
from crawlers.parsing.html import (
    css,
    css_each,
    css_first,
    first,
    has_class,
    outer_html,
    root_of,
    string,
    xpath,
    xpath_each,
)
from crawlers.parsing.text import clean, html_to_text

WWW = "https://www.hualongxiang.com"
SEARCH_HOST = "http://so.hualongxiang.com"
SECURITY_VERIFY_MARK = b"security_verify_data"

_READ_TID = re.compile(r"read\.php\?(?:[^\"'#]*&)?tid=(\d+)")
_REWRITE_TID = re.compile(r"^(?:https?://[a-z.]*hualongxiang\.com)?/([a-z]+)/(\d{5,})/?(?:[?#].*)?$")
_DATE = r"\d{4}-\d{1,2}-\d{1,2}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
_POSTED = re.compile(r"发表于\s*[：:]\s*(\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}(?::\d{2})?)")
_NEAR_POSTED = re.compile(rf"发表于.{{0,40}}?({_DATE})", re.S)
_ANY_DATE = re.compile(_DATE)
_RELATIVE = re.compile(r"刚刚|\d+\s*(?:秒|分钟|小时|天|周)前|半小时前|[今昨前]天\s*\d{1,2}:\d{2}")
_UID = re.compile(r"uid=(\d+)")
_PAGE = re.compile(r"[?&]page=(\d+)")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_JS_ESCAPE = re.compile(r"\\(.)")
_SLASHED = re.compile(r"(\d+)\s*/\s*(\d+)")


@dataclass(frozen=True, slots=True)
class ListedThread:
    """One thread as a board list or search result shows it: enough to decide whether to fetch it."""

    tid: str
    title: str
    author: str | None
    date_text: str | None
    replies: int | None
    views: int | None
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class ListPage:
    """The threads of one list page, whether a next page exists, and the hit total a search shows."""

    threads: list[ListedThread]
    has_next: bool
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """The first post (楼主) of a thread page; reply floors are not posts."""

    title: str
    text: str
    author: str | None
    author_id: str | None
    published_text: str
    views: int | None
    replies: int | None
    raw: str


class ThreadParseError(ValueError):
    """A thread page without the parts every post has (body, publish time)."""


def board_url(fid: str, page: int) -> str:
    return f"{WWW}/thread.php?{urlencode({'fid': fid, 'page': page})}"


def search_url(keyword: str, page: int) -> str:
    """Page 1 is the search form's own URL; later pages go through ``/search/index`` (FORMATS.md §3)."""
    if page == 1:
        return f"{SEARCH_HOST}/?{urlencode({'keyword': keyword, 'desc': 'time'})}"
    return f"{SEARCH_HOST}/search/index?{urlencode({'keyword': keyword, 'desc': 'time', 'page': page})}"


def thread_url(tid: str) -> str:
    """The canonical thread URL (the raw PHPWind form, whatever form the list linked)."""
    return f"{WWW}/read.php?tid={tid}"


def tid_from_href(href: str | None) -> str | None:
    """The tid of a ``read.php?tid=N`` link or of the rewrite form ``/{board_pinyin}/{tid}``."""
    if not href:
        return None
    match = _READ_TID.search(href) or _REWRITE_TID.match(href.strip())
    return match.group(match.lastindex) if match else None


def is_security_verify(response: TextResponse) -> bool:
    """The WAF's JS "security verify" page: a redirect script and no post (FORMATS.md §3 Anti-crawl)."""
    return SECURITY_VERIFY_MARK in response.body and b"read_tpc" not in response.body


def _has_next(root: Any, page: int) -> bool:
    pager = css(root, "div.pages a, div.page a, div.pagination a, a.pages_next, a.next")
    if any("下一页" in clean(string(link)) for link in pager):
        return True
    numbers = [int(m.group(1)) for link in pager if (m := _PAGE.search(link.get("href", "")))]
    return max(numbers, default=0) > page


def parse_board_page(document: Selector | TextResponse, page: int) -> ListPage:
    """Rows of a PHPWind 8 ``thread.php`` board list: ``tr.tr3``, else any table row linking a thread."""
    root = root_of(document)
    threads = _unique(_board_row(row) for row in root.iter("tr") if has_class(row, "tr3"))
    if not threads:
        threads = _unique(_board_row(row) for row in xpath(root, "//tr[not(.//tr)]"))
    return ListPage(threads, _has_next(root, page))


def _board_row(row: Any) -> ListedThread | None:
    """The row's thread: its subject link (else its longest thread link), author, day, counts and pin.

    The row's links and cells are walked once (in document order, as CSS matches them) rather than
    queried per field: a board page has dozens of rows.
    """
    links = list(row.iter("a"))
    thread_links = [link for link in links if tid_from_href(link.get("href"))]
    if not thread_links:
        return None
    subject = next((link for link in links if _is_subject(link)), None)
    if subject is None:
        subject = max(thread_links, key=lambda link: len(clean(string(link))))
    title = clean(string(subject))
    if not title:
        return None
    author = css_first(row, "td.author a::text") or css_first(row, "a[href*='uid=']::text")
    cells = list(row.iter("td"))
    author_cells = [cell for cell in cells if has_class(cell, "author")]
    date_text = clean(string(next((p for cell in author_cells for p in cell.iterdescendants("p")), None)))
    if not _ANY_DATE.fullmatch(date_text):
        date_text = _first_match(_ANY_DATE, clean(string(row)))
    replies, views = _replies_slash_views(next((cell for cell in cells if has_class(cell, "num")), None))
    return ListedThread(tid_from_href(subject.get("href")) or "", title, clean(author) or None,
                        date_text, replies, views, _is_pinned(row))


def _is_subject(link: Any) -> bool:
    """CSS ``a.subject_t, a[id^='a_ajax_']``: PHPWind's subject link."""
    return has_class(link, "subject_t") or link.get("id", "").startswith("a_ajax_")


def _replies_slash_views(cell: Any | None) -> tuple[int | None, int | None]:
    """``td.num`` shows "回复/人气" as ``<em>12</em>/345``."""
    match = _SLASHED.search(clean(string(cell)))
    if match is None:
        return None, None
    return int(match.group(1)), int(match.group(2))


def _is_pinned(row: Any) -> bool:
    """A ``headtopic`` / 置顶 icon (src or alt), or 置顶 in the row's ``span`` text."""
    icons = (value for img in row.iter("img") for value in (img.get("src"), img.get("alt")) if value)
    return any("headtopic" in icon or "置顶" in icon for icon in icons) or "置顶" in "".join(css(row, "span::text"))


def parse_search_page(document: Selector | TextResponse, page: int) -> ListPage:
    """so.hualongxiang.com results: ``div.shopper-list-long ul li`` (FORMATS.md §3, 2019 selectors)."""
    root = root_of(document)
    items = css(root, "div.shopper-list-long ul li") or xpath(root, "//li[div[contains(@class,'title')]//a]")
    threads = _unique(_search_item(item) for item in items)
    return ListPage(threads, _has_next(root, page), _search_total(root))


def _search_item(item: Any) -> ListedThread | None:
    """The item's first thread link, its title (the ``onclick`` one, else the link text), author, date, counts."""
    link = next((link for link in item.iter("a") if tid_from_href(link.get("href"))), None)
    if link is None:
        return None
    title = _onclick_title(link.get("onclick")) or clean(string(link))
    info = [block for block in item.iter("div") if has_class(block, "time")]
    author = clean(string(next((name for block in info for name in block.iter("a")), None))) or None
    counts = clean(string(first(info))) or clean(string(item))
    return ListedThread(tid_from_href(link.get("href")) or "", title, author, _search_date(info),
                        _labelled_count("回复", counts), _labelled_count("查看|浏览|人气", counts))


def _onclick_title(onclick: str | None) -> str:
    """The clean title: the last quoted argument of the link's ``onclick`` call (digits are an id)."""
    arguments = _QUOTED.findall(onclick or "")
    if not arguments or arguments[-1].isdigit():
        return ""
    return clean(_JS_ESCAPE.sub(r"\1", arguments[-1]))


def _search_date(info: list[Any]) -> str | None:
    """The 2nd ``span`` of ``div.time``, or failing that any span that reads as a date."""
    spans = [clean(string(span)) for block in info for span in block.iter("span")]
    ordered = spans[1:2] + spans
    return next((text for text in ordered if _RELATIVE.fullmatch(text) or _ANY_DATE.fullmatch(text)), None)


def _labelled_count(label: str, text: str) -> int | None:
    match = re.search(rf"(?:{label})\s*[：:]?\s*(\d+)", text)
    return int(match.group(1)) if match else None


def _search_total(root: Any) -> int | None:
    """The hit count: the first comma-separated part of ``div.wapper p`` holds it."""
    summary = clean(string(css_first(root, "div.wapper > p")))
    match = re.search(r"\d+", re.split(r"[,，]", summary)[0]) if summary else None
    return int(match.group()) if match else None


def _unique(threads: Iterable[ListedThread | None]) -> list[ListedThread]:
    seen: dict[str, ListedThread] = {}
    for thread in threads:
        if thread is not None and thread.tid and thread.tid not in seen:
            seen[thread.tid] = thread
    return list(seen.values())


def _first_match(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group() if match else None


def parse_thread_page(page: Selector | TextResponse) -> ThreadPage:
    """The 楼主 floor of a ``read.php`` page: body ``div#read_tpc``, time after ``发表于：``, ``ul.data`` counts."""
    root = root_of(page)
    bodies = css(root, "div#read_tpc")
    if not bodies:
        raise ThreadParseError("no div#read_tpc (topic body)")
    floors = xpath_each(bodies, "ancestor::table[contains(concat(' ', @class, ' '), ' floot ')][1]")
    title = _thread_title(root)
    views, replies = _views_replies(root)
    author, author_id = _floor_author(floors)
    heading = _heading(root)
    data = css_first(root, "ul.data")
    body = outer_html(bodies[0])
    floor = outer_html(floors[0]) if floors else ""
    parts = [outer_html(heading) if heading is not None else "", outer_html(data) if data is not None else "",
             floor or body]
    return ThreadPage(
        title=title,
        text=html_to_text(body) or title,
        author=author,
        author_id=author_id,
        published_text=_published_text(root, floor or outer_html(root)),
        views=views,
        replies=replies,
        raw="\n".join(part for part in parts if part),
    )


def _heading(root: Any) -> Any | None:
    """The first ``h1#subject_tpc, h1.read_h1, .title_name h2`` (one walk over the headings, not a
    ``.title_name`` test on every element)."""
    for element in root.iter("h1", "h2"):
        if element.tag == "h1" and (element.get("id") == "subject_tpc" or has_class(element, "read_h1")):
            return element
        if element.tag == "h2" and _inside(element, "title_name", root):
            return element
    return None


def _inside(element: Any, name: str, root: Any) -> bool:
    """Whether an ancestor of ``element``, up to ``root`` itself, has class ``name``."""
    while element is not root and (element := element.getparent()) is not None:
        if has_class(element, name):
            return True
    return False


def _published_text(root: Any, scope: str) -> str:
    """``发表于：YYYY-MM-DD HH:MM[:SS]`` in the topic floor (the page when there is none), else a date just
    after 发表于 there, else the 2018 template's ``.cont_hd p/@title``. Reply floors are never read."""
    match = _POSTED.search(scope) or _NEAR_POSTED.search(scope)
    if match:
        return match.group(1)
    titled = clean(css_first(root, ".cont_hd p::attr(title)"))
    if _ANY_DATE.fullmatch(titled):
        return titled
    raise ThreadParseError("no publish time (发表于) on the thread page")


def _thread_title(root: Any) -> str:
    """The subject heading (2019, then 2018 template); else ``<title>`` up to " - "; else any ``h1``."""
    for query in ("h1#subject_tpc", "h1.read_h1", ".title_name h2 a"):
        title = clean(string(css_first(root, query)))
        if title:
            return title
    title = clean(re.split(r"\s+-\s+", css_first(root, "title::text") or "")[0])
    return title or clean(string(css_first(root, "h1")))


def _views_replies(root: Any) -> tuple[int | None, int | None]:
    """``ul.data li`` spans: 查看 (views) then 回复 (replies); else the labels in the page text."""
    spans = [string(span) for span in css(root, "ul.data li span")]
    if len(spans) >= 2:
        return parse_count(clean(spans[0])), parse_count(clean(spans[1]))
    text = clean(string(first(xpath(root, "//body"))))
    return _labelled_count("查看", text), _labelled_count("回复", text)


def _floor_author(floors: list[Any]) -> tuple[str | None, str | None]:
    """Name from the floor's user column (``td[1]/div/div[1]/span[3]``), uid from the message link."""
    name = clean(string(first(xpath_each(floors, "./tr[1]/td[1]/div/div[1]/span[3]"))))
    if not name:
        name = clean(string(first(css_each(floors, "a[href*='u.php?uid=']"))))
    onclick = first(css_each(floors, "div.fr.gc6 a::attr(onclick)")) or ""
    uid = _UID.search(onclick) or _UID.search(" ".join(css_each(floors, "a[href*='uid=']::attr(href)")))
    return name or None, uid.group(1) if uid else None
