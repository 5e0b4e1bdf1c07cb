"""Alert channels (console, JSONL file, SMTP, 企业微信, 钉钉, webhook/SMS) and :func:`build_channels` from config.

A channel whose secret (robot URL, 钉钉 secret, gateway URL) is unset is left out with a warning: its
contacts are skipped by the dispatcher. A robot or webhook URL whose host is not in
``alerts.allowed_hosts`` is a configuration error, raised here rather than at send time. A channel's
``timeout_s`` (the limit of one whole send) is held to half of ``alerts.lease_seconds``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from jinja2 import TemplateError
from pydantic import SecretStr

from alerts.channels.base import Channel, DeliveryError
from alerts.channels.console import ConsoleChannel
from alerts.channels.dingtalk import DingtalkChannel
from alerts.channels.jsonl import JsonlChannel
from alerts.channels.smtp import SmtpChannel
from alerts.channels.webhook import WebhookChannel, compile_template
from alerts.channels.wecom import WecomChannel
from config import Config, ConfigError
from config.channels import (
    ChannelConfig,
    ConsoleChannelConfig,
    DingtalkChannelConfig,
    JsonlChannelConfig,
    SmtpChannelConfig,
    WebhookChannelConfig,
    WecomChannelConfig,
)

log = logging.getLogger(__name__)
SEND_SHARE_OF_LEASE = 0.5  # a send may use at most this share of the lease; the rest covers claiming and recording

__all__ = ["Channel", "DeliveryError", "build_channels", "build_channel"]


def build_channels(config: Config) -> dict[str, Channel]:
    """Every usable configured channel by name; raises ConfigError for a disallowed host or a bad template."""
    channels = {}
    for name, settings in config.channels.items():
        channel = build_channel(name, settings, config)
        if channel is not None:
            channels[name] = channel
    return channels


def build_channel(name: str, settings: ChannelConfig, config: Config) -> Channel | None:
    """One channel, or None (with a warning) when a secret it needs is unset."""
    tz = config.tz
    settings = _within_lease(name, settings, config)
    match settings:
        case ConsoleChannelConfig():
            return ConsoleChannel(name, tz)
        case JsonlChannelConfig():
            return JsonlChannel(name, settings.path)
        case SmtpChannelConfig():
            if settings.username and _secret(name, "password", settings.password) is None:
                return None
            return SmtpChannel(name, settings, tz)
        case WecomChannelConfig():
            webhook = _secret_url(name, "webhook", settings.webhook, config)
            return WecomChannel(name, settings, webhook, tz) if webhook else None
        case DingtalkChannelConfig():
            webhook = _secret_url(name, "webhook", settings.webhook, config)
            secret = _secret(name, "secret", settings.secret)
            return DingtalkChannel(name, settings, webhook, secret, tz) if webhook and secret else None
        case WebhookChannelConfig():
            _check_template(name, settings.template)
            url = _secret_url(name, "url", settings.url, config)
            return WebhookChannel(name, settings, url, tz) if url else None
    raise ConfigError(f"channels.{name}: unsupported channel type")


def _within_lease(name: str, settings: ChannelConfig, config: Config) -> ChannelConfig:
    """``timeout_s`` bounds a whole send; held to a share of ``alerts.lease_seconds``, so that a send always ends
    (and is recorded) well before its claim on the message runs out and another dispatcher may send it again."""
    timeout_s = getattr(settings, "timeout_s", None)
    limit = config.alerts.lease_seconds * SEND_SHARE_OF_LEASE
    if timeout_s is None or timeout_s <= limit:
        return settings
    log.warning("channels.%s.timeout_s (%g s) is over half of alerts.lease_seconds (%g s): sends are cut at %g s",
                name, timeout_s, config.alerts.lease_seconds, limit)
    return settings.model_copy(update={"timeout_s": limit})


def _secret(name: str, key: str, value: SecretStr | None) -> str | None:
    if value is None or not value.get_secret_value():
        log.warning("channels.%s.%s is not set: contacts on channel %s are skipped", name, key, name)
        return None
    return value.get_secret_value()


def _secret_url(name: str, key: str, value: SecretStr | None, config: Config) -> str | None:
    url = _secret(name, key, value)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"channels.{name}.{key}: not an http(s) URL")
    allowed = {host.lower() for host in config.alerts.allowed_hosts}
    if parts.hostname.lower() not in allowed:
        listed = ", ".join(sorted(allowed))
        raise ConfigError(f"channels.{name}.{key}: host {parts.hostname} is not in alerts.allowed_hosts ({listed})")
    return url


def _check_template(name: str, source: str) -> None:
    try:
        compile_template(source)
    except TemplateError as exc:
        raise ConfigError(f"channels.{name}.template: {exc}") from None
