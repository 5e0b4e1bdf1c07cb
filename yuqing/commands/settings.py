"""`yuqing config show|check` and `yuqing db upgrade`: inspect the configuration, prepare the database."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from config import Config, ConfigError, config_path, redact
from yuqing.context import AppContext, pass_app

DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@click.group("config")
def config_group() -> None:
    """Inspect the configuration (secrets are always redacted)."""


@config_group.command("show")
@pass_app
def show(app: AppContext) -> None:
    """Print the effective configuration as JSON, with secret values replaced by ***."""
    data = redact(app.config.model_dump(mode="json"))
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@config_group.command("check")
@pass_app
def check(app: AppContext) -> None:
    """Validate the config file (and each channel's robot/webhook host) and say which file was read;
    warn about any time of the week no roster shift covers (alerts then skip the duty officers)."""
    from alerts import build_channels

    config = app.config
    try:
        build_channels(config)  # the checks `yuqing alerts dispatch` makes: allowed hosts, templates
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    enabled = ", ".join(config.enabled_sources()) or "无"
    click.echo(f"配置有效：{config_path(app.config_file)}（{config.district}；启用来源：{enabled}）")
    for warning in _roster_gap_warnings(config):
        click.echo(warning, err=True)


def _roster_gap_warnings(config: Config) -> list[str]:
    """One Chinese line per weekly gap in the roster's shifts, naming its days and hours."""
    whom = "只发给带班领导" if config.roster.leaders else "无人接收（也未配置 roster.leaders）"
    return [f"警告：每周 {_span(gap.start, gap.end)} 没有值班班次（roster.shifts），其间的新预警{whom}"
            for gap in config.roster.weekly_gaps()]


def _span(start: timedelta, end: timedelta) -> str:
    """``周一 00:00–08:30`` within a day, ``周五 17:30 至 周一 08:30`` across days (an end at midnight: 24:00)."""
    (start_day, start_clock), (end_day, end_clock) = _weekly_clock(start), _weekly_clock(end, at_end=True)
    if start_day == end_day and end - start < timedelta(days=1):
        return f"{start_day} {start_clock}–{end_clock}"
    return f"{start_day} {start_clock} 至 {end_day} {end_clock}"


def _weekly_clock(offset: timedelta, at_end: bool = False) -> tuple[str, str]:
    """The weekday and clock ``offset`` after Monday 00:00; an end exactly at midnight is the day before's 24:00."""
    days, seconds = divmod(int(offset.total_seconds()), 86_400)
    if at_end and seconds == 0:
        days, seconds = days - 1, 86_400
    hours, minutes = divmod(seconds // 60, 60)
    clock = f"{hours:02d}:{minutes:02d}" + (f":{seconds % 60:02d}" if seconds % 60 else "")
    return DAY_NAMES[days % 7], clock


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@pass_app
def upgrade(app: AppContext) -> None:
    """Create the database or migrate it to the newest schema (Alembic)."""
    app.database()
    click.echo(f"数据库已是最新结构：{app.db_url.split('@')[-1]}")
