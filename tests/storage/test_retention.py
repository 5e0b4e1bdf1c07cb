"""The retention purge deletes old posts with their derived data, leaves a tombstone for each, and keeps
every post an alert refers to (evidence, alert posts); a purged post never comes back as new."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from alerts.models import Alert, AlertPost, Evidence
from storage import EngagementSighting, EngagementSnapshot, Post, known_post_ids, upsert_posts
from storage.daemon_models import Tombstone
from storage.retention import protecting_columns, purge_expired_posts

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 6, 1, 3, 30, tzinfo=SHANGHAI)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _store(db, make_record, *records) -> dict[str, int]:
    with db.session() as session:
        upsert_posts(session, list(records), fetched_at=NOW - timedelta(days=300))
        return {row.source_post_id: row.id for row in session.scalars(select(Post))}


def _keep_as_evidence(db, post_id: int) -> None:
    with db.session() as session:
        session.add(Alert(id="A-e1-1", dedup_key="e1", event_id="e1", level="橙", opened_at=OLD, updated_at=OLD,
                          policy_started_at=OLD))
        session.flush()
        session.add(AlertPost(alert_id="A-e1-1", post_id=post_id, added_at=OLD))
        session.add(Evidence(post_id=post_id, alert_id="A-e1-1", marked_at=OLD))


def test_old_posts_are_purged_with_their_snapshots_and_tombstoned(db, make_record):
    ids = _store(db, make_record, make_record("old1", published_at=OLD), make_record("new1", published_at=RECENT))
    report = purge_expired_posts(db, keep_days=180, now=NOW)
    assert (report.purged, report.kept, report.cutoff) == (1, 0, NOW - timedelta(days=180))
    with db.session() as session:
        assert session.scalars(select(Post.source_post_id)).all() == ["new1"]
        assert session.scalars(select(EngagementSnapshot.post_id)).all() == [ids["new1"]]
        tomb = session.scalars(select(Tombstone)).one()
    assert (tomb.source, tomb.source_post_id, tomb.published_at, tomb.purged_at) == ("weibo", "old1", OLD, NOW)


def test_alert_evidence_and_alert_posts_are_never_purged(db, make_record):
    ids = _store(db, make_record, make_record("evid", published_at=OLD), make_record("old2", published_at=OLD))
    _keep_as_evidence(db, ids["evid"])
    report = purge_expired_posts(db, keep_days=180, now=NOW)
    assert (report.purged, report.kept) == (1, 1)
    with db.session() as session:
        assert session.scalars(select(Post.source_post_id)).all() == ["evid"]
        assert session.scalars(select(Evidence.post_id)).all() == [ids["evid"]]
        assert session.scalars(select(AlertPost.post_id)).all() == [ids["evid"]]
        assert session.scalars(select(Alert.id)).all() == ["A-e1-1"]
        assert session.scalars(select(Tombstone.source_post_id)).all() == ["old2"]


def test_every_table_referring_to_posts_except_derived_data_protects_them():
    protecting = {f"{column.table.name}.{column.name}" for column in protecting_columns()}
    assert {"evidence.post_id", "alert_posts.post_id", "relevance_labels.post_id"} <= protecting
    assert not protecting & {"engagement_snapshots.post_id", "post_analyses.post_id"}


def test_a_tombstoned_post_is_not_stored_again_and_counts_as_known(db, make_record):
    _store(db, make_record, make_record("old3", published_at=OLD))
    purge_expired_posts(db, keep_days=180, now=NOW)
    with db.session() as session:
        result = upsert_posts(session, [make_record("old3", published_at=OLD), make_record("fresh")], fetched_at=NOW)
        sighting = upsert_posts(session, [EngagementSighting("weibo", "old3", 9, 9, 9, None)], fetched_at=NOW)
        assert (result.new, result.skipped, sighting.skipped) == (1, 1, 1)
        assert session.scalars(select(Post.source_post_id)).all() == ["fresh"]
        assert known_post_ids(session, "weibo") == {"old3", "fresh"}
        assert known_post_ids(session, "weibo", since=OLD + timedelta(days=1)) == {"fresh"}


def test_a_large_purge_runs_in_batches(db, make_record):
    _store(db, make_record, *(make_record(f"p{n}", published_at=OLD) for n in range(7)))
    report = purge_expired_posts(db, keep_days=180, now=NOW, batch_size=3)
    with db.session() as session:
        assert (report.purged, session.scalar(select(func.count()).select_from(Tombstone))) == (7, 7)
        assert session.scalar(select(func.count()).select_from(Post)) == 0


@pytest.mark.slow
def test_a_purged_post_is_not_re_added_by_a_replay(sqlite_db):
    from crawlers import run_crawl_subprocess

    url = sqlite_db.url.render_as_string(hide_password=False)
    (first,) = run_crawl_subprocess(["weibo"], db_url=url, replay_dir=FIXTURES, round_no=1, timeout_s=120)
    with sqlite_db.session() as session:
        stored = session.scalar(select(func.count()).select_from(Post))
        evidence_id = session.scalars(select(Post.id).order_by(Post.id)).first()
    _keep_as_evidence(sqlite_db, evidence_id)
    report = purge_expired_posts(sqlite_db, keep_days=1, now=datetime(2027, 1, 1, tzinfo=SHANGHAI))
    (again,) = run_crawl_subprocess(["weibo"], db_url=url, replay_dir=FIXTURES, round_no=1, timeout_s=120)
    assert first["posts_new"] == stored > 50
    assert (report.purged, report.kept) == (stored - 1, 1)
    assert (again["status"], again["posts_new"]) == ("ok", 0)
    with sqlite_db.session() as session:
        assert session.scalars(select(Post.id)).all() == [evidence_id]
