"""A SampleSpider that cannot be built for the source ``broken``: a spider failing while Scrapy starts its crawl."""

from __future__ import annotations

from typing import Any

from sample_spider import SampleSpider
from scrapy.crawler import Crawler


class PickySpider(SampleSpider):
    """Stands in for the built-in ``generic`` spider (loaded with ``--spider-module picky_spider``)."""

    name = "generic"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "PickySpider":
        if kwargs.get("source") == "broken":
            raise RuntimeError("the spider of source broken cannot start")
        return super().from_crawler(crawler, *args, **kwargs)
