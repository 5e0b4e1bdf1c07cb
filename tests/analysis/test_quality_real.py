"""Quality on real third-party data in ../shared/data/eval (measured here, never used to choose anything).

- THUCNews headlines of the nine non-society classes, each taken as a post published now: an alert needs
  a safety matter in 天宁区, so at most 0.2 % may raise one.
- CEC emergency reports (traffic accidents, fires, earthquakes, food poisoning, terrorist attacks):
  at least 95 % must be judged safety matters.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from analysis import Analyzer
from config import load_config
from storage.records import PostRecord

EVAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "eval"
NOW = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def need(name: str) -> Path:
    path = EVAL / name
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


def post(number: int, title: str, text: str) -> PostRecord:
    return PostRecord(source="eval", id=str(number), url=f"eval:{number}", title=title, text=text or title,
                      author=None, published_at=NOW)


def test_non_society_headlines_rarely_alert():
    with need("thucnews_titles_eval.tsv").open(encoding="utf-8") as lines:
        titles = [row["title"] for row in csv.DictReader(lines, delimiter="\t") if row["label"] != "society"]
    batch = Analyzer(load_config()).analyze([post(i, "", title) for i, title in enumerate(titles)])
    alerts = [title for title, result in zip(titles, batch.posts) if result.alert]
    assert len(titles) == 9000
    assert len(alerts) / len(titles) <= 0.002, alerts[:20]


def test_emergency_reports_are_safety_matters():
    lines = need("cec_articles.jsonl").read_text(encoding="utf-8").splitlines()
    articles = [json.loads(line) for line in lines if line.strip()]
    batch = Analyzer(load_config()).analyze([post(i, a["title"], a["text"]) for i, a in enumerate(articles)])
    missed = [a["title"] for a, result in zip(articles, batch.posts) if not result.relevance.safety]
    assert len(articles) == 160
    assert 1 - len(missed) / len(articles) >= 0.95, missed
