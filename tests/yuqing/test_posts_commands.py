"""`yuqing import`: bad lines are reported by number; a database that stops writing stops the import in one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

import storage.importer
from yuqing.cli import cli

POST = {"id": "1", "source": "weibo", "url": "https://m.weibo.cn/detail/1", "title": "", "text": "天宁区红梅街道着火了",
        "author": None, "published_at": "2026-11-20T09:00:00+08:00", "reposts": 1, "comments": 2, "likes": 3}


def test_a_database_locked_during_the_import_stops_it_with_one_line(tmp_path: Path, monkeypatch):
    posts = tmp_path / "posts.jsonl"
    posts.write_text("oops\n" + json.dumps(POST, ensure_ascii=False) + "\n", encoding="utf-8")

    def locked(*_args, **_kwargs):
        raise OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(storage.importer, "upsert_posts", locked)
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'y.db'}", "import", str(posts)])
    assert result.exit_code == 1, result.output
    assert "第 1 行已跳过：invalid JSON" in result.stderr
    assert "导入中止（此前的行已保存）：database error at line 2, import stopped" in result.stderr
    assert "INSERT" not in result.output
