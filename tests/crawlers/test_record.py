"""Recording (``yuqing record``): live responses saved as a new fixture round, secrets stripped, replayable."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from scrapy.http import HtmlResponse, Request, Response
from scrapy.spiders import Spider

from crawlers.fixtures import load_manifest
from crawlers.middlewares.record import RecordMiddleware


def test_responses_become_a_replayable_round_without_cookies_or_keys(tmp_path: Path, crawler_for) -> None:
    crawler = crawler_for({"YUQING_RECORD_DIR": str(tmp_path)})
    recorder = RecordMiddleware.from_crawler(crawler)
    page = "<html><body>天宁</body></html>".encode()
    live = HtmlResponse("https://alpha.example/list?board=1&token=s3cret", body=gzip.compress(page), headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Set-Cookie": "SUB=secret"})
    redirect = Response("https://alpha.example/old", status=302, headers={"Location": "https://alpha.example/new"})

    recorder.process_response(Request(live.url, headers={"Cookie": "SUB=secret"}), live)
    recorder.process_response(Request(redirect.url), redirect)
    recorder.spider_closed(crawler.spider)

    text = (tmp_path / "alpha" / "manifest.json").read_text(encoding="utf-8")
    assert "secret" not in text and "s3cret" not in text
    data = json.loads(text)
    round_1 = data["rounds"]["1"]
    assert round_1["captured_at"] == "2026-11-20T10:00:00+08:00"
    assert round_1["config"] == {"keywords": ["火灾"], "boards": ["9"]}
    assert round_1["responses"][0]["url"] == "https://alpha.example/list?board=1"
    assert round_1["responses"][0]["headers"] == {"Content-Type": "text/html; charset=utf-8"}  # body stored decoded
    assert "token" in data["volatile_params"]

    manifest = load_manifest(tmp_path, "alpha")
    fixture = manifest.lookup("GET", "https://alpha.example/list?board=1&token=other", 1)
    assert fixture is not None and fixture.file.read_bytes() == page
    moved = manifest.lookup("GET", "https://alpha.example/old", 1)
    assert (moved.status, moved.headers["Location"]) == (302, "https://alpha.example/new")


def test_a_second_recording_adds_the_next_round(tmp_path: Path, crawler_for) -> None:
    for _ in range(2):
        crawler = crawler_for({"YUQING_RECORD_DIR": str(tmp_path)})
        recorder = RecordMiddleware.from_crawler(crawler)
        recorder.process_response(Request("https://alpha.example/a"), HtmlResponse(
            "https://alpha.example/a", body=b"x", headers={"Content-Type": "text/html"}))
        recorder.spider_closed(crawler.spider)

    manifest = load_manifest(tmp_path, "alpha")
    assert sorted(manifest.rounds) == [1, 2]
    assert manifest.rounds[2].responses[("GET", "https://alpha.example/a")].file.name.endswith(".html")


def test_a_spider_without_a_now_of_its_own_records_the_runs_now(tmp_path: Path, crawler_for) -> None:
    crawler = crawler_for({"YUQING_RECORD_DIR": str(tmp_path), "YUQING_NOW": "2026-11-22T09:30:00+08:00"},
                          spider=Spider(name="alpha"))
    recorder = RecordMiddleware.from_crawler(crawler)
    recorder.process_response(Request("https://alpha.example/a"), HtmlResponse(
        "https://alpha.example/a", body=b"x", headers={"Content-Type": "text/html"}))
    recorder.spider_closed(crawler.spider)

    assert load_manifest(tmp_path, "alpha").rounds[1].captured_at.isoformat() == "2026-11-22T09:30:00+08:00"
