"""Per-source Scrapy settings from config, and the operator's cookie sent only to its own source."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from crawl_support import sample_config
from scrapy.core.downloader import Downloader, Slot
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.test import get_crawler

from crawlers.middlewares.cookies import SourceCookieMiddleware
from crawlers.settings import search_slot, settings_for


def test_a_source_gets_its_own_delay_and_concurrency_over_the_policy() -> None:
    config = sample_config(download_delay_s=6.0, concurrency=1)
    settings = settings_for(config, "alpha")

    assert (settings["DOWNLOAD_DELAY"], settings["CONCURRENT_REQUESTS_PER_DOMAIN"]) == (6.0, 1)
    assert settings["ROBOTSTXT_OBEY"] is True and settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["USER_AGENT"] == config.crawl.user_agent and "yuqing" in settings["USER_AGENT"]
    assert settings["RETRY_TIMES"] == config.crawl.retry_times


def test_robots_txt_is_ignored_only_with_a_named_authorisation() -> None:
    config = sample_config(obey_robots=False, robots_authorisation="2026 数据共享协议 第3号")
    assert settings_for(config, "alpha")["ROBOTSTXT_OBEY"] is False


def test_paced_searches_get_a_slot_of_their_own_one_at_a_time() -> None:
    config = sample_config(download_delay_s=6.0, search_interval_s=20)
    assert settings_for(config, "alpha")["DOWNLOAD_SLOTS"] == {
        "alpha:search": {"concurrency": 1, "delay": 20.0, "jitter": 0}}
    assert "DOWNLOAD_SLOTS" not in settings_for(sample_config(download_delay_s=6.0), "alpha")
    assert "DOWNLOAD_SLOTS" not in settings_for(config, "alpha", replay=True)


def downloader_slot(settings: dict, request: Request) -> Slot:
    """The download slot Scrapy's downloader gives ``request`` under ``settings`` (no download handler loaded)."""
    no_handlers = {"DOWNLOAD_HANDLERS": {"http": None, "https": None}}

    async def build() -> Slot:
        downloader = Downloader(get_crawler(settings_dict=settings | no_handlers))
        try:
            return downloader._get_slot(request)[1]
        finally:
            downloader.close()

    return asyncio.run(build())


def test_paced_searches_are_never_closer_than_the_interval() -> None:
    """Scrapy's default ±50% jitter on a 20 s delay would send a quarter of them inside Discuz's 15 s refusal."""
    settings = settings_for(sample_config(download_delay_s=6.0, search_interval_s=20), "alpha")
    paced = {"download_slot": search_slot("alpha")}
    search = downloader_slot(settings, Request("https://alpha.example/search", meta=paced))
    pages = downloader_slot(settings, Request("https://alpha.example/list"))

    assert {search.download_delay() for _ in range(200)} == {20.0}
    assert len({pages.download_delay() for _ in range(200)}) > 1  # other pages keep Scrapy's politeness jitter


def test_replay_drops_all_pacing_but_keeps_robots() -> None:
    config = sample_config(download_delay_s=6.0)
    settings = settings_for(config, "alpha", replay=True)
    assert (settings["DOWNLOAD_DELAY"], settings["AUTOTHROTTLE_ENABLED"]) == (0, False)
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["WARN_ON_GENERATOR_RETURN_VALUE"] is False


def test_no_spider_callback_is_a_generator_returning_a_value() -> None:
    """Replay turns off Scrapy's run-time check of this (it re-reads each callback's source); this test makes it."""
    loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["crawlers.spiders"]}))
    callbacks = {f"{name}.{attribute}": member for name in loader.list()
                 for attribute, member in inspect.getmembers(loader.load(name), inspect.isfunction)
                 if attribute.startswith("parse") or attribute.endswith("_failed")}
    assert {"weibo.parse_search", "zhong5.parse_thread", "hualongxiang.parse_board"} <= set(callbacks)
    assert [name for name, callback in callbacks.items() if is_generator_with_return_value(callback)] == []


def test_a_response_over_32_mb_is_dropped_and_one_over_8_mb_warned_about() -> None:
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    assert (settings.getint("DOWNLOAD_MAXSIZE"), settings.getint("DOWNLOAD_WARNSIZE")) == (32 * 2**20, 8 * 2**20)


def test_the_cookie_never_enters_the_settings() -> None:
    config = sample_config(cookie="SUB=very-secret")
    assert "very-secret" not in repr(settings_for(config, "alpha"))


def test_the_cookie_goes_only_to_the_sources_own_hosts(crawler_for) -> None:
    middleware = SourceCookieMiddleware.from_crawler(crawler_for(cookie="SUB=very-secret"))
    own, sub, other = (Request(url) for url in
                       ("https://alpha.example/a", "https://m.alpha.example/b", "https://tracker.example/c"))
    for request in (own, sub, other):
        middleware.process_request(request)

    assert own.headers[b"Cookie"] == b"SUB=very-secret" and sub.headers[b"Cookie"] == b"SUB=very-secret"
    assert b"Cookie" not in other.headers


def test_no_cookie_is_sent_while_replaying(crawler_for) -> None:
    with pytest.raises(NotConfigured):
        SourceCookieMiddleware.from_crawler(crawler_for({"YUQING_REPLAY_DIR": "fixtures"}, cookie="SUB=x"))


def test_the_operators_cookie_is_merged_with_cookies_the_site_set(crawler_for) -> None:
    middleware = SourceCookieMiddleware.from_crawler(crawler_for(cookie="SUB=mine; _T_WM=1"))
    request = Request("https://alpha.example/a", headers={"Cookie": "XSRF-TOKEN=abc; SUB=expired"})
    middleware.process_request(request)
    assert request.headers[b"Cookie"] == b"XSRF-TOKEN=abc; SUB=mine; _T_WM=1"
