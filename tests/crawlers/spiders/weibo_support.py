"""Helpers for the weibo spider tests: the corpus, the fixture manifest, spiders and responses built from fixtures."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.http import Request, TextResponse

from config import load_config
from crawlers.fixtures import Fixture, load_manifest
from crawlers.spiders.weibo import WeiboSpider
from storage.records import EngagementSighting, PostRecord

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures"
WEIBO = FIXTURES / "weibo"
REAL = WEIBO / "real"
CORPUS = FIXTURES / "corpus" / "posts.jsonl"
CAPTURED_AT = {1: datetime.fromisoformat("2026-11-20T10:00:00+08:00"),
               2: datetime.fromisoformat("2026-11-21T10:00:00+08:00")}


def corpus_lines(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The weibo lines of the labelled corpus."""
    lines = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [line for line in lines if line.get("source") == "weibo"]


def corpus_by_id() -> dict[str, dict[str, Any]]:
    return {line["id"]: line for line in corpus_lines()}


def spider(round_no: int = 1, known: Iterable[str] = (), now: datetime | None = None) -> WeiboSpider:
    """A configured spider without a crawler (stats in ``spider.stats``), as of a round's capture time."""
    return WeiboSpider.for_config(load_config(), now or CAPTURED_AT[round_no], known_ids=set(known))


def manifest_fixtures(round_no: int, contains: str = "") -> list[Fixture]:
    """A round's own responses whose URL contains ``contains``, in manifest order."""
    manifest = load_manifest(FIXTURES, "weibo")
    return [fixture for fixture in manifest.rounds[round_no].responses.values() if contains in fixture.url]


def fixture_for(url: str, round_no: int = 1) -> Fixture:
    fixture = load_manifest(FIXTURES, "weibo").lookup("GET", url, round_no)
    assert fixture is not None, f"no fixture for {url}"
    return fixture


def response_of(fixture: Fixture, **cb_kwargs: Any) -> TextResponse:
    """The response a download of the fixture's URL would give (status and body as recorded)."""
    request = Request(fixture.url, cb_kwargs=cb_kwargs)
    return TextResponse(fixture.url, status=fixture.status, body=fixture.file.read_bytes(), request=request,
                        headers=fixture.headers, encoding="utf-8")


def text_response(url: str, body: bytes | str, status: int = 200, **cb_kwargs: Any) -> TextResponse:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return TextResponse(url, status=status, body=raw, request=Request(url, cb_kwargs=cb_kwargs), encoding="utf-8")


def split(items: Iterable[Any]) -> tuple[list[PostRecord], list[EngagementSighting], list[Request]]:
    """Records, sightings and follow-up requests, in the order yielded."""
    items = list(items)
    return ([i for i in items if isinstance(i, PostRecord)], [i for i in items if isinstance(i, EngagementSighting)],
            [i for i in items if isinstance(i, Request)])


def real_json(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))
