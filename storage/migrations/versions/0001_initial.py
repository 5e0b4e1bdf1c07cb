"""Initial schema: sources, posts, engagement snapshots, crawl runs, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    _create_settings_and_sources()
    _create_crawl_runs()
    _create_posts()
    _create_engagement_snapshots()


def _create_settings_and_sources() -> None:
    op.create_table(
        "settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_settings")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("spider", sa.String(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )


def _create_crawl_runs() -> None:
    counters = ("requests", "posts_new", "posts_updated", "parse_failures", "blocked_pages", "empty_pages",
                "challenges", "robots_refused", "missing_fixtures")
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("responses_by_status", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counters),
        sa.CheckConstraint("mode IN ('live', 'replay')", name=op.f("ck_crawl_runs_mode")),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'blocked', 'robots_refused', 'failed', 'empty')",
            name=op.f("ck_crawl_runs_status"),
        ),
        sa.ForeignKeyConstraint(["source"], ["sources.name"], name=op.f("fk_crawl_runs_source_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.create_index("ix_crawl_runs_source_started_at", ["source", "started_at"], unique=False)


def _create_posts() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_post_id", sa.String(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("author_hash", sa.String(length=64), nullable=True),
        sa.Column("published_at", TIMESTAMP, nullable=False),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("raw_format", sa.String(length=8), nullable=True),
        *(sa.Column(name, sa.BigInteger(), nullable=True) for name in ("reposts", "comments", "likes", "views")),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.CheckConstraint("raw_format IN ('json', 'html')", name=op.f("ck_posts_raw_format")),
        sa.ForeignKeyConstraint(["source"], ["sources.name"], name=op.f("fk_posts_source_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("source", "source_post_id", name=op.f("uq_posts_source_source_post_id")),
    )
    with op.batch_alter_table("posts") as batch_op:
        batch_op.create_index("ix_posts_published_at", ["published_at"], unique=False)
        batch_op.create_index("ix_posts_source_published_at", ["source", "published_at"], unique=False)


def _create_engagement_snapshots() -> None:
    op.create_table(
        "engagement_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", TIMESTAMP, nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=True) for name in ("reposts", "comments", "likes", "views")),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_engagement_snapshots_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_snapshots")),
    )
    with op.batch_alter_table("engagement_snapshots") as batch_op:
        batch_op.create_index("ix_engagement_snapshots_post_id_taken_at", ["post_id", "taken_at"], unique=False)


def downgrade() -> None:
    for table in ("engagement_snapshots", "posts", "crawl_runs", "sources", "settings"):
        op.drop_table(table)
