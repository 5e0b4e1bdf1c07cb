"""The 中吴网 spider: what it requests, yields and reports for each fixture page, and a replay through the engine."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import scrapy
from zhong5_support import FIXTURES, captured, corpus, published, respond, special

from config import load_config
from crawlers.runner import run_crawl_subprocess
from crawlers.spiders import zhong5_parse as z5
from crawlers.spiders.zhong5 import Zhong5Spider
from scripts.fixturegen.zhong5 import render as render_zhong5
from storage import iter_posts, open_database
from storage.records import EngagementSighting, PostRecord

TZ = ZoneInfo("Asia/Shanghai")
POSTS = corpus()
FORUM_2 = "http://www.zhong5.cn/forum-2-1.html"


def spider(round_no: int = 1, known: set[str] = frozenset(), now: datetime | None = None) -> Zhong5Spider:
    return Zhong5Spider.for_config(load_config(), now=now or captured(round_no), known_ids=known)


def _grown() -> list[dict]:
    """Round-1 threads still inside round 2's window whose counts grew: their rows give sightings."""
    start = captured(2) - timedelta(hours=48)
    return [p for p in POSTS.values() if p["kind"] == "thread" and p["round2"] and published(p) >= start
            and (p["round2"]["comments"], p["round2"]["views"]) != (p["comments"], p["views"])]


def board_output(url: str, board: str, round_no: int = 1, **kwargs) -> list:
    return list(spider(round_no, **kwargs).parse_board(respond(url, round_no), board=board, page=1))


def test_new_threads_in_the_window_are_fetched_pinned_and_old_ones_are_not():
    requests = board_output(FORUM_2, "forum:2")
    fetched = {request.url for request in requests}
    expected = {z5.thread_url(p["id"][1:]) for p in POSTS.values()
                if p["kind"] == "thread" and p["board"] == "2" and p["round"] == 1 and not p["old"]}
    assert fetched == expected
    assert all(request.callback.__name__ == "parse_thread" for request in requests)


def test_known_threads_get_sightings_with_round_two_counts_instead_of_a_fetch():
    grown = [p for p in _grown() if p["board"] == "2"]
    assert grown
    output = board_output(FORUM_2, "forum:2", round_no=2, known={p["id"] for p in grown})
    sightings = {item.id: item for item in output if isinstance(item, EngagementSighting)}
    for post in grown:
        assert sightings[post["id"]] == EngagementSighting("zhong5", post["id"], comments=post["round2"]["comments"],
                                                           views=post["round2"]["views"])
    assert not any(isinstance(item, scrapy.Request) and item.url in {z5.thread_url(p["id"][1:]) for p in grown}
                   for item in output)


def test_a_second_source_on_the_same_spider_records_sightings_under_its_own_name(tmp_path: Path):
    grown = [p for p in _grown() if p["board"] == "2"]
    config = load_config(_config(tmp_path / "yuqing.toml"))
    authorised = Zhong5Spider.for_config(config, now=captured(2), source="zhong5_authorised",
                                         known_ids={p["id"] for p in grown})
    output = list(authorised.parse_board(respond(FORUM_2, 2), board="forum:2", page=1))
    sightings = [item for item in output if isinstance(item, EngagementSighting)]
    assert len(sightings) == len(grown) and {item.source for item in sightings} == {"zhong5_authorised"}


def test_pagination_follows_the_next_link_only_while_posts_are_in_the_window():
    following = [r for r in board_output(FORUM_2, "forum:2", round_no=2) if r.url.endswith("forum-2-2.html")]
    assert len(following) == 1 and following[0].cb_kwargs == {"board": "forum:2", "page": 2}
    past_window = spider(2)
    past_window.window_start = captured(2) + timedelta(days=1)
    assert list(past_window.parse_board(respond(FORUM_2, 2), board="forum:2", page=1)) == []


def test_portal_list_requests_new_articles():
    url = "http://www.zhong5.cn/portal.php?mod=list&catid=1&page=1"
    requests = board_output(url, "portal:1")
    ids = [r.url for r in requests if r.callback and r.callback.__name__ == "parse_article"]
    assert ids and all(POSTS["a" + u.split("-")[1]]["board"] == "1" for u in ids)


def test_article_page_becomes_a_post_record():
    post = next(p for p in POSTS.values() if p["kind"] == "article" and p["round"] == 1 and not p["old"]
                and len(p["text"].split("\n")) < 4)
    url = z5.article_url(post["id"][1:])
    [record] = spider().parse_article(respond(url))
    assert record == PostRecord(
        source="zhong5", id=post["id"], url=url, title=post["title"], text=post["text"], author=post["author"],
        published_at=published(post), reposts=None, comments=post["comments"], likes=None, views=post["views"],
        truncated=False, author_id=post["author_uid"], raw=record.raw)
    assert '<h1 class="ph">' in record.raw


def test_thread_page_becomes_a_post_record_with_replies_as_its_comment_count():
    post = next(p for p in POSTS.values() if p["kind"] == "thread" and p["round"] == 2)
    url = z5.thread_url(post["id"][1:])
    [record] = spider(2).parse_thread(respond(url, 2))
    assert (record.id, record.title, record.text, record.author, record.author_id) == (
        post["id"], post["title"], post["text"], post["author"], post["author_uid"])
    assert (record.published_at, record.comments, record.views, record.reposts, record.likes) == (
        published(post), post["comments"], post["views"], None, None)


def test_a_thread_outside_the_window_is_not_yielded():
    post = next(p for p in POSTS.values() if p["kind"] == "thread" and p["round"] == 1 and not p["old"])
    url = z5.thread_url(post["id"][1:])
    assert list(spider(now=datetime(2026, 12, 30, tzinfo=TZ)).parse_thread(respond(url))) == []


def test_search_form_is_posted_with_its_formhash():
    [request] = spider().parse_search_form(respond(z5.SEARCH_URL), keyword="天宁")
    assert (request.method, request.url) == ("POST", z5.search_url("天宁"))
    assert b"formhash=4f1b2c3d" in request.body and b"searchsubmit=yes" in request.body
    assert b"srchtxt=%E5%A4%A9%E5%AE%81" in request.body


def test_search_posts_go_one_at_a_time_through_the_paced_search_slot():
    paced = spider()  # the shipped config: search_interval_s = 20 (Discuz refuses quicker searches)
    [request] = paced.parse_search_form(respond(z5.SEARCH_URL), keyword="天宁")
    assert request.meta["download_slot"] == "zhong5:search" and request.meta["autothrottle_dont_adjust_delay"]
    paced.source_config = paced.source_config.model_copy(update={"search_interval_s": None})
    [unpaced] = paced.parse_search_form(respond(z5.SEARCH_URL), keyword="天宁")
    assert "download_slot" not in unpaced.meta


def test_a_thread_listed_on_its_board_and_in_search_results_is_fetched_once():
    zhong5 = spider()
    on_board = {r.url for r in zhong5.parse_board(respond(FORUM_2), board="forum:2", page=1)
                if isinstance(r, scrapy.Request)}
    location = respond(z5.search_url("天宁"), method="POST").headers["Location"].decode()
    listed = {entry.url for entry in z5.parse_search_results(respond(z5.BASE_URL + location))}
    again = {r.url for r in zhong5.parse_search(respond(z5.BASE_URL + location), keyword="天宁", page=1)
             if isinstance(r, scrapy.Request)}
    assert listed & on_board and again and not again & on_board


def test_search_results_request_new_threads():
    location = respond(z5.search_url("天宁"), method="POST").headers["Location"].decode()
    output = list(spider().parse_search(respond(z5.BASE_URL + location), keyword="天宁", page=1))
    urls = {r.url for r in output if isinstance(r, scrapy.Request)}
    assert urls and all(not POSTS["t" + u.split("-")[1]]["old"] for u in urls)


def test_health_reports_blocks_and_layout_changes():
    zhong5 = spider()
    assert zhong5.blocked_reason(special("search_flood_control.html")) == "flood_control"
    assert zhong5.blocked_reason(special("guest_refused.html")) == "guest_refused"
    assert zhong5.blocked_reason(respond(FORUM_2)) is None
    layout = special("forum_layout_changed.html", "http://www.zhong5.cn/forum-86-1.html")
    assert list(zhong5.parse_board(layout, board="forum:86", page=1)) == []
    assert zhong5.stats["yuqing/empty_pages"] == 1


def _multipage_id() -> str:
    articles = [p for p in POSTS.values() if p["kind"] == "article" and p["round"] == 1 and not p["old"]]
    return max(articles, key=lambda p: (len(p["text"].split("\n")), p["id"]))["id"]


# -- through the engine ------------------------------------------------------------------------------------

def _config(path: Path) -> Path:
    path.write_text(
        'timezone = "Asia/Shanghai"\n[crawl]\nmax_pages = 5\n'
        '[sources.zhong5]\nspider = "zhong5"\n'
        '[sources.zhong5_authorised]\nspider = "zhong5"\nobey_robots = false\n'
        'robots_authorisation = "test fixture: stands for a written data agreement with the site"\n',
        encoding="utf-8")
    return path


def _stored(db: Path, source: str) -> dict[str, PostRecord]:
    with open_database(f"sqlite:///{db}").session() as session:
        return {post.id: post for post in iter_posts(session) if post.source == source}


@pytest.mark.slow
def test_replay_stores_round_one_then_round_two_and_repeats_add_nothing(tmp_path: Path):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "zhong5").symlink_to(FIXTURES / "zhong5")
    (fixtures / "zhong5_authorised").symlink_to(FIXTURES / "zhong5")
    config, db = _config(tmp_path / "yuqing.toml"), tmp_path / "yuqing.db"

    def replay(round_no: int) -> dict[str, dict]:
        rows = run_crawl_subprocess(["zhong5", "zhong5_authorised"], config_path=config, db_url=f"sqlite:///{db}",
                                    replay_dir=fixtures, round_no=round_no, timeout_s=120, log_level="WARNING")
        return {row["source"]: row for row in rows}

    first = replay(1)
    round1 = {p["id"] for p in POSTS.values() if p["round"] == 1 and not p["old"]}
    assert set(_stored(db, "zhong5")) == round1 == set(_stored(db, "zhong5_authorised"))
    assert first["zhong5"]["robots_refused"] >= 3 and first["zhong5"]["blocked"] == 0  # search.php: one per keyword
    assert first["zhong5_authorised"]["robots_refused"] == 0 and first["zhong5_authorised"]["blocked"] == 1
    assert first["zhong5"]["empty_pages"] == 1 and first["zhong5"]["parse_failures"] == 0
    assert replay(1)["zhong5"]["posts_new"] == 0
    second = replay(2)
    stored = _stored(db, "zhong5")
    assert set(stored) == {p["id"] for p in POSTS.values() if not p["old"]}
    assert second["zhong5"]["posts_new"] == sum(p["round"] == 2 for p in POSTS.values())
    grown = _grown()
    assert grown and second["zhong5"]["posts_updated"] >= len(grown)
    for post in grown:
        assert (stored[post["id"]].comments, stored[post["id"]].views) == (post["round2"]["comments"],
                                                                         post["round2"]["views"])
    assert all(stored[i].text == POSTS[i]["text"] for i in stored if not stored[i].truncated)
    assert [i for i in stored if stored[i].truncated] == [_multipage_id()]


def test_committed_fixtures_are_what_the_renderer_writes(tmp_path: Path):
    render_zhong5(list(POSTS.values()), tmp_path / "zhong5")
    committed = FIXTURES / "zhong5"
    written = sorted(p.relative_to(tmp_path / "zhong5") for p in (tmp_path / "zhong5").rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file() and p.name != "README.md")
    assert all((tmp_path / "zhong5" / name).read_bytes() == (committed / name).read_bytes() for name in written)
