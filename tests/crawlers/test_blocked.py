"""Blocked pages are dropped and counted by reason; exceptions in callbacks become counted parse failures."""

from __future__ import annotations

import logging

import pytest
from crawl_support import NOW, sample_config
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError

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
