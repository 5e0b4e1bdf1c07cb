"""Benchmark: posts/s of the full analysis (``analysis.Analyzer.analyze``) on one core, against a naive baseline.

Project: ``Analyzer.analyze`` — segmentation, topic rules, relevance, sentiment (classifier + lexicon),
near-duplicates, event assignment and risk — on batches of ``--batch`` posts of
``/work/shared/data/bench_posts_3000.tsv`` cycled to ``--posts`` posts (every copy a new post id, published
a minute apart over the copies, so events and duplicates see a realistic stream).

Baseline: what one would write first — ``jieba.lcut(text)`` and stock ``SnowNLP(text).sentiments`` per post —
on the first ``--baseline-posts`` texts (it runs at a few hundred posts per second).

Start-up is excluded from both: loading the Analyzer's models (and one warm-up batch) and importing jieba
and snownlp (which loads all SnowNLP's models) happen before the clock starts. The clock is CPU time
(``time.process_time``), not wall-clock, since the machine is shared; the process is a single thread
(one core). Each figure is the median of ``--repeats`` runs; ``peak_rss_mb`` is this process's peak RSS
(the baseline's SnowNLP models included).

Last line: ``posts_per_s=N baseline_posts_per_s=N ratio=N peak_rss_mb=N`` (ratio = project ÷ baseline).
Run: ``.venv/bin/python bench/analysis.py [--posts 30000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import last_line, median, peak_rss_mb, rate  # noqa: E402

DATA = Path("/work/shared/data/bench_posts_3000.tsv")
START = datetime(2026, 11, 20, 8, 0, tzinfo=timezone(timedelta(hours=8)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts = read_texts(Path(args.data))
    records = cycled_records(texts, args.posts)
    analyse = project(records[: args.batch])
    baseline = naive_baseline()
    project_rates = [rate(len(records), cpu_seconds(lambda: analyse(records, args.batch))) for _ in range(args.repeats)]
    sample = texts[: args.baseline_posts]
    baseline_rates = [rate(len(sample), cpu_seconds(lambda: baseline(sample))) for _ in range(args.repeats)]
    print(f"project: {len(records)} posts in batches of {args.batch}: "
          + ", ".join(f"{r:.0f}" for r in project_rates) + " posts/s")
    print(f"baseline: {len(sample)} posts: " + ", ".join(f"{r:.0f}" for r in baseline_rates) + " posts/s")
    posts_per_s, baseline_per_s = median(project_rates), median(baseline_rates)
    print(last_line(posts_per_s=posts_per_s, baseline_posts_per_s=baseline_per_s,
                    ratio=posts_per_s / baseline_per_s, peak_rss_mb=peak_rss_mb()))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=30_000, help="posts analysed per run (default 30000)")
    parser.add_argument("--batch", type=int, default=1_000, help="posts per Analyzer.analyze call")
    parser.add_argument("--baseline-posts", type=int, default=300, help="posts per baseline run (default 300)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; the median is reported")
    parser.add_argument("--data", default=str(DATA), help="TSV with a `text` column")
    return parser.parse_args(argv)


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as rows:
        return [row["text"] for row in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE) if row["text"]]


def cycled_records(texts: list[str], count: int) -> list:
    """``count`` posts cycling over ``texts``, each with its own id, a minute after the one before."""
    from storage.records import PostRecord

    sources = ("weibo", "toutiao", "hualongxiang", "zhong5")
    return [
        PostRecord(source=sources[n % 4], id=f"b{n}", url=f"https://example.invalid/{n}", title="",
                   text=texts[n % len(texts)], author=None, published_at=START + timedelta(minutes=n),
                   reposts=n % 7, comments=n % 5, likes=n % 11)
        for n in range(count)
    ]


def project(warm_up: list) -> Callable[[list, int], None]:
    """A function analysing posts in batches with a fresh warm ``Analyzer`` (models loaded once, here)."""
    from analysis import Analyzer
    from config import load_config

    config = load_config(None)
    Analyzer(config).analyze(warm_up)  # loads the models and warms the caches: start-up

    def analyse(records: list, batch: int) -> None:
        analyzer = Analyzer(config)
        for start in range(0, len(records), batch):
            analyzer.analyze(records[start:start + batch])
    return analyse


def naive_baseline() -> Callable[[list[str]], None]:
    """``jieba.lcut`` + ``SnowNLP(text).sentiments`` per text, imported and warmed up here (start-up)."""
    import jieba
    from snownlp import SnowNLP

    jieba.initialize()
    SnowNLP("预热").sentiments

    def baseline(texts: list[str]) -> None:
        for text in texts:
            jieba.lcut(text)
            SnowNLP(text).sentiments
    return baseline


def cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


if __name__ == "__main__":
    sys.exit(main())
