"""A small 化龙巷 corpus for the spider tests, and helpers to answer requests from the pages rendered from it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import HtmlResponse

from config import load_config
from crawlers.fixtures import Manifest, load_manifest
from crawlers.spiders.hualongxiang import HualongxiangSpider
from scripts.fixturegen import hualongxiang as render

TZ = ZoneInfo("Asia/Shanghai")
ROUND1 = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)
ROUND2 = datetime(2026, 11, 21, 10, 0, tzinfo=TZ)


def thread(tid: str, published: str, title: str, text: str, board: str = "103", **extra: Any) -> dict[str, Any]:
    base = {"id": tid, "source": "hualongxiang", "kind": "thread", "round": 1, "title": title, "text": text,
            "author": "龙城网友", "author_uid": "500001", "published_at": published, "old": False,
            "reposts": None, "comments": 3, "likes": None, "views": 200, "round2": None, "board": board}
    return base | extra


CORPUS = [
    thread("15200001", "2026-11-20T09:40:00+08:00", "红梅新村一楼厨房着火，消防车来了三辆",
           "刚才红梅新村12幢一楼厨房着火，冒了好多黑烟。\n消防车来了三辆，十分钟左右就扑灭了。",
           author="红梅老住户", author_uid="512233", comments=12, views=860,
           round2={"reposts": None, "comments": 20, "likes": None, "views": 1500}),
    thread("15200002", "2026-11-20T08:15:30+08:00", "青龙街道某小区燃气泄漏，物业已疏散",
           "早上七点多闻到很重的燃气味，物业挨家敲门让大家下楼。\n燃气公司的人已经到了，正在排查。\n大家出门注意别用明火。",
           author="青龙小王", author_uid="523344", comments=5, views=430,
           round2={"reposts": None, "comments": 9, "likes": None, "views": 777}),
    thread("15200003", "2026-11-19T21:05:00+08:00", "雕庄一带下水道返臭好几天了",
           "雕庄路那边下水道返臭好几天了，晚上开窗都不行。\n不是燃气味，是下水道的味道。\n打了12345说会派人来看。",
           author="雕庄居民", author_uid="534455", comments=2, views=212),
    thread("15200004", "2026-11-18T11:30:00+08:00", "业主群里说地下车库漏水", "地下车库B区顶上一直滴水，物业说不是燃气管道的问题。\n有没有同小区的一起找物业？",
           board="1261", author="业主老李", author_uid="545566", comments=0, views=96),
    thread("15200005", "2026-11-18T10:40:00+08:00", "周末去哪吃？推荐几家龙城美食", "南大街那几家老店还在吗？",
           comments=1, views=75),
    thread("15100001", "2026-11-14T08:00:00+08:00", "小区燃气管道检修通知（旧帖）", "燃气公司上门检修。\n请业主留人在家。",
           old=True, comments=2, views=50),
    thread("15100002", "2026-11-12T20:30:00+08:00", "车位出租", "地下车位出租，月租300。", board="1261", old=True),
    thread("15200101", "2026-11-21T09:20:00+08:00", "兰陵路化工厂夜里有刺鼻异味", "昨晚十一点多开始有刺鼻异味。\n有没有人知道是哪家厂？",
           round=2, author="兰陵夜猫", author_uid="556677", comments=7, views=300),
    thread("15200102", "2026-11-20T16:45:00+08:00", "小区消防通道被私家车堵死", "消防通道天天停满车，物业也不管。",
           round=2, board="1261", author="业主老李", author_uid="545566", comments=2, views=120),
]
BY_ID = {post["id"]: post for post in CORPUS}
CHALLENGED, WRONG_CHARSET = "15200001", "15200003"  # the newest and the 3rd newest round-1 thread of board 103


def render_into(root: Path, board_rows: int | None = None) -> Manifest:
    """Render CORPUS into ``root/hualongxiang`` (optionally with fewer rows per board page) and load it."""
    render.render(CORPUS, root / "hualongxiang", board_rows=board_rows or render.BOARD_ROWS)
    return load_manifest(root, "hualongxiang")


def respond(manifest: Manifest, url: str, round_no: int = 1, **cb_kwargs: Any) -> HtmlResponse:
    """The fixture's response as a download would give it: Scrapy detects the encoding itself."""
    fixture = manifest.lookup("GET", url, round_no)
    assert fixture is not None, url
    return HtmlResponse(url=url, status=fixture.status, headers=fixture.headers, body=fixture.file.read_bytes(),
                        request=scrapy.Request(url, cb_kwargs=cb_kwargs))


def spider(now: datetime = ROUND1, known: set[str] = frozenset(), **overlay: list[str]) -> HualongxiangSpider:
    built = HualongxiangSpider.for_config(load_config(), now=now, known_ids=known)
    built.boards = overlay.get("boards", ["103", "1261", "400"])
    built.keywords = overlay.get("keywords", render.KEYWORDS)
    return built
