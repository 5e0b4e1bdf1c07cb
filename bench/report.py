"""Benchmark: the weekly briefing (docx + HTML + Markdown, with its three charts) over 1,000,000 analysed posts.

Project: ``reports.build_weekly`` + ``reports.write_weekly`` for ISO week 2026-W47 (and its 环比 week) on a
synthetic SQLite database of ``--posts`` posts spread evenly over the eight weeks 2026-W41…W48 (so about
125,000 in the reported week), each with its ``post_analyses`` row (30 % safety posts with terms), ~4,500
events and alerts with a handling log. The database is built once with bulk ``executemany`` inserts into
the migrated schema and cached as ``<--out>/report-v<VERSION>-<posts>.db`` (default ``bench/out/``);
reruns reuse it. The report is written beside it, in ``report/``.

Baseline: a plain ``SELECT count(*) FROM posts`` over the same table in the same run — the least any
report over these rows could cost.

The measurement runs in a fresh child process, so ``peak_rss_mb`` is the peak RSS of the process that
writes the report (imports included; building the database is not). Imports happen before the clock
starts; the font search and the first chart are inside it. Times are CPU seconds of the measuring process
(``time.process_time``, as in bench/_common.py: the machine is shared); the wall-clock times are printed too.
Targets: report ≤ 15 s, peak RSS ≤ 1 GB.

Last line: ``report_s=N count_s=N peak_rss_mb=N``.
Run: ``.venv/bin/python bench/report.py [--posts 1000000] [--rebuild] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, peak_rss_mb  # noqa: E402

VERSION = 2  # bump when the rows written change, so a cached database is rebuilt
FIRST_DAY = datetime(2026, 10, 5, tzinfo=timezone(timedelta(hours=8)))  # Monday of 2026-W41
DAYS = 56
WEEK = "2026-W47"
NOW = "2026-11-23T09:00:00+08:00"
SOURCES = ("weibo", "toutiao", "hualongxiang", "zhong5")
PLACES = ("红梅街道", "兰陵街道", "青龙街道", "雕庄街道", "天宁街道", "茶山街道", "郑陆镇", "天宁经济开发区")
TERMS = [f"词{n:03d}" for n in range(150)] + ["消防", "火灾", "燃气", "爆炸", "事故", "救援", "泄漏", "受伤"]
LEVELS = ("红", "橙", "黄", "蓝")
EVENTS_PER_DAY = 80
BATCH = 20_000
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure:
        return measure(Path(args.measure))
    path = Path(args.out) / f"report-v{VERSION}-{args.posts}.db"
    if args.rebuild or not _complete(path):
        build(path, args.posts)
    return subprocess.run([sys.executable, __file__, "--measure", str(path)], check=False).returncode


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--out", default=str(OUT), help="where the cached database goes (default bench/out)")
    parser.add_argument("--measure", metavar="DB", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _complete(path: Path) -> bool:
    if not path.exists():
        return False
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT value FROM settings WHERE name = 'bench_report_version'").fetchone()
    return row is not None and row[0] == str(VERSION)


def build(path: Path, posts: int) -> None:
    """Migrate an empty database, then bulk-insert sources, events, posts, analyses and alerts."""
    from storage import open_database

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f"{path.name}*"):
        stale.unlink()
    open_database(f"sqlite:///{path}").dispose()
    rng = random.Random(47)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    with connection:
        _insert_reference_rows(connection, rng)
        for batch in _post_batches(rng, posts):
            connection.executemany(POST_SQL, [row[0] for row in batch])
            connection.executemany(ANALYSIS_SQL, [row[1] for row in batch])
        connection.execute("INSERT INTO settings (name, value) VALUES ('bench_report_version', ?)", (str(VERSION),))
    connection.execute("ANALYZE")
    connection.close()
    print(f"built {path} ({posts} posts) in {time.perf_counter() - started:.0f} s", flush=True)


POST_SQL = (
    "INSERT INTO posts (id, source, source_post_id, url, title, text, author, author_hash, published_at, fetched_at,"
    " updated_at, content_hash, raw, raw_format, reposts, comments, likes, views, truncated)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, NULL, 0)"
)
ANALYSIS_SQL = (
    "INSERT INTO post_analyses (post_id, model_version, analysed_at, relevance, safety, in_district, sentiment,"
    " negative, category, event_type, place, terms, rules, duplicate_of, event_id, level, alert, reason, details)"
    " VALUES (?, 'bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', NULL, ?, ?, ?, '', '{}')"
)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(STAMP)


def _event_id(day: int, index: int) -> str:
    return f"evt-bench-{day:02d}-{index:02d}"


def _post_batches(rng: random.Random, posts: int) -> Iterator[list[tuple[tuple, tuple]]]:
    step = DAYS * 86_400 / posts
    batch = []
    for number in range(1, posts + 1):
        moment = FIRST_DAY + timedelta(seconds=(number - 1) * step)
        batch.append(_post(rng, number, moment))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _post(rng: random.Random, number: int, moment: datetime) -> tuple[tuple, tuple]:
    source = SOURCES[number % len(SOURCES)]
    place = rng.choice(PLACES)
    safety = rng.random() < 0.3
    in_district = safety and rng.random() < 0.6
    negative = rng.random() < 0.5
    title = f"{place}附近帖子第{number}号"
    text = f"{place}这边有人说{rng.choice(TERMS[-8:])}了，大家注意安全。编号{number}，来自{source}。"
    stamp = _stamp(moment)
    day = (moment - FIRST_DAY).days
    event = _event_id(day, rng.randrange(EVENTS_PER_DAY)) if safety and rng.random() < 0.2 else None
    terms = json.dumps(rng.sample(TERMS, rng.randint(3, 8)), ensure_ascii=False) if safety else "[]"
    post = (number, source, f"b{number}", f"https://example.com/{source}/{number}", title, text, "网友", stamp, stamp,
            stamp, f"{number:064x}", rng.randint(0, 50), rng.randint(0, 200), rng.randint(0, 500))
    analysis = (number, stamp, 0.9 if safety else 0.1, safety, in_district, 0.2 if negative else 0.8, negative,
                "incident" if safety else "none", "fire" if safety else None, place if safety else None, terms,
                event, rng.choice(LEVELS) if event else None, bool(event and in_district))
    return post, analysis


def _insert_reference_rows(connection: sqlite3.Connection, rng: random.Random) -> None:
    created = _stamp(FIRST_DAY)
    connection.executemany("INSERT INTO sources (name, spider, created_at) VALUES (?, ?, ?)",
                           [(source, source, created) for source in SOURCES])
    events, alerts, actions = [], [], []
    for day in range(DAYS):
        for index in range(EVENTS_PER_DAY):
            events.append(_event_row(rng, day, index))
            if index % 5 == 0:
                alert, logged = _alert_rows(rng, day, index)
                alerts.append(alert)
                actions.extend(logged)
    connection.executemany(
        "INSERT INTO events (id, title, event_type, type_name, category, place, spots, in_district, first_seen,"
        " last_seen, post_count, sources, engagement, growth, level, score, reason, details, updated_at)"
        " VALUES (?, ?, 'fire', '火灾', 'incident', ?, '[]', ?, ?, ?, ?, ?, 100, 0.0, ?, 0.8, '', '{}', ?)", events)
    connection.executemany(
        "INSERT INTO alerts (id, kind, dedup_key, event_id, title, level, state, follow_step, reason, opened_at,"
        " updated_at, acknowledged_at, acknowledged_by, closed_at, last_notified_level, last_notified_at,"
        " policy_started_at, escalation_step, reminders_sent)"
        " VALUES (?, 'incident', ?, ?, '', ?, ?, ?, '', ?, ?, ?, ?, NULL, NULL, NULL, ?, 0, 0)", alerts)
    connection.executemany(
        "INSERT INTO alert_actions (alert_id, action, actor, at, note, details) VALUES (?, ?, '值班员甲', ?, '', ?)",
        actions)


def _event_row(rng: random.Random, day: int, index: int) -> tuple:
    first = FIRST_DAY + timedelta(days=day, minutes=rng.randrange(1_440))
    last = first + timedelta(hours=rng.randint(0, 30))
    place = rng.choice(PLACES)
    return (_event_id(day, index), f"{place}发生火情（事件{day}-{index}）", place, index % 3 != 0, _stamp(first),
            _stamp(last), rng.randint(1, 40), json.dumps(rng.sample(SOURCES, 2)), LEVELS[index % 4], _stamp(last))


def _alert_rows(rng: random.Random, day: int, index: int) -> tuple[tuple, list[tuple]]:
    opened = FIRST_DAY + timedelta(days=day, hours=1)
    acked = opened + timedelta(minutes=rng.randint(2, 90))
    alert_id = f"A-{_event_id(day, index)}-1"
    referred = index % 10 == 0
    alert = (alert_id, _event_id(day, index), _event_id(day, index), LEVELS[index % 4],
             "following" if referred else "acknowledged", "referred" if referred else None, _stamp(opened),
             _stamp(acked), _stamp(acked), "值班员甲", _stamp(opened))
    actions = [(alert_id, "ack", _stamp(acked), "{}")]
    if referred:
        details = json.dumps({"contact": "区网信办", "reference": f"天网信{day}-{index}"}, ensure_ascii=False)
        actions.append((alert_id, "refer", _stamp(acked + timedelta(minutes=30)), details))
    return alert, actions


def measure(path: Path) -> int:
    """In a fresh process: time ``SELECT count(*)`` and the weekly report; print the figures."""
    from sqlalchemy import text

    from config import DEFAULT_CONFIG, load_config
    from reports import WEEKLY_FORMATS, build_weekly, parse_week, write_weekly  # imports matplotlib too
    from storage import Database

    config = load_config(DEFAULT_CONFIG)
    database = Database(f"sqlite:///{path}")
    now = datetime.fromisoformat(NOW)
    with database.engine.connect() as connection:
        count_s, count_wall, total = _timed(lambda: connection.execute(text("SELECT count(*) FROM posts")).scalar())
    week = parse_week(WEEK, config.tz)
    out = path.parent / "report"

    def report() -> list[Path]:
        return write_weekly(build_weekly(database, config, week, now), WEEKLY_FORMATS, out, config)

    report_s, report_wall, paths = _timed(report)
    database.dispose()
    print(f"posts={total} week={WEEK} files={', '.join(p.name for p in paths)} "
          f"wall: report {report_wall:.2f} s, count {count_wall:.3f} s", flush=True)
    print(f"report_s={report_s:.2f} count_s={count_s:.3f} peak_rss_mb={peak_rss_mb():.0f}")
    return 0


def _timed(work):
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return time.process_time() - cpu, time.perf_counter() - wall, result


if __name__ == "__main__":
    raise SystemExit(main())
