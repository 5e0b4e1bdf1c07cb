"""The operator's session cookie goes to the source's own hosts only — never to every host a feed links to."""

from __future__ import annotations

from typing import Any

from crawl_support import NOW, sample_config
from scrapy.http import Request, XmlResponse

from crawlers.middlewares.cookies import SourceCookieMiddleware
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.generic import GenericSpider

COOKIE = "SUB=operator-session"
FEED = "https://news.alpha.example/rss.xml"
RSS = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>本站</title><link>https://news.alpha.example/post/1</link><guid>p1</guid>
<pubDate>Fri, 20 Nov 2026 09:00:00 +0800</pubDate></item>
<item><title>外站</title><link>https://elsewhere.example/external/1</link><guid>ext1</guid>
<pubDate>Fri, 20 Nov 2026 09:30:00 +0800</pubDate></item></channel></rss>"""


def sent_cookie(middleware: SourceCookieMiddleware, url: str) -> bytes | None:
    request = Request(url)
    middleware.process_request(request)
    return request.headers.get(b"Cookie")


def generic_crawler(crawler_for: Any, **source: Any) -> Any:
    config = sample_config(cookie=COOKIE, allowed_domains=[], **source)
    return crawler_for(spider=GenericSpider.for_config(config, NOW, source="alpha"))


def test_a_feed_source_without_allowed_domains_sends_its_cookie_to_the_feeds_host_only(crawler_for) -> None:
    crawler = generic_crawler(crawler_for, feed_url=FEED, detail_page={"text": "#c p"})
    middleware = SourceCookieMiddleware.from_crawler(crawler)
    detail_requests = list(crawler.spider.parse_feed(XmlResponse(url=FEED, body=RSS.encode("utf-8"))))

    assert [sent_cookie(middleware, request.url) for request in detail_requests] == [COOKIE.encode(), None]
    assert sent_cookie(middleware, "https://elsewhere.example/robots.txt") is None
    assert sent_cookie(middleware, "https://news.alpha.example/robots.txt") == COOKIE.encode()


def test_a_list_page_source_without_allowed_domains_sends_its_cookie_to_the_list_pages_host_only(crawler_for) -> None:
    list_page = {"url": "https://www.alpha.example/tzgg/index.html", "item": "li"}
    crawler = generic_crawler(crawler_for, feed_url=None, list_page=list_page, detail_page={"text": "#c p"})
    middleware = SourceCookieMiddleware.from_crawler(crawler)

    assert sent_cookie(middleware, "https://www.alpha.example/tzgg/1.html") == COOKIE.encode()
    assert sent_cookie(middleware, "https://cdn.other.example/tzgg/1.html") is None


def test_the_spiders_own_allowed_domains_serve_when_config_names_none(crawler_for) -> None:
    class ForumSpider(SourceSpider):
        name = "forum"
        allowed_domains = ["forum.example"]

    spider = ForumSpider.for_config(sample_config(cookie=COOKIE, allowed_domains=[]), NOW, source="alpha")
    middleware = SourceCookieMiddleware.from_crawler(crawler_for(spider=spider))

    assert sent_cookie(middleware, "https://bbs.forum.example/t/1") == COOKIE.encode()
    assert sent_cookie(middleware, "https://alpha.example/feed") is None  # the domains named win over the feed's host


def test_a_source_with_no_domains_and_no_urls_sends_its_cookie_nowhere(crawler_for) -> None:
    config = sample_config(spider="weibo", feed_url=None, allowed_domains=[], cookie=COOKIE)
    middleware = SourceCookieMiddleware.from_crawler(
        crawler_for(spider=SourceSpider.for_config(config, NOW, source="alpha", name="sample")))

    assert sent_cookie(middleware, "https://m.weibo.cn/api/container") is None
    assert sent_cookie(middleware, "https://anywhere.example/") is None
