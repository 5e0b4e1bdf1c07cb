"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage import Database, open_database
from storage.db import alembic_config
from storage.models import complete_metadata


@pytest.fixture
def migrated(db_url: str) -> Iterator[Database]:
    """A new database migrated here, not the shared ``db`` (these tests change its schema)."""
    database = open_database(db_url)
    yield database
    database.dispose()


def test_the_migrated_schema_matches_the_models(migrated):
    with migrated.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, complete_metadata()) == []


def test_there_is_one_head_and_the_database_is_at_it(migrated):
    """One line of history: two revisions with the same parent (two engineers' migrations) fail here."""
    heads = ScriptDirectory.from_config(alembic_config(migrated.url)).get_heads()
    with migrated.engine.connect() as connection:
        assert [MigrationContext.configure(connection).get_current_revision()] == heads


def test_downgrading_to_base_removes_every_table_and_upgrading_restores_them(migrated):
    config = alembic_config(migrated.url)
    with migrated.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(migrated.engine).get_table_names()) == {"alembic_version"}
    migrated.upgrade()
    assert set(complete_metadata().tables) <= set(inspect(migrated.engine).get_table_names())


def test_offline_mode_writes_the_sql_without_a_database(tmp_path, capsys):
    command.upgrade(alembic_config(f"sqlite:///{tmp_path / 'never.db'}"), "head", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE posts" in sql and "CREATE INDEX ix_posts_source_published_at" in sql
    assert not (tmp_path / "never.db").exists()
