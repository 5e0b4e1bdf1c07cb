"""import_jsonl stores the good lines of a JSON Lines file, reports the bad ones by number, and round-trips."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select

from storage import EngagementSnapshot, Post, import_jsonl, iter_posts, upsert_posts

FETCHED = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


def line(**overrides) -> str:
    record = {"id": "5011", "source": "weibo", "url": "https://m.weibo.cn/detail/5011", "title": None,
              "text": "天宁区郑陆镇一化工厂附近有刺鼻气味", "author": "郑陆人", "published_at": "2026-11-20T14:05:00+08:00",
              "reposts": 2, "comments": 7, "likes": 30}
    record.update(overrides)
    return json.dumps({k: v for k, v in record.items() if v != "<absent>"}, ensure_ascii=False)


def test_bad_lines_are_reported_by_number_and_the_good_ones_stored(db):
    lines = [
        line(id="1"),
        '{"id": "2", "source": "weibo", "url": ',
        line(id="3", url="<absent>"),
        line(id="4", reposts="12"),
        "",
        line(id="6", published_at="2026-11-20 14:05"),
        "[1, 2]",
        line(id="8", source="tianning_gov", title="", views=None, truncated=True),
    ]
    report = import_jsonl(db, lines, FETCHED)
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    numbers = [number for number, _ in report.errors]
    reasons = dict(report.errors)
    assert numbers == [2, 3, 4, 6, 7]
    assert "invalid JSON" in reasons[2]
    assert "url" in reasons[3] and "reposts" in reasons[4] and "offset" in reasons[6] and "object" in reasons[7]
    with db.session() as session:
        stored = session.execute(select(Post.source, Post.source_post_id, Post.title, Post.truncated)
                                 .order_by(Post.source_post_id)).all()
    assert [tuple(row) for row in stored] == [("weibo", "1", "", False), ("tianning_gov", "8", "", True)]


def test_an_existing_post_gets_its_engagement_updated(db):
    import_jsonl(db, [line()], FETCHED)
    report = import_jsonl(db, [line(likes=95), line(id="5012")], LATER)
    assert (report.new, report.updated, report.unchanged, report.errors) == (1, 1, 0, [])
    with db.session() as session:
        post = session.scalars(select(Post).where(Post.source_post_id == "5011")).one()
        likes = session.scalars(select(EngagementSnapshot.likes).where(EngagementSnapshot.post_id == post.id)
                                .order_by(EngagementSnapshot.taken_at)).all()
    assert (post.likes, likes) == (95, [30, 95])


def test_lines_are_stored_in_batches(db):
    report = import_jsonl(db, [line(id=str(n)) for n in range(7)], FETCHED, batch_size=3)
    assert (report.new, report.errors) == (7, [])


def test_export_import_export_round_trips_exactly(db, sqlite_db, make_record):
    records = [
        make_record("5011", author_id="998877", raw="{}", views=1200),
        make_record("a812", source="zhong5", title="红梅新村消防通道被堵", text="第一段。\n第二段，“引号”与\\反斜杠。",
                    author=None, reposts=None, comments=14, likes=None),
        make_record("t9", source="hualongxiang", title="", truncated=True,
                    published_at=datetime(2026, 11, 22, 15, 30, 0, 250000, tzinfo=timezone.utc)),
    ]
    with db.session() as session:
        upsert_posts(session, records, FETCHED)
        exported = [json.dumps(r.to_json(), ensure_ascii=False) for r in iter_posts(session)]
    report = import_jsonl(sqlite_db, exported, LATER)
    with sqlite_db.session() as session:
        again = [json.dumps(r.to_json(), ensure_ascii=False) for r in iter_posts(session)]
    assert (report.new, report.errors) == (3, [])
    assert again == exported


def test_a_byte_order_mark_and_blank_lines_are_not_errors(db):
    report = import_jsonl(db, ["\ufeff" + line(id="1") + "\n", "\n", "   \n", line(id="2") + "\n"], FETCHED)
    assert (report.new, report.errors) == (2, [])


def test_a_line_that_is_not_utf8_is_reported_never_stored_garbled(db):
    gbk = line(id="2", text="天宁区红梅街道着火了").encode("gbk")
    report = import_jsonl(db, [line(id="1").encode("utf-8") + b"\n", gbk + b"\n"], FETCHED)
    assert report.new == 1 and [number for number, _ in report.errors] == [2]
    assert "not UTF-8" in report.errors[0][1]


def test_truncated_must_be_a_json_boolean_and_text_may_be_empty(db):
    report = import_jsonl(db, [line(id="1", truncated="false"), line(id="2", truncated=None),
                               line(id="3", text=""), line(id="4", text=None)], FETCHED)
    assert [number for number, _ in report.errors] == [1, 4]
    assert "truncated must be true or false" in report.errors[0][1] and "missing text" in report.errors[1][1]
    with db.session() as session:
        stored = session.execute(select(Post.source_post_id, Post.text, Post.truncated)
                                 .order_by(Post.source_post_id)).all()
    assert [tuple(row) for row in stored] == [("2", "天宁区郑陆镇一化工厂附近有刺鼻气味", False), ("3", "", False)]
