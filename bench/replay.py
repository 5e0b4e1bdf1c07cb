"""Benchmark: replay ≥ 20,000 posts through the real Scrapy engine and store pipeline into SQLite.

Project: the four spiders (weibo, toutiao, hualongxiang, zhong5) run exactly as ``crawlers.runner`` runs them
— the project's settings, middlewares (replay, blocked pages, retries, cookies), crawl-run extension and
store pipeline — over a fixture set made of round 1 of ``fixtures/`` copied N times with rewritten ids
(``bench/cycled_fixtures.py``), into a fresh, already-migrated SQLite file. ``posts`` = posts stored new.

Baseline ("bare"): the same spider classes and parse functions over the same fixture pages in a plain
Scrapy process: Scrapy's default settings plus the replay middleware (the stand-in for the network) and
the same concurrency; no project middlewares, no extension, no pipeline, no database; every post is
yielded as a dict. ``bare_posts`` = dicts yielded.

Each crawl runs in its own process (Scrapy's reactor cannot restart). The rate is posts ÷ CPU seconds of
that process (``time.process_time``) from ``CrawlerProcess.start()`` to its end: imports, config loading
and crawler creation are start-up and excluded; wall-clock is not used because the machine is shared.
The median of ``--repeats`` runs of each is reported. ``peak_rss_mb`` is the project crawl's peak RSS.

Last line: ``posts_per_s=N bare_posts_per_s=N ratio=N peak_rss_mb=N`` (ratio = project ÷ bare).
Run: ``.venv/bin/python bench/replay.py [--posts 20000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, ROOT, last_line, median, peak_rss_mb, rate  # noqa: E402
from bench.cycled_fixtures import SOURCES, build  # noqa: E402

POSTS_PER_COPY = 250  # round 1 of fixtures/ stores ~254 posts; a few more copies than needed do no harm


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, Path(args.replay), args.db)), flush=True)
        return 0
    copies = max(1, math.ceil(args.posts / POSTS_PER_COPY))
    out = Path(args.out)
    replay_dir = build(ROOT / "fixtures", out / f"replay-x{copies}", copies)
    runs = [(measure("project", replay_dir, out), measure("bare", replay_dir, out)) for _ in range(args.repeats)]
    for number, (project, bare) in enumerate(runs, 1):
        print(f"run {number}: project {project['posts']} posts in {project['cpu_s']:.2f} CPU s "
              f"({project['wall_s']:.1f} s wall); bare {bare['posts']} posts in {bare['cpu_s']:.2f} CPU s")
    posts_per_s = median([rate(p["posts"], p["cpu_s"]) for p, _ in runs])
    bare_per_s = median([rate(b["posts"], b["cpu_s"]) for _, b in runs])
    print(last_line(posts_per_s=posts_per_s, bare_posts_per_s=bare_per_s, ratio=posts_per_s / bare_per_s,
                    peak_rss_mb=max(p["peak_rss_mb"] for p, _ in runs)))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000, help="posts to replay per run (default 20000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each crawl; the median is reported")
    parser.add_argument("--out", default=str(OUT), help="where the fixture copies and the database go")
    parser.add_argument("--child", choices=("project", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--replay", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def measure(kind: str, replay_dir: Path, out: Path) -> dict[str, Any]:
    """One crawl in a child process; its figures (the child prints them as its last stdout line)."""
    command = [sys.executable, __file__, "--child", kind, "--replay", str(replay_dir)]
    if kind == "project":
        command += ["--db", fresh_database(out / "replay.db")]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"{kind} crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_database(path: Path) -> str:
    """An empty SQLite file migrated to head (migration is start-up, not part of the measured crawl)."""
    from storage import open_database

    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    open_database(url).engine.dispose()
    return url


# -- the child processes -----------------------------------------------------------------------------------

def run_child(kind: str, replay_dir: Path, db_url: str | None) -> dict[str, Any]:
    process, crawlers = project_process(replay_dir, db_url) if kind == "project" else bare_process(replay_dir)
    started, wall = time.process_time(), time.perf_counter()
    process.start()
    cpu_s, wall_s = time.process_time() - started, time.perf_counter() - wall
    if kind == "project":
        posts = sum(crawler.stats.get_value("yuqing/posts_new", 0) for crawler in crawlers)
    else:
        posts = sum(crawler.stats.get_value("item_scraped_count", 0) for crawler in crawlers)
    return {"posts": posts, "cpu_s": cpu_s, "wall_s": wall_s, "peak_rss_mb": peak_rss_mb()}


def project_process(replay_dir: Path, db_url: str | None) -> tuple[Any, list[Any]]:
    """The crawl ``python -m crawlers.runner --replay DIR SOURCES…`` runs, built but not yet started."""
    from config import load_config
    from crawlers import runner

    args = runner.parse_args([*SOURCES, "--replay", str(replay_dir), "--log-level", "ERROR", "--db", db_url or ""])
    config = load_config(args.config)
    process = runner.crawler_process(args, config)
    crawlers = []
    for source in SOURCES:
        crawler = process.create_crawler(runner._spider_class(process, config, source, replay=True))
        process.crawl(crawler, source=source)
        crawlers.append(crawler)
    return process, crawlers


def bare_process(replay_dir: Path) -> tuple[Any, list[Any]]:
    """Plain Scrapy: the spiders' own parsing over the replayed pages, posts yielded as dicts."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader
    from scrapy.settings import Settings

    from crawlers.middlewares.replay import ReplayMiddleware

    project = Settings()
    project.setmodule("crawlers.settings")
    settings = Settings({
        "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
        "CONCURRENT_ITEMS": project.getint("CONCURRENT_ITEMS"),  # as the project crawl (Scrapy's 100 unless set)
        "DOWNLOADER_MIDDLEWARES": {ReplayMiddleware: 950}, "SPIDER_MIDDLEWARES": {PostsAsDicts: 950},
        "YUQING_REPLAY_DIR": str(replay_dir), "YUQING_REPLAY_ROUND": 1, "SPIDER_MODULES": ["crawlers.spiders"],
    })
    process = CrawlerProcess(settings)
    loader = SpiderLoader.from_settings(settings)
    crawlers = []
    for source in SOURCES:
        spider = loader.load(source)
        bare = type(f"Bare{spider.__name__}", (spider,), {"_load_known_ids": _no_database})
        crawler = process.create_crawler(bare)
        process.crawl(crawler, source=source)
        crawlers.append(crawler)
    return process, crawlers


def _no_database(self: Any, spider: Any) -> None:
    """The bare spiders know no stored posts: every post is new, as in the project's fresh database."""


class PostsAsDicts:
    """Spider middleware of the bare crawl: a ``PostRecord`` leaves the spider as a plain dict."""

    async def process_spider_output_async(self, response: Any, result: Any) -> Any:
        async for item in result:
            yield as_dict(item)

    def process_spider_output(self, response: Any, result: Any) -> Any:
        for item in result:
            yield as_dict(item)


def as_dict(item: Any) -> Any:
    from storage.records import PostRecord

    if isinstance(item, PostRecord):
        return {field.name: getattr(item, field.name) for field in fields(PostRecord)}
    return item


if __name__ == "__main__":
    sys.exit(main())
