"""The weibo spider on its fixture pages: records as the corpus says, window/paging, long text, reposts, blocks."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit
from datetime import datetime, timedelta

import pytest
from protego import Protego
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from twisted.python.failure import Failure

from config import load_config
from crawlers import settings as crawl_settings
from crawlers.spiders.weibo import WeiboSpider
from crawlers.spiders.weibo_parse import extend_url, flatten_cards, search_url
from storage.authors import author_ref
from storage.records import PostRecord
from weibo_support import (
    WEIBO,
    corpus_by_id,
    fixture_for,
    manifest_fixtures,
    response_of,
    split,
    spider,
    text_response,
)

CORPUS = corpus_by_id()
LEGACY_KEYWORD = "天宁 燃气"


def shown(count: int | None) -> int:
    """A count as m.weibo.cn shows it: exact under 1万, to 0.1万 below a million, then "100万+"."""
    count = count or 0
    return count if count < 10_000 else min(count // 1000 * 1000, 1_000_000)


def search_pages(round_no: int) -> list:
    """A round's search answers that list posts (``ok:1`` with cards)."""
    pages = []
    for fixture in manifest_fixtures(round_no, "getIndex"):
        try:
            data = json.loads(fixture.file.read_bytes())
        except ValueError:  # the 432 page and the truncated page
            continue
        if data.get("ok") == 1:
            pages.append(fixture)
    return pages


def keyword_in(url: str) -> str:
    """The keyword a search URL asks for (the ``q`` inside ``containerid``)."""
    return parse_qs(urlsplit(url).query)["containerid"][0].split("&q=", 1)[1]


def parse_page(fixture, weibo: WeiboSpider, depth: int = 1):
    return split(weibo.parse_search(response_of(fixture), keyword=keyword_in(fixture.url), depth=depth))


def expected_counts(post: dict, round_no: int) -> tuple:
    counts = post["round2"] if round_no == 2 and post.get("round2") else post
    return shown(counts["reposts"]), shown(counts["comments"]), shown(counts["likes"]), None


def cards_of(fixture) -> dict[str, dict]:
    data = json.loads(fixture.file.read_bytes())
    return {card["mblog"]["id"]: card for card in flatten_cards(data["data"]["cards"])}


def is_legacy(fixture) -> bool:
    return any("+0800" not in card["mblog"]["created_at"] for card in cards_of(fixture).values())


# -- records from the search pages --------------------------------------------------------------------------

@pytest.mark.parametrize("round_no", [1, 2])
def test_every_post_on_the_rfc_dated_pages_is_the_corpus_post(round_no):
    weibo = spider(round_no)
    checked = 0
    for fixture in search_pages(round_no):
        if is_legacy(fixture):
            continue
        records, _, _ = parse_page(fixture, weibo)
        for record in records:
            post = CORPUS[record.id]
            assert (record.source, record.url, record.title) == ("weibo", f"https://m.weibo.cn/detail/{record.id}", "")
            assert (record.text, record.author, record.author_id) == (post["text"], post["author"], post["author_uid"])
            assert record.published_at.isoformat() == post["published_at"]
            assert record.counts() == expected_counts(post, round_no)
            assert record.truncated is False and record.published_at >= weibo.window_start
            checked += 1
    assert checked >= 10
    assert weibo.stats.get("yuqing/parse_failures", 0) == 0


def test_the_raw_evidence_is_the_card_json_with_its_author_as_name_and_ref():
    fixture = search_pages(1)[0]
    records, _, _ = parse_page(fixture, spider(1))
    card = json.loads(records[0].raw)
    assert card["card_type"] == 9 and card["mblog"]["mid"] == records[0].id
    assert card["mblog"]["user"] == {"screen_name": records[0].author, "id": author_ref(records[0].author_id)}


def test_the_2019_style_page_reads_relative_dates_against_the_capture_time():
    (fixture,) = [f for f in search_pages(1) if is_legacy(f)]
    assert fixture.url == search_url(LEGACY_KEYWORD, 1)
    cards = cards_of(fixture)
    styles = {card["mblog"]["created_at"] for card in cards.values()}
    assert any(s.endswith("小时前") for s in styles) and any(s.startswith("昨天 ") for s in styles)
    assert all("region_name" not in card["mblog"] for card in cards.values())
    records, _, requests = parse_page(fixture, spider(1))
    long_ids = {request.cb_kwargs["mblog"]["mid"] for request in requests if "extend" in request.url}
    assert {record.id for record in records} | long_ids == set(cards)
    for record in records:
        created_at, truth = cards[record.id]["mblog"]["created_at"], CORPUS[record.id]["published_at"]
        published = record.published_at.isoformat()
        if created_at.startswith("昨天 "):
            assert published == truth
        else:  # "N小时前" / "N分钟前" count back from 2026-11-20 10:00 in whole units
            assert timedelta(0) <= record.published_at - datetime.fromisoformat(truth) < timedelta(hours=1)


def test_string_counters_are_read_as_numbers():
    strings = []
    for fixture in search_pages(1) + search_pages(2):
        round_no = 1 if "/r1/" in str(fixture.file) else 2
        records, _, _ = parse_page(fixture, spider(round_no))
        cards = cards_of(fixture)
        for record in (r for r in records if r.id in cards):
            mblog = cards[record.id]["mblog"]
            for key, value in zip(("reposts_count", "comments_count", "attitudes_count"), record.counts()):
                if isinstance(mblog[key], str):
                    strings.append((mblog[key], value))
    assert strings, "the fixtures must show some counters as strings"
    for text, value in strings:
        expected = 1_000_000 if text == "100万+" else round(float(text.removesuffix("万")) * 10_000)
        assert value == expected


# -- the window and paging ----------------------------------------------------------------------------------

def test_a_page_reaching_posts_older_than_the_window_ends_the_keyword():
    weibo = spider(1)
    stopping = [f for f in search_pages(1) if any(
        CORPUS[mid]["published_at"] < weibo.window_start.isoformat() for mid in cards_of(f))]
    assert stopping, "some round-1 keyword must end on old posts"
    for fixture in stopping:
        records, _, requests = parse_page(fixture, weibo)
        assert all(record.published_at >= weibo.window_start for record in records)
        assert not any(CORPUS[record.id]["old"] for record in records)
        assert not [r for r in requests if "getIndex" in r.url]


def test_an_in_window_page_asks_for_the_next_one_until_max_pages():
    weibo = spider(1)
    fixture = next(f for f in search_pages(1)
                   if f.url.endswith("page=1") and fixture_exists(f.url.replace("page=1", "page=2")))
    _, _, requests = parse_page(fixture, weibo)
    (next_page,) = [r for r in requests if "getIndex" in r.url]
    assert next_page.url == fixture.url.replace("page=1", "page=2")
    assert next_page.cb_kwargs["depth"] == 2
    _, _, at_limit = parse_page(fixture, weibo, depth=weibo.max_pages)
    assert not [r for r in at_limit if "getIndex" in r.url]


def fixture_exists(url: str) -> bool:
    return any(f.url == url for f in manifest_fixtures(1, "getIndex"))


def test_the_end_of_results_page_yields_nothing_and_is_not_an_empty_page():
    weibo = spider(1)
    ends = [f for f in manifest_fixtures(1, "getIndex") if b"\xe8\xbf\x99\xe9\x87\x8c\xe8\xbf\x98" in f.file.read_bytes()]
    assert ends
    assert list(weibo.parse_search(response_of(ends[0]), keyword="kw", depth=2)) == []
    assert weibo.stats.get("yuqing/empty_pages", 0) == 0 and weibo.stats.get("yuqing/parse_failures", 0) == 0


def test_a_page_without_post_cards_is_reported_empty():
    weibo = spider(1)
    body = json.dumps({"ok": 1, "data": {"cardlistInfo": {"page": 2}, "cards": [{"card_type": 22, "pic": "x"}]}})
    items = list(weibo.parse_search(text_response(search_url("天宁 火灾", 1), body), keyword="天宁 火灾", depth=1))
    assert weibo.stats["yuqing/empty_pages"] == 1
    assert [r.url for r in items] == [search_url("天宁 火灾", 2)]


def test_a_truncated_json_page_is_a_counted_parse_failure():
    weibo = spider(1)
    (fixture,) = [f for f in manifest_fixtures(1, "getIndex") if f.file.name == "search_truncated.json"]
    assert weibo.blocked_reason(response_of(fixture)) is None
    assert list(weibo.parse_search(response_of(fixture), keyword="常州 溺水", depth=1)) == []
    assert weibo.stats["yuqing/parse_failures"] == 1


# -- known posts ---------------------------------------------------------------------------------------------

def test_known_posts_give_sightings_with_their_counts_and_no_extend_request():
    page = search_pages(2)[0]
    weibo = spider(2, known=CORPUS)
    records, sightings, requests = parse_page(page, weibo)
    in_window = {mid for mid in cards_of(page) if CORPUS[mid]["published_at"] >= weibo.window_start.isoformat()}
    assert records == [] and not [r for r in requests if "extend" in r.url]
    assert in_window and in_window <= {s.id for s in sightings}
    for sighting in sightings:
        assert sighting.counts() == expected_counts(CORPUS[sighting.id], 2)


# -- long posts ----------------------------------------------------------------------------------------------

def long_posts(round_no: int) -> list[tuple]:
    """(search page, mid) of the round's long posts inside the window."""
    found = []
    for fixture in search_pages(round_no):
        for mid, card in cards_of(fixture).items():
            if card["mblog"]["isLongText"] and not CORPUS[mid]["old"]:
                found.append((fixture, mid))
    return found


def extend_request_for(mid: str, round_no: int = 1) -> Request:
    fixture, _ = next((f, m) for f, m in long_posts(round_no) if m == mid)
    _, _, requests = parse_page(fixture, spider(round_no))
    (request,) = [r for r in requests if r.url == extend_url(mid)]
    return request


def test_a_long_post_is_fetched_from_extend_and_stored_whole():
    weibo = spider(1)
    mid = next(m for _, m in long_posts(1) if fixture_for(extend_url(m)).file.suffix == ".json")
    request = extend_request_for(mid)
    assert request.headers[b"Referer"] == f"https://m.weibo.cn/detail/{mid}".encode()
    fixture = fixture_for(request.url)
    (record,) = weibo.parse_extend(response_of(fixture, **request.cb_kwargs), **request.cb_kwargs)
    assert (record.id, record.text, record.truncated) == (mid, CORPUS[mid]["text"], False)
    assert record.published_at.isoformat() == CORPUS[mid]["published_at"]


def test_the_visitor_page_on_extend_keeps_the_abstract_and_counts_a_challenge():
    weibo = spider(1)
    visitor = [(f, m) for f, m in long_posts(1) if fixture_for(extend_url(m)).file.name == "extend_visitor_system.html"]
    assert len(visitor) >= 1
    request = extend_request_for(visitor[0][1])
    response = response_of(fixture_for(request.url), **request.cb_kwargs)
    assert weibo.blocked_reason(response) is None
    (record,) = weibo.parse_extend(response, **request.cb_kwargs)
    full = CORPUS[record.id]["text"]
    assert record.truncated is True and full.startswith(record.text) and len(record.text) < len(full)
    assert "全文" not in record.text
    assert weibo.stats["yuqing/challenges"] == 1


def test_a_failed_extend_request_still_stores_the_abstract():
    mid = long_posts(1)[-1][1]
    request = extend_request_for(mid)
    try:
        raise IgnoreRequest("blocked (http_432)")
    except IgnoreRequest:
        failure = Failure()
    failure.request = request
    (record,) = spider(1).extend_failed(failure)
    assert record.id == mid and record.truncated is True and CORPUS[mid]["text"].startswith(record.text)


# -- reposts -------------------------------------------------------------------------------------------------

def test_a_repost_is_its_own_post_and_its_recent_original_is_yielded_too():
    weibo = spider(1)
    seen = 0
    for fixture in search_pages(1):
        records, _, requests = parse_page(fixture, weibo)
        ids = {r.id for r in records} | {r.url.rsplit("=", 1)[1] for r in requests if "extend" in r.url}
        for record in records:
            post = CORPUS[record.id]
            if post["kind"] != "repost":
                continue
            seen += 1
            assert record.text == post["text"]
            original = CORPUS.get(post["repost_of"] or "")
            recent = original is not None and original["published_at"] >= weibo.window_start.isoformat()
            assert (post["repost_of"] in ids) == recent
    assert seen >= 1


# -- blocked answers and requests ----------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "round_no", "reason"), [
    ("captcha_ok-100.json", 1, "captcha"), ("http432.html", 1, "http_432"), ("login_wall_ok-100.json", 2, "login_wall"),
])
def test_blocked_fixtures_are_recognised(file, round_no, reason):
    (fixture,) = [f for f in manifest_fixtures(round_no, "getIndex") if f.file.name == file]
    assert spider(round_no).blocked_reason(response_of(fixture)) == reason


def test_the_visitor_page_instead_of_a_search_answer_is_blocked():
    body = (WEIBO / "special" / "extend_visitor_system.html").read_bytes()
    assert spider(1).blocked_reason(text_response(search_url("天宁 火灾", 1), body)) == "visitor_system"


def test_432_reaches_the_blocked_middleware_and_is_never_retried():
    assert 432 in WeiboSpider.handle_httpstatus_list
    assert 432 not in crawl_settings.RETRY_HTTP_CODES


def test_requests_carry_the_mobile_client_headers_without_a_cookie(monkeypatch):
    monkeypatch.delenv("YUQING_WEIBO_COOKIE", raising=False)
    (request, *_) = list(spider(1).start_requests())
    assert request.url == search_url(load_config().sources["weibo"].keywords[0], 1)
    assert request.headers[b"X-Requested-With"] == b"XMLHttpRequest" and request.headers[b"MWeibo-Pwa"] == b"1"
    assert request.headers[b"Referer"].startswith(b"https://m.weibo.cn/search?containerid=100103type%3D61")
    assert b"X-XSRF-TOKEN" not in request.headers


def test_with_an_operator_cookie_the_xsrf_token_is_sent(monkeypatch):
    monkeypatch.setenv("YUQING_WEIBO_COOKIE", "SUB=_2A25abc; XSRF-TOKEN=4f1c2a; _T_WM=1")
    (request, *_) = list(spider(1).start_requests())
    assert request.headers[b"X-XSRF-TOKEN"] == b"4f1c2a"


def test_the_fixture_robots_txt_allows_the_api_paths_only():
    robots = Protego.parse((WEIBO / "special" / "robots.txt").read_text(encoding="utf-8"))
    agent = load_config().crawl.user_agent
    assert robots.can_fetch(search_url("天宁 火灾", 1), agent)
    assert robots.can_fetch(extend_url("5104221930000777"), agent)
    assert not robots.can_fetch("https://m.weibo.cn/detail/5104221930000777", agent)


def test_records_are_post_records_of_the_configured_source():
    records, _, _ = parse_page(search_pages(1)[0], spider(1))
    assert records and all(isinstance(r, PostRecord) and r.source == "weibo" and r.views is None for r in records)
