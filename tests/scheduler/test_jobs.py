"""The daemon's jobs: analysis and alerting right after each crawl, every run recorded, a failed or hung crawl
recorded against its own job only, replay rounds handed out in order on the fixtures' clock; the dispatcher's
sends taken and recorded on a clock that runs on from the job's start."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from alerts import evaluate_events
from alerts.message import Message
from alerts.models import Notification
from crawlers.summary import failed_summary
from storage.daemon_models import JobRun
from tests.alerts.conftest import Recorder, add_post, alerts_config, put_event
from tests.scheduler.conftest import SHANGHAI, START, ok_summary
from yuqing.daemon.pipeline import WarmPipeline
from yuqing.daemon.replay import ReplayPlan


def _runs(db) -> list[JobRun]:
    with db.session() as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.id)))


def test_a_crawl_is_followed_by_analysis_and_recorded(make_daemon, db):
    daemon = make_daemon({"weibo": ok_summary("weibo")})
    daemon.crawl_job("weibo")()
    (run,) = _runs(db)
    assert (run.job_id, run.status, run.error) == ("crawl-weibo", "ok", None)
    assert START <= run.started_at <= run.finished_at < START + timedelta(seconds=30)
    assert run.details["summary"] == {"source": "weibo", "status": "ok", "posts_new": 3, "warnings": []}
    assert run.details["analysed"] == 1 and run.details["committed_unix"] <= run.details["after_finished_unix"]
    assert len(daemon.pipeline.after_crawls) == 1


def test_a_crash_or_a_timeout_fails_only_that_crawl(make_daemon, db):
    def explode() -> dict:
        raise OSError("cannot start the spider")

    daemon = make_daemon({"weibo": explode, "toutiao": lambda: failed_summary("toutiao", "超时：1200 秒后终止"),
                          "zhong5": ok_summary("zhong5")})
    for source in ("weibo", "toutiao", "zhong5"):
        daemon.crawl_job(source)()
    assert [(run.job_id, run.status, run.error) for run in _runs(db)] == [
        ("crawl-weibo", "failed", "OSError: cannot start the spider"),
        ("crawl-toutiao", "failed", "超时：1200 秒后终止"),
        ("crawl-zhong5", "ok", None),
    ]
    assert len(daemon.pipeline.after_crawls) == 2  # the timed-out source's health is still evaluated


def _fixtures(root, source: str, captures: list[str]):
    rounds = {str(n): {"captured_at": at, "responses": []} for n, at in enumerate(captures, start=1)}
    (root / source).mkdir(parents=True)
    (root / source / "manifest.json").write_text(json.dumps({"source": source, "rounds": rounds}), encoding="utf-8")


def test_replay_hands_out_one_round_per_tick_on_the_capture_clock_then_stops(make_daemon, db, tmp_path):
    _fixtures(tmp_path, "weibo", ["2026-11-20T10:00:00+08:00", "2026-11-21T10:00:00+08:00"])
    asked: list[dict] = []

    def crawl(sources, **options):
        asked.append(options)
        return [{"source": sources[0], "status": "ok", "warnings": []}]

    daemon = make_daemon({}, replay=ReplayPlan(tmp_path, ["weibo"]), exit_after_replay=True)
    daemon.crawl_fn = crawl
    daemon.crawl_job("weibo")()
    assert not daemon.stop.is_set()
    daemon.crawl_job("weibo")()
    daemon.crawl_job("weibo")()
    assert len(_runs(db)) == 2
    assert [(o["round_no"], o["now"], o["replay_dir"]) for o in asked] == [(1, None, tmp_path), (2, None, tmp_path)]
    assert {o["niceness"] for o in asked} == {10}  # crawls yield the CPU to the analysis and alerts after them
    assert daemon.stop.is_set()
    second = daemon.pipeline.after_crawls[1]
    assert datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI) <= second < datetime(2026, 11, 21, 10, 1, tzinfo=SHANGHAI)


def test_the_alert_tick_runs_on_the_daemons_clock(make_daemon, db):
    daemon = make_daemon({})
    daemon.recorded("alerts-tick", daemon.alerts_tick)()
    (run,) = _runs(db)
    assert (run.job_id, run.status, run.details) == ("alerts-tick", "ok", {"sent": 0})
    assert START <= daemon.pipeline.ticks[0] < START + timedelta(seconds=30)


class SlowRobot(Recorder):
    """Takes a fifth of a second of real time per message."""

    def send(self, message: Message, to: str) -> None:
        time.sleep(0.2)
        super().send(message, to)


def test_the_alert_tick_sends_and_records_each_message_at_the_moment_it_goes_out(make_daemon, db):
    config = alerts_config()
    with db.session() as session:
        for event_id in ("ev-a", "ev-b"):
            put_event(session, event_id, "橙", START)
            add_post(session, "weibo", f"{event_id}-1", START, event_id=event_id)
    evaluate_events(db, config, ["ev-a", "ev-b"], START)
    pipeline = WarmPipeline(db, config)
    pipeline._channels = {"wecom": SlowRobot("wecom")}  # what warm() builds, without loading the models
    daemon = make_daemon({})
    daemon.pipeline = pipeline
    assert daemon.alerts_tick()["sent"] == 2
    with db.session() as session:
        sent_at = list(session.scalars(select(Notification.sent_at).order_by(Notification.id)))
    assert sent_at[0] >= START + timedelta(seconds=0.2) and sent_at[1] >= sent_at[0] + timedelta(seconds=0.2)


def test_once_a_sources_rounds_are_used_up_its_ticks_record_nothing_so_its_last_failure_stays_visible(
        make_daemon, db, tmp_path):
    _fixtures(tmp_path, "weibo", ["2026-11-20T10:00:00+08:00"])
    daemon = make_daemon({"weibo": lambda: failed_summary("weibo", "爬取进程异常退出（返回码 7）")},
                         replay=ReplayPlan(tmp_path, ["weibo"]))
    for _ in range(3):
        daemon.crawl_job("weibo")()
    assert [(run.job_id, run.status, run.error) for run in _runs(db)] == [
        ("crawl-weibo", "failed", "爬取进程异常退出（返回码 7）")]


def test_a_replayed_crawl_run_starts_at_its_rounds_capture_time(make_daemon, db, tmp_path):
    _fixtures(tmp_path, "weibo", ["2026-11-20T10:00:00+08:00", "2026-11-21T10:00:00+08:00"])
    daemon = make_daemon({"weibo": ok_summary("weibo")}, replay=ReplayPlan(tmp_path, ["weibo"]))
    daemon.crawl_job("weibo")()
    daemon.crawl_job("weibo")()
    second = _runs(db)[1]
    assert datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI) <= second.started_at
    assert second.finished_at - second.started_at < timedelta(seconds=30)  # not the day between the rounds


def test_a_crawl_that_fails_because_the_daemon_stops_is_interrupted_and_not_analysed(make_daemon, db):
    daemon = make_daemon({"weibo": lambda: failed_summary("weibo", "爬取进程被终止（返回码 -15）")})
    daemon.signalled.set()
    daemon.crawl_job("weibo")()
    (run,) = _runs(db)
    assert (run.status, run.error) == ("interrupted", "守护进程停止，爬取被中止：爬取进程被终止（返回码 -15）")
    assert daemon.pipeline.after_crawls == []
