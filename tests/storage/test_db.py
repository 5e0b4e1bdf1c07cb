"""Database and open_database: sessions are transactions; SQLite files are set up for safe concurrent use."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from storage import Database, EngagementSnapshot, Post, Source, open_database, upsert_posts
from storage.db import alembic_config

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
TABLES = {"alembic_version", "crawl_runs", "engagement_snapshots", "posts", "settings", "sources"}


def test_a_session_commits_when_its_block_ends(db):
    with db.session() as session:
        session.add(Source(name="weibo", spider="weibo", created_at=NOW))
    with db.session() as session:
        assert session.scalars(select(Source.spider)).all() == ["weibo"]


def test_a_session_rolls_back_when_its_block_raises(db):
    with pytest.raises(RuntimeError, match="parser exploded"):
        with db.session() as session:
            session.add(Source(name="weibo", created_at=NOW))
            session.flush()
            raise RuntimeError("parser exploded")
    with db.session() as session:
        assert session.scalars(select(Source)).all() == []


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError):
        with db.session() as session:
            session.add(EngagementSnapshot(post_id=999, taken_at=NOW, reposts=1))


def test_open_database_migrates_a_new_database_to_head(db_url):
    db = open_database(db_url)
    assert TABLES <= set(inspect(db.engine).get_table_names())
    with db.session() as session:
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert [version] == ScriptDirectory.from_config(alembic_config(db.url)).get_heads()
    db.dispose()


def test_upgrading_again_changes_nothing(db, make_record):
    with db.session() as session:
        upsert_posts(session, [make_record("1")], NOW)
    db.upgrade()
    with db.session() as session:
        assert session.scalars(select(Post.source_post_id)).all() == ["1"]


def test_open_database_without_migrate_leaves_the_database_empty(db_url):
    db = open_database(db_url, migrate=False)
    assert inspect(db.engine).get_table_names() == []
    db.dispose()


def test_a_sqlite_file_gets_its_folders_and_a_relative_path_follows_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = open_database("sqlite:///var/nested/yuqing.db")
    monkeypatch.chdir("/")
    db.upgrade()
    assert db.url.database == str(tmp_path / "var" / "nested" / "yuqing.db")
    assert (tmp_path / "var" / "nested" / "yuqing.db").is_file()
    db.dispose()


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(sqlite_db):
    with sqlite_db.engine.connect() as connection:
        pragmas = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "busy_timeout", "foreign_keys")}
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 30_000, "foreign_keys": 1}


def test_a_locked_sqlite_database_makes_a_writer_wait_not_lose_its_batch(sqlite_db, make_record):
    path = Path(sqlite_db.url.database)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("INSERT INTO settings (name, value) VALUES ('held', 'by another process')")
    outcome: list[object] = []

    def write() -> None:
        try:
            with sqlite_db.session() as session:
                outcome.append(upsert_posts(session, [make_record(str(n)) for n in range(50)], NOW).new)
        except Exception as exc:  # reported to the test below
            outcome.append(exc)

    writer = threading.Thread(target=write)
    started = time.monotonic()
    writer.start()
    time.sleep(0.5)
    locker.execute("COMMIT")
    locker.close()
    writer.join(timeout=30)
    assert outcome == [50]
    assert time.monotonic() - started >= 0.5
    with sqlite_db.session() as session:
        assert len(session.scalars(select(Post.id)).all()) == 50


def test_concurrent_upgrades_of_a_new_database_wait_for_each_other(tmp_path):
    # Ten new databases, three upgraders each: their first connections race to switch the file to WAL.
    for attempt in range(10):
        url = f"sqlite:///{tmp_path / f'race-{attempt}.db'}"
        databases = [Database(url) for _ in range(3)]
        errors: list[Exception] = []

        def upgrade(database: Database) -> None:
            try:
                database.upgrade()
            except Exception as exc:  # reported to the test below
                errors.append(exc)

        threads = [threading.Thread(target=upgrade, args=(database,)) for database in databases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert TABLES <= set(inspect(databases[0].engine).get_table_names())
        for database in databases:
            database.dispose()


def test_the_repr_hides_passwords():
    database = Database("postgresql+psycopg://yuqing:s3cret@db.example/yuqing")
    assert "s3cret" not in repr(database) and "yuqing:***@db.example" in repr(database)
    database.dispose()
