"""The daemon's heartbeat: that it is alive, each job's next run, and one ``job_runs`` row per job run.

Every write is its own short transaction, so ``yuqing status`` (another process) always reads a
consistent picture; a run left ``running`` by a killed daemon is marked ``interrupted`` at the next start.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select, update

from storage import Database
from storage.daemon_models import DaemonHeartbeat, JobRun

DAEMON_NAME = "yuqing-run"


class Heartbeat:
    """Writes the ``daemon_heartbeats`` row of one daemon and its ``job_runs``."""

    def __init__(self, db: Database, name: str = DAEMON_NAME) -> None:
        self.db = db
        self.name = name

    def started(self, now: datetime, mode: str) -> None:
        with self.db.session() as session:
            session.execute(update(JobRun).where(JobRun.status == "running")
                            .values(status="interrupted", error="守护进程在任务结束前退出 (daemon died mid-run)"))
            row = session.get(DaemonHeartbeat, self.name) or DaemonHeartbeat(name=self.name)
            row.state, row.pid, row.host, row.mode = "running", os.getpid(), socket.gethostname(), mode
            row.started_at = row.beat_at = now
            row.stopped_at, row.next_runs = None, {}
            session.add(row)

    def beat(self, now: datetime, next_runs: dict[str, datetime | None], state: str = "running") -> None:
        with self.db.session() as session:
            row = session.get(DaemonHeartbeat, self.name)
            if row is not None:
                row.state, row.beat_at = state, now
                row.next_runs = {job: when.isoformat() if when else None for job, when in sorted(next_runs.items())}

    def stopped(self, now: datetime) -> None:
        with self.db.session() as session:
            row = session.get(DaemonHeartbeat, self.name)
            if row is not None:
                row.state, row.beat_at, row.stopped_at, row.next_runs = "stopped", now, now, {}

    def job_started(self, job_id: str, now: datetime) -> int:
        with self.db.session() as session:
            run = JobRun(job_id=job_id, started_at=now, status="running", details={})
            session.add(run)
            session.flush()
            return run.id

    def job_finished(self, run_id: int, now: datetime, status: str, error: str | None = None,
                     details: dict[str, Any] | None = None) -> None:
        with self.db.session() as session:
            run = session.get(JobRun, run_id)
            if run is not None:
                run.finished_at, run.status, run.error, run.details = now, status, error, details or {}

    def succeeded_since(self, job_id: str, moment: datetime) -> bool:
        """Whether a run of ``job_id`` that started at or after ``moment`` ended ``ok``."""
        with self.db.session() as session:
            return bool(session.scalar(select(exists().where(
                JobRun.job_id == job_id, JobRun.status == "ok", JobRun.started_at >= moment))))

    def trim(self, before: datetime) -> int:
        """Forget job runs that started before ``before``; how many."""
        with self.db.session() as session:
            return session.execute(delete(JobRun).where(JobRun.started_at < before)).rowcount or 0
