"""The alerts tables: alerts and their posts, the outbox of notifications and their attempts, the handling
log, silences, relevance labels, and the evidence posts a retention purge must keep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime


class Alert(Base):
    """One alert: an incident (dedup key = event id) or a source-health problem (key = source + problem)."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_dedup_key_opened_at", "dedup_key", "opened_at"),
                      Index("ix_alerts_state", "state"))

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="incident")
    dedup_key: Mapped[str] = mapped_column(String(80))
    event_id: Mapped[str | None] = mapped_column(String(40))  # no FK: an analysis rebuild may drop events
    title: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16), default="new")
    follow_step: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_notified_level: Mapped[str | None] = mapped_column(String(2))
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    policy_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    escalation_step: Mapped[int] = mapped_column(default=0)
    reminders_sent: Mapped[int] = mapped_column(default=0)


class AlertPost(Base):
    """A post that belongs to an alert (its event's posts when the alert was raised or updated)."""

    __tablename__ = "alert_posts"

    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Evidence(Base):
    """A post kept as evidence of an alert: its raw fragment must survive any retention purge.

    The foreign key has no ON DELETE: the database itself refuses to delete an evidence post.
    """

    __tablename__ = "evidence"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(80))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notification(Base):
    """The outbox: one message to one person on one contact channel, delivered at least once."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
                      Index("ix_notifications_alert_id", "alert_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(16))
    person: Mapped[str] = mapped_column(String(64))
    contact_index: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str | None] = mapped_column(String(2))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class DeliveryAttempt(Base):
    """One try at sending a notification, successful or not."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(Text)
    retryable: Mapped[bool | None]


class AlertAction(Base):
    """The append-only handling log: who did what to an alert, when, and with which details."""

    __tablename__ = "alert_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Silence(Base):
    """A runtime silence (``yuqing alerts silence``): matching events raise no alert until ``until``."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str | None] = mapped_column(String(32))
    place: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RelevanceLabel(Base):
    """An officer's verdict on a post: 1 = a real safety matter (确认), 0 = not (误报)."""

    __tablename__ = "relevance_labels"
    __table_args__ = (UniqueConstraint("alert_id", "post_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[int]
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
