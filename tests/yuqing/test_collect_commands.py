"""The collect commands: `yuqing replay` of the shipped fixtures end to end, then export and import; and what
`replay`, `crawl` and `record` do with bad fixtures, options and failed sources (the crawl child faked).

The end-to-end half is the README's demo path: every source replayed through the real engine, ≥ 200 posts
stored, replaying a round again adds nothing, and the exported post records round-trip exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from crawlers import runner
from crawlers.summary import failed_summary
from yuqing.cli import cli

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"id", "source", "url", "title", "text", "author", "published_at", "reposts", "comments", "likes", "views",
        "truncated"}
SOURCES = {"weibo", "toutiao", "hualongxiang", "zhong5"}
CONFIG = str(ROOT / "config" / "tianning.toml")
CAPTURED = "2026-11-20T10:00:00+08:00"


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


# -- the commands' own logic, the crawl child faked ---------------------------------------------------------

STATUS = {"hualongxiang": "blocked", "zhong5": "robots_refused"}  # the faked crawls' outcome; else "ok"


def write_manifest(root: Path, source: str, rounds: tuple[int, ...] = (1,), content: bytes | None = None) -> None:
    body = {"captured_at": CAPTURED, "responses": []}
    data = {"source": source, "rounds": {str(number): body for number in rounds}}
    (root / source).mkdir(parents=True, exist_ok=True)
    (root / source / "manifest.json").write_bytes(json.dumps(data).encode() if content is None else content)


def summary(source: str, status: str = "ok") -> dict[str, Any]:
    return failed_summary(source, "") | {"status": status, "warnings": []}


@pytest.fixture
def crawls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each call of the crawl child (its sources and options); each source's summary has its ``STATUS``."""
    calls: list[dict[str, Any]] = []

    def crawl(sources: list[str], **options: Any) -> list[dict[str, Any]]:
        calls.append({"sources": sources, **options})
        return [summary(source, STATUS.get(source, "ok")) for source in sources]

    monkeypatch.setattr(runner, "run_crawl_subprocess", crawl)
    return calls


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", CONFIG, "--db", "sqlite://", *args])


def jsonl(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_replay_exits_0_when_sources_are_only_blocked_or_robots_refused(tmp_path: Path, crawls) -> None:
    for source in ("weibo", "hualongxiang", "zhong5"):
        write_manifest(tmp_path, source)

    result = invoke("replay", str(tmp_path), "--format", "jsonl")

    assert result.exit_code == 0, result.output
    assert [row["status"] for row in jsonl(result)] == ["ok", "blocked", "robots_refused"]


def test_replay_exits_1_when_a_source_failed(tmp_path: Path, crawls, monkeypatch: pytest.MonkeyPatch) -> None:
    write_manifest(tmp_path, "weibo")
    write_manifest(tmp_path, "toutiao")
    monkeypatch.setitem(STATUS, "toutiao", "failed")  # e.g. a request without a fixture

    result = invoke("replay", str(tmp_path), "--format", "jsonl")

    assert result.exit_code == 1
    assert [(row["source"], row["status"]) for row in jsonl(result)] == [("weibo", "ok"), ("toutiao", "failed")]
    assert "失败的来源：toutiao" in result.stderr


def test_a_source_with_a_malformed_manifest_is_a_failed_row_and_the_others_replay(tmp_path: Path, crawls) -> None:
    write_manifest(tmp_path, "weibo", content=b"[]")
    write_manifest(tmp_path, "toutiao", rounds=(1, 2))

    result = invoke("replay", str(tmp_path), "--format", "jsonl")

    assert result.exit_code == 1
    assert [call["sources"] for call in crawls] == [["toutiao"], ["toutiao"]]
    rows = jsonl(result)
    assert [(row["round"], row["source"], row["status"]) for row in rows] == [
        (None, "weibo", "failed"), (1, "toutiao", "ok"), (2, "toutiao", "ok")]
    assert rows[0]["warnings"] == [f"fixture manifest {tmp_path / 'weibo' / 'manifest.json'} is malformed: "
                                   "the top level is a JSON array, not an object"]


@pytest.mark.parametrize("content", [b"[]", b'{"rounds": {"1": {"captured', b'{"source": "\xff"}'])
def test_a_malformed_manifest_alone_is_a_one_line_error(tmp_path: Path, crawls, content: bytes) -> None:
    write_manifest(tmp_path, "weibo", content=content)

    result = invoke("replay", str(tmp_path))

    assert result.exit_code == 1 and not crawls
    assert not isinstance(result.exception, Exception)  # a one-line error, no traceback
    assert result.stderr.startswith(f"Error: fixture manifest {tmp_path / 'weibo' / 'manifest.json'} is malformed:")
    assert len(result.stderr.splitlines()) == 1


def test_replay_of_a_round_no_manifest_has_is_a_usage_error_naming_the_rounds(tmp_path: Path, crawls) -> None:
    write_manifest(tmp_path, "weibo", rounds=(1, 2))
    write_manifest(tmp_path, "toutiao", rounds=(1,))

    refused, accepted = invoke("replay", str(tmp_path), "--round", "3"), invoke("replay", str(tmp_path), "--round", "2")

    assert refused.exit_code == 2 and "no fixture set has round 3; rounds: 1, 2" in refused.stderr
    assert accepted.exit_code == 0 and [call["round_no"] for call in crawls] == [2]


def test_crawl_exits_1_when_a_source_failed_and_0_when_only_blocked(crawls, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("crawl", "hualongxiang", "zhong5").exit_code == 0
    monkeypatch.setitem(STATUS, "weibo", "failed")
    assert invoke("crawl", "weibo", "zhong5").exit_code == 1


def test_record_takes_now_as_the_capture_time_and_prints_jsonl(tmp_path: Path, crawls) -> None:
    write_manifest(tmp_path, "weibo", rounds=(1, 2))

    result = invoke("record", "weibo", "--out", str(tmp_path), "--now", "2026-11-22T09:30:00", "--format", "jsonl")

    assert result.exit_code == 0, result.output
    assert crawls[0]["now"] == "2026-11-22T09:30:00+08:00" and crawls[0]["record_dir"] == tmp_path
    assert [(row["round"], row["source"], row["status"]) for row in jsonl(result)] == [(3, "weibo", "ok")]


def test_record_refuses_a_round_other_than_the_next_one(tmp_path: Path, crawls) -> None:
    write_manifest(tmp_path, "weibo", rounds=(1, 2))

    result = invoke("record", "weibo", "--out", str(tmp_path), "--round", "1")

    assert result.exit_code == 2 and "the recording will be round 3" in result.stderr and not crawls
