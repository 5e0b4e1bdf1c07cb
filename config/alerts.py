"""Configuration of alerting: which levels page the duty officer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from config.sources import StrictModel

Level = Literal["红", "橙", "黄", "蓝"]


class AlertsConfig(StrictModel):
    """When an analysed post is worth paging the duty officer for."""

    min_level: Level = Field("蓝", description="alert on events at or above this level (红 > 橙 > 黄 > 蓝)")
