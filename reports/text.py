"""The Chinese wording shared by the weekly and daily briefings: dates, percentages, 环比, incident and post rows."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from alerts.message import LEVEL_ZH
from reports.blocks import Cell, clean, link
from reports.queries import Change, Handling, Incident, PostCounts, PostLine

if TYPE_CHECKING:  # reports.model imports reports.charts, which uses this module's wording
    from reports.model import Report

NUMERALS = "一二三四五六七八九十"
WEEKDAYS = "一二三四五六日"


def section(number: int, title: str) -> str:
    """``一、总体情况`` — the 公文 first-level numbering."""
    return f"{NUMERALS[number - 1]}、{title}"


def subsection(number: int) -> str:
    """``（一）`` — the 公文 second-level numbering."""
    return f"（{NUMERALS[number - 1]}）"


def local(moment: datetime | None, tz: tzinfo) -> str:
    """``11月8日 09:05`` in the configured timezone."""
    if moment is None:
        return "—"
    here = moment.astimezone(tz)
    return f"{here.month}月{here.day}日 {here:%H:%M}"


def day_label(day: date) -> str:
    """``11/16 周一`` — a day's row in the trend table and its bar in the trend chart."""
    return f"{day.month}/{day.day} 周{WEEKDAYS[day.weekday()]}"


def span(report: Report) -> str:
    """``2026年11月16日至11月22日`` (a week) or ``2026年11月20日`` (a day)."""
    first, last = report.period.first_day, report.period.last_day
    start = f"{first.year}年{first.month}月{first.day}日"
    return start if first == last else f"{start}至{last.month}月{last.day}日"


def share(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{part / whole:.1%}"


def change_text(change: Change) -> str:
    """``+12.5%``, ``-3.0%``, ``持平``; ``上期为0`` when there is nothing to compare with."""
    ratio = change.ratio
    if ratio is None:
        return "上期为0" if change.current else "持平"
    return "持平" if ratio == 0 else f"{ratio:+.1%}"


def by_source_clause(report: Report, counts: PostCounts) -> str:
    """``，其中微博 114 条、今日头条 76 条``; nothing when no source had posts."""
    parts = [f"{report.source_name(source)} {count} 条" for source, count in counts.by_source.items()]
    return f"，其中{'、'.join(parts)}" if parts else ""


def sources_text(report: Report, sources: list[str]) -> str:
    return "、".join(report.source_name(source) for source in sources) or "—"


def minutes_text(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    if minutes < 60:
        return f"{minutes:.0f} 分钟"
    return f"{minutes / 60:.1f} 小时"


def handling_state(handling: Handling | None) -> str:
    return "未触发预警" if handling is None else handling.state_label


def acknowledged_text(handling: Handling | None, tz: tzinfo) -> str:
    if handling is None or handling.acknowledged_at is None:
        return "未确认" if handling else "—"
    return f"{clean(handling.acknowledged_by) or '—'}（{local(handling.acknowledged_at, tz)}）"


def referral_text(handling: Handling | None, tz: tzinfo) -> str:
    if handling is None or handling.referred_at is None:
        return "未上报"
    detail = clean(handling.referral, 60)
    return f"{local(handling.referred_at, tz)}" + (f"（{detail}）" if detail else "")


def outcome_text(handling: Handling | None, tz: tzinfo) -> str:
    if handling is None:
        return "—"
    parts = [handling.state_label]
    if handling.response:
        parts.append(f"网信办回应：{clean(handling.response, 80)}")
    if handling.closed_at is not None:
        parts.append(f"结束于 {local(handling.closed_at, tz)}")
    return "；".join(parts)


def incident_row(report: Report, index: int, incident: Incident, tz: tzinfo) -> list[Cell]:
    return [str(index), LEVEL_ZH.get(incident.level, incident.level), clean(incident.title, 40),
            clean(incident.place) or "地点不明", "区内" if incident.in_district else "区外",
            sources_text(report, incident.sources), str(incident.post_count), local(incident.first_seen, tz),
            handling_state(incident.handling)]


def handling_row(incident: Incident, tz: tzinfo) -> list[Cell]:
    handling = incident.handling
    return [clean(incident.title, 24), handling.alert_id if handling else "—", acknowledged_text(handling, tz),
            referral_text(handling, tz), outcome_text(handling, tz)]


def post_row(report: Report, index: int, post: PostLine, tz: tzinfo) -> list[Cell]:
    return [str(index), local(post.published_at, tz), report.source_name(post.source),
            link(clean(post.title, 60) or post.url, post.url), clean(post.place) or "—",
            LEVEL_ZH.get(post.level or "", "—")]


def terms_text(terms: list[tuple[str, int]]) -> str:
    return "、".join(f"{clean(term)}（{count}）" for term, count in terms) or "无"
