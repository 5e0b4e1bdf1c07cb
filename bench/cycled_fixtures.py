"""Build a large replay fixture set for the replay benchmark: round 1 of ``fixtures/`` copied N times.

Every copy is a new crawl target with new posts, and the spiders reach it unchanged: copy ``k`` (``k ≥ 1``)
searches ``keyword + "x<k>"`` and lists board ``<board>9<kkk>``, and every post id of the corpus
(``fixtures/corpus/posts.jsonl``) is rewritten to ``<id>9<kkk>`` — in the recorded URLs, in the
``Location`` headers and in the page bodies (JSON cards, HTML links), so list pages link to the copy's
detail pages. Copy 0 is the original round 1. Only ASCII patterns are rewritten (digits, percent-encoded
keywords, ``fid=``/``forum-``/``catid=``), so GBK pages stay byte-for-byte valid.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

SOURCES = ("weibo", "toutiao", "hualongxiang", "zhong5")
_LONG_NUMBER = re.compile(rb"(?<![0-9])[0-9]{6,}(?![0-9])")
_BOARD = re.compile(rb"(fid=|forum-|catid=)([0-9]+)(?![0-9])")
_STAMP = "cycled.json"


class CopyRewriter:
    """Rewrites URLs, headers and bodies of the original round into copy ``k``."""

    def __init__(self, copy: int, ids: frozenset[bytes], keywords: list[str], boards: list[str]) -> None:
        self.copy = copy
        self.suffix = f"9{copy:03d}".encode()
        self.keyword_suffix = f"x{copy}"
        self.ids = ids
        self.board_ids = frozenset(board.rpartition(":")[2].encode() for board in boards)
        self.keyword = _keyword_pattern(keywords)

    def keyword_of(self, keyword: str) -> str:
        return keyword + self.keyword_suffix if self.copy else keyword

    def board_of(self, board: str) -> str:
        return board + self.suffix.decode() if self.copy else board

    def rewrite(self, data: bytes) -> bytes:
        if not self.copy:
            return data
        data = _LONG_NUMBER.sub(self._id, data)
        data = _BOARD.sub(self._board, data)
        return self.keyword.sub(lambda m: m[0] + self.keyword_suffix.encode(), data) if self.keyword else data

    def text(self, value: str) -> str:
        return self.rewrite(value.encode("utf-8")).decode("utf-8")

    def _id(self, match: re.Match[bytes]) -> bytes:
        return match[0] + self.suffix if match[0] in self.ids else match[0]

    def _board(self, match: re.Match[bytes]) -> bytes:
        return match[1] + match[2] + self.suffix if match[2] in self.board_ids else match[0]


def _keyword_pattern(keywords: list[str]) -> re.Pattern[bytes] | None:
    """Any URL encoding of a keyword, ending where the query value ends (so 天宁 does not match 天宁+安全)."""
    forms = {encode(keyword) for keyword in keywords for encode in (_quote_all, quote_plus, quote)}
    if not forms:
        return None
    alternatives = b"|".join(re.escape(form.encode()) for form in sorted(forms, key=len, reverse=True))
    return re.compile(rb"(?:" + alternatives + rb")(?=[&\"'<\s]|$)")


def _quote_all(keyword: str) -> str:
    return quote(keyword, safe="")


def corpus_ids(fixtures: Path) -> dict[str, frozenset[bytes]]:
    """Each source's post ids (digits only: 中吴网 ``a512667`` → ``512667``) from the fixtures' corpus."""
    ids: dict[str, set[bytes]] = {}
    with (fixtures / "corpus" / "posts.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            post = json.loads(line)
            ids.setdefault(post["source"], set()).add(re.sub(r"\D", "", post["id"]).encode())
    return {source: frozenset(values) for source, values in ids.items()}


def build(fixtures: Path, target: Path, copies: int) -> Path:
    """``target`` holding ``copies`` copies of round 1 of every source (reused when already built)."""
    stamp = target / _STAMP
    if stamp.exists() and json.loads(stamp.read_text()) == {"copies": copies}:
        return target
    shutil.rmtree(target, ignore_errors=True)
    ids = corpus_ids(fixtures)
    for source in SOURCES:
        _build_source(fixtures / source, target / source, copies, ids.get(source, frozenset()))
    stamp.write_text(json.dumps({"copies": copies}))
    return target


def _build_source(origin: Path, target: Path, copies: int, ids: frozenset[bytes]) -> None:
    manifest = json.loads((origin / "manifest.json").read_text(encoding="utf-8"))
    first = manifest["rounds"]["1"]
    config = first.get("config") or {}
    keywords, boards = list(config.get("keywords", [])), [str(b) for b in config.get("boards", [])]
    responses: list[dict] = []
    seen: set[tuple[str, str]] = set()
    out_config: dict[str, list[str]] = {"keywords": [], "boards": []}
    for copy in range(copies):
        rewriter = CopyRewriter(copy, ids, keywords, boards)
        out_config["keywords"] += [rewriter.keyword_of(keyword) for keyword in keywords]
        out_config["boards"] += [rewriter.board_of(board) for board in boards]
        for entry in first["responses"]:
            _copy_entry(origin, target, entry, rewriter, seen, responses.append)
    manifest["rounds"] = {"1": {"captured_at": first["captured_at"], "config": out_config, "responses": responses}}
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _copy_entry(origin: Path, target: Path, entry: dict, rewriter: CopyRewriter,
                seen: set[tuple[str, str]], add: Callable[[dict], None]) -> None:
    url = rewriter.text(entry["url"])
    key = (entry.get("method", "GET"), url)
    if key in seen:  # robots.txt, the search form: one URL for every copy
        return
    seen.add(key)
    file = f"c{rewriter.copy}/{entry['file']}"
    path = target / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(rewriter.rewrite((origin / entry["file"]).read_bytes()))
    headers = {name: rewriter.text(value) if isinstance(value, str) else value
               for name, value in (entry.get("headers") or {}).items()}
    add(entry | {"url": url, "file": file, "headers": headers})
