"""The benchmarks run end to end in a tiny mode and end with the CONTRACTS.md §7 line (format, not speed)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"\d+(?:\.\d+)?"


def run_bench(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def figures(line: str, keys: tuple[str, ...]) -> dict[str, float]:
    pattern = " ".join(f"{key}=({NUMBER})" for key in keys)
    match = re.fullmatch(pattern, line)
    assert match, f"last line {line!r} is not {' '.join(f'{k}=N' for k in keys)}"
    return dict(zip(keys, map(float, match.groups())))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_replay_benchmark_stores_posts_and_ends_with_its_figures(tmp_path: Path) -> None:
    line = run_bench("replay.py", "--posts", "200", "--repeats", "1", "--out", str(tmp_path))
    values = figures(line, ("posts_per_s", "bare_posts_per_s", "ratio", "peak_rss_mb"))
    assert values["posts_per_s"] > 0 and values["bare_posts_per_s"] > 0 and values["peak_rss_mb"] > 0
    assert values["ratio"] == pytest.approx(values["posts_per_s"] / values["bare_posts_per_s"], rel=0.02, abs=0.01)
    manifest = (tmp_path / "replay-x1" / "weibo" / "manifest.json").read_text(encoding="utf-8")
    assert "statuses/extend?id=" in manifest


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_analysis_benchmark_ends_with_its_figures() -> None:
    line = run_bench("analysis.py", "--posts", "200", "--batch", "100", "--baseline-posts", "5", "--repeats", "1")
    values = figures(line, ("posts_per_s", "baseline_posts_per_s", "ratio", "peak_rss_mb"))
    assert values["posts_per_s"] > 0 and values["baseline_posts_per_s"] > 0
    assert values["ratio"] == pytest.approx(values["posts_per_s"] / values["baseline_posts_per_s"], rel=0.02, abs=0.01)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_report_benchmark_builds_a_database_of_the_current_schema_and_ends_with_its_figures(tmp_path: Path) -> None:
    line = run_bench("report.py", "--posts", "2000", "--out", str(tmp_path))
    values = figures(line, ("report_s", "count_s", "peak_rss_mb"))
    assert values["report_s"] > 0 and values["peak_rss_mb"] > 0
    assert (tmp_path / "report-v2-2000.db").exists()
    written = {path.name for path in (tmp_path / "report").iterdir()}
    assert written >= {f"weekly-2026-W47.{ext}" for ext in ("docx", "html", "md")}


def test_every_copy_of_the_fixtures_is_a_new_set_of_posts() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.cycled_fixtures import CopyRewriter

    rewriter = CopyRewriter(3, frozenset({b"15873125"}), ["天宁 安全"], ["forum:2"])
    page = b'<a href="read.php?tid=15873125">t</a> fid=2 <a href="forum-2-1.html"> kw=%E5%A4%A9%E5%AE%81+%E5%AE%89%E5%85%A8&x'
    assert rewriter.rewrite(page) == (b'<a href="read.php?tid=158731259003">t</a> fid=29003 <a href="forum-29003-1.html">'
                                      b' kw=%E5%A4%A9%E5%AE%81+%E5%AE%89%E5%85%A8x3&x')
    assert rewriter.keyword_of("天宁 安全") == "天宁 安全x3" and rewriter.board_of("forum:2") == "forum:29003"
    assert rewriter.rewrite(b"views 1587312 tid=15873125 2026-11-20") == b"views 1587312 tid=158731259003 2026-11-20"
