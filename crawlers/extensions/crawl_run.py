"""``CrawlRunExtension``: open a crawl run when a spider starts; close it with the run's counts and status.

The status says what an officer must know first: ``blocked`` (blocked pages — a captcha, a login wall, a 403 —
and no posts), ``robots_refused`` (robots.txt forbade requests and no posts came), ``failed`` (errors, missing
fixtures, an aborted crawl), ``empty`` (nothing parsed where posts were expected), else ``ok``. Whatever the status,
the warnings name every problem of the run (pages blocked per reason, list pages parsed to none, HTTP 429 …).
The summary is also left in the stats as ``yuqing/summary`` for ``crawlers.runner`` to print.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from crawlers.database import crawl_database
from crawlers.summary import SUMMARY_KEYS
from storage import CrawlStats, finish_crawl_run, register_source, start_crawl_run

logger = logging.getLogger(__name__)

_STATUS_PREFIX = "downloader/response_status_count/"
# Errors of this crawl (Scrapy's log_count/ERROR counts every crawler of the process, so it is not used).
_ERROR_KEYS = ("retry/max_reached", "spider_exceptions/count", "yuqing/store_failures")


@dataclass(slots=True)
class RunSummary:
    """One source's crawl, as ``crawlers.runner`` prints it (one JSON line); its counters are ``counts``."""

    source: str
    status: str
    pages: int
    counts: CrawlStats

    def to_json(self) -> dict[str, Any]:
        """The JSON line: ``SUMMARY_KEYS`` in order, ``blocked`` being ``counts.blocked_pages``."""
        values = asdict(self.counts) | {"source": self.source, "status": self.status, "pages": self.pages,
                                        "blocked": self.counts.blocked_pages}
        return {key: values[key] for key in SUMMARY_KEYS}


def crawl_stats(stats: dict[str, Any]) -> CrawlStats:
    """The ``storage.CrawlStats`` of a finished crawl (no warnings yet), from Scrapy's and our stats keys."""
    return CrawlStats(
        requests=stats.get("downloader/request_count", 0),
        responses_by_status={key.removeprefix(_STATUS_PREFIX): value for key, value in stats.items()
                             if key.startswith(_STATUS_PREFIX)},
        posts_new=stats.get("yuqing/posts_new", 0),
        posts_updated=stats.get("yuqing/posts_updated", 0),
        parse_failures=stats.get("yuqing/parse_failures", 0),
        blocked_pages=stats.get("yuqing/blocked", 0),
        empty_pages=stats.get("yuqing/empty_pages", 0),
        challenges=stats.get("yuqing/challenges", 0),
        robots_refused=stats.get("robotstxt/forbidden", 0),
        missing_fixtures=stats.get("yuqing/replay_missing", 0),
    )


def summarise(source: str, stats: dict[str, Any], reason: str, expect_items: bool = True,
              warn_ratio: float = 0.2) -> RunSummary:
    """Status and warnings of a finished crawl from its stats and Scrapy's finish reason."""
    counts = crawl_stats(stats)
    items = stats.get("yuqing/items", 0)
    errors = sum(stats.get(key, 0) for key in _ERROR_KEYS)
    counts.warnings = _warnings(stats, counts, items, errors, warn_ratio, reason)
    pages = stats.get("downloader/response_count", 0) - stats.get("robotstxt/response_count", 0)
    return RunSummary(source, _status(counts, items, expect_items, errors, reason), pages, counts)


def _status(counts: CrawlStats, items: int, expect_items: bool, errors: int, reason: str) -> str:
    if counts.blocked_pages and not items:
        return "blocked"
    if counts.robots_refused and not items:
        return "robots_refused"
    if errors or counts.missing_fixtures or reason != "finished":
        return "failed"
    if expect_items and not items:
        return "empty"
    return "ok"


def _warnings(stats: dict[str, Any], counts: CrawlStats, items: int, errors: int, warn_ratio: float,
              reason: str) -> list[str]:
    lines = [f"被封锁 {count} 页（{key.rsplit('/', 1)[1]}）" for key, count in sorted(stats.items())
             if key.startswith("yuqing/blocked_reasons/")]
    if counts.responses_by_status.get("429"):
        lines.append(f"被限流 {counts.responses_by_status['429']} 次（HTTP 429，已放慢并重试）")
    if counts.robots_refused:
        lines.append(f"robots.txt 拒绝 {counts.robots_refused} 个请求")
    if counts.missing_fixtures:
        lines.append(f"缺少回放样本 {counts.missing_fixtures} 个")
    if counts.empty_pages:
        lines.append(f"{counts.empty_pages} 个列表页解析为空（页面格式可能已变）")
    if counts.challenges:
        lines.append(f"{counts.challenges} 次验证挑战")
    tried = items + counts.parse_failures
    if counts.parse_failures and counts.parse_failures / tried > warn_ratio:
        lines.append(f"解析失败率 {counts.parse_failures / tried:.0%}（{counts.parse_failures}/{tried}）")
    if errors:
        lines.append(f"{errors} 个错误（下载失败或存储失败，见日志）")
    if reason != "finished":
        lines.append(f"爬取中止：{reason}")
    return lines


class CrawlRunExtension:
    """Records each SourceSpider's crawl as a ``crawl_runs`` row: opened at start, completed at close."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlRunExtension":
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        if not getattr(spider, "db_url", None):
            return
        self.started = time.monotonic()
        mode = "replay" if spider.replay_round is not None else "live"
        with crawl_database(spider.db_url).session() as session:
            register_source(session, spider.source, spider.source_config.spider, spider.now)
            self.run_id = start_crawl_run(session, spider.source, mode, spider.replay_round, spider.now)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not hasattr(spider, "source_config"):
            return
        stats = self.crawler.stats.get_stats()
        summary = summarise(spider.source, stats, reason, spider.source_config.expect_items,
                            spider.config.crawl.parse_failure_warn_ratio)
        for line in summary.counts.warnings:
            logger.warning("%s: %s", spider.source, line)
        self.crawler.stats.set_value("yuqing/summary", summary.to_json())
        if self.run_id is not None:
            self._finish(spider, summary)

    def _finish(self, spider: Spider, summary: RunSummary) -> None:
        finished_at: datetime = spider.now + timedelta(seconds=time.monotonic() - self.started)
        with crawl_database(spider.db_url).session() as session:
            finish_crawl_run(session, self.run_id, summary.counts, finished_at, summary.status)
