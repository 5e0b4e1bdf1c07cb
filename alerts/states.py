"""The alert lifecycle: states, their Chinese labels, the following sub-steps, and the allowed transitions."""

from __future__ import annotations

STATES = ("new", "notified", "acknowledged", "following", "resolved", "false_alarm")
STATE_LABELS = {"new": "新", "notified": "已通知", "acknowledged": "已确认", "following": "跟进中",
                "resolved": "已办结", "false_alarm": "误报"}
FOLLOW_STEPS = {"assessing": "研判", "referred": "已上报网信办", "responded": "已回应"}
OPEN_STATES = ("new", "notified", "acknowledged", "following")
CLOSED_STATES = ("resolved", "false_alarm")
UNACKNOWLEDGED = ("new", "notified")
CLOSED_BY = {"resolve": "resolved", "false_alarm": "false_alarm"}  # closing action → the state it closes with
LEVEL_RANK = {"红": 4, "橙": 3, "黄": 2, "蓝": 1}

# action → the states it may start from
ALLOWED_FROM = {
    "ack": UNACKNOWLEDGED,
    "note": STATES,
    "refer": OPEN_STATES,
    "respond": ("following",),
    "resolve": OPEN_STATES,
    "false_alarm": OPEN_STATES,
}
ACTION_LABELS = {"ack": "确认", "note": "备注", "refer": "上报网信办", "respond": "网信办回应",
                 "resolve": "办结", "false_alarm": "误报"}


def after_action(action: str, state: str, follow_step: str | None) -> tuple[str, str | None]:
    """The (state, following sub-step) an alert is left in by a handling-log ``action`` taken in ``state``.

    The officers' actions as alerts/actions.py applies them, and the dispatcher's ``notified`` (new → notified);
    every other system entry (raise, level_raised, escalate) changes neither. Replaying an alert's log through
    this gives its state at any moment.
    """
    if action == "notified":
        return ("notified" if state == "new" else state), follow_step
    if action == "ack":
        return "acknowledged", follow_step
    if action == "note" and state == "acknowledged":
        return "following", "assessing"
    if action == "refer":
        return "following", "referred"
    if action == "respond":
        return state, "responded"
    if action in ("resolve", "false_alarm"):
        return CLOSED_BY[action], follow_step
    return state, follow_step


class TransitionError(ValueError):
    """An officer action that the alert's current state does not allow (e.g. resolving a false alarm)."""


def check_transition(action: str, state: str, alert_id: str) -> None:
    """Raise :class:`TransitionError` with a readable Chinese reason unless ``action`` is allowed in ``state``."""
    if state in ALLOWED_FROM[action]:
        return
    verb, label = ACTION_LABELS[action], STATE_LABELS.get(state, state)
    if action == "ack" and state in ("acknowledged", "following"):
        raise TransitionError(f"预警 {alert_id} 已确认，无需重复确认")
    if action == "respond":
        raise TransitionError(f"预警 {alert_id} 尚未上报网信办（当前：{label}），不能记录回应")
    raise TransitionError(f"预警 {alert_id} 当前为“{label}”，不能{verb}")


def state_label(state: str, follow_step: str | None = None) -> str:
    """The Chinese label an officer reads, with the following sub-step: 跟进中（已上报网信办）."""
    label = STATE_LABELS.get(state, state)
    if state == "following" and follow_step:
        return f"{label}（{FOLLOW_STEPS.get(follow_step, follow_step)}）"
    return label


def level_rank(level: str | None) -> int:
    return LEVEL_RANK.get(level or "", 0)
