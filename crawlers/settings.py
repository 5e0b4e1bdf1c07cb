"""Scrapy settings for yuqing's crawls, and ``settings_for``: the per-source settings taken from config.

The defaults here are polite: robots.txt obeyed, AutoThrottle on, a few concurrent requests, retries with
backoff, an honest User-Agent. ``settings_for`` applies one source's delay, concurrency and robots
choice; replay drops the pacing, since every response comes from a local file, and Scrapy's source
inspection of every callback (a check for generators returning a value, made by a test instead).
"""

from __future__ import annotations

from typing import Any

from config import Config, CrawlPolicy

BOT_NAME = "yuqing"
SPIDER_MODULES = ["crawlers.spiders"]
SPIDER_LOADER_WARN_ONLY = True  # one broken spider module must not stop the other sources

USER_AGENT = CrawlPolicy().user_agent
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no control server listening on a port during a crawl

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items of one response go through the pipeline by this many asyncio tasks. The store pipeline is
# synchronous, so more buys nothing, while Scrapy's default (100) creates 100 tasks for every response.
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 2.0
DOWNLOAD_TIMEOUT = 30
# Scrapy's default cap is 1 GB. The pages and API answers of these sites are well under 1 MB; a bigger body is
# a mistake or a trap, and its text would end up in memory and in the database.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # bytes: a bigger response is dropped (logged as an error)
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024  # bytes: a bigger response is logged as a warning
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 120.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE_S = 5.0  # the slot's delay doubles from this on every retry (crawlers.middlewares.retry)
RETRY_BACKOFF_MAX_S = 300.0

CLOSESPIDER_ERRORCOUNT = 50
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.blocked.BlockedPageMiddleware": 585,  # after redirects and decompression
    "crawlers.middlewares.encoding.CharsetRepairMiddleware": 588,  # after decompression, before the blocked check
    "crawlers.middlewares.cookies.SourceCookieMiddleware": 710,  # after Scrapy's cookie jar rewrites the header
    "crawlers.middlewares.record.RecordMiddleware": 940,  # sees raw responses, 3xx included
    "crawlers.middlewares.replay.ReplayMiddleware": 950,  # answers in place of the network
}
SPIDER_MIDDLEWARES = {
    "crawlers.middlewares.blocked.ParseFailureMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.store.StorePipeline": 300,
}
EXTENSIONS = {
    "crawlers.extensions.crawl_run.CrawlRunExtension": 500,
    "crawlers.extensions.heap.FrozenStartupHeap": 900,
}

# Set per run by crawlers.runner: the config file, database, "now", and replay/record directories.
YUQING_CONFIG = None
YUQING_DB_URL = None
YUQING_NOW = None
YUQING_REPLAY_DIR = None
YUQING_REPLAY_ROUND = 1
YUQING_RECORD_DIR = None
YUQING_STORE_BATCH = 500


def search_slot(source: str) -> str:
    """The download slot of a source's keyword searches when they are paced (``search_interval_s``)."""
    return f"{source}:search"


def settings_for(config: Config, source: str, replay: bool = False) -> dict[str, Any]:
    """Scrapy settings for one source: its pacing and robots choice over the shared crawl policy.

    The cookie is not a setting (Scrapy logs overridden settings); ``SourceCookieMiddleware`` reads it
    from the spider's source config. Paced keyword searches get a download slot of their own, one search at
    a time and at least ``search_interval_s`` apart: its delay has no random jitter (Scrapy's default ±50%
    would let a quarter of the searches inside a site's refusal window), and AutoThrottle leaves it alone
    (``SourceSpider.paced_search``).
    """
    policy, source_config = config.crawl, config.sources[source]
    settings: dict[str, Any] = {
        "USER_AGENT": policy.user_agent,
        "ROBOTSTXT_OBEY": source_config.obey_robots,
        "RETRY_TIMES": policy.retry_times,
        "DOWNLOAD_TIMEOUT": policy.timeout_s,
        "CONCURRENT_REQUESTS_PER_DOMAIN": source_config.concurrency or policy.concurrency,
    }
    if replay:
        return settings | {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY_JITTER": 0,
                           "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                           "RETRY_BACKOFF_BASE_S": 0.0, "WARN_ON_GENERATOR_RETURN_VALUE": False}
    delay = policy.download_delay_s if source_config.download_delay_s is None else source_config.download_delay_s
    if source_config.search_interval_s:
        settings["DOWNLOAD_SLOTS"] = {search_slot(source): {
            "concurrency": 1, "delay": max(delay, source_config.search_interval_s), "jitter": 0}}
    return settings | {
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": policy.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0),
    }
