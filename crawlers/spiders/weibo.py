"""微博 spider: m.weibo.cn 实时 keyword search (JSON cards), ``statuses/extend`` for the full text of long posts.

FORMATS.md §1.1. Each keyword's search is read newest first, page by page (``cardlistInfo.page`` is the next
page), until a page reaches posts older than the window, results end (``ok:0`` 这里还没有内容) or
``max_pages``. A repost is its own post; the original it quotes is yielded too when it is whole and recent.
Known posts get an engagement sighting. ``ok:-100`` (captcha / login wall), HTTP 432 and the Sina Visitor
System page are blocked; a long post whose ``extend`` fails keeps its list abstract, marked truncated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.spiders.base import SourceSpider
from crawlers.spiders.weibo_parse import (
    EXTEND_API,
    VISITOR_MARK,
    WeiboFormatError,
    blocked_kind,
    detail_url,
    extend_url,
    is_long_text,
    load_json,
    mblog_id,
    parse_extend,
    parse_search_page,
    post_record,
    retweeted_original,
    search_referer,
    search_url,
    to_raw,
)
from storage.records import EngagementSighting, PostRecord

XSRF_COOKIE = re.compile(r"(?:^|;)\s*XSRF-TOKEN=([^;\s]+)")
Item = PostRecord | EngagementSighting | scrapy.Request


class WeiboSpider(SourceSpider):
    """Keyword search on m.weibo.cn's 实时 tab, with long-text expansion."""

    name = "weibo"
    allowed_domains = ["m.weibo.cn"]
    handle_httpstatus_list = [432]  # the blocked-page middleware must see it; never retried

    def start_requests(self) -> Iterator[scrapy.Request]:
        for keyword in self.keywords:
            yield self.paced_search(self.search_request(keyword, page=1, depth=1))

    def search_request(self, keyword: str, page: int, depth: int) -> scrapy.Request:
        """One search page; ``depth`` counts the pages read for this keyword so far."""
        return scrapy.Request(
            search_url(keyword, page),
            headers=self.api_headers(search_referer(keyword)),
            callback=self.parse_search,
            cb_kwargs={"keyword": keyword, "depth": depth},
        )

    def api_headers(self, referer: str) -> dict[str, str]:
        """The headers the mobile web client sends to the JSON API (X-XSRF-TOKEN only with a cookie)."""
        headers = {"Accept": "application/json, text/plain, */*", "Referer": referer,
                   "X-Requested-With": "XMLHttpRequest", "MWeibo-Pwa": "1"}
        token = self._xsrf_token()
        if token:
            headers["X-XSRF-TOKEN"] = token
        return headers

    def _xsrf_token(self) -> str | None:
        cookie = getattr(getattr(self, "source_config", None), "cookie", None)
        match = XSRF_COOKIE.search(cookie.get_secret_value()) if cookie is not None else None
        return match[1] if match else None

    # -- health ------------------------------------------------------------------------------------------

    def blocked_reason(self, response: Response) -> str | None:
        """``http_432``, ``captcha``, ``login_wall`` or ``visitor_system`` (not for ``extend``: it only costs text)."""
        return blocked_kind(response.status, response.body, tolerate_visitor=response.url.startswith(EXTEND_API))

    # -- search pages ------------------------------------------------------------------------------------

    def parse_search(self, response: Response, keyword: str, depth: int) -> Iterator[Item]:
        try:
            page = parse_search_page(load_json(response.body))
        except WeiboFormatError as exc:
            self.report_parse_failure(response, exc)
            return
        if page.ended:
            self.logger.info("weibo: no more results for %r at %s", keyword, response.url)
            return
        if not page.cards:
            self.report_empty(response, "微博 cards")
        reached_old = False
        for card in page.cards:
            items, in_window = self.card_items(response, card)
            reached_old = reached_old or in_window is False
            yield from items
        if not reached_old and page.next_page and depth < self.max_pages:
            yield self.search_request(keyword, page.next_page, depth + 1)

    def card_items(self, response: Response, card: dict[str, Any]) -> tuple[list[Item], bool | None]:
        """What one post card yields, and whether its post is inside the window (None: unreadable card)."""
        mblog = card["mblog"]
        try:
            published = self.parse_date(str(mblog.get("created_at") or ""))
            if not self.in_window(published):
                return [], False
            items = self.mblog_items(mblog, to_raw(card))
            original = retweeted_original(mblog)
            if original is not None and self.in_window(self.parse_date(str(original["created_at"]))):
                items += self.mblog_items(original, to_raw(original, repost=mblog))
        except (WeiboFormatError, ValueError, KeyError, TypeError) as exc:
            self.report_parse_failure(response, f"card {mblog.get('mid') or mblog.get('id')}: {exc!r}")
            return [], None
        return items, True

    def mblog_items(self, mblog: dict[str, Any], raw: str) -> list[Item]:
        """A sighting for a known post; a record, or the ``extend`` request of a long post, for a new one."""
        mid = mblog_id(mblog)
        if self.is_known(mid):
            return [EngagementSighting(
                source=self.source, id=mid, reposts=self.parse_count(mblog.get("reposts_count")),
                comments=self.parse_count(mblog.get("comments_count")),
                likes=self.parse_count(mblog.get("attitudes_count")), views=None,
            )]
        if is_long_text(mblog):
            return [self.extend_request(mblog, raw)]
        return [self.record(mblog, raw)]

    def record(self, mblog: dict[str, Any], raw: str, full_text_html: str | None = None) -> PostRecord:
        return post_record(mblog, raw, self.parse_date, self.parse_count,
                           full_text_html=full_text_html, source=self.source)

    # -- long text ---------------------------------------------------------------------------------------

    def extend_request(self, mblog: dict[str, Any], raw: str) -> scrapy.Request:
        mid = mblog_id(mblog)
        return scrapy.Request(
            extend_url(mid),
            headers=self.api_headers(detail_url(mid)),
            callback=self.parse_extend,
            errback=self.extend_failed,
            cb_kwargs={"mblog": mblog, "raw": raw},
        )

    def parse_extend(self, response: Response, mblog: dict[str, Any], raw: str) -> Iterator[PostRecord]:
        """The full text; the Sina Visitor System page or bad JSON keeps the abstract (a counted challenge)."""
        try:
            full_text_html = parse_extend(load_json(response.body))
        except WeiboFormatError:
            what = "visitor_system" if VISITOR_MARK in response.body[:4096] else "extend answer is not JSON"
            self.report_challenge(response, what)
            full_text_html = None
        yield self.record(mblog, raw, full_text_html)

    def extend_failed(self, failure: Failure) -> Iterator[PostRecord]:
        """An ``extend`` request blocked or failed: the post is still stored, with its abstract."""
        request = failure.request
        self.logger.warning("weibo: no full text for %s: %s", request.url, failure.getErrorMessage())
        yield self.record(request.cb_kwargs["mblog"], request.cb_kwargs["raw"])

