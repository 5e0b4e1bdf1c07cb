"""Source-health alerts: a blocked, empty or failing source, list pages parsed to none (a likely layout change), or
rising parse failures, pages the operator only, once per (source, problem), and closes itself when the source
recovers. A run has several problems at once: a blocked page never hides a layout change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from alerts import dispatch_due, evaluate_source_health
from alerts.models import Alert, Notification
from storage import CrawlStats, finish_crawl_run, start_crawl_run
from tests.alerts.conftest import T0


def _run(db, source, status, moment, requests=10, parse_failures=0, empty_pages=0):
    with db.session() as session:
        run_id = start_crawl_run(session, source, "live", None, moment)
        stats = CrawlStats(requests=requests, parse_failures=parse_failures, empty_pages=empty_pages)
        finish_crawl_run(session, run_id, stats, moment + timedelta(minutes=1), status)


def test_a_blocked_source_alerts_the_operator_and_never_the_duty_officer(db, config, channels):
    _run(db, "weibo", "blocked", T0)
    _run(db, "toutiao", "ok", T0)
    report = evaluate_source_health(db, config, T0 + timedelta(minutes=2))
    assert report.opened == ["S-weibo-blocked-1"]
    dispatch_due(db, config, T0 + timedelta(minutes=2), channels)
    [(message, _)] = channels["ops"].sent
    assert (message.kind, message.recipient, message.title) == ("source_health", "运维丁", "信息源异常：weibo")
    assert "被封禁" in message.reason
    assert channels["wecom"].sent == [] and channels["sms"].sent == []


def test_the_same_problem_is_not_raised_twice_and_recovery_closes_it(db, config):
    _run(db, "weibo", "blocked", T0)
    evaluate_source_health(db, config, T0)
    _run(db, "weibo", "blocked", T0 + timedelta(minutes=15))
    assert evaluate_source_health(db, config, T0 + timedelta(minutes=16)).opened == []
    _run(db, "weibo", "ok", T0 + timedelta(minutes=30))
    assert evaluate_source_health(db, config, T0 + timedelta(minutes=31)).recovered == ["S-weibo-blocked-1"]
    _run(db, "weibo", "blocked", T0 + timedelta(minutes=45))
    assert evaluate_source_health(db, config, T0 + timedelta(minutes=46)).opened == ["S-weibo-blocked-2"]
    with db.session() as session:
        assert session.scalars(select(Notification.person).distinct()).all() == ["运维丁"]
        assert session.get(Alert, "S-weibo-blocked-1").state == "resolved"


def test_rising_parse_failures_alert_steady_ones_do_not(db, config):
    _run(db, "zhong5", "ok", T0, requests=10, parse_failures=1)
    assert evaluate_source_health(db, config, T0).opened == []  # 10 % is under the 20 % warning ratio
    _run(db, "zhong5", "ok", T0 + timedelta(minutes=20), requests=10, parse_failures=6)
    assert evaluate_source_health(db, config, T0 + timedelta(minutes=21)).opened == ["S-zhong5-parse_failures-1"]
    _run(db, "hualongxiang", "empty", T0)
    assert evaluate_source_health(db, config, T0).opened == ["S-hualongxiang-empty-1"]


def test_a_layout_change_is_its_own_alert_beside_a_block(db, config, channels):
    _run(db, "toutiao", "blocked", T0, empty_pages=4)  # three keywords blocked, four result pages parsed to none
    assert evaluate_source_health(db, config, T0).opened == ["S-toutiao-blocked-1", "S-toutiao-empty_pages-1"]
    dispatch_due(db, config, T0, channels)
    assert any("页面格式可能已变" in message.reason for message, _ in channels["ops"].sent)

    _run(db, "toutiao", "ok", T0 + timedelta(minutes=30), empty_pages=4)  # unblocked; the layout is still new
    report = evaluate_source_health(db, config, T0 + timedelta(minutes=31))
    assert (report.opened, report.recovered) == ([], ["S-toutiao-blocked-1"])
    _run(db, "toutiao", "ok", T0 + timedelta(minutes=60))
    assert evaluate_source_health(db, config, T0 + timedelta(minutes=61)).recovered == ["S-toutiao-empty_pages-1"]
