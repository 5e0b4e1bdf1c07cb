"""Scrapy's retry, with exponential backoff: every retry doubles the delay of the site's download slot."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry as Scrapy does, and slow the whole site down: base, 2×base, 4×base … up to a ceiling."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffRetryMiddleware":
        middleware = super().from_crawler(crawler)
        middleware.backoff_base = crawler.settings.getfloat("RETRY_BACKOFF_BASE_S", 5.0)
        middleware.backoff_max = crawler.settings.getfloat("RETRY_BACKOFF_MAX_S", 300.0)
        return middleware

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None and self.backoff_base > 0:
            self._slow_down(request)
        return retry

    def _slow_down(self, request: Request) -> None:
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            slot.delay = min(self.backoff_max, max(slot.delay * 2, self.backoff_base))
