"""The weekly briefing (舆情周报): collect an ISO week, compose its numbered sections, write docx / HTML / Markdown."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alerts.message import LEVEL_ZH
from config import Config
from reports import text
from reports.blocks import Block, Document, Heading, Image, Paragraph, Table
from reports.charts import CAPTIONS
from reports.model import Report, collect
from reports.output import write_document
from reports.periods import Period
from reports.queries import Change
from storage import Database

WEEKLY_FORMATS = ("docx", "html", "md")
INCIDENT_HEADER = ["序号", "级别", "事件", "地点", "区域", "来源", "帖子数", "首次发现", "处置状态"]
HANDLING_HEADER = ["事件", "预警编号", "确认人（时间）", "上报网信办", "结果"]
POST_HEADER = ["序号", "发布时间", "来源", "内容", "地点", "级别"]


def build_weekly(db: Database, config: Config, week: Period, now: datetime, charts: bool = True) -> Report:
    """The weekly report model of ``week`` (figures from ``reports.queries``; charts unless ``charts=False``)."""
    with db.session() as session:
        return collect(session, config, "weekly", week, now, charts)


def write_weekly(report: Report, formats: tuple[str, ...], out_dir: Path, config: Config) -> list[Path]:
    """Write ``weekly-<week>.<ext>`` for each format into ``out_dir``; return the paths written."""
    document = weekly_document(report, config)
    return [write_document(document, fmt, out_dir / f"weekly-{report.period.label}.{fmt}", config)
            for fmt in formats]


def weekly_document(report: Report, config: Config) -> Document:
    """The briefing's sections, numbered 一、二、三、… in 公文 style."""
    tz = config.tz
    week_no = report.period.label.split("-W")[1].lstrip("0")
    subtitle = f"{report.issuer}　　{text.span(report)}（第{week_no}周）"
    sections = [("总体情况", _overview(report)), ("舆情走势", _trend(report)), ("情感与区域分布", _split(report)),
                ("重点事件及处置", _incidents(report, tz)), ("预警处置情况", _alerts(report)),
                ("热点词", [Paragraph(f"本周涉安全帖子中出现最多的词：{text.terms_text(report.terms)}。")]),
                ("环比变化", _changes(report)), ("负面舆情清单", _negative(report, tz))]
    if report.notices:
        sections.append(("说明", [Paragraph(notice) for notice in report.notices]))
    blocks: list[Block] = []
    for number, (title, content) in enumerate(sections, start=1):
        blocks.append(Heading(text.section(number, title)))
        blocks.extend(content)
    return Document("weekly", report.title, subtitle, blocks, author=report.issuer, created=report.generated_at)


def _overview(report: Report) -> list[Block]:
    counts, incidents, alerts = report.counts, report.incident_counts, report.alerts
    levels = "、".join(f"{LEVEL_ZH[lv]} {n} 起" for lv, n in incidents.by_level.items() if n) or "无分级事件"
    pending = counts.total - counts.analysed
    lines = [
        f"{text.span(report)}，共监测到网络帖子 {counts.total} 条（环比 {text.change_text(report.changes[0])}）"
        f"{text.by_source_clause(report, counts)}。" + (f"另有 {pending} 条尚未完成分析。" if pending else ""),
        f"经分析，涉安全生产和应急管理的帖子 {counts.safety} 条，其中负面 {counts.safety_negative} 条"
        f"（占 {text.share(counts.safety_negative, counts.safety)}）；涉及本区的 {counts.in_district} 条，"
        f"区外 {counts.elsewhere} 条；本区负面 {counts.in_district_negative} 条。",
        f"本周共梳理事件 {incidents.total} 起（区内 {incidents.in_district} 起），其中{levels}；"
        f"触发预警 {alerts.opened} 条，已确认 {alerts.acknowledged} 条。",
    ]
    header = ["来源", "本周（条）", "上周（条）", "环比"]
    rows = [[report.source_name(s), str(report.counts.by_source.get(s, 0)),
             str(report.previous_counts.by_source.get(s, 0)), text.change_text(_source_change(report, s))]
            for s in sorted(set(report.counts.by_source) | set(report.previous_counts.by_source))]
    return [*(Paragraph(line) for line in lines), Table(header, rows)]


def _source_change(report: Report, source: str) -> Change:
    return Change(source, report.counts.by_source.get(source, 0), report.previous_counts.by_source.get(source, 0))


def _trend(report: Report) -> list[Block]:
    counts = report.counts
    sources = list(counts.by_source)
    header = ["日期", *(report.source_name(s) for s in sources), "合计"]
    rows = [[text.day_label(day), *(str(by_source.get(s, 0)) for s in sources), str(sum(by_source.values()))]
            for day, by_source in counts.by_day.items()]
    return [*_image(report, "trend"), Table(header, rows)]


def _split(report: Report) -> list[Block]:
    counts = report.counts
    line = (f"涉安全帖子 {counts.safety} 条中，负面 {counts.safety_negative} 条、非负面 {counts.safety_not_negative} 条；"
            f"区内 {counts.in_district} 条（{text.share(counts.in_district, counts.safety)}）、"
            f"区外 {counts.elsewhere} 条（{text.share(counts.elsewhere, counts.safety)}）。")
    return [Paragraph(line), *_image(report, "sentiment"), *_image(report, "district")]


def _image(report: Report, name: str) -> list[Block]:
    png = report.charts.images.get(name)
    return [Image(name, png, CAPTIONS[name])] if png else []


def _incidents(report: Report, tz) -> list[Block]:
    if not report.incidents:
        return [Paragraph("本周无分级事件。")]
    rows = [text.incident_row(report, i, incident, tz) for i, incident in enumerate(report.incidents, start=1)]
    handled = [text.handling_row(incident, tz) for incident in report.incidents if incident.handling]
    blocks: list[Block] = [Paragraph(f"按区内优先、级别和规模排序，列出前 {len(rows)} 起事件："), Table(INCIDENT_HEADER, rows)]
    if handled:
        blocks += [Paragraph("上述事件的预警处置记录如下："), Table(HANDLING_HEADER, handled)]
    return blocks


def _alerts(report: Report) -> list[Block]:
    a = report.alerts
    if a.opened == 0:
        return [Paragraph("本周未触发预警。")]
    return [Paragraph(
        f"本周触发预警 {a.opened} 条，已确认 {a.acknowledged} 条，上报网信办 {a.referred} 条，办结 {a.resolved} 条，"
        f"误报 {a.false_alarms} 条；从发出预警到确认，中位用时 {text.minutes_text(a.ack_median_min)}，"
        f"最长 {text.minutes_text(a.ack_max_min)}。")]


def _changes(report: Report) -> list[Block]:
    rows = [[c.name, str(c.current), str(c.previous), text.change_text(c)] for c in report.changes]
    return [Table(["指标", "本周", "上周", "环比"], rows)]


def _negative(report: Report, tz) -> list[Block]:
    negative = report.negative
    if negative.total == 0:
        return [Paragraph("本周无本区负面涉安全帖子。")]
    shown = len(negative.items)
    intro = f"本周本区负面涉安全帖子共 {negative.total} 条" + (f"，以下列出最早的 {shown} 条：" if shown < negative.total else "：")
    rows = [text.post_row(report, i, post, tz) for i, post in enumerate(negative.items, start=1)]
    return [Paragraph(intro), Table(POST_HEADER, rows)]
