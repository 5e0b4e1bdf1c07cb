"""What ``yuqing status`` shows: the daemon's heartbeat, each job's last and next run, each source's health."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import latest_crawl_runs
from storage.daemon_models import DaemonHeartbeat, JobRun
from yuqing.daemon.heartbeat import DAEMON_NAME

STATE_ZH = {"running": "运行中", "stopping": "正在停止", "stopped": "已停止", "ok": "成功", "failed": "失败",
            "interrupted": "中断", "blocked": "被封锁", "robots_refused": "robots拒绝", "empty": "无数据"}


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


def _iso(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None
