"""The `yuqing` command: one entry point with subcommands for every stage of the pipeline."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from yuqing import __version__
from yuqing.commands.alerts import alerts_group
from yuqing.commands.analysing import analyze, evaluate_command, train
from yuqing.commands.crawling import crawl, record, replay
from yuqing.commands.posts import export, import_posts
from yuqing.commands.report import report
from yuqing.commands.run import run, status
from yuqing.commands.serve import serve
from yuqing.commands.settings import config_group, db_group
from yuqing.context import AppContext, database_problem


class YuqingGroup(click.Group):
    """The command group; a database that fails mid-command (locked, gone) is one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            app = ctx.find_object(AppContext)
            message = database_problem(exc, app.db_url) if app else None
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(cls=YuqingGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), envvar="YUQING_CONFIG",
              help="Config file (default: $YUQING_CONFIG, else the shipped 天宁区 example).")
@click.option("--db", "db_url", envvar="YUQING_DB_URL", help="Database URL (default: $YUQING_DB_URL, else config).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(__version__, prog_name="yuqing")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, db_url: str | None, verbose: int) -> None:
    """yuqing 舆情监测 — watch 化龙巷, 今日头条, 中吴网 and Weibo for emergency and work-safety posts.

    \b
    Collect:  yuqing replay | crawl | record
    Data:     yuqing import FILE.jsonl | export posts
    Analyse:  yuqing analyze [--input F --output F] | eval | train sentiment|relevance
    Alerts:   yuqing alerts list|show|ack|note|refer|resolve|false-alarm|silence|dispatch|tick
    Reports:  yuqing report weekly [--week 2026-W47] | daily [--date YYYY-MM-DD]
    Daemon:   yuqing run [--replay [DIR]] | status
    Setup:    yuqing config show|check | db upgrade
    """
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = AppContext(config_file=config_file, db_url_option=db_url, verbose=verbose)


for command in (replay, crawl, record, import_posts, export, analyze, evaluate_command, train, config_group, db_group,
                serve, alerts_group, report, run, status):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="yuqing")
