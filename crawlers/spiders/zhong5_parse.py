"""Pure parsers for 中吴网 (www.zhong5.cn, Discuz! X3 portal + forum) pages, per FORMATS.md §4.

Each function takes a Scrapy response (or selector) of one page kind and returns plain values; dates
are returned as the page's own text (the spider turns them into datetimes with ``parse_date``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote_plus, urlparse

from parsel import Selector
from scrapy.http import TextResponse

from crawlers.parsing.counts import parse_count

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


def clean(text: str | None) -> str:
    """Text with ``&nbsp;`` runs and surrounding whitespace normalised."""
    return re.sub(r"[\s\xa0]+", " ", text or "").strip()


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


def _date_of(node: Selector) -> str:
    span = node.css("span[title]")
    if span:
        return best_date_text(span[0].attrib.get("title"), "".join(span[0].css("::text").getall()))
    return clean("".join(node.css("::text").getall()))


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
    for item in page.css("div.bm_c.xld > dl.bbda"):
        link = item.css("dt.xs2 > a.xi2, dt.xs2 > a")
        aid = _id_from(link.attrib.get("href", ""), _AID)
        dateline = item.css("dd > span.xg1")
        if aid is None or not dateline:
            continue
        title = clean("".join(link[0].css("::text").getall()))
        entries.append(ListEntry(f"a{aid}", article_url(aid), title, _date_of(dateline[0])))
    return entries


def parse_forum_list(page: Page) -> list[ListEntry]:
    """Thread rows of ``forum-{fid}-{page}.html``: normal and pinned rows, never the separator."""
    entries = []
    for row in page.css('tbody[id^="normalthread_"], tbody[id^="stickthread_"]'):
        link = row.css("th a.s.xst")
        tid = _id_from(link.attrib.get("href", ""), _TID) or row.attrib["id"].partition("_")[2]
        posted = row.css("td.by")[:1].css("em")
        if not link or not tid.isdigit() or not posted:
            continue
        num = row.css("td.num")
        entries.append(ListEntry(
            f"t{tid}", thread_url(tid), clean("".join(link[0].css("::text").getall())), _date_of(posted[0]),
            comments=parse_count(num.css("a.xi2::text").get()), views=parse_count(num.css("em::text").get()),
            pinned=row.attrib["id"].startswith("stickthread_"),
        ))
    return entries


def parse_search_results(page: Page) -> list[ListEntry]:
    """Threads of a forum search result page (``div#threadlist.slst > ul > li.pbw``), highlight markup stripped."""
    entries = []
    for item in page.css("div#threadlist.slst > ul > li.pbw"):
        link = item.css("h3.xs3 > a")
        tid = _id_from(link.attrib.get("href", ""), _TID) or item.attrib.get("id", "")
        paragraphs = item.css("p")
        if not link or not tid.isdigit() or len(paragraphs) < 2:
            continue
        stats = _REPLIES_VIEWS.search("".join(item.css("p.xg1 ::text").getall()))
        date = clean(paragraphs[-1].css("span::text").get())
        entries.append(ListEntry(
            f"t{tid}", thread_url(tid), clean("".join(link[0].css("::text").getall())), date,
            comments=int(stats[1]) if stats else None, views=int(stats[2]) if stats else None,
        ))
    return entries


def shows_no_results(page: Page) -> bool:
    """True for Discuz's own "nothing found / empty board" notice (``p.emp``), as opposed to a changed layout."""
    return bool(page.css("p.emp"))


def next_page_url(page: Page) -> str | None:
    """The "下一页" link of Discuz paging (``div.pg a.nxt``), absolute, or None on the last page."""
    href = page.css("div.pg a.nxt::attr(href)").get()
    return BASE_URL + href.lstrip("/") if href and not href.startswith("http") else href


def search_formhash(page: Page) -> str | None:
    """The ``formhash`` hidden input of the forum search form."""
    return page.css('form.searchform input[name="formhash"]::attr(value)').get()


def message_text(page: Page) -> str:
    """The text of a Discuz ``showmessage`` page (``div#messagetext``), "" for any other page."""
    return clean(" ".join(page.css("div#messagetext ::text").getall()))


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
    title = clean("".join(page.css("h1.ph ::text").getall()))
    body = page.css("div.d td#article_content")
    meta = (page.css("div.h p.xg1") or page.css("p.xg1"))[:1]
    if aid is None or not title or not body or not meta:
        return None
    publisher = meta.xpath('.//a[contains(@href, "uid")]')
    container = page.css("div.bm.vw") or body
    return Detail(
        post_id=f"a{aid}", url=article_url(aid), title=title,
        date_text=clean(meta.xpath("text()").get()), author=clean(publisher.xpath("string()").get()) or None,
        author_uid=uid_from(publisher.attrib.get("href")), body_html=body[0].get(),
        comments=parse_count(meta.css("em#_commentnum::text").get() or _after(meta, "评论")),
        views=parse_count(meta.css("em#_viewnum::text").get()), raw=container[0].get(),
        more_pages=bool(page.css("div.ptw.pbw a")),
    )


def _after(meta: Selector, label: str) -> str | None:
    """The plain value after ``label:`` in the meta line (Discuz prints a bare 0 when comments are closed)."""
    match = re.search(rf"{label}[:：]\s*(\d+)", clean(meta.xpath("string()").get()))
    return match[1] if match else None


def parse_thread(page: Page, url: str) -> Detail | None:
    """The first post of a thread page (``thread-{tid}-1-1.html``); later posts are replies, not posts."""
    tid = _id_from(url, _TID)
    first = page.css('#postlist > div[id^="post_"]')[:1]
    subject = page.css("#thread_subject")
    if tid is None or not first or not subject:
        return None
    body = first.css('td.t_f[id^="postmessage_"]')
    posted = first.css('em[id^="authorposton"]')
    author = first.css("div.authi a.xw1")
    if not body or not posted:
        return None
    stats = page.css("div.hm.ptn span.xi1::text").getall()
    return Detail(
        post_id=f"t{tid}", url=thread_url(tid), title=clean("".join(subject.css("::text").getall())),
        date_text=_POSTED_ON.sub("", _date_of(posted[0])), author=clean(author.xpath("string()").get()) or None,
        author_uid=uid_from(author.attrib.get("href")), body_html=body[0].get(),
        views=parse_count(stats[0]) if stats else None, comments=parse_count(stats[1]) if len(stats) > 1 else None,
        raw=subject[0].get() + "\n" + first[0].get(),
    )
