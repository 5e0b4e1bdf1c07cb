"""The HTML briefing is self-contained and escapes scraped text (autoescape); links go only to http(s) URLs."""

from __future__ import annotations

from datetime import datetime

from reports import build_weekly, parse_week
from reports.html import render_html
from reports.weekly import weekly_document

SCRIPT = "<script>alert(1)</script>"  # as in conftest.hostile_db
IMG = '<img src=x onerror="alert(2)">'
NOW = datetime.fromisoformat("2026-11-23T09:00:00+08:00")


def weekly_html(database, config) -> str:
    report = build_weekly(database, config, parse_week("2026-W47", config.tz), NOW, charts=False)
    return render_html(weekly_document(report, config))


def test_scraped_markup_appears_escaped_never_as_markup(hostile_db, shipped_config):
    page = weekly_html(hostile_db, shipped_config)
    assert "快看&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;着火" in page
    assert SCRIPT not in page and IMG not in page and "<script" not in page


def test_a_javascript_url_is_shown_as_text_not_linked(hostile_db, shipped_config):
    page = weekly_html(hostile_db, shipped_config)
    assert "<td>伪链接</td>" in page
    assert "javascript:" not in page
    assert '<a href="https://example.com/weibo/p2" rel="noopener noreferrer" target="_blank">楼道着火</a>' in page


def test_the_written_page_is_self_contained_with_inline_charts(corpus):
    page = (corpus.out / "weekly-2026-W47.html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 3
    assert "<link" not in page and 'src="http' not in page and "<script" not in page
    assert "<h2>四、重点事件及处置</h2>" in page
