"""今日头条 spider: so.toutiao.com 资讯 search (embedded druid JSON cards), then article pages for full text.

FORMATS.md §2.1/2.2. Search pages are paginated with ``page_num``/``search_id``; a new Toutiao-hosted article
is fetched for its full text, 微头条 and external results are stored from their card. Known posts get an
engagement sighting from the card's counters. The captcha card, a 302 to a verify page and an empty shell
(twice in a row) are blocked; an article page answered by the JS challenge keeps the abstract (truncated).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.spiders.base import SourceSpider
from crawlers.spiders.toutiao_parse import (
    SEARCH_URL,
    Article,
    SearchPage,
    SearchResult,
    is_challenge,
    parse_article,
    parse_search_page,
    search_url,
)
from storage.records import EngagementSighting, PostRecord

REDIRECTS = (301, 302, 303, 307, 308)
PAGINATION_FORM = "source=pagination"
DRUID_MARK = "data-druid-card-data-id"


class ToutiaoSpider(SourceSpider):
    """Keyword search on so.toutiao.com (``pd=information``) with article detail pages."""

    name = "toutiao"
    allowed_domains = ["toutiao.com"]

    def start_requests(self) -> Iterator[scrapy.Request]:
        for keyword in self.keywords:
            yield self.paced_search(self.search_request(keyword, 0))

    def search_request(self, keyword: str, page_num: int, search_id: str | None = None,
                       shell_retry: bool = False) -> scrapy.Request:
        """A SERP request; redirects are not followed, so a 302 to a verify page reaches ``blocked_reason``."""
        return scrapy.Request(
            search_url(keyword, page_num, search_id, pagination=shell_retry),
            callback=self.parse_search,
            cb_kwargs={"keyword": keyword, "page_num": page_num, "search_id": search_id},
            meta={"dont_redirect": True, "handle_httpstatus_list": list(REDIRECTS)},
            dont_filter=shell_retry,
        )

    # -- health ------------------------------------------------------------------------------------------

    def blocked_reason(self, response: Response) -> str | None:
        """Captcha card, a redirect to verify/captcha, or an empty shell in the pagination form (the retry's form).

        Decided from the response alone: live, the downloader's response does not carry its request yet.
        """
        if response.status in REDIRECTS:
            location = response.headers.get("Location", b"").decode("latin-1").lower()
            return "captcha_redirect" if "verify" in location or "captcha" in location else None
        if not isinstance(response, TextResponse) or not response.url.startswith(SEARCH_URL):
            return None
        text = response.text
        if "71-undefined" in text and parse_search_page(text).captcha:
            return "captcha"
        if PAGINATION_FORM in response.url and DRUID_MARK not in text and parse_search_page(text).shell:
            return "empty_shell"
        return None

    # -- search pages ------------------------------------------------------------------------------------

    def parse_search(self, response: Response, keyword: str, page_num: int,
                     search_id: str | None = None) -> Iterator[Any]:
        if response.status in REDIRECTS:
            yield from self._follow_redirect(response)
            return
        page = parse_search_page(response.text)
        if page.shell:  # page 0 in the input form: retry once in the pagination form (that one is blocked if empty)
            if PAGINATION_FORM not in response.url:
                yield self.search_request(keyword, page_num, search_id, shell_retry=True)
            return
        for payload in page.bad_payloads:
            self.report_parse_failure(response, f"malformed card JSON: {payload}")
        if not page.results:
            self.report_empty(response, "search results")
            return
        dates = [self._card_date(response, result) for result in page.results]
        for result, published in zip(page.results, dates):
            yield from self.handle_result(response, result, published)
        if self._more_pages(page, page_num, dates):
            yield self.search_request(keyword, page_num + 1, page.search_id or search_id)

    def _follow_redirect(self, response: Response) -> Iterator[scrapy.Request]:
        """A redirect that is not a verify page (those are blocked): follow it once."""
        location = response.headers.get("Location")
        if location and not response.meta.get("toutiao_redirected"):
            request = response.request.replace(url=response.urljoin(location.decode("latin-1")), dont_filter=True)
            request.meta["toutiao_redirected"] = True
            yield request

    def _more_pages(self, page: SearchPage, page_num: int, dates: list[datetime | None]) -> bool:
        """Another page while under ``max_pages`` and this page held at least one post inside the window."""
        known = [moment for moment in dates if moment is not None]
        all_old = bool(known) and not any(self.in_window(moment) for moment in known)
        return page_num + 1 < self.max_pages and not all_old and bool(page.search_id)

    def _card_date(self, response: Response, result: SearchResult) -> datetime | None:
        return None if result.published is None else self.date_or_none(response, result.published)

    def handle_result(self, response: Response, result: SearchResult, published: datetime | None) -> Iterator[Any]:
        """A sighting for a known post; the article page for a new hosted article; else a record from the card."""
        if published is not None and not self.in_window(published):
            return
        if self.is_known(result.id):
            yield EngagementSighting(self.source, result.id, None, result.comments, result.likes, result.views)
            return
        if not self.claim(result.id):
            return
        if result.kind == "article":
            yield scrapy.Request(result.url, callback=self.parse_article,
                                 cb_kwargs={"result": result, "published": published})
        elif published is None:
            self.report_parse_failure(response, f"no publish time in card {result.id}")
        else:
            yield self.card_record(result, published, truncated=result.kind == "external")

    # -- article pages -----------------------------------------------------------------------------------

    def parse_article(self, response: Response, result: SearchResult,
                      published: datetime | None = None) -> Iterator[PostRecord]:
        article = parse_article(response.text, author_id=result.author_id)
        if article is None:
            if is_challenge(response.text):
                self.report_challenge(response, "article page __ac_nonce JS challenge")
            else:
                self.report_parse_failure(response, "article page without div.article-content")
            if published is not None:
                yield self.card_record(result, published, truncated=True)
            return
        published = published or self._article_date(response, article)
        if published is not None and self.in_window(published):
            yield self.article_record(result, article, published)

    def _article_date(self, response: Response, article: Article) -> datetime | None:
        if not article.published:
            self.report_parse_failure(response, "article page without a publish time")
            return None
        return self.date_or_none(response, article.published)

    def card_record(self, result: SearchResult, published: datetime, truncated: bool) -> PostRecord:
        """A post as its search card shows it (the abstract, or a 微头条's whole content)."""
        return PostRecord(
            source=self.source, id=result.id, url=result.url, title=result.title,
            text=result.text or result.title, author=result.author, published_at=published,
            reposts=None, comments=result.comments, likes=result.likes, views=result.views,
            truncated=truncated, author_id=result.author_id, raw=result.raw,
        )

    def article_record(self, result: SearchResult, article: Article, published: datetime) -> PostRecord:
        """A post with the article page's full text; counters from the page where it shows them."""
        return PostRecord(
            source=self.source, id=result.id, url=result.url, title=article.title or result.title,
            text=article.text or result.text or result.title, author=article.author or result.author,
            published_at=published, reposts=None,
            comments=_either(article.comments, result.comments), likes=_either(article.likes, result.likes),
            views=result.views, truncated=not article.text,
            author_id=result.author_id or article.author_id, raw=article.raw,
        )


def _either(first: int | None, second: int | None) -> int | None:
    return first if first is not None else second
