"""The weekly briefing of the replayed dev-set corpus: every figure equals the database, recomputed here
independently (raw SQL with the sqlite3 module, days and weeks bucketed in Python)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from reports import build_weekly, parse_week
from reports.weekly import weekly_document
from reports.blocks import Heading
from storage import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
W47 = parse_week("2026-W47", SHANGHAI)
NOW = datetime.fromisoformat("2026-11-23T12:00:00+08:00")
RANK = {"红": 0, "橙": 1, "黄": 2, "蓝": 3}


def utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


class Truth:
    """The database read with plain SQL; every expectation below is computed from these rows."""

    def __init__(self, path) -> None:
        with sqlite3.connect(path) as connection:
            self.posts = connection.execute(
                "SELECT p.id, p.source, p.published_at, a.post_id IS NOT NULL, a.safety, a.in_district, a.negative,"
                " a.terms FROM posts p LEFT JOIN post_analyses a ON a.post_id = p.id").fetchall()
            self.events = connection.execute(
                "SELECT id, level, in_district, first_seen, last_seen, post_count, place, sources"
                " FROM events").fetchall()
            self.alerts = connection.execute(
                "SELECT id, event_id, kind, state, opened_at, acknowledged_at, acknowledged_by FROM alerts").fetchall()
            self.actions = connection.execute("SELECT alert_id, action, at, details FROM alert_actions").fetchall()

    def posts_in(self, period):
        days = set(period.days)
        return [p for p in self.posts if utc(p[2]).astimezone(SHANGHAI).date() in days]

    def active_events(self, period):
        return [e for e in self.events
                if e[1] is not None and utc(e[3]) < period.end and utc(e[4]) >= period.start]

    def period_alerts(self, period):
        active = {e[0] for e in self.active_events(period)}
        return [a for a in self.alerts if a[2] == "incident" and a[1] in active and utc(a[4]) <= NOW]


@pytest.fixture(scope="module")
def truth(corpus) -> Truth:
    return Truth(corpus.db_path)


@pytest.fixture(scope="module")
def report(corpus, shipped_config):
    database = Database(corpus.url)
    try:
        yield build_weekly(database, shipped_config, W47, NOW, charts=False)
    finally:
        database.dispose()


def test_totals_by_source_and_by_day_equal_the_posts_table(report, truth):
    posts = truth.posts_in(W47)
    assert report.counts.total == len(posts) > 300
    assert report.counts.by_source == dict(Counter(p[1] for p in posts))
    for day in W47.days:
        expected = Counter(p[1] for p in posts if utc(p[2]).astimezone(SHANGHAI).date() == day)
        assert report.counts.by_day[day] == dict(expected), day
    assert report.previous_counts.total == len(truth.posts_in(W47.previous())) > 0


def test_sentiment_and_district_splits_equal_the_analyses(report, truth):
    safety = [p for p in truth.posts_in(W47) if p[3] and p[4]]
    counts = report.counts
    assert counts.analysed == sum(1 for p in truth.posts_in(W47) if p[3])
    assert counts.safety == len(safety)
    assert counts.safety_negative == sum(1 for p in safety if p[6])
    assert counts.in_district == sum(1 for p in safety if p[5])
    assert counts.elsewhere == sum(1 for p in safety if not p[5])
    assert counts.in_district_negative == sum(1 for p in safety if p[5] and p[6])


def test_incidents_are_the_weeks_events_in_district_first_by_level_and_size(report, truth):
    active = truth.active_events(W47)
    ranked = sorted(active, key=lambda e: (not e[2], RANK[e[1]], -e[5], utc(e[3]), e[0]))[:10]
    assert [i.event_id for i in report.incidents] == [e[0] for e in ranked]
    assert [(i.level, i.place, i.post_count, i.sources) for i in report.incidents] == [
        (e[1], e[6], e[5], json.loads(e[7])) for e in ranked]
    assert report.incident_counts.total == len(active)
    assert report.incident_counts.in_district == sum(1 for e in active if e[2])
    assert report.incident_counts.by_level == {lv: sum(1 for e in active if e[1] == lv) for lv in RANK}


def test_handling_of_the_top_incident_shows_the_acknowledgement_and_the_referral(report, truth):
    top = report.incidents[0].handling
    alert = next(a for a in truth.alerts if a[0] == top.alert_id)
    refer = next(x for x in truth.actions if x[0] == top.alert_id and x[1] == "refer")
    assert (top.acknowledged_by, top.acknowledged_at) == (alert[6], utc(alert[5])) == (
        "值班员甲", datetime.fromisoformat("2026-11-23T09:12:00+08:00"))
    assert top.referred_at == utc(refer[2])
    assert "天网信〔2026〕47号" in top.referral and "区网信办王科长" in top.referral
    assert top.response == "已核实，引导发布通报"
    for incident in report.incidents:
        alerts = [a for a in truth.alerts if a[1] == incident.event_id and a[2] == "incident"]
        assert (incident.handling is None) == (not alerts)


def test_alert_statistics_equal_the_alerts_of_the_weeks_incidents(report, truth):
    alerts = truth.period_alerts(W47)
    waits = [(utc(a[5]) - utc(a[4])).total_seconds() / 60 for a in alerts if a[5]]
    stats = report.alerts
    assert stats.opened == len(alerts) > 0
    assert (stats.acknowledged, stats.ack_median_min, stats.ack_max_min) == (len(waits), median(waits), max(waits))
    assert stats.false_alarms == sum(1 for a in alerts if a[3] == "false_alarm") == 1
    assert stats.referred == len({x[0] for x in truth.actions if x[1] == "refer"} & {a[0] for a in alerts}) == 1


def test_top_terms_equal_the_terms_of_the_weeks_safety_posts(report, truth):
    counter: Counter[str] = Counter()
    for post in truth.posts_in(W47):
        if post[3] and post[4]:
            counter.update(set(json.loads(post[7])))
    expected = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:20]
    assert report.terms == expected and len(expected) == 20


def test_negative_posts_are_the_weeks_negative_in_district_safety_posts_in_time_order(report, truth):
    negative = sorted((p for p in truth.posts_in(W47) if p[3] and p[4] and p[5] and p[6]), key=lambda p: (p[2], p[0]))
    assert report.negative.total == len(negative)
    assert [item.post_id for item in report.negative.items] == [p[0] for p in negative[:100]]


def test_week_over_week_changes_use_the_same_figures(report):
    changes = {c.name: (c.current, c.previous) for c in report.changes}
    assert changes["帖子总数"] == (report.counts.total, report.previous_counts.total)
    assert changes["负面涉安全帖子"] == (report.counts.safety_negative, report.previous_counts.safety_negative)
    assert changes["事件数"][0] == report.incident_counts.total
    assert changes["预警数"][0] == report.alerts.opened


def test_the_written_markdown_states_the_same_figures(report, corpus):
    text = (corpus.out / "weekly-2026-W47.md").read_text(encoding="utf-8")
    assert f"共监测到网络帖子 {report.counts.total} 条" in text
    for source, count in report.counts.by_source.items():
        assert f"{report.source_name(source)} {count} 条" in text
    assert f"涉安全生产和应急管理的帖子 {report.counts.safety} 条，其中负面 {report.counts.safety_negative} 条" in text
    assert f"本周本区负面涉安全帖子共 {report.negative.total} 条" in text
    term, count = report.terms[0]
    assert f"{term}（{count}）" in text
    assert f"触发预警 {report.alerts.opened} 条，已确认 {report.alerts.acknowledged} 条" in text


def test_sections_are_numbered_in_gongwen_style(report, shipped_config):
    headings = [b.text for b in weekly_document(report, shipped_config).blocks if isinstance(b, Heading)]
    assert headings == ["一、总体情况", "二、舆情走势", "三、情感与区域分布", "四、重点事件及处置", "五、预警处置情况",
                        "六、热点词", "七、环比变化", "八、负面舆情清单"]
