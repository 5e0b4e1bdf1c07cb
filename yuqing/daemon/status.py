"""What ``yuqing status`` shows: the daemon's heartbeat (checked against its lock), each job's last and next run,
each source's health.

A daemon killed outright (SIGKILL, power loss) leaves its heartbeat saying ``running``; its lock went with it, so
a heartbeat that says running or stopping is believed only while someone holds the instance lock, else the
daemon is reported ``dead`` (已退出（未正常停止）) with its last heartbeat time.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import Config
from storage import Database, latest_crawl_runs
from storage.daemon_models import DaemonHeartbeat, JobRun
from yuqing.daemon.heartbeat import DAEMON_NAME
from yuqing.daemon.lock import daemon_alive

STATE_ZH = {"running": "运行中", "stopping": "正在停止", "stopped": "已停止", "dead": "已退出（未正常停止）",
            "ok": "成功", "failed": "失败", "interrupted": "中断", "blocked": "被封锁", "robots_refused": "robots拒绝",
            "empty": "无数据"}
LIVE_STATES = ("running", "stopping")  # what a heartbeat says while its daemon holds the lock


def checked_daemon_row(db: Database, config: Config, name: str = DAEMON_NAME) -> dict[str, Any] | None:
    """:func:`daemon_row`, with ``state`` ``dead`` when it says running or stopping but nobody holds the lock."""
    with db.session() as session:
        row = daemon_row(session, config.tz, name)
    if row is None or row["state"] not in LIVE_STATES or daemon_alive(config, db) is not False:
        return row
    with db.session() as session:  # read again: a daemon that stopped cleanly wrote "stopped" before unlocking
        again = daemon_row(session, config.tz, name)
    if again is not None and again["state"] in LIVE_STATES and _same_daemon(row, again):
        return {**again, "state": "dead"}
    return again


def daemon_row(session: Session, tz: tzinfo, name: str = DAEMON_NAME) -> dict[str, Any] | None:
    row = session.get(DaemonHeartbeat, name)
    if row is None:
        return None
    return {"name": row.name, "state": row.state, "pid": row.pid, "host": row.host, "mode": row.mode,
            "started_at": _iso(row.started_at, tz), "beat_at": _iso(row.beat_at, tz),
            "stopped_at": _iso(row.stopped_at, tz)}


def job_rows(session: Session, tz: tzinfo, name: str = DAEMON_NAME) -> list[dict[str, Any]]:
    """One row per job: its latest run and (while the daemon runs) its next run time."""
    heartbeat = session.get(DaemonHeartbeat, name)
    planned = dict(heartbeat.next_runs) if heartbeat is not None else {}
    latest = select(func.max(JobRun.id)).group_by(JobRun.job_id)
    runs = {run.job_id: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(latest)))}
    rows = []
    for job_id in sorted(set(planned) | set(runs)):
        run = runs.get(job_id)
        upcoming = planned.get(job_id)
        rows.append({
            "job": job_id,
            "last_start": _iso(run.started_at, tz) if run else None,
            "last_end": _iso(run.finished_at, tz) if run else None,
            "last_status": run.status if run else None,
            "last_error": run.error if run else None,
            "next_run": _iso(datetime.fromisoformat(upcoming), tz) if upcoming else None,
        })
    return rows


def source_rows(session: Session, tz: tzinfo) -> list[dict[str, Any]]:
    """Each source's latest crawl run: status, posts new/updated, blocked pages, parse failures."""
    return [{"source": run.source, "status": run.status, "mode": run.mode, "started_at": _iso(run.started_at, tz),
             "finished_at": _iso(run.finished_at, tz), "posts_new": run.posts_new, "posts_updated": run.posts_updated,
             "blocked": run.blocked_pages, "parse_failures": run.parse_failures, "empty_pages": run.empty_pages}
            for run in latest_crawl_runs(session)]


def _same_daemon(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return all(first[key] == second[key] for key in ("pid", "host", "started_at"))


def _iso(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None
