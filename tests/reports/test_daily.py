"""The daily brief (每日舆情): about 500 字 of the day's figures, incidents, alerts and negative posts."""

from __future__ import annotations

import re
from datetime import datetime

import docx

from reports import build_daily, parse_day, write_daily
from reports.daily import daily_document
from storage import Database

NOW = datetime.fromisoformat("2026-11-23T12:00:00+08:00")


def test_the_brief_states_the_days_figures(week_sqlite, shipped_config):
    report = build_daily(week_sqlite, shipped_config, parse_day("2026-11-16", shipped_config.tz), NOW)
    text = "\n".join(getattr(block, "text", "") for block in daily_document(report, shipped_config).blocks)
    assert "2026年11月16日共监测到网络帖子 2 条（较前一日 +100.0%），其中今日头条 1 条、微博 1 条。" in text
    assert "涉安全生产和应急管理的 2 条，负面 1 条；涉及本区 1 条，其中负面 1 条。" in text
    assert "（一）【红色】红梅街道火灾" in text
    assert "当日触发预警 3 条，已确认 2 条，上报网信办 1 条" in text


def test_a_day_without_posts_says_so_plainly(week_sqlite, shipped_config):
    report = build_daily(week_sqlite, shipped_config, parse_day("2026-10-01", shipped_config.tz), NOW)
    text = "\n".join(getattr(block, "text", "") for block in daily_document(report, shipped_config).blocks)
    assert "2026年10月1日共监测到网络帖子 0 条（较前一日 持平）。涉安全生产和应急管理的 0 条" in text
    assert "其中无" not in text


def test_a_corpus_day_is_a_brief_of_about_500_characters(corpus, shipped_config, tmp_path):
    database = Database(corpus.url)
    try:
        report = build_daily(database, shipped_config, parse_day("2026-11-20", shipped_config.tz), NOW)
    finally:
        database.dispose()
    paths = write_daily(report, ("docx", "md"), tmp_path, shipped_config)
    assert [p.name for p in paths] == ["daily-2026-11-20.docx", "daily-2026-11-20.md"]
    body = "".join(p.text for p in docx.Document(str(paths[0])).paragraphs)
    body += "".join(c.text for t in docx.Document(str(paths[0])).tables for r in t.rows for c in r.cells)
    chinese = len(re.findall(r"[\u4e00-\u9fff]", body))
    assert 300 <= chinese <= 900, chinese
    assert f"共监测到网络帖子 {report.counts.total} 条" in paths[1].read_text(encoding="utf-8")
