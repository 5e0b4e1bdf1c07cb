"""The transactional outbox: notifications are added in the caller's transaction, next to the alert change."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from alerts.compose import addressed, compose
from alerts.message import Message
from alerts.models import Alert, Notification
from config import Config
from config.roster import Person

log = logging.getLogger(__name__)


def enqueue(session: Session, config: Config, alert: Alert, people: list[Person], kind: str, tier: str,
            now: datetime) -> list[Notification]:
    """One notification per person, to their first contact; people without contacts are logged and skipped."""
    message = compose(session, config, alert, kind)
    added = [enqueue_contact(session, config, alert, person, 0, kind, tier, now, message) for person in people]
    if not people:
        log.error("alert %s (%s): nobody to notify at tier %s — check [roster]", alert.id, kind, tier)
    return [notification for notification in added if notification is not None]


def enqueue_contact(session: Session, config: Config, alert: Alert, person: Person, index: int, kind: str,
                    tier: str, now: datetime, message: Message | None = None) -> Notification | None:
    """A notification to ``person``'s contact number ``index`` (None when they have no such contact).

    ``message`` is the alert's composed message when the caller has it already.
    """
    if index >= len(person.contacts):
        if index == 0:
            log.error("roster person %s has no contacts: alert %s not sent to them", person.name, alert.id)
        return None
    contact = person.contacts[index]
    message = addressed(message or compose(session, config, alert, kind), config, person.name, now)
    notification = Notification(
        alert_id=alert.id, kind=kind, tier=tier, person=person.name, contact_index=index, channel=contact.channel,
        target=contact.to, level=alert.level, payload=message.to_json(), state="pending", attempts=0,
        created_at=now, next_attempt_at=now,
        deadline=now + timedelta(minutes=config.alerts.delivery_deadline_minutes),
    )
    session.add(notification)  # inserted with the caller's other rows at its next flush
    return notification
