"""Render fixtures/weibo/ (m.weibo.cn 实时 search JSON, statuses/extend, manifest) from the labelled corpus."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from crawlers.spiders.weibo_parse import extend_url, search_url
from scripts.fixturegen import weibo_mblog as mb
from scripts.fixturegen.manifest import CAPTURED_AT, round_entry, write_manifest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "weibo"
WINDOW = timedelta(hours=48)
PAGE_SIZE = 10
LEGACY_PAGE_MAX = 15
MAX_PAGES = 5
POST_KEYWORDS = ["天宁 火灾", "天宁 燃气", "常州 事故", "天宁 安全隐患", "常州 消防"]
LEGACY_KEYWORD = 1  # round 1, page 1 of 天宁 燃气 uses the 2019 relative created_at style
CAPTCHA_KEYWORD, HTTP432_KEYWORD, TRUNCATED_KEYWORD = "天宁 爆炸", "天宁 危化品", "常州 溺水"
# keyword -> {round: (special file, HTTP status, content type)} for page 1
SPECIAL_PAGES = {
    CAPTCHA_KEYWORD: {1: ("special/captcha_ok-100.json", 200, "json"), 2: ("special/login_wall_ok-100.json", 200, "json")},
    HTTP432_KEYWORD: {1: ("special/http432.html", 432, "html")},
    TRUNCATED_KEYWORD: {1: ("special/search_truncated.json", 200, "json")},
}
VISITOR_EXTEND_FILE = "special/extend_visitor_system.html"
ROBOTS_FILE = "special/robots.txt"
END_PAGE = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "html": "text/html; charset=utf-8",
                 "text": "text/plain; charset=utf-8"}


def render(posts: list[dict[str, Any]], out_dir: Path) -> None:
    """Write manifest.json, r1/ and r2/ for the weibo corpus lines; copy special/ and real/ if out_dir is elsewhere."""
    posts = [post for post in posts if post.get("source") == "weibo"]
    for generated in ("r1", "r2"):
        shutil.rmtree(out_dir / generated, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    _copy_static(out_dir)
    assignment = assign_keywords(posts)
    by_id = {post["id"]: post for post in posts}
    visitor_mid = _visitor_extend_mid(posts)
    rounds = {}
    for round_no in (1, 2):
        responses = _render_round(round_no, posts, by_id, assignment, visitor_mid, out_dir)
        keywords = POST_KEYWORDS + list(SPECIAL_PAGES)
        rounds[str(round_no)] = round_entry(round_no, {"keywords": keywords, "boards": []}, responses)
    write_manifest(out_dir, "weibo", rounds, volatile_params=("_", "t"))


def _copy_static(out_dir: Path) -> None:
    if out_dir.resolve() == FIXTURES.resolve():
        return
    for folder in ("special", "real"):
        if (FIXTURES / folder).is_dir():
            shutil.copytree(FIXTURES / folder, out_dir / folder, dirs_exist_ok=True)


def assign_keywords(posts: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Each post's search keywords (indexes into POST_KEYWORDS): the best text match, balanced; some twice.

    Reposts and reposted originals stay off the legacy keyword, whose relative dates are approximate: a post
    seen there must not also be seen, dated exactly, in a ``retweeted_status`` elsewhere.
    """
    loads = [0] * len(POST_KEYWORDS)
    assignment: dict[str, list[int]] = {}
    quoted = {post.get("repost_of") for post in posts}
    for post in sorted(posts, key=lambda p: (p["published_at"], p["id"])):
        scores = [_match(post["text"], keyword) for keyword in POST_KEYWORDS]
        if post.get("kind") == "repost" or post["id"] in quoted:
            scores[LEGACY_KEYWORD] = -1
        ranked = sorted(range(len(POST_KEYWORDS)), key=lambda k: (-scores[k], loads[k], k))
        chosen = [ranked[0]]
        second = next((k for k in ranked[1:] if scores[k] == 2 and k != LEGACY_KEYWORD), None)
        if second is not None and chosen[0] != LEGACY_KEYWORD and _digest(post["id"]) % 3 == 0:
            chosen.append(second)
        for k in chosen:
            loads[k] += 1
        assignment[post["id"]] = chosen
    return assignment


def _match(text: str, keyword: str) -> int:
    return sum(term in text for term in keyword.split())


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _visitor_extend_mid(posts: list[dict[str, Any]]) -> str | None:
    longs = sorted(p["id"] for p in posts if p.get("kind") == "longtext" and p["round"] == 1 and not p.get("old"))
    return longs[0] if longs else None


def _render_round(round_no: int, posts: list[dict[str, Any]], by_id: dict[str, dict[str, Any]],
                  assignment: dict[str, list[int]], visitor_mid: str | None, out_dir: Path) -> list[dict[str, Any]]:
    now = datetime.fromisoformat(CAPTURED_AT[round_no])
    responses = [_response("https://m.weibo.cn/robots.txt", ROBOTS_FILE, 200, "text")] if round_no == 1 else []
    for k, keyword in enumerate(POST_KEYWORDS):
        listed = [p for p in posts if k in assignment[p["id"]] and p["round"] <= round_no]
        pages = paginate(_newest_first(listed), now, legacy=(round_no == 1 and k == LEGACY_KEYWORD))
        responses += _render_keyword(round_no, k, keyword, pages, by_id, now, out_dir)
    for keyword, by_round in SPECIAL_PAGES.items():
        file, status, kind = by_round.get(round_no, (None, 200, "json"))
        if file is None:
            file = f"r{round_no}/search_{_slug(keyword)}_p1.json"
            _write_json(out_dir / file, END_PAGE)
        responses.append(_response(search_url(keyword, 1), file, status, kind))
    responses += _render_extends(round_no, posts, by_id, visitor_mid, now, out_dir)
    return responses


def _newest_first(posts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(posts, key=lambda p: (p["published_at"], p["id"]), reverse=True)


def paginate(posts: list[dict[str, Any]], now: datetime, *, legacy: bool = False) -> list[list[dict[str, Any]]]:
    """Pages of about PAGE_SIZE posts, cut after the first page holding a post older than the window.

    A legacy first page holds the posts since yesterday 00:00 (up to LEGACY_PAGE_MAX), so it shows both
    ``N小时前`` and ``昨天 HH:MM`` and none renders as a bare ``MM-DD``.
    """
    start = now - WINDOW
    pages: list[list[dict[str, Any]]] = []
    rest = list(posts)
    if legacy:
        since = (now - timedelta(days=1)).replace(hour=0, minute=0)
        head = [p for p in rest[:LEGACY_PAGE_MAX] if datetime.fromisoformat(p["published_at"]) >= since]
        pages.append(head)
        rest = rest[len(head):]
    while rest:
        page, rest = rest[:PAGE_SIZE], rest[PAGE_SIZE:]
        pages.append(page)
        if _ends_old(page, start):
            break
    pages = [page for page in pages if page]
    if len(pages) > MAX_PAGES:
        raise ValueError(f"{len(pages)} pages for one keyword: the spider reads only {MAX_PAGES}")
    return pages


def _render_keyword(round_no: int, k: int, keyword: str, pages: list[list[dict[str, Any]]],
                    by_id: dict[str, dict[str, Any]], now: datetime, out_dir: Path) -> list[dict[str, Any]]:
    responses = []
    for n, page in enumerate(pages, start=1):
        legacy = round_no == 1 and k == LEGACY_KEYWORD and n == 1
        style = mb.Style(now=now, round_no=round_no, keyword=keyword, legacy=legacy)
        cards = mb.page_cards(page, by_id, style, extras=_extras(k, n))
        file = f"r{round_no}/search_{_slug(keyword)}_p{n}.json"
        _write_json(out_dir / file, mb.search_page(keyword, cards, n + 1, style, total=sum(map(len, pages))))
        responses.append(_response(search_url(keyword, n), file, 200, "json"))
    last = len(pages) + 1
    if not pages or not _ends_old(pages[-1], now - WINDOW):
        file = f"r{round_no}/search_{_slug(keyword)}_p{last}.json"
        _write_json(out_dir / file, END_PAGE)
        responses.append(_response(search_url(keyword, last), file, 200, "json"))
    return responses


def _ends_old(page: list[dict[str, Any]], window_start: datetime) -> bool:
    """The page holds a post older than the window: the spider stops paginating there."""
    return any(datetime.fromisoformat(p["published_at"]) < window_start for p in page)


def _extras(k: int, n: int) -> list[str]:
    """Non-post cards on some pages: a user card in a card_group, a topic group, a banner."""
    if n != 1:
        return []
    return [["user", "banner"], ["topic"], ["banner"], ["user"], ["topic", "banner"]][k % 5]


def _render_extends(round_no: int, posts: list[dict[str, Any]], by_id: dict[str, dict[str, Any]],
                    visitor_mid: str | None, now: datetime, out_dir: Path) -> list[dict[str, Any]]:
    responses = []
    for post in sorted(posts, key=lambda p: p["id"]):
        if post.get("kind") != "longtext" or post["round"] != round_no or post.get("old"):
            continue
        if post["id"] == visitor_mid:
            responses.append(_response(extend_url(post["id"]), VISITOR_EXTEND_FILE, 200, "html"))
            continue
        file = f"r{round_no}/extend_{post['id']}.json"
        _write_json(out_dir / file, mb.extend_answer(post, round_no))
        responses.append(_response(extend_url(post["id"]), file, 200, "json"))
    return responses


def _slug(keyword: str) -> str:
    return hashlib.sha256(keyword.encode()).hexdigest()[:8]


def _response(url: str, file: str, status: int, kind: str) -> dict[str, Any]:
    return {"method": "GET", "url": url, "file": file, "status": status,
            "headers": {"Content-Type": CONTENT_TYPES[kind]}}


def _write_json(path: Path, data: Any, indent: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    separators = (",", ": ") if indent else (",", ":")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent, separators=separators) + "\n", encoding="utf-8")
