"""`yuqing run` as a real process: a second instance is refused, and SIGTERM mid-run stops it cleanly —
the running crawl finishes and is analysed, the heartbeat says stopped, the lock is released."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage import CrawlRun, Database, Post
from storage.analysis_models import PostAnalysisRow
from storage.daemon_models import DaemonHeartbeat, JobRun
from yuqing.daemon.lock import InstanceLock

ROOT = Path(__file__).resolve().parents[2]


def _yuqing(tmp_path: Path, db_url: str, *args: str) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    env.pop("YUQING_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "yuqing", "--db", db_url, *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_second_instance_refuses_to_start(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'yuqing.db'}"
    holder = InstanceLock(tmp_path / "yuqing.db.run.lock")
    holder.acquire()
    try:
        process = _yuqing(tmp_path, db_url, "run", "--replay", str(ROOT / "fixtures"))
        _, err = process.communicate(timeout=60)
    finally:
        holder.release()
    assert process.returncode == 3
    assert "另一个 yuqing run 已在运行" in err and "Another `yuqing run` is already running" in err
    assert str(os.getpid()) in err  # names the holder
    assert not (tmp_path / "yuqing.db").exists()  # refused before touching the database


def _wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


@pytest.mark.slow
def test_sigterm_finishes_the_running_crawl_and_stops_cleanly(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures" / "weibo", fixtures / "weibo")
    db_url = f"sqlite:///{tmp_path / 'yuqing.db'}"
    process = _yuqing(tmp_path, db_url, "run", "--replay", str(fixtures))
    db = Database(db_url)
    try:
        def crawl_running() -> bool:
            try:
                with db.session() as session:
                    return session.scalar(select(func.count()).where(JobRun.job_id == "crawl-weibo")) > 0
            except Exception:  # noqa: BLE001 - the database is not migrated yet
                return False
        _wait_for(crawl_running, timeout=90)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        with db.session() as session:
            heartbeat = session.get(DaemonHeartbeat, "yuqing-run")
            runs = session.execute(select(JobRun.job_id, JobRun.status)).all()
            posts = session.scalar(select(func.count()).select_from(Post))
            analysed = session.scalar(select(func.count()).select_from(PostAnalysisRow))
            crawl_states = session.scalars(select(CrawlRun.status)).all()
    finally:
        db.dispose()
    assert (heartbeat.state, heartbeat.next_runs) == ("stopped", {})
    assert heartbeat.stopped_at is not None
    assert ("crawl-weibo", "ok") in runs and all(status != "running" for _, status in runs)
    assert crawl_states == ["ok"]  # round 1 finished; round 2 never started after the signal
    assert posts > 50 and analysed == posts  # the crawl's posts were analysed before stopping
    lock = InstanceLock(tmp_path / "yuqing.db.run.lock")
    lock.acquire()  # released
    lock.release()
