"""Render fixtures/hualongxiang/ (PHPWind 8 board lists, so.hualongxiang.com search, GBK thread pages, manifest).

Pages come from the labelled corpus; the markup of each page kind is in ``hualongxiang_html``. Round 1 is
captured at 2026-11-20 10:00, round 2 a day later. Besides the corpus boards, the config overlay names one
more board whose page 1 answers with the hand-written layout-changed page; the newest thread of the first
board answers round 1 with the security-verify page (and its real page in round 2); another thread's page
declares the wrong charset (utf-8 over GBK bytes).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.spiders.hualongxiang_parse import board_url, search_url, thread_url
from scripts.fixturegen import hualongxiang_html as pages
from scripts.fixturegen.manifest import CAPTURED_AT, round_entry, write_manifest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hualongxiang"
KEYWORDS = ["着火", "燃气", "消防", "味道", "异味"]  # 异味 has no hits in the corpus: a "找到相关帖子0篇" page
LAYOUT_CHANGED_BOARD = "400"  # 意见与建议: its page 1 is the hand-written redesigned (JS-rendered) list
BOARD_ROWS = 25
SEARCH_ROWS = 20
VERIFY_PAGE = "special/security_verify.html"
LAYOUT_CHANGED_PAGE = "special/board_layout_changed.html"
GBK_HTML = {"Content-Type": "text/html"}  # no charset in the header: Scrapy reads the <meta>
UTF8_HTML = {"Content-Type": "text/html; charset=utf-8"}
ROBOTS = {"https://www.hualongxiang.com/robots.txt": "special/robots_www.txt",
          "http://so.hualongxiang.com/robots.txt": "special/robots_so.txt"}


def render(posts: list[dict[str, Any]], out_dir: Path, *, board_rows: int = BOARD_ROWS) -> None:
    """Write manifest.json, r1/ and r2/ for the hualongxiang corpus lines (special/ is copied if elsewhere).

    ``board_rows`` threads per board page (tests use fewer to exercise pagination).
    """
    posts = sorted((p for p in posts if p.get("source") == "hualongxiang"), key=_newest_first)
    _prepare(out_dir)
    boards = _corpus_boards(posts)
    chosen = _chosen_threads(posts, boards[0])
    rounds = {}
    for round_no in (1, 2):
        responses = _render_round(round_no, posts, boards, chosen, out_dir, board_rows)
        if round_no == 1:
            responses.append(_entry(board_url(LAYOUT_CHANGED_BOARD, 1), LAYOUT_CHANGED_PAGE, GBK_HTML))
            responses.extend(_entry(url, file, {"Content-Type": "text/plain"}) for url, file in ROBOTS.items())
        rounds[str(round_no)] = round_entry(round_no, {"keywords": KEYWORDS, "boards": boards + [LAYOUT_CHANGED_BOARD]},
                                            responses)
    write_manifest(out_dir, "hualongxiang", rounds)


def _prepare(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for folder in ("r1", "r2"):
        shutil.rmtree(out_dir / folder, ignore_errors=True)
        (out_dir / folder).mkdir()
    if out_dir.resolve() != FIXTURES.resolve():
        shutil.copytree(FIXTURES / "special", out_dir / "special", dirs_exist_ok=True)


def _newest_first(post: dict[str, Any]) -> tuple[float, str]:
    return (-datetime.fromisoformat(post["published_at"]).timestamp(), post["id"])


def _corpus_boards(posts: list[dict[str, Any]]) -> list[str]:
    """The corpus boards, 103 龙城茶座 first, then by fid (a post of the layout-changed board is found by search)."""
    boards = {str(post["board"]) for post in posts} - {LAYOUT_CHANGED_BOARD}
    return sorted(boards, key=lambda fid: (fid != "103", int(fid) if fid.isdigit() else 0, fid))


def _chosen_threads(posts: list[dict[str, Any]], board: str) -> dict[str, str]:
    """The round-1 threads of ``board`` that answer with the challenge (newest) and the wrong charset (3rd)."""
    candidates = [p["id"] for p in posts if p["round"] == 1 and not p.get("old") and str(p["board"]) == board]
    return {"verify": candidates[0], "wrong_charset": candidates[2]}


def _render_round(round_no: int, posts: list[dict[str, Any]], boards: list[str], chosen: dict[str, str],
                  out_dir: Path, board_rows: int) -> list[dict[str, Any]]:
    now = datetime.fromisoformat(CAPTURED_AT[round_no])
    visible = [_as_seen(post, round_no) for post in posts if post["round"] <= round_no]
    folder = f"r{round_no}"
    responses = []
    for fid in boards:
        rows = [post for post in visible if str(post["board"]) == fid]
        for page, chunk in enumerate(_chunks(rows, board_rows), start=1):
            html = pages.board_page(fid, page, chunk, page * board_rows < len(rows), now)
            responses.append(_write(out_dir, f"{folder}/board-{fid}-p{page}.html", board_url(fid, page),
                                    html.encode("gbk", "xmlcharrefreplace"), GBK_HTML))
    for index, keyword in enumerate(KEYWORDS, start=1):
        hits = [post for post in visible if keyword in post["title"] or keyword in post["text"]]
        for page, chunk in enumerate(_chunks(hits, SEARCH_ROWS), start=1):
            html = pages.search_page(keyword, page, chunk, len(hits), page * SEARCH_ROWS < len(hits), now)
            responses.append(_write(out_dir, f"{folder}/search-k{index}-p{page}.html", search_url(keyword, page),
                                    html.encode("utf-8"), UTF8_HTML))
    responses.extend(_threads(round_no, visible, chosen, now, out_dir))
    return responses


def _threads(round_no: int, visible: list[dict[str, Any]], chosen: dict[str, str], now: datetime,
             out_dir: Path) -> list[dict[str, Any]]:
    """Thread pages new in this round (round 2 also recovers the thread round 1 was challenged on)."""
    responses = []
    for post in visible:
        url = thread_url(post["id"])
        if round_no == 1 and post["id"] == chosen["verify"]:
            responses.append(_entry(url, VERIFY_PAGE, {**GBK_HTML, "Set-Cookie": pages.srcurl_cookie(url)}))
        elif post["round"] == round_no or post["id"] == chosen["verify"]:
            charset = "utf-8" if post["id"] == chosen["wrong_charset"] else "gbk"
            html = pages.thread_page(post, now, declared_charset=charset)
            responses.append(_write(out_dir, f"r{round_no}/thread-{post['id']}.html", url,
                                    html.encode("gbk", "xmlcharrefreplace"), GBK_HTML))
    return responses


def _as_seen(post: dict[str, Any], round_no: int) -> dict[str, Any]:
    """The post with the counts its pages show in ``round_no`` (round 2's grown counts when it has them)."""
    if round_no == 2 and post["round"] == 1 and post.get("round2"):
        return {**post, "comments": post["round2"].get("comments"), "views": post["round2"].get("views")}
    return post


def _chunks(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[start:start + size] for start in range(0, len(rows), size)] or [[]]


def _write(out_dir: Path, file: str, url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    (out_dir / file).write_bytes(body)
    return _entry(url, file, headers)


def _entry(url: str, file: str, headers: dict[str, str]) -> dict[str, Any]:
    return {"method": "GET", "url": url, "file": file, "status": 200, "headers": headers}
