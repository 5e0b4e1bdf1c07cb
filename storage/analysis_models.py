"""The analysis stage's tables: one analysis per post (the latest), and the incidents (events) posts form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, Count
from storage.types import UTCDateTime


class Event(Base):
    """An incident: posts about the same thing across sources, with its current risk level."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_last_seen", "last_seen"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(32))
    type_name: Mapped[str] = mapped_column(String(32), default="")
    category: Mapped[str] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(64))
    spots: Mapped[list[str]] = mapped_column(JSON, default=list)
    in_district: Mapped[bool] = mapped_column(default=False)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    post_count: Mapped[int] = mapped_column(default=0)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    engagement: Mapped[int] = mapped_column(Count, default=0)
    growth: Mapped[float] = mapped_column(Float, default=0.0)
    level: Mapped[str | None] = mapped_column(String(2))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PostAnalysisRow(Base):
    """What the analysis decided about one post, by which model version, and why."""

    __tablename__ = "post_analyses"
    __table_args__ = (Index("ix_post_analyses_event_id", "event_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(96))
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    relevance: Mapped[float] = mapped_column(Float)
    safety: Mapped[bool]
    in_district: Mapped[bool]
    sentiment: Mapped[float] = mapped_column(Float)
    negative: Mapped[bool]
    category: Mapped[str] = mapped_column(String(16))
    event_type: Mapped[str | None] = mapped_column(String(32))
    place: Mapped[str | None] = mapped_column(String(64))
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    duplicate_of: Mapped[str | None] = mapped_column(String(80))
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id"))
    level: Mapped[str | None] = mapped_column(String(2))
    alert: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
