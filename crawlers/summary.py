"""The JSON line a crawl prints per source (``crawlers.runner``): its keys in order, and the line of a failed crawl.

The crawl-run extension fills the line from a finished crawl's counts; the runner's parent process reads it
back, and writes ``failed_summary`` for a source whose crawl could not run or report. Scrapy-free, so the
parent (the daemon, the CLI) imports it without loading Scrapy.
"""

from __future__ import annotations

from typing import Any

SUMMARY_KEYS = ("source", "status", "pages", "posts_new", "posts_updated", "blocked", "parse_failures",
                "empty_pages", "challenges", "robots_refused", "missing_fixtures", "warnings")


def failed_summary(source: str, why: str) -> dict[str, Any]:
    """The JSON line of a source whose crawl could not run or report."""
    return {key: 0 for key in SUMMARY_KEYS} | {"source": source, "status": "failed", "warnings": [why]}
