"""The real Scrapy engine, run by ``crawlers.runner`` in a child process, replaying small fixture sites.

A SampleSpider (tests/crawlers/sample_spider.py) reads each source's list page and its posts' pages;
these tests check what ends up in the database and in the per-source JSON lines.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from crawl_support import CAPTURED_1, CAPTURED_2, Page, write_config, write_fixture_set
from sqlalchemy import select

from crawlers.runner import _lower_priority, main, run_crawl_subprocess
from crawlers.summary import SUMMARY_KEYS, failed_summary
from storage import Post, latest_crawl_runs, open_database

HERE = Path(__file__).parent
SOURCES = ["alpha", "beta", "gamma", "delta"]
ROBOTS_OPEN = Page("https://alpha.example/robots.txt", "User-agent: *\nDisallow: /private/\n",
                   headers={"Content-Type": "text/plain"})


def listing(*rows: tuple[str, str, str]) -> str:
    items = "".join(f'<li class="post" data-id="{pid}"><a href="{href}">帖子</a><em class="likes">{likes}</em></li>'
                    for pid, href, likes in rows)
    return f"<html><body><ul>{items}</ul></body></html>"


def post(title: str, date: str | None, body: str, charset: str = "utf-8") -> str:
    date_html = f'<span class="date">{date}</span>' if date else ""
    return (f'<html><head><meta charset="{charset}"><title>{title}</title></head><body><h1>{title}</h1>'
            f'<span class="author">居民甲</span>{date_html}<div class="body">{body}</div></body></html>')


def alpha_round_1() -> list[Page]:
    gbk_page = post("燃气泄漏", "昨天 23:10", "<p>天宁区某小区燃气泄漏</p><p>已处置</p>", charset="gbk").encode("gbk")
    return [
        ROBOTS_OPEN,
        Page("https://alpha.example/list?board=1", listing(
            ("p1", "/post/1", "1.5万"), ("p2", "/post/2", " 28 "), ("p3", "/post/3", "评论"),
            ("p4", "/moved", "3"), ("bad", "/post/bad", "1"), ("blk", "/post/blocked", "1"))),
        Page("https://alpha.example/post/1", post("厂房起火", "发表于：2026-11-19 08:05", "浓烟&amp;明火<br>消防到场")),
        Page("https://alpha.example/post/2", post("路面塌陷", "3小时前", "青洋路塌陷")),
        Page("https://alpha.example/post/3", gbk_page, headers={"Content-Type": "text/html"}),
        Page("https://alpha.example/moved", "", status=302, headers={"Location": "https://alpha.example/post/4"}),
        Page("https://alpha.example/post/4", post("河道落水", "2026-11-20T09:00:00+08:00", "一人落水获救")),
        Page("https://alpha.example/post/bad", post("没有日期", None, "版式变了")),
        Page("https://alpha.example/post/blocked", "<html><body>请输入验证码</body></html>"),
    ]


def alpha_round_2() -> list[Page]:
    return [
        Page("https://alpha.example/list?board=1", listing(
            ("p1", "/post/1", "2万"), ("p2", "/post/2", "28"), ("p6", "/post/6", "5"))),
        Page("https://alpha.example/post/6", post("化工异味", "10分钟前", "居民反映有刺激性气味")),
    ]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """Four sources: alpha (mixed good and bad pages, two rounds), beta (robots.txt forbids all),
    gamma (a post without fixture), delta (the list page is a captcha)."""
    tmp_path = tmp_path_factory.mktemp("sites")
    root = tmp_path / "fixtures"
    write_fixture_set(root, "alpha", {1: (CAPTURED_1, {"boards": ["1"]}, alpha_round_1()),
                                      2: (CAPTURED_2, {}, alpha_round_2())})
    write_fixture_set(root, "beta", {1: (CAPTURED_1, {"boards": ["1"]}, [
        Page("https://beta.example/robots.txt", "User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"}),
    ])})
    write_fixture_set(root, "gamma", {1: (CAPTURED_1, {"boards": ["1"]}, [
        Page("https://gamma.example/robots.txt", "", status=404),
        Page("https://gamma.example/list?board=1", listing(("g1", "/post/g1", "1"))),
    ])})
    write_fixture_set(root, "delta", {1: (CAPTURED_1, {"boards": ["1"]}, [
        Page("https://delta.example/robots.txt", "User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
        Page("https://delta.example/list?board=1", "<html><body>访问过于频繁，请输入验证码</body></html>"),
    ])})
    db_url = f"sqlite:///{tmp_path / 'yuqing.db'}"
    config = write_config(tmp_path / "yuqing.toml", db_url, {name: f"{name}.example" for name in SOURCES})
    return root, config, db_url


@pytest.fixture(scope="module")
def first_round(sites: tuple[Path, Path, str]) -> dict[str, dict]:
    """Round 1 of all four sources (and one not in config), crawled once for the module in one process."""
    return replay(sites, [*SOURCES, "nosuch"], 1)


def replay(sites: tuple[Path, Path, str], sources: list[str], round_no: int, db_url: str | None = None) -> dict[str, dict]:
    root, config, default_db = sites
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        patch.delenv("YUQING_DB_URL", raising=False)
        lines = run_crawl_subprocess(sources, config_path=config, db_url=db_url or default_db, replay_dir=root,
                                     round_no=round_no, timeout_s=120, log_level="WARNING",
                                     spider_modules=("sample_spider",))
    assert [line["source"] for line in lines] == sources
    assert all(set(line) == set(SUMMARY_KEYS) for line in lines)
    return {line["source"]: line for line in lines}


def stored_posts(db_url: str) -> dict[str, Post]:
    database = open_database(db_url)
    with database.session() as session:
        posts = {post.source_post_id: post for post in session.scalars(select(Post).where(Post.source == "alpha"))}
        session.expunge_all()
    database.dispose()
    return posts


def test_one_process_crawls_every_source_and_reports_each_honestly(first_round: dict[str, dict]) -> None:
    alpha = first_round["alpha"]
    assert alpha["status"] == "ok"
    assert (alpha["posts_new"], alpha["posts_updated"]) == (4, 0)
    assert (alpha["parse_failures"], alpha["blocked"], alpha["missing_fixtures"]) == (1, 1, 0)
    assert alpha["pages"] == 8  # list, p1-p3, the 302, p4, the bad page, the blocked page; robots.txt not counted
    assert "被封锁 1 页（captcha）" in alpha["warnings"]

    assert first_round["beta"]["status"] == "robots_refused"
    assert (first_round["beta"]["robots_refused"], first_round["beta"]["posts_new"]) == (1, 0)

    assert first_round["gamma"]["status"] == "failed"
    assert first_round["gamma"]["missing_fixtures"] == 1

    assert first_round["delta"]["status"] == "blocked"
    assert (first_round["delta"]["blocked"], first_round["delta"]["posts_new"]) == (1, 0)

    assert first_round["nosuch"]["status"] == "failed"
    assert "not configured" in first_round["nosuch"]["warnings"][0]


def test_each_crawl_is_recorded_as_a_crawl_run(sites, first_round: dict[str, dict]) -> None:
    database = open_database(sites[2])
    with database.session() as session:
        runs = {run.source: run for run in latest_crawl_runs(session)}
        session.expunge_all()
    database.dispose()

    assert {source: runs[source].status for source in SOURCES} == {
        "alpha": "ok", "beta": "robots_refused", "gamma": "failed", "delta": "blocked"}
    alpha = runs["alpha"]
    assert (alpha.mode, alpha.round_no, alpha.posts_new, alpha.parse_failures, alpha.blocked_pages) == ("replay", 1, 4, 1, 1)
    assert alpha.started_at == datetime.fromisoformat(CAPTURED_1)  # "now" is the round's capture time
    assert alpha.responses_by_status == {"200": 8, "302": 1}  # robots.txt included, as Scrapy counts
    assert runs["gamma"].missing_fixtures == 1


def test_replayed_posts_are_stored_with_their_fields(sites, first_round: dict[str, dict]) -> None:
    posts = stored_posts(sites[2])

    assert sorted(posts) == ["p1", "p2", "p3", "p4"]
    assert posts["p1"].title == "厂房起火"
    assert posts["p1"].text == "浓烟&明火\n消防到场"
    assert posts["p1"].likes == 15000
    assert posts["p1"].published_at == datetime.fromisoformat("2026-11-19T08:05:00+08:00")
    assert posts["p2"].published_at == datetime.fromisoformat("2026-11-20T07:00:00+08:00")  # 3小时前 at capture time
    assert posts["p3"].text == "天宁区某小区燃气泄漏\n已处置"  # GBK, detected from <meta charset>
    assert posts["p3"].likes == 0  # the label "评论" alone
    assert posts["p4"].url == "https://alpha.example/post/4"  # followed the recorded 302


def test_round_two_adds_new_posts_and_engagement_and_a_replayed_round_adds_nothing(
    sites, first_round: dict[str, dict], tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'copy.db'}"
    shutil.copy(sites[2].removeprefix("sqlite:///"), tmp_path / "copy.db")

    again, second = replay(sites, ["alpha"], 1, db_url)["alpha"], replay(sites, ["alpha"], 2, db_url)["alpha"]

    assert (again["posts_new"], again["posts_updated"]) == (0, 0)
    assert second["status"] == "ok" and second["missing_fixtures"] == 0  # robots.txt came from round 1
    assert (second["posts_new"], second["posts_updated"]) == (1, 1)  # p6 is new; p1's likes grew
    posts = stored_posts(db_url)
    assert posts["p6"].published_at == datetime.fromisoformat("2026-11-20T11:50:00+08:00")
    assert posts["p1"].likes == 20000


def test_a_source_whose_manifest_is_malformed_fails_alone_and_the_others_replay(sites, tmp_path: Path) -> None:
    root, config, _ = sites
    shutil.copytree(root, tmp_path / "fixtures")
    manifest = tmp_path / "fixtures" / "alpha" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["rounds"]["1"]["captured_at"] = 5
    manifest.write_text(json.dumps(data), encoding="utf-8")

    lines = replay((tmp_path / "fixtures", config, f"sqlite:///{tmp_path / 'copy.db'}"), ["alpha", "delta", "beta"], 1)

    assert lines["alpha"]["status"] == "failed"
    assert lines["alpha"]["warnings"] == [f"fixture manifest {manifest} is malformed: round 1: captured_at must be an "
                                          "ISO 8601 time with a UTC offset, not 5"]
    assert (lines["delta"]["status"], lines["beta"]["status"]) == ("blocked", "robots_refused")


def test_a_source_whose_spider_cannot_start_fails_alone_in_a_live_crawl(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'live.db'}"
    config = tmp_path / "yuqing.toml"
    config.write_text("\n".join([  # no boards: the healthy source sends no request, so nothing goes to the network
        f'[database]\nurl = "{db_url}"',
        *(f'[sources.{name}]\nspider = "generic"\nfeed_url = "https://{name}.example/feed"' for name in SOURCES[:2]),
        '[sources.broken]\nspider = "generic"\nfeed_url = "https://broken.example/feed"']), encoding="utf-8")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        lines = run_crawl_subprocess(["broken", *SOURCES[:2]], config_path=config, db_url=db_url, timeout_s=120,
                                     log_level="WARNING", spider_modules=("picky_spider",))

    assert [(line["source"], line["status"]) for line in lines] == [
        ("broken", "failed"), ("alpha", "empty"), ("beta", "empty")]
    assert lines[0]["warnings"] == ["RuntimeError: the spider of source broken cannot start"]


def test_a_config_error_gives_a_failed_line_per_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "missing.toml"), "weibo", "toutiao"]) == 2

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["source"], line["status"]) for line in lines] == [("weibo", "failed"), ("toutiao", "failed")]
    assert "does not exist" in lines[0]["warnings"][0]


def test_a_crawl_over_its_time_limit_is_killed_and_reported(sites) -> None:
    root, config, db_url = sites
    lines = run_crawl_subprocess(["alpha"], config_path=config, db_url=db_url, replay_dir=root, timeout_s=0.2)
    assert lines == [failed_summary("alpha", "超时：0.2 秒后终止")]


def test_the_crawl_child_is_lowered_to_the_niceness_asked_for() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        base = os.getpriority(os.PRIO_PROCESS, child.pid)
        _lower_priority(child.pid, min(19, base + 7))
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == min(19, base + 7)
    finally:
        child.kill()
        child.wait()
