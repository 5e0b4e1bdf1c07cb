"""The outbox: one notification per person, the same message for all, each with 确认/误报 links signed for them."""

from __future__ import annotations

from urllib.parse import urlsplit

from alerts import evaluate_events
from alerts.links import verify_action
from alerts.models import Alert
from alerts.outbox import enqueue
from tests.alerts.conftest import T0


def test_every_person_gets_the_same_message_with_links_of_their_own(db, config, incident):
    incident("ev-fire", "橙", posts=2)
    evaluate_events(db, config, ["ev-fire"], T0)
    people = [config.roster.person("值班员乙"), config.roster.person("领导丙")]
    with db.session() as session:
        alert = session.get(Alert, "A-ev-fire-1")
        added = enqueue(session, config, alert, people, "escalation", "leaders", T0)
        payloads = [notification.payload for notification in added]
    assert [(n.person, n.channel, n.target) for n in added] == [("值班员乙", "sms", "13800000002"),
                                                                ("领导丙", "sms", "13800000003")]
    personal = ("recipient", "ack_url", "false_alarm_url")
    shared = [{key: value for key, value in payload.items() if key not in personal} for payload in payloads]
    assert shared[0] == shared[1] and shared[0]["title"] == "红梅新村楼道电瓶车着火"
    for payload, person in zip(payloads, ("值班员乙", "领导丙")):
        token = urlsplit(payload["ack_url"]).path.rsplit("/", 1)[-1]
        grant = verify_action(config, token, T0)
        assert (payload["recipient"], grant.person, grant.action, grant.alert_id) == (person, person, "ack",
                                                                                       "A-ev-fire-1")
