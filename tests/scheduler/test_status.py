"""`yuqing status`: the daemon's heartbeat, each job's last and next run, and each source's latest crawl — and a
daemon that died without stopping (kill -9) shown as dead, not running, because nobody holds its lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import yuqing.daemon.status as status_module
from storage import CrawlStats, finish_crawl_run, start_crawl_run
from tests.scheduler.conftest import START, make_config
from yuqing.cli import cli
from yuqing.daemon.heartbeat import Heartbeat
from yuqing.daemon.lock import DatabaseLock, InstanceLock, lock_path
from yuqing.daemon.status import checked_daemon_row, daemon_row, job_rows, source_rows

ROOT = Path(__file__).resolve().parents[2]


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


@contextmanager
def _daemon_locks(db) -> Iterator[None]:
    """Hold what a live daemon holds: its lock file (SQLite) or its advisory lock (PostgreSQL)."""
    locks = [InstanceLock(lock_path(make_config(), db.url)), DatabaseLock(db)]
    for lock in locks:
        lock.acquire()
    try:
        yield
    finally:
        for lock in reversed(locks):
            lock.release()


def test_a_running_heartbeat_whose_daemon_holds_the_lock_is_running(db):
    _history(db)
    with _daemon_locks(db):
        daemon = checked_daemon_row(db, make_config())
    assert daemon["state"] == "running"


def test_a_running_heartbeat_nobody_holds_the_lock_for_is_dead_with_its_last_heartbeat(db):
    _history(db)
    with _daemon_locks(db):
        pass  # the daemon ran here, then was killed: its lock file stays, its lock does not
    daemon = checked_daemon_row(db, make_config())
    assert (daemon["state"], daemon["beat_at"], daemon["stopped_at"]) == ("dead", "2026-11-20T10:01:00+08:00", None)


def test_a_daemon_stopping_cleanly_while_status_probes_is_stopped_not_dead(db, monkeypatch):
    _history(db)

    def stops_then_unlocks(*_args) -> bool:
        Heartbeat(db).stopped(START + timedelta(minutes=2))
        return False

    monkeypatch.setattr(status_module, "daemon_alive", stops_then_unlocks)
    assert checked_daemon_row(db, make_config())["state"] == "stopped"


def test_a_stopped_heartbeat_is_believed_without_a_probe(db, monkeypatch):
    _history(db)
    Heartbeat(db).stopped(START + timedelta(minutes=2))
    monkeypatch.setattr(status_module, "daemon_alive", lambda *_args: pytest.fail("probed"))
    assert checked_daemon_row(db, make_config())["state"] == "stopped"


def test_with_no_lock_file_where_status_looks_the_heartbeat_is_believed(sqlite_db):
    _history(sqlite_db)  # e.g. the daemon was given another [schedule] lock_file: status cannot tell
    assert checked_daemon_row(sqlite_db, make_config())["state"] == "running"


def _start_daemon(tmp_path: Path, db_url: str) -> subprocess.Popen:
    """``yuqing run --replay`` on an empty fixtures folder: a real daemon with nothing to crawl."""
    (tmp_path / "no-fixtures").mkdir()
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    env.pop("YUQING_CONFIG", None)
    with open(tmp_path / "daemon.log", "w", encoding="utf-8") as log:
        return subprocess.Popen([sys.executable, "-m", "yuqing", "--db", db_url, "run", "--replay", "no-fixtures"],
                                cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=log)


def _status(db_url: str, *options: str) -> str:
    result = CliRunner().invoke(cli, ["--db", db_url, "status", *options])
    assert result.exit_code == 0, result.output
    return result.output


def _daemon_status(db_url: str) -> dict:
    return json.loads(_status(db_url, "--format", "jsonl").splitlines()[0])


def _wait_for(predicate: Callable[[], bool], timeout: float, process: subprocess.Popen, tmp_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert process.poll() is None or process.returncode == -signal.SIGKILL, (
            tmp_path / "daemon.log").read_text(encoding="utf-8")[-2000:]
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.3)


@pytest.fixture
def daemon_process(db_url, tmp_path, monkeypatch) -> Iterator[subprocess.Popen]:
    """A real ``yuqing run`` on ``db_url``, once its heartbeat says running; stopped after the test."""
    monkeypatch.delenv("YUQING_CONFIG", raising=False)
    process = _start_daemon(tmp_path, db_url)
    try:
        _wait_for(lambda: _daemon_status(db_url)["state"] == "running", 90, process, tmp_path)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


@pytest.mark.slow
def test_a_live_daemon_is_reported_running(daemon_process, db_url, tmp_path):
    daemon = _daemon_status(db_url)
    assert (daemon["state"], daemon["pid"]) == ("running", daemon_process.pid)
    assert _status(db_url).startswith(f"守护进程：运行中（replay，进程 {daemon_process.pid}@")
    assert not (tmp_path / "var").exists()  # no lock file shared by every daemon started from this folder


@pytest.mark.slow
def test_a_daemon_killed_outright_is_reported_dead_with_its_last_heartbeat(daemon_process, db_url, tmp_path):
    beat_at = _daemon_status(db_url)["beat_at"]
    daemon_process.send_signal(signal.SIGKILL)
    daemon_process.wait(timeout=10)
    _wait_for(lambda: _daemon_status(db_url)["state"] != "running", 10, daemon_process, tmp_path)
    daemon = _daemon_status(db_url)
    assert (daemon["state"], daemon["pid"], daemon["stopped_at"]) == ("dead", daemon_process.pid, None)
    assert daemon["beat_at"] >= beat_at  # its last heartbeat
    table = _status(db_url)
    assert table.startswith(f"守护进程：已退出（未正常停止）（replay，进程 {daemon_process.pid}@")
    assert f"最近心跳 {daemon['beat_at']}" in table
    jobs = [json.loads(line) for line in _status(db_url, "--format", "jsonl").splitlines()[1:]]
    assert jobs and all(row["next_run"] is None for row in jobs if row["kind"] == "job")  # nothing will run
