"""yuqing's briefings: the weekly 舆情周报 (docx / HTML / Markdown, with charts) and the daily 每日舆情 brief.

Every figure comes from ``reports.queries``; the CLI and the scheduler use only the names below.
"""

from reports.daily import DAILY_FORMATS, build_daily, write_daily
from reports.model import Report
from reports.periods import Period, PeriodError, last_complete_week, parse_day, parse_week, yesterday
from reports.weekly import WEEKLY_FORMATS, build_weekly, write_weekly

__all__ = [
    "DAILY_FORMATS",
    "WEEKLY_FORMATS",
    "Period",
    "PeriodError",
    "Report",
    "build_daily",
    "build_weekly",
    "last_complete_week",
    "parse_day",
    "parse_week",
    "write_daily",
    "write_weekly",
    "yesterday",
]
