"""`yuqing status`: the daemon's heartbeat, each job's last and next run, and each source's latest crawl."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from storage import CrawlStats, finish_crawl_run, start_crawl_run
from tests.scheduler.conftest import START
from yuqing.cli import cli
from yuqing.daemon.heartbeat import Heartbeat
from yuqing.daemon.status import daemon_row, job_rows, source_rows


def _history(db) -> None:
    beat = Heartbeat(db)
    beat.started(START, "live")
    first = beat.job_started("crawl-weibo", START)
    beat.job_finished(first, START + timedelta(seconds=40), "failed", "超时：1200 秒后终止")
    beat.beat(START + timedelta(minutes=1), {"crawl-weibo": START + timedelta(minutes=15), "alerts-tick": None})
    with db.session() as session:
        run_id = start_crawl_run(session, "weibo", "live", None, START)
        finish_crawl_run(session, run_id, CrawlStats(posts_new=4, blocked_pages=2, parse_failures=1),
                         START + timedelta(seconds=30), "blocked")


def test_status_rows_show_last_and_next_runs_and_source_health(db):
    _history(db)
    tz = START.tzinfo
    with db.session() as session:
        daemon, jobs, sources = daemon_row(session, tz), job_rows(session, tz), source_rows(session, tz)
    assert (daemon["state"], daemon["mode"], daemon["beat_at"]) == ("running", "live", "2026-11-20T10:01:00+08:00")
    assert jobs == [
        {"job": "alerts-tick", "last_start": None, "last_end": None, "last_status": None, "last_error": None,
         "next_run": None},
        {"job": "crawl-weibo", "last_start": "2026-11-20T10:00:00+08:00", "last_end": "2026-11-20T10:00:40+08:00",
         "last_status": "failed", "last_error": "超时：1200 秒后终止", "next_run": "2026-11-20T10:15:00+08:00"},
    ]
    assert [(s["source"], s["status"], s["posts_new"], s["blocked"], s["parse_failures"]) for s in sources] == [
        ("weibo", "blocked", 4, 2, 1)]


def test_a_restarted_daemon_marks_the_run_it_abandoned_interrupted(db):
    beat = Heartbeat(db)
    beat.started(START, "live")
    beat.job_started("retention-purge", START)
    beat.started(START + timedelta(hours=1), "live")
    with db.session() as session:
        (job,) = job_rows(session, START.tzinfo)
    assert (job["job"], job["last_status"], job["last_end"]) == ("retention-purge", "interrupted", None)


def test_yuqing_status_jsonl(sqlite_db):
    _history(sqlite_db)
    url = sqlite_db.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "status", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["kind"], line.get("job") or line.get("source") or line["state"]) for line in lines] == [
        ("daemon", "running"), ("job", "alerts-tick"), ("job", "crawl-weibo"), ("source", "weibo")]


def test_yuqing_status_table_before_any_daemon_ran(sqlite_db):
    url = sqlite_db.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "status"])
    assert result.exit_code == 0 and "守护进程：从未运行" in result.output
