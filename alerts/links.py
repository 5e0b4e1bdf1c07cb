"""Signed one-tap links: 确认 (ack) and 误报 (false_alarm) for one alert and one roster person, with expiry.

A link is ``{alerts.base_url}/a/{token}``; the token is ``base64url(payload) + "." + base64url(mac)`` where
payload is the JSON ``{"alert", "action", "person", "exp"}`` (``exp`` in Unix seconds) and mac is
HMAC-SHA256 of the payload bytes under ``alerts.link_secret``. Verification compares in constant time
and refuses forged, tampered, expired and malformed tokens with :class:`LinkError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from config import Config

ACTIONS = ("ack", "false_alarm")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]{1,2048}")
ACTION_ZH = {"ack": "确认收到", "false_alarm": "标记误报"}


class LinkError(Exception):
    """A link that must not be honoured; ``expired`` tells an outdated genuine link from a bad one."""

    def __init__(self, reason: str, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


@dataclass(frozen=True)
class ActionGrant:
    """What a verified link allows: ``person`` may apply ``action`` to ``alert_id``."""

    alert_id: str
    action: str
    person: str


def sign_action_url(config: Config, alert_id: str, action: str, person: str, now: datetime) -> str:
    """The signed URL, valid for ``alerts.link_ttl_hours`` from ``now``; LinkError when no link secret is set."""
    if action not in ACTIONS:
        raise ValueError(f"unknown link action {action!r} (expected one of {', '.join(ACTIONS)})")
    expires = now + timedelta(hours=config.alerts.link_ttl_hours)
    claims = {"alert": alert_id, "action": action, "person": person, "exp": int(expires.timestamp())}
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    token = f"{_encode(payload)}.{_encode(_mac(_secret(config), payload))}"
    return f"{config.alerts.base_url.rstrip('/')}/a/{token}"


def verify_action(config: Config, token: str, now: datetime) -> ActionGrant:
    """The grant a token carries, if its MAC is right and it has not expired; else LinkError."""
    payload_part, dot, mac_part = token.partition(".")
    if not dot:
        raise LinkError("malformed token")
    payload, mac = _decode(payload_part), _decode(mac_part)
    if not hmac.compare_digest(mac, _mac(_secret(config), payload)):
        raise LinkError("bad signature")
    grant, expires = _claims(payload)
    if now.timestamp() >= expires:
        raise LinkError("link expired", expired=True)
    return grant


def _claims(payload: bytes) -> tuple[ActionGrant, int]:
    try:
        claims = json.loads(payload)
        grant = ActionGrant(claims["alert"], claims["action"], claims["person"])
        expires = claims["exp"]
    except (ValueError, KeyError, TypeError):
        raise LinkError("malformed payload") from None
    if grant.action not in ACTIONS or not all(isinstance(v, str) for v in (grant.alert_id, grant.person)):
        raise LinkError("malformed payload")
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise LinkError("malformed payload")
    return grant, expires


def _secret(config: Config) -> bytes:
    secret = config.alerts.link_secret
    if secret is None or not secret.get_secret_value():
        raise LinkError("alerts.link_secret is not configured")
    return secret.get_secret_value().encode("utf-8")


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    if not _BASE64URL.fullmatch(text):
        raise LinkError("malformed token")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LinkError("malformed token") from None
