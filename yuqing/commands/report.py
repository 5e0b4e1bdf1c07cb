"""`yuqing report weekly|daily`: write the 舆情周报 (docx, HTML, Markdown) or the 每日舆情 brief (docx, Markdown)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yuqing.context import AppContext, check_year, pass_app

if TYPE_CHECKING:
    from reports.periods import Period


def parse_formats(value: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """``docx,html`` → ("docx", "html"); an unknown format is a usage error."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [fmt for fmt in chosen if fmt not in allowed]
    if unknown or not chosen:
        raise click.BadParameter(f"{value!r}: choose from {','.join(allowed)}", param_hint="--format")
    return chosen


def out_dir(app: AppContext, given: Path | None) -> Path:
    return given if given is not None else Path(app.config.reports.output_dir)


@click.group()
def report() -> None:
    """Write briefings: the weekly 舆情周报 and the daily 每日舆情."""


@report.command()
@click.option("--week", help="ISO week in the configured timezone, e.g. 2026-W47 (default: the last complete week).")
@click.option("--format", "formats", default="docx,html,md", show_default=True,
              help="Comma-separated: docx, html, md.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: [reports] output_dir, ./var/reports).")
@click.option("--now", help="ISO 8601 'now' (default: the wall clock); picks the default week.")
@pass_app
def weekly(app: AppContext, week: str | None, formats: str, out: Path | None, now: str | None) -> None:
    """Write the weekly briefing of an ISO week: weekly-2026-W47.docx / .html / .md."""
    from reports import WEEKLY_FORMATS, build_weekly, last_complete_week, parse_week, write_weekly

    chosen = parse_formats(formats, WEEKLY_FORMATS)
    moment = app.now(now)
    period = _period(app, week, parse_week, last_complete_week, moment, "--week")
    built = build_weekly(app.database(), app.config, period, moment, charts=chosen != ("md",))
    folder = out_dir(app, out)
    _announce(_written(lambda: write_weekly(built, chosen, folder, app.config), folder), built.notices)


@report.command()
@click.option("--date", "day", help="Day in the configured timezone, YYYY-MM-DD (default: yesterday).")
@click.option("--format", "formats", default="docx,md", show_default=True,
              help="Comma-separated: docx, md.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: [reports] output_dir, ./var/reports).")
@click.option("--now", help="ISO 8601 'now' (default: the wall clock); picks the default date.")
@pass_app
def daily(app: AppContext, day: str | None, formats: str, out: Path | None, now: str | None) -> None:
    """Write the daily brief (about 500 字): daily-2026-11-20.docx / .md."""
    from reports import DAILY_FORMATS, build_daily, parse_day, write_daily, yesterday

    chosen = parse_formats(formats, DAILY_FORMATS)
    moment = app.now(now)
    period = _period(app, day, parse_day, yesterday, moment, "--date")
    built = build_daily(app.database(), app.config, period, moment)
    folder = out_dir(app, out)
    _announce(_written(lambda: write_daily(built, chosen, folder, app.config), folder), built.notices)


def _period(app: AppContext, given: str | None, parse: Callable[[str, tzinfo], Period],
            default: Callable[[datetime, tzinfo], Period], moment: datetime, option: str) -> Period:
    """The period named by ``option`` (parsed in the configured zone), else the default one before ``moment``."""
    from reports import PeriodError

    try:
        period = parse(given, app.config.tz) if given else default(moment, app.config.tz)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    check_year(period.first_day, option)
    return period


def _written(write: Callable[[], list[Path]], folder: Path) -> list[Path]:
    """The report files ``write`` wrote; a folder that cannot be written is one clear error."""
    try:
        return write()
    except OSError as exc:
        raise click.ClickException(f"无法写入报告目录 {folder}：{exc.strerror or exc}") from None


def _announce(paths: list[Path], notices: list[str]) -> None:
    for notice in notices:
        click.echo(notice, err=True)
    for path in paths:
        click.echo(f"已生成 {path}")
