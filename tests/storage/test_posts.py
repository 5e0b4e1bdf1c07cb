"""upsert_posts stores a batch: new posts with a first snapshot, changed counts with another, nothing else."""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select, text

from storage import EngagementSighting, EngagementSnapshot, Post, Source, known_post_ids, upsert_posts
from storage.authors import KEY_ENV, author_ref, hash_author
from storage.posts import UpsertResult
from storage.records import MAX_TEXT_CHARS

FIRST = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
LATER = FIRST + timedelta(minutes=15)


def stored_post(session, post_id: str, source: str = "weibo") -> Post:
    return session.scalars(select(Post).where(Post.source == source, Post.source_post_id == post_id)).one()


def snapshots_of(session, post: Post) -> list[tuple]:
    query = select(EngagementSnapshot).where(EngagementSnapshot.post_id == post.id).order_by(EngagementSnapshot.id)
    return [(s.taken_at, s.reposts, s.comments, s.likes, s.views) for s in session.scalars(query)]


def test_new_posts_are_stored_field_for_field_with_a_first_snapshot(db, make_record):
    record = make_record("5011", title="", views=880, author="常州生活圈")
    with db.session() as session:
        result = upsert_posts(session, [record, make_record("5012", likes=0)], FIRST)
    assert result == UpsertResult(new=2, updated=0, unchanged=0, snapshots=2)
    with db.session() as session:
        post = stored_post(session, "5011")
        assert (post.url, post.title, post.text, post.author) == (record.url, "", record.text, "常州生活圈")
        assert post.published_at == record.published_at and post.published_at.tzinfo == timezone.utc
        assert (post.fetched_at, post.updated_at) == (FIRST, FIRST)
        assert (post.reposts, post.comments, post.likes, post.views, post.truncated) == (3, 5, 12, 880, False)
        assert post.content_hash == hashlib.sha256(f"\n{record.text}".encode()).hexdigest()
        assert snapshots_of(session, post) == [(FIRST, 3, 5, 12, 880)]
        assert stored_post(session, "5012").likes == 0


def test_a_source_row_is_created_on_first_use(db, make_record):
    with db.session() as session:
        upsert_posts(session, [make_record("1", source="hualongxiang"), make_record("2", source="hualongxiang")], FIRST)
    with db.session() as session:
        sources = session.scalars(select(Source)).all()
    assert [(s.name, s.spider, s.created_at) for s in sources] == [("hualongxiang", None, FIRST)]


def test_changed_counts_update_the_post_and_add_a_snapshot(db, make_record):
    with db.session() as session:
        upsert_posts(session, [make_record("5011")], FIRST)
    with db.session() as session:
        result = upsert_posts(session, [EngagementSighting("weibo", "5011", reposts=40, comments=5, likes=90)], LATER)
    assert result == UpsertResult(new=0, updated=1, unchanged=0, snapshots=1)
    with db.session() as session:
        post = stored_post(session, "5011")
        assert (post.reposts, post.comments, post.likes) == (40, 5, 90)
        assert (post.fetched_at, post.updated_at) == (FIRST, LATER)
        assert snapshots_of(session, post) == [(FIRST, 3, 5, 12, None), (LATER, 40, 5, 90, None)]


def test_unchanged_posts_are_left_alone(db, make_record):
    with db.session() as session:
        upsert_posts(session, [make_record("5011"), make_record("5012")], FIRST)
    again = [make_record("5011"), EngagementSighting("weibo", "5012", reposts=3, comments=5, likes=12)]
    with db.session() as session:
        result = upsert_posts(session, again, LATER)
    assert result == UpsertResult(new=0, updated=0, unchanged=2, snapshots=0)
    with db.session() as session:
        post = stored_post(session, "5011")
        assert post.updated_at == FIRST
        assert len(snapshots_of(session, post)) == 1


def test_a_count_the_page_does_not_show_keeps_its_stored_value(db, make_record):
    with db.session() as session:
        upsert_posts(session, [make_record("5011", views=1500)], FIRST)
    with db.session() as session:
        result = upsert_posts(session, [EngagementSighting("weibo", "5011", reposts=3, comments=5, likes=12)], LATER)
        assert result.unchanged == 1
        assert stored_post(session, "5011").views == 1500


def test_the_same_post_twice_in_one_batch_is_merged(db, make_record):
    batch = [
        make_record("5011", truncated=True, text="天宁区青洋路一仓库起火…"),
        EngagementSighting("weibo", "5011", reposts=9, comments=None, likes=30),
        make_record("5011", reposts=7, comments=6, likes=None, text="天宁区青洋路一仓库起火，已扑灭。"),
        make_record("5011", truncated=True, text="天宁区青洋路…", reposts=None, comments=None, likes=None),
    ]
    with db.session() as session:
        result = upsert_posts(session, batch, FIRST)
    assert result == UpsertResult(new=1, updated=0, unchanged=0, snapshots=1)
    with db.session() as session:
        post = stored_post(session, "5011")
        assert (post.text, post.truncated) == ("天宁区青洋路一仓库起火，已扑灭。", False)
        assert (post.reposts, post.comments, post.likes) == (7, 6, 30)


def test_a_full_text_replaces_a_stored_truncated_abstract(db, make_record):
    abstract = make_record("7301", source="toutiao", title="青洋路仓库火灾", text="今天上午…", truncated=True)
    with db.session() as session:
        upsert_posts(session, [abstract], FIRST)
    full = make_record("7301", source="toutiao", title="青洋路仓库火灾", text="今天上午，仓库起火。\n无人员伤亡。",
                       raw="<div class='article-content'><p>今天上午，仓库起火。</p></div>")
    with db.session() as session:
        result = upsert_posts(session, [full], LATER)
    assert result == UpsertResult(new=0, updated=1, unchanged=0, snapshots=0)
    with db.session() as session:
        post = stored_post(session, "7301", source="toutiao")
        assert (post.text, post.truncated, post.updated_at) == (full.text, False, LATER)
        assert post.content_hash == hashlib.sha256(f"青洋路仓库火灾\n{full.text}".encode()).hexdigest()
        assert (post.raw_text, post.raw_format) == (full.raw, "html")


def test_a_full_text_replacing_an_abstract_has_its_author_refs_hashed(db, make_record, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "bureau-secret-1")
    with db.session() as session:
        upsert_posts(session, [make_record("7301", source="toutiao", text="今天上午…", truncated=True)], FIRST)
    full = make_record("7301", source="toutiao", text="今天上午，仓库起火。", author_id="62899534524",
                       raw=f"<a href='/c/user/token/{author_ref('62899534524')}/'>天宁发布</a><p>今天上午，仓库起火。</p>")
    with db.session() as session:
        upsert_posts(session, [full], LATER)
    hashed = hash_author(b"bureau-secret-1", "toutiao", "62899534524")
    with db.session() as session:
        post = stored_post(session, "7301", source="toutiao")
        assert post.raw_text == f"<a href='/c/user/token/author:{hashed}/'>天宁发布</a><p>今天上午，仓库起火。</p>"


def test_a_truncated_record_never_replaces_a_full_text(db, make_record):
    with db.session() as session:
        upsert_posts(session, [make_record("7301", text="全文。")], FIRST)
    with db.session() as session:
        result = upsert_posts(session, [make_record("7301", text="全…", truncated=True)], LATER)
        assert result.unchanged == 1
        assert (stored_post(session, "7301").text, stored_post(session, "7301").truncated) == ("全文。", False)


def test_a_sighting_of_a_post_not_stored_is_skipped(db):
    with db.session() as session:
        result = upsert_posts(session, [EngagementSighting("weibo", "404", reposts=1)], FIRST)
        assert result == UpsertResult(skipped=1)
        assert session.scalars(select(Post)).all() == []


def test_an_empty_batch_does_nothing(db):
    with db.session() as session:
        assert upsert_posts(session, [], FIRST) == UpsertResult()


def test_nul_characters_are_dropped_rather_than_failing_the_batch(db, make_record):
    with db.session() as session:
        upsert_posts(session, [make_record("5011", text="起\x00火", title="标\x00题")], FIRST)
    with db.session() as session:
        assert (stored_post(session, "5011").title, stored_post(session, "5011").text) == ("标题", "起火")


def test_a_text_over_the_maximum_is_stored_cut_and_marked_truncated(db, make_record):
    huge, longest = make_record("1", text="火" * (MAX_TEXT_CHARS + 1)), make_record("2", text="火" * MAX_TEXT_CHARS)
    with db.session() as session:
        upsert_posts(session, [huge, longest], FIRST)
    with db.session() as session:
        assert (stored_post(session, "1").text, stored_post(session, "1").truncated) == ("火" * MAX_TEXT_CHARS, True)
        assert (stored_post(session, "2").text, stored_post(session, "2").truncated) == (longest.text, False)
        assert upsert_posts(session, [huge], LATER) == UpsertResult(unchanged=1)  # a re-crawl rewrites nothing


@pytest.mark.parametrize(
    ("raw", "expected_format"),
    [('{"mblog": {"text": "仓库起火"}}', "json"), ("<div class='t_f'>仓库起火</div>", "html"),
     ("  [1, 2]".encode(), "json")],
)
def test_the_raw_fragment_is_kept_compressed(db, make_record, raw, expected_format):
    with db.session() as session:
        upsert_posts(session, [make_record("5011", raw=raw)], FIRST)
    with db.session() as session:
        post = stored_post(session, "5011")
        expected = raw if isinstance(raw, bytes) else raw.encode()
        assert (post.raw, post.raw_format) == (expected, expected_format)
        on_disk = bytes(session.execute(text("SELECT raw FROM posts")).scalar_one())
        assert on_disk != expected and zlib.decompress(on_disk) == expected


def test_known_post_ids_are_per_source_and_optionally_recent(db, make_record):
    early = datetime(2026, 11, 18, 8, 0, tzinfo=timezone.utc)
    with db.session() as session:
        upsert_posts(session, [make_record("1"), make_record("2", published_at=early),
                               make_record("1", source="toutiao")], FIRST)
    with db.session() as session:
        assert known_post_ids(session, "weibo") == {"1", "2"}
        assert known_post_ids(session, "weibo", since=early + timedelta(hours=1)) == {"1"}
        assert known_post_ids(session, "zhong5") == set()


def test_a_batch_costs_the_same_few_statements_whatever_its_size(db, make_record):
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with db.session() as session:
        upsert_posts(session, [make_record(str(n)) for n in range(300)], FIRST)
    first_batch = len(statements)
    sightings = [EngagementSighting("weibo", str(n), reposts=100 + n) for n in range(300)]
    with db.session() as session:
        result = upsert_posts(session, [*sightings, make_record("new")], LATER)
    assert result == UpsertResult(new=1, updated=300, unchanged=0, snapshots=301)
    assert first_batch <= 6
    assert len(statements) - first_batch <= 7
