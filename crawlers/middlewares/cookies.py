"""Send the operator's own session cookie (a secret from config) to its source's hosts, never logging it."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class SourceCookieMiddleware:
    """Downloader middleware: add ``spider.source_config.cookie`` to the ``Cookie`` header of the source's requests.

    It runs after Scrapy's cookie jar (which rewrites the header): cookies the site set during the crawl
    are kept, and the operator's values win where both name the same cookie. Only the source's own hosts
    (:func:`cookie_domains`) get it, each with its subdomains; any other host (a feed entry linking
    elsewhere, a tracker) never does. Off while replaying.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.withheld_from: set[str] = set()

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
        host = urlparse_cached(request).hostname or ""
        if not _host_in(host, cookie_domains(spider)):
            self._note_withheld(spider, host)
            return
        jar = (request.headers.get(b"Cookie") or b"").decode("latin-1")
        request.headers[b"Cookie"] = merge_cookies(cookie.get_secret_value(), jar)

    def _note_withheld(self, spider: Spider, host: str) -> None:
        if host not in self.withheld_from:
            self.withheld_from.add(host)
            logger.info("%s: the source's cookie is not sent to %s (not one of its hosts)",
                        getattr(spider, "source", spider.name), host)


def cookie_domains(spider: Spider) -> list[str]:
    """The domains the source's cookie may go to: config's ``allowed_domains``, else the spider's, else the hosts
    of the source's configured URLs (``feed_url``, ``list_page.url``). Empty means nowhere, never everywhere."""
    config = spider.source_config
    named = list(config.allowed_domains) or list(getattr(spider, "allowed_domains", None) or [])
    if named:
        return named
    urls = (config.feed_url, config.list_page.url if config.list_page else None)
    return [host for url in urls if url and (host := urlparse(url).hostname)]


def merge_cookies(operator: str, jar: str) -> str:
    """``name=value`` pairs of both headers; the operator's value wins for a name in both."""
    pairs = dict(_pairs(jar)) | dict(_pairs(operator))
    return "; ".join(f"{name}={value}" for name, value in pairs.items())


def _pairs(header: str) -> list[tuple[str, str]]:
    parts = (part.strip().partition("=") for part in header.split(";"))
    return [(name.strip(), value.strip()) for name, _, value in parts if name.strip()]


def _host_in(host: str, domains: list[str]) -> bool:
    host = host.lower()
    return bool(host) and any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)
