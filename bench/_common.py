"""Helpers the benchmarks share: the project root on ``sys.path``, CPU timing, peak memory, the last line.

Figures are CPU seconds (``time.process_time`` of the measuring process), not wall-clock: the benchmark
machine is shared, and CPU time is what a crowded machine disturbs least. Each benchmark takes the median
of a few repeats.
"""

from __future__ import annotations

import resource
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rate(count: int, seconds: float) -> float:
    """Items per second; a zero time (a run too small to measure) counts as one microsecond."""
    return count / max(seconds, 1e-6)


def median(values: list[float]) -> float:
    return statistics.median(values)


def last_line(**values: float) -> str:
    """The CONTRACTS.md §7 line: ``key=value`` pairs, rates as integers, ratios with two decimals."""
    return " ".join(f"{key}={_format(key, value)}" for key, value in values.items())


def _format(key: str, value: float) -> str:
    return f"{value:.2f}" if key == "ratio" else f"{value:.0f}"
