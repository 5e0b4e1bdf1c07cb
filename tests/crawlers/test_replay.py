"""Replay: requests matched to recorded responses (volatile parameters, round fallback), missing ones counted."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from crawl_support import CAPTURED_1, CAPTURED_2, Page, write_fixture_set
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawlers.fixtures import ManifestError, load_manifest, request_key
from crawlers.middlewares.replay import ReplayMiddleware

SEARCH = "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D61%26q%3D%E5%A4%A9%E5%AE%81&page=2"


def test_request_key_ignores_query_order_volatile_params_fragments_and_host_case() -> None:
    same = [
        SEARCH,
        "https://M.WEIBO.CN/api/container/getIndex?page=2&containerid=100103type%3D61%26q%3D%E5%A4%A9%E5%AE%81&_=17",
        "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D61%26q%3D天宁&page=2&_signature=x#top",
    ]
    assert len({request_key("GET", url) for url in same}) == 1
    assert request_key("GET", SEARCH) != request_key("GET", SEARCH.replace("page=2", "page=3"))
    assert request_key("GET", SEARCH) != request_key("POST", SEARCH)
    assert request_key("GET", SEARCH + "&t=1", frozenset({"t"})) == request_key("GET", SEARCH, frozenset({"t"}))


@pytest.fixture
def manifest_dir(tmp_path: Path) -> Path:
    return write_fixture_set(tmp_path, "weibo", {
        1: (CAPTURED_1, {"keywords": ["天宁 火灾"]}, [
            Page("https://m.weibo.cn/robots.txt", "User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
            Page(SEARCH, '{"ok": 1, "v": 1}', headers={"Content-Type": "application/json"}),
            Page("https://h.example/gbk", '<meta charset="gbk"><p>燃气泄漏</p>'.encode("gbk"),
                 headers={"Content-Type": "text/html"}),
            Page("https://h.example/old", "", status=302, headers={"Location": "https://h.example/new"}),
        ]),
        2: (CAPTURED_2, {}, [Page(SEARCH + "&t=9", '{"ok": 1, "v": 2}', headers={"Content-Type": "application/json"})]),
    })


def test_a_round_prefers_its_own_responses_then_falls_back_to_earlier_rounds(manifest_dir: Path) -> None:
    manifest = load_manifest(manifest_dir, "weibo")

    assert manifest.lookup("GET", SEARCH + "&_=1", 1).file.read_bytes() == b'{"ok": 1, "v": 1}'
    assert manifest.lookup("GET", SEARCH, 2).file.read_bytes() == b'{"ok": 1, "v": 2}'  # t is volatile here
    assert manifest.lookup("GET", "https://m.weibo.cn/robots.txt", 2) is not None  # from round 1
    assert manifest.lookup("GET", "https://m.weibo.cn/nothing", 2) is None
    assert manifest.current(3).number == 2  # a later round than recorded replays the newest one


def test_two_recorded_urls_with_one_request_key_both_replay_the_later_recording(tmp_path: Path) -> None:
    first, later = SEARCH + "&t=1", SEARCH + "&t=2"  # t is volatile: one request key
    write_fixture_set(tmp_path, "weibo", {1: (CAPTURED_1, {}, [Page(first, "first"), Page(later, "later")])})
    manifest = load_manifest(tmp_path, "weibo")

    assert [manifest.lookup("GET", url, 1).file.read_bytes() for url in (first, later, SEARCH)] == [b"later"] * 3


def test_the_round_config_overlays_the_recorded_keywords(manifest_dir: Path) -> None:
    manifest = load_manifest(manifest_dir, "weibo")
    assert manifest.config_overlay(2) == {"keywords": ["天宁 火灾"]}
    assert manifest.current(2).captured_at.isoformat() == CAPTURED_2


def test_a_missing_or_malformed_manifest_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no fixture manifest"):
        load_manifest(tmp_path, "weibo")
    (tmp_path / "weibo").mkdir()
    (tmp_path / "weibo" / "manifest.json").write_text('{"rounds": {"1": {}}}')
    with pytest.raises(ManifestError, match="malformed"):
        load_manifest(tmp_path, "weibo")


@pytest.fixture
def middleware(manifest_dir: Path, crawler_for) -> ReplayMiddleware:
    crawler = crawler_for({"YUQING_REPLAY_DIR": str(manifest_dir), "YUQING_REPLAY_ROUND": 1})
    crawler.spider.source = "weibo"
    replay = ReplayMiddleware.from_crawler(crawler)
    replay.spider_opened(crawler.spider)
    return replay


def test_replayed_responses_are_the_classes_a_live_download_gives(middleware: ReplayMiddleware) -> None:
    json_response = middleware.process_request(Request(SEARCH + "&_=99"))
    html_response = middleware.process_request(Request("https://h.example/gbk"))

    assert isinstance(json_response, TextResponse) and json_response.json() == {"ok": 1, "v": 1}
    assert json_response.url == SEARCH + "&_=99" and "replay" in json_response.flags
    assert isinstance(html_response, HtmlResponse)
    assert html_response.encoding in ("gbk", "gb18030") and "燃气泄漏" in html_response.text


def test_a_recorded_redirect_keeps_its_status_and_location(middleware: ReplayMiddleware) -> None:
    response = middleware.process_request(Request("https://h.example/old"))
    assert (response.status, response.headers[b"Location"]) == (302, b"https://h.example/new")


def test_a_request_without_fixture_is_a_counted_error_naming_the_url(
    middleware: ReplayMiddleware, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(IgnoreRequest):
        middleware.process_request(Request("https://h.example/unrecorded?id=7"))

    assert middleware.crawler.stats.get_value("yuqing/replay_missing") == 1
    assert "https://h.example/unrecorded?id=7" in caplog.text


def test_the_middleware_replays_from_the_manifest_its_spider_already_read(manifest_dir: Path, crawler_for) -> None:
    crawler = crawler_for({"YUQING_REPLAY_DIR": str(manifest_dir), "YUQING_REPLAY_ROUND": 1})
    crawler.spider.source = "weibo"
    crawler.spider.replay_manifest = load_manifest(manifest_dir, "weibo")
    replay = ReplayMiddleware.from_crawler(crawler)
    replay.spider_opened(crawler.spider)

    assert replay.manifest is crawler.spider.replay_manifest
    assert replay.process_request(Request(SEARCH)).json() == {"ok": 1, "v": 1}
