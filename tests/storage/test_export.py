"""iter_posts gives stored posts back as records, filtered by whole days in the configured timezone."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from storage import iter_posts, upsert_posts

SHANGHAI = ZoneInfo("Asia/Shanghai")
FETCHED = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
TIMES = {
    "late-21st": datetime(2026, 11, 21, 23, 59, 59, tzinfo=SHANGHAI),
    "start-22nd": datetime(2026, 11, 22, 0, 0, tzinfo=SHANGHAI),
    "night-22nd": datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI),  # 15:30 UTC, still the 22nd in Shanghai
    "start-23rd": datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI),
}


def store_posts_at_day_edges(db, make_record):
    records = [make_record(name, published_at=moment) for name, moment in TIMES.items()]
    with db.session() as session:
        upsert_posts(session, records, FETCHED)


def exported_ids(db, **filters) -> list[str]:
    with db.session() as session:
        return [record.id for record in iter_posts(session, **filters)]


def test_since_and_until_are_inclusive_days_in_the_timezone(db, make_record):
    store_posts_at_day_edges(db, make_record)
    the_22nd = date(2026, 11, 22)
    assert exported_ids(db, since=the_22nd, until=the_22nd, tz=SHANGHAI) == ["start-22nd", "night-22nd"]
    assert exported_ids(db, since=the_22nd, tz=SHANGHAI) == ["start-22nd", "night-22nd", "start-23rd"]
    assert exported_ids(db, until=the_22nd, tz=SHANGHAI) == ["late-21st", "start-22nd", "night-22nd"]
    assert exported_ids(db, since=the_22nd, until=the_22nd, tz=timezone.utc) == ["night-22nd", "start-23rd"]


def test_the_default_timezone_is_shanghai(db, make_record):
    store_posts_at_day_edges(db, make_record)
    assert exported_ids(db, since=date(2026, 11, 22), until=date(2026, 11, 22)) == ["start-22nd", "night-22nd"]


def test_posts_come_in_time_then_source_then_id_order(db, make_record):
    moment = datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)
    records = [make_record(post_id, source=source, published_at=moment)
               for source, post_id in [("zhong5", "t2"), ("weibo", "9"), ("zhong5", "a1"), ("weibo", "10")]]
    records.append(make_record("0", source="zhong5", published_at=datetime(2026, 11, 22, 8, 0, tzinfo=SHANGHAI)))
    with db.session() as session:
        upsert_posts(session, records, FETCHED)
        order = [(record.source, record.id) for record in iter_posts(session)]
    assert order == [("zhong5", "0"), ("weibo", "10"), ("weibo", "9"), ("zhong5", "a1"), ("zhong5", "t2")]


def test_an_exported_record_is_the_contract_record_in_local_time(db, make_record):
    stored = make_record("5011", title="", author=None, views=None, reposts=0, truncated=True,
                         published_at=datetime(2026, 11, 20, 6, 5, tzinfo=timezone.utc),
                         author_id="5566778899", raw='{"user": {"id": 5566778899}}')
    with db.session() as session:
        upsert_posts(session, [stored], FETCHED)
        (record,) = iter_posts(session)
    assert record.to_json() == {
        "id": "5011", "source": "weibo", "url": "https://m.weibo.cn/detail/5011", "title": "", "text": stored.text,
        "author": None, "published_at": "2026-11-20T14:05:00+08:00", "reposts": 0, "comments": 5, "likes": 12,
        "views": None, "truncated": True,
    }
    assert (record.author_id, record.raw) == (None, None)
