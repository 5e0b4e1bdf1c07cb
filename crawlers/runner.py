"""Run sources' spiders in one Scrapy process and print one JSON line per source (``python -m crawlers.runner``).

Scrapy's reactor cannot restart, so every crawl — live, replay or record — runs in a process of its own:
the CLI and the scheduler call :func:`run_crawl_subprocess`, which starts this module, kills it on timeout
and reads its JSON lines; a stopping daemon calls :func:`stop_crawl_subprocesses` to end the running children.
Logs go to stderr; stdout carries only the JSON lines.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from config import Config, ConfigError, load_config
from crawlers.fixtures import Manifest, load_manifest
from crawlers.summary import failed_summary

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_children: set[subprocess.Popen] = set()  # the running crawl children of this process
_children_lock = threading.Lock()
_stopping = threading.Event()  # set by stop_crawl_subprocesses: no new crawl starts


def run_crawl_subprocess(
    sources: list[str], *, config_path: str | Path | None = None, db_url: str | None = None,
    now: datetime | str | None = None, replay_dir: str | Path | None = None, round_no: int | None = None,
    timeout_s: float | None = None, record_dir: str | Path | None = None, log_level: str = "INFO",
    log_file: str | Path | None = None, spider_modules: tuple[str, ...] = (), niceness: int = 0,
) -> list[dict[str, Any]]:
    """Crawl ``sources`` in a child process; one summary dict per source, in order (failed ones included).

    ``niceness`` lowers the child's CPU priority (the daemon's latency-critical work keeps the CPU).
    """
    command = [sys.executable, "-m", "crawlers.runner", "--log-level", log_level, *_options(
        config=config_path, now=now.isoformat() if isinstance(now, datetime) else now,
        replay=replay_dir, round=round_no, record=record_dir), *_repeat("--spider-module", spider_modules), *sources]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    if db_url:
        env["YUQING_DB_URL"] = db_url  # not on the command line, where `ps` would show a password in it
    with open(log_file, "ab") if log_file else contextlib.nullcontext() as stderr:  # None: the parent's stderr
        with _children_lock:
            if _stopping.is_set():
                return _collect(sources, b"", "守护进程正在停止，未启动爬取")
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env, start_new_session=True)
            _children.add(process)
        try:
            return _communicate(process, sources, timeout_s, niceness)
        finally:
            with _children_lock:
                _children.discard(process)


def _communicate(process: subprocess.Popen, sources: list[str], timeout_s: float | None,
                 niceness: int) -> list[dict[str, Any]]:
    _lower_priority(process.pid, niceness)
    try:
        out, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        out, _ = process.communicate()
        return _collect(sources, out, f"超时：{timeout_s:g} 秒后终止")
    if _stopping.is_set() and process.returncode:
        return _collect(sources, out, f"爬取进程被终止（返回码 {process.returncode}）")
    return _collect(sources, out, f"爬取进程异常退出（返回码 {process.returncode}）")


def wait_for_crawl_subprocesses(timeout_s: float) -> bool:
    """Wait up to ``timeout_s`` seconds for the running crawl children to finish; True if none is left."""
    deadline = time.monotonic() + timeout_s
    while True:
        with _children_lock:
            running = [child for child in _children if child.poll() is None]
        if not running or time.monotonic() >= deadline:
            return not running
        time.sleep(0.2)


def stop_crawl_subprocesses(grace_s: float) -> int:
    """Start no more crawls; SIGTERM each running crawl child's process group, SIGKILL it if still alive after
    ``grace_s`` seconds. How many children there were (their callers get their summaries, failed or not)."""
    with _children_lock:
        _stopping.set()
        children = list(_children)
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        if child.returncode is None:
            _signal_group(child, signal.SIGKILL)
    return len(children)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _lower_priority(pid: int, niceness: int) -> None:
    """Renice the child (set from here, not in the child: a ``preexec_fn`` is unsafe in a threaded daemon)."""
    if niceness:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)


def _options(**values: Any) -> list[str]:
    return [part for name, value in values.items() if value is not None for part in (f"--{name}", str(value))]


def _repeat(flag: str, values: tuple[str, ...]) -> list[str]:
    return [part for value in values for part in (flag, value)]


def _collect(sources: list[str], out: bytes, why_missing: str) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for line in out.decode("utf-8", errors="replace").splitlines():
        try:
            summary = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(summary, dict) and summary.get("source") in sources:
            found[summary["source"]] = summary
    return [found.get(source) or failed_summary(source, why_missing) for source in sources]


# -- the child process -------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawlers.runner", description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="source names from config [sources.*]")
    parser.add_argument("--config", help="config file (default: $YUQING_CONFIG, else the 天宁区 example)")
    parser.add_argument("--db", help="database URL (default: $YUQING_DB_URL, else config database.url)")
    parser.add_argument("--now", help="ISO 8601 time to crawl as of (default: wall clock; replay: capture time)")
    parser.add_argument("--replay", metavar="DIR", help="serve every request from DIR/<source>/manifest.json")
    parser.add_argument("--round", type=int, default=1, help="replay round (default 1)")
    parser.add_argument("--record", metavar="DIR", help="save live responses as a new fixture round in DIR")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--spider-module", action="append", default=[],
                        help="also load spiders from MODULE; its spiders replace built-ins of the same name")
    return parser.parse_args(argv)


def project_settings(args: argparse.Namespace, config: Config) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("SPIDER_MODULES", ["crawlers.spiders", *args.spider_module], priority="project")
    settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    now = datetime.fromisoformat(args.now) if args.now else None
    values = {"YUQING_CONFIG": args.config, "YUQING_DB_URL": args.db,
              "YUQING_NOW": (now if now is None or now.tzinfo else now.replace(tzinfo=config.tz)),
              "YUQING_REPLAY_DIR": args.replay, "YUQING_REPLAY_ROUND": args.round, "YUQING_RECORD_DIR": args.record}
    for name, value in values.items():
        settings.set(name, value.isoformat() if isinstance(value, datetime) else value, priority="cmdline")
    return settings


def crawler_process(args: argparse.Namespace, config: Config) -> Any:
    """The CrawlerProcess of ``args``, Scrapy's loggers set to the log level.

    Scrapy filters by level only at its log handler (and resets the root logger to NOTSET for every crawler),
    so every response and item would build a DEBUG record that is then thrown away; with the level on the
    ``scrapy`` logger they are never built.
    """
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(project_settings(args, config))
    logging.getLogger("scrapy").setLevel(process.settings.get("LOG_LEVEL"))
    _install_reactor(process.settings)
    return process


def _install_reactor(settings: Any) -> None:
    """Install the Twisted reactor before any crawl starts, so one source's failure stays its own.

    Scrapy leaves it to the first crawler, after building its spider: a spider that fails to build there
    (a bad manifest, a bad setting) would leave no reactor, and every other source would fail with
    "We expected a Twisted reactor to be installed but it isn't". Installing it twice is a no-op.
    """
    from scrapy.utils.reactor import install_reactor

    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])


def _spider_class(process: Any, config: Config, source: str, replay: bool) -> type:
    from crawlers.settings import settings_for

    source_config = config.sources.get(source)
    if source_config is None:
        raise ValueError(f"source {source!r} is not configured (known: {', '.join(config.sources)})")
    base = process.spider_loader.load(source_config.spider)
    if not source_config.obey_robots:
        logger.warning("%s: robots.txt is NOT obeyed, under: %s", source, source_config.robots_authorisation)
    overrides = (base.custom_settings or {}) | settings_for(config, source, replay=replay)
    return type(base.__name__, (base,), {"custom_settings": overrides, "__module__": base.__module__})


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Crawl every named source in one CrawlerProcess; their summaries, in the order named.

    A source that cannot start (not configured, no spider, a bad fixture manifest) fails alone.
    """
    config = load_config(args.config)
    process = crawler_process(args, config)
    crawlers: dict[str, Any] = {}
    failures: dict[str, str] = {}
    for source in dict.fromkeys(args.sources):
        try:
            spider_class = _spider_class(process, config, source, bool(args.replay))
            manifest = _replay_manifest(args, source)
        except (KeyError, ValueError) as exc:  # ManifestError is a ValueError
            failures[source] = str(exc)
            logger.error("%s: cannot crawl: %s", source, exc)
            continue
        crawler = crawlers[source] = process.create_crawler(spider_class)
        process.crawl(crawler, source=source, replay_manifest=manifest).addErrback(_failed(failures, source))
    if crawlers:
        process.start()
    return [_summary(source, crawlers.get(source), failures) for source in args.sources]


def _replay_manifest(args: argparse.Namespace, source: str) -> Manifest | None:
    """Replaying: the source's manifest, handed to its spider (read once); a ManifestError unless it is
    well-formed and has the round or an earlier one."""
    if not args.replay:
        return None
    manifest = load_manifest(args.replay, source)
    manifest.current(args.round)
    return manifest


def _failed(failures: dict[str, str], source: str) -> Any:
    def record(failure: Any) -> None:
        failures[source] = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        logger.error("%s: crawl failed: %s", source, failures[source])
    return record


def _summary(source: str, crawler: Any, failures: dict[str, str]) -> dict[str, Any]:
    if source in failures:
        return failed_summary(source, failures[source])
    summary = crawler.stats.get_value("yuqing/summary") if crawler else None
    return summary or failed_summary(source, "爬取未完成，没有汇总")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        summaries = run(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        summaries, code = [failed_summary(source, str(exc)) for source in args.sources], 2
    else:
        code = 0
    for summary in summaries:
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
