"""``StorePipeline``: posts and engagement sightings stored in batches through ``storage.upsert_posts``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from crawl_support import NOW, sample_config
from sqlalchemy import func, select

import crawlers.pipelines.store as store_module
from crawlers.pipelines.store import StorePipeline
from crawlers.spiders.base import SourceSpider
from storage import EngagementSighting, EngagementSnapshot, Post, PostRecord


def record(post_id: str, likes: int | None = 1) -> PostRecord:
    return PostRecord(source="alpha", id=post_id, url=f"https://alpha.example/post/{post_id}", title="标题",
                      text=f"正文 {post_id}", author="居民", published_at=NOW - timedelta(hours=1), likes=likes)


@pytest.fixture
def pipeline(tmp_path: Path, crawler_for) -> StorePipeline:
    db_url = f"sqlite:///{tmp_path / 'yuqing.db'}"
    spider = SourceSpider.for_config(sample_config(db_url), NOW, source="alpha", name="sample")
    spider.db_url = db_url
    crawler = crawler_for({"YUQING_STORE_BATCH": 2}, spider=spider)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    return store


def stored(store: StorePipeline) -> dict[str, Post]:
    with store.database.session() as session:
        posts = {post.source_post_id: post for post in session.scalars(select(Post))}
        session.expunge_all()
    return posts


def test_items_are_stored_in_batches_and_the_rest_on_close(pipeline: StorePipeline) -> None:
    for post_id in ("a", "b", "c"):
        assert pipeline.process_item(record(post_id)).id == post_id
    assert sorted(stored(pipeline)) == ["a", "b"]  # one full batch of two so far

    pipeline.close_spider()

    posts = stored(pipeline)
    assert sorted(posts) == ["a", "b", "c"]
    assert posts["c"].text == "正文 c" and posts["c"].fetched_at == NOW
    stats = pipeline.crawler.stats
    assert (stats.get_value("yuqing/items"), stats.get_value("yuqing/posts_new")) == (3, 3)


def test_a_sighting_of_a_known_post_updates_its_counts(pipeline: StorePipeline) -> None:
    pipeline.process_item(record("a", likes=10))
    pipeline.close_spider()
    pipeline.process_item(EngagementSighting("alpha", "a", likes=25))
    pipeline.process_item({"not": "a post"})  # other items pass through untouched
    pipeline.close_spider()

    assert stored(pipeline)["a"].likes == 25
    assert pipeline.crawler.stats.get_value("yuqing/posts_updated") == 1
    with pipeline.database.session() as session:
        assert session.scalar(select(func.count()).select_from(EngagementSnapshot)) == 2


def test_a_batch_the_database_refuses_is_stored_item_by_item(pipeline: StorePipeline, monkeypatch) -> None:
    real_upsert = store_module.upsert_posts

    def refuse_post_x(session, items, fetched_at: datetime):
        if any(item.id == "x" for item in items):
            raise ValueError("refused")
        return real_upsert(session, items, fetched_at=fetched_at)

    monkeypatch.setattr(store_module, "upsert_posts", refuse_post_x)
    pipeline.process_item(record("x"))
    pipeline.process_item(record("y"))

    assert sorted(stored(pipeline)) == ["y"]
    assert pipeline.crawler.stats.get_value("yuqing/store_failures") == 1
