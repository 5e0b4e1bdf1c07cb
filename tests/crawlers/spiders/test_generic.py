"""The configured (no-code) spider on a district-government RSS feed, an Atom feed and a list + detail site."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from config import ConfigError, config_from_mapping, load_config
from crawlers.runner import run_crawl_subprocess
from crawlers.spiders.generic import GenericSpider, stable_id
from scripts.fixturegen import generic as render
from storage import iter_posts, open_database
from storage.records import EngagementSighting, PostRecord

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "generic"
CONFIG = Path(__file__).with_name("generic_sources.toml")
ROUND1 = datetime.fromisoformat(render.CAPTURED_AT[1])
ITEMS = render.load_items()


def items(source: str, round_no: int = 1) -> list[dict[str, Any]]:
    """The items a round-``round_no`` crawl shows inside the 48 h window, newest first (as the feed lists them)."""
    shown = [i for i in ITEMS if i["source"] == source and i["round"] <= round_no and not i.get("old")]
    return sorted(shown, key=lambda i: i["published_at"], reverse=True)


def spider(source: str, now: datetime = ROUND1, known: set[str] = frozenset()) -> GenericSpider:
    return GenericSpider.for_config(load_config(CONFIG), now=now, source=source, known_ids=known)


def feed_response(path: Path, url: str = render.FEED_URL) -> XmlResponse:
    return XmlResponse(url=url, body=path.read_bytes(), headers={"Content-Type": "application/rss+xml; charset=utf-8"})


def page(url: str, round_no: int = 1, **cb_kwargs: Any) -> HtmlResponse:
    fixture = next(r for r in json.loads((FIXTURES / "tianning_yjj" / "manifest.json").read_text())["rounds"]
                   [str(round_no)]["responses"] if r["url"] == url)
    return HtmlResponse(url=url, body=(FIXTURES / "tianning_yjj" / fixture["file"]).read_bytes(),
                        headers=fixture["headers"], request=scrapy.Request(url, cb_kwargs=cb_kwargs))


def expected(item: dict[str, Any], source: str, url: str, post_id: str, raw: Any) -> PostRecord:
    return PostRecord(source=source, id=post_id, url=url, title=item["title"], text=item["text"],
                      author=item["author"], published_at=datetime.fromisoformat(item["published_at"]), raw=raw)


def test_rss_entries_in_the_window_become_posts_with_null_counts():
    records = list(spider("tianning_gov").parse_feed(feed_response(FIXTURES / "tianning_gov" / "r1" / "news.xml")))
    want = items("tianning_gov")
    assert len(records) == len(want) == 3
    for record, item in zip(records, want):
        url = render.news_url(item)
        assert record == expected(item, "tianning_gov", url, stable_id(url), record.raw)
        assert record.counts() == (None, None, None, None) and json.loads(record.raw)["link"] == url


def test_atom_entries_use_their_id_for_the_post_id():
    records = list(spider("tianning_gov").parse_feed(feed_response(FIXTURES / "samples" / "atom.xml")))
    want = items("tianning_gov", round_no=2)  # the Atom sample holds every item; the capture time does not matter
    assert [r.id for r in records] == [stable_id(f"tag:www.tianning.gov.cn,2026:news/{i['slug']}") for i in want]
    for record, item in zip(records, want):
        assert record == expected(item, "tianning_gov", render.news_url(item), record.id, record.raw)


def test_known_feed_entries_are_sighted_without_counts_not_stored_again():
    first = render.news_url(items("tianning_gov")[0])
    output = list(spider("tianning_gov", known={stable_id(first)}).parse_feed(
        feed_response(FIXTURES / "tianning_gov" / "r1" / "news.xml")))
    assert output[0] == EngagementSighting("tianning_gov", stable_id(first))
    assert first not in {item.url for item in output[1:]} and len(output) == len(items("tianning_gov"))


def test_known_entries_older_than_the_window_are_sighted_too_so_a_quiet_feed_is_not_empty():
    """A feed whose stored entries all fell out of the window still shows the source answers."""
    every = [render.news_url(item) for item in items("tianning_gov")]
    week_later = ROUND1 + timedelta(days=7)
    output = list(spider("tianning_gov", now=week_later, known={stable_id(url) for url in every}).parse_feed(
        feed_response(FIXTURES / "tianning_gov" / "r1" / "news.xml")))
    assert output == [EngagementSighting("tianning_gov", stable_id(url)) for url in every]


def test_known_list_page_items_are_sighted_and_their_pages_not_fetched_again():
    want = [render.notice_url(item) for item in items("tianning_yjj")]
    output = list(spider("tianning_yjj", known={stable_id(want[0])}).parse_list(page(render.LIST_URL)))
    assert output[0] == EngagementSighting("tianning_yjj", stable_id(want[0]))
    assert [request.url for request in output[1:]] == want[1:]


def rss_with_authors(*authors: str) -> XmlResponse:
    entries = "".join(f"<item><title>帖子{n}</title><link>https://www.tianning.gov.cn/p/{n}</link>{author}"
                      f"<pubDate>Fri, 20 Nov 2026 09:0{n}:00 +0800</pubDate><description>正文</description></item>"
                      for n, author in enumerate(authors))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'
    return XmlResponse(url=render.FEED_URL, body=body.encode("utf-8"))


def test_a_feed_author_is_kept_as_a_display_name_never_as_an_e_mail_address():
    records = list(spider("tianning_gov").parse_feed(rss_with_authors(
        "<author>user0@example.com (张三0)</author>", "<author>user1@example.com</author>",
        "<author>user2@example.com, user3@example.com</author>", "<author>天宁区融媒体中心</author>")))
    assert [record.author for record in records] == ["张三0", None, None, "天宁区融媒体中心"]
    assert [json.loads(record.raw).get("author") for record in records] == ["张三0", None, None, "天宁区融媒体中心"]
    assert not any("@" in record.raw for record in records)


def test_a_broken_feed_is_a_parse_failure_not_an_empty_source():
    broken = spider("tianning_gov")
    body = TextResponse(url=render.FEED_URL, body=b"<html><body>502 Bad Gateway</body>", encoding="utf-8")
    assert list(broken.parse_feed(body)) == []
    assert broken.stats["yuqing/parse_failures"] + broken.stats["yuqing/empty_pages"] == 1


def test_list_page_requests_detail_pages_inside_the_window_only():
    requests = list(spider("tianning_yjj").parse_list(page(render.LIST_URL)))
    want = items("tianning_yjj")
    assert [r.url for r in requests] == [render.notice_url(i) for i in want]
    assert [r.cb_kwargs["listed"].title for r in requests] == [i["title"] for i in want]  # from the title attribute


def test_detail_page_gives_title_text_author_and_the_regex_date():
    yjj = spider("tianning_yjj")
    for request in yjj.parse_list(page(render.LIST_URL)):
        [record] = yjj.parse_detail(page(request.url, **request.cb_kwargs), **request.cb_kwargs)
        item = next(i for i in ITEMS if render.notice_url(i) == request.url)
        assert record == expected(item, "tianning_yjj", request.url, stable_id(request.url), record.raw)
        assert '<p>' in record.raw


def test_a_detail_page_without_the_body_selector_is_a_parse_failure():
    yjj = spider("tianning_yjj")
    [request] = list(yjj.parse_list(page(render.LIST_URL)))[:1]
    changed = HtmlResponse(url=request.url, body="<html><body><h1>改版</h1></body></html>".encode(), encoding="utf-8")
    assert list(yjj.parse_detail(changed, **request.cb_kwargs)) == []
    assert yjj.stats["yuqing/parse_failures"] == 1


@pytest.mark.parametrize("source", [
    {"spider": "generic"},
    {"spider": "generic", "list_page": {"url": "https://www.tianning.gov.cn/sample/", "item": "li"}},
])
def test_a_generic_source_needs_a_feed_or_both_selector_sets(source):
    with pytest.raises(ConfigError, match="feed_url, or both list_page and detail_page"):
        config_from_mapping({"sources": {"gov": source}})


def test_selector_sections_reject_unknown_keys():
    source = {"spider": "generic", "list_page": {"url": "https://x/", "item": "li", "titel": "a"},
              "detail_page": {"text": "#zoom"}}
    with pytest.raises(ConfigError, match="titel"):
        config_from_mapping({"sources": {"gov": source}})


@pytest.mark.slow
def test_replay_of_both_rounds_stores_new_items_only(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'yuqing.db'}"
    for round_no in (1, 2):
        rows = run_crawl_subprocess(["tianning_gov", "tianning_yjj"], config_path=CONFIG, db_url=db,
                                    replay_dir=FIXTURES, round_no=round_no, timeout_s=120, log_level="WARNING")
        assert [row["posts_new"] for row in rows] == [
            len([i for i in ITEMS if i["source"] == s and i["round"] == round_no and not i.get("old")])
            for s in ("tianning_gov", "tianning_yjj")]
    with open_database(db).session() as session:
        stored = {(post.source, post.title) for post in iter_posts(session)}
    assert stored == {(i["source"], i["title"]) for i in ITEMS if not i.get("old")}


@pytest.mark.slow
def test_a_crawl_that_finds_nothing_new_is_ok_not_empty(tmp_path: Path):
    """Only a source that lists nothing at all (blocked, changed layout) is a health warning."""
    db = f"sqlite:///{tmp_path / 'yuqing.db'}"
    runs = [run_crawl_subprocess(["tianning_gov", "tianning_yjj"], config_path=CONFIG, db_url=db,
                                 replay_dir=FIXTURES, round_no=1, timeout_s=120, log_level="WARNING")
            for _ in range(2)]
    assert [(row["status"], row["posts_new"] > 0) for row in runs[0]] == [("ok", True), ("ok", True)]
    assert [(row["status"], row["posts_new"], row["warnings"]) for row in runs[1]] == [("ok", 0, [])] * 2


def test_committed_fixtures_are_what_the_renderer_writes(tmp_path: Path):
    render.render(ITEMS, tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written and all((tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes() for name in written)
