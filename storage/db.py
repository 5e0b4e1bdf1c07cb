"""Open the database: engine set-up (SQLite WAL, busy timeout, foreign keys), sessions, and Alembic upgrades.

A locked SQLite database loses no data. Every connection sets ``PRAGMA busy_timeout`` (30 s by default),
so a writer that finds another process's write lock (a second crawl, an import, a report) waits for it
instead of failing with "database is locked"; in WAL mode readers never block the writer nor the writer
them. Only a lock held longer than the timeout raises, and then the whole batch's transaction is rolled
back and the error reported: nothing is half-written.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_160_401  # pg_advisory_xact_lock key serialising concurrent upgrades on PostgreSQL


class Database:
    """One database: ``.engine``, ``.session()`` (commits on success, rolls back on error) and ``.upgrade()``."""

    def __init__(self, url: str | URL, *, busy_timeout_s: float = 30.0, echo: bool = False) -> None:
        self.url = _resolve_sqlite_path(make_url(url))
        self.engine: Engine = create_engine(self.url, echo=echo, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas(busy_timeout_s))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema to ``revision``; concurrent upgrades of one database wait for each other."""
        with self.engine.begin() as connection:
            self._lock_for_migration(connection)
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def dispose(self) -> None:
        """Close every pooled connection (call before deleting the database or at the end of a process)."""
        self.engine.dispose()

    def _lock_for_migration(self, connection: Connection) -> None:
        if self.is_sqlite:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif self.url.get_backend_name() == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"


def open_database(url: str | URL, migrate: bool = True, **options: Any) -> Database:
    """The database at ``url``, ready to use: a SQLite file's folder is created, and the schema migrated to head.

    A relative SQLite path (``sqlite:///var/yuqing.db``) is relative to the current working directory.
    """
    database = Database(url, **options)
    path = sqlite_file(database.url)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if migrate:
        database.upgrade()
    return database


def alembic_config(url: str | URL) -> AlembicConfig:
    """An Alembic config built in code (no alembic.ini): our migrations folder, and ``url`` for offline use."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    rendered = make_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def sqlite_file(url: URL) -> str | None:
    """The path of a SQLite database file; ``None`` for other backends, in-memory and ``file:`` URI databases."""
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


def _resolve_sqlite_path(url: URL) -> URL:
    path = sqlite_file(url)
    return url if path is None else url.set(database=str(Path(path).expanduser().absolute()))


def _sqlite_pragmas(busy_timeout_s: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            _switch_to_wal(cursor, time.monotonic() + busy_timeout_s)
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    return on_connect


def _switch_to_wal(cursor: Any, deadline: float) -> None:
    """Put the database in WAL mode, retrying while another connection switches it at the same moment.

    Two connections switching a new database's journal mode at once would deadlock, so SQLite refuses one
    of them with "database is locked" at once, without waiting through the busy timeout: wait here instead.
    """
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)
