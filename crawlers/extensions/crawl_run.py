"""``CrawlRunExtension``: open a crawl run when a spider starts; close it with the run's counts and status.

The status says what an officer must know first: ``blocked`` (blocked pages and no posts), ``robots_refused``
(robots.txt forbade requests and no posts came), ``failed`` (errors, missing fixtures, an aborted crawl), ``empty`` (nothing
parsed where posts were expected), else ``ok``. The summary is also left in the stats as ``yuqing/summary``
for ``crawlers.runner`` to print.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from crawlers.database import crawl_database
from storage import CrawlStats, finish_crawl_run, register_source, start_crawl_run

logger = logging.getLogger(__name__)

_STATUS_PREFIX = "downloader/response_status_count/"
# Errors of this crawl (Scrapy's log_count/ERROR counts every crawler of the process, so it is not used).
_ERROR_KEYS = ("retry/max_reached", "spider_exceptions/count", "yuqing/store_failures")


@dataclass(slots=True)
class RunSummary:
    """One source's crawl, as ``crawlers.runner`` prints it (one JSON line)."""

    source: str
    status: str
    pages: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    blocked: int = 0
    parse_failures: int = 0
    empty_pages: int = 0
    challenges: int = 0
    robots_refused: int = 0
    missing_fixtures: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def crawl_stats(stats: dict[str, Any], warnings: list[str]) -> CrawlStats:
    """The ``storage.CrawlStats`` of a finished crawl, from Scrapy's and our stats keys."""
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
        warnings=warnings,
    )


def summarise(source: str, stats: dict[str, Any], reason: str, expect_items: bool = True,
              warn_ratio: float = 0.2) -> RunSummary:
    """Status and warnings of a finished crawl from its stats and Scrapy's finish reason."""
    counts = crawl_stats(stats, [])
    summary = RunSummary(
        source=source, status="ok",
        pages=stats.get("downloader/response_count", 0) - stats.get("robotstxt/response_count", 0),
        posts_new=counts.posts_new, posts_updated=counts.posts_updated, blocked=counts.blocked_pages,
        parse_failures=counts.parse_failures, empty_pages=counts.empty_pages, challenges=counts.challenges,
        robots_refused=counts.robots_refused, missing_fixtures=counts.missing_fixtures,
    )
    items = stats.get("yuqing/items", 0)
    summary.warnings = _warnings(stats, summary, items, warn_ratio, reason)
    summary.status = _status(summary, items, expect_items, _errors(stats), reason)
    return summary


def _status(summary: RunSummary, items: int, expect_items: bool, errors: int, reason: str) -> str:
    if summary.blocked and not items:
        return "blocked"
    if summary.robots_refused and not items:
        return "robots_refused"
    if errors or summary.missing_fixtures or reason != "finished":
        return "failed"
    if expect_items and not items:
        return "empty"
    return "ok"


def _warnings(stats: dict[str, Any], summary: RunSummary, items: int, warn_ratio: float, reason: str) -> list[str]:
    lines = [f"被封锁 {count} 页（{key.rsplit('/', 1)[1]}）" for key, count in sorted(stats.items())
             if key.startswith("yuqing/blocked_reasons/")]
    if summary.robots_refused:
        lines.append(f"robots.txt 拒绝 {summary.robots_refused} 个请求")
    if summary.missing_fixtures:
        lines.append(f"缺少回放样本 {summary.missing_fixtures} 个")
    if summary.empty_pages:
        lines.append(f"{summary.empty_pages} 个列表页解析为空")
    if summary.challenges:
        lines.append(f"{summary.challenges} 次验证挑战")
    tried = items + summary.parse_failures
    if summary.parse_failures and summary.parse_failures / tried > warn_ratio:
        lines.append(f"解析失败率 {summary.parse_failures / tried:.0%}（{summary.parse_failures}/{tried}）")
    if _errors(stats):
        lines.append(f"{_errors(stats)} 个错误（下载失败或存储失败，见日志）")
    if reason != "finished":
        lines.append(f"爬取中止：{reason}")
    return lines


def _errors(stats: dict[str, Any]) -> int:
    return sum(stats.get(key, 0) for key in _ERROR_KEYS)


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
        for line in summary.warnings:
            logger.warning("%s: %s", spider.source, line)
        self.crawler.stats.set_value("yuqing/summary", summary.to_json())
        if self.run_id is not None:
            self._finish(spider, stats, summary)

    def _finish(self, spider: Spider, stats: dict[str, Any], summary: RunSummary) -> None:
        finished_at: datetime = spider.now + timedelta(seconds=time.monotonic() - self.started)
        with crawl_database(spider.db_url).session() as session:
            finish_crawl_run(session, self.run_id, crawl_stats(stats, summary.warnings), finished_at, summary.status)
