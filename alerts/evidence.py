"""Evidence: the posts of an opened alert, whose raw fragments any retention purge must keep."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Evidence


def mark_evidence(session: Session, alert_id: str, post_ids: Iterable[int], now: datetime) -> int:
    """Mark posts as evidence of ``alert_id`` (a post already kept for another alert stays with it)."""
    wanted = set(post_ids)
    if not wanted:
        return 0
    kept = set(session.scalars(select(Evidence.post_id).where(Evidence.post_id.in_(wanted))))
    session.add_all(Evidence(post_id=post_id, alert_id=alert_id, marked_at=now) for post_id in sorted(wanted - kept))
    session.flush()
    return len(wanted - kept)


def evidence_post_ids(session: Session) -> set[int]:
    """The ids of every post a retention purge must not delete."""
    return set(session.scalars(select(Evidence.post_id)))
