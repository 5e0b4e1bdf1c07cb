"""``crawlers.parsing.html``: parsel's CSS on lxml trees, one tree per response, freed with the response."""

from __future__ import annotations

import gc
import weakref

from parsel import Selector
from scrapy.http import HtmlResponse

from crawlers.parsing.html import css, css_each, css_first, has_class, outer_html, root_of, string, xpath

PAGE = ('<div class="post  hot"><h1>楼道<b>起火</b><!-- 注释 --></h1><a href="/t/1" class="xi2">详情</a></div>'
        '<div class="post"><a href="/t/2">其他</a></div>')


def response(body: str = PAGE) -> HtmlResponse:
    return HtmlResponse(url="https://www.example.cn/list", body=body.encode("gbk"), encoding="gbk")


def test_queries_give_what_parsel_gives_for_the_same_css() -> None:
    page, root = Selector(text=PAGE), root_of(response())
    assert css(root, "a::attr(href)") == page.css("a::attr(href)").getall() == ["/t/1", "/t/2"]
    assert css(root, "div.hot a::text") == page.css("div.hot a::text").getall() == ["详情"]
    assert string(css_first(root, "h1")) == page.css("h1").xpath("string()").get() == "楼道起火"
    assert outer_html(css_first(root, "a.xi2")) == page.css("a.xi2").get()
    assert css_each(css(root, "div.post"), "a::text") == page.css("div.post").css("a::text").getall()
    assert xpath(root, "//a/@href") == ["/t/1", "/t/2"]


def test_absent_matches_and_class_tokens() -> None:
    root = root_of(response())
    assert css_first(root, "table") is None and string(None) == ""
    first, second = css(root, "div")
    assert has_class(first, "hot") and has_class(second, "post") and not has_class(second, "hot")
    assert not has_class(css_first(root, "h1"), "post")


def test_a_response_is_parsed_once_and_its_tree_goes_with_it_without_the_cycle_collector() -> None:
    page = response()
    assert root_of(page) is root_of(page)
    gone = weakref.ref(root_of(page))
    gc.disable()
    try:
        del page
        assert gone() is None  # freed by reference counting: no response ↔ selector cycle holds it
    finally:
        gc.enable()
