"""Markdown output: scraped text is escaped so it can never become emphasis, links (auto-links included), tables
or raw HTML."""

from __future__ import annotations

from datetime import datetime

import pytest

from reports import build_weekly, parse_week
from reports.blocks import Document, Paragraph, Table, link
from reports.markdown import escape, render_markdown
from reports.weekly import weekly_document

SCRIPT = "<script>alert(1)</script>"  # as in conftest.hostile_db


@pytest.mark.parametrize("raw, expected", [
    ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
    ("**粗体** _斜体_ `代码`", r"\*\*粗体\*\* \_斜体\_ \`代码\`"),
    ("[链接](http://evil)", r"\[链接\]\(http：//evil\)"),
    ("见 www.evil.com 或 a@b.cn，涨 3.5%", "见 www。evil。com 或 a＠b。cn，涨 3.5%"),
    ("a | b", r"a \| b"),
    ("# 标题", r"\# 标题"),
    ("- 列表", r"\- 列表"),
    ("1. 编号", r"1\. 编号"),
    ("&lt; 实体", r"\&lt; 实体"),
    ("两行\n文字", "两行 文字"),
])
def test_escape_keeps_scraped_text_literal(raw, expected):
    assert escape(raw) == expected


def test_links_go_in_angle_brackets_and_javascript_is_not_linked():
    document = Document("weekly", "标题", "副标题", [
        Paragraph("正文"), Table(["内容"], [[link("帖子*一*", "https://e.com/a b>c")], [link("脚本", "javascript:x")]])])
    text = render_markdown(document)
    assert r"| [帖子\*一\*](<https://e.com/a%20b%3Ec>) |" in text
    assert "| 脚本 |" in text and "javascript" not in text


def test_the_weekly_markdown_escapes_a_scraped_script(hostile_db, shipped_config):
    now = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
    report = build_weekly(hostile_db, shipped_config, parse_week("2026-W47", shipped_config.tz), now, charts=False)
    text = render_markdown(weekly_document(report, shipped_config))
    assert r"快看\<script\>alert\(1\)\</script\>\|\*\*粗体\*\*\[链接\]\(http：//evil\)" in text
    assert SCRIPT not in text
