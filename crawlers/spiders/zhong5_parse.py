"""Pure parsers for 中吴网 (www.zhong5.cn, Discuz! X3 portal + forum) pages, per FORMATS.md §4.

Each function takes a Scrapy response (or selector) of one page kind and returns plain values; dates
are returned as the page's own text (the spider turns them into datetimes with ``parse_date``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlparse

from parsel import Selector
from scrapy.http import TextResponse

from crawlers.parsing.counts import parse_count
from crawlers.parsing.html import css, css_each, css_first, first, has_class, outer_html, root_of, string, xpath
from crawlers.parsing.text import clean

BASE_URL = "http://www.zhong5.cn/"
SEARCH_URL = BASE_URL + "search.php?mod=forum"
FLOOD_CONTROL = ("秒内只能进行一次搜索", "每分钟系统最多响应搜索请求")
GUEST_REFUSED = ("用户组(游客)无法进行此操作",)

_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_SUB_DAY = re.compile(r"刚刚|秒前|分钟前|小时前")
_TID = re.compile(r"thread-(\d+)-|[?&]tid=(\d+)")
_AID = re.compile(r"article-(\d+)-|[?&]aid=(\d+)")
_REPLIES_VIEWS = re.compile(r"(\d+)\s*个回复\s*-\s*(\d+)\s*次查看")
_POSTED_ON = re.compile(r"^\s*发表于\s*")
# CSS '#postlist > div[id^="post_"]', tested on the divs instead of every element's id (same nodes, faster)
_FIRST_POST = "descendant::div[starts-with(@id, 'post_')][parent::*[@id = 'postlist']]"

Page = Selector | TextResponse


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One row of a portal list, forum list or search result page: enough to decide whether to fetch it."""

    post_id: str
    url: str
    title: str
    date_text: str
    comments: int | None = None
    views: int | None = None
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Detail:
    """A portal article or the first post of a forum thread."""

    post_id: str
    url: str
    title: str
    date_text: str
    author: str | None
    author_uid: str | None
    body_html: str
    comments: int | None
    views: int | None
    raw: str
    more_pages: bool = False


def search_url(keyword: str) -> str:
    """Where a keyword's search form is POSTed: the form action, with ``srchtxt`` repeated in the query.

    Discuz reads ``$_GET`` merged with ``$_POST``, so the repeat changes nothing for the site; it gives each
    keyword's POST its own URL, which is how responses are recorded and replayed (method + URL).
    """
    return f"{SEARCH_URL}&srchtxt={quote_plus(keyword)}"


def thread_url(tid: str) -> str:
    return f"{BASE_URL}thread-{tid}-1-1.html"


def article_url(aid: str) -> str:
    return f"{BASE_URL}article-{aid}-1.html"


def best_date_text(title: str | None, shown: str) -> str:
    """The most precise date text of a Discuz ``<span title=absolute>relative</span>`` pair.

    The title wins when it carries a clock time. Forum lists title only the day ("2026-11-19"), so a
    shown text with a clock or a sub-day age ("昨天 14:30", "3 小时前") is more precise; failing both,
    the titled day is taken at its last minute: list dates only decide what to fetch.
    """
    title, shown = clean(title), clean(shown)
    if title and _CLOCK.search(title):
        return title
    if _CLOCK.search(shown) or _SUB_DAY.search(shown) or shown.startswith("半小时") or not title:
        return shown
    return f"{title} 23:59"


def _date_of(node: Any) -> str:
    span = css_first(node, "span[title]")
    if span is not None:
        return best_date_text(span.get("title"), "".join(css(span, "::text")))
    return clean("".join(css(node, "::text")))


def _id_from(href: str, pattern: re.Pattern[str]) -> str | None:
    match = pattern.search(href or "")
    return (match[1] or match[2]) if match else None


def uid_from(href: str | None) -> str | None:
    """The uid of a ``home.php?mod=space&uid=N`` or ``space-uid-N.html`` link."""
    if not href:
        return None
    match = re.search(r"space-uid-(\d+)", href)
    return match[1] if match else (parse_qs(urlparse(href).query).get("uid") or [None])[0]


def parse_portal_list(page: Page) -> list[ListEntry]:
    """Items of ``portal.php?mod=list&catid=…`` (``div.bm_c.xld > dl.bbda``); the list shows no counts."""
    entries = []
    for item in css(root_of(page), "div.bm_c.xld > dl.bbda"):
        link = css_first(item, "dt.xs2 > a.xi2, dt.xs2 > a")
        aid = _id_from(_href(link), _AID)
        dateline = css_first(item, "dd > span.xg1")
        if aid is None or dateline is None:
            continue
        title = clean("".join(css(link, "::text")))
        entries.append(ListEntry(f"a{aid}", article_url(aid), title, _date_of(dateline)))
    return entries


def parse_forum_list(page: Page) -> list[ListEntry]:
    """Thread rows of ``forum-{fid}-{page}.html``: normal and pinned rows, never the separator."""
    entries = []
    for row in css(root_of(page), 'tbody[id^="normalthread_"], tbody[id^="stickthread_"]'):
        entry = _forum_row(row)
        if entry is not None:
            entries.append(entry)
    return entries


def _forum_row(row: Any) -> ListEntry | None:
    """One ``tbody`` row: ``th a.s.xst`` link, the ``em`` of the first ``td.by``, ``td.num`` counts.

    The row's cells are walked in document order (as CSS matches them) rather than queried one by one.
    """
    link = next((link for cell in row.iter("th") for link in cell.iterdescendants("a")
                 if has_class(link, "s") and has_class(link, "xst")), None)
    tid = _id_from(_href(link), _TID) or row.get("id").partition("_")[2]
    cells = list(row.iter("td"))
    by = next((cell for cell in cells if has_class(cell, "by")), None)
    posted = next(by.iter("em"), None) if by is not None else None
    if link is None or not tid.isdigit() or posted is None:
        return None
    num = [cell for cell in cells if has_class(cell, "num")]
    return ListEntry(
        f"t{tid}", thread_url(tid), clean("".join(css(link, "::text"))), _date_of(posted),
        comments=parse_count(first(css_each(num, "a.xi2::text"))),
        views=parse_count(first(css_each(num, "em::text"))),
        pinned=row.get("id").startswith("stickthread_"),
    )


def parse_search_results(page: Page) -> list[ListEntry]:
    """Threads of a forum search result page (``div#threadlist.slst > ul > li.pbw``), highlight markup stripped."""
    entries = []
    for item in css(root_of(page), "div#threadlist.slst > ul > li.pbw"):
        link = css_first(item, "h3.xs3 > a")
        tid = _id_from(_href(link), _TID) or item.get("id", "")
        paragraphs = css(item, "p")
        if link is None or not tid.isdigit() or len(paragraphs) < 2:
            continue
        stats = _REPLIES_VIEWS.search("".join(css(item, "p.xg1 ::text")))
        date = clean(css_first(paragraphs[-1], "span::text"))
        entries.append(ListEntry(
            f"t{tid}", thread_url(tid), clean("".join(css(link, "::text"))), date,
            comments=int(stats[1]) if stats else None, views=int(stats[2]) if stats else None,
        ))
    return entries


def _href(link: Any | None) -> str:
    return link.get("href", "") if link is not None else ""


def shows_no_results(page: Page) -> bool:
    """True for Discuz's own "nothing found / empty board" notice (``p.emp``), as opposed to a changed layout."""
    return css_first(root_of(page), "p.emp") is not None


def next_page_url(page: Page) -> str | None:
    """The "下一页" link of Discuz paging (``div.pg a.nxt``), absolute, or None on the last page."""
    href = css_first(root_of(page), "div.pg a.nxt::attr(href)")
    return BASE_URL + href.lstrip("/") if href and not href.startswith("http") else href


def search_formhash(page: Page) -> str | None:
    """The ``formhash`` hidden input of the forum search form."""
    return css_first(root_of(page), 'form.searchform input[name="formhash"]::attr(value)')


def message_text(page: Page) -> str:
    """The text of a Discuz ``showmessage`` page (``div#messagetext``), "" for any other page."""
    return clean(" ".join(css(root_of(page), "div#messagetext ::text")))


def blocked_reason_of(message: str) -> str | None:
    """Why a ``showmessage`` text refuses us: flood control or guest refusal; None for any other message."""
    if any(marker in message for marker in FLOOD_CONTROL):
        return "flood_control"
    if any(marker in message for marker in GUEST_REFUSED):
        return "guest_refused"
    return None


def parse_article(page: Page, url: str) -> Detail | None:
    """A portal article page (``article-{aid}-1.html``); None when the page is no article."""
    aid = _id_from(url, _AID)
    if aid is None:
        return None
    root = root_of(page)
    title = clean("".join(css(root, "h1.ph ::text")))
    body = css_first(root, "div.d td#article_content")
    meta = css_first(root, "div.h p.xg1")
    if meta is None:
        meta = css_first(root, "p.xg1")
    if not title or body is None or meta is None:
        return None
    publisher = first(xpath(meta, './/a[contains(@href, "uid")]'))
    container = css_first(root, "div.bm.vw")
    return Detail(
        post_id=f"a{aid}", url=article_url(aid), title=title,
        date_text=clean(first(xpath(meta, "text()"))), author=clean(string(publisher)) or None,
        author_uid=uid_from(_href(publisher)), body_html=outer_html(body),
        comments=parse_count(css_first(meta, "em#_commentnum::text") or _after(meta, "评论")),
        views=parse_count(css_first(meta, "em#_viewnum::text")),
        raw=outer_html(container if container is not None else body),
        more_pages=css_first(root, "div.ptw.pbw a") is not None,
    )


def _after(meta: Any, label: str) -> str | None:
    """The plain value after ``label:`` in the meta line (Discuz prints a bare 0 when comments are closed)."""
    match = re.search(rf"{label}[:：]\s*(\d+)", clean(string(meta)))
    return match[1] if match else None


def parse_thread(page: Page, url: str) -> Detail | None:
    """The first post of a thread page (``thread-{tid}-1-1.html``); later posts are replies, not posts."""
    tid = _id_from(url, _TID)
    if tid is None:
        return None
    root = root_of(page)
    post = first(xpath(root, _FIRST_POST))
    subjects = css(root, "#thread_subject")
    if post is None or not subjects:
        return None
    body = css_first(post, 'td.t_f[id^="postmessage_"]')
    posted = css_first(post, 'em[id^="authorposton"]')
    author = css_first(post, "div.authi a.xw1")
    if body is None or posted is None:
        return None
    stats = css(root, "div.hm.ptn span.xi1::text")
    return Detail(
        post_id=f"t{tid}", url=thread_url(tid), title=clean("".join(css_each(subjects, "::text"))),
        date_text=_POSTED_ON.sub("", _date_of(posted)), author=clean(string(author)) or None,
        author_uid=uid_from(_href(author)), body_html=outer_html(body),
        views=parse_count(stats[0]) if stats else None, comments=parse_count(stats[1]) if len(stats) > 1 else None,
        raw=outer_html(subjects[0]) + "\n" + outer_html(post),
    )
