"""Pure parsing of m.weibo.cn JSON (FORMATS.md §1.1): search URLs, card flattening, mblogs, blocked answers, and
the evidence kept of a card (its post, with no more of people than a display name and an author ref)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from lxml import etree, html as lxml_html

from crawlers.parsing.html import xpath
from crawlers.parsing.text import html_to_text
from storage.authors import MIN_SCRUB_LENGTH, author_ref
from storage.records import PostRecord

SOURCE = "weibo"
SEARCH_API = "https://m.weibo.cn/api/container/getIndex"
SEARCH_TYPE_REALTIME = 61
EXTEND_API = "https://m.weibo.cn/statuses/extend"
VISITOR_MARK = b"Sina Visitor System"
_TRAILING_ELLIPSIS = re.compile(r"\s*(\.\.\.|…)\s*$")
_NEGATIVE_NUMBER = re.compile(rb"-(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_FULL_TEXT_LINK = './/a[normalize-space(.)="全文"]'
EVIDENCE_KEYS = ("created_at", "id", "idstr", "mid", "bid", "text", "textLength", "isLongText", "deleted",
                 "reposts_count", "comments_count", "attitudes_count")

DateParser = Callable[[str], datetime]
CountParser = Callable[[Any], int | None]


class WeiboFormatError(ValueError):
    """A response that is not the m.weibo.cn JSON we expect (bad JSON, wrong shape)."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One search answer: its post cards (flattened), the next page number, and whether results ended."""

    cards: list[dict[str, Any]]
    next_page: int | None
    ended: bool = False


def search_containerid(keyword: str, search_type: int = SEARCH_TYPE_REALTIME) -> str:
    """The ``containerid`` value before URL encoding: ``100103type=61&q=天宁 火灾``."""
    return f"100103type={search_type}&q={keyword}"


def search_url(keyword: str, page: int) -> str:
    """The 实时 search URL exactly as the mobile web client sends it (containerid percent-encoded)."""
    containerid = quote(search_containerid(keyword), safe="")
    return f"{SEARCH_API}?containerid={containerid}&page_type=searchall&page={page}"


def search_referer(keyword: str) -> str:
    """The search page a browser shows before calling the API, sent as ``Referer``."""
    return f"https://m.weibo.cn/search?containerid={quote(search_containerid(keyword), safe='')}"


def extend_url(mid: str) -> str:
    """Where the full text of a long post is fetched."""
    return f"{EXTEND_API}?id={mid}"


def detail_url(mid: str) -> str:
    """The canonical link we store for a post."""
    return f"https://m.weibo.cn/detail/{mid}"


def load_json(body: bytes) -> Any:
    """Decode a JSON body, raising :class:`WeiboFormatError` for anything that is not JSON."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeiboFormatError(f"not JSON ({exc})") from exc


def blocked_kind(status: int, body: bytes, *, tolerate_visitor: bool = False) -> str | None:
    """Why an answer is a block rather than data: ``http_432``, ``captcha``, ``login_wall``, ``visitor_system``.

    ``tolerate_visitor`` is for ``statuses/extend``: there the visitor page only costs the full text.
    """
    if status == 432:
        return "http_432"
    if VISITOR_MARK in body[:4096]:
        return None if tolerate_visitor else "visitor_system"
    if b'"ok"' not in body[:200] or not _may_hold_minus_100(body):
        return None
    try:
        data = load_json(body)
    except WeiboFormatError:
        return None
    if not isinstance(data, dict) or data.get("ok") != -100:
        return None
    url = str(data.get("url") or "")
    return "login_wall" if "passport" in url or "signin" in url or "login" in url else "captcha"


def _may_hold_minus_100(body: bytes) -> bool:
    """Whether any JSON number in ``body`` can be -100 (``ok: -100``), without decoding the whole page.

    Every negative number of the JSON matches ``_NEGATIVE_NUMBER`` whole (matches inside strings only add
    candidates); one too long for ``float`` to judge counts as a candidate, and the page is decoded.
    """
    return any(len(number) > 24 or float(number) == -100 for number in _NEGATIVE_NUMBER.findall(body))


def parse_search_page(data: Any) -> SearchPage:
    """Read a decoded getIndex answer: ``ok:1`` with cards, or ``ok:0`` "这里还没有内容" (end of results)."""
    if not isinstance(data, dict):
        raise WeiboFormatError("answer is not a JSON object")
    if data.get("ok") == 0:
        return SearchPage(cards=[], next_page=None, ended=True)
    payload = data.get("data", data if "cards" in data else None)
    if data.get("ok", 1) != 1 or not isinstance(payload, dict) or not isinstance(payload.get("cards"), list):
        raise WeiboFormatError(f"unexpected answer: ok={data.get('ok')!r}")
    info = payload.get("cardlistInfo") or {}
    return SearchPage(cards=list(flatten_cards(payload["cards"])), next_page=_next_page(info.get("page")))


def flatten_cards(cards: list[Any]) -> Iterator[dict[str, Any]]:
    """Post cards (``card_type 9`` with an ``mblog``), top-level or inside a ``card_type 11`` ``card_group``."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == 9 and isinstance(card.get("mblog"), dict):
            yield card
        elif isinstance(card.get("card_group"), list):
            yield from flatten_cards(card["card_group"])


def _next_page(value: Any) -> int | None:
    try:
        page = int(value)
    except (TypeError, ValueError):
        return None
    return page if page > 0 else None


def is_full_mblog(mblog: Any) -> bool:
    """Whether a (retweeted) mblog is a whole post, not the stub of a deleted or hidden one."""
    return (
        isinstance(mblog, dict)
        and bool(mblog.get("id") or mblog.get("mid"))
        and isinstance(mblog.get("user"), dict)
        and bool(mblog.get("created_at"))
        and not mblog.get("deleted")
    )


def retweeted_original(mblog: dict[str, Any]) -> dict[str, Any] | None:
    """The original a repost quotes, when it is a full mblog (``null``/``{}``/deleted stubs give None)."""
    original = mblog.get("retweeted_status")
    return original if is_full_mblog(original) else None


def mblog_id(mblog: dict[str, Any]) -> str:
    """The post id (``mid``), always a string."""
    value = mblog.get("mid") or mblog.get("id") or mblog.get("idstr")
    if value in (None, ""):
        raise WeiboFormatError("mblog has no id")
    return str(value)


def mblog_text(text_html: str) -> str:
    """Plain text of an mblog's HTML: emoji kept as their ``[alt]``, the ``全文`` link and its ``...`` removed."""
    if not text_html or not text_html.strip():
        return ""
    if "全文" not in text_html:  # no 全文 link to drop: no need to parse twice
        return html_to_text(text_html)
    try:
        root = lxml_html.fragment_fromstring(text_html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html_to_text(text_html)
    for link in xpath(root, _FULL_TEXT_LINK):
        link.drop_tree()
    return _TRAILING_ELLIPSIS.sub("", html_to_text(lxml_html.tostring(root, encoding="unicode")))


def is_long_text(mblog: dict[str, Any]) -> bool:
    """The list shows only an abstract; ``statuses/extend`` holds the full text."""
    return mblog.get("isLongText") is True


def parse_extend(data: Any) -> str:
    """The full-text HTML from a decoded ``statuses/extend`` answer."""
    payload = data.get("data") if isinstance(data, dict) else None
    content = payload.get("longTextContent") if isinstance(payload, dict) else None
    if not isinstance(content, str) or data.get("ok") != 1:
        raise WeiboFormatError("extend answer has no longTextContent")
    return content


def post_record(
    mblog: dict[str, Any],
    raw: str,
    parse_date: DateParser,
    parse_count: CountParser,
    *,
    full_text_html: str | None = None,
    source: str = SOURCE,
) -> PostRecord:
    """The post record of one mblog; a long post without ``full_text_html`` is marked truncated."""
    user = mblog.get("user") if isinstance(mblog.get("user"), dict) else {}
    mid = mblog_id(mblog)
    created_at = mblog.get("created_at")
    if not created_at:
        raise WeiboFormatError(f"mblog {mid} has no created_at")
    text_html = full_text_html if full_text_html is not None else str(mblog.get("text") or "")
    return PostRecord(
        source=source,
        id=mid,
        url=detail_url(mid),
        title="",
        text=mblog_text(text_html),
        author=user.get("screen_name") or None,
        published_at=parse_date(str(created_at)),
        reposts=parse_count(mblog.get("reposts_count")),
        comments=parse_count(mblog.get("comments_count")),
        likes=parse_count(mblog.get("attitudes_count")),
        views=None,
        truncated=is_long_text(mblog) and full_text_html is None,
        author_id=str(user["id"]) if user.get("id") is not None else None,
        raw=raw,
    )


def to_raw(obj: dict[str, Any], repost: dict[str, Any] | None = None) -> str:
    """A card (or an mblog) as the compact JSON kept as the post's evidence: :func:`evidence_mblog` of its mblog.

    ``repost``: the mblog a reposted original came in, whose author's uid its links may hold too.
    """
    mblog = obj.get("mblog")
    evidence: dict[str, Any]
    if isinstance(mblog, dict):
        evidence = {"card_type": obj.get("card_type"), "mblog": evidence_mblog(mblog)}
    else:
        evidence = evidence_mblog(obj, repost)
    return json.dumps(evidence, ensure_ascii=False, separators=(",", ":"))


def evidence_mblog(mblog: dict[str, Any], repost: dict[str, Any] | None = None) -> dict[str, Any]:
    """What re-parsing and evidence need of an mblog, and nothing else about people.

    The post's ids, times, text and counts are kept; its ``user`` shrinks to the display name and an
    :func:`~storage.authors.author_ref` of the uid (storage hashes it), the same for a reposted original's.
    Pictures are only counted: their file names begin with the uploader's uid in hex. Inside the texts, each
    uid of the card (decimal, as in the ``lfid=107603<uid>`` of links, or hex) becomes an author ref too.
    """
    return _evidence(mblog, _card_uids(mblog) + (_card_uids(repost) if repost else []))


def _evidence(mblog: dict[str, Any], uids: list[str]) -> dict[str, Any]:
    kept = {key: mblog[key] for key in EVIDENCE_KEYS if key in mblog}
    if isinstance(kept.get("text"), str):
        kept["text"] = _ref_uids(kept["text"], uids)
    kept["pic_num"] = _picture_count(mblog)
    if isinstance(mblog.get("user"), dict):
        kept["user"] = _evidence_user(mblog["user"])
    if isinstance(mblog.get("retweeted_status"), dict):
        kept["retweeted_status"] = _evidence(mblog["retweeted_status"], uids)
    return kept


def _evidence_user(user: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"screen_name": user.get("screen_name")}
    if user.get("id") not in (None, ""):
        kept["id"] = author_ref(str(user["id"]))
    return kept


def _card_uids(mblog: dict[str, Any]) -> list[str]:
    """The uids of an mblog's author and of its reposted original's author."""
    original = mblog.get("retweeted_status")
    users = [mblog.get("user"), original.get("user") if isinstance(original, dict) else None]
    return [str(user["id"]) for user in users if isinstance(user, dict) and user.get("id") not in (None, "")]


def _ref_uids(text: str, uids: list[str]) -> str:
    """``text`` with each uid, decimal at the end of a number or hex at the start of a word, as its author ref."""
    for uid in uids:
        if len(uid) < MIN_SCRUB_LENGTH:
            continue
        forms = [rf"{re.escape(uid)}(?![0-9])"] if uid in text else []
        hex_uid = f"{int(uid):08x}" if uid.isdigit() else None
        if hex_uid and hex_uid in text:
            forms.append(rf"(?<![0-9a-f]){hex_uid}")
        if forms:  # most texts hold neither form: no regex to run
            ref = author_ref(uid)
            text = re.sub("|".join(forms), lambda _: ref, text)
    return text


def _picture_count(mblog: dict[str, Any]) -> int:
    counted = mblog.get("pic_num")
    if isinstance(counted, int) and not isinstance(counted, bool):
        return counted
    pictures = mblog.get("pics") or mblog.get("pic_ids")
    return len(pictures) if isinstance(pictures, list) else 0
