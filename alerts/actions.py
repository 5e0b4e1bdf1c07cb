"""Officer actions on an alert — ack, note, refer (网信办 hand-off and its response), resolve, false-alarm —
each checked against the state machine and appended to the handling log; 确认 / 误报 also label the posts.

The log reads in time order: an action dated before the alert was raised, or before its latest log entry, is
refused (a back-dated ``--now`` would otherwise give negative handling times and closed_at before opened_at).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.escalation import lock_alerts
from alerts.models import Alert, AlertAction, AlertPost, RelevanceLabel
from alerts.states import ACTION_LABELS, TransitionError, after_action, check_transition
from storage.models import Post


class AlertNotFound(LookupError):
    """No alert with that id."""


def get_alert(session: Session, alert_id: str) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound(f"没有编号为 {alert_id} 的预警")
    return alert


def ack(session: Session, alert_id: str, by: str, now: datetime, note: str = "", via: str = "cli") -> Alert:
    """确认: the officer has seen it; escalation and reminders stop; its posts are labelled relevant (1)."""
    alert = _begin(session, alert_id, "ack", now)
    alert.state, alert.follow_step = after_action("ack", alert.state, alert.follow_step)
    alert.acknowledged_at, alert.acknowledged_by = now, by
    _label(session, alert, 1, by, now)
    return _log(session, alert, "ack", by, now, note, {"via": via})


def note(session: Session, alert_id: str, text: str, by: str, now: datetime) -> Alert:
    """备注 (研判): a note on the handling; on an acknowledged alert it starts the follow-up (跟进中 · 研判)."""
    alert = _begin(session, alert_id, "note", now)
    alert.state, alert.follow_step = after_action("note", alert.state, alert.follow_step)
    return _log(session, alert, "note", by, now, text, {})


def refer(session: Session, alert_id: str, by: str, now: datetime, *, contact: str, reference: str,
          note: str = "") -> Alert:
    """上报网信办: the hand-off to the cyberspace office (who, reference number); counts as acknowledgement."""
    if not contact.strip() or not reference.strip():
        raise TransitionError("上报网信办需要填写对接人（--contact）和文号/编号（--ref）")
    alert = _begin(session, alert_id, "refer", now)
    _acknowledge_implicitly(alert, by, now)
    alert.state, alert.follow_step = after_action("refer", alert.state, alert.follow_step)
    return _log(session, alert, "refer", by, now, note, {"contact": contact, "reference": reference,
                                                         "referred_at": now.isoformat()})


def respond(session: Session, alert_id: str, by: str, now: datetime, *, response: str) -> Alert:
    """网信办回应: record the office's response to an earlier referral."""
    alert = _begin(session, alert_id, "respond", now)
    if alert.follow_step not in ("referred", "responded"):
        raise TransitionError(f"预警 {alert_id} 尚未上报网信办，不能记录回应")
    alert.state, alert.follow_step = after_action("respond", alert.state, alert.follow_step)
    return _log(session, alert, "respond", by, now, response, {"response": response})


def resolve(session: Session, alert_id: str, by: str, now: datetime, note: str = "") -> Alert:
    """办结: the incident is handled; new posts after now open a new alert."""
    alert = _begin(session, alert_id, "resolve", now)
    _acknowledge_implicitly(alert, by, now)
    alert.state, alert.follow_step = after_action("resolve", alert.state, alert.follow_step)
    alert.closed_at = now
    return _log(session, alert, "resolve", by, now, note, {})


def false_alarm(session: Session, alert_id: str, by: str, now: datetime, note: str = "", via: str = "cli") -> Alert:
    """误报: not a real incident; its posts are labelled not relevant (0)."""
    alert = _begin(session, alert_id, "false_alarm", now)
    alert.state, alert.follow_step = after_action("false_alarm", alert.state, alert.follow_step)
    alert.closed_at = now
    _label(session, alert, 0, by, now)
    return _log(session, alert, "false_alarm", by, now, note, {"via": via})


def labels_for_training(session: Session) -> list[tuple[str, int]]:
    """(post text, 1 relevant | 0 not) from officers' 确认 / 误报, the latest verdict per post."""
    rows = session.scalars(select(RelevanceLabel).order_by(RelevanceLabel.at, RelevanceLabel.id)).all()
    latest = {row.post_id: (row.text, row.label) for row in rows}
    return list(latest.values())


def _begin(session: Session, alert_id: str, action: str, now: datetime) -> Alert:
    """The alert, locked against a concurrent tick or action, once ``action`` at ``now`` is allowed on it."""
    lock_alerts(session)
    alert = get_alert(session, alert_id)
    check_transition(action, alert.state, alert.id)
    _check_time(session, alert, action, now)
    return alert


def _check_time(session: Session, alert: Alert, action: str, now: datetime) -> None:
    """Refuse (:class:`TransitionError`) an action dated before the alert was raised or its latest log entry."""
    latest = session.scalar(select(func.max(AlertAction.at)).where(AlertAction.alert_id == alert.id))
    if now < alert.opened_at:
        bound = f"预警 {alert.id} 发出于 {_shown(alert.opened_at, now.tzinfo)}"
    elif latest is not None and now < latest:
        bound = f"预警 {alert.id} 的处置记录已记到 {_shown(latest, now.tzinfo)}"
    else:
        return
    raise TransitionError(f"{bound}，{ACTION_LABELS[action]}时间 {_shown(now, now.tzinfo)} 早于此，"
                          "不能记录（处置记录须按时间先后）")


def _shown(moment: datetime, zone: tzinfo | None) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _acknowledge_implicitly(alert: Alert, by: str, now: datetime) -> None:
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by


def _label(session: Session, alert: Alert, label: int, by: str, now: datetime) -> None:
    if alert.kind != "incident":
        return
    posts = session.scalars(select(Post).join(AlertPost, AlertPost.post_id == Post.id)
                            .where(AlertPost.alert_id == alert.id).order_by(Post.id)).all()
    session.add_all(RelevanceLabel(alert_id=alert.id, post_id=post.id, text=_text(post), label=label, actor=by,
                                   at=now) for post in posts)


def _text(post: Post) -> str:
    return f"{post.title}\n{post.text}" if post.title else post.text


def _log(session: Session, alert: Alert, action: str, by: str, now: datetime, note: str,
         details: dict[str, Any]) -> Alert:
    alert.updated_at = now
    session.add(AlertAction(alert_id=alert.id, action=action, actor=by, at=now, note=note, details=details))
    session.flush()
    return alert
