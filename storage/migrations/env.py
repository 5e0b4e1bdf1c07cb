"""Alembic environment: migrates the connection ``Database.upgrade()`` hands over, or a URL (offline SQL).

Revisions are written with batch mode on (``render_as_batch``) so that ALTERs also work on SQLite.
To add one after changing ``storage/models.py``::

    from alembic import command
    from storage.db import alembic_config
    command.revision(alembic_config("sqlite:///var/dev.db"), message="…", autogenerate=True)

then review the generated file by hand.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlalchemy.types import TypeDecorator

from storage.models import complete_metadata

config = context.config


def render_item(kind: str, item: Any, autogen_context: Any) -> str | bool:
    """Write our TypeDecorators as the plain types they store, so revisions never import models code."""
    if kind == "type" and isinstance(item, TypeDecorator):
        impl = item.impl_instance
        return f"sa.{impl!r}"
    return False


OPTIONS = {
    "target_metadata": complete_metadata(),
    "render_as_batch": True,
    "compare_type": True,
    "render_item": render_item,
}


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as own:
            run_on(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
