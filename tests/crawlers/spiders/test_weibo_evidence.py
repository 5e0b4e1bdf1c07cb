"""The raw evidence of Weibo posts, as stored from the real captures: re-parsable, and nothing about people in it
but the author's display name and the keyed hash of the uid (no uid, hex uid, profile, picture or e-mail)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, NamedTuple

import pytest
from sqlalchemy import select

from crawlers.spiders.weibo_parse import parse_search_page, post_record
from storage import Post, upsert_posts
from storage.authors import KEY_ENV
from storage.records import PostRecord
from raw_privacy_support import leaks, personal_strings
from weibo_support import real_json, spider

FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
TIMELINE_2019_06 = "m-weibo-cn_api-container-getIndex_containerid-107603-timeline_2019-06.json"
CAPTURES = {  # each real capture holding posts, and a time just after it was taken
    TIMELINE_2019_06: "2019-06-16T12:00:00+08:00",
    "m-weibo-cn_api-container-getIndex_containerid-107603-timeline_2019-07.json": "2019-07-16T12:00:00+08:00",
    "m-weibo-cn_api-container-getIndex_containerid-107603-timeline_2022-08_one-card-excerpt.json":
        "2022-09-03T12:00:00+08:00",
    "m-weibo-cn_statuses-show_repost_2019-06.json": "2019-06-16T12:00:00+08:00",
}


def cards_of(document: Any) -> list[dict[str, Any]]:
    """The post cards of a search/timeline answer; a ``statuses/show`` answer's mblog as a card."""
    if "cards" in document.get("data", document):
        return parse_search_page(document).cards
    return [{"card_type": 9, "mblog": document["data"]}]


def spider_records(name: str) -> list[PostRecord]:
    """What the spider stores of a capture's cards (every post taken as recent; long ones with their abstract)."""
    weibo = spider(now=datetime.fromisoformat(CAPTURES[name]))
    weibo.window_start = datetime(2000, 1, 1, tzinfo=timezone.utc)
    records = []
    for card in cards_of(real_json(name)):
        items, _ = weibo.card_items(None, card)
        records += [item if isinstance(item, PostRecord) else weibo.record(**item.cb_kwargs) for item in items]
    return records


class Stored(NamedTuple):
    raw_text: str
    author_hash: str


@pytest.fixture
def stored(db, monkeypatch):
    """``stored(name)``: the capture's records, and the raw and author hash of each post stored from them."""
    monkeypatch.setenv(KEY_ENV, "bureau-secret-1")

    def store(name: str) -> tuple[list[PostRecord], dict[str, Stored]]:
        records = spider_records(name)
        with db.session() as session:
            upsert_posts(session, records, FETCHED)
            posts = session.scalars(select(Post)).all()
            return records, {post.source_post_id: Stored(post.raw_text, post.author_hash) for post in posts}

    return store


def test_the_personal_strings_of_a_capture_are_its_uids_in_decimal_and_hex_and_its_e_mails():
    personal = personal_strings(real_json(TIMELINE_2019_06))
    assert {"1669879400", "63885668", "helloworkwork@126.com", "2007341923"} <= personal


@pytest.mark.parametrize("name", CAPTURES)
def test_no_uid_hex_uid_or_e_mail_of_the_capture_is_left_in_a_stored_raw(stored, name):
    personal = personal_strings(real_json(name))
    records, posts = stored(name)
    assert posts and len(posts) == len({record.id for record in records})
    for post_id, post in posts.items():
        assert leaks(post.raw_text, personal) == set(), post_id


@pytest.mark.parametrize("name", CAPTURES)
def test_a_stored_raw_re_parses_to_its_post_with_the_hash_for_the_author(stored, name):
    records, posts = stored(name)
    weibo = spider(now=datetime.fromisoformat(CAPTURES[name]))
    for record in records:
        post = posts[record.id]
        evidence = json.loads(post.raw_text)
        mblog = evidence.get("mblog", evidence)
        again = post_record(mblog, post.raw_text, weibo.parse_date, weibo.parse_count)
        assert set(mblog["user"]) == {"screen_name", "id"}
        assert again.author_id == f"author:{post.author_hash}"
        assert replace(again, author_id=None, raw=None) == replace(record, author_id=None, raw=None)


def test_a_stored_repost_names_its_original_s_author_only_by_hash(stored):
    _, posts = stored("m-weibo-cn_statuses-show_repost_2019-06.json")
    repost = json.loads(posts["4383411844046171"].raw_text)["mblog"]
    assert repost["retweeted_status"]["user"] == {"screen_name": "upupming",
                                                  "id": f"author:{posts['4383404751066167'].author_hash}"}
