"""End to end: the weibo fixtures replayed through the real engine (crawlers.runner in a subprocess) into SQLite."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select

from crawlers.runner import run_crawl_subprocess
from crawlers.spiders.weibo_parse import flatten_cards
from storage import Post, open_database
from raw_privacy_support import leaks, personal_strings
from weibo_support import FIXTURES, WEIBO, corpus_lines

pytestmark = pytest.mark.slow


@dataclass
class Stored:
    """A stored post and its engagement history."""

    text: str
    published_at: datetime
    truncated: bool
    counts: tuple
    snapshots: list[tuple]
    raw: str


def shown(count: int | None) -> int:
    count = count or 0
    return count if count < 10_000 else min(count // 1000 * 1000, 1_000_000)


def stored_posts(db_url: str) -> dict[str, Stored]:
    database = open_database(db_url)
    with database.session() as session:
        posts = session.scalars(select(Post).where(Post.source == "weibo")).all()
        return {post.source_post_id: Stored(
            post.text, post.published_at, post.truncated, (post.reposts, post.comments, post.likes),
            [(s.reposts, s.comments, s.likes) for s in post.snapshots], post.raw_text) for post in posts}


@pytest.fixture(scope="module")
def replays(tmp_path_factory):
    """Rounds 1, 1, 2 replayed in order into one database: each run's summary and the posts after it."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('weibo') / 'replay.db'}"
    results = []
    for round_no in (1, 1, 2):
        (summary,) = run_crawl_subprocess(["weibo"], db_url=db_url, replay_dir=FIXTURES, round_no=round_no,
                                          timeout_s=120, log_level="WARNING")
        results.append((summary, stored_posts(db_url)))
    return results


def corpus_round(round_no: int) -> dict[str, dict]:
    return {line["id"]: line for line in corpus_lines() if line["round"] == round_no and not line["old"]}


def approximate_ids() -> set[str]:
    """Posts on the 2019-style page dated "N小时前"/"N分钟前": stored to the hour or minute, not exactly."""
    manifest = json.loads((WEIBO / "manifest.json").read_text(encoding="utf-8"))
    ids = set()
    for response in manifest["rounds"]["1"]["responses"]:
        data = json.loads((WEIBO / response["file"]).read_bytes()) if response["file"].startswith("r1/search") else {}
        for card in flatten_cards(data.get("data", {}).get("cards", [])):
            if card["mblog"]["created_at"].endswith("前"):
                ids.add(card["mblog"]["id"])
    return ids


def test_round_1_stores_every_recent_post_and_counts_each_bad_page(replays):
    summary, posts = replays[0]
    expected = corpus_round(1)
    assert summary["status"] == "ok" and summary["posts_new"] == len(expected)
    assert set(posts) == set(expected)
    assert (summary["blocked"], summary["parse_failures"], summary["challenges"]) == (2, 1, 1)
    assert summary["missing_fixtures"] == 0 and summary["robots_refused"] == 0
    assert not any(line["old"] and line["id"] in posts for line in corpus_lines())


def test_round_1_posts_are_stored_as_the_corpus_has_them(replays):
    _, posts = replays[0]
    approximate = approximate_ids()
    truncated = [mid for mid, post in posts.items() if post.truncated]
    assert len(truncated) == 1  # the long post whose extend answered the Sina Visitor System page
    for mid, line in corpus_round(1).items():
        post = posts[mid]
        if mid in truncated:
            assert line["text"].startswith(post.text) and len(post.text) < len(line["text"])
        else:
            assert post.text == line["text"]
        if mid not in approximate:
            assert post.published_at == datetime.fromisoformat(line["published_at"])
        assert post.counts == (shown(line["reposts"]), shown(line["comments"]), shown(line["likes"]))
        assert post.snapshots == [post.counts]


def test_replaying_round_1_again_adds_nothing(replays):
    (_, posts_after_first), (again, posts_after_again) = replays[0], replays[1]
    assert (again["posts_new"], again["posts_updated"]) == (0, 0)
    assert posts_after_again == posts_after_first


def test_round_2_adds_its_posts_and_snapshots_of_grown_counts(replays):
    summary, posts = replays[2]
    new = corpus_round(2)
    assert summary["posts_new"] == len(new) and summary["posts_updated"] > 0
    assert set(posts) == set(corpus_round(1)) | set(new)
    grown = [line for line in corpus_round(1).values() if line["round2"] and line["id"] in posts
             and len(posts[line["id"]].snapshots) == 2]
    assert grown
    for line in grown:
        r2 = line["round2"]
        assert posts[line["id"]].counts == (shown(r2["reposts"]), shown(r2["comments"]), shown(r2["likes"]))
    assert summary["blocked"] == 1  # the login wall on 天宁 爆炸


def test_no_uid_hex_uid_or_e_mail_of_the_fixtures_is_left_in_a_stored_raw(replays):
    _, posts = replays[2]
    answers = [json.loads(path.read_bytes()) for path in WEIBO.glob("r[12]/*.json")]
    personal = personal_strings(answers)
    assert {line["author_uid"] for line in corpus_lines()} <= personal
    for mid, post in posts.items():
        assert leaks(post.raw, personal) == set(), mid
        evidence = json.loads(post.raw)
        mblog = evidence.get("mblog", evidence)  # an original found in a repost is stored as its mblog
        assert mblog["user"]["id"].startswith("author:") and set(mblog["user"]) == {"screen_name", "id"}
