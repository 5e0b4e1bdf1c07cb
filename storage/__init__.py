"""yuqing's database layer: models, migrations, and the few operations the crawlers, CLI and analysis use."""

from storage.crawl_runs import CrawlStats, finish_crawl_run, latest_crawl_runs, start_crawl_run
from storage.db import Database, open_database
from storage.export import iter_posts
from storage.importer import ImportReport, import_jsonl
from storage.models import Base, CrawlRun, EngagementSnapshot, Post, Source
from storage.posts import UpsertResult, known_post_ids, upsert_posts
from storage.records import EngagementSighting, PostRecord, RecordError
from storage.sources import register_source

__all__ = [
    "Base",
    "CrawlRun",
    "CrawlStats",
    "Database",
    "EngagementSighting",
    "EngagementSnapshot",
    "ImportReport",
    "Post",
    "PostRecord",
    "RecordError",
    "Source",
    "UpsertResult",
    "finish_crawl_run",
    "import_jsonl",
    "iter_posts",
    "known_post_ids",
    "latest_crawl_runs",
    "open_database",
    "register_source",
    "start_crawl_run",
    "upsert_posts",
]
