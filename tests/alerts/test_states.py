"""The alert state machine: Chinese labels, the following sub-steps, and the transitions it refuses."""

from __future__ import annotations

import pytest

from alerts.states import STATE_LABELS, TransitionError, check_transition, state_label


def test_every_state_of_the_contract_has_its_chinese_label():
    assert STATE_LABELS == {"new": "新", "notified": "已通知", "acknowledged": "已确认", "following": "跟进中",
                            "resolved": "已办结", "false_alarm": "误报"}
    assert state_label("following", "referred") == "跟进中（已上报网信办）"
    assert state_label("following", "assessing") == "跟进中（研判）"
    assert state_label("notified", None) == "已通知"


@pytest.mark.parametrize(("action", "state"), [("ack", "new"), ("ack", "notified"), ("refer", "acknowledged"),
                                               ("resolve", "following"), ("false_alarm", "acknowledged"),
                                               ("note", "resolved")])
def test_allowed_transitions_pass(action, state):
    check_transition(action, state, "A-1")


@pytest.mark.parametrize(("action", "state", "reason"), [
    ("resolve", "false_alarm", "预警 A-1 当前为“误报”，不能办结"),
    ("false_alarm", "resolved", "预警 A-1 当前为“已办结”，不能误报"),
    ("refer", "resolved", "预警 A-1 当前为“已办结”，不能上报网信办"),
    ("ack", "following", "预警 A-1 已确认，无需重复确认"),
])
def test_refused_transitions_say_why(action, state, reason):
    with pytest.raises(TransitionError) as refused:
        check_transition(action, state, "A-1")
    assert str(refused.value) == reason
