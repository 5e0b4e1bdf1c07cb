"""Crawl runs are opened as 'running' and completed with every counter, so a blocked source never looks quiet."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage import CrawlRun, CrawlStats, Source, finish_crawl_run, latest_crawl_runs, start_crawl_run

STARTED = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
FINISHED = STARTED + timedelta(minutes=3)


def test_a_started_run_is_running_and_creates_its_source(db):
    with db.session() as session:
        run_id = start_crawl_run(session, "hualongxiang", "replay", 1, STARTED)
    with db.session() as session:
        run = session.get(CrawlRun, run_id)
        assert (run.source, run.mode, run.round_no, run.started_at) == ("hualongxiang", "replay", 1, STARTED)
        assert (run.status, run.finished_at, run.requests, run.warnings) == ("running", None, 0, [])
        assert session.scalars(select(Source.name)).all() == ["hualongxiang"]


def test_a_finished_run_keeps_every_counter(db):
    stats = CrawlStats(
        requests=14, responses_by_status={200: 12, "432": 2}, posts_new=37, posts_updated=5, parse_failures=1,
        blocked_pages=2, empty_pages=1, challenges=3, robots_refused=0, missing_fixtures=1,
        warnings=["https://m.weibo.cn/api/container/getIndex?page=2: blocked (HTTP 432)"],
    )
    with db.session() as session:
        run_id = start_crawl_run(session, "weibo", "live", None, STARTED)
        finish_crawl_run(session, run_id, stats, FINISHED, "blocked")
    with db.session() as session:
        run = session.get(CrawlRun, run_id)
    assert (run.status, run.finished_at, run.round_no) == ("blocked", FINISHED, None)
    assert run.responses_by_status == {"200": 12, "432": 2}
    assert run.warnings == ["https://m.weibo.cn/api/container/getIndex?page=2: blocked (HTTP 432)"]
    assert (run.requests, run.posts_new, run.posts_updated, run.parse_failures, run.blocked_pages, run.empty_pages,
            run.challenges, run.robots_refused, run.missing_fixtures) == (14, 37, 5, 1, 2, 1, 3, 0, 1)


def test_latest_runs_give_each_sources_most_recent_run(db):
    with db.session() as session:
        for round_no, source in [(1, "zhong5"), (1, "weibo"), (2, "zhong5")]:
            run_id = start_crawl_run(session, source, "replay", round_no, STARTED + timedelta(hours=round_no))
            finished = FINISHED + timedelta(hours=round_no)
            finish_crawl_run(session, run_id, CrawlStats(posts_new=round_no), finished, "ok")
    with db.session() as session:
        latest = [(run.source, run.round_no, run.posts_new) for run in latest_crawl_runs(session)]
    assert latest == [("weibo", 1, 1), ("zhong5", 2, 2)]


def test_a_bad_mode_status_or_run_id_is_refused(db):
    with db.session() as session:
        with pytest.raises(ValueError, match="mode"):
            start_crawl_run(session, "weibo", "dry-run", None, STARTED)
        run_id = start_crawl_run(session, "weibo", "live", None, STARTED)
        with pytest.raises(ValueError, match="status"):
            finish_crawl_run(session, run_id, CrawlStats(), FINISHED, "running")
        with pytest.raises(LookupError, match="no crawl run 999"):
            finish_crawl_run(session, 999, CrawlStats(), FINISHED, "ok")
