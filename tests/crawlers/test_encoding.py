"""Charset repair: HTML pages whose declared or guessed encoding is wrong reach the spiders correctly decoded."""

from __future__ import annotations

import logging

import pytest
from scrapy.http import HtmlResponse, JsonResponse, Request
from scrapy.settings import Settings

from crawlers.middlewares.encoding import CharsetRepairMiddleware
from crawlers.parsing.encoding import has_undecodable_bytes, redecoded

URL = "https://bbs.example.cn/thread-1-1-1.html"
PAGE = "<html><head><title>燃气泄漏</title></head><body><div id='c'>天宁区红梅街道发生火灾，消防员赶到现场。</div></body></html>"
TEXT = "天宁区红梅街道发生火灾，消防员赶到现场。"


def page(body: bytes, content_type: str = "text/html; charset=utf-8") -> HtmlResponse:
    return HtmlResponse(url=URL, body=body, headers={"Content-Type": content_type})


def text_of(response: HtmlResponse) -> str:
    return response.css("#c::text").get()


@pytest.fixture
def repair(crawler_for):
    """The middleware in a crawler whose spider is a configured SourceSpider (stats: ``repair.stats``)."""
    return CharsetRepairMiddleware.from_crawler(crawler_for())


def repaired(middleware: CharsetRepairMiddleware, response: HtmlResponse) -> HtmlResponse:
    return middleware.process_response(Request(response.url), response)


def test_gbk_bytes_declared_as_utf8_are_redecoded_as_gb18030() -> None:
    response = page(PAGE.encode("gbk"))
    assert "\ufffd" in response.text
    fixed = redecoded(response)
    assert fixed is not None and fixed.encoding == "gb18030" and text_of(fixed) == TEXT


def test_utf8_bytes_declared_as_gbk_are_redecoded_as_utf8() -> None:
    response = page(PAGE.encode("utf-8"), "text/html; charset=gbk")
    assert text_of(response) != TEXT
    fixed = redecoded(response)
    assert fixed is not None and fixed.encoding == "utf-8" and text_of(fixed) == TEXT


def test_undeclared_gbk_bytes_guessed_as_another_encoding_are_redecoded() -> None:
    body = "<html><body><div id='c'>天宁区青龙街道</div></body></html>".encode("gbk")
    response = page(body, "text/html")
    assert response.encoding == "cp949" and "\ufffd" not in response.text  # read as Korean, without a stray byte
    fixed = redecoded(response)
    assert fixed is not None and text_of(fixed) == "天宁区青龙街道"


@pytest.mark.parametrize("response", [
    page(PAGE.encode("utf-8")),
    page(PAGE.encode("gbk"), "text/html; charset=gbk"),
    page(PAGE.replace("<head>", "<head><meta charset='gb2312'>").encode("gbk"), "text/html"),
    page(b"<html><body><div id='c'>plain ASCII</div></body></html>", "text/html"),
], ids=["utf8", "gbk", "gb2312-meta", "ascii"])
def test_correctly_decoded_pages_are_left_alone(response: HtmlResponse) -> None:
    assert redecoded(response) is None and not has_undecodable_bytes(response)


def test_a_replacement_character_the_bytes_really_hold_is_left_alone() -> None:
    response = page(PAGE.replace("火灾", "火\ufffd灾").encode("utf-8"))
    assert redecoded(response) is None and not has_undecodable_bytes(response)


def test_bytes_no_encoding_decodes_are_garbled() -> None:
    response = page(PAGE.encode("utf-8").replace("火灾".encode(), b"\xff\xff"))
    assert redecoded(response) is None and has_undecodable_bytes(response)


def test_the_middleware_passes_the_repaired_page_on_and_counts_it(repair) -> None:
    fixed = repaired(repair, page(PAGE.encode("gbk")))
    assert text_of(fixed) == TEXT and repair.stats.get_value("yuqing/charset_fixed") == 1


def test_a_clean_page_goes_through_as_the_same_response_and_uncounted(repair) -> None:
    response = page(PAGE.encode("utf-8"))
    assert repaired(repair, response) is response
    assert repair.stats.get_value("yuqing/charset_fixed") is None


def test_only_the_first_repaired_page_of_a_crawl_is_a_warning(repair, caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="crawlers.middlewares.encoding"):
        for _ in range(3):
            repaired(repair, page(PAGE.encode("gbk")))
    assert [record.levelno for record in caplog.records] == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    assert "alpha: charset utf-8 is wrong, re-decoded as gb18030" in caplog.records[0].getMessage()
    assert repair.stats.get_value("yuqing/charset_fixed") == 3


def test_a_garbled_page_is_passed_on_but_reported_as_a_parse_failure(repair) -> None:
    response = page(PAGE.encode("utf-8").replace("火灾".encode(), b"\xff\xff"))
    assert repaired(repair, response) is response
    assert repair.crawler.spider.stats["yuqing/parse_failures"] == 1


def test_responses_other_than_html_are_not_touched(repair) -> None:
    response = JsonResponse(url="https://m.example.cn/api", body='{"text": "天宁"}'.encode("gbk"),
                            headers={"Content-Type": "application/json; charset=utf-8"})
    assert repaired(repair, response) is response
    assert repair.stats.get_value("yuqing/charset_fixed") is None


def test_robots_txt_is_not_a_page_to_report(repair) -> None:
    response = page(b"User-agent: *\nDisallow: /\xff\xff/\n")
    assert repair.process_response(Request(URL, meta={"dont_obey_robotstxt": True}), response) is response
    assert repair.crawler.spider.stats["yuqing/parse_failures"] == 0


def test_the_middleware_runs_for_every_spider_after_decompression_and_before_the_blocked_check() -> None:
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    order = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    position = order["crawlers.middlewares.encoding.CharsetRepairMiddleware"]
    assert order["crawlers.middlewares.blocked.BlockedPageMiddleware"] < position
    assert position < order["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"]
