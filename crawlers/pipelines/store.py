"""``StorePipeline``: buffer the posts and engagement sightings a spider yields and store them in batches.

One ``storage.upsert_posts`` call per ~500 items keeps the database cost per post small; the buffer is
flushed when the spider closes. A batch the database refuses is retried item by item, so one bad post costs
only itself (logged, counted as ``yuqing/store_failures``). New and updated posts are counted as
``yuqing/posts_new`` / ``yuqing/posts_updated``; every item as ``yuqing/items``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler

from crawlers.database import crawl_database
from storage import Database, EngagementSighting, PostRecord, upsert_posts

logger = logging.getLogger(__name__)

StoredItem = PostRecord | EngagementSighting


class StorePipeline:
    """Item pipeline writing ``PostRecord`` / ``EngagementSighting`` items through ``storage.upsert_posts``."""

    def __init__(self, crawler: Crawler, batch_size: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch_size = batch_size
        self.buffer: list[StoredItem] = []
        self.database: Database | None = None
        self.fetched_at: datetime | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        return cls(crawler, max(1, crawler.settings.getint("YUQING_STORE_BATCH", 500)))

    def open_spider(self) -> None:
        spider = self.crawler.spider
        url = self.crawler.settings.get("YUQING_DB_URL") or getattr(spider, "db_url", None)
        if not url:
            raise ValueError("StorePipeline needs the setting YUQING_DB_URL or a SourceSpider with a config")
        self.database = crawl_database(url)
        self.fetched_at = getattr(spider, "now", None)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PostRecord | EngagementSighting):
            self.buffer.append(item)
            self.stats.inc_value("yuqing/items")
            if len(self.buffer) >= self.batch_size:
                self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        """Store the buffered items; on a refused batch, store them one by one."""
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        try:
            self._store(batch)
        except Exception as exc:  # noqa: BLE001 - any database refusal: fall back to single items
            logger.warning("storing a batch of %d items failed (%s); storing them one by one", len(batch), exc)
            for item in batch:
                self._store_one(item)

    def _store_one(self, item: StoredItem) -> None:
        try:
            self._store([item])
        except Exception:  # noqa: BLE001 - one bad post is logged and skipped, the crawl goes on
            self.stats.inc_value("yuqing/store_failures")
            logger.exception("could not store %s:%s", item.source, item.id)

    def _store(self, batch: list[StoredItem]) -> None:
        with self.database.session() as session:
            result = upsert_posts(session, batch, fetched_at=self.fetched_at or _now())
        self.stats.inc_value("yuqing/posts_new", result.new)
        self.stats.inc_value("yuqing/posts_updated", result.updated)


def _now() -> datetime:
    return datetime.now().astimezone()
