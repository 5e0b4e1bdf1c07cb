"""Replaying fixtures/toutiao through the real engine: what is stored, counted, and what a re-run adds."""

from __future__ import annotations

import filecmp
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawlers.runner import run_crawl_subprocess
from scripts.fixturegen import toutiao as render
from scripts.fixturegen.toutiao_html import abstract
from crawlers.spiders.toutiao_parse import card_payloads, load_card
from storage import EngagementSnapshot, Post, iter_posts, open_database
from raw_privacy_support import TOUTIAO_ID_KEYS, leaks, personal_strings

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "fixtures" / "corpus" / "posts.jsonl"
CONFIG = ROOT / "config" / "tianning.toml"
WINDOW = timedelta(hours=48)

pytestmark = pytest.mark.slow


def corpus() -> list[dict[str, Any]]:
    lines = (json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip())
    return [line for line in lines if line["source"] == "toutiao"]


def in_window(post: dict[str, Any], round_no: int) -> bool:
    captured = datetime.fromisoformat(render.CAPTURED_AT[round_no])
    return not post["old"] and datetime.fromisoformat(post["published_at"]) > captured - WINDOW


def changed(post: dict[str, Any]) -> bool:
    return any(post["round2"][key] != post[key] for key in ("comments", "likes", "views"))


def stored(db_url: str) -> dict[str, Any]:
    with open_database(db_url).session() as session:
        return {record.id: record for record in iter_posts(session) if record.source == "toutiao"}


def snapshot_counts(db_url: str) -> dict[str, int]:
    query = (select(Post.source_post_id, func.count(EngagementSnapshot.id))
             .join(EngagementSnapshot, EngagementSnapshot.post_id == Post.id).group_by(Post.source_post_id))
    with open_database(db_url).session() as session:
        return dict(session.execute(query).all())


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('toutiao_replay') / 'yuqing.db'}"
    results: dict[str, Any] = {"db": db_url}
    for label, round_no in (("r1", 1), ("r1_again", 1), ("r2", 2)):
        (summary,) = run_crawl_subprocess(["toutiao"], config_path=CONFIG, db_url=db_url, replay_dir=ROOT / "fixtures",
                                          round_no=round_no, timeout_s=120, log_level="WARNING")
        results[label] = summary
        if label == "r1":
            results["posts_r1"] = stored(db_url)
    return results


def test_round_one_stores_every_post_inside_the_window_and_counts_the_bad_pages(replay):
    expected = {p["id"] for p in corpus() if p["round"] == 1 and in_window(p, 1)}
    assert set(replay["posts_r1"]) == expected
    summary = replay["r1"]
    assert (summary["status"], summary["posts_new"], summary["posts_updated"]) == ("ok", len(expected), 0)
    assert (summary["blocked"], summary["empty_pages"], summary["challenges"]) == (3, 1, 2)
    assert (summary["parse_failures"], summary["missing_fixtures"], summary["robots_refused"]) == (0, 0, 0)


def test_round_one_posts_carry_the_fields_of_their_kind(replay):
    challenged = render.challenged_articles(corpus())
    posts = replay["posts_r1"]
    for post in (p for p in corpus() if p["id"] in posts):
        record = posts[post["id"]]
        assert record.published_at == datetime.fromisoformat(post["published_at"])
        assert (record.author, record.reposts) == (post["author"], None)
        assert (record.comments, record.likes, record.views) == (post["comments"], post["likes"], post["views"])
        if post["kind"] == "weitoutiao":
            assert (record.title, record.text, record.truncated) == ("", post["text"], False)
            assert record.url == f"https://www.toutiao.com/w/{post['id']}/"
        elif post["kind"] == "external" or post["id"] in challenged:
            assert (record.title, record.text, record.truncated) == (post["title"], abstract(post), True)
        else:
            assert (record.title, record.text, record.truncated) == (post["title"], post["text"], False)
            assert record.url == f"https://www.toutiao.com/article/{post['id']}/"


def test_replaying_a_round_again_adds_nothing(replay):
    assert (replay["r1_again"]["posts_new"], replay["r1_again"]["posts_updated"]) == (0, 0)
    assert replay["r1_again"]["challenges"] == 0  # known posts are sighted, their pages not fetched again


def test_round_two_adds_its_posts_and_snapshots_of_grown_counts(replay):
    posts = corpus()
    grown = {p["id"]: p["round2"] for p in posts
             if p["round"] == 1 and p["round2"] and in_window(p, 2) and changed(p)}
    new = {p["id"] for p in posts if p["round"] == 2}
    assert (replay["r2"]["posts_new"], replay["r2"]["posts_updated"]) == (len(new), len(grown))
    final = stored(replay["db"])
    assert new <= set(final)
    snapshots = snapshot_counts(replay["db"])
    for post_id, counts in grown.items():
        assert (final[post_id].comments, final[post_id].likes, final[post_id].views) == (
            counts["comments"], counts["likes"], counts["views"])
        assert snapshots[post_id] == 2


def test_committed_fixtures_are_what_the_renderer_makes(tmp_path: Path):
    out = tmp_path / "toutiao"
    render.render(corpus(), out)
    committed = ROOT / "fixtures" / "toutiao"
    assert (out / "manifest.json").read_text("utf-8") == (committed / "manifest.json").read_text("utf-8")
    for folder in ("r1", "r2"):
        names = sorted(str(p.relative_to(out)) for p in (out / folder).rglob("*") if p.is_file())
        match, mismatch, errors = filecmp.cmpfiles(out, committed, names, shallow=False)
        assert (mismatch, errors) == ([], [])


def fixture_personal_strings() -> set[str]:
    """The author ids, user tokens and e-mails of every page of fixtures/toutiao (rounds and special pages)."""
    pages = [path.read_text("utf-8") for path in (ROOT / "fixtures" / "toutiao").glob("[rs]*/**/*.html")]
    cards = [card for page in pages for payload in card_payloads(page) if (card := load_card(payload))]
    return personal_strings([pages, cards], TOUTIAO_ID_KEYS)


def test_no_author_id_token_or_e_mail_of_the_fixtures_is_left_in_a_stored_raw(replay):
    personal = fixture_personal_strings()
    assert {post["author_uid"] for post in corpus() if post["kind"] != "external"} <= personal
    with open_database(replay["db"]).session() as session:
        for post in session.scalars(select(Post).where(Post.source == "toutiao")):
            assert leaks(post.raw_text, personal) == set(), post.source_post_id
            if post.raw_format == "html":  # an article page: its author link carries the post's own author hash
                assert f"/c/user/token/author:{post.author_hash}/" in post.raw_text
