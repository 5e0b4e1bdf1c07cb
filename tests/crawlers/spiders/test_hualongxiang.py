"""The 化龙巷 spider: what it requests, yields and reports for each page kind, and a replay through the engine."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import scrapy
from hualongxiang_corpus import (
    BY_ID,
    CHALLENGED,
    CORPUS,
    ROUND1,
    ROUND2,
    TZ,
    WRONG_CHARSET,
    render_into,
    respond,
    spider,
)

from crawlers.middlewares.encoding import CharsetRepairMiddleware
from crawlers.runner import run_crawl_subprocess
from crawlers.spiders.hualongxiang_parse import ListedThread, board_url, search_url, thread_url
from storage import iter_posts, open_database
from storage.records import EngagementSighting, PostRecord


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory):
    return render_into(tmp_path_factory.mktemp("hlx"))


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory):
    """The same corpus with two threads per board page."""
    return render_into(tmp_path_factory.mktemp("hlx_paged"), board_rows=2)


def requested(outputs: list) -> list[str]:
    return [item.url for item in outputs if isinstance(item, scrapy.Request)]


def test_start_requests_cover_every_board_and_keyword():
    urls = [request.url for request in spider().start_requests()]
    assert urls == [board_url("103", 1), board_url("1261", 1), board_url("400", 1),
                    *(search_url(keyword, 1) for keyword in ("着火", "燃气", "消防", "味道", "异味"))]


def test_new_threads_on_a_board_are_fetched_at_their_canonical_url(manifest):
    crawler = spider()
    outputs = list(crawler.parse_board(respond(manifest, board_url("103", 1)), fid="103", page=1))
    # pinned rules (2024/2025) and the thread of 2026-11-14 are outside the window
    assert requested(outputs) == [thread_url(tid) for tid in ("15200001", "15200002", "15200003", "15200005")]
    assert all(isinstance(item, scrapy.Request) for item in outputs)


def test_a_thread_seen_twice_is_fetched_once(manifest):
    crawler = spider()
    list(crawler.parse_board(respond(manifest, board_url("103", 1)), fid="103", page=1))
    again = list(crawler.parse_search(respond(manifest, search_url("燃气", 1)), keyword="燃气", page=1))
    assert requested(again) == [thread_url("15200004")]


def test_known_threads_get_sightings_with_replies_and_views(manifest):
    crawler = spider(now=ROUND2, known={"15200001", "15200002"})
    outputs = list(crawler.parse_board(respond(manifest, board_url("103", 1), round_no=2), fid="103", page=1))
    sightings = [item for item in outputs if isinstance(item, EngagementSighting)]
    assert sightings == [EngagementSighting("hualongxiang", "15200001", None, 20, None, 1500),
                         EngagementSighting("hualongxiang", "15200002", None, 9, None, 777)]
    assert thread_url("15200001") not in requested(outputs)
    # the window now starts 2026-11-19 10:00: 15200005 of 11-18 is no longer visited
    assert requested(outputs) == [thread_url("15200101"), thread_url("15200003")]


def test_pagination_continues_while_a_page_has_recent_threads(paged):
    crawler = spider()
    first = list(crawler.parse_board(respond(paged, board_url("103", 1)), fid="103", page=1))
    assert requested(first)[-1] == board_url("103", 2)


def test_pagination_stops_at_a_page_of_old_threads(paged):
    crawler = spider(now=ROUND2)  # window from 2026-11-19 10:00: 11-18 and 11-14 are old
    outputs = list(crawler.parse_board(respond(paged, board_url("103", 3), round_no=2), fid="103", page=3))
    assert [thread for thread in outputs] == []


def test_pagination_stops_at_max_pages(paged):
    crawler = spider()
    crawler.max_pages = 1
    assert board_url("103", 2) not in requested(list(
        crawler.parse_board(respond(paged, board_url("103", 1)), fid="103", page=1)))


def test_a_bare_list_day_counts_to_its_end():
    crawler = spider()  # window starts 2026-11-18 10:00
    thread = ListedThread("15200005", "t", None, "2026-11-18", 1, 75)
    assert crawler.latest_moment(None, thread) == datetime(2026, 11, 18, 23, 59, 59, tzinfo=TZ)
    assert crawler.in_window(crawler.latest_moment(None, thread))


@pytest.mark.parametrize("shown, moment", [
    ("20分钟前", ROUND1 - timedelta(minutes=20)),
    ("1小时前", ROUND1 - timedelta(hours=1)),
    ("昨天 21:05", datetime(2026, 11, 19, 21, 5, tzinfo=TZ)),
    ("前天 11:30", datetime(2026, 11, 18, 11, 30, tzinfo=TZ)),
    ("2026-11-14 08:00", datetime(2026, 11, 14, 8, 0, tzinfo=TZ)),
])
def test_search_dates_are_read_against_the_fixed_now(shown, moment):
    assert spider().latest_moment(None, ListedThread("1", "t", None, shown, 0, 0)) == moment


def test_search_results_are_fetched_when_recent(manifest):
    outputs = list(spider().parse_search(respond(manifest, search_url("燃气", 1)), keyword="燃气", page=1))
    assert requested(outputs) == [thread_url(tid) for tid in ("15200002", "15200003", "15200004")]


def test_a_search_without_hits_is_not_an_empty_page(manifest):
    crawler = spider()
    assert list(crawler.parse_search(respond(manifest, search_url("异味", 1)), keyword="异味", page=1)) == []
    assert crawler.stats["yuqing/empty_pages"] == 0


def test_thread_page_becomes_a_post_record(manifest):
    [record] = spider().parse_thread(respond(manifest, thread_url("15200002")), tid="15200002")
    post = BY_ID["15200002"]
    assert isinstance(record, PostRecord)
    assert record.to_json() == {
        "id": "15200002", "source": "hualongxiang", "url": "https://www.hualongxiang.com/read.php?tid=15200002",
        "title": post["title"], "text": post["text"], "author": "青龙小王",
        "published_at": "2026-11-20T08:15:30+08:00", "reposts": None, "comments": 5, "likes": None,
        "views": 430, "truncated": False}
    assert record.author_id == "523344" and 'id="read_tpc"' in record.raw


def test_wrong_charset_page_is_stored_correctly_and_counted(manifest, crawler_for):
    crawler = spider()
    engine = crawler_for(spider=crawler)
    page = CharsetRepairMiddleware.from_crawler(engine).process_response(
        scrapy.Request(thread_url(WRONG_CHARSET)), respond(manifest, thread_url(WRONG_CHARSET)))
    [record] = crawler.parse_thread(page, tid=WRONG_CHARSET)
    assert (record.title, record.text) == (BY_ID[WRONG_CHARSET]["title"], BY_ID[WRONG_CHARSET]["text"])
    assert record.published_at == datetime(2026, 11, 19, 21, 5, tzinfo=TZ)
    assert engine.stats.get_value("yuqing/charset_fixed") == 1


def test_security_verify_page_is_blocked(manifest):
    crawler = spider()
    assert crawler.blocked_reason(respond(manifest, thread_url(CHALLENGED))) == "security_verify"
    assert crawler.blocked_reason(respond(manifest, thread_url(CHALLENGED), round_no=2)) is None
    assert crawler.blocked_reason(respond(manifest, board_url("103", 1))) is None


def test_layout_changed_board_is_reported_empty(manifest):
    crawler = spider()
    assert list(crawler.parse_board(respond(manifest, board_url("400", 1)), fid="400", page=1)) == []
    assert crawler.stats["yuqing/empty_pages"] == 1


def test_a_thread_page_without_its_time_is_a_parse_failure(manifest):
    crawler = spider()
    response = respond(manifest, thread_url("15200002"))
    broken = response.replace(body=response.body.replace("发表于：".encode("gbk"), b""))
    assert list(crawler.parse_thread(broken, tid="15200002")) == []
    assert crawler.stats["yuqing/parse_failures"] == 1


def stored(db_url: str) -> dict[str, PostRecord]:
    database = open_database(db_url)
    with database.session() as session:
        return {post.id: post for post in iter_posts(session) if post.source == "hualongxiang"}


@pytest.mark.slow
def test_replay_rounds_through_the_engine(tmp_path: Path):
    render_into(tmp_path / "fixtures")
    db_url = f"sqlite:///{tmp_path / 'yuqing.db'}"

    def crawl(round_no: int) -> dict:
        [summary] = run_crawl_subprocess(["hualongxiang"], db_url=db_url, replay_dir=tmp_path / "fixtures",
                                         round_no=round_no, timeout_s=120)
        return summary

    first = crawl(1)
    round1 = {"15200002", "15200003", "15200004", "15200005"}  # 15200001 hit the security-verify page
    assert set(stored(db_url)) == round1
    assert (first["posts_new"], first["blocked"], first["empty_pages"], first["parse_failures"]) == (4, 1, 1, 0)
    assert stored(db_url)["15200003"].text == BY_ID["15200003"]["text"]  # the wrong-charset page

    second = crawl(2)
    posts = stored(db_url)
    assert set(posts) == round1 | {"15200001", "15200101", "15200102"}
    assert (second["posts_new"], second["posts_updated"], second["blocked"]) == (3, 1, 0)  # 15200002 grew
    assert (posts["15200002"].comments, posts["15200002"].views) == (9, 777)
    assert posts["15200001"].to_json()["published_at"] == "2026-11-20T09:40:00+08:00"
    assert not any(post["old"] and post["id"] in posts for post in CORPUS)

    again = crawl(2)
    assert (again["posts_new"], again["posts_updated"]) == (0, 0)
    assert len(stored(db_url)) == 7
