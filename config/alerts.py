"""Configuration of alerting: which levels page the duty officer, reminders, escalation, delivery, silences."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from config.secrets import OptionalSecret
from config.sources import StrictModel

Level = Literal["红", "橙", "黄", "蓝"]


class EscalationConfig(StrictModel):
    """Unacknowledged alerts go to the backup officer, then to the leaders; reminders stop after a limit."""

    backup_after_minutes: float = Field(15, gt=0)
    leader_after_minutes: float = Field(30, gt=0)
    max_reminders: int = Field(3, ge=0)

    @model_validator(mode="after")
    def _order(self) -> EscalationConfig:
        if self.leader_after_minutes < self.backup_after_minutes:
            raise ValueError("leader_after_minutes must not be less than backup_after_minutes")
        return self


class SilenceConfig(StrictModel):
    """A static silence: events matching every given field raise no alert until ``until``."""

    topic: str | None = Field(None, description="an event_type, e.g. fire")
    place: str | None = None
    source: str | None = None
    until: AwareDatetime
    reason: str = ""

    @model_validator(mode="after")
    def _something(self) -> SilenceConfig:
        if not (self.topic or self.place or self.source):
            raise ValueError("a silence needs at least one of topic, place, source")
        return self


class AlertsConfig(StrictModel):
    """When an analysed post is worth paging the duty officer for, and how the page is delivered."""

    min_level: Level = Field("蓝", description="alert on events at or above this level (红 > 橙 > 黄 > 蓝)")
    repeat_minutes: float = Field(60, gt=0, description="reminder interval while an alert is unacknowledged")
    delivery_deadline_minutes: float = Field(30, gt=0, description="retry one channel this long, then the next")
    retry_base_seconds: float = Field(10, gt=0)
    retry_max_seconds: float = Field(300, gt=0)
    lease_seconds: float = Field(120, gt=0, description="a claimed notification is retried if not done by then")
    escalation: EscalationConfig = EscalationConfig()
    silences: list[SilenceConfig] = Field(default_factory=list)

    # signed links and webhook hosts (alerts/links.py, alerts/channels/)
    link_secret: OptionalSecret = Field(None, description="HMAC key of the 确认/误报 links; unset: no links")
    link_ttl_hours: float = Field(24, gt=0, description="a signed link expires this long after it was sent")
    base_url: str = Field("http://127.0.0.1:8765", description="where `yuqing serve` is reached from the phone")
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["qyapi.weixin.qq.com", "oapi.dingtalk.com"],
        description="robot/webhook channels may only post to these hosts",
    )

    def silences_at(self, now: datetime) -> list[SilenceConfig]:
        return [silence for silence in self.silences if silence.until > now]
