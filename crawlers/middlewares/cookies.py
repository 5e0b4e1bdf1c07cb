"""Send the operator's own session cookie (a secret from config) to its source's hosts, never logging it."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached


class SourceCookieMiddleware:
    """Downloader middleware: add ``spider.source_config.cookie`` to the ``Cookie`` header of the source's requests.

    It runs after Scrapy's cookie jar (which rewrites the header): cookies the site set during the crawl
    are kept, and the operator's values win where both name the same cookie. Only hosts in the source's
    ``allowed_domains`` (the spider's, when config names none) get it. Off while replaying.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SourceCookieMiddleware":
        if crawler.settings.get("YUQING_REPLAY_DIR"):
            raise NotConfigured()  # replaying: no cookies are sent
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        source_config = getattr(spider, "source_config", None)
        cookie = source_config.cookie if source_config is not None else None
        if cookie is None:
            return
        domains = list(source_config.allowed_domains) or list(getattr(spider, "allowed_domains", None) or [])
        if domains and not _host_in(urlparse_cached(request).hostname or "", domains):
            return
        jar = (request.headers.get(b"Cookie") or b"").decode("latin-1")
        request.headers[b"Cookie"] = merge_cookies(cookie.get_secret_value(), jar)


def merge_cookies(operator: str, jar: str) -> str:
    """``name=value`` pairs of both headers; the operator's value wins for a name in both."""
    pairs = dict(_pairs(jar)) | dict(_pairs(operator))
    return "; ".join(f"{name}={value}" for name, value in pairs.items())


def _pairs(header: str) -> list[tuple[str, str]]:
    parts = (part.strip().partition("=") for part in header.split(";"))
    return [(name.strip(), value.strip()) for name, _, value in parts if name.strip()]


def _host_in(host: str, domains: list[str]) -> bool:
    host = host.lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)
