"""`yuqing crawl`, `yuqing replay` and `yuqing record`: run the spiders live, from fixtures, or to save fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import click

from yuqing.context import AppContext, pass_app
from yuqing.daemon.replay import replayable_sources
from yuqing.output import FORMATS, print_table, write_jsonl

DEFAULT_FIXTURES = Path("fixtures")
SUMMARY_COLUMNS = [
    ("round", "轮次"),
    ("source", "来源"),
    ("status", "状态"),
    ("pages", "页面"),
    ("posts_new", "新增"),
    ("posts_updated", "更新"),
    ("blocked", "拦截"),
    ("parse_failures", "解析失败"),
    ("empty_pages", "空页"),
    ("challenges", "验证页"),
    ("robots_refused", "robots拒绝"),
]


@click.command()
@click.argument("fixtures_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--round", "round_no", type=click.IntRange(min=1), help="Replay only this capture round.")
@click.option("--now", help="ISO 8601 'now' (default: each source's capture time of the round).")
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_app
def replay(app: AppContext, fixtures_dir: Path | None, round_no: int | None, now: str | None,
           sources: tuple[str, ...], fmt: str) -> None:
    """Replay saved pages through the real Scrapy engine into the database (offline demo and tests).

    FIXTURES_DIR defaults to ./fixtures. Every request, robots.txt included, is answered from
    <FIXTURES_DIR>/<source>/manifest.json. Without --round, every round is replayed in order;
    replaying a round again adds nothing.
    """
    from crawlers import run_crawl_subprocess

    directory = fixtures_dir or DEFAULT_FIXTURES
    chosen = _replayable_sources(app, directory, sources)
    rounds = [round_no] if round_no else _rounds(directory, chosen)
    summary: list[dict] = []
    for number in rounds:
        click.echo(f"第 {number} 轮回放：{', '.join(chosen)} …", err=True)
        results = run_crawl_subprocess(
            chosen, config_path=app.config_file, db_url=app.db_url, now=now,
            replay_dir=directory, round_no=number, timeout_s=app.config.crawl.crawl_timeout_minutes * 60,
            log_level=app.crawl_log_level,
        )
        summary.extend({"round": number, **row} for row in results)
    _show(summary, fmt, "回放结果（按来源）")


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--now", help="ISO 8601 'now' for date parsing and the crawl window (default: the wall clock).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_app
def crawl(app: AppContext, sources: tuple[str, ...], now: str | None, fmt: str) -> None:
    """Crawl the live sites once (all enabled sources, or the SOURCES named)."""
    from crawlers import run_crawl_subprocess

    chosen = list(sources) or list(app.config.enabled_sources())
    _check_known(app, chosen)
    results = run_crawl_subprocess(
        chosen, config_path=app.config_file, db_url=app.db_url, now=now, replay_dir=None, round_no=None,
        timeout_s=app.config.crawl.crawl_timeout_minutes * 60, log_level=app.crawl_log_level,
    )
    _show([{"round": None, **row} for row in results], fmt, "采集结果（按来源）")


@click.command()
@click.argument("source")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_FIXTURES,
              show_default=True, help="Fixtures folder to write <SOURCE>/ into.")
@click.option("--round", "round_no", type=click.IntRange(min=1), default=1, show_default=True)
@pass_app
def record(app: AppContext, source: str, out_dir: Path, round_no: int) -> None:
    """Crawl SOURCE live and save every response as a replayable fixture (cookies and keys stripped)."""
    from crawlers import run_crawl_subprocess

    _check_known(app, [source])
    results = run_crawl_subprocess(
        [source], config_path=app.config_file, db_url=app.db_url, now=None, replay_dir=None, round_no=round_no,
        timeout_s=app.config.crawl.crawl_timeout_minutes * 60, record_dir=out_dir,
        log_level=app.crawl_log_level,
    )
    _show([{"round": round_no, **row} for row in results], "table", f"已录制到 {out_dir / source}")


def _replayable_sources(app: AppContext, directory: Path, wanted: tuple[str, ...]) -> list[str]:
    if not directory.is_dir():
        raise click.ClickException(f"fixtures folder {directory} does not exist")
    chosen = replayable_sources(directory, app.config.sources, wanted)
    missing = [name for name in wanted if name not in chosen]
    if missing:
        raise click.ClickException(f"no fixtures or no config for: {', '.join(missing)}")
    if not chosen:
        raise click.ClickException(f"no configured source has fixtures in {directory}")
    return chosen


def _rounds(directory: Path, sources: list[str]) -> list[int]:
    found: set[int] = set()
    for name in sources:
        manifest = json.loads((directory / name / "manifest.json").read_text(encoding="utf-8"))
        found.update(int(number) for number in manifest.get("rounds", {}))
    return sorted(found)


def _check_known(app: AppContext, sources: list[str]) -> None:
    unknown = [name for name in sources if name not in app.config.sources]
    if unknown:
        raise click.ClickException(f"unknown source(s): {', '.join(unknown)}; configured: {', '.join(app.config.sources)}")


def _show(rows: list[dict], fmt: str, title: str) -> None:
    if fmt == "jsonl":
        write_jsonl(rows)
        return
    print_table(title, SUMMARY_COLUMNS, rows)
    warnings = [f"[{row['source']}] {w}" for row in rows for w in row.get("warnings") or []]
    for line in warnings[:20]:
        click.echo(f"警告 {line}", err=True)
