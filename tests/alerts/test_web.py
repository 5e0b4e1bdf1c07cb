"""The `yuqing serve` app: a link's GET only asks, its POST records the action; bad links get a 403 page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from alerts.links import sign_action_url
from alerts.models import Alert, AlertAction
from alerts.web import create_app
from config import config_from_mapping

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
CONFIG = config_from_mapping({"alerts": {"link_secret": "web-test-secret-123", "base_url": "http://testserver"}})
TITLE = '天宁区<script>alert("x")</script>厂房起火'


@pytest.fixture
def database(sqlite_db):
    with sqlite_db.session() as session:
        session.add(Alert(id="A-ev1-1", dedup_key="ev1", event_id=None, title=TITLE, level="橙", state="notified",
                          opened_at=NOW, updated_at=NOW, policy_started_at=NOW))
    return sqlite_db


def client_at(database, moment: datetime) -> TestClient:
    return TestClient(create_app(CONFIG, database, clock=lambda: moment))


def path(action: str, person: str = "值班员甲", alert_id: str = "A-ev1-1") -> str:
    return sign_action_url(CONFIG, alert_id, action, person, NOW).removeprefix("http://testserver")


def state_of(database) -> tuple[str, str | None]:
    with database.session() as session:
        alert = session.get(Alert, "A-ev1-1")
        return alert.state, alert.acknowledged_by


def test_get_shows_an_escaped_confirmation_page_and_changes_nothing(database):
    page = client_at(database, NOW).get(path("ack"))
    assert page.status_code == 200
    assert "值班员甲，您将对下面的预警执行“确认收到”" in page.text
    assert '<form method="post">' in page.text and "确认收到</button>" in page.text
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert "级别：橙色" in page.text and "当前状态：已通知" in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    assert state_of(database) == ("notified", None)


def test_post_acknowledges_as_the_person_the_link_was_sent_to(database):
    done = client_at(database, NOW + timedelta(minutes=5)).post(path("ack"))
    assert done.status_code == 200 and "已确认收到" in done.text
    assert state_of(database) == ("acknowledged", "值班员甲")
    with database.session() as session:
        action = session.scalars(select(AlertAction).where(AlertAction.alert_id == "A-ev1-1")).one()
        assert (action.action, action.actor, action.details) == ("ack", "值班员甲", {"via": "link"})


def test_post_of_a_false_alarm_link_closes_the_alert_as_false_alarm(database):
    done = client_at(database, NOW).post(path("false_alarm", person="值班员乙"))
    assert done.status_code == 200 and "已标记误报" in done.text
    assert state_of(database)[0] == "false_alarm"


def test_a_second_ack_is_answered_without_error_or_change(database):
    client = client_at(database, NOW)
    client.post(path("ack"))
    again = client.post(path("ack", person="值班员乙"))
    assert again.status_code == 409 and "已确认，无需重复确认" in again.text
    assert state_of(database) == ("acknowledged", "值班员甲")


def test_an_expired_link_gets_a_403_page_and_changes_nothing(database):
    client = client_at(database, NOW + timedelta(hours=25))
    for response in (client.get(path("ack")), client.post(path("ack"))):
        assert response.status_code == 403 and "该链接已过期" in response.text
        assert "<form" not in response.text
    assert state_of(database) == ("notified", None)


def test_a_forged_or_tampered_link_gets_a_403_page(database):
    client = client_at(database, NOW)
    token = path("ack").removeprefix("/a/")
    payload, mac = token.split(".")
    for bad in (f"{payload}.{mac[:-2]}AA", f"{payload[:-2]}AA.{mac}", "not-a-token", f"{payload}."):
        response = client.post(f"/a/{bad}")
        assert response.status_code == 403 and "该链接无效或已被篡改" in response.text
    assert state_of(database) == ("notified", None)


def test_a_link_to_an_unknown_alert_is_a_404_page(database):
    response = client_at(database, NOW).get(path("ack", alert_id="A-nope-1"))
    assert response.status_code == 404 and "预警不存在" in response.text
