"""The few statements that differ between SQLite and PostgreSQL, chosen by the session's dialect."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def insert_ignoring_duplicates(session: Session, table: Table) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING``: rows another writer stored first are skipped, not errors."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"yuqing supports SQLite and PostgreSQL, not {dialect}")
