"""The report query layer on a hand-made week (conftest.seed_week) whose answers are known, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from alerts.actions import resolve
from reports import queries
from reports.periods import parse_day, parse_week

CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


W47 = parse_week("2026-W47", CST)
UNTIL = at("2026-11-23T09:00:00")


def test_posts_are_counted_in_the_configured_timezone_on_the_week_edges(db, week):
    with db.session() as session:
        counts = queries.post_counts(session, W47)
    assert counts.total == 5
    assert counts.by_source == {"hualongxiang": 2, "toutiao": 1, "weibo": 2}
    assert counts.by_day[date(2026, 11, 16)] == {"toutiao": 1, "weibo": 1}  # 07:59:59 +08:00 is Sunday in UTC
    assert counts.by_day[date(2026, 11, 18)] == {"weibo": 1}
    assert counts.by_day[date(2026, 11, 22)] == {"hualongxiang": 1}
    assert counts.by_day[date(2026, 11, 17)] == {}
    assert list(counts.by_day) == [date(2026, 11, 16) + timedelta(days=n) for n in range(7)]


def test_analysis_splits_count_only_analysed_safety_posts(db, week):
    with db.session() as session:
        counts = queries.post_counts(session, W47)
    assert (counts.analysed, counts.safety, counts.safety_negative, counts.safety_not_negative) == (4, 3, 2, 1)
    assert (counts.in_district, counts.elsewhere, counts.in_district_negative) == (2, 1, 2)


def test_the_previous_week_and_a_single_day_are_periods_too(db, week):
    with db.session() as session:
        previous = queries.post_counts(session, W47.previous())
        monday = queries.post_counts(session, parse_day("2026-11-16", CST))
    assert (previous.total, previous.by_source) == (1, {"weibo": 1})
    assert (monday.total, monday.by_day) == (2, {date(2026, 11, 16): {"toutiao": 1, "weibo": 1}})


def test_incidents_are_events_with_a_level_active_in_the_week_in_district_first(db, week):
    with db.session() as session:
        counts = queries.incident_counts(session, W47)
        incidents = queries.top_incidents(session, W47, 10, UNTIL)
    assert (counts.total, counts.in_district) == (3, 2)
    assert counts.by_level == {"红": 1, "橙": 1, "黄": 1, "蓝": 0}
    assert [(i.event_id, i.level, i.place, i.in_district) for i in incidents] == [
        ("E1", "红", "红梅街道", True), ("E2", "黄", "雕庄街道", True), ("E3", "橙", "武进区", False)]
    assert (incidents[0].sources, incidents[0].post_count) == (["toutiao", "weibo"], 3)


def test_handling_shows_who_acknowledged_the_referral_to_the_cyberspace_office_and_its_response(db, week):
    with db.session() as session:
        e1, e2, e3 = queries.top_incidents(session, W47, 10, UNTIL)
    assert e1.handling.alert_id == "A-E1-1"  # A-E1-2 was raised after the report's time
    assert (e1.handling.acknowledged_by, e1.handling.acknowledged_at) == ("值班员甲", at("2026-11-16T00:25:00"))
    assert e1.handling.referred_at == at("2026-11-16T01:00:00")
    assert e1.handling.referral == "区网信办王科长；天网信47号"
    assert e1.handling.response == "已核实并发布通报"
    assert e1.handling.state_label == "跟进中（已回应）"
    assert (e2.handling.state, e2.handling.acknowledged_by, e2.handling.referred_at) == ("false_alarm", None, None)
    assert (e3.handling.state_label, e3.handling.closed_at) == ("已办结", at("2026-11-16T03:00:00"))


def test_handling_and_alert_figures_are_read_as_of_the_reports_time_not_from_the_alerts_current_state(db, week):
    before, after = at("2026-11-25T09:00:00"), at("2026-11-26T09:00:00")
    with db.session() as session:
        resolve(session, "A-E1-2", "值班员甲", at("2026-11-26T08:00:00"))  # the row now says 已办结
        then = queries.top_incidents(session, W47, 10, before)[0].handling
        then_stats = queries.alert_stats(session, W47, before)
        later = queries.top_incidents(session, W47, 10, after)[0].handling
        later_stats = queries.alert_stats(session, W47, after)
    assert (then.alert_id, then.state, then.state_label, then.closed_at) == ("A-E1-2", "new", "新", None)
    assert (then_stats.opened, then_stats.acknowledged, then_stats.resolved, then_stats.false_alarms) == (4, 2, 1, 1)
    assert (later.state, later.state_label, later.closed_at) == ("resolved", "已办结", at("2026-11-26T08:00:00"))
    assert (later_stats.opened, later_stats.acknowledged, later_stats.resolved) == (4, 3, 2)


def test_an_alert_reads_as_raised_before_any_handling_logged_by_the_reports_time(db, week):
    with db.session() as session:
        e2 = queries.top_incidents(session, W47, 10, at("2026-11-23T00:20:00"))[1].handling
        stats = queries.alert_stats(session, W47, at("2026-11-23T00:20:00"))
    assert (e2.alert_id, e2.state, e2.state_label, e2.closed_at) == ("A-E2-1", "new", "新", None)
    assert (stats.opened, stats.resolved, stats.false_alarms) == (3, 1, 0)


def test_alert_statistics_cover_the_weeks_incident_alerts_with_time_to_acknowledge(db, week):
    with db.session() as session:
        stats = queries.alert_stats(session, W47, UNTIL)
        later = queries.alert_stats(session, W47, at("2026-11-23T23:00:00"))
    assert (stats.opened, stats.acknowledged, stats.referred, stats.resolved, stats.false_alarms) == (3, 2, 1, 1, 1)
    assert (stats.ack_median_min, stats.ack_max_min) == (37.5, 60.0)
    assert later.opened == 4


def test_top_terms_count_each_safety_post_once_most_frequent_first(db, week):
    with db.session() as session:
        terms = queries.top_terms(session, W47, 10)
        top_one = queries.top_terms(session, W47, 1)
    assert terms == [("火灾", 3), ("消防", 1), ("燃气", 1)]
    assert top_one == [("火灾", 3)]


def test_negative_in_district_posts_are_listed_oldest_first_with_links(db, week):
    with db.session() as session:
        negative = queries.negative_posts(session, W47, 10)
        first_only = queries.negative_posts(session, W47, 1)
    assert negative.total == 2
    assert [p.post_id for p in negative.items] == [week["monday_first"], week["sunday_last"]]
    assert negative.items[0].title == "楼道着火"
    assert negative.items[1].title == "燃气味道很重"  # no title: the text's start
    assert negative.items[1].url == "https://example.com/hualongxiang/p5"
    assert (first_only.total, len(first_only.items)) == (2, 1)


def test_week_over_week_change_compares_the_same_totals(db, week):
    w46 = W47.previous()
    with db.session() as session:
        figures = (queries.post_counts(session, W47), queries.post_counts(session, w46),
                   queries.incident_counts(session, W47), queries.incident_counts(session, w46),
                   queries.alert_stats(session, W47, UNTIL), queries.alert_stats(session, w46, UNTIL))
    changes = {c.name: c for c in queries.changes(*figures)}
    assert (changes["帖子总数"].current, changes["帖子总数"].previous, changes["帖子总数"].ratio) == (5, 1, 4.0)
    assert (changes["事件数"].current, changes["事件数"].previous) == (3, 2)  # E3 and E4 were active in W46
    assert changes["预警数"].previous == 1 and changes["预警数"].ratio == 2.0


@pytest.mark.parametrize("previous, expected", [(0, None), (4, -0.5), (2, 0.0)])
def test_change_ratio_is_none_without_a_previous_figure(previous, expected):
    assert queries.Change("帖子总数", 2, previous).ratio == expected
