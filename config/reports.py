"""Configuration of the briefings (舆情周报 / 每日舆情): where they go, when they run, titles and fonts."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from config.roster import WEEKDAYS
from config.schedule import clock_time
from config.sources import StrictModel

_SCHEDULE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$")


class ReportFonts(StrictModel):
    """Font names written into the .docx (Word/WPS substitute a similar font when one is not installed)."""

    title: str = Field("方正小标宋简体", description="weekly title (公文 标题)")
    title_fallback: str = Field("黑体", description="declared in the .docx font table for PCs without the title font")
    heading: str = Field("黑体", description="numbered section headings (一、二、三、)")
    body: str = Field("仿宋_GB2312", description="weekly body text")
    body_fallback: str = Field("仿宋", description="declared in the .docx font table for PCs without the body font")
    western: str = Field("Times New Roman", description="Latin letters and digits")
    daily_title: str = Field("黑体", description="daily brief title (3号黑体)")
    daily_body: str = Field("宋体", description="daily brief body (四号宋体)")
    body_size_pt: float = Field(16, ge=9, le=22, description="weekly body size: 16 = 三号, 14 = 四号")
    chart: list[str] = Field(
        default_factory=lambda: ["Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                                 "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Noto Serif CJK SC",
                                 "Noto Sans CJK JP", "Noto Sans CJK TC"],
        description="chart fonts in order of preference; the first installed one with Chinese glyphs is used",
    )


class ReportsConfig(StrictModel):
    """The weekly briefing and the optional daily brief."""

    output_dir: str = Field("var/reports", description="default folder for written reports (relative to the cwd)")
    weekly_schedule: str = Field("mon 08:30", description="when the scheduler writes last week's briefing")
    daily_enabled: bool = Field(False, description="write a 每日舆情 brief every day")
    daily_time: str = Field("08:00", description="when the scheduler writes yesterday's brief")
    weekly_title: str = "天宁区应急管理局 舆情周报"
    daily_title: str = "天宁区应急管理局 每日舆情"
    issuer: str = Field("天宁区应急管理局", description="shown under the title")
    top_incidents: int = Field(10, ge=1, le=100)
    top_terms: int = Field(20, ge=1, le=200)
    negative_posts_limit: int = Field(100, ge=1, le=5000, description="at most this many negative posts listed")
    fonts: ReportFonts = ReportFonts()

    @field_validator("weekly_schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        if not _SCHEDULE.match(value.strip().lower()):
            raise ValueError(f"expected '<weekday> HH:MM' with a weekday among {', '.join(WEEKDAYS)}, e.g. 'mon 08:30'")
        return value.strip().lower()

    @field_validator("daily_time")
    @classmethod
    def _daily_time(cls, value: str) -> str:
        return clock_time(value, "08:00")

    @property
    def weekly_day(self) -> str:
        return self.weekly_schedule.split()[0]

    @property
    def weekly_time(self) -> tuple[int, int]:
        hour, minute = self.weekly_schedule.split()[1].split(":")
        return int(hour), int(minute)
