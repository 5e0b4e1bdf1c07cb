"""The scheduler's jobs: fixed ids, triggers that fire on time in the configured zone, coalesced misfires,
and a crashing job that never stops the others (a real APScheduler with tiny intervals)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from scheduler import JobSpec, build_scheduler, job_specs, with_catch_up
from tests.scheduler.conftest import SHANGHAI, START, make_config, ok_summary, planning_daemon
from yuqing.daemon.clock import RunningClock

FRIDAY_NOON = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


def _specs(**schedule):
    daemon = planning_daemon(make_config(**schedule))
    return {spec.id: spec for spec in job_specs(daemon, START)}


def test_every_job_has_a_fixed_id_and_the_crawls_start_at_once():
    specs = _specs()
    assert list(specs) == ["crawl-weibo", "crawl-toutiao", "crawl-zhong5", "alerts-tick", "report-weekly",
                           "retention-purge"]
    assert [specs[f"crawl-{s}"].first_run for s in ("weibo", "toutiao", "zhong5")] == [START] * 3


def test_the_weekly_briefing_fires_monday_0830_in_the_configured_zone():
    trigger = _specs()["report-weekly"].trigger
    first = trigger.get_next_fire_time(None, FRIDAY_NOON)
    assert first == datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI)
    assert trigger.get_next_fire_time(first, first + timedelta(seconds=1)) == datetime(2026, 11, 30, 8, 30, tzinfo=SHANGHAI)


def test_the_purge_fires_nightly_at_0330_and_the_daily_brief_only_when_enabled():
    specs = _specs()
    assert specs["retention-purge"].trigger.get_next_fire_time(None, FRIDAY_NOON) == datetime(
        2026, 11, 21, 3, 30, tzinfo=SHANGHAI)
    config = make_config()
    daemon = planning_daemon(config.model_copy(update={"reports": config.reports.model_copy(
        update={"daily_enabled": True, "daily_time": "17:30"})}))
    daily = {spec.id: spec for spec in job_specs(daemon, START)}["report-daily"]
    assert daily.trigger.get_next_fire_time(None, FRIDAY_NOON) == datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)


def test_a_crawl_fires_on_its_source_interval_plus_at_most_the_jitter():
    trigger = _specs()["crawl-toutiao"].trigger
    fired = [trigger.get_next_fire_time(START, START + timedelta(seconds=1)) for _ in range(30)]
    assert all(START + timedelta(minutes=20) <= when <= START + timedelta(minutes=21) for when in fired)
    assert len(set(fired)) > 1  # jittered


def test_the_alert_tick_runs_every_30_seconds():
    trigger = _specs()["alerts-tick"].trigger
    assert trigger.interval == timedelta(seconds=30)


def test_jobs_get_coalescing_one_instance_and_the_misfire_grace():
    daemon = planning_daemon()
    scheduler = build_scheduler(daemon.config, job_specs(daemon, START))
    scheduler.start(paused=True)
    try:
        jobs = scheduler.get_jobs()
    finally:
        scheduler.shutdown(wait=False)
    grace = {job.id: job.misfire_grace_time for job in jobs}
    assert {(job.coalesce, job.max_instances) for job in jobs} == {(True, 1)}
    assert {grace[job] for job in ("crawl-weibo", "crawl-toutiao", "crawl-zhong5", "alerts-tick")} == {120}
    assert grace["report-weekly"] is grace["retention-purge"] is None  # never skipped, however late
    assert next(job for job in jobs if job.id == "crawl-weibo").next_run_time == START


def _counting(calls: list[float]):
    return lambda: calls.append(time.monotonic())


def test_missed_runs_coalesce_into_one():
    calls: list[float] = []
    now = datetime.now(SHANGHAI)
    spec = JobSpec("crawl-weibo", "采集", IntervalTrigger(seconds=5), _counting(calls), now - timedelta(seconds=50))
    scheduler = build_scheduler(make_config(misfire_grace_seconds=600), [spec])
    scheduler.start()
    try:
        time.sleep(0.8)
    finally:
        scheduler.shutdown(wait=True)
    assert len(calls) == 1  # ten missed runs, one run


def test_a_run_missed_by_more_than_the_grace_time_is_skipped():
    calls: list[float] = []
    now = datetime.now(SHANGHAI)
    spec = JobSpec("report-weekly", "周报", IntervalTrigger(hours=2), _counting(calls), now - timedelta(hours=1))
    scheduler = build_scheduler(make_config(misfire_grace_seconds=1), [spec])
    scheduler.start()
    try:
        time.sleep(0.5)
    finally:
        scheduler.shutdown(wait=True)
    assert calls == []


def test_a_crashing_crawl_does_not_stop_the_other_jobs(make_daemon, db):
    from sqlalchemy import select

    from storage.daemon_models import JobRun

    def explode() -> dict:
        raise RuntimeError("spider exploded")

    daemon = make_daemon({"weibo": explode, "toutiao": ok_summary("toutiao"), "zhong5": ok_summary("zhong5")})
    specs = [JobSpec(spec.id, spec.name, IntervalTrigger(seconds=0.3), spec.func, datetime.now(SHANGHAI))
             for spec in job_specs(daemon, START) if spec.id.startswith("crawl-")]
    scheduler = build_scheduler(daemon.config, specs)
    scheduler.start()
    try:
        time.sleep(1.5)
    finally:
        scheduler.shutdown(wait=True)
    with db.session() as session:
        runs = session.execute(select(JobRun.job_id, JobRun.status, JobRun.error)).all()
    by_job = {job: [(status, error) for j, status, error in runs if j == job] for job in {r[0] for r in runs}}
    assert len(by_job["crawl-weibo"]) >= 2 and set(by_job["crawl-weibo"]) == {
        ("failed", "RuntimeError: spider exploded")}
    assert len(by_job["crawl-toutiao"]) >= 2 and set(by_job["crawl-toutiao"]) == {("ok", None)}
    assert len(daemon.pipeline.after_crawls) >= 4


def _catch_up_runs(make_daemon, db, clock_at: datetime, done: list[tuple[str, str, datetime]]) -> dict[str, datetime]:
    """The jobs set to run at start-up when the daemon starts at ``clock_at`` after the ``done`` job runs."""
    from storage.daemon_models import JobRun

    with db.session() as session:
        session.add_all(JobRun(job_id=job, status=status, started_at=at, finished_at=at, details={})
                        for job, status, at in done)
    daemon = make_daemon({})
    daemon.clock = RunningClock(clock_at)
    start = datetime.now(SHANGHAI)
    specs = with_catch_up(daemon, job_specs(daemon, start), start)
    return {spec.id: spec.first_run for spec in specs if not spec.id.startswith("crawl-") and spec.first_run}


MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


def test_a_daemon_started_after_the_monday_briefing_was_due_writes_it_at_once(make_daemon, db):
    done = [("retention-purge", "ok", datetime(2026, 11, 23, 3, 30, 5, tzinfo=SHANGHAI)),
            ("report-weekly", "ok", datetime(2026, 11, 16, 8, 30, 5, tzinfo=SHANGHAI))]  # last week's
    assert list(_catch_up_runs(make_daemon, db, MONDAY_0900, done)) == ["report-weekly"]


def test_a_failed_run_is_caught_up_and_a_successful_one_is_not(make_daemon, db):
    done = [("retention-purge", "failed", datetime(2026, 11, 23, 3, 30, 5, tzinfo=SHANGHAI)),
            ("report-weekly", "ok", datetime(2026, 11, 23, 8, 30, 5, tzinfo=SHANGHAI))]
    assert list(_catch_up_runs(make_daemon, db, MONDAY_0900, done)) == ["retention-purge"]
