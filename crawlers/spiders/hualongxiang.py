"""化龙巷 spider: PHPWind 8 board lists and so.hualongxiang.com search, then GBK thread pages for new threads.

FORMATS.md §3. Lists are read newest first, up to ``max_pages`` pages per board or keyword, and paging stops
at a page whose (unpinned) threads are all older than the window. A known thread gets an engagement sighting
(replies → comments, views) from the list; a new one is fetched from its canonical ``read.php?tid=`` URL.
The WAF's security-verify page is blocked (never retried, never solved). A page whose declared charset is
wrong for its GBK bytes reaches the callbacks already re-decoded (``crawlers.middlewares.encoding``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.spiders.base import SourceSpider
from crawlers.spiders.hualongxiang_parse import (
    ListedThread,
    ListPage,
    board_url,
    is_security_verify,
    parse_board_page,
    parse_search_page,
    parse_thread_page,
    search_url,
    thread_url,
)
from storage.records import EngagementSighting, PostRecord

DAY_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


class HualongxiangSpider(SourceSpider):
    """Board lists (``thread.php?fid=``) and site search, with thread pages (``read.php?tid=``)."""

    name = "hualongxiang"
    allowed_domains = ["hualongxiang.com"]

    def start_requests(self) -> Iterator[scrapy.Request]:
        for fid in self.boards:
            yield self.board_request(fid, 1)
        for keyword in self.keywords:
            yield self.paced_search(self.search_request(keyword, 1))

    def board_request(self, fid: str, page: int) -> scrapy.Request:
        return scrapy.Request(board_url(fid, page), callback=self.parse_board, cb_kwargs={"fid": fid, "page": page})

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        return scrapy.Request(search_url(keyword, page), callback=self.parse_search,
                              cb_kwargs={"keyword": keyword, "page": page})

    # -- health ------------------------------------------------------------------------------------------

    def blocked_reason(self, response: Response) -> str | None:
        """The WAF's JS security-verify page (``security_verify_data`` redirect, no post on it)."""
        if isinstance(response, TextResponse) and is_security_verify(response):
            return "security_verify"
        return None

    # -- list pages --------------------------------------------------------------------------------------

    def parse_board(self, response: TextResponse, fid: str, page: int) -> Iterator[Any]:
        listing = parse_board_page(response, page)
        if not listing.threads:
            self.report_empty(response, f"threads on board {fid} page {page}")
            return
        yield from self.handle_listing(response, listing, page, lambda: self.board_request(fid, page + 1))

    def parse_search(self, response: TextResponse, keyword: str, page: int) -> Iterator[Any]:
        listing = parse_search_page(response, page)
        if not listing.threads:
            if listing.total != 0:  # "找到相关帖子0篇" is an answer, not a layout change
                self.report_empty(response, f"search results for {keyword!r} page {page}")
            return
        yield from self.handle_listing(response, listing, page, lambda: self.search_request(keyword, page + 1))

    def handle_listing(self, response: Response, listing: ListPage, page: int,
                       next_page: Callable[[], scrapy.Request]) -> Iterator[Any]:
        """Sightings and thread requests for the page's recent threads; the next page while any is recent."""
        recent = False
        for thread in listing.threads:
            latest = self.latest_moment(response, thread)
            if latest is not None and not self.in_window(latest):
                continue
            recent = recent or not thread.pinned
            yield from self.handle_thread(thread)
        if recent and listing.has_next and page < self.max_pages:
            yield next_page()

    def latest_moment(self, response: Response, thread: ListedThread) -> datetime | None:
        """The latest moment the list's date allows: a bare day (board lists) counts to its end."""
        moment = self.date_or_none(response, thread.date_text) if thread.date_text else None
        if moment is None:
            return None
        return moment + timedelta(days=1, seconds=-1) if DAY_ONLY.fullmatch(thread.date_text) else moment

    def handle_thread(self, thread: ListedThread) -> Iterator[Any]:
        if self.is_known(thread.tid):
            if thread.replies is not None or thread.views is not None:
                yield EngagementSighting(self.source, thread.tid, None, thread.replies, None, thread.views)
            return
        if self.claim(thread.tid):
            yield scrapy.Request(thread_url(thread.tid), callback=self.parse_thread, cb_kwargs={"tid": thread.tid})

    # -- thread pages ------------------------------------------------------------------------------------

    def parse_thread(self, response: TextResponse, tid: str) -> Iterator[PostRecord]:
        try:
            page = parse_thread_page(response)
            published = self.parse_date(page.published_text)
        except ValueError as error:
            self.report_parse_failure(response, error)
            return
        if not self.in_window(published):
            return
        yield PostRecord(
            source=self.source, id=tid, url=thread_url(tid), title=page.title, text=page.text,
            author=page.author, published_at=published, reposts=None, comments=page.replies, likes=None,
            views=page.views, author_id=page.author_id, raw=page.raw,
        )
