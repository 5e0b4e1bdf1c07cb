"""`yuqing crawl`, `yuqing replay` and `yuqing record`: run the spiders live, from fixtures, or to save fixtures.

Each prints one row per source (and round); the exit status is 1 when any source's crawl failed (status
``failed``: an error, a missing fixture, a bad manifest, a crawl that did not finish). Blocked, robots-refused
and empty crawls are honest outcomes, not failures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from yuqing.context import AppContext, pass_app
from yuqing.output import FORMATS, print_table, write_jsonl

if TYPE_CHECKING:
    from crawlers.fixtures import Manifest

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
    replaying a round again adds nothing. A source with a malformed manifest is reported as failed
    and the others are replayed; the exit status is 1 when any source failed.
    """
    from crawlers import run_crawl_subprocess

    directory = fixtures_dir or DEFAULT_FIXTURES
    manifests, broken = _load_manifests(directory, _replayable_sources(app, directory, sources))
    chosen = list(manifests)
    summary = [{"round": None, **row} for row in broken]
    for number in _replay_rounds(manifests, round_no):
        click.echo(f"第 {number} 轮回放：{', '.join(chosen)} …", err=True)
        results = run_crawl_subprocess(
            chosen, config_path=app.config_file, db_url=app.db_url, now=_given_now(app, now),
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
    """Crawl the live sites once (all enabled sources, or the SOURCES named); exit status 1 if any source failed."""
    from crawlers import run_crawl_subprocess

    chosen = list(sources) or list(app.config.enabled_sources())
    _check_known(app, chosen)
    results = run_crawl_subprocess(
        chosen, config_path=app.config_file, db_url=app.db_url, now=_given_now(app, now), replay_dir=None,
        round_no=None, timeout_s=app.config.crawl.crawl_timeout_minutes * 60, log_level=app.crawl_log_level,
    )
    _show([{"round": None, **row} for row in results], fmt, "采集结果（按来源）")


@click.command()
@click.argument("source")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_FIXTURES,
              show_default=True, help="Fixtures folder to write <SOURCE>/ into.")
@click.option("--round", "round_no", type=click.IntRange(min=1),
              help="The round to record: must be the next one after those already in <SOURCE>/ (the default).")
@click.option("--now", help="ISO 8601 'now' for date parsing, the crawl window and the round's capture time "
                            "(default: the wall clock).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_app
def record(app: AppContext, source: str, out_dir: Path, round_no: int | None, now: str | None, fmt: str) -> None:
    """Crawl SOURCE live and save every response as a replayable fixture (cookies and keys stripped).

    The capture becomes the next round of <OUT>/<SOURCE>/manifest.json; exit status 1 if the crawl failed.
    """
    from crawlers import run_crawl_subprocess

    _check_known(app, [source])
    number = _next_round(out_dir, source, round_no)
    results = run_crawl_subprocess(
        [source], config_path=app.config_file, db_url=app.db_url, now=_given_now(app, now), replay_dir=None,
        round_no=number, timeout_s=app.config.crawl.crawl_timeout_minutes * 60, record_dir=out_dir,
        log_level=app.crawl_log_level,
    )
    _show([{"round": number, **row} for row in results], fmt, f"已录制到 {out_dir / source}")


def _given_now(app: AppContext, now: str | None) -> str | None:
    """``--now`` checked (a one-line usage error if it is not ISO 8601), as the crawl child takes it."""
    return app.now(now).isoformat() if now else None


def _replayable_sources(app: AppContext, directory: Path, wanted: tuple[str, ...]) -> list[str]:
    from yuqing.daemon.replay import replayable_sources  # imports crawlers (Scrapy): not at `yuqing --help`

    if not directory.is_dir():
        raise click.ClickException(f"fixtures folder {directory} does not exist")
    chosen = replayable_sources(directory, app.config.sources, wanted)
    missing = [name for name in wanted if name not in chosen]
    if missing:
        raise click.ClickException(f"no fixtures or no config for: {', '.join(missing)}")
    if not chosen:
        raise click.ClickException(f"no configured source has fixtures in {directory}")
    return chosen


def _load_manifests(directory: Path, sources: list[str]) -> tuple[dict[str, Manifest], list[dict]]:
    """The sources' manifests, and a failed summary row for each that is malformed (a one-line error if all are)."""
    from crawlers.fixtures import ManifestError, load_manifest
    from crawlers.summary import failed_summary

    manifests: dict[str, Manifest] = {}
    broken: list[dict] = []
    for name in sources:
        try:
            manifests[name] = load_manifest(directory, name)
        except ManifestError as exc:
            broken.append(failed_summary(name, str(exc)))
    if not manifests:
        raise click.ClickException("; ".join(row["warnings"][0] for row in broken))
    return manifests, broken


def _replay_rounds(manifests: dict[str, Manifest], wanted: int | None) -> list[int]:
    """Every round of the manifests in order, or only ``wanted``: a usage error if no manifest has it."""
    found = sorted({number for manifest in manifests.values() for number in manifest.rounds})
    if wanted is None:
        return found
    if wanted not in found:
        raise click.BadParameter(f"no fixture set has round {wanted}; rounds: {', '.join(map(str, found)) or 'none'}",
                                 param_hint="--round")
    return [wanted]


def _next_round(out_dir: Path, source: str, wanted: int | None) -> int:
    """The round a recording adds (the one after those already saved); a usage error if ``--round`` says another."""
    from crawlers.fixtures import ManifestError, load_manifest, manifest_path

    try:
        saved = load_manifest(out_dir, source).rounds if manifest_path(out_dir, source).exists() else {}
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from None
    number = max(saved, default=0) + 1
    if wanted not in (None, number):
        raise click.BadParameter(f"{out_dir / source} has rounds up to {number - 1}: the recording will be round "
                                 f"{number}", param_hint="--round")
    return number


def _check_known(app: AppContext, sources: list[str]) -> None:
    unknown = [name for name in sources if name not in app.config.sources]
    if unknown:
        configured = ", ".join(app.config.sources)
        raise click.ClickException(f"unknown source(s): {', '.join(unknown)}; configured: {configured}")


def _show(rows: list[dict], fmt: str, title: str) -> None:
    """Print the rows (a table and its warnings, or JSON Lines), then exit with status 1 if any source failed."""
    if fmt == "jsonl":
        write_jsonl(rows)
    else:
        print_table(title, SUMMARY_COLUMNS, rows)
        warnings = [f"[{row['source']}] {w}" for row in rows for w in row.get("warnings") or []]
        for line in warnings[:20]:
            click.echo(f"警告 {line}", err=True)
    _exit_if_failed(rows)


def _exit_if_failed(rows: list[dict]) -> None:
    """Exit status 1 when a source's status is ``failed``; blocked, robots_refused and empty are not failures."""
    failed = list(dict.fromkeys(row["source"] for row in rows if row["status"] == "failed"))
    if failed:
        click.echo(f"失败的来源：{', '.join(failed)}（退出码 1）", err=True)
        raise SystemExit(1)
