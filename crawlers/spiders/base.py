"""``SourceSpider``: the base every source's spider shares — its config, "now", window, dates, counts and health reports.

A spider only parses. Throttling, robots.txt, blocked-page dropping and storing happen in the project's
middlewares and pipeline; a spider reports what it sees through the ``report_*`` helpers, which log the
page's URL and count it in ``crawler.stats`` under the keys of docs/architecture.md.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from config import Config, SourceConfig, load_config
from config.analysis import search_keywords
from crawlers.database import crawl_database
from crawlers.fixtures import Manifest, load_manifest, manifest_path
from crawlers.parsing.counts import parse_count
from crawlers.parsing.dates import parse_date
from crawlers.settings import search_slot
from storage import known_post_ids


class LocalStats(Counter):
    """Stand-in for ``crawler.stats`` when a spider is built without a crawler (parser tests)."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)


class SourceSpider(scrapy.Spider):
    """A spider for one configured source (``-a source=NAME``, default the spider's name)."""

    source: str
    config: Config
    source_config: SourceConfig
    now: datetime
    tz: ZoneInfo
    window_start: datetime
    keywords: list[str]
    boards: list[str]
    max_pages: int
    db_url: str | None
    replay_round: int | None
    replay_manifest: Manifest | None

    def __init__(self, *args: Any, source: str | None = None, replay_manifest: Manifest | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source or self.name
        self.known_ids: set[str] = set()
        self.local_stats = LocalStats()
        self.db_url = None
        self.replay_round = None
        self.replay_manifest = replay_manifest  # the runner's, already read; else read when replaying
        self._claimed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "SourceSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        config = load_config(settings.get("YUQING_CONFIG"))
        overlay, now = spider._replay_view(settings.get("YUQING_REPLAY_DIR"), settings.getint("YUQING_REPLAY_ROUND", 1))
        spider.configure(config, now=_setting_time(settings.get("YUQING_NOW")) or now, overlay=overlay)
        spider.db_url = settings.get("YUQING_DB_URL") or config.database.url
        crawler.signals.connect(spider._load_known_ids, signal=signals.spider_opened)
        return spider

    @classmethod
    def for_config(cls, config: Config, now: datetime, source: str | None = None,
                   known_ids: set[str] | frozenset[str] = frozenset(), **kwargs: Any) -> "SourceSpider":
        """A configured spider without a crawler, for parser tests: stats go to ``spider.stats`` (a Counter)."""
        spider = cls(source=source, **kwargs)
        spider.configure(config, now=now)
        spider.known_ids = set(known_ids)
        return spider

    def configure(self, config: Config, now: datetime | None = None, overlay: dict[str, Any] | None = None) -> None:
        """Read this source's config; ``overlay`` (a replay round's ``config``) replaces keywords/boards."""
        if self.source not in config.sources:
            raise ValueError(f"source {self.source!r} is not configured (known: {', '.join(config.sources)})")
        self.config, self.source_config, self.tz = config, config.sources[self.source], config.tz
        now = now or datetime.now(self.tz)
        self.now = now.astimezone(self.tz) if now.tzinfo else now.replace(tzinfo=self.tz)
        policy = config.crawl
        window_hours = self.source_config.window_hours or policy.window_hours
        self.window_start = self.now - timedelta(hours=window_hours)
        self.max_pages = self.source_config.max_pages or policy.max_pages
        overlay = overlay or {}
        self.keywords = list(overlay.get("keywords", self.source_config.keywords))
        if config.analysis.generate_search_keywords and "keywords" not in overlay:
            self.keywords += [word for word in search_keywords(config.analysis.topics) if word not in self.keywords]
        self.boards = [str(board) for board in overlay.get("boards", self.source_config.boards)]
        if self.source_config.allowed_domains:
            self.allowed_domains = list(self.source_config.allowed_domains)

    def _replay_view(self, replay_dir: str | None, round_no: int) -> tuple[dict[str, Any] | None, datetime | None]:
        if not replay_dir:
            return None, None
        manifest = self._given_manifest(replay_dir) or load_manifest(replay_dir, self.source)
        self.replay_manifest = manifest
        self.replay_round = round_no
        return manifest.config_overlay(round_no), manifest.current(round_no).captured_at

    def _given_manifest(self, replay_dir: str) -> Manifest | None:
        manifest = self.replay_manifest
        if manifest is not None and manifest.directory == manifest_path(replay_dir, self.source).parent:
            return manifest
        return None

    def _load_known_ids(self, spider: scrapy.Spider) -> None:
        if spider is not self or not self.db_url:
            return
        with crawl_database(self.db_url).session() as session:
            self.known_ids = known_post_ids(session, self.source)
        self.logger.info("%s: %d posts already stored", self.source, len(self.known_ids))

    @property
    def stats(self) -> Any:
        """``crawler.stats`` in a crawl; :class:`LocalStats` for a spider built by :meth:`for_config`."""
        crawler = getattr(self, "crawler", None)
        return crawler.stats if crawler is not None else self.local_stats

    # -- helpers for parsing ------------------------------------------------------------------------------

    def parse_date(self, text: str | int | float) -> datetime:
        """Any date style of FORMATS.md against ``self.now``; raises ``DateParseError`` (a ValueError)."""
        return parse_date(text, self.now, self.tz)

    def date_or_none(self, response: Response | None, text: str | int | float) -> datetime | None:
        """:meth:`parse_date`, or None with the date reported as a parse failure of ``response``."""
        try:
            return self.parse_date(text)
        except ValueError as error:
            self.report_parse_failure(response, error)
            return None

    def parse_count(self, value: Any) -> int | None:
        return parse_count(value)

    def in_window(self, moment: datetime) -> bool:
        """Whether a post published at ``moment`` is recent enough to be (re)visited."""
        return moment >= self.window_start

    def is_known(self, post_id: str | int) -> bool:
        """Whether the post is already stored: yield an ``EngagementSighting`` instead of fetching it again."""
        return str(post_id) in self.known_ids

    # -- source health ------------------------------------------------------------------------------------

    async def start(self) -> Any:
        """Scrapy's entry point: the spider's ``start_requests``, one by one."""
        for request in self.start_requests():
            yield request

    def paced_search(self, request: scrapy.Request) -> scrapy.Request:
        """A keyword search request, sent through the source's paced search slot when ``search_interval_s`` is set.

        The slot (``crawlers.settings.settings_for``) lets one search through at a time, that far apart, and
        AutoThrottle is told not to shorten its delay; a redirect of the request keeps its meta, hence the slot.
        """
        if not self.source_config.search_interval_s:
            return request
        pacing = {"download_slot": search_slot(self.source), "autothrottle_dont_adjust_delay": True}
        return request.replace(meta=request.meta | pacing)

    def claim(self, post_id: str) -> bool:
        """True the first time this crawl meets ``post_id`` (a post listed twice is fetched once)."""
        if post_id in self._claimed:
            return False
        self._claimed.add(post_id)
        return True

    def blocked_reason(self, response: Response) -> str | None:
        """Why ``response`` is a block/captcha/login wall rather than content (a short slug), else None."""
        return None

    def report_empty(self, response: Response | None, what: str) -> None:
        """A page that should list posts parsed to none (layout change, silent limit)."""
        self.stats.inc_value("yuqing/empty_pages")
        self.logger.warning("%s: empty page, no %s: %s", self.source, what, _url(response))

    def report_parse_failure(self, response: Response | None, error: BaseException | str) -> None:
        """A page or one item on it could not be parsed; the crawl goes on."""
        self.stats.inc_value("yuqing/parse_failures")
        self.logger.warning("%s: parse failure at %s: %s", self.source, _url(response), _describe(error))

    def report_challenge(self, response: Response | None, what: str) -> None:
        """A JS challenge or similar that cost us something (e.g. kept an abstract instead of full text)."""
        self.stats.inc_value("yuqing/challenges")
        self.logger.warning("%s: challenge (%s) at %s", self.source, what, _url(response))


def _setting_time(value: str | datetime | None) -> datetime | None:
    if not value:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _url(response: Response | None) -> str:
    return response.url if response is not None else "(no response)"


def _describe(error: BaseException | str) -> str:
    return error if isinstance(error, str) else f"{type(error).__name__}: {error}"
