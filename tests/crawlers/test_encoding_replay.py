"""Through the real engine: 中吴网 served in GBK while it declares UTF-8 is stored as if it had been served right."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crawlers.runner import run_crawl_subprocess
from storage import iter_posts, open_database

ROOT = Path(__file__).resolve().parents[2]
CORPUS = [post for post in map(json.loads, (ROOT / "fixtures" / "corpus" / "posts.jsonl").open(encoding="utf-8"))
          if post["source"] == "zhong5" and post["round"] == 1 and not post["old"]]


def gbk_copy_of_round_one(target: Path) -> Path:
    """fixtures/zhong5 round 1 with every HTML page re-encoded as GB18030, its ``charset=utf-8`` kept."""
    directory = target / "zhong5"
    shutil.copytree(ROOT / "fixtures" / "zhong5", directory)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["rounds"] = {"1": manifest["rounds"]["1"]}
    for response in manifest["rounds"]["1"]["responses"]:
        if response["headers"].get("Content-Type", "").startswith("text/html"):
            path = directory / response["file"]
            path.write_bytes(path.read_bytes().decode("utf-8").encode("gb18030"))
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return target


@pytest.mark.slow
def test_gbk_pages_declared_as_utf8_are_stored_correctly(tmp_path: Path) -> None:
    fixtures = gbk_copy_of_round_one(tmp_path / "fixtures")
    config = tmp_path / "yuqing.toml"
    config.write_text('timezone = "Asia/Shanghai"\n[crawl]\nmax_pages = 5\n[sources.zhong5]\nspider = "zhong5"\n',
                      encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'yuqing.db'}"
    [summary] = run_crawl_subprocess(["zhong5"], config_path=config, db_url=db_url, replay_dir=fixtures, round_no=1,
                                     timeout_s=120, log_level="WARNING")
    with open_database(db_url).session() as session:
        stored = {post.id: post for post in iter_posts(session)}

    assert (summary["status"], summary["parse_failures"]) == ("ok", 0)
    assert set(stored) == {post["id"] for post in CORPUS}
    assert {post.title for post in stored.values()} == {post["title"] for post in CORPUS}
    texts = {post.id: post.text for post in stored.values() if not post.truncated}
    assert texts == {post["id"]: post["text"] for post in CORPUS if post["id"] in texts}
