"""Signed 确认 / 误报 links: valid ones grant their action; expired, forged, tampered and malformed ones do not."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest

from alerts.links import ActionGrant, LinkError, sign_action_url, verify_action
from config import config_from_mapping

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
SECRET = "link-secret-for-tests-0123456789"
CONFIG = config_from_mapping({"alerts": {"link_secret": SECRET, "base_url": "https://yq.example.cn/",
                                         "link_ttl_hours": 24}})


def token_of(url: str) -> str:
    prefix = "https://yq.example.cn/a/"
    assert url.startswith(prefix)
    return url.removeprefix(prefix)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_signed_link_grants_its_action_to_its_person():
    url = sign_action_url(CONFIG, "A-ev7-1", "ack", "值班员甲", NOW)
    assert verify_action(CONFIG, token_of(url), NOW + timedelta(hours=23)) == ActionGrant("A-ev7-1", "ack", "值班员甲")


def test_the_token_is_url_safe_and_carries_alert_action_person_and_expiry():
    token = token_of(sign_action_url(CONFIG, "A-ev7-1", "false_alarm", "值班员甲", NOW))
    payload_part, mac_part = token.split(".")
    assert all(c.isalnum() or c in "-_" for c in payload_part + mac_part)
    payload = json.loads(base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    assert payload == {"alert": "A-ev7-1", "action": "false_alarm", "person": "值班员甲",
                       "exp": int((NOW + timedelta(hours=24)).timestamp())}


def test_an_expired_link_is_refused_as_expired():
    token = token_of(sign_action_url(CONFIG, "A-ev7-1", "ack", "值班员甲", NOW))
    with pytest.raises(LinkError) as refused:
        verify_action(CONFIG, token, NOW + timedelta(hours=24))
    assert refused.value.expired


def test_a_link_signed_with_another_secret_is_refused():
    other = config_from_mapping({"alerts": {"link_secret": "another-secret", "base_url": "https://yq.example.cn"}})
    token = token_of(sign_action_url(other, "A-ev7-1", "ack", "值班员甲", NOW))
    with pytest.raises(LinkError, match="bad signature") as refused:
        verify_action(CONFIG, token, NOW)
    assert not refused.value.expired


def test_a_tampered_payload_is_refused():
    token = token_of(sign_action_url(CONFIG, "A-ev7-1", "ack", "值班员甲", NOW))
    mac_part = token.split(".")[1]
    forged = {"alert": "A-ev9-1", "action": "ack", "person": "值班员甲", "exp": 4_000_000_000}
    with pytest.raises(LinkError, match="bad signature"):
        verify_action(CONFIG, f"{b64(json.dumps(forged).encode())}.{mac_part}", NOW)


def test_an_ack_link_cannot_be_turned_into_a_false_alarm_link():
    ack = token_of(sign_action_url(CONFIG, "A-ev7-1", "ack", "值班员甲", NOW))
    payload = json.loads(base64.urlsafe_b64decode(ack.split(".")[0] + "=="))
    payload["action"] = "false_alarm"
    with pytest.raises(LinkError):
        verify_action(CONFIG, f"{b64(json.dumps(payload).encode())}.{ack.split('.')[1]}", NOW)


@pytest.mark.parametrize("token", ["", "no-dot", "a.b", "!!.??", "." * 3, "x" * 5000 + ".y"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(LinkError):
        verify_action(CONFIG, token, NOW)


def test_a_correctly_signed_payload_with_an_unknown_action_is_refused():
    payload = json.dumps({"alert": "A-1", "action": "resolve", "person": "x", "exp": 4_000_000_000}).encode()
    mac = hmac.new(SECRET.encode(), payload, hashlib.sha256).digest()
    with pytest.raises(LinkError, match="malformed payload"):
        verify_action(CONFIG, f"{b64(payload)}.{b64(mac)}", NOW)


def test_without_a_link_secret_no_link_is_signed_and_none_verifies():
    config = config_from_mapping({})
    with pytest.raises(LinkError, match="link_secret"):
        sign_action_url(config, "A-ev7-1", "ack", "值班员甲", NOW)
    token = token_of(sign_action_url(CONFIG, "A-ev7-1", "ack", "值班员甲", NOW))
    with pytest.raises(LinkError):
        verify_action(config, token, NOW)


def test_an_unknown_action_cannot_be_signed():
    with pytest.raises(ValueError):
        sign_action_url(CONFIG, "A-ev7-1", "resolve", "值班员甲", NOW)
