"""Source health in the engine: drop blocked pages (counted by reason) and count exceptions in parse callbacks.

``BlockedPageMiddleware`` asks the spider's ``blocked_reason(response)`` about every response (robots.txt
excepted) and drops a blocked one with a warning naming its URL, so a captcha never reads as "no posts".
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


class BlockedPageMiddleware:
    """Downloader middleware: a response the spider calls blocked is dropped and counted."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BlockedPageMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        if request.meta.get("dont_obey_robotstxt") or not hasattr(spider, "blocked_reason"):
            return response
        reason = spider.blocked_reason(response)
        if not reason:
            return response
        self.stats.inc_value("yuqing/blocked")
        self.stats.inc_value(f"yuqing/blocked_reasons/{reason}")
        logger.warning("blocked (%s): %s %s", reason, response.status, response.url)
        raise IgnoreRequest(f"blocked ({reason}): {response.url}")


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
