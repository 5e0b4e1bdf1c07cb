"""import_jsonl stores the good lines of a JSON Lines file, reports the bad ones by number, and round-trips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage import Database, EngagementSnapshot, Post, import_jsonl, iter_posts, upsert_posts
from storage.importer import ImportAborted, parse_line
from storage.records import MAX_TEXT_CHARS

FETCHED = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


POSTGRES_ONLY = [pytest.param("postgresql", marks=pytest.mark.postgres)]


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


def stored_ids(db) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(Post.source_post_id)))


def test_values_no_database_can_store_are_bad_lines_and_the_rest_of_the_batch_is_stored(db):
    lines = [
        line(id="1"),
        line(id="2", text="孤立代理项 LONE").replace("LONE", r"\ud800"),  # the escape, as a JSON writer puts it
        line(id="3", author="LONE").replace("LONE", r"\udfff"),
        line(id="4", published_at="0001-01-01T00:00:00+14:00"),
        line(id="5", published_at="9999-12-31T23:59:59-12:00"),
        "[" * 100_000,
        line(id="7\x008"),
        line(id="8", source="wei\x00bo"),
        line(id="9", url="https://m.weibo.cn/\x00"),
        line(id="10", text="文字中的\x00会被去掉"),
    ]
    report = import_jsonl(db, [text.encode() for text in lines], FETCHED)  # as `yuqing import` reads a file
    reasons = dict(report.errors)
    assert (report.new, list(reasons)) == (2, [2, 3, 4, 5, 6, 7, 8, 9])
    assert "text has a lone surrogate (\\ud800) at character 7" in reasons[2] and "author" in reasons[3]
    assert "out of range" in reasons[4] and "out of range" in reasons[5]
    assert reasons[6] == "invalid JSON: nested too deeply"
    assert [reasons[n].split()[0] for n in (7, 8, 9)] == ["id", "source", "url"] and "NUL" in reasons[9]
    assert stored_ids(db) == ["1", "10"]


@pytest.fixture
def refused_id(db: Database) -> Iterator[str]:
    """A post id the database itself refuses to store (a trigger raises an error on it)."""
    if db.is_sqlite:
        create = ["CREATE TRIGGER refuse BEFORE INSERT ON posts WHEN NEW.source_post_id = 'refused' "
                  "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"]
        drop = ["DROP TRIGGER refuse"]
    else:
        create = ["CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                  "IF NEW.source_post_id = 'refused' THEN RAISE EXCEPTION 'refused by the database' "
                  "USING ERRCODE = 'data_exception'; END IF; RETURN NEW; END $$",
                  "CREATE TRIGGER refuse BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION refuse()"]
        drop = ["DROP TRIGGER refuse ON posts", "DROP FUNCTION refuse()"]
    with db.engine.begin() as connection:
        for statement in create:
            connection.exec_driver_sql(statement)
    yield "refused"
    with db.engine.begin() as connection:
        for statement in drop:
            connection.exec_driver_sql(statement)


def test_a_record_the_database_refuses_is_a_bad_line_and_the_rest_of_its_batch_is_stored(db, refused_id):
    lines = [line(id="1"), line(id=refused_id), line(id="3"), "not JSON", line(id="5"), line(id="6")]
    report = import_jsonl(db, lines, FETCHED, batch_size=3)
    assert (report.new, [number for number, _ in report.errors]) == (4, [2, 4])
    assert report.errors[0][1].startswith("not stored: ") and "refused by the database" in report.errors[0][1]
    assert "INSERT" not in report.errors[0][1]  # the driver's message, not SQLAlchemy's echo of the batch
    assert stored_ids(db) == ["1", "3", "5", "6"]


@pytest.mark.parametrize("backend", POSTGRES_ONLY)
def test_an_id_too_long_for_postgresqls_unique_index_is_a_bad_line(db):
    too_long = "".join(chr(0x4E00 + (n * 7919) % 20_000) for n in range(3_000))  # 9 kB that do not compress
    report = import_jsonl(db, [line(id="1"), line(id=too_long), line(id="3")], FETCHED)
    assert report.new == 2 and [number for number, _ in report.errors] == [2]
    assert "ProgramLimitExceeded" in report.errors[0][1]


def test_records_that_slip_past_the_checks_are_still_bad_lines_not_a_failed_batch(db, make_record, monkeypatch):
    """The last line of defence, for records ``PostRecord.from_json`` would refuse but storage is given anyway."""
    records = {
        "1": make_record("1"),
        "2": make_record("2", text="孤立代理项 \ud800"),
        "3": make_record("3", published_at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))),
        "4": make_record("4"),
    }
    monkeypatch.setattr("storage.importer.parse_line", records.__getitem__)
    report = import_jsonl(db, list(records), FETCHED)
    reasons = dict(report.errors)
    assert (report.new, list(reasons)) == (2, [2, 3])
    assert "UnicodeEncodeError" in reasons[2] and "out of range in UTC" in reasons[3]
    assert stored_ids(db) == ["1", "4"]


@contextmanager
def lock_held_on(db: Database) -> Iterator[Database]:
    """While another connection holds the lock writers need: ``db`` opened again, giving up after 0.2 s."""
    if db.is_sqlite:
        impatient = Database(db.url, busy_timeout_s=0.2)
        lock = "BEGIN IMMEDIATE"
    else:
        options = f"{db.url.query['options']} -clock_timeout=200"
        impatient = Database(db.url.update_query_dict({"options": options}))
        lock = "LOCK TABLE posts IN ACCESS EXCLUSIVE MODE"
    try:
        with db.engine.begin() as holder:
            holder.exec_driver_sql(lock)
            yield impatient
    finally:
        impatient.dispose()


def test_a_locked_database_stops_the_import_instead_of_reporting_every_line(db):
    with lock_held_on(db) as waiting, pytest.raises(ImportAborted, match="at line 1, import stopped") as aborted:
        import_jsonl(waiting, [line(id="1"), line(id="2")], FETCHED)
    assert aborted.value.report.errors == [] and "INSERT" not in str(aborted.value)
    assert stored_ids(db) == []


def test_an_unreachable_database_stops_the_import(backend, tmp_path):
    url = (f"sqlite:///{tmp_path / 'no such folder' / 'yuqing.db'}" if backend == "sqlite"
           else "postgresql+psycopg://postgres@127.0.0.1:1/test")
    database = Database(url)
    try:
        with pytest.raises(ImportAborted, match="OperationalError") as aborted:
            import_jsonl(database, [line(id="1"), line(id="2")], FETCHED)
    finally:
        database.dispose()
    assert aborted.value.report.errors == []


def test_a_text_over_the_maximum_is_read_cut_and_marked_truncated():
    cut = parse_line(line(text="火" * (MAX_TEXT_CHARS + 1)))
    whole = parse_line(line(text="火" * MAX_TEXT_CHARS))
    assert (cut.text, cut.truncated) == ("火" * MAX_TEXT_CHARS, True)
    assert (len(whole.text), whole.truncated) == (MAX_TEXT_CHARS, False)
