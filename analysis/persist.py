"""Analysis in the database: analyse the stored posts that need it, keep the results and the incidents.

``analyse_stored_posts`` is what ``yuqing analyze`` (without ``--input``) and the scheduler run after
each crawl. It is idempotent: a post analysed by the current model version is not analysed again; a
new model version re-analyses every post from scratch (events are rebuilt with the same ids, since an
event's id derives from its first post). Posts whose engagement changed since their analysis are not
re-scored, but their events are re-assessed, so growth between crawls raises the risk level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from analysis.events import Event
from analysis.pipeline import Analyzer, EventState, MemberSummary, PostAnalysis
from config import Config
from storage import Database, EngagementSnapshot, Post
from storage.analysis_models import Event as EventRow
from storage.analysis_models import PostAnalysisRow
from storage.records import PostRecord

BATCH = 2_000


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
    return session.scalar(select(func.count()).where(PostAnalysisRow.model_version != version)) > 0


def _pending(session: Session, version: str) -> Iterable[tuple[int, PostRecord]]:
    query = (
        select(Post).outerjoin(PostAnalysisRow, PostAnalysisRow.post_id == Post.id)
        .where(or_(PostAnalysisRow.post_id.is_(None), PostAnalysisRow.model_version != version))
        .order_by(Post.published_at, Post.id)
    )
    for post in session.scalars(query.execution_options(yield_per=BATCH)):
        yield post.id, _record(post)


def _record(post: Post) -> PostRecord:
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


def _resume(session: Session, analyzer: Analyzer, since: datetime) -> None:
    """Give the analyzer the events still open and the recent posts, so new posts continue them."""
    rows = session.scalars(select(EventRow).where(EventRow.last_seen >= since)).all()
    members = session.execute(
        select(PostAnalysisRow, Post).join(Post, Post.id == PostAnalysisRow.post_id)
        .where(or_(PostAnalysisRow.event_id.in_([row.id for row in rows]), Post.published_at >= since))
        .order_by(Post.published_at, Post.id)
    ).all()
    analyzer.remember_texts([_key(post) for _, post in members], [_text(post) for _, post in members])
    by_event: dict[str, list[tuple[PostAnalysisRow, Post]]] = defaultdict(list)
    for analysis, post in members:
        if analysis.event_id:
            by_event[analysis.event_id].append((analysis, post))
    for row in rows:
        analyzer.grouper.add_event(_event_of(row, by_event[row.id]))
    analyzer.add_members({_key(post): _summary(analysis) for analysis, post in members})


def _event_of(row: EventRow, members: Sequence[tuple[PostAnalysisRow, Post]]) -> Event:
    from analysis.dedup import signatures

    texts = [_text(post) for _, post in members]
    event = Event(row.id, row.event_type, row.place, row.title, row.first_seen, row.last_seen,
                  posts=[_key(post) for _, post in members], sources={post.source for _, post in members},
                  spots=set(row.spots or []), engagement=row.engagement,
                  types=set((row.details or {}).get("types", [])), places=set((row.details or {}).get("places", [])),
                  region=(row.details or {}).get("region"))
    event.signatures = list(signatures(texts[:12])) if texts else []
    return event


def _summary(row: PostAnalysisRow) -> MemberSummary:
    return MemberSummary(row.category, tuple(row.terms or ()), row.sentiment, row.relevance, row.in_district,
                         (row.details or {}).get("type_name", ""))


def _key(post: Post) -> str:
    return f"{post.source}:{post.source_post_id}"


def _text(post: Post) -> str:
    return f"{post.title}\n{post.text}" if post.title else post.text


def _growth(session: Session, post_ids: Sequence[int]) -> dict[int, float]:
    """Engagement growth of each post between its last two snapshots (0 with fewer than two)."""
    rows = session.execute(
        select(EngagementSnapshot).where(EngagementSnapshot.post_id.in_(post_ids))
        .order_by(EngagementSnapshot.post_id, EngagementSnapshot.taken_at)
    ).scalars()
    totals: dict[int, list[int]] = defaultdict(list)
    for snap in rows:
        totals[snap.post_id].append(sum(c or 0 for c in (snap.reposts, snap.comments, snap.likes, snap.views)))
    return {pid: (t[-1] - t[-2]) / max(t[-2], 1) for pid, t in totals.items() if len(t) >= 2}


def _by_key(records: Sequence[PostRecord], ids: Sequence[int], growth: dict[int, float]) -> dict[str, float]:
    return {f"{r.source}:{r.id}": growth[pid] for r, pid in zip(records, ids) if pid in growth}


def _save_posts(session: Session, batch: Sequence[tuple[int, PostRecord]], results: Sequence[PostAnalysis],
                version: str, now: datetime) -> None:
    ids = [pid for pid, _ in batch]
    session.execute(delete(PostAnalysisRow).where(PostAnalysisRow.post_id.in_(ids)))
    session.add_all(_row(pid, record, result, version, now) for (pid, record), result in zip(batch, results))
    session.flush()


def _row(post_id: int, record: PostRecord, result: PostAnalysis, version: str, now: datetime) -> PostAnalysisRow:
    rel = result.relevance
    return PostAnalysisRow(
        post_id=post_id, model_version=version, analysed_at=now, relevance=rel.score, safety=rel.safety,
        in_district=rel.in_district, sentiment=result.sentiment, negative=result.negative,
        category=rel.category, event_type=rel.event_type, place=rel.place, terms=list(rel.terms),
        rules=list(rel.rules), duplicate_of=result.duplicate_of, event_id=result.event, level=result.level,
        alert=result.alert, reason=result.reason,
        details={"type_name": rel.type_name, "engagement": sum(c or 0 for c in record.counts())},
    )


def _reassess_grown(session: Session, analyzer: Analyzer, done: Iterable[str]) -> dict[str, EventState]:
    """Re-assess open events whose member posts' counts changed since those posts were analysed."""
    open_ids = [event_id for event_id in analyzer.grouper.events if event_id not in set(done)]
    members = session.execute(
        select(PostAnalysisRow, Post).join(Post, Post.id == PostAnalysisRow.post_id)
        .where(PostAnalysisRow.event_id.in_(open_ids))
    ).all()
    grown = [(analysis, post) for analysis, post in members
             if (analysis.details or {}).get("engagement") != _total(post)]
    if not grown:
        return {}
    growth = _growth(session, [post.id for _, post in grown])
    keyed = {_key(post): growth.get(post.id, 0.0) for _, post in grown}
    states = {}
    for analysis, post in grown:
        analysis.details = {**(analysis.details or {}), "engagement": _total(post)}
    for event_id in {analysis.event_id for analysis, _ in grown}:
        event = analyzer.grouper.events[event_id]
        event.engagement = _engagement(session, event_id)
        states[event_id] = analyzer.assess(event, keyed)
    return states


def _total(post: Post) -> int:
    return sum(c or 0 for c in (post.reposts, post.comments, post.likes, post.views))


def _engagement(session: Session, event_id: str) -> int:
    total = session.scalar(
        select(func.sum(func.coalesce(Post.reposts, 0) + func.coalesce(Post.comments, 0)
                        + func.coalesce(Post.likes, 0) + func.coalesce(Post.views, 0)))
        .join(PostAnalysisRow, PostAnalysisRow.post_id == Post.id).where(PostAnalysisRow.event_id == event_id)
    )
    return int(total or 0)


def _drop_orphan_events(session: Session) -> None:
    """After a rebuild, events no post belongs to any more are gone."""
    used = select(PostAnalysisRow.event_id).where(PostAnalysisRow.event_id.is_not(None))
    session.execute(delete(EventRow).where(EventRow.id.not_in(used)))


def _save_events(session: Session, states: Iterable[EventState], now: datetime) -> None:
    for state in states:
        event, risk = state.event, state.risk
        row = session.get(EventRow, event.id) or EventRow(id=event.id)
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
