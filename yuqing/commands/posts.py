"""`yuqing import` and `yuqing export posts`: the post record of CONTRACTS.md §1 in and out as JSON Lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from yuqing.context import AppContext, check_year, pass_app
from yuqing.output import write_jsonl


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--now", help="ISO 8601 time recorded as the posts' fetch time (default: the wall clock).")
@pass_app
def import_posts(app: AppContext, file: Path, now: str | None) -> None:
    """Store the posts of a JSON Lines FILE; a known (source, id) only updates its engagement.

    A bad line is reported with its line number and skipped; the good lines are stored.
    """
    from storage import import_jsonl
    from storage.importer import ImportAborted

    database = app.database()
    try:
        with file.open("rb") as lines:
            report = import_jsonl(database, lines, fetched_at=app.now(now))
    except ImportAborted as exc:
        _report_skipped(exc.report.errors)
        raise click.ClickException(f"导入中止（此前的行已保存）：{exc}") from None
    _report_skipped(report.errors)
    click.echo(
        f"导入完成：新增 {report.new}，更新 {report.updated}，未变 {report.unchanged}，跳过 {len(report.errors)} 行",
        err=True,
    )


def _report_skipped(errors: list[tuple[int, str]]) -> None:
    for line_no, message in errors:
        click.echo(f"第 {line_no} 行已跳过：{message}", err=True)


@click.group()
def export() -> None:
    """Write stored data to stdout in a machine-readable format."""


@export.command("posts")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (inclusive, configured timezone).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (inclusive, configured timezone).")
@pass_app
def export_posts(app: AppContext, fmt: str, since, until) -> None:
    """Export posts as JSON Lines (CONTRACTS.md §1), ordered by publication time."""
    from storage import iter_posts

    first: date | None = since.date() if since else None
    last: date | None = until.date() if until else None
    for day, option in ((first, "--since"), (last, "--until")):
        if day is not None:
            check_year(day, option)
    database = app.database()
    with database.session() as session:
        write_jsonl(post.to_json() for post in iter_posts(session, since=first, until=last, tz=app.config.tz))
