"""`yuqing run` as a real process: a second instance is refused, and SIGTERM mid-run stops it cleanly — the
running crawl finishes and is analysed (a hung one is stopped after the stop grace and recorded as interrupted),
the heartbeat says stopped, the lock is released."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import DEFAULT_CONFIG
from storage import CrawlRun, Database, Post
from storage.analysis_models import PostAnalysisRow
from storage.daemon_models import DaemonHeartbeat, JobRun
from yuqing.daemon.lock import InstanceLock

ROOT = Path(__file__).resolve().parents[2]


def _yuqing(tmp_path: Path, db_url: str, *args: str, python_path: tuple[Path, ...] = ()) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": os.pathsep.join(map(str, (ROOT, *python_path)))}
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


def _kill_left_over(daemon: subprocess.Popen, child_pid_file: Path) -> None:
    """A failed test leaves no daemon or hung crawl child behind."""
    daemon.kill()
    daemon.wait()
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        os.kill(int(child_pid_file.read_text()), signal.SIGKILL)


HANGING_CRAWL = """
import os, signal, sys, time
from pathlib import Path
if sys.argv and sys.argv[-1] == "weibo" and "--replay" in sys.argv:  # the crawl child, not the daemon
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    Path(__file__).with_name("hanging").write_text(str(os.getpid()))
    time.sleep(3600)
"""


@pytest.mark.slow
def test_sigterm_stops_a_hung_crawl_after_the_stop_grace_and_records_it_interrupted(tmp_path):
    from scheduler import CRAWL_STOP_GRACE_SECONDS

    fixtures, inject = tmp_path / "fixtures", tmp_path / "inject"
    shutil.copytree(ROOT / "fixtures" / "weibo", fixtures / "weibo")
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(HANGING_CRAWL, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'yuqing.db'}"
    config = tmp_path / "config.toml"
    config.write_text(re.sub(r"(?m)^stop_grace_seconds = \d+", "stop_grace_seconds = 1",
                             DEFAULT_CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    process = _yuqing(tmp_path, db_url, "--config", str(config), "run", "--replay", str(fixtures),
                      python_path=(inject,))
    try:
        _wait_for((inject / "hanging").exists, timeout=90)
        signalled_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        _kill_left_over(process, inject / "hanging")
    assert time.monotonic() - signalled_at < 1 + CRAWL_STOP_GRACE_SECONDS + 15  # the grace, the kill, a margin
    assert process.returncode == 0, err[-2000:]
    db = Database(db_url)
    try:
        with db.session() as session:
            heartbeat = session.get(DaemonHeartbeat, "yuqing-run")
            runs = session.execute(select(JobRun.job_id, JobRun.status, JobRun.error)
                                   .where(JobRun.job_id == "crawl-weibo")).all()
    finally:
        db.dispose()
    assert heartbeat.state == "stopped"
    assert runs == [("crawl-weibo", "interrupted", "守护进程停止，爬取被中止：爬取进程被终止（返回码 -9）")]
