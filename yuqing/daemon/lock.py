"""One ``yuqing run`` per database: an OS file lock beside the SQLite file, plus an advisory lock on PostgreSQL.

APScheduler cannot share a job store between processes, so a second daemon on the same database would
crawl, alert and purge twice. The file lock (``fcntl.flock``) is released by the kernel when the process
dies, so a crash never leaves a stale lock; the file itself stays and records the holder's pid.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from config import Config
from storage.db import sqlite_file

PG_LOCK_KEY = 7_160_402  # pg_try_advisory_lock key of the daemon (the migration lock is 7_160_401)
LOCK_NAME = "yuqing-run.lock"


class AlreadyRunning(Exception):
    """Another ``yuqing run`` holds the lock."""


def lock_path(config: Config, db_url: str) -> Path:
    """``[schedule] lock_file``, else ``yuqing-run.lock`` beside the SQLite file, else ``var/yuqing-run.lock``."""
    if config.schedule.lock_file:
        return Path(config.schedule.lock_file).expanduser()
    path = sqlite_file(make_url(db_url))
    if path:
        return Path(path).expanduser().absolute().parent / LOCK_NAME
    return Path("var") / LOCK_NAME


class InstanceLock:
    """An exclusive, non-blocking ``flock`` on ``path``; ``acquire`` raises :class:`AlreadyRunning` if held."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(refusal(self.path, holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class DatabaseLock:
    """On PostgreSQL, a session advisory lock held on a dedicated connection (daemons on other hosts)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._connection: Any = None

    def acquire(self) -> None:
        if self.db.url.get_backend_name() != "postgresql":
            return
        connection = self.db.engine.connect()
        if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": PG_LOCK_KEY}).scalar():
            connection.close()
            raise AlreadyRunning(refusal(f"PostgreSQL advisory lock {PG_LOCK_KEY}", "another host"))
        connection.commit()
        self._connection = connection

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
            self._connection.close()
            self._connection = None


def refusal(where: object, holder: str) -> str:
    return (f"另一个 yuqing run 已在运行（进程 {holder}，锁 {where}），本实例不启动。\n"
            f"Another `yuqing run` is already running (pid {holder}, lock {where}); refusing to start.")
