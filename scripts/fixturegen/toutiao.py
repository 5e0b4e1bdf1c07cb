"""Render fixtures/toutiao/ (so.toutiao.com 资讯 SERPs, article pages, manifest) from the labelled corpus."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from crawlers.spiders.toutiao_parse import article_url, search_url
from scripts.fixturegen import toutiao_html as html
from scripts.fixturegen.manifest import CAPTURED_AT, round_entry, write_manifest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "toutiao"
WINDOW = timedelta(hours=48)
PAGE_SIZE = 10
MAX_PAGES = 5
POST_KEYWORDS = ["天宁区 事故", "天宁区 火灾", "常州 安全生产"]
SHELL_THEN_OK_KEYWORD = "天宁区 火灾"  # round 1: page 0 is an empty shell, the pagination-form retry works
CAPTCHA_KEYWORD, SHELL_KEYWORD, REDIRECT_KEYWORD, LAYOUT_KEYWORD = "天宁区 燃气", "天宁区 爆炸", "常州 化工", "天宁 消防"
SHELL_FILE, CAPTCHA_FILE = "special/empty_shell.html", "special/captcha_card.html"
REDIRECT_FILE, LAYOUT_FILE = "special/redirect_verify.html", "special/layout_changed.html"
CHALLENGE_FILE = "special/article_challenge.html"
VERIFY_LOCATION = "https://verify.zijieapi.com/captcha/verify?aid=4916&lang=zh&subtype=slide&from=so.toutiao.com"
ROBOTS = {"so.toutiao.com": "special/robots_so.toutiao.com.txt", "www.toutiao.com": "special/robots_www.toutiao.com.txt"}
CHALLENGED_ARTICLES = 2
HTML_TYPE, TEXT_TYPE = "text/html; charset=utf-8", "text/plain; charset=utf-8"


def render(posts: list[dict[str, Any]], out_dir: Path) -> None:
    """Write manifest.json, r1/ and r2/ for the toutiao corpus lines; copy special/ and real/ if out_dir is elsewhere."""
    posts = sorted((post for post in posts if post.get("source") == "toutiao"), key=_newest_first)
    out_dir.mkdir(parents=True, exist_ok=True)
    _copy_static(out_dir)
    assignment = assign_keywords(posts)
    challenged = challenged_articles(posts)
    rounds = {}
    for round_no in (1, 2):
        shutil.rmtree(out_dir / f"r{round_no}", ignore_errors=True)
        responses = _render_round(round_no, posts, assignment, challenged, out_dir)
        keywords = POST_KEYWORDS + ([CAPTCHA_KEYWORD, SHELL_KEYWORD, REDIRECT_KEYWORD, LAYOUT_KEYWORD]
                                    if round_no == 1 else [])
        rounds[str(round_no)] = round_entry(round_no, {"keywords": keywords, "boards": []}, responses)
    write_manifest(out_dir, "toutiao", rounds)


def _copy_static(out_dir: Path) -> None:
    if out_dir.resolve() == FIXTURES.resolve():
        return
    for folder in ("special", "real"):
        if (FIXTURES / folder).is_dir():
            shutil.copytree(FIXTURES / folder, out_dir / folder, dirs_exist_ok=True)


def _newest_first(post: dict[str, Any]) -> tuple[float, str]:
    return (-datetime.fromisoformat(post["published_at"]).timestamp(), post["id"])


def _digest(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def assign_keywords(posts: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each post's keywords: the one its text matches best (ties to the least loaded); every 4th also a second."""
    loads = dict.fromkeys(POST_KEYWORDS, 0)
    assignment: dict[str, list[str]] = {}
    for post in sorted(posts, key=lambda p: (p["published_at"], p["id"])):
        text = post["title"] + post["text"]
        ranked = sorted(POST_KEYWORDS, key=lambda k: (-sum(term in text for term in k.split()), loads[k]))
        chosen = ranked[:2] if _digest(post["id"]) % 4 == 0 and not post.get("old") else ranked[:1]
        if post.get("old"):
            chosen = list(POST_KEYWORDS)  # the old posts close every keyword's list
        for keyword in chosen:
            loads[keyword] += 1
        assignment[post["id"]] = chosen
    return assignment


def challenged_articles(posts: list[dict[str, Any]]) -> set[str]:
    """Round-1 articles whose detail page answers with the JS challenge (so only their abstract is kept)."""
    candidates = [p["id"] for p in posts if p["kind"] == "article" and p["round"] == 1 and not p.get("old")]
    return set(sorted(candidates, key=_digest)[:CHALLENGED_ARTICLES])


def _render_round(round_no: int, posts: list[dict[str, Any]], assignment: dict[str, list[str]],
                  challenged: set[str], out_dir: Path) -> list[dict[str, Any]]:
    captured = datetime.fromisoformat(CAPTURED_AT[round_no])
    visible = [post for post in posts if post["round"] <= round_no]
    responses = _robots_entries() + _special_entries() if round_no == 1 else []
    for index, keyword in enumerate(POST_KEYWORDS):
        listed = [post for post in visible if keyword in assignment[post["id"]]]
        responses += _render_keyword(round_no, index, keyword, _paginate(listed, captured), out_dir)
    for post in posts:
        if post["round"] == round_no and post["kind"] == "article" and not post.get("old"):
            responses.append(_article_entry(round_no, post, post["id"] in challenged, out_dir))
    return responses


def _paginate(posts: list[dict[str, Any]], captured: datetime) -> list[list[dict[str, Any]]]:
    """Newest first: the posts inside the window in pages, then one last page of only older posts."""
    start = captured - WINDOW
    recent = [p for p in posts if not p.get("old") and datetime.fromisoformat(p["published_at"]) > start]
    older = [p for p in posts if p not in recent]
    count = min(MAX_PAGES - 1, max(1, round(len(recent) / PAGE_SIZE)))
    size = max(1, -(-len(recent) // count))
    return [recent[i:i + size] for i in range(0, len(recent), size)] + [older[:PAGE_SIZE]]


def _render_keyword(round_no: int, index: int, keyword: str, pages: list[list[dict[str, Any]]],
                    out_dir: Path) -> list[dict[str, Any]]:
    entries = []
    search_id = None
    for page_num, page_posts in enumerate(pages):
        file = f"r{round_no}/search/kw{index}_p{page_num}.html"
        retried = round_no == 1 and page_num == 0 and keyword == SHELL_THEN_OK_KEYWORD
        url = search_url(keyword, page_num, search_id, pagination=retried)
        search_id = _search_id(round_no, keyword)
        cards = html.search_cards(keyword, page_posts, round_no, first_page=page_num == 0)
        _write(out_dir / file, html.search_page(keyword, page_num, search_id, cards, round_no))
        entries.append(_entry(url, file))
        if retried:
            entries.append(_entry(search_url(keyword), SHELL_FILE))
    return entries


def _search_id(round_no: int, keyword: str) -> str:
    stamp = datetime.fromisoformat(CAPTURED_AT[round_no]).strftime("%Y%m%d%H%M%S")
    return stamp + hashlib.sha1(f"{round_no}/{keyword}".encode()).hexdigest()[:18].upper()


def _article_entry(round_no: int, post: dict[str, Any], challenged: bool, out_dir: Path) -> dict[str, Any]:
    if challenged:
        return _entry(article_url(post["id"]), CHALLENGE_FILE)
    file = f"r{round_no}/article/{post['id']}.html"
    _write(out_dir / file, html.article_page(post))
    return _entry(article_url(post["id"]), file)


def _robots_entries() -> list[dict[str, Any]]:
    return [_entry(f"https://{host}/robots.txt", file, content_type=TEXT_TYPE) for host, file in ROBOTS.items()]


def _special_entries() -> list[dict[str, Any]]:
    """Round 1's blocked and malformed answers, at URLs the spider requests."""
    return [
        _entry(search_url(CAPTCHA_KEYWORD), CAPTCHA_FILE),
        _entry(search_url(SHELL_KEYWORD), SHELL_FILE),
        _entry(search_url(SHELL_KEYWORD, 0, pagination=True), SHELL_FILE),
        _entry(search_url(REDIRECT_KEYWORD), REDIRECT_FILE, status=302, location=VERIFY_LOCATION),
        _entry(search_url(LAYOUT_KEYWORD), LAYOUT_FILE),
    ]


def _entry(url: str, file: str, status: int = 200, content_type: str = HTML_TYPE,
           location: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": content_type, **({"Location": location} if location else {})}
    return {"method": "GET", "url": url, "file": file, "status": status, "headers": headers}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
