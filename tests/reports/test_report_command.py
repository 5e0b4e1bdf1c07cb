"""`yuqing report weekly|daily`: the CLI path writes the files, picks the default week/day, refuses bad options,
and shows the handling as it stood at `--now`."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from click.testing import CliRunner

from config import DEFAULT_CONFIG
from yuqing.cli import cli


def invoke(corpus, *args: str):
    return CliRunner().invoke(cli, ["--config", str(DEFAULT_CONFIG), "--db", corpus.url, "report", *args])


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(DEFAULT_CONFIG), "--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_import_analyze_dispatch_then_report_writes_the_three_files(corpus):
    names = ["weekly-2026-W47.docx", "weekly-2026-W47.html", "weekly-2026-W47.md"]
    assert sorted(p.name for p in corpus.out.iterdir()) == names
    for name in names:
        assert f"已生成 {corpus.out / name}" in corpus.output
        assert (corpus.out / name).stat().st_size > 1000


def test_the_default_week_is_the_last_complete_one_and_the_default_folder_var_reports(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(corpus, "weekly", "--format", "md", "--now", "2026-11-23T08:30:00+08:00")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "reports" / "weekly-2026-W47.md").is_file()


def test_the_daily_brief_defaults_to_yesterday(corpus, tmp_path):
    result = invoke(corpus, "daily", "--now", "2026-11-21T08:00:00+08:00", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["daily-2026-11-20.docx", "daily-2026-11-20.md"]


def test_bad_week_date_or_format_is_a_usage_error(corpus, tmp_path):
    week = invoke(corpus, "weekly", "--week", "2026-W54", "--out", str(tmp_path))
    day = invoke(corpus, "daily", "--date", "2026/11/20", "--out", str(tmp_path))
    fmt = invoke(corpus, "daily", "--format", "html", "--out", str(tmp_path))
    assert (week.exit_code, day.exit_code, fmt.exit_code) == (2, 2, 2)
    assert "2026-W54" in week.output and "2026-11-20" in day.output and "docx,md" in fmt.output
    assert list(tmp_path.iterdir()) == []


def test_a_report_for_an_earlier_time_leaves_out_handling_logged_after_it_and_a_later_one_shows_it(corpus, tmp_path):
    url = f"sqlite:///{tmp_path / 'yuqing.db'}"
    with closing(sqlite3.connect(corpus.db_path)) as source, closing(sqlite3.connect(tmp_path / "yuqing.db")) as copy:
        source.backup(copy)  # a copy of the shared corpus, write-ahead log included
        (alert_id,) = copy.execute("SELECT alert_id FROM alert_actions WHERE action = 'refer'").fetchone()
    run(url, "alerts", "resolve", alert_id, "--by", "值班员甲", "--now", "2026-11-26T08:00:00+08:00")
    week = ("report", "weekly", "--week", "2026-W47", "--format", "md")
    run(url, *week, "--out", str(tmp_path / "then"), "--now", "2026-11-23T12:00:00+08:00")
    run(url, *week, "--out", str(tmp_path / "later"), "--now", "2026-11-27T12:00:00+08:00")
    then = (tmp_path / "then" / "weekly-2026-W47.md").read_text(encoding="utf-8")
    later = (tmp_path / "later" / "weekly-2026-W47.md").read_text(encoding="utf-8")
    assert "办结 0 条" in then and "11月26日 08:00" not in then and "跟进中（已回应）" in then
    assert "办结 1 条" in later and "11月26日 08:00" in later
