"""Shared fixtures: databases on SQLite and on PostgreSQL, for every package's tests.

``db`` is a migrated, empty database, once per backend. On SQLite it is a copy of a template migrated
once per run; on PostgreSQL it is a schema migrated once per run and emptied (TRUNCATE … RESTART
IDENTITY) after every test. ``db_url`` is the URL of a brand-new, empty database (nothing migrated),
for tests of migrations or of code that opens the database itself; on PostgreSQL it is a fresh
schema (``yq_test_<random>``, chosen by ``search_path`` in the URL) dropped after the test.

PostgreSQL comes from ``$YUQING_TEST_PG_URL`` (CONTRACTS.md §3); its cases carry the ``postgres``
marker (deselect with ``-m "not postgres"``). When the server is unreachable they are skipped — but
under ``CI=true`` they fail, so CI can never pass without having tested PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage import Database, open_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _pg_url() -> str:
    return os.environ.get("YUQING_TEST_PG_URL") or DEFAULT_PG_URL


@cache
def _pg_unreachable_reason() -> str | None:
    engine = create_engine(_pg_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no PostgreSQL here"
        return f"PostgreSQL at {make_url(_pg_url()).render_as_string()} is unreachable: {exc.__class__.__name__}: {exc}"
    finally:
        engine.dispose()
    return None


def _require_postgres() -> None:
    reason = _pg_unreachable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason}\nCI=true requires PostgreSQL: start it or set YUQING_TEST_PG_URL.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine]:
    _require_postgres()
    admin = create_engine(_pg_url(), isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


class _Schema:
    """A private PostgreSQL schema: its URL selects it, and its connections are named after it."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.name = f"yq_test_{uuid.uuid4().hex[:12]}"
        query = {"options": f"-csearch_path={self.name}", "application_name": self.name}
        self.url = make_url(_pg_url()).update_query_dict(query).render_as_string(hide_password=False)
        self._run(f'CREATE SCHEMA "{self.name}"')

    def empty(self) -> None:
        self._close_connections()
        tables = self._run("SELECT tablename FROM pg_tables WHERE schemaname = :schema AND tablename != 'alembic_version'")
        if tables:
            names = ", ".join(f'"{self.name}"."{table}"' for table in tables)
            self._run(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE")

    def drop(self) -> None:
        self._close_connections()
        self._run(f'DROP SCHEMA "{self.name}" CASCADE')

    def _close_connections(self) -> None:
        self._run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :schema")

    def _run(self, sql: str) -> list[str]:
        with self.admin.connect() as connection:
            result = connection.execute(text(sql), {"schema": self.name})
            return list(result.scalars()) if result.returns_rows else []


@pytest.fixture(scope="session")
def _pg_migrated(_pg_admin: Engine) -> Iterator[_Schema]:
    schema = _Schema(_pg_admin)
    open_database(schema.url).dispose()
    yield schema
    schema.drop()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    open_database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: tests using it (or ``db``, ``db_url``) run once per backend."""
    return request.param


@pytest.fixture
def pg_url(_pg_admin: Engine) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL schema, dropped (its connections closed) after the test."""
    schema = _Schema(_pg_admin)
    yield schema.url
    schema.drop()


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty (unmigrated) database on each backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    if backend == "sqlite":
        yield from _sqlite_copy(request.getfixturevalue("_sqlite_template"), tmp_path / "yuqing.db")
        return
    schema: _Schema = request.getfixturevalue("_pg_migrated")
    database = Database(schema.url)
    try:
        yield database
    finally:
        database.dispose()
        schema.empty()


@pytest.fixture
def sqlite_db(_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite database, for tests about SQLite itself."""
    yield from _sqlite_copy(_sqlite_template, tmp_path / "sqlite-only.db")


def _sqlite_copy(template: Path, path: Path) -> Iterator[Database]:
    shutil.copyfile(template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()
