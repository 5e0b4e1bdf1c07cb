"""The raw evidence of Toutiao posts, as stored from the real captures: re-parsable, and nothing about people in it
but the author's name and the keyed hash of the author's id (no user token, avatar or e-mail)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import pytest
from scrapy.http import HtmlResponse
from sqlalchemy import select

from config import load_config
from crawlers.spiders.toutiao import ToutiaoSpider
from crawlers.spiders.toutiao_parse import SearchResult, parse_article, parse_feed, parse_item
from storage import Post, upsert_posts
from storage.authors import KEY_ENV
from storage.records import PostRecord
from raw_privacy_support import TOUTIAO_ID_KEYS, leaks, personal_strings

REAL = Path(__file__).resolve().parents[3] / "fixtures" / "toutiao" / "real"
REAL_ARTICLE = REAL / "www-toutiao-com_article_div-article-content-fragment_2021-06.html"
REAL_FEED = REAL / "www-toutiao-com_api-pc-feed_3-pages-merged_2021-03.json"
ARTICLE_HTML = REAL_ARTICLE.read_text(encoding="utf-8")
CAPTURED = datetime(2021, 6, 8, 12, 0, tzinfo=timezone.utc)
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


class Stored(NamedTuple):
    raw_text: str
    author_hash: str


def spider() -> ToutiaoSpider:
    return ToutiaoSpider.for_config(load_config(), now=CAPTURED)


def card_result(user_id: str | None) -> SearchResult:
    """The search card that led to the real article (the capture has none): with or without a ``user_id``."""
    return SearchResult("6970000000000000001", "article", "https://www.toutiao.com/article/6970000000000000001/",
                        "卡片标题", "卡片摘要", "家庭医生名医在线", user_id, None, None, None, None, "{}")


def article_record(user_id: str | None) -> PostRecord:
    response = HtmlResponse("https://www.toutiao.com/article/6970000000000000001/", body=ARTICLE_HTML.encode(),
                            encoding="utf-8")
    (record,) = spider().parse_article(response, result=card_result(user_id), published=CAPTURED)
    return record


def feed_results() -> list[SearchResult]:
    return parse_feed(json.loads(REAL_FEED.read_text(encoding="utf-8")))


def feed_record(result: SearchResult) -> PostRecord:
    toutiao = spider()
    return toutiao.card_record(result, toutiao.parse_date(result.published), truncated=True)


@pytest.fixture
def store(db, monkeypatch):
    """``store(records)``: the raw and author hash of each post stored from them."""
    monkeypatch.setenv(KEY_ENV, "bureau-secret-1")

    def stored(records: list[PostRecord]) -> dict[str, Stored]:
        with db.session() as session:
            upsert_posts(session, records, FETCHED)
            posts = session.scalars(select(Post)).all()
            return {post.source_post_id: Stored(post.raw_text, post.author_hash) for post in posts}

    return stored


def test_the_personal_strings_of_the_captures_are_their_user_tokens():
    assert personal_strings(ARTICLE_HTML) == {"MS4wLjABAAAAnZReDAvDgfZyN8NAAMH-hAuGrcrKew1JH7rusau08wc"}
    assert len(personal_strings(json.loads(REAL_FEED.read_text(encoding="utf-8")), TOUTIAO_ID_KEYS)) >= 10


@pytest.mark.parametrize("user_id", ["3827461590", None])
def test_a_stored_article_links_to_its_author_by_the_post_s_author_hash(store, user_id):
    posts = store([article_record(user_id)])
    (post,) = posts.values()
    assert leaks(post.raw_text, personal_strings(ARTICLE_HTML)) == set()
    assert f'href="/c/user/token/author:{post.author_hash}/?source=tuwen_detail"' in post.raw_text
    again, first = parse_article(post.raw_text), parse_article(ARTICLE_HTML)
    assert again is not None and first is not None and again.author_id == f"author:{post.author_hash}"
    assert replace(again, author_id=None, raw="") == replace(first, author_id=None, raw="")


def test_stored_feed_items_hold_no_token_or_avatar_and_re_parse_to_their_results(store):
    results = feed_results()
    posts = store([feed_record(result) for result in results])
    personal = personal_strings(json.loads(REAL_FEED.read_text(encoding="utf-8")), TOUTIAO_ID_KEYS)
    for result in results:
        post = posts[result.id]
        assert leaks(post.raw_text, personal) == set(), result.id
        assert "avatar" not in post.raw_text
        again = parse_item(json.loads(post.raw_text), post.raw_text)
        assert again is not None and again.author_id == f"author:{post.author_hash}"
        assert replace(again, author_id=None, raw="") == replace(result, author_id=None, raw="")
