"""A finished crawl's status and warnings, from its stats: what the officer must know first.

A blocked source never reads as "no new posts": pages refused by a captcha or by an HTTP status (403, 418 …)
make a run without posts ``blocked``, and a run with posts carries a warning line about them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_support import CAPTURED_1, Page, write_fixture_set

from crawlers.extensions.crawl_run import crawl_stats, summarise
from crawlers.runner import run_crawl_subprocess
from crawlers.summary import SUMMARY_KEYS

GOOD = {"downloader/response_count": 6, "robotstxt/response_count": 1, "yuqing/items": 12, "yuqing/posts_new": 10,
        "yuqing/posts_updated": 2, "downloader/request_count": 6, "downloader/response_status_count/200": 6}


@pytest.mark.parametrize(
    ("extra", "reason", "status"),
    [
        ({}, "finished", "ok"),
        ({"yuqing/blocked": 2, "yuqing/blocked_reasons/captcha": 2, "yuqing/items": 0}, "finished", "blocked"),
        ({"yuqing/blocked": 1, "yuqing/blocked_reasons/captcha": 1}, "finished", "ok"),  # blocked once, posts came
        ({"robotstxt/forbidden": 3, "yuqing/items": 0}, "finished", "robots_refused"),
        ({"robotstxt/forbidden": 3}, "finished", "ok"),  # search refused, lists still gave posts
        ({"yuqing/replay_missing": 1}, "finished", "failed"),
        ({"retry/max_reached": 1}, "finished", "failed"),
        ({}, "closespider_errorcount", "failed"),
        ({"yuqing/items": 0, "yuqing/posts_new": 0, "yuqing/posts_updated": 0}, "finished", "empty"),
    ],
)
def test_status_of_a_finished_crawl(extra: dict, reason: str, status: str) -> None:
    assert summarise("weibo", GOOD | extra, reason).status == status


def test_a_source_not_expected_to_have_items_is_not_empty() -> None:
    assert summarise("gov", GOOD | {"yuqing/items": 0}, "finished", expect_items=False).status == "ok"


def test_the_summary_counts_pages_without_robots_txt_and_names_problems() -> None:
    stats = GOOD | {"yuqing/parse_failures": 6, "yuqing/empty_pages": 1, "yuqing/blocked": 1,
                    "yuqing/blocked_reasons/http_432": 1}
    summary = summarise("weibo", stats, "finished", warn_ratio=0.2)

    counts = summary.counts
    assert (summary.pages, counts.posts_new, counts.posts_updated, counts.blocked_pages) == (5, 10, 2, 1)
    assert counts.warnings == ["被封锁 1 页（http_432）", "1 个列表页解析为空（页面格式可能已变）", "解析失败率 33%（6/18）"]


def test_the_summary_json_line_has_the_runner_keys_in_order() -> None:
    stats = GOOD | {"yuqing/blocked": 1, "yuqing/parse_failures": 3, "yuqing/empty_pages": 4, "yuqing/challenges": 5,
                    "robotstxt/forbidden": 6, "yuqing/replay_missing": 7}
    line = summarise("weibo", stats, "finished").to_json()

    assert list(line) == list(SUMMARY_KEYS)
    assert line == {"source": "weibo", "status": "failed", "pages": 5, "posts_new": 10, "posts_updated": 2,
                    "blocked": 1, "parse_failures": 3, "empty_pages": 4, "challenges": 5, "robots_refused": 6,
                    "missing_fixtures": 7, "warnings": ["robots.txt 拒绝 6 个请求", "缺少回放样本 7 个",
                                                        "4 个列表页解析为空（页面格式可能已变）", "5 次验证挑战"]}


def test_crawl_stats_carry_responses_by_status_for_storage() -> None:
    stats = crawl_stats(GOOD | {"downloader/response_status_count/302": 1, "robotstxt/forbidden": 2})
    assert stats.responses_by_status == {"200": 6, "302": 1}
    assert (stats.requests, stats.robots_refused, stats.warnings) == (6, 2, [])


def test_pages_refused_by_status_among_good_ones_leave_a_warning_naming_the_status() -> None:
    stats = GOOD | {"yuqing/blocked": 4, "yuqing/blocked_reasons/http_418": 4,
                    "downloader/response_status_count/418": 4}
    summary = summarise("weibo", stats, "finished")
    assert (summary.status, summary.counts.warnings) == ("ok", ["被封锁 4 页（http_418）"])


def test_rate_limited_answers_are_named_and_exhausted_retries_fail_the_run() -> None:
    retried = summarise("weibo", GOOD | {"downloader/response_status_count/429": 2}, "finished")
    assert (retried.status, retried.counts.warnings) == ("ok", ["被限流 2 次（HTTP 429，已放慢并重试）"])

    exhausted = summarise("weibo", GOOD | {"yuqing/items": 0, "downloader/response_status_count/429": 4,
                                           "retry/max_reached": 1}, "finished")
    assert exhausted.status == "failed"  # never "empty": the site did not say it had nothing
    assert exhausted.counts.warnings == ["被限流 4 次（HTTP 429，已放慢并重试）", "1 个错误（下载失败或存储失败，见日志）"]


def test_a_generic_source_whose_feed_answers_403_is_blocked_not_empty(tmp_path: Path) -> None:
    root = write_fixture_set(tmp_path / "fixtures", "alpha", {1: (CAPTURED_1, {}, [
        Page("https://alpha.example/robots.txt", "User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
        Page("https://alpha.example/feed.xml", "<html>forbidden</html>", status=403),
    ])})
    config = tmp_path / "yuqing.toml"
    config.write_text('timezone = "Asia/Shanghai"\n[sources.alpha]\nspider = "generic"\n'
                      'feed_url = "https://alpha.example/feed.xml"\n', encoding="utf-8")

    [line] = run_crawl_subprocess(["alpha"], config_path=config, db_url=f"sqlite:///{tmp_path / 'y.db'}",
                                  replay_dir=root, round_no=1, timeout_s=120, log_level="WARNING")

    assert (line["status"], line["blocked"], line["posts_new"]) == ("blocked", 1, 0)
    assert line["warnings"] == ["被封锁 1 页（http_403）"]
