"""``CharsetRepairMiddleware``: every HTML page reaches the spiders decoded with the encoding its bytes are in.

A page whose declared charset is wrong for its bytes (GBK served as UTF-8, or the reverse) is re-decoded
(``crawlers.parsing.encoding``), counted as ``yuqing/charset_fixed`` and logged: a warning for the first page
of a crawl, debug lines after it. A page whose bytes no candidate decodes is passed on as it is but reported as
a parse failure of that page, so garbled text is never stored silently. Live crawls and replays alike go
through it; the recorder, nearer the network, keeps the bytes as they came.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response

from crawlers.parsing.encoding import has_undecodable_bytes, redecoded

logger = logging.getLogger(__name__)

FIXED_KEY = "yuqing/charset_fixed"


class CharsetRepairMiddleware:
    """Downloader middleware: re-decode HTML pages whose charset is wrong, report the ones still garbled."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CharsetRepairMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or request.meta.get("dont_obey_robotstxt"):
            return response  # JSON, feeds and robots.txt are read by their own rules, not as pages
        fixed = redecoded(response)
        if fixed is not None:
            self._count_fixed(response, fixed.encoding)
            return fixed
        if has_undecodable_bytes(response):
            self._report_garbled(response)
        return response

    def _count_fixed(self, response: HtmlResponse, encoding: str) -> None:
        first = not self.stats.get_value(FIXED_KEY)
        self.stats.inc_value(FIXED_KEY)
        logger.log(logging.WARNING if first else logging.DEBUG,
                   "%s: charset %s is wrong, re-decoded as %s: %s%s", self._source(), response.encoding, encoding,
                   response.url, " (further pages are only counted as yuqing/charset_fixed)" if first else "")

    def _report_garbled(self, response: HtmlResponse) -> None:
        error = f"bytes undecodable as {response.encoding}, UTF-8 or GB18030 (replacement characters kept)"
        spider = self.crawler.spider
        if hasattr(spider, "report_parse_failure"):
            spider.report_parse_failure(response, error)
        else:
            self.stats.inc_value("yuqing/parse_failures")
            logger.warning("%s: parse failure at %s: %s", self._source(), response.url, error)

    def _source(self) -> str:
        spider = self.crawler.spider
        return getattr(spider, "source", None) or getattr(spider, "name", "?")
