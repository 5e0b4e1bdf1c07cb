"""Analysis in the database: analyse the stored posts that need it, keep the results and the incidents.

``analyse_stored_posts`` is what ``yuqing analyze`` (without ``--input``) and the scheduler run after
each crawl. It is idempotent: a post analysed by the current model version is not analysed again; a
new model version re-analyses every post from scratch (events are rebuilt with the same ids, since an
event's id derives from its first post). Posts whose engagement changed since their analysis are not
re-scored, but their events are re-assessed, so growth between crawls raises the risk level.

The daemon keeps one warm ``Analyzer`` across runs, and it already holds the posts and events it analysed
itself: each run reads in full only what the analyzer lacks, and every query asks for the columns it uses,
so the fixed cost of a run stays small however many posts the event window holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from analysis.dedup import signatures
from analysis.events import MAX_SIGNATURES, Event
from analysis.pipeline import Analyzer, EventState, MemberSummary, PostAnalysis
from config import Config
from storage import Database, EngagementSnapshot, Post
from storage.analysis_models import Event as EventRow
from storage.analysis_models import PostAnalysisRow
from storage.records import PostRecord

BATCH = 2_000
IDS_PER_QUERY = 1_000
"""Ids per ``IN (…)`` list (SQLite allows a few tens of thousands of parameters per statement)."""
RECORD_COLUMNS = (Post.id, Post.source, Post.source_post_id, Post.url, Post.title, Post.text, Post.author,
                  Post.published_at, Post.reposts, Post.comments, Post.likes, Post.views, Post.truncated)


@dataclass
class PersistReport:
    """What one run did: how many posts it analysed and which events changed (for alert evaluation)."""

    version: str
    analysed: int = 0
    rebuilt: bool = False
    changed_events: list[str] = field(default_factory=list)


def analyse_stored_posts(db: Database, config: Config, now: datetime, analyzer: Analyzer | None = None) -> PersistReport:
    """Analyse what needs it and store the results; return the events whose state changed."""
    analyzer = analyzer or Analyzer(config)
    report = PersistReport(analyzer.version)
    with db.session() as session:
        report.rebuilt = _outdated(session, analyzer.version)
        if report.rebuilt:
            session.execute(delete(PostAnalysisRow))
        else:
            _resume(session, analyzer, now - timedelta(hours=config.analysis.event_window_hours))
        changed: dict[str, EventState] = {}
        for batch in _batches(_pending(session, analyzer.version)):
            ids, records = zip(*batch)
            growth = _growth(session, list(ids))
            result = analyzer.analyze(list(records), _by_key(records, ids, growth))
            _save_events(session, result.events.values(), now)
            _save_posts(session, batch, result.posts, analyzer.version, now)
            changed.update(result.events)
            report.analysed += len(ids)
        grown = _reassess_grown(session, analyzer, changed.keys())
        _save_events(session, grown.values(), now)
        changed.update(grown)
        if report.rebuilt:
            _drop_orphan_events(session)
    report.changed_events = sorted(changed)
    return report


def _outdated(session: Session, version: str) -> bool:
    """Whether stored analyses come from another model version (then everything is re-analysed)."""
    other = select(PostAnalysisRow.post_id).where(PostAnalysisRow.model_version != version).limit(1)
    return session.scalar(other) is not None


def _pending(session: Session, version: str) -> Iterable[tuple[int, PostRecord]]:
    query = (
        select(*RECORD_COLUMNS).outerjoin(PostAnalysisRow, PostAnalysisRow.post_id == Post.id)
        .where(or_(PostAnalysisRow.post_id.is_(None), PostAnalysisRow.model_version != version))
        .order_by(Post.published_at, Post.id)
    )
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        yield row.id, _record(row)


def _record(post: Row) -> PostRecord:
    return PostRecord(post.source, post.source_post_id, post.url, post.title, post.text, post.author,
                      post.published_at, post.reposts, post.comments, post.likes, post.views, post.truncated)


def _batches(items: Iterable[tuple[int, PostRecord]]) -> Iterable[list[tuple[int, PostRecord]]]:
    batch: list[tuple[int, PostRecord]] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True, slots=True)
class _Member:
    """A stored post of the event window: which post, and the event it belongs to."""

    post_id: int
    source: str
    key: str
    event_id: str | None


def _resume(session: Session, analyzer: Analyzer, since: datetime) -> None:
    """Give the analyzer the events still open and the recent posts, so new posts continue them.

    For speed, what a warm analyzer holds is not read again: texts only of the posts its duplicate index
    lacks, summaries only of the events' posts it has none of, and events only when it does not hold them
    as stored (a new analyzer, or another process grew them).
    """
    rows = session.scalars(select(EventRow).where(EventRow.last_seen >= since)).all()
    members = _window_members(session, [row.id for row in rows], since)
    stale = {row.id for row in rows if not _holds(analyzer, row)}
    texts = _texts(session, [m.post_id for m in members if not analyzer.remembers(m.key) or m.event_id in stale])
    unseen = [m for m in members if not analyzer.remembers(m.key)]
    analyzer.remember_texts([m.key for m in unseen], [texts[m.post_id] for m in unseen])
    by_event: dict[str, list[_Member]] = defaultdict(list)
    for member in members:
        if member.event_id in stale:
            by_event[member.event_id].append(member)
    for row in rows:
        if row.id in stale:
            analyzer.grouper.add_event(_event_of(row, by_event[row.id], texts))
    grouped = [m for m in members if m.event_id and not analyzer.has_summary(m.key)]  # only they are assessed
    analyzer.add_members(_summaries(session, grouped))


def _window_members(session: Session, event_ids: Sequence[str], since: datetime) -> list[_Member]:
    """The analysed posts of the open events and those published since ``since``, oldest first."""
    rows = session.execute(
        select(Post.id, Post.source, Post.source_post_id, PostAnalysisRow.event_id)
        .join(Post, Post.id == PostAnalysisRow.post_id)
        .where(or_(PostAnalysisRow.event_id.in_(event_ids), Post.published_at >= since))
        .order_by(Post.published_at, Post.id)
    )
    return [_Member(row.id, row.source, _key(row), row.event_id) for row in rows]


def _holds(analyzer: Analyzer, row: EventRow) -> bool:
    """Whether the analyzer holds the stored event with the same posts (then its own copy is kept)."""
    event = analyzer.grouper.events.get(row.id)
    return event is not None and len(event.posts) == row.post_count


def _texts(session: Session, post_ids: Sequence[int]) -> dict[int, str]:
    """The analysed text (title and body) of each post."""
    texts: dict[int, str] = {}
    for chunk in _chunks(post_ids):
        for row in session.execute(select(Post.id, Post.title, Post.text).where(Post.id.in_(chunk))):
            texts[row.id] = _text(row)
    return texts


def _summaries(session: Session, members: Sequence[_Member]) -> dict[str, MemberSummary]:
    """The stored summaries of these posts, by key."""
    keys = {m.post_id: m.key for m in members}
    columns = (PostAnalysisRow.post_id, PostAnalysisRow.category, PostAnalysisRow.terms, PostAnalysisRow.sentiment,
               PostAnalysisRow.relevance, PostAnalysisRow.in_district, PostAnalysisRow.details)
    summaries: dict[str, MemberSummary] = {}
    for chunk in _chunks(list(keys)):
        for row in session.execute(select(*columns).where(PostAnalysisRow.post_id.in_(chunk))):
            summaries[keys[row.post_id]] = _summary(row)
    return summaries


def _chunks(ids: Sequence) -> Iterable[Sequence]:
    return (ids[start:start + IDS_PER_QUERY] for start in range(0, len(ids), IDS_PER_QUERY))


def _event_of(row: EventRow, members: Sequence[_Member], texts: dict[int, str]) -> Event:
    event = Event(row.id, row.event_type, row.place, row.title, row.first_seen, row.last_seen,
                  posts=[m.key for m in members], sources={m.source for m in members},
                  spots=set(row.spots or []), engagement=row.engagement,
                  types=set((row.details or {}).get("types", [])), places=set((row.details or {}).get("places", [])),
                  region=(row.details or {}).get("region"))
    event.signatures = list(signatures([texts[m.post_id] for m in members[:MAX_SIGNATURES]]))
    return event


def _summary(row: Row) -> MemberSummary:
    return MemberSummary(row.category, tuple(row.terms or ()), row.sentiment, row.relevance, row.in_district,
                         (row.details or {}).get("type_name", ""))


def _key(post: Row) -> str:
    return f"{post.source}:{post.source_post_id}"


def _text(post: Row) -> str:
    return f"{post.title}\n{post.text}" if post.title else post.text


def _growth(session: Session, post_ids: Sequence[int]) -> dict[int, float]:
    """Engagement growth of each post between its last two snapshots (0 with fewer than two)."""
    snapshot = EngagementSnapshot
    rows = session.execute(
        select(snapshot.post_id, snapshot.reposts, snapshot.comments, snapshot.likes, snapshot.views)
        .where(snapshot.post_id.in_(post_ids)).order_by(snapshot.post_id, snapshot.taken_at)
    )
    totals: dict[int, list[int]] = defaultdict(list)
    for snap in rows:
        totals[snap.post_id].append(_total(snap))
    return {pid: (t[-1] - t[-2]) / max(t[-2], 1) for pid, t in totals.items() if len(t) >= 2}


def _by_key(records: Sequence[PostRecord], ids: Sequence[int], growth: dict[int, float]) -> dict[str, float]:
    return {f"{r.source}:{r.id}": growth[pid] for r, pid in zip(records, ids) if pid in growth}


def _save_posts(session: Session, batch: Sequence[tuple[int, PostRecord]], results: Sequence[PostAnalysis],
                version: str, now: datetime) -> None:
    ids = [pid for pid, _ in batch]
    session.execute(delete(PostAnalysisRow).where(PostAnalysisRow.post_id.in_(ids)))
    rows = [_row(pid, record, result, version, now) for (pid, record), result in zip(batch, results)]
    session.execute(insert(PostAnalysisRow), rows)  # one bulk INSERT: no ORM object per row


def _row(post_id: int, record: PostRecord, result: PostAnalysis, version: str, now: datetime) -> dict[str, Any]:
    rel = result.relevance
    return dict(
        post_id=post_id, model_version=version, analysed_at=now, relevance=rel.score, safety=rel.safety,
        in_district=rel.in_district, sentiment=result.sentiment, negative=result.negative,
        category=rel.category, event_type=rel.event_type, place=rel.place, terms=list(rel.terms),
        rules=list(rel.rules), duplicate_of=result.duplicate_of, event_id=result.event, level=result.level,
        alert=result.alert, reason=result.reason,
        details={"type_name": rel.type_name, "engagement": sum(c or 0 for c in record.counts())},
    )


def _reassess_grown(session: Session, analyzer: Analyzer, done: Iterable[str]) -> dict[str, EventState]:
    """Re-assess open events whose member posts' counts changed since those posts were analysed."""
    done = set(done)
    open_ids = [event_id for event_id in analyzer.grouper.events if event_id not in done]
    members = _member_counts(session, open_ids)
    grown = [row for row in members if (row.details or {}).get("engagement") != _total(row)]
    if not grown:
        return {}
    engagement: dict[str, int] = defaultdict(int)  # every member of the events is here: no query per event
    for row in members:
        engagement[row.event_id] += _total(row)
    growth = _growth(session, [row.post_id for row in grown])
    keyed = {_key(row): growth.get(row.post_id, 0.0) for row in grown}
    session.execute(update(PostAnalysisRow), [
        {"post_id": row.post_id, "details": {**(row.details or {}), "engagement": _total(row)}} for row in grown])
    states = {}
    for event_id in {row.event_id for row in grown}:
        event = analyzer.grouper.events[event_id]
        event.engagement = engagement[event_id]
        states[event_id] = analyzer.assess(event, keyed)
    return states


def _member_counts(session: Session, event_ids: Sequence[str]) -> list[Row]:
    """Each analysed post of these events: its current counts and the engagement stored with its analysis."""
    columns = (PostAnalysisRow.post_id, PostAnalysisRow.event_id, PostAnalysisRow.details, Post.source,
               Post.source_post_id, Post.reposts, Post.comments, Post.likes, Post.views)
    return [row for chunk in _chunks(event_ids)
            for row in session.execute(select(*columns).join(Post, Post.id == PostAnalysisRow.post_id)
                                       .where(PostAnalysisRow.event_id.in_(chunk)))]


def _total(post: Row) -> int:
    return sum(c or 0 for c in (post.reposts, post.comments, post.likes, post.views))


def _drop_orphan_events(session: Session) -> None:
    """After a rebuild, events no post belongs to any more are gone."""
    used = select(PostAnalysisRow.event_id).where(PostAnalysisRow.event_id.is_not(None))
    session.execute(delete(EventRow).where(EventRow.id.not_in(used)))


def _save_events(session: Session, states: Iterable[EventState], now: datetime) -> None:
    states = list(states)
    stored = _event_rows(session, [state.event.id for state in states])
    for state in states:
        event, risk = state.event, state.risk
        row = stored.get(event.id) or EventRow(id=event.id)
        row.title, row.event_type, row.category = event.title, event.event_type, state.category
        row.type_name = state.type_name
        row.place, row.spots, row.in_district = event.place, sorted(event.spots), state.in_district
        row.first_seen, row.last_seen = event.first_seen, event.last_seen
        row.post_count, row.sources, row.engagement = len(event.posts), sorted(event.sources), event.engagement
        row.growth, row.level, row.score, row.reason = state.growth, risk.level, risk.score, risk.reason
        row.details = {"types": sorted(event.types), "places": sorted(event.places), "region": event.region}
        row.updated_at = now.astimezone(timezone.utc)
        session.add(row)
    session.flush()


def _event_rows(session: Session, event_ids: Sequence[str]) -> dict[str, EventRow]:
    """The stored rows of these events, in one query per chunk rather than one per event."""
    return {row.id: row for chunk in _chunks(event_ids)
            for row in session.scalars(select(EventRow).where(EventRow.id.in_(chunk)))}
