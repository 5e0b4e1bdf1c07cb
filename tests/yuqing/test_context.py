"""What every command shares: a database that cannot be used is one clear line (password hidden), and dates
stay inside the years the tool reckons with; never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

import alerts.queries
from yuqing.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_folder_or_a_bad_url_is_one_clear_error(tmp_path: Path):
    folder = run("--db", f"sqlite:///{tmp_path}", "alerts", "list")
    assert folder.exit_code == 1 and "无法打开数据库" in folder.output and "Traceback" not in folder.output
    bad = run("--db", "notaurl", "alerts", "list")
    assert bad.exit_code == 1 and "数据库地址无效或不受支持" in bad.output
    unsupported = run("--db", "mysql://u@h/db", "alerts", "list")
    assert unsupported.exit_code == 1 and "mysql://u@h/db" in unsupported.output


def test_an_unreachable_server_is_named_without_its_password():
    result = run("--db", "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/nowhere", "alerts", "list")
    assert result.exit_code == 1 and "无法打开数据库 postgresql+psycopg://postgres:***@127.0.0.1:1/nowhere" in result.output
    assert "s3cret" not in result.output


def test_a_database_locked_mid_command_is_one_line_and_exit_1(tmp_path, monkeypatch):
    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(alerts.queries, "list_alerts", locked)
    result = run("--db", f"sqlite:///{tmp_path / 'y.db'}", "alerts", "list")
    assert result.exit_code == 1
    assert result.output.startswith("Error: 数据库被其他进程锁定，等待超时，本次操作未执行，请稍后重试：sqlite:///")


def test_other_errors_are_not_disguised_as_database_problems(monkeypatch):
    monkeypatch.setattr(alerts.queries, "list_alerts", lambda *_a, **_k: 1 / 0)
    result = run("--db", "sqlite://", "alerts", "list")
    assert isinstance(result.exception, ZeroDivisionError)


@pytest.mark.parametrize("args", [
    ("report", "weekly", "--week", "9999-W52"),
    ("report", "weekly", "--now", "0001-01-01T00:00:00+14:00"),
    ("report", "daily", "--date", "0001-01-01"),
    ("export", "posts", "--until", "9999-12-31"),
    ("alerts", "tick", "--now", "9999-12-31T23:00:00-12:00"),
])
def test_dates_at_the_ends_of_the_calendar_are_usage_errors(tmp_path: Path, args: tuple[str, ...]):
    result = run("--db", f"sqlite:///{tmp_path / 'y.db'}", *args)
    assert result.exit_code == 2 and "is outside 1900–9000" in result.output, result.output


def test_a_report_folder_that_cannot_be_written_is_one_clear_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("--db", f"sqlite:///{tmp_path / 'y.db'}", "report", "daily", "--date", "2026-11-20",
                 "--format", "md", "--out", str(blocker / "reports"))
    assert result.exit_code == 1 and f"无法写入报告目录 {blocker / 'reports'}" in result.output
