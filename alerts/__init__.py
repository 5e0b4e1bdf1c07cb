"""Alerts: one alert per incident, raised from analysed events, delivered through a transactional outbox,
escalated along the duty roster, and handled by officers (确认 / 研判 / 上报网信办 / 办结 / 误报)."""

from alerts.actions import (AlertNotFound, ack, false_alarm, get_alert, labels_for_training, note, refer,
                            resolve, respond)
from alerts.channels import Channel, DeliveryError, build_channels
from alerts.dispatch import DispatchReport, dispatch_due
from alerts.escalation import TickReport, tick
from alerts.health import HealthReport, evaluate_source_health
from alerts.links import ActionGrant, LinkError, sign_action_url, verify_action
from alerts.message import Message
from alerts.raising import RaiseReport, evaluate_events
from alerts.roster import Duty, on_duty
from alerts.silences import add_silence
from alerts.states import STATE_LABELS, TransitionError, state_label

__all__ = [
    "ActionGrant",
    "AlertNotFound",
    "Channel",
    "DeliveryError",
    "DispatchReport",
    "Duty",
    "HealthReport",
    "LinkError",
    "Message",
    "RaiseReport",
    "STATE_LABELS",
    "TickReport",
    "TransitionError",
    "ack",
    "add_silence",
    "build_channels",
    "dispatch_due",
    "evaluate_events",
    "evaluate_source_health",
    "false_alarm",
    "get_alert",
    "labels_for_training",
    "note",
    "on_duty",
    "refer",
    "resolve",
    "respond",
    "sign_action_url",
    "state_label",
    "tick",
    "verify_action",
]
