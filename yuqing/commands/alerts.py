"""`yuqing alerts …`: list and show alerts, the officer's actions, silences, the dispatcher and the escalation tick."""

from __future__ import annotations

import getpass
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import click

from yuqing.context import AppContext, parse_now, pass_app
from yuqing.daemon.clock import RunningClock, WallClock
from yuqing.output import FORMATS, print_table, write_jsonl

LIST_COLUMNS = [("id", "编号"), ("level", "级别"), ("state", "状态"), ("title", "事件"), ("place", "地点"),
                ("posts", "帖子"), ("opened_at", "发现时间"), ("reason", "原因")]
LOG_COLUMNS = [("at", "时间"), ("actor", "操作人"), ("action", "动作"), ("note", "说明"), ("details", "详情")]
OUTBOX_COLUMNS = [("created_at", "时间"), ("person", "接收人"), ("channel", "渠道"), ("kind", "类型"),
                  ("state", "状态"), ("attempts", "尝试"), ("last_error", "错误")]
SILENCE_COLUMNS = [("topic", "类型"), ("place", "地点"), ("source", "来源"), ("until", "截止"), ("reason", "原因")]
ACTION_ZH = {"raise": "生成预警", "level_raised": "级别升高", "notified": "已通知", "escalate": "升级",
             "ack": "确认", "note": "备注/研判", "refer": "上报网信办", "respond": "网信办回应", "resolve": "办结",
             "false_alarm": "误报"}


def by_option(func: Callable) -> Callable:
    func = click.option("--now", help="ISO 8601 time of the action (default: the wall clock).")(func)
    return click.option("--by", "by", default=getpass.getuser, show_default="the OS user", callback=_actor,
                        help="Who acts (a roster name).")(func)


def _actor(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """The handling log names who acted: an empty name is a usage error."""
    if not value.strip():
        raise click.BadParameter("name who acts, e.g. --by 值班员甲")
    return value.strip()


@click.group("alerts")
def alerts_group() -> None:
    """Alerts for the duty officer: list, handle (确认/备注/上报/办结/误报), silence, dispatch, escalate."""


@alerts_group.command("list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--all", "include_closed", is_flag=True, help="Also resolved and false-alarm alerts.")
@click.option("--source-health", is_flag=True, help="Source-health alerts (for the operator) instead of incidents.")
@pass_app
def list_command(app: AppContext, fmt: str, include_closed: bool, source_health: bool) -> None:
    """Open alerts, newest first (CONTRACTS.md §6 lines with --format jsonl)."""
    from alerts.queries import alert_posts, list_alerts, to_contract

    with app.database().session() as session:
        alerts = list_alerts(session, include_closed=include_closed,
                             kind="source_health" if source_health else "incident")
        posts = alert_posts(session, [alert.id for alert in alerts])
        if fmt == "jsonl":
            write_jsonl(to_contract(alert, posts.get(alert.id, []), app.config.tz) for alert in alerts)
            return
        rows = [_list_row(session, app, alert, len(posts.get(alert.id, []))) for alert in alerts]
    print_table(f"预警（{'全部' if include_closed else '未关闭'}，{len(rows)} 条）", LIST_COLUMNS, rows)


def _list_row(session, app: AppContext, alert, post_count: int) -> dict:
    from alerts.states import state_label
    from storage.analysis_models import Event

    event = session.get(Event, alert.event_id) if alert.event_id else None
    return {"id": alert.id, "level": alert.level, "state": state_label(alert.state, alert.follow_step),
            "title": alert.title[:30], "place": event.place if event else None, "posts": post_count,
            "opened_at": alert.opened_at.astimezone(app.config.tz).strftime("%m-%d %H:%M"),
            "reason": alert.reason[:40]}


@alerts_group.command("show")
@click.argument("alert_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_app
def show_command(app: AppContext, alert_id: str, fmt: str) -> None:
    """One alert: its posts, the handling log and every notification sent or pending."""
    from alerts.queries import alert_posts, handling_log, local_iso, notifications_of, to_contract
    from alerts.states import state_label

    tz = app.config.tz
    with app.database().session() as session:
        alert = _get(session, alert_id)
        record = to_contract(alert, alert_posts(session, [alert.id]).get(alert.id, []), tz)
        log = [{"at": local_iso(a.at, tz), "actor": a.actor, "action": a.action, "note": a.note,
                "details": a.details} for a in handling_log(session, alert.id)]
        outbox = [{"created_at": local_iso(n.created_at, tz), "person": n.person, "channel": n.channel,
                   "kind": n.kind, "state": n.state, "attempts": n.attempts, "last_error": n.last_error}
                  for n in notifications_of(session, alert.id)]
        heading = f"{alert.id} · {alert.level or '—'} · {state_label(alert.state, alert.follow_step)} · {alert.title}"
    if fmt == "jsonl":
        write_jsonl([{**record, "log": log, "notifications": outbox}])
        return
    click.echo(heading)
    click.echo(f"原因：{record['reason']}")
    click.echo("帖子：" + "；".join(f"{p['source']}:{p['id']}" for p in record["posts"]))
    print_table("处置记录", LOG_COLUMNS, [{**row, "action": ACTION_ZH.get(row["action"], row["action"]),
                                       "at": row["at"][5:16].replace("T", " ")} for row in log])
    print_table("通知", OUTBOX_COLUMNS, [{**row, "created_at": row["created_at"][5:16].replace("T", " ")}
                                      for row in outbox])


def _get(session, alert_id: str):
    from alerts import AlertNotFound, get_alert

    try:
        return get_alert(session, alert_id)
    except AlertNotFound as exc:
        raise click.ClickException(str(exc)) from None


def _act(app: AppContext, now: str | None, perform: Callable, done: str) -> None:
    """Run one officer action in a transaction; a refused transition is a clear error, not a traceback."""
    from alerts import AlertNotFound, TransitionError

    moment = app.now(now)
    try:
        with app.database().session() as session:
            alert = perform(session, moment)
            label = _label(alert)
    except (AlertNotFound, TransitionError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{done}：{alert.id}（当前：{label}）", err=True)


def _label(alert) -> str:
    from alerts.states import state_label

    return state_label(alert.state, alert.follow_step)


@alerts_group.command("ack")
@click.argument("alert_id")
@click.option("--note", default="", help="Optional remark.")
@by_option
@pass_app
def ack_command(app: AppContext, alert_id: str, note: str, by: str, now: str | None) -> None:
    """确认: stop escalation and reminders; the posts count as relevant for training."""
    from alerts import ack

    _act(app, now, lambda session, moment: ack(session, alert_id, by, moment, note), "已确认")


@alerts_group.command("note")
@click.argument("alert_id")
@click.argument("text")
@by_option
@pass_app
def note_command(app: AppContext, alert_id: str, text: str, by: str, now: str | None) -> None:
    """备注/研判: record what was found or done (an acknowledged alert moves to 跟进中 · 研判)."""
    from alerts import note

    _act(app, now, lambda session, moment: note(session, alert_id, text, by, moment), "已记录")


@alerts_group.command("refer")
@click.argument("alert_id")
@click.option("--contact", help="网信办 contact person / office.")
@click.option("--ref", "reference", help="Reference number of the hand-off.")
@click.option("--response", help="Record 网信办's response to an earlier referral instead.")
@click.option("--note", default="")
@by_option
@pass_app
def refer_command(app: AppContext, alert_id: str, contact: str | None, reference: str | None,
                  response: str | None, note: str, by: str, now: str | None) -> None:
    """上报网信办: record the hand-off (--contact, --ref), later their reply (--response)."""
    from alerts import refer, respond

    if response is not None:
        _act(app, now, lambda s, m: respond(s, alert_id, by, m, response=response), "已记录网信办回应")
        return
    _act(app, now, lambda s, m: refer(s, alert_id, by, m, contact=contact or "", reference=reference or "",
                                      note=note), "已上报网信办")


@alerts_group.command("resolve")
@click.argument("alert_id")
@click.option("--note", default="")
@by_option
@pass_app
def resolve_command(app: AppContext, alert_id: str, note: str, by: str, now: str | None) -> None:
    """办结: the incident is handled (new posts later open a new alert)."""
    from alerts import resolve

    _act(app, now, lambda session, moment: resolve(session, alert_id, by, moment, note), "已办结")


@alerts_group.command("false-alarm")
@click.argument("alert_id")
@click.option("--note", default="")
@by_option
@pass_app
def false_alarm_command(app: AppContext, alert_id: str, note: str, by: str, now: str | None) -> None:
    """误报: not a real incident; the posts count as not relevant for training."""
    from alerts import false_alarm

    _act(app, now, lambda session, moment: false_alarm(session, alert_id, by, moment, note), "已标记误报")


@alerts_group.command("silence")
@click.option("--topic", help="Event type, e.g. fire.")
@click.option("--place", help="Place, e.g. 红梅街道.")
@click.option("--source", help="Source, e.g. weibo.")
@click.option("--hours", type=click.FloatRange(0, 24 * 366, min_open=True), default=24, show_default=True,
              help="How long the silence lasts (at most a year).")
@click.option("--reason", default="")
@click.option("--list", "show", is_flag=True, help="List the silences in force instead.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="With --list: a table or JSON Lines.")
@by_option
@pass_app
def silence_command(app: AppContext, topic: str | None, place: str | None, source: str | None, hours: float,
                    reason: str, show: bool, fmt: str, by: str, now: str | None) -> None:
    """Silence alerts by topic, place and/or source for some hours (or --list those in force)."""
    from alerts import add_silence
    from alerts.queries import local_iso
    from alerts.silences import active_silences

    moment = app.now(now)
    with app.database().session() as session:
        if show:
            rules = [{**vars(r), "until": local_iso(r.until, app.config.tz)}
                     for r in active_silences(session, app.config, moment)]
            if fmt == "jsonl":
                write_jsonl(rules)
            else:
                print_table("生效中的静默规则", SILENCE_COLUMNS, rules)
            return
        try:
            add_silence(session, topic=topic, place=place, source=source, until=moment + timedelta(hours=hours),
                        reason=reason, by=by, now=moment)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"已静默 {hours:g} 小时：{' / '.join(filter(None, (topic, place, source)))}", err=True)


@alerts_group.command("tick")
@click.option("--now", help="ISO 8601 'now' (default: the wall clock).")
@pass_app
def tick_command(app: AppContext, now: str | None) -> None:
    """Enqueue the escalations (backup, then leaders) and reminders due now."""
    from alerts import tick

    report = tick(app.database(), app.config, app.now(now))
    click.echo(f"升级 {len(report.escalated)} 条，提醒 {len(report.reminded)} 条", err=True)


@alerts_group.command("dispatch")
@click.option("--now", help="ISO 8601 'now' (default: the wall clock; with --follow, the start of a running clock).")
@click.option("--follow", is_flag=True, help="Keep running (escalation tick + dispatch) until SIGTERM/SIGINT.")
@click.option("--interval", type=float, default=2.0, show_default=True, help="Seconds between rounds with --follow.")
@pass_app
def dispatch_command(app: AppContext, now: str | None, follow: bool, interval: float) -> None:
    """Send the notifications that are due: retries with backoff, next contact, escalation."""
    from alerts import dispatch_due, tick
    from alerts.channels import build_channels
    from config import ConfigError

    try:
        channels = build_channels(app.config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    database = app.database()
    if not follow:  # --now: every time recorded is that instant; else each is read off the wall clock
        moment = parse_now(now, app.config) if now else None
        _refuse_beside_another_clock(app, database, moment or app.now(None))
        _print_dispatch(dispatch_due(database, app.config, moment or WallClock(app.config.tz).now, channels))
        return
    clock, stop = _clock(app, now), _stop_on_signals()
    while not stop.is_set():
        _refuse_beside_another_clock(app, database, clock())
        tick(database, app.config, clock())
        _print_dispatch(dispatch_due(database, app.config, clock, channels), quiet=True)
        stop.wait(interval)
    click.echo("调度已停止", err=True)


def _clock(app: AppContext, now: str | None) -> Callable[[], datetime]:
    """The wall clock, or a clock that starts at --now and runs on at real speed (the wall clock is not read)."""
    if now is None:
        return WallClock(app.config.tz).now
    return RunningClock(parse_now(now, app.config)).now


def _refuse_beside_another_clock(app: AppContext, database, now: datetime) -> None:
    """A running ``yuqing run`` whose last heartbeat is far from ``now`` keeps another time (a replay on the
    fixtures' clock, another --now): claims' leases cannot keep the two apart, so both would send the same
    messages. Refuse rather than page the officer twice."""
    from yuqing.daemon.status import LIVE_STATES, checked_daemon_row

    daemon = checked_daemon_row(database, app.config)
    if daemon is None or daemon["state"] not in LIVE_STATES:
        return
    beat = datetime.fromisoformat(daemon["beat_at"])
    slack = timedelta(seconds=app.config.schedule.heartbeat_seconds + app.config.alerts.lease_seconds)
    if abs(beat - now) > slack:
        raise click.ClickException(
            f"yuqing run（进程 {daemon['pid']}）正按另一时钟发送通知（其时间 {daemon['beat_at']}，本命令 "
            f"{now.isoformat(timespec='seconds')}）：同时派发会重复通知值班员，本命令未执行；它会自行发送，"
            "确需手动派发请先停止它。")


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _print_dispatch(report, quiet: bool = False) -> None:
    counts = (len(report.sent), len(report.retrying), len(report.failed), len(report.cancelled))
    if quiet and not any(counts):
        return
    click.echo("已发送 {}，待重试 {}，失败转下一渠道 {}，已取消 {}".format(*counts), err=True)
