"""Analysis in the database: every post analysed once per model version, incidents continued across runs."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from itertools import combinations
from pathlib import Path

import pytest
from sqlalchemy import select, update

from analysis import Analyzer
from analysis.persist import analyse_stored_posts
from config import load_config
from storage import Post, import_jsonl, upsert_posts
from storage.analysis_models import Event, PostAnalysisRow
from storage.records import EngagementSighting

DEVSET = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "devset_posts.jsonl"
NOW = datetime.fromisoformat("2026-11-21T10:00:00+08:00")
SPLIT = "2026-11-20T10:00:00+08:00"  # round 1 is captured here; round 2 adds a day of posts


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def analyzer_factory(config):
    warm = Analyzer(config)  # load models once for the module; each test gets a fresh grouper state
    return lambda: Analyzer(config, segmenter=warm.segmenter, sentiment=warm.sentiment, lexicon=warm.lexicon,
                            relevance_model=warm.relevance.model)


def devset_lines(before: str | None = None, after: str | None = None) -> list[str]:
    lines = DEVSET.read_text(encoding="utf-8").splitlines()
    keep = []
    for line in lines:
        published = datetime.fromisoformat(json.loads(line)["published_at"])
        if before and published >= datetime.fromisoformat(before):
            continue
        if after and published < datetime.fromisoformat(after):
            continue
        keep.append(line)
    return keep


def event_pairs(db) -> set[tuple[str, str]]:
    """Pairs of posts that share an event: what grouping decided, independent of event ids."""
    groups: dict[str, list[str]] = defaultdict(list)
    with db.session() as session:
        rows = session.execute(select(PostAnalysisRow.event_id, Post.source, Post.source_post_id)
                               .join(Post, Post.id == PostAnalysisRow.post_id)
                               .where(PostAnalysisRow.event_id.is_not(None))).all()
    for event_id, source, post_id in rows:
        groups[event_id].append(f"{source}:{post_id}")
    return {tuple(sorted(pair)) for keys in groups.values() for pair in combinations(keys, 2)}


def test_every_stored_post_is_analysed_once_and_a_second_run_does_nothing(db, config, analyzer_factory):
    import_jsonl(db, devset_lines(), fetched_at=NOW)
    first = analyse_stored_posts(db, config, NOW, analyzer_factory())
    again = analyse_stored_posts(db, config, NOW, analyzer_factory())
    with db.session() as session:
        analysed = session.scalar(select(PostAnalysisRow.post_id).limit(1))
        count = len(session.scalars(select(PostAnalysisRow.post_id)).all())
        alerting = session.scalars(select(Event).where(Event.in_district, Event.level.is_not(None))).all()
    assert first.analysed == count == len(devset_lines()) and analysed is not None
    assert first.changed_events and alerting
    assert (again.analysed, again.changed_events) == (0, [])


def test_a_second_crawl_continues_the_incidents_of_the_first(db, config, analyzer_factory, sqlite_db):
    import_jsonl(db, devset_lines(before=SPLIT), fetched_at=NOW)
    analyse_stored_posts(db, config, NOW, analyzer_factory())
    import_jsonl(db, devset_lines(after=SPLIT), fetched_at=NOW)
    second = analyse_stored_posts(db, config, NOW, analyzer_factory())
    import_jsonl(sqlite_db, devset_lines(), fetched_at=NOW)
    analyse_stored_posts(sqlite_db, config, NOW, analyzer_factory())
    assert second.analysed == len(devset_lines(after=SPLIT))
    split, whole = event_pairs(db), event_pairs(sqlite_db)
    assert len(split & whole) >= 0.95 * len(whole)  # incremental grouping ≈ grouping everything at once


def test_a_new_model_version_reanalyses_everything_and_keeps_event_ids(db, config, analyzer_factory):
    import_jsonl(db, devset_lines(), fetched_at=NOW)
    analyse_stored_posts(db, config, NOW, analyzer_factory())
    with db.session() as session:
        before = set(session.scalars(select(Event.id)).all())
        session.execute(update(PostAnalysisRow).values(model_version="analysis-0"))
    report = analyse_stored_posts(db, config, NOW, analyzer_factory())
    with db.session() as session:
        after = set(session.scalars(select(Event.id)).all())
        versions = set(session.scalars(select(PostAnalysisRow.model_version)).all())
    assert report.rebuilt and report.analysed == len(devset_lines())
    assert after == before and versions == {report.version}


def test_growing_engagement_reassesses_the_incident(db, config, analyzer_factory):
    import_jsonl(db, devset_lines(), fetched_at=NOW)
    analyse_stored_posts(db, config, NOW, analyzer_factory())
    with db.session() as session:
        event = session.scalars(select(Event).where(Event.in_district, Event.level.is_not(None))
                                .order_by(Event.score)).first()
        member = session.execute(select(Post).join(PostAnalysisRow, PostAnalysisRow.post_id == Post.id)
                                 .where(PostAnalysisRow.event_id == event.id)).scalars().first()
        old_score, key = event.score, (member.source, member.source_post_id)
        sighting = EngagementSighting(key[0], key[1], reposts=(member.reposts or 0) + 50_000,
                                      comments=(member.comments or 0) + 20_000, likes=(member.likes or 0) + 80_000)
        upsert_posts(session, [sighting], fetched_at=NOW)
    report = analyse_stored_posts(db, config, NOW, analyzer_factory())
    with db.session() as session:
        grown = session.get(Event, event.id)
    assert report.analysed == 0 and event.id in report.changed_events
    assert grown.growth > 0 and grown.score > old_score and "较上轮" in grown.reason


def stored_outcome(db) -> tuple[list, list]:
    """What analysis stored, by post key and event id: every decision, independent of database row ids."""
    with db.session() as session:
        posts = session.execute(
            select(Post.source, Post.source_post_id, PostAnalysisRow.relevance, PostAnalysisRow.sentiment,
                   PostAnalysisRow.category, PostAnalysisRow.duplicate_of, PostAnalysisRow.event_id,
                   PostAnalysisRow.level, PostAnalysisRow.alert, PostAnalysisRow.reason)
            .join(Post, Post.id == PostAnalysisRow.post_id).order_by(Post.source, Post.source_post_id)).all()
        events = session.execute(select(Event.id, Event.post_count, Event.engagement, Event.level, Event.score,
                                        Event.reason, Event.place).order_by(Event.id)).all()
    return [tuple(row) for row in posts], [tuple(row) for row in events]


def test_a_warm_analyzer_kept_across_runs_stores_what_a_fresh_one_would(db, config, analyzer_factory, sqlite_db):
    warm = analyzer_factory()  # the daemon's: it already holds the first round's posts and events
    for database, analyzer in ((db, warm), (sqlite_db, analyzer_factory())):
        import_jsonl(database, devset_lines(before=SPLIT), fetched_at=NOW)
        analyse_stored_posts(database, config, NOW, analyzer)
        import_jsonl(database, devset_lines(after=SPLIT), fetched_at=NOW)
    analyse_stored_posts(db, config, NOW, warm)
    analyse_stored_posts(sqlite_db, config, NOW, analyzer_factory())
    warm_posts, warm_events = stored_outcome(db)
    assert len(warm_posts) == len(devset_lines()) and any(row[6] for row in warm_posts)
    assert (warm_posts, warm_events) == stored_outcome(sqlite_db)
