"""Read stored posts back as CONTRACTS.md §1 records, for ``yuqing export posts`` and for analysis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.models import Post
from storage.records import PostRecord

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
YIELD_PER = 1_000


def iter_posts(
    session: Session, since: date | None = None, until: date | None = None, tz: tzinfo = DEFAULT_TZ
) -> Iterator[PostRecord]:
    """Stored posts published from ``since`` to ``until`` (both days inclusive, in ``tz``), streamed in order.

    Ordered by published_at, then source and id; ``published_at`` is given in ``tz``. The author id
    and raw fragment are not part of an exported record.
    """
    query = _select_posts()
    if since is not None:
        query = query.where(Post.published_at >= _midnight(since, tz))
    if until is not None:
        query = query.where(Post.published_at < _midnight(until + timedelta(days=1), tz))
    for row in session.execute(query.execution_options(yield_per=YIELD_PER)):
        yield PostRecord(
            source=row.source, id=row.source_post_id, url=row.url, title=row.title, text=row.text,
            author=row.author, published_at=row.published_at.astimezone(tz), reposts=row.reposts,
            comments=row.comments, likes=row.likes, views=row.views, truncated=row.truncated,
        )


def _select_posts() -> Select:
    columns = (Post.source, Post.source_post_id, Post.url, Post.title, Post.text, Post.author, Post.published_at,
               Post.reposts, Post.comments, Post.likes, Post.views, Post.truncated)
    return select(*columns).order_by(Post.published_at, Post.source, Post.source_post_id)


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)
