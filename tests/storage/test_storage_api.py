"""The storage package's public names: what the crawlers, CLI and analysis may import (docs/architecture.md)."""

from __future__ import annotations

import storage

PUBLIC = {
    "Base", "CrawlRun", "CrawlStats", "Database", "EngagementSighting", "EngagementSnapshot", "ImportReport", "Post",
    "PostRecord", "RecordError", "Source", "UpsertResult", "finish_crawl_run", "import_jsonl", "iter_posts",
    "known_post_ids", "latest_crawl_runs", "open_database", "register_source", "start_crawl_run", "upsert_posts",
}


def test_the_public_names_are_exactly_the_documented_ones():
    assert set(storage.__all__) == PUBLIC
    assert sorted(storage.__all__) == storage.__all__


def test_every_public_name_is_importable_from_the_package():
    missing = [name for name in storage.__all__ if not hasattr(storage, name)]
    assert missing == []
