"""One ``yuqing run`` per database, and whether it is alive: a file lock named after the SQLite file, an advisory
lock on PostgreSQL.

APScheduler cannot share a job store between processes, so a second daemon on the same database would
crawl, alert and purge twice. On SQLite the daemon holds an ``flock`` on ``<db file>.run.lock`` beside the
database file (two databases in one folder do not refuse each other); on PostgreSQL it holds a session advisory
lock, which is per database and seen from every host; ``[schedule] lock_file`` adds a file lock of your choosing.
The kernel drops the ``flock`` and the server drops the advisory lock when the process dies, even by SIGKILL,
so a crash never leaves a stale lock, and :func:`daemon_alive` tells a dead daemon from a live one by probing them.

A probe takes the lock *shared* and drops it at once, so probes never block each other; a daemon starting at
that instant retries for ``ACQUIRE_GRACE_SECONDS`` before it refuses, so a probe never stops a daemon starting.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url

from config import Config
from storage.db import sqlite_file

PG_LOCK_KEY = 7_160_402  # pg_try_advisory_lock key of the daemon (the migration lock is 7_160_401)
LOCK_SUFFIX = ".run.lock"  # yuqing.db → yuqing.db.run.lock
FALLBACK_LOCK = Path("var") / "yuqing-run.lock"  # SQLite without a plain file path (in-memory, ``file:`` URIs)
ACQUIRE_GRACE_SECONDS = 2.0  # a held lock is retried this long before refusing: a status probe holds it an instant
RETRY_SECONDS = 0.05
# Free ⇔ the shared lock could be taken; taken and dropped in one statement, so it never outlives the probe.
PROBE_SQL = "SELECT CASE WHEN pg_try_advisory_lock_shared(:key) THEN pg_advisory_unlock_shared(:key) ELSE false END"


class AlreadyRunning(Exception):
    """Another ``yuqing run`` holds the lock."""


def lock_path(config: Config, db_url: str | URL) -> Path | None:
    """The daemon's lock file: ``[schedule] lock_file``, else ``<file name>.run.lock`` beside the SQLite file,
    else none (PostgreSQL relies on its advisory lock alone)."""
    if config.schedule.lock_file:
        return Path(config.schedule.lock_file).expanduser()
    url = make_url(db_url)
    path = sqlite_file(url)
    if path:
        database = Path(path).expanduser().absolute()
        return database.with_name(database.name + LOCK_SUFFIX)
    return FALLBACK_LOCK if url.get_backend_name() == "sqlite" else None


class InstanceLock:
    """An exclusive ``flock`` on ``path`` (nothing when ``path`` is None); ``acquire`` raises :class:`AlreadyRunning`
    if it is still held after ``grace_seconds``."""

    def __init__(self, path: Path | None, grace_seconds: float = ACQUIRE_GRACE_SECONDS) -> None:
        self.path = path
        self.grace_seconds = grace_seconds
        self._file: Any = None

    def acquire(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        if not within_grace(lambda: _try_flock(handle, fcntl.LOCK_EX), self.grace_seconds):
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(refusal(self.path, holder))
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

    def __init__(self, db: Any, grace_seconds: float = ACQUIRE_GRACE_SECONDS) -> None:
        self.db = db
        self.grace_seconds = grace_seconds
        self._connection: Any = None

    def acquire(self) -> None:
        if self.db.url.get_backend_name() != "postgresql":
            return
        connection = self.db.engine.connect()
        if not within_grace(lambda: _try_advisory_lock(connection), self.grace_seconds):
            connection.close()
            raise AlreadyRunning(refusal(f"PostgreSQL advisory lock {PG_LOCK_KEY}", "another host"))
        self._connection = connection

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
            self._connection.close()
            self._connection = None


def daemon_alive(config: Config, db: Any) -> bool | None:
    """Whether a ``yuqing run`` holds ``db``'s instance lock now; None when this process cannot tell (SQLite whose
    lock file is not where this config and working directory put it)."""
    if db.url.get_backend_name() == "postgresql":
        return advisory_lock_held(db.engine)
    path = lock_path(config, db.url)
    return None if path is None else file_lock_held(path)


def file_lock_held(path: Path) -> bool | None:
    """Probe ``path`` with a shared, non-blocking ``flock``, dropped at once; None if there is no such file."""
    try:
        handle = open(path, encoding="utf-8")  # read-only: a probe never creates the file
    except OSError:
        return None
    with handle:
        if not _try_flock(handle, fcntl.LOCK_SH):
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def advisory_lock_held(engine: Engine) -> bool:
    """Probe the daemon's advisory lock, shared, on a connection of its own."""
    with engine.connect() as connection:
        free = connection.execute(text(PROBE_SQL), {"key": PG_LOCK_KEY}).scalar()
    return not free


def within_grace(attempt: Callable[[], bool], grace_seconds: float) -> bool:
    """Call ``attempt`` until it returns True or ``grace_seconds`` have passed; whether it succeeded."""
    deadline = time.monotonic() + grace_seconds
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(RETRY_SECONDS)
    return True


def refusal(where: object, holder: str) -> str:
    return (f"另一个 yuqing run 已在运行（进程 {holder}，锁 {where}），本实例不启动。\n"
            f"Another `yuqing run` is already running (pid {holder}, lock {where}); refusing to start.")


def _try_flock(handle: Any, operation: int) -> bool:
    try:
        fcntl.flock(handle, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _try_advisory_lock(connection: Connection) -> bool:
    taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": PG_LOCK_KEY}).scalar()
    connection.commit()  # the session lock outlives the transaction; no transaction is left open on it
    return bool(taken)
