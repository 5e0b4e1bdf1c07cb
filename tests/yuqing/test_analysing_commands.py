"""`yuqing analyze --input` and `yuqing eval`: files read as `yuqing import` reads them, bad lines skipped by number."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from yuqing.cli import cli

POST = {"id": "1", "source": "weibo", "url": "https://m.weibo.cn/detail/1", "title": "",
        "text": "天宁区青龙街道一个工地脚手架塌了，有工人受伤被送医", "author": "网友",
        "published_at": "2026-11-20T09:00:00+08:00", "reposts": 3, "comments": 5, "likes": 10, "views": None}


def test_a_bom_blank_lines_and_bad_records_are_handled_as_on_import(tmp_path: Path):
    posts = tmp_path / "posts.jsonl"
    oversized = POST | {"id": "2", "likes": 2**63}
    posts.write_text("\ufeff" + json.dumps(POST, ensure_ascii=False) + "\n\n{not json\n"
                     + json.dumps(oversized, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "scored.jsonl"
    result = CliRunner().invoke(cli, ["analyze", "--input", str(posts), "--output", str(out)])
    assert result.exit_code == 0, result.output
    scored = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(row["source"], row["id"]) for row in scored] == [("weibo", "1")]
    assert scored[0]["safety"] and scored[0]["in_district"]
    assert f"{posts}:3: 已跳过：invalid JSON" in result.stderr
    assert f"{posts}:4: 已跳过：likes {2**63} is too large" in result.stderr
    assert "已分析 1 条" in result.stderr


def test_eval_skips_bad_label_lines_by_number_and_counts_only_labelled_posts(tmp_path: Path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps(POST | {"id": str(n)}, ensure_ascii=False) + "\n" for n in (1, 2, 3)),
                     encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    good = {"source": "weibo", "id": "1", "relevance": 2, "negative": True, "event": "e1", "alert": True}
    labels.write_text(json.dumps(good) + "\noops\n" + json.dumps({"id": "2", "relevance": 2}) + "\n",
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--input", str(posts), "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    assert f"{labels}:2: 已跳过：JSONDecodeError" in result.stderr
    assert f"{labels}:3: 已跳过：缺少 negative, event, alert" in result.stderr
    assert "评估结果（1 条有标注的帖子，共分析 3 条）" in result.stdout


def test_analyze_output_goes_into_a_new_folder(tmp_path: Path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps(POST, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "new" / "folder" / "scored.jsonl"
    result = CliRunner().invoke(cli, ["analyze", "--input", str(posts), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "1"


def test_analyze_of_the_database_lists_its_top_incidents_as_json_lines(tmp_path: Path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps(POST, ensure_ascii=False) + "\n", encoding="utf-8")
    db = ["--db", f"sqlite:///{tmp_path / 'y.db'}"]
    assert CliRunner().invoke(cli, [*db, "import", str(posts)]).exit_code == 0
    result = CliRunner().invoke(cli, [*db, "analyze", "--now", "2026-11-20T10:00:00+08:00", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    [incident] = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(incident) == ["event", "level", "title", "place", "post_count", "sources", "first_seen", "reason"]
    assert incident["level"] in ("红", "橙", "黄", "蓝") and incident["sources"] == ["weibo"]
    assert incident["place"] == "青龙街道" and incident["first_seen"] == "2026-11-20T09:00:00+08:00"
