"""Reading alerts back: the CONTRACTS.md §6 record, the open or all alerts, one alert's posts, log and outbox."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Alert, AlertAction, AlertPost, Notification
from alerts.states import OPEN_STATES
from storage.models import Post


def list_alerts(session: Session, *, include_closed: bool = False, kind: str = "incident") -> list[Alert]:
    """Alerts of ``kind``, newest first; only the open ones unless ``include_closed``."""
    query = select(Alert).where(Alert.kind == kind)
    if not include_closed:
        query = query.where(Alert.state.in_(OPEN_STATES))
    return list(session.scalars(query.order_by(Alert.opened_at.desc(), Alert.id)))


def alert_posts(session: Session, alert_ids: list[str]) -> dict[str, list[Post]]:
    """Each alert's posts, oldest first."""
    rows = session.execute(select(AlertPost.alert_id, Post).join(Post, Post.id == AlertPost.post_id)
                           .where(AlertPost.alert_id.in_(alert_ids)).order_by(Post.published_at, Post.id)).all()
    posts: dict[str, list[Post]] = defaultdict(list)
    for alert_id, post in rows:
        posts[alert_id].append(post)
    return posts


def to_contract(alert: Alert, posts: list[Post], tz) -> dict[str, Any]:
    """The CONTRACTS.md §6 line: id, event, level, state, opened_at, posts [{source, id}], reason."""
    return {
        "id": alert.id,
        "event": alert.event_id or alert.dedup_key,
        "level": alert.level,
        "state": alert.state,
        "opened_at": local_iso(alert.opened_at, tz),
        "posts": [{"source": post.source, "id": post.source_post_id} for post in posts],
        "reason": alert.reason,
    }


def handling_log(session: Session, alert_id: str) -> list[AlertAction]:
    return list(session.scalars(select(AlertAction).where(AlertAction.alert_id == alert_id)
                                .order_by(AlertAction.at, AlertAction.id)))


def notifications_of(session: Session, alert_id: str) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.alert_id == alert_id)
                                .order_by(Notification.created_at, Notification.id)))


def local_iso(moment: datetime, tz) -> str:
    """``moment`` in the configured timezone, ISO 8601 to the second with its offset."""
    return moment.astimezone(tz).isoformat(timespec="seconds")
