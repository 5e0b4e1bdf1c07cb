"""Evidence: the posts of an opened alert, whose raw fragments any retention purge must keep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Evidence

CHUNK = 1000  # post ids per IN (…) list, well under every backend's bound-parameter limit


def mark_evidence(session: Session, posts_by_alert: Mapping[str, Iterable[int]], now: datetime) -> int:
    """Mark each alert's posts as its evidence, in one query and one insert; a post already kept (for another
    alert, or for an earlier alert in the mapping) stays with it. Returns how many posts were newly marked."""
    owner: dict[int, str] = {}
    for alert_id, post_ids in posts_by_alert.items():
        for post_id in post_ids:
            owner.setdefault(post_id, alert_id)
    if not owner:
        return 0
    wanted = sorted(owner)
    kept = {post_id for start in range(0, len(wanted), CHUNK)
            for post_id in session.scalars(select(Evidence.post_id)
                                           .where(Evidence.post_id.in_(wanted[start:start + CHUNK])))}
    session.add_all(Evidence(post_id=post_id, alert_id=alert_id, marked_at=now)
                    for post_id, alert_id in sorted(owner.items()) if post_id not in kept)
    session.flush()
    return len(owner.keys() - kept)


def evidence_post_ids(session: Session) -> set[int]:
    """The ids of every post a retention purge must not delete."""
    return set(session.scalars(select(Evidence.post_id)))
