"""yuqing's Scrapy project: source spiders, replay/record, blocked-page handling, and the store pipeline.

The CLI and the scheduler use only :func:`run_crawl_subprocess`; spiders build on :class:`SourceSpider`.
"""

from typing import Any

from crawlers.parsing.counts import parse_count
from crawlers.parsing.dates import DateParseError, parse_date
from crawlers.parsing.text import html_to_text
from crawlers.spiders.base import SourceSpider

__all__ = ["DateParseError", "SourceSpider", "html_to_text", "parse_count", "parse_date", "run_crawl_subprocess"]


def __getattr__(name: str) -> Any:
    # crawlers.runner is loaded on first use, so ``python -m crawlers.runner`` does not import it twice.
    if name == "run_crawl_subprocess":
        from crawlers.runner import run_crawl_subprocess

        return run_crawl_subprocess
    raise AttributeError(f"module 'crawlers' has no attribute {name!r}")
