"""Author ids are kept only as a keyed hash: in the posts table and inside the stored raw fragments."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from storage import Base, Post, open_database, upsert_posts
from storage.authors import KEY_ENV, KEY_SETTING, author_ref, hash_author, scrub_author_id, scrub_raw
from storage.models import Setting

FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
WEIBO_UID = "5566778899"
WEIBO_CARD = json.dumps({
    "mid": "5011",
    "text": "青洋路仓库起火",
    "user": {"id": int(WEIBO_UID), "screen_name": "常州生活圈",
             "profile_url": f"https://m.weibo.cn/u/{WEIBO_UID}?uid={WEIBO_UID}"},
    "reposts_count": 3,
}, ensure_ascii=False)
ORIGINAL_UID = "4268647241"
FORUM_BLOCK = f'<div class="authi"><a href="home.php?mod=space&amp;uid={WEIBO_UID}" class="xw1">老常州</a></div>'


def expected_hash(key: str, source: str, author_id: str) -> str:
    return hmac.new(key.encode(), f"{source}\x1f{author_id}".encode(), hashlib.sha256).hexdigest()


def author_hashes(db) -> dict[str, str | None]:
    with db.session() as session:
        return {post.source_post_id: post.author_hash for post in session.scalars(select(Post))}


def test_the_author_id_is_stored_nowhere_not_even_in_raw_fragments(db, make_record, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    posts = [make_record("5011", author_id=WEIBO_UID, raw=WEIBO_CARD),
             make_record("t77", source="zhong5", author_id=WEIBO_UID, raw=FORUM_BLOCK)]
    with db.session() as session:
        upsert_posts(session, posts, FETCHED)
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                for value in row:
                    shown = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    assert WEIBO_UID not in shown, f"{table.name} holds the author id: {shown[:200]}"
        card = json.loads(session.scalars(select(Post).where(Post.source == "weibo")).one().raw_text)
    assert card["user"]["id"] == f"author:{author_hashes(db)['5011']}"
    assert card["user"]["screen_name"] == "常州生活圈"


def test_author_refs_become_the_hash_of_their_own_id_and_that_id_goes_everywhere(db, make_record, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "bureau-secret-1")
    original = {"user": {"id": author_ref(ORIGINAL_UID), "screen_name": "东青小王"},
                "text": f"<a href='/search?lfid=107603{author_ref(ORIGINAL_UID)}'>#火灾#</a> 见 u/{ORIGINAL_UID}"}
    card = {"user": {"id": author_ref(WEIBO_UID), "screen_name": "常州生活圈"}, "retweeted_status": original}
    with db.session() as session:
        upsert_posts(session, [make_record("5011", author_id=WEIBO_UID, raw=json.dumps(card))], FETCHED)
        stored = json.loads(session.scalars(select(Post)).one().raw_text)
    reposter, author = (f"author:{expected_hash('bureau-secret-1', 'weibo', uid)}" for uid in (WEIBO_UID, ORIGINAL_UID))
    assert stored["user"] == {"id": reposter, "screen_name": "常州生活圈"}
    assert stored["retweeted_status"] == {"user": {"id": author, "screen_name": "东青小王"},
                                          "text": f"<a href='/search?lfid=107603{author}'>#火灾#</a> 见 u/{author}"}


def test_a_raw_with_author_refs_is_scrubbed_even_when_its_post_has_no_author_id(db, make_record, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "bureau-secret-1")
    raw = f'<span class="name"><a href="/c/user/token/{author_ref("MS4wLjABAAAA-x_1")}/">常州日报</a></span>'
    with db.session() as session:
        upsert_posts(session, [make_record("7301", source="toutiao", author_id=None, raw=raw)], FETCHED)
        stored = session.scalars(select(Post)).one().raw_text
    hashed = expected_hash("bureau-secret-1", "toutiao", "MS4wLjABAAAA-x_1")
    assert stored == f'<span class="name"><a href="/c/user/token/author:{hashed}/">常州日报</a></span>'


def test_a_ref_is_hashed_however_short_its_id_and_a_raw_without_ids_is_left_alone():
    hashed = hash_author(b"k", "zhong5", "42")
    assert scrub_raw(f"uid={author_ref('42')} 回复 42", b"k", "zhong5", None, "html") == f"uid=author:{hashed} 回复 42"
    assert scrub_raw("<p>仓库起火</p>", b"k", "zhong5", None, "html") == "<p>仓库起火</p>"


def test_the_same_author_gets_the_same_hash_and_others_differ(db, make_record, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "bureau-secret-1")
    posts = [make_record("1", author_id="1001"), make_record("2", author_id="1001"), make_record("3", author_id="1002"),
             make_record("4", author_id=None), make_record("5", source="toutiao", author_id="1001")]
    with db.session() as session:
        upsert_posts(session, posts, FETCHED)
    hashes = author_hashes(db)
    assert hashes["1"] == hashes["2"] == expected_hash("bureau-secret-1", "weibo", "1001")
    assert hashes["3"] == expected_hash("bureau-secret-1", "weibo", "1002")
    assert hashes["4"] is None
    assert hashes["5"] == expected_hash("bureau-secret-1", "toutiao", "1001") != hashes["1"]


def test_a_different_key_gives_a_different_hash(tmp_path, make_record, monkeypatch):
    found = []
    for key in ("key-a", "key-b"):
        monkeypatch.setenv(KEY_ENV, key)
        db = open_database(f"sqlite:///{tmp_path / key}.db")
        with db.session() as session:
            upsert_posts(session, [make_record("1", author_id="1001")], FETCHED)
        found.append(author_hashes(db)["1"])
        db.dispose()
    assert found == [expected_hash("key-a", "weibo", "1001"), expected_hash("key-b", "weibo", "1001")]
    assert found[0] != found[1]


def test_without_the_environment_key_each_database_keeps_its_own_random_key(db, make_record, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with db.session() as session:
        upsert_posts(session, [make_record("1", author_id="1001")], FETCHED)
    with db.session() as session:
        upsert_posts(session, [make_record("2", author_id="1001")], FETCHED)
        stored_key = session.scalars(select(Setting.value).where(Setting.name == KEY_SETTING)).one()
    assert len(bytes.fromhex(stored_key)) == 32
    assert author_hashes(db) == {"1": expected_hash(stored_key, "weibo", "1001"),
                                 "2": expected_hash(stored_key, "weibo", "1001")}


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ('{"uid": 123456, "n": 1234567, "s": "u/123456?x=9123456"}', "json",
         '{"uid": "author:H", "n": 1234567, "s": "u/author:H?x=9123456"}'),
        ('{"uid": 123456, "text": "a:123456,b"}', "json", '{"uid":"author:H","text":"a:author:H,b"}'),
        ("<a href='space-uid-123456.html'>老常州</a> 回复 9123456", "html",
         "<a href='space-uid-author:H.html'>老常州</a> 回复 9123456"),
        ('{"uid": 123456, "cut', "json", '{"uid": author:H, "cut'),
        (b"uid=123456", "html", b"uid=author:H"),
        ("<a href='uid=123456'>老常州</a>".encode("gbk"), "html", "<a href='uid=author:H'>老常州</a>".encode("gbk")),
    ],
)
def test_scrubbing_replaces_whole_ids_and_keeps_json_valid(raw, fmt, expected):
    assert scrub_author_id(raw, "123456", "H", fmt) == expected


def test_ids_too_short_to_find_safely_are_left_in_raw_fragments():
    assert scrub_author_id('{"uid": 1234, "likes": 1234}', "1234", "H", "json") == '{"uid": 1234, "likes": 1234}'


def test_hash_author_is_hmac_sha256_of_source_and_id():
    assert hash_author(b"k", "weibo", "1001") == expected_hash("k", "weibo", "1001")
    assert len(hash_author(b"k", "weibo", "1001")) == 64
