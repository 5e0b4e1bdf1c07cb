"""Crawl runs: one row per crawl of one source, opened when it starts and completed with its counts when it ends."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import RUN_MODES, RUN_STATUSES, CrawlRun
from storage.sources import ensure_sources


@dataclass(slots=True)
class CrawlStats:
    """What a crawl saw. ``warnings`` are readable lines, each naming the URL and the reason."""

    requests: int = 0
    responses_by_status: dict[str, int] = field(default_factory=dict)
    posts_new: int = 0
    posts_updated: int = 0
    parse_failures: int = 0
    blocked_pages: int = 0
    empty_pages: int = 0
    challenges: int = 0
    robots_refused: int = 0
    missing_fixtures: int = 0
    warnings: list[str] = field(default_factory=list)


def start_crawl_run(session: Session, source: str, mode: str, round_no: int | None, started_at: datetime) -> int:
    """Open a ``running`` crawl run for ``source`` (``mode`` live or replay) and return its id."""
    if mode not in RUN_MODES:
        raise ValueError(f"crawl run mode must be one of {RUN_MODES}, not {mode!r}")
    ensure_sources(session, [source], started_at)
    run = CrawlRun(source=source, mode=mode, round_no=round_no, started_at=started_at, status="running")
    session.add(run)
    session.flush()
    return run.id


def finish_crawl_run(session: Session, run_id: int, stats: CrawlStats, finished_at: datetime, status: str) -> None:
    """Complete a crawl run with its counts, end time and status (ok, blocked, robots_refused, failed, empty)."""
    if status not in RUN_STATUSES or status == "running":
        raise ValueError(f"a finished crawl run's status must be one of {RUN_STATUSES[1:]}, not {status!r}")
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise LookupError(f"no crawl run {run_id}")
    values = asdict(stats)
    by_status = {str(code): count for code, count in stats.responses_by_status.items()}
    values["responses_by_status"] = dict(sorted(by_status.items()))
    values["warnings"] = [str(line) for line in stats.warnings]
    for name, value in values.items():
        setattr(run, name, value)
    run.finished_at = finished_at
    run.status = status
    session.flush()


def latest_crawl_runs(session: Session) -> list[CrawlRun]:
    """Each source's most recently recorded crawl run, ordered by source name."""
    latest = select(func.max(CrawlRun.id)).group_by(CrawlRun.source)
    return list(session.scalars(select(CrawlRun).where(CrawlRun.id.in_(latest)).order_by(CrawlRun.source)))
