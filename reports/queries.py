"""The report query layer: every figure in a briefing is computed here, from the database, in SQL where it counts.

Posts belong to a period by ``published_at`` (``start <= t < end``, the period's local midnights). Days are
bucketed in SQL with a ``CASE`` over the period's local midnights (portable to SQLite and PostgreSQL, right
across DST), so a week of a million-post database is one indexed range scan grouped into a few dozen rows.
A post's analysis is its ``post_analyses`` row; posts not analysed yet count in the totals only.
An incident is an event with a level active in the period (first seen before its end, last seen after its
start); its alerts and their handling log are read as of the report's time (``until``), so a Monday
briefing shows what was done about last week's incidents, even when their alerts were raised on Monday.
An alert's state, close time and the 办结 / 误报 counts come from its append-only handling log up to ``until``,
never from the alert's current row: a report generated again later for an earlier time reads the same.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from alerts.models import Alert, AlertAction
from alerts.states import CLOSED_BY, after_action, state_label
from reports.periods import Period
from storage.analysis_models import Event, PostAnalysisRow
from storage.models import Post

LEVELS = ("红", "橙", "黄", "蓝")
TERMS_BATCH = 5_000


@dataclass(frozen=True)
class PostCounts:
    """Posts of one period: by source, by day and source, and by what the analysis decided."""

    total: int
    by_source: dict[str, int]
    by_day: dict[date, dict[str, int]]
    analysed: int
    safety: int
    safety_negative: int
    in_district: int
    elsewhere: int
    in_district_negative: int

    @property
    def safety_not_negative(self) -> int:
        return self.safety - self.safety_negative


@dataclass(frozen=True)
class Handling:
    """What the officers did about an incident's (latest) alert, from ``alerts`` and its handling log."""

    alert_id: str
    state: str
    state_label: str
    opened_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    referred_at: datetime | None
    referral: str
    response: str
    closed_at: datetime | None


@dataclass(frozen=True)
class Incident:
    """An event active in the period, with its handling."""

    event_id: str
    title: str
    type_name: str
    level: str
    place: str | None
    in_district: bool
    sources: list[str]
    post_count: int
    first_seen: datetime
    last_seen: datetime
    handling: Handling | None = None


@dataclass(frozen=True)
class IncidentCounts:
    """Events with a level active in the period (first seen before its end, last seen after its start)."""

    total: int
    in_district: int
    by_level: dict[str, int]


@dataclass(frozen=True)
class AlertStats:
    """The alerts of the period's incidents and how fast they were acknowledged (minutes)."""

    opened: int
    acknowledged: int
    referred: int
    resolved: int
    false_alarms: int
    ack_median_min: float | None
    ack_max_min: float | None


@dataclass(frozen=True)
class PostLine:
    """One post in a list: where, when, what, and its link."""

    post_id: int
    source: str
    published_at: datetime
    title: str
    url: str
    level: str | None
    place: str | None


@dataclass(frozen=True)
class NegativePosts:
    """The negative in-district safety posts of the period: how many, and the first ``limit`` in time order."""

    total: int
    items: list[PostLine] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """One main total this period against the previous one (环比)."""

    name: str
    current: int
    previous: int

    @property
    def ratio(self) -> float | None:
        """(current − previous) ÷ previous; None when the previous period had none."""
        return None if self.previous == 0 else (self.current - self.previous) / self.previous


def post_counts(session: Session, period: Period) -> PostCounts:
    """Every post count of the period in one grouped query over the published_at index."""
    rows = (
        select(Post.source.label("source"), _day_bucket(period).label("day"),
               PostAnalysisRow.post_id.is_not(None).label("analysed"), PostAnalysisRow.safety.label("safety"),
               PostAnalysisRow.in_district.label("in_district"), PostAnalysisRow.negative.label("negative"))
        .outerjoin(PostAnalysisRow, PostAnalysisRow.post_id == Post.id)
        .where(Post.published_at >= period.start, Post.published_at < period.end)
        .subquery()
    )
    columns = (rows.c.source, rows.c.day, rows.c.analysed, rows.c.safety, rows.c.in_district, rows.c.negative)
    grouped = select(*columns, func.count()).group_by(*columns)
    return _fold_counts(period, session.execute(grouped).all())


def _day_bucket(period: Period):
    """The day index (0 … days−1) of ``published_at`` within the period, as a portable SQL CASE.

    Grouped through a subquery: PostgreSQL would not match a CASE holding bound parameters in GROUP BY.
    """
    bounds = [*period.day_bounds(), period.end]
    whens = [(Post.published_at < bound, literal_column(str(index))) for index, bound in enumerate(bounds)]
    return case(*whens, else_=literal_column(str(len(bounds) - 1)))


def _fold_counts(period: Period, rows: Sequence) -> PostCounts:
    days = period.days
    by_source: Counter[str] = Counter()
    by_day: dict[date, Counter[str]] = {day: Counter() for day in days}
    tally: Counter[str] = Counter()
    for source, index, analysed, safety, in_district, negative, count in rows:
        by_source[source] += count
        by_day[days[int(index)]][source] += count
        tally["analysed"] += count if analysed else 0
        if analysed and safety:
            tally["safety"] += count
            tally["safety_negative"] += count if negative else 0
            tally["in_district" if in_district else "elsewhere"] += count
            tally["in_district_negative"] += count if in_district and negative else 0
    return PostCounts(
        total=sum(by_source.values()), by_source=dict(sorted(by_source.items())),
        by_day={day: dict(sorted(counts.items())) for day, counts in by_day.items()},
        analysed=tally["analysed"], safety=tally["safety"], safety_negative=tally["safety_negative"],
        in_district=tally["in_district"], elsewhere=tally["elsewhere"],
        in_district_negative=tally["in_district_negative"],
    )


def _active_events(period: Period):
    return and_(Event.level.is_not(None), Event.first_seen < period.end, Event.last_seen >= period.start)


def incident_counts(session: Session, period: Period) -> IncidentCounts:
    """How many incidents (events with a level) were active in the period, in the district, per level."""
    rows = session.execute(
        select(Event.level, Event.in_district, func.count()).where(_active_events(period))
        .group_by(Event.level, Event.in_district)
    ).all()
    by_level = {level: sum(n for lv, _, n in rows if lv == level) for level in LEVELS}
    return IncidentCounts(total=sum(n for *_, n in rows), in_district=sum(n for _, inside, n in rows if inside),
                          by_level=by_level)


def top_incidents(session: Session, period: Period, limit: int, until: datetime) -> list[Incident]:
    """The period's incidents: in-district first, then by level (红 first), size, and first sighting;
    with their handling as of ``until`` (the report's time)."""
    rank = case({level: index for index, level in enumerate(LEVELS)}, value=Event.level, else_=len(LEVELS))
    events = session.scalars(
        select(Event).where(_active_events(period))
        .order_by(Event.in_district.desc(), rank, Event.post_count.desc(), Event.first_seen, Event.id).limit(limit)
    ).all()
    handling = handling_of(session, [event.id for event in events], until)
    return [_incident(event, handling.get(event.id)) for event in events]


def _incident(event: Event, handling: Handling | None) -> Incident:
    return Incident(event.id, event.title, event.type_name, event.level or "", event.place, event.in_district,
                    list(event.sources or []), event.post_count, event.first_seen, event.last_seen, handling)


def handling_of(session: Session, event_ids: Sequence[str], until: datetime) -> dict[str, Handling]:
    """Each event's latest incident alert opened by ``until``, with its referral to 网信办 and the response."""
    alerts = session.scalars(
        select(Alert).where(Alert.event_id.in_(event_ids), Alert.kind == "incident", Alert.opened_at <= until)
        .order_by(Alert.opened_at, Alert.id)
    ).all()
    latest = {alert.event_id: alert for alert in alerts}
    actions = _actions(session, [alert.id for alert in latest.values()], until)
    return {event_id: _handling(alert, actions.get(alert.id, []), until) for event_id, alert in latest.items()}


def _actions(session: Session, alert_ids: Sequence[str], until: datetime) -> dict[str, list[AlertAction]]:
    """Each alert's handling log up to ``until``, in time order."""
    rows = session.scalars(
        select(AlertAction).where(AlertAction.alert_id.in_(alert_ids), AlertAction.at <= until)
        .order_by(AlertAction.at, AlertAction.id)
    ).all()
    grouped: dict[str, list[AlertAction]] = {}
    for row in rows:
        grouped.setdefault(row.alert_id, []).append(row)
    return grouped


def _handling(alert: Alert, actions: Sequence[AlertAction], until: datetime) -> Handling:
    refers = [a for a in actions if a.action == "refer"]
    responses = [a for a in actions if a.action == "respond"]
    acked = alert.acknowledged_at is not None and alert.acknowledged_at <= until
    state, follow_step, closed_at = _state_as_of(actions)
    return Handling(
        alert_id=alert.id, state=state, state_label=state_label(state, follow_step),
        opened_at=alert.opened_at, acknowledged_by=alert.acknowledged_by if acked else None,
        acknowledged_at=alert.acknowledged_at if acked else None,
        referred_at=refers[0].at if refers else None, referral=_describe(refers[0]) if refers else "",
        response=_describe(responses[-1]) if responses else "", closed_at=closed_at,
    )


def _state_as_of(actions: Iterable[AlertAction]) -> tuple[str, str | None, datetime | None]:
    """(state, following sub-step, closed_at) that the handling log (time order) leaves an alert in."""
    state, follow_step, closed_at = "new", None, None
    for action in actions:
        state, follow_step = after_action(action.action, state, follow_step)
        if action.action in CLOSED_BY:
            closed_at = action.at
    return state, follow_step, closed_at


def _describe(action: AlertAction) -> str:
    """The handling-log entry as one line: its details (contact, reference, response) then its note."""
    details = action.details or {}
    parts = [str(details[key]) for key in ("contact", "ref", "reference", "response") if details.get(key)]
    if action.note:
        parts.append(action.note)
    return "；".join(dict.fromkeys(parts))


def alert_stats(session: Session, period: Period, until: datetime) -> AlertStats:
    """The alerts of the period's incidents (raised before ``until``, the report's time): how many were
    acknowledged, referred to 网信办, resolved or false alarms by ``until`` (from the handling log), and
    minutes to acknowledge (median, max)."""
    alerts = session.execute(
        select(Alert.opened_at, Alert.acknowledged_at).join(Event, Event.id == Alert.event_id)
        .where(_period_alert(period, until))
    ).all()
    logged = dict(session.execute(
        select(AlertAction.action, func.count(func.distinct(AlertAction.alert_id)))
        .join(Alert, Alert.id == AlertAction.alert_id).join(Event, Event.id == Alert.event_id)
        .where(_period_alert(period, until), AlertAction.action.in_(["refer", *CLOSED_BY]), AlertAction.at <= until)
        .group_by(AlertAction.action)
    ).all())
    waits = [(acked - opened).total_seconds() / 60 for opened, acked in alerts if acked is not None and acked <= until]
    return AlertStats(
        opened=len(alerts), acknowledged=len(waits), referred=int(logged.get("refer", 0)),
        resolved=int(logged.get("resolve", 0)), false_alarms=int(logged.get("false_alarm", 0)),
        ack_median_min=median(waits) if waits else None, ack_max_min=max(waits) if waits else None,
    )


def _period_alert(period: Period, until: datetime):
    return and_(Alert.kind == "incident", Alert.opened_at <= until, _active_events(period))


def top_terms(session: Session, period: Period, limit: int) -> list[tuple[str, int]]:
    """The words most safety posts of the period mention (each post counts a term once), most frequent first."""
    query = (
        select(PostAnalysisRow.terms).join(Post, Post.id == PostAnalysisRow.post_id)
        .where(PostAnalysisRow.safety.is_(True), Post.published_at >= period.start, Post.published_at < period.end)
        .execution_options(yield_per=TERMS_BATCH)
    )
    counts: Counter[str] = Counter()
    for terms in session.scalars(query):
        counts.update(set(_terms(terms)))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _terms(value: object) -> list[str]:
    if isinstance(value, str):  # a JSON column read through a plain text projection
        value = json.loads(value)
    return [str(term) for term in value or []]


def negative_posts(session: Session, period: Period, limit: int) -> NegativePosts:
    """Negative safety posts in the district, oldest first, with their links."""
    condition = and_(PostAnalysisRow.safety.is_(True), PostAnalysisRow.in_district.is_(True),
                     PostAnalysisRow.negative.is_(True), Post.published_at >= period.start,
                     Post.published_at < period.end)
    total = session.scalar(
        select(func.count()).select_from(Post).join(PostAnalysisRow, PostAnalysisRow.post_id == Post.id)
        .where(condition)
    )
    rows = session.execute(
        select(Post.id, Post.source, Post.published_at, Post.title, func.substr(Post.text, 1, 80), Post.url,
               PostAnalysisRow.level, PostAnalysisRow.place)
        .join(PostAnalysisRow, PostAnalysisRow.post_id == Post.id).where(condition)
        .order_by(Post.published_at, Post.id).limit(limit)
    ).all()
    items = [PostLine(pid, source, at, title or text, url, level, place)
             for pid, source, at, title, text, url, level, place in rows]
    return NegativePosts(int(total or 0), items)


def changes(current: PostCounts, previous: PostCounts, incidents: IncidentCounts,
            previous_incidents: IncidentCounts, alerts: AlertStats, previous_alerts: AlertStats) -> list[Change]:
    """环比 of the main totals: posts, safety posts, negative, in-district, incidents, alerts."""
    return [
        Change("帖子总数", current.total, previous.total),
        Change("涉安全帖子", current.safety, previous.safety),
        Change("负面涉安全帖子", current.safety_negative, previous.safety_negative),
        Change("区内涉安全帖子", current.in_district, previous.in_district),
        Change("事件数", incidents.total, previous_incidents.total),
        Change("预警数", alerts.opened, previous_alerts.opened),
    ]
