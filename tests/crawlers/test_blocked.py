"""Blocked pages are dropped and counted by reason; exceptions in callbacks become counted parse failures.

A page is blocked when the spider says so (a captcha, a login wall) or, for every spider, when its HTTP status
refuses us: 401, 403, 418, 432, 451. 429 is rate limiting and is left to the retry middleware.
"""

from __future__ import annotations

import logging

import pytest
from crawl_support import NOW, sample_config
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import Spider

from crawlers.middlewares.blocked import BlockedPageMiddleware, ParseFailureMiddleware
from crawlers.spiders.base import SourceSpider


class CaptchaSpider(SourceSpider):
    name = "captcha_test"

    def blocked_reason(self, response: HtmlResponse) -> str | None:
        return "captcha" if "验证码" in response.text else None


def page(url: str, text: str, status: int = 200) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=text.encode(), encoding="utf-8")


@pytest.fixture
def blocked_mw(crawler_for) -> BlockedPageMiddleware:
    return BlockedPageMiddleware.from_crawler(
        crawler_for(spider=CaptchaSpider.for_config(sample_config(), NOW, source="alpha")))


def test_a_blocked_page_is_dropped_with_a_warning_and_counted_by_reason(
    blocked_mw: BlockedPageMiddleware, caplog: pytest.LogCaptureFixture
) -> None:
    url = "https://alpha.example/search?q=1"
    with caplog.at_level(logging.WARNING), pytest.raises(IgnoreRequest):
        blocked_mw.process_response(Request(url), page(url, "请输入验证码", status=432))

    stats = blocked_mw.crawler.stats
    assert (stats.get_value("yuqing/blocked"), stats.get_value("yuqing/blocked_reasons/captcha")) == (1, 1)
    assert "captcha" in caplog.text and url in caplog.text


def test_ordinary_pages_and_robots_txt_pass_through(blocked_mw: BlockedPageMiddleware) -> None:
    fine = page("https://alpha.example/list", "<li>帖子</li>")
    robots = page("https://alpha.example/robots.txt", "# 验证码 mentioned in a comment")
    assert blocked_mw.process_response(Request(fine.url), fine) is fine
    assert blocked_mw.process_response(Request(robots.url, meta={"dont_obey_robotstxt": True}), robots) is robots
    assert blocked_mw.crawler.stats.get_value("yuqing/blocked") is None


@pytest.mark.parametrize("status", [401, 403, 418, 432, 451])
def test_a_refusing_http_status_is_a_blocked_page_named_by_its_status(
    crawler_for, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    middleware = BlockedPageMiddleware.from_crawler(crawler_for())  # its spider sees no captcha or login wall
    url = "https://alpha.example/feed"
    with caplog.at_level(logging.WARNING), pytest.raises(IgnoreRequest):
        middleware.process_response(Request(url), page(url, "<html>forbidden</html>", status=status))

    stats = middleware.crawler.stats
    assert (stats.get_value("yuqing/blocked"), stats.get_value(f"yuqing/blocked_reasons/http_{status}")) == (1, 1)
    assert f"http_{status}" in caplog.text and f"{status} {url}" in caplog.text


def test_a_refusing_status_blocks_a_page_of_a_spider_without_its_own_reasons(crawler_for) -> None:
    crawler = crawler_for(spider=Spider(name="plain"))
    middleware = BlockedPageMiddleware.from_crawler(crawler)
    with pytest.raises(IgnoreRequest):
        middleware.process_response(Request("https://x.example/"), page("https://x.example/", "", status=403))
    assert crawler.stats.get_value("yuqing/blocked_reasons/http_403") == 1


def test_the_spiders_own_reason_names_a_refused_page_more_precisely(blocked_mw: BlockedPageMiddleware) -> None:
    url = "https://alpha.example/search?q=2"
    with pytest.raises(IgnoreRequest):
        blocked_mw.process_response(Request(url), page(url, "请输入验证码", status=403))
    assert blocked_mw.crawler.stats.get_value("yuqing/blocked_reasons/captcha") == 1
    assert blocked_mw.crawler.stats.get_value("yuqing/blocked_reasons/http_403") is None


@pytest.mark.parametrize("status", [429, 404, 503])
def test_rate_limits_and_other_errors_are_not_blocks(blocked_mw: BlockedPageMiddleware, status: int) -> None:
    answer = page("https://alpha.example/list", "slow down", status=status)  # retried, or Scrapy's HttpError
    assert blocked_mw.process_response(Request(answer.url), answer) is answer
    assert blocked_mw.crawler.stats.get_value("yuqing/blocked") is None


def test_a_robots_txt_refused_by_status_is_not_a_blocked_page(blocked_mw: BlockedPageMiddleware) -> None:
    robots = page("https://alpha.example/robots.txt", "", status=403)
    assert blocked_mw.process_response(Request(robots.url, meta={"dont_obey_robotstxt": True}), robots) is robots


def test_an_exception_in_a_callback_is_a_parse_failure_and_the_crawl_goes_on(
    crawler_for, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = crawler_for()
    crawler.spider.crawler = crawler
    failures = ParseFailureMiddleware.from_crawler(crawler)
    bad = page("https://alpha.example/post/9", "<p>版式变了</p>")

    with caplog.at_level(logging.WARNING):
        result = failures.process_spider_exception(bad, ValueError("no date"))

    assert result == []
    assert crawler.stats.get_value("yuqing/parse_failures") == 1
    assert "https://alpha.example/post/9" in caplog.text and "no date" in caplog.text


def test_http_errors_are_left_to_scrapy(crawler_for) -> None:
    crawler = crawler_for()
    failures = ParseFailureMiddleware.from_crawler(crawler)
    not_found = page("https://alpha.example/post/1", "", status=404)
    assert failures.process_spider_exception(not_found, HttpError(not_found)) is None
    assert crawler.stats.get_value("yuqing/parse_failures") is None
