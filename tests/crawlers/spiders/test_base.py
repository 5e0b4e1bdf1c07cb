"""``SourceSpider``: a source's config, "now" and window, and the helpers and health reports every spider uses."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from config import config_from_mapping
from crawlers.parsing.dates import DateParseError
from crawlers.spiders.base import SourceSpider

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
CONFIG = config_from_mapping({
    "crawl": {"window_hours": 48, "max_pages": 5},
    "sources": {
        "alpha": {"spider": "generic", "feed_url": "https://alpha.example/feed", "keywords": ["火灾"],
                  "boards": ["103"], "window_hours": 6, "allowed_domains": ["alpha.example"]},
        "beta": {"spider": "generic", "feed_url": "https://beta.example/feed", "max_pages": 2},
    },
})


class Sample(SourceSpider):
    name = "alpha"


def test_a_spider_reads_its_source_config_now_and_window() -> None:
    spider = Sample.for_config(CONFIG, NOW, known_ids={"17"})

    assert (spider.source, spider.keywords, spider.boards, spider.max_pages) == ("alpha", ["火灾"], ["103"], 5)
    assert spider.window_start == NOW - timedelta(hours=6)  # the source's own window
    assert spider.allowed_domains == ["alpha.example"]
    assert spider.in_window(NOW - timedelta(hours=5)) and not spider.in_window(NOW - timedelta(hours=7))
    assert spider.is_known(17) and spider.is_known("17") and not spider.is_known("18")


def test_source_argument_picks_another_configured_source() -> None:
    spider = Sample.for_config(CONFIG, NOW, source="beta")
    assert (spider.source, spider.max_pages, spider.window_start) == ("beta", 2, NOW - timedelta(hours=48))


def test_an_unconfigured_source_is_an_error() -> None:
    with pytest.raises(ValueError, match="not configured"):
        Sample.for_config(CONFIG, NOW, source="gamma")


def test_dates_and_counts_are_read_against_the_spiders_now() -> None:
    spider = Sample.for_config(CONFIG, NOW)
    assert spider.parse_date("3小时前") == NOW - timedelta(hours=3)
    assert spider.parse_count("1.5万") == 15000
    with pytest.raises(DateParseError):
        spider.parse_date("不是日期")


def test_health_reports_are_counted_and_logged_with_the_url(caplog: pytest.LogCaptureFixture) -> None:
    spider = Sample.for_config(CONFIG, NOW)
    page = HtmlResponse("https://alpha.example/list?page=1", body=b"<html></html>")
    with caplog.at_level(logging.WARNING):
        spider.report_empty(page, "threads")
        spider.report_parse_failure(page, ValueError("no title"))
        spider.report_challenge(page, "js challenge")

    assert spider.stats == {"yuqing/empty_pages": 1, "yuqing/parse_failures": 1, "yuqing/challenges": 1}
    assert caplog.text.count("https://alpha.example/list?page=1") == 3 and "no title" in caplog.text
    assert spider.blocked_reason(page) is None


def test_from_crawler_takes_now_and_the_replay_rounds_config(tmp_path) -> None:
    config_file = tmp_path / "yuqing.toml"
    config_file.write_text('[sources.alpha]\nspider = "generic"\nfeed_url = "https://a.example/f"\nkeywords = ["旧"]\n',
                           encoding="utf-8")
    (tmp_path / "fx" / "alpha").mkdir(parents=True)
    (tmp_path / "fx" / "alpha" / "manifest.json").write_text(
        '{"rounds": {"1": {"captured_at": "2026-11-20T10:00:00+08:00", "config": {"keywords": ["录制时"]}}}}',
        encoding="utf-8")
    settings = {"YUQING_CONFIG": str(config_file), "YUQING_DB_URL": "sqlite:///x.db"}

    live = Sample.from_crawler(get_crawler(Sample, settings | {"YUQING_NOW": "2026-12-01T08:00:00"}))
    replayed = Sample.from_crawler(get_crawler(Sample, settings | {"YUQING_REPLAY_DIR": str(tmp_path / "fx")}))

    assert live.now == datetime.fromisoformat("2026-12-01T08:00:00+08:00")  # naive: the configured zone
    assert (live.keywords, live.replay_round, live.db_url) == (["旧"], None, "sqlite:///x.db")
    assert (replayed.now, replayed.keywords, replayed.replay_round) == (NOW, ["录制时"], 1)


def test_generated_search_keywords_extend_the_configured_ones_from_searchable_rules() -> None:
    from datetime import datetime

    from config import config_from_mapping

    topics = [{"name": "火", "event_type": "fire", "expression": "(起火 OR 着火) AND NOT 游戏"},
              {"name": "车", "event_type": "traffic", "expression": "车 NEAR/8 撞"}]
    source = {"spider": "weibo", "keywords": ["天宁 火灾", "起火"]}
    base = {"sources": {"weibo": source}, "analysis": {"topics": topics}}
    now = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
    plain = SourceSpider.for_config(config_from_mapping(base), now, source="weibo", name="sample")
    generated = SourceSpider.for_config(
        config_from_mapping(base | {"analysis": {"topics": topics, "generate_search_keywords": True}}), now,
        source="weibo", name="sample")
    assert plain.keywords == ["天宁 火灾", "起火"]
    assert generated.keywords == ["天宁 火灾", "起火", "着火"]
