"""`yuqing run` (the 7×24 scheduler daemon, or its offline replay) and `yuqing status` (is it alive, how are the sources)."""

from __future__ import annotations

from pathlib import Path

import click

from yuqing.context import AppContext, pass_app
from yuqing.output import FORMATS, print_table, write_jsonl

JOB_COLUMNS = [("job", "任务"), ("last_status", "上次结果"), ("last_start", "上次开始"), ("last_end", "上次结束"),
               ("next_run", "下次运行"), ("last_error", "错误")]
SOURCE_COLUMNS = [("source", "来源"), ("status", "状态"), ("finished_at", "上次采集结束"), ("posts_new", "新增"),
                  ("posts_updated", "更新"), ("blocked", "拦截"), ("parse_failures", "解析失败"), ("empty_pages", "空页")]


class AlreadyRunningError(click.ClickException):
    """A second daemon on the same database: refused, exit code 3."""

    exit_code = 3


@click.command()
@click.option("--replay", "replay_dir", is_flag=False, flag_value="fixtures", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Run offline: each crawl tick replays the next round of FIXTURES_DIR (default ./fixtures).")
@click.option("--now", help="ISO 8601 start time; the daemon's clock runs on from it (replay default: capture time).")
@click.option("--exit-after-replay", is_flag=True, help="With --replay: stop once every round is replayed and alerted.")
@pass_app
def run(app: AppContext, replay_dir: Path | None, now: str | None, exit_after_replay: bool) -> None:
    """Run the scheduler daemon: crawls on their intervals, analysis and alerts right after, reports, purge.

    \b
    One daemon per database (a second one refuses to start): SQLite locks <db file>.run.lock beside the
    database, PostgreSQL an advisory lock. SIGTERM or Ctrl-C lets the running jobs finish, then stops
    cleanly. See `yuqing status` for what it did and will do next.
    """
    from crawlers.fixtures import ManifestError
    from scheduler import RunOptions, run_daemon
    from yuqing.daemon.lock import AlreadyRunning

    if replay_dir is not None and not replay_dir.is_dir():
        raise click.ClickException(f"fixtures folder {replay_dir} does not exist")
    options = RunOptions(app.config, app.db_url, app.config_file, replay_dir,
                         app.now(now) if now else None, exit_after_replay)
    try:
        code = run_daemon(options)
    except AlreadyRunning as exc:
        raise AlreadyRunningError(str(exc)) from None
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("yuqing run 已停止 (stopped)", err=True)
    raise SystemExit(code)


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_app
def status(app: AppContext, fmt: str) -> None:
    """Show the daemon's heartbeat, each job's last and next run, and each source's latest crawl.

    \b
    A heartbeat that says running is checked against the daemon's lock: a daemon that died without
    stopping (kill -9, power loss) is shown as dead (已退出（未正常停止）) with its last heartbeat.
    """
    from yuqing.daemon.status import checked_daemon_row, job_rows, source_rows

    tz, db = app.config.tz, app.database()
    try:
        with db.session() as session:
            jobs, sources = job_rows(session, tz), source_rows(session, tz)
        daemon = checked_daemon_row(db, app.config)
    finally:
        db.dispose()
    if daemon is not None and daemon["state"] == "dead":
        jobs = [{**row, "next_run": None} for row in jobs]  # its plans died with it
    if fmt == "jsonl":
        write_jsonl([{"kind": "daemon", **(daemon or {"state": "never_started"})},
                     *({"kind": "job", **row} for row in jobs), *({"kind": "source", **row} for row in sources)])
        return
    click.echo(_daemon_line(daemon))
    print_table("任务（上次 / 下次运行）", JOB_COLUMNS, jobs)
    print_table("数据源健康（最近一次采集）", SOURCE_COLUMNS, sources)


def _daemon_line(daemon: dict | None) -> str:
    if daemon is None:
        return "守护进程：从未运行（yuqing run 未启动过）"
    from yuqing.daemon.status import STATE_ZH

    state = STATE_ZH.get(daemon["state"], daemon["state"])
    line = (f"守护进程：{state}（{daemon['mode']}，进程 {daemon['pid']}@{daemon['host']}），"
            f"启动于 {daemon['started_at']}，最近心跳 {daemon['beat_at']}")
    if daemon["state"] == "dead":
        line += "；进程已不在，锁已释放：请查看日志后重新启动 yuqing run"
    return line
