"""The report model: everything a briefing shows for one period, collected from the query layer only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from config import Config
from reports import queries
from reports.charts import Charts, render_charts
from reports.periods import Period

BUILTIN_NAMES = {"weibo": "微博", "toutiao": "今日头条", "hualongxiang": "化龙巷", "zhong5": "中吴网"}


@dataclass
class Report:
    """One briefing (weekly or daily) before rendering; every number here came from ``reports.queries``."""

    kind: str
    title: str
    issuer: str
    period: Period
    generated_at: datetime
    source_names: dict[str, str]
    counts: queries.PostCounts
    previous_counts: queries.PostCounts
    incident_counts: queries.IncidentCounts
    incidents: list[queries.Incident]
    alerts: queries.AlertStats
    terms: list[tuple[str, int]]
    changes: list[queries.Change]
    negative: queries.NegativePosts
    charts: Charts = field(default_factory=Charts)

    @property
    def notices(self) -> list[str]:
        return list(self.charts.notices)

    def source_name(self, source: str) -> str:
        return self.source_names.get(source, source)


def source_names(config: Config) -> dict[str, str]:
    """Chinese display names of the sources: the config's ``name_zh``, else the built-in ones, else the key."""
    names = dict(BUILTIN_NAMES)
    names.update({key: source.name_zh for key, source in config.sources.items() if source.name_zh})
    return names


def collect(session: Session, config: Config, kind: str, period: Period, now: datetime, charts: bool) -> Report:
    """Run every query of the period (and the previous one, for 环比); draw the charts when asked."""
    settings = config.reports
    previous = period.previous()
    counts, before = queries.post_counts(session, period), queries.post_counts(session, previous)
    incidents, incidents_before = queries.incident_counts(session, period), queries.incident_counts(session, previous)
    alerts, alerts_before = queries.alert_stats(session, period, now), queries.alert_stats(session, previous, now)
    names = source_names(config)
    report = Report(
        kind=kind, title=settings.weekly_title if kind == "weekly" else settings.daily_title,
        issuer=settings.issuer, period=period, generated_at=now.astimezone(config.tz), source_names=names,
        counts=counts, previous_counts=before, incident_counts=incidents,
        incidents=queries.top_incidents(session, period, settings.top_incidents, now), alerts=alerts,
        terms=queries.top_terms(session, period, settings.top_terms),
        changes=queries.changes(counts, before, incidents, incidents_before, alerts, alerts_before),
        negative=queries.negative_posts(session, period, settings.negative_posts_limit),
    )
    if charts:
        report.charts = render_charts(counts, names, settings.fonts.chart)
    return report
