"""Offline replay: answer every request (robots.txt included) from ``<dir>/<source>/manifest.json``.

Active when the setting ``YUQING_REPLAY_DIR`` is set. A fixture becomes the same Scrapy response class a live
download would give (chosen from its Content-Type and body), with the recorded status, headers and raw bytes,
so encoding detection, decompression and redirects run exactly as live. A request without a fixture is an
error naming its URL, counted as ``yuqing/replay_missing``, and dropped: it never reads as "no posts".
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.spiders import Spider

from crawlers.fixtures import Fixture, Manifest, ManifestError, load_manifest, manifest_path

logger = logging.getLogger(__name__)


class ReplayMiddleware:
    """Downloader middleware serving recorded responses in place of the network."""

    def __init__(self, crawler: Crawler, directory: str, round_no: int) -> None:
        self.crawler = crawler
        self.directory = directory
        self.round_no = round_no
        self.manifest: Manifest | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReplayMiddleware":
        directory = crawler.settings.get("YUQING_REPLAY_DIR")
        if not directory:
            raise NotConfigured()
        middleware = cls(crawler, directory, crawler.settings.getint("YUQING_REPLAY_ROUND", 1))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source", spider.name)
        try:
            self.manifest = self._spiders_manifest(spider, source) or load_manifest(self.directory, source)
        except ManifestError as exc:
            logger.error("replay: %s", exc)
        else:
            logger.info("replay: %s round %d from %s", source, self.round_no, self.manifest.directory)

    def _spiders_manifest(self, spider: Spider, source: str) -> Manifest | None:
        """The manifest a ``SourceSpider`` already read from this directory (a large one takes a while to read)."""
        manifest = getattr(spider, "replay_manifest", None)
        if manifest is not None and manifest.directory == manifest_path(self.directory, source).parent:
            return manifest
        return None

    def process_request(self, request: Request) -> Response:
        fixture = self.manifest.lookup(request.method, request.url, self.round_no) if self.manifest else None
        if fixture is None:
            return self._missing(request)
        try:
            body = fixture.file.read_bytes()
        except OSError as exc:
            logger.error("replay: fixture file for %s %s cannot be read: %s", request.method, request.url, exc)
            return self._missing(request)
        return build_response(request, fixture, body)

    def _missing(self, request: Request) -> Response:
        self.crawler.stats.inc_value("yuqing/replay_missing")
        logger.error("replay: no fixture for %s %s (round %d)", request.method, request.url, self.round_no)
        raise IgnoreRequest(f"no fixture for {request.method} {request.url}")


def build_response(request: Request, fixture: Fixture, body: bytes) -> Response:
    """The response a live download of ``request`` would have produced from this status, headers and body."""
    headers = Headers(fixture.headers)
    response_class = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return response_class(
        url=request.url, status=fixture.status, headers=headers, body=body, request=request, flags=["replay"]
    )
