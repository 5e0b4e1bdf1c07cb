"""The daily brief (每日舆情, about 500 字): yesterday's totals, main incidents, alerts and negative posts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alerts.message import LEVEL_ZH
from config import Config
from reports import text
from reports.blocks import Block, Document, Heading, Paragraph, Table
from reports.model import Report, collect
from reports.output import write_document
from reports.periods import Period
from storage import Database

DAILY_FORMATS = ("docx", "md")
BRIEF_INCIDENTS = 5
BRIEF_POSTS = 5


def build_daily(db: Database, config: Config, day: Period, now: datetime) -> Report:
    """The daily report model of ``day`` (no charts: the brief is text)."""
    with db.session() as session:
        return collect(session, config, "daily", day, now, charts=False)


def write_daily(report: Report, formats: tuple[str, ...], out_dir: Path, config: Config) -> list[Path]:
    """Write ``daily-<date>.<ext>`` for each format into ``out_dir``; return the paths written."""
    document = daily_document(report, config)
    return [write_document(document, fmt, out_dir / f"daily-{report.period.label}.{fmt}", config)
            for fmt in formats]


def daily_document(report: Report, config: Config) -> Document:
    tz = config.tz
    blocks: list[Block] = [Heading(text.section(1, "总体情况")), Paragraph(_overview(report)),
                           Heading(text.section(2, "重点事件")), *_incidents(report, tz),
                           Heading(text.section(3, "预警处置")), Paragraph(_alerts(report)),
                           Heading(text.section(4, "本区负面舆情")), *_negative(report, tz)]
    return Document("daily", report.title, f"{report.issuer}　　{text.span(report)}", blocks,
                    author=report.issuer, created=report.generated_at)


def _overview(report: Report) -> str:
    counts = report.counts
    return (f"{text.span(report)}共监测到网络帖子 {counts.total} 条（较前一日 {text.change_text(report.changes[0])}）"
            f"{text.by_source_clause(report, counts)}。涉安全生产和应急管理的 {counts.safety} 条，"
            f"负面 {counts.safety_negative} 条；涉及本区 {counts.in_district} 条，其中负面 {counts.in_district_negative} 条。"
            f"当日涉及分级事件 {report.incident_counts.total} 起（区内 {report.incident_counts.in_district} 起）。")


def _incidents(report: Report, tz) -> list[Block]:
    if not report.incidents:
        return [Paragraph("当日无分级事件。")]
    lines = []
    for index, incident in enumerate(report.incidents[:BRIEF_INCIDENTS], start=1):
        where = text.clean(incident.place) or "地点不明"
        lines.append(Paragraph(
            f"{text.subsection(index)}【{LEVEL_ZH.get(incident.level, incident.level)}】"
            f"{where}{incident.type_name}："
            f"{text.clean(incident.title, 36)}（{incident.post_count} 条，{text.sources_text(report, incident.sources)}；"
            f"首次发现 {text.local(incident.first_seen, tz)}；{text.handling_state(incident.handling)}）"))
    return lines


def _alerts(report: Report) -> str:
    a = report.alerts
    if a.opened == 0:
        return "当日未触发预警。"
    return (f"当日触发预警 {a.opened} 条，已确认 {a.acknowledged} 条，上报网信办 {a.referred} 条，"
            f"办结 {a.resolved} 条，误报 {a.false_alarms} 条；确认用时中位 {text.minutes_text(a.ack_median_min)}。")


def _negative(report: Report, tz) -> list[Block]:
    negative = report.negative
    if negative.total == 0:
        return [Paragraph("当日无本区负面涉安全帖子。")]
    rows = [text.post_row(report, i, post, tz)[:4] for i, post in enumerate(negative.items[:BRIEF_POSTS], start=1)]
    intro = f"共 {negative.total} 条" + (f"，列出最早 {BRIEF_POSTS} 条：" if negative.total > BRIEF_POSTS else "：")
    return [Paragraph(intro), Table(["序号", "发布时间", "来源", "内容"], rows)]
