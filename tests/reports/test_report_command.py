"""`yuqing report weekly|daily`: the CLI path writes the files, picks the default week/day, refuses bad options."""

from __future__ import annotations

from click.testing import CliRunner

from config import DEFAULT_CONFIG
from yuqing.cli import cli


def invoke(corpus, *args: str):
    return CliRunner().invoke(cli, ["--config", str(DEFAULT_CONFIG), "--db", corpus.url, "report", *args])


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
