"""Build the Message a notification carries: the alert, its event, its top post, and the person's signed links.

The message is composed once per alert and addressed to each person it goes to.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from functools import cache

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from alerts.links import LinkError, sign_action_url
from alerts.message import Message
from alerts.models import Alert, AlertPost
from config import Config
from storage.analysis_models import Event
from storage.models import Post

log = logging.getLogger(__name__)
EXCERPT_CHARS = 2_000  # channels cut further to their own limits


def compose(session: Session, config: Config, alert: Alert, kind: str) -> Message:
    """The message about ``alert``, not yet addressed (see :func:`addressed`); source-health alerts carry no event."""
    event = session.get(Event, alert.event_id) if alert.event_id else None
    if event is None:
        return Message(alert.id, kind, alert.level, alert.title, reason=alert.reason)
    top = _top_post(session, alert.id)
    return Message(
        alert.id, kind, alert.level, event.title, place=event.place, first_seen=event.first_seen.astimezone(config.tz),
        post_count=event.post_count, source_count=len(event.sources), sources=tuple(event.sources),
        growth=event.growth, reason=event.reason or alert.reason,
        excerpt=(top.text or top.title)[:EXCERPT_CHARS] if top else "", link=top.url if top else None,
    )


def addressed(message: Message, config: Config, person: str, now: datetime) -> Message:
    """``message`` for ``person``: their name, and 确认 / 误报 links signed for them (the channel adds the mention)."""
    return replace(message, recipient=person, **_links(config, message.alert_id, person, now))


def _top_post(session: Session, alert_id: str) -> Row | None:
    """The text, title and link of the alert's most engaged post (ties: the earliest), without its raw page."""
    engagement = sum(func.coalesce(column, 0) for column in (Post.reposts, Post.comments, Post.likes, Post.views))
    query = (select(Post.text, Post.title, Post.url).join(AlertPost, AlertPost.post_id == Post.id)
             .where(AlertPost.alert_id == alert_id).order_by(engagement.desc(), Post.published_at, Post.id))
    return session.execute(query.limit(1)).first()


def _links(config: Config, alert_id: str, person: str, now: datetime) -> dict[str, str | None]:
    """The signed 确认 / 误报 links, or none when no link secret is configured (warned once per process)."""
    try:
        return {"ack_url": sign_action_url(config, alert_id, "ack", person, now),
                "false_alarm_url": sign_action_url(config, alert_id, "false_alarm", person, now)}
    except LinkError as exc:
        _warn_without_links(str(exc))
        return {"ack_url": None, "false_alarm_url": None}


@cache
def _warn_without_links(reason: str) -> None:
    log.warning("alert messages go without one-tap 确认/误报 links: %s", reason)
