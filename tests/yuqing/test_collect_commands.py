"""The collect commands end to end: `yuqing replay` of the shipped fixtures, then export and import.

This is the README's demo path: every source replayed through the real engine, ≥ 200 posts stored,
replaying a round again adds nothing, and the exported post records round-trip exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from yuqing.cli import cli

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"id", "source", "url", "title", "text", "author", "published_at", "reposts", "comments", "likes", "views",
        "truncated"}
SOURCES = {"weibo", "toutiao", "hualongxiang", "zhong5"}


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict]]:
    db = f"sqlite:///{tmp_path_factory.mktemp('replay') / 'demo.db'}"
    rows = [json.loads(line) for line in run("--db", db, "replay", str(ROOT / "fixtures"), "--format", "jsonl")
            .splitlines()]
    return db, rows


@pytest.mark.slow
def test_replay_stores_every_source_and_reports_each(replayed):
    _, rows = replayed
    assert {(row["round"], row["source"]) for row in rows} == {(r, s) for r in (1, 2) for s in SOURCES}
    first = {row["source"]: row for row in rows if row["round"] == 1}
    assert all(first[source]["posts_new"] > 40 for source in SOURCES)
    assert sum(row["blocked"] for row in rows) > 0 and first["zhong5"]["robots_refused"] > 0
    second = [row for row in rows if row["round"] == 2]
    assert all(row["posts_new"] > 0 and row["posts_updated"] > 0 for row in second)


@pytest.mark.slow
def test_replaying_a_round_again_adds_nothing(replayed):
    db, _ = replayed
    rows = [json.loads(line) for line in run("--db", db, "replay", str(ROOT / "fixtures"), "--round", "1",
                                             "--format", "jsonl").splitlines()]
    assert [row["posts_new"] for row in rows] == [0, 0, 0, 0]


@pytest.mark.slow
def test_export_lists_every_post_with_every_contract_key(replayed):
    db, _ = replayed
    posts = [json.loads(line) for line in run("--db", db, "export", "posts", "--format", "jsonl").splitlines()]
    assert len(posts) >= 200 and {post["source"] for post in posts} == SOURCES
    for post in posts:
        assert set(post) == KEYS
        assert post["id"] and post["url"].startswith("http") and post["text"]
        assert post["published_at"].endswith("+08:00")
        assert all(post[k] is None or (isinstance(post[k], int) and post[k] >= 0)
                   for k in ("reposts", "comments", "likes", "views"))
    window = run("--db", db, "export", "posts", "--since", "2026-11-20", "--until", "2026-11-20").splitlines()
    assert window and all(json.loads(line)["published_at"].startswith("2026-11-20") for line in window)


@pytest.mark.slow
def test_an_exported_file_imported_into_an_empty_database_round_trips_exactly(replayed, tmp_path):
    db, _ = replayed
    exported = run("--db", db, "export", "posts", "--format", "jsonl")
    dump = tmp_path / "posts.jsonl"
    dump.write_text(exported, encoding="utf-8")
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    run("--db", empty, "import", str(dump))
    assert run("--db", empty, "export", "posts", "--format", "jsonl") == exported
