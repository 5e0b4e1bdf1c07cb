"""Render fixtures/generic/ from its sample items: a district-government RSS feed and a list + detail site.

``fixtures/generic/items.jsonl`` holds the synthetic items (source ``tianning_gov``: the news feed;
``tianning_yjj``: the emergency-management bureau's notice list). Each source gets its own replay folder
``fixtures/generic/<source>/`` (manifest, two rounds, robots.txt), so ``yuqing replay fixtures/generic``
with a config naming those sources replays them; ``samples/atom.xml`` is the same news as an Atom feed.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

from scripts.fixturegen.manifest import CAPTURED_AT, round_entry, write_manifest

ITEMS = Path(__file__).resolve().parents[2] / "fixtures" / "generic" / "items.jsonl"
HOST = "https://www.tianning.gov.cn"
FEED_URL = f"{HOST}/rss/news.xml"
LIST_URL = f"{HOST}/sample/yjgl/tzgg/index.html"
ROBOTS = "User-agent: *\nDisallow: /admin/\nDisallow: /search/\n"
TYPES = {"xml": "application/rss+xml; charset=utf-8", "html": "text/html; charset=utf-8",
         "txt": "text/plain; charset=utf-8"}


def load_items(path: Path = ITEMS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def render(items: list[dict[str, Any]], out_dir: Path) -> None:
    """Write ``<out_dir>/tianning_gov/``, ``<out_dir>/tianning_yjj/`` and ``<out_dir>/samples/atom.xml``."""
    items = sorted(items, key=lambda item: item["published_at"], reverse=True)
    news = [item for item in items if item["source"] == "tianning_gov"]
    notices = [item for item in items if item["source"] == "tianning_yjj"]
    _source(out_dir / "tianning_gov", news, lambda shown, n: [(FEED_URL, f"r{n}/news.xml", rss(shown), "xml")])
    _source(out_dir / "tianning_yjj", notices, _notice_pages)
    (out_dir / "samples").mkdir(parents=True, exist_ok=True)
    (out_dir / "samples" / "atom.xml").write_text(atom(news), encoding="utf-8")


def _source(directory: Path, items: list[dict[str, Any]], pages: Any) -> None:
    rounds = {}
    for number in (1, 2):
        shown = [item for item in items if item["round"] <= number]
        responses = [(f"{HOST}/robots.txt", "robots.txt", ROBOTS, "txt"), *pages(shown, number)]
        for _, file, body, _ in responses:
            (directory / file).parent.mkdir(parents=True, exist_ok=True)
            (directory / file).write_text(body, encoding="utf-8")
        rounds[str(number)] = round_entry(number, {}, [
            {"method": "GET", "url": url, "file": file, "status": 200, "headers": {"Content-Type": TYPES[kind]}}
            for url, file, _, kind in responses])
    write_manifest(directory, directory.name, rounds)


def news_url(item: dict[str, Any]) -> str:
    day = item["published_at"][:10].replace("-", "/")
    return f"{HOST}/sample/news/{day}/{item['slug']}.html"


def notice_url(item: dict[str, Any]) -> str:
    return f"{HOST}/sample/yjgl/tzgg/{item['published_at'][:7].replace('-', '/')}/{item['slug']}.html"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n"))


def rss(items: list[dict[str, Any]]) -> str:
    """RSS 2.0 as a government CMS writes it: RFC 822 dates, HTML descriptions in CDATA, dc:creator."""
    entries = "\n".join(f"""<item>
<title>{escape(item["title"])}</title>
<link>{news_url(item)}</link>
<guid isPermaLink="true">{news_url(item)}</guid>
<dc:creator>{escape(item["author"])}</dc:creator>
<pubDate>{format_datetime(datetime.fromisoformat(item["published_at"]))}</pubDate>
<description><![CDATA[{_paragraphs(item["text"])}]]></description>
</item>""" for item in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>天宁区人民政府 - 新闻动态（样例）</title>
<link>{HOST}/</link>
<description>常州市天宁区人民政府门户网站新闻动态（测试样例，内容为虚构）</description>
<language>zh-cn</language>
{entries}
</channel>
</rss>
"""


def atom(items: list[dict[str, Any]]) -> str:
    """The same news as an Atom feed: RFC 3339 dates, tag: ids, HTML content."""
    entries = "\n".join(f"""<entry>
<title>{escape(item["title"])}</title>
<link rel="alternate" href="{news_url(item)}"/>
<id>tag:www.tianning.gov.cn,2026:news/{item["slug"]}</id>
<author><name>{escape(item["author"])}</name></author>
<published>{item["published_at"]}</published>
<updated>{item["published_at"]}</updated>
<content type="html">{escape(_paragraphs(item["text"]))}</content>
</entry>""" for item in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>天宁区人民政府 - 新闻动态（样例）</title>
<link rel="self" href="{HOST}/atom/news.xml"/>
<id>tag:www.tianning.gov.cn,2026:news</id>
<updated>{items[0]["published_at"] if items else CAPTURED_AT[2]}</updated>
{entries}
</feed>
"""


def _notice_pages(items: list[dict[str, Any]], number: int) -> list[tuple[str, str, str, str]]:
    pages = [(LIST_URL, f"r{number}/index.html", notice_list(items), "html")]
    return pages + [(notice_url(item), f"r{number}/{item['slug']}.html", notice_page(item), "html")
                    for item in items if item["round"] == number and not item.get("old")]


def _gov_page(title: str, content: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<title>{escape(title)}_天宁区人民政府（样例）</title>
</head>
<body>
<div class="header"><a href="{HOST}/">常州市天宁区人民政府</a> <span class="sample">测试样例站点，内容为虚构</span></div>
<div class="position">当前位置：<a href="{HOST}/">首页</a> &gt; <a href="{LIST_URL}">应急管理 · 通知公告</a></div>
{content}
<div class="footer">主办：常州市天宁区人民政府（样例） 网站标识码：0000000000</div>
</body>
</html>
"""


def notice_list(items: list[dict[str, Any]]) -> str:
    rows = "\n".join(
        f'<li><a href="{notice_url(item)[len(HOST):]}" title="{escape(item["title"])}" target="_blank">'
        f'{escape(item["title"][:18])}{"…" if len(item["title"]) > 18 else ""}</a>'
        f'<span class="date">{item["published_at"][:10]}</span></li>' for item in items)
    return _gov_page("通知公告", f'<div class="main"><h2>通知公告</h2>\n<ul class="list-news">\n{rows}\n</ul>\n</div>')


def notice_page(item: dict[str, Any]) -> str:
    moment = item["published_at"][:16].replace("T", " ")
    content = (f'<div class="article"><h1 class="title">{escape(item["title"])}</h1>\n'
               f'<div class="info">发布时间：{moment}　<span class="source">来源：<em>{escape(item["author"])}</em></span>'
               f'　浏览次数：<span id="hits">--</span></div>\n'
               f'<div class="content" id="zoom">{_paragraphs(item["text"])}</div></div>')
    return _gov_page(item["title"], content)
