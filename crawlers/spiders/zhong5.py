"""中吴网 spider (www.zhong5.cn, Discuz! X3): portal category lists and forum boards, forum keyword search.

FORMATS.md §4. Boards are configured as ``portal:{catid}`` and ``forum:{fid}``. List and search pages are
read newest first; a new post in the window is fetched (``article-{aid}-1.html`` / ``thread-{tid}-1-1.html``),
a known one yields an engagement sighting from its row (forum rows and search results show replies and
views; portal lists show no counts). Only page 1 of a multi-page article is fetched: such a post is stored
with ``truncated`` set. The search needs the form's ``formhash`` and answers the POST with a 302 to the
result page. A ``showmessage`` page with the flood-control or guest-refusal text is blocked, never "no results".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.parsing.text import html_to_text
from crawlers.spiders import zhong5_parse as z5
from crawlers.spiders.base import SourceSpider
from storage.records import EngagementSighting, PostRecord


class Zhong5Spider(SourceSpider):
    """Discuz! X portal + forum of 中吴网."""

    name = "zhong5"
    allowed_domains = ["www.zhong5.cn"]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for board in self.boards:
            request = self.board_request(board, 1)
            if request is None:
                self.logger.warning("zhong5: board %r is neither portal:{catid} nor forum:{fid}; skipped", board)
                continue
            yield request
        for keyword in self.keywords:
            yield scrapy.Request(z5.SEARCH_URL, callback=self.parse_search_form, cb_kwargs={"keyword": keyword},
                                 dont_filter=True)

    def board_request(self, board: str, page: int, url: str | None = None) -> scrapy.Request | None:
        kind, _, board_id = board.partition(":")
        if not board_id.isdigit() or kind not in ("portal", "forum"):
            return None
        default = (f"{z5.BASE_URL}portal.php?mod=list&catid={board_id}&page={page}" if kind == "portal"
                   else f"{z5.BASE_URL}forum-{board_id}-{page}.html")
        return scrapy.Request(url or default, callback=self.parse_board, cb_kwargs={"board": board, "page": page})

    # -- health ------------------------------------------------------------------------------------------

    def blocked_reason(self, response: Response) -> str | None:
        """A Discuz ``showmessage`` page refusing us: flood control or the guest group's refusal."""
        if not isinstance(response, TextResponse) or b"messagetext" not in response.body:
            return None
        return z5.blocked_reason_of(z5.message_text(response))

    # -- lists -------------------------------------------------------------------------------------------

    def parse_board(self, response: Response, board: str, page: int) -> Iterator[Any]:
        """A portal category list or forum board page: fetch new posts, sight known ones, maybe page on."""
        portal = board.startswith("portal:")
        entries = z5.parse_portal_list(response) if portal else z5.parse_forum_list(response)
        if not entries:
            if not z5.shows_no_results(response):
                self.report_empty(response, "portal articles" if portal else "forum threads")
            return
        recent = yield from self.follow(response, entries)
        following = z5.next_page_url(response)
        if recent and following and page < self.max_pages:
            yield self.board_request(board, page + 1, following)

    def follow(self, response: Response, entries: list[z5.ListEntry]) -> Iterator[Any]:
        """Requests and sightings for the in-window entries; returns whether any unpinned entry was in the window."""
        recent = False
        for entry in entries:
            moment = self.entry_date(response, entry)
            if moment is None or not self.in_window(moment):
                continue
            recent = recent or not entry.pinned
            if self.is_known(entry.post_id):
                if entry.comments is not None or entry.views is not None:
                    yield EngagementSighting(self.source, entry.post_id, comments=entry.comments, views=entry.views)
                continue
            if self.claim(entry.post_id):
                callback = self.parse_article if entry.post_id.startswith("a") else self.parse_thread
                yield scrapy.Request(entry.url, callback=callback)
        return recent

    def entry_date(self, response: Response, entry: z5.ListEntry) -> datetime | None:
        try:
            return self.parse_date(entry.date_text)
        except ValueError as exc:
            self.report_parse_failure(response, f"{entry.post_id}: {exc}")
            return None

    # -- search ------------------------------------------------------------------------------------------

    def parse_search_form(self, response: Response, keyword: str) -> Iterator[Any]:
        formhash = z5.search_formhash(response)
        if not formhash:
            self.report_parse_failure(response, "no formhash in form.searchform")
            return
        yield self.paced_search(scrapy.FormRequest(
            z5.search_url(keyword), formdata={"srchtxt": keyword, "searchsubmit": "yes", "formhash": formhash},
            callback=self.parse_search, cb_kwargs={"keyword": keyword, "page": 1}, dont_filter=True,
        ))

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        """A result page (after the POST's redirect): threads in the window, then the next page."""
        entries = z5.parse_search_results(response)
        if not entries:
            if not z5.shows_no_results(response):
                self.report_empty(response, f"search results for {keyword!r}")
            return
        recent = yield from self.follow(response, entries)
        following = z5.next_page_url(response)
        if recent and following and page < self.max_pages:
            yield scrapy.Request(following, callback=self.parse_search,
                                 cb_kwargs={"keyword": keyword, "page": page + 1})

    # -- detail pages ------------------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[PostRecord]:
        yield from self.emit(response, z5.parse_article(response, response.url), "portal article")

    def parse_thread(self, response: Response) -> Iterator[PostRecord]:
        yield from self.emit(response, z5.parse_thread(response, response.url), "thread first post")

    def emit(self, response: Response, detail: z5.Detail | None, what: str) -> Iterator[PostRecord]:
        if detail is None:
            self.report_parse_failure(response, f"no {what} on the page")
            return
        published = self.parse_date(detail.date_text)
        if not self.in_window(published):
            return
        yield PostRecord(
            source=self.source, id=detail.post_id, url=detail.url, title=detail.title,
            text=html_to_text(detail.body_html), author=detail.author, published_at=published,
            comments=detail.comments, views=detail.views, truncated=detail.more_pages,
            author_id=detail.author_uid, raw=detail.raw,
        )
