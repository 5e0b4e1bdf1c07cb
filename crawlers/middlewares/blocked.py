"""Source health in the engine: drop blocked pages (counted by reason) and count exceptions in parse callbacks.

``BlockedPageMiddleware`` asks the spider's ``blocked_reason(response)`` about every response (robots.txt
excepted); a response the spider does not explain but whose HTTP status refuses us (401, 403, 418, 432, 451) is
blocked as ``http_<status>``. A blocked response is dropped with a warning naming its status and URL, so a captcha
or a 403 never reads as "no posts". 429 is not a block: the retry middleware backs off and retries it.
``ParseFailureMiddleware`` turns an exception in a callback into a counted, logged parse failure: one bad page
never stops the crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError

logger = logging.getLogger(__name__)
# Statuses by which a site refuses us (432: Weibo without a cookie); 429 (slow down) is left to the retry middleware.
BLOCKING_STATUSES = frozenset({401, 403, 418, 432, 451})


class BlockedPageMiddleware:
    """Downloader middleware: a response the spider calls blocked, or a refusing status, is dropped and counted."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BlockedPageMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_obey_robotstxt"):
            return response
        reason = self.blocked_reason(response)
        if not reason:
            return response
        self.stats.inc_value("yuqing/blocked")
        self.stats.inc_value(f"yuqing/blocked_reasons/{reason}")
        logger.warning("blocked (%s): %s %s", reason, response.status, response.url)
        raise IgnoreRequest(f"blocked ({reason}): {response.url}")

    def blocked_reason(self, response: Response) -> str | None:
        """The spider's own reason (the more specific one), else ``http_<status>`` for a refusing status."""
        spider = self.crawler.spider
        reason = spider.blocked_reason(response) if hasattr(spider, "blocked_reason") else None
        if not reason and response.status in BLOCKING_STATUSES:
            return f"http_{response.status}"
        return reason


class ParseFailureMiddleware:
    """Spider middleware: an exception raised by a callback is a parse failure of that page, not a crash."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ParseFailureMiddleware":
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if isinstance(exception, HttpError):
            return None  # Scrapy's HttpErrorMiddleware reports non-2xx responses
        spider = self.crawler.spider
        if hasattr(spider, "report_parse_failure"):
            spider.report_parse_failure(response, exception)
        else:
            self.crawler.stats.inc_value("yuqing/parse_failures")
            logger.warning("parse failure at %s: %r", response.url, exception)
        logger.debug("parse failure traceback for %s", response.url, exc_info=exception)
        return []
