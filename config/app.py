"""The root of yuqing's configuration: one validated object built from one TOML file."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from config.alerts import AlertsConfig
from config.analysis import AnalysisConfig
from config.channels import ChannelConfig
from config.reports import ReportsConfig
from config.roster import RosterConfig
from config.schedule import ScheduleConfig
from config.sources import CrawlPolicy, SourceConfig, StrictModel


class DatabaseConfig(StrictModel):
    """Where posts, analyses and alerts are stored (``YUQING_DB_URL`` overrides ``url``)."""

    url: str = "sqlite:///var/yuqing.db"


class SecretsConfig(StrictModel):
    """An optional TOML file of ``name = "value"`` secrets, referenced from config as ``{"$secret" = "name"}``."""

    file: str | None = None


class Config(StrictModel):
    """Everything yuqing reads from its config file, validated on load."""

    district: str = "天宁区"
    city: str = "常州市"
    timezone: str = "Asia/Shanghai"
    database: DatabaseConfig = DatabaseConfig()
    secrets: SecretsConfig = SecretsConfig()
    crawl: CrawlPolicy = CrawlPolicy()
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    analysis: AnalysisConfig = AnalysisConfig()
    alerts: AlertsConfig = AlertsConfig()
    reports: ReportsConfig = ReportsConfig()
    roster: RosterConfig = RosterConfig()
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    schedule: ScheduleConfig = ScheduleConfig()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (expected an IANA name such as Asia/Shanghai)") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def enabled_sources(self) -> dict[str, SourceConfig]:
        return {name: source for name, source in self.sources.items() if source.enabled}
