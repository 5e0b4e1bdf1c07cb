"""Shared by the 中吴网 tests: the committed fixtures, their corpus lines, and responses built from them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import HtmlResponse

from crawlers.fixtures import Manifest, load_manifest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures"
SPECIAL = FIXTURES / "zhong5" / "special"


def corpus() -> dict[str, dict[str, Any]]:
    lines = (FIXTURES / "corpus" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    posts = (json.loads(line) for line in lines if line.strip())
    return {post["id"]: post for post in posts if post["source"] == "zhong5"}


def manifest() -> Manifest:
    return load_manifest(FIXTURES, "zhong5")


def captured(round_no: int) -> datetime:
    return manifest().rounds[round_no].captured_at


def respond(url: str, round_no: int = 1, method: str = "GET") -> HtmlResponse:
    """The committed fixture answering ``method url`` in ``round_no``, as Scrapy would hand it to a callback."""
    fixture = manifest().lookup(method, url, round_no)
    assert fixture is not None, f"no fixture for {method} {url} in round {round_no}"
    return HtmlResponse(url=url, status=fixture.status, headers=fixture.headers, body=fixture.file.read_bytes(),
                        request=scrapy.Request(url, method=method))


def special(name: str, url: str = "http://www.zhong5.cn/search.php?mod=forum") -> HtmlResponse:
    return HtmlResponse(url=url, body=(SPECIAL / name).read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})


def published(post: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(post["published_at"])
