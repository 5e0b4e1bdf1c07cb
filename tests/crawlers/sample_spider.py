"""A tiny SourceSpider for the engine tests: a list page per board, then one detail page per new post."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.parsing.text import html_to_text
from crawlers.spiders.base import SourceSpider
from storage.records import EngagementSighting, PostRecord


class SampleSpider(SourceSpider):
    """Stands in for the built-in ``generic`` spider (loaded with ``--spider-module sample_spider``)."""

    name = "generic"

    async def start(self) -> AsyncIterator[Any]:
        for board in self.boards:
            url = f"https://{self.allowed_domains[0]}/list?board={board}&_=1763600000"
            yield scrapy.Request(url, callback=self.parse_list)

    def blocked_reason(self, response: Response) -> str | None:
        return "captcha" if "验证码".encode() in response.body else None

    def parse_list(self, response: Response) -> Iterator[Any]:
        rows = response.css("li.post")
        if not rows:
            self.report_empty(response, "posts")
        for row in rows:
            post_id = row.attrib["data-id"]
            likes = self.parse_count(row.css(".likes::text").get())
            if self.is_known(post_id):
                yield EngagementSighting(self.source, post_id, likes=likes)
            else:
                yield response.follow(row.css("a::attr(href)").get(), self.parse_post,
                                      cb_kwargs={"post_id": post_id, "likes": likes})

    def parse_post(self, response: Response, post_id: str, likes: int | None) -> Iterator[PostRecord]:
        published_at = self.parse_date(response.css(".date::text").get())  # raises on a page without a date
        yield PostRecord(
            source=self.source, id=post_id, url=response.url, title=response.css("h1::text").get(""),
            text=html_to_text(response.css("div.body").get()), author=response.css(".author::text").get(),
            published_at=published_at, likes=likes,
        )
