"""The committed fixtures/hualongxiang/ set: every page parses back to the corpus lines it was rendered from."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from protego import Protego
from scrapy.http import HtmlResponse

from crawlers.fixtures import Fixture, load_manifest
from crawlers.parsing.encoding import redecoded
from crawlers.parsing.dates import parse_date
from crawlers.spiders.hualongxiang_parse import (
    is_security_verify,
    parse_board_page,
    parse_search_page,
    parse_thread_page,
)

ROOT = Path(__file__).resolve().parents[3]
TZ = ZoneInfo("Asia/Shanghai")
MANIFEST = load_manifest(ROOT / "fixtures", "hualongxiang")
CORPUS = {post["id"]: post for post in map(json.loads, (ROOT / "fixtures" / "corpus" / "posts.jsonl").open(
    encoding="utf-8")) if post["source"] == "hualongxiang"}


def pages(kind: str) -> list[tuple[int, Fixture]]:
    """(round, fixture) of every recorded page whose URL contains ``kind``."""
    return [(number, fixture) for number, round_ in sorted(MANIFEST.rounds.items())
            for fixture in round_.responses.values() if kind in fixture.url]


def respond(fixture: Fixture) -> HtmlResponse:
    return HtmlResponse(url=fixture.url, headers=fixture.headers, body=fixture.file.read_bytes())


def as_seen(post: dict[str, Any], round_no: int) -> tuple[int | None, int | None]:
    """(replies, views) the pages of ``round_no`` show."""
    counts = post["round2"] if round_no == 2 and post["round"] == 1 and post["round2"] else post
    return counts["comments"], counts["views"]


def test_every_corpus_thread_of_round_one_has_a_page_or_the_challenge():
    round1 = {fixture.url for fixture in MANIFEST.rounds[1].responses.values() if "/read.php?tid=" in fixture.url}
    assert round1 == {f"https://www.hualongxiang.com/read.php?tid={tid}" for tid, post in CORPUS.items()
                      if post["round"] == 1}


@pytest.mark.parametrize("round_no, fixture", pages("/read.php?tid="), ids=lambda v: getattr(v, "url", str(v)))
def test_thread_pages_parse_to_their_corpus_line(round_no: int, fixture: Fixture):
    response = respond(fixture)
    if is_security_verify(response):
        assert round_no == 1 and b"srcurl=" in fixture.headers["Set-Cookie"].encode()
        return
    response = redecoded(response) or response
    page = parse_thread_page(response)
    post = CORPUS[fixture.url.rsplit("=", 1)[1]]
    assert (page.title, page.text, page.author, page.author_id) == (
        post["title"], post["text"], post["author"], post["author_uid"])
    captured = MANIFEST.rounds[round_no].captured_at
    assert parse_date(page.published_text, captured, TZ) == datetime.fromisoformat(post["published_at"])
    assert (page.replies, page.views) == as_seen(post, round_no)


def test_exactly_one_thread_page_declares_the_wrong_charset():
    wrong = [fixture for _, fixture in pages("/read.php?tid=") if redecoded(respond(fixture)) is not None]
    assert len(wrong) == 1 and b"charset=utf-8" in wrong[0].file.read_bytes()[:400]


@pytest.mark.parametrize("round_no, fixture", pages("/thread.php?"), ids=lambda v: getattr(v, "url", str(v)))
def test_board_pages_list_their_threads_with_round_counts(round_no: int, fixture: Fixture):
    listing = parse_board_page(respond(fixture), 1)
    if "fid=400" in fixture.url:  # the hand-written redesigned (JS-rendered) board
        assert listing.threads == []
        return
    threads = [thread for thread in listing.threads if not thread.pinned]
    assert threads
    for thread in threads:
        post = CORPUS[thread.tid]
        assert (thread.title, thread.author, thread.date_text) == (post["title"], post["author"],
                                                                    post["published_at"][:10])
        assert (thread.replies, thread.views) == as_seen(post, round_no)


@pytest.mark.parametrize("round_no, fixture", pages("so.hualongxiang.com/"), ids=lambda v: getattr(v, "url", str(v)))
def test_search_pages_show_times_within_their_precision(round_no: int, fixture: Fixture):
    if fixture.url.endswith("robots.txt"):
        return
    listing = parse_search_page(respond(fixture), 1)
    captured = MANIFEST.rounds[round_no].captured_at
    assert listing.total is not None and listing.total >= len(listing.threads)
    for thread in listing.threads:
        post = CORPUS[thread.tid]
        shown = parse_date(thread.date_text, captured, TZ)
        assert timedelta(0) <= shown - datetime.fromisoformat(post["published_at"]) < timedelta(hours=1)
        assert (thread.title, thread.author) == (post["title"], post["author"])
        assert (thread.replies, thread.views) == as_seen(post, round_no)


def test_search_pages_mix_relative_and_absolute_times():
    listings = [parse_search_page(respond(fixture), 1) for _, fixture in pages("keyword=")]
    shown = [thread.date_text for listing in listings for thread in listing.threads]
    assert any("小时前" in text for text in shown) and any(text.startswith("昨天") for text in shown)
    assert any(text.startswith("2026-11-") for text in shown)


def test_robots_txt_allows_every_recorded_url():
    robots = {host: Protego.parse(MANIFEST.lookup("GET", f"{host}/robots.txt", 1).file.read_text())
              for host in ("https://www.hualongxiang.com", "http://so.hualongxiang.com")}
    for _, fixture in pages("hualongxiang.com"):
        host = next(h for h in robots if fixture.url.startswith(h))
        assert robots[host].can_fetch(fixture.url, "yuqing"), fixture.url


def test_round_configs_name_every_board_and_the_keywords():
    for round_ in MANIFEST.rounds.values():
        assert round_.config["boards"][0] == "103" and "400" in round_.config["boards"]
        assert {str(post["board"]) for post in CORPUS.values()} <= set(round_.config["boards"])
        assert "燃气" in round_.config["keywords"]
