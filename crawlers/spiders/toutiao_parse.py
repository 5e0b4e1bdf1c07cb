"""Pure parsers for 今日头条: so.toutiao.com search cards, article pages and feed items (FORMATS.md §2), and the
evidence kept of each, with its author ids and user-page links as author refs."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from lxml import etree
from parsel import Selector

from crawlers.parsing.counts import parse_count
from crawlers.parsing.html import css, css_each, outer_html, xpath, xpath_each
from crawlers.parsing.text import html_to_text
from storage.authors import author_ref

SEARCH_URL = "https://so.toutiao.com/search"
ARTICLE_URL = "https://www.toutiao.com/article/{}/"
WEITOUTIAO_URL = "https://www.toutiao.com/w/{}/"
FALLBACK_URL = "https://www.toutiao.com/a{}/"

URL_PATHS = ("display.info.url", "pc_schema", "article_url", "url", "source_url", "share_url", "open_url",
             "ttsearch_msite_url")
TITLE_PATHS = ("title", "display.title.text", "emphasized.title")
SUMMARY_PATHS = ("abstract", "display.summary.text", "emphasized.summary", "summary.text", "hot_board_summary")
AUTHOR_PATHS = ("media_name", "source", "display.info.site_name", "display.info.domain", "user.name",
                "user_info.name")
AUTHOR_ID_PATHS = ("user_id", "user.user_id", "user_info.user_id", "media_id")
TIME_PATHS = ("datetime", "publish_time", "create_time", "behot_time", "display_time", "display.info.time")
ID_PATHS = ("group_id", "item_id", "id")
COUNT_KEYS = ("comment_count", "comments_count", "digg_count", "like_count", "read_count", "video_play_count")
EVIDENCE_KEYS = frozenset(
    path.split(".")[0] for path in (*URL_PATHS, *TITLE_PATHS, *SUMMARY_PATHS, *AUTHOR_PATHS, *AUTHOR_ID_PATHS,
                                    *TIME_PATHS, *ID_PATHS, *COUNT_KEYS,
                                    "cell_type", "template_key", "content", "rich_content", "image_list", "media_url"))
AUTHOR_ID_KEYS = frozenset({"user_id", "media_id", "uid", "creator_uid"})
PERSON_KEYS = frozenset({"user", "user_info"})
PERSON_FIELDS = ("name", "user_id")

_SEARCH_ID = re.compile(r'"searchId"\s*:\s*"([^"]+)"')
_URL_ID = re.compile(r"/(?:article/|group/|w/|a|i)(\d{15,20})(?:/|$)")
_USER_TOKEN = re.compile(r"/c/user/token/([^/?#]+)")
_USER_LINK = re.compile(r"(/c/user/(?:token/|(?=[0-9])))([^/?#\s\"'<>&{}]+)")
_UID_ATTRIBUTE = re.compile(r"""(\sdata-(?:uid|user-id|user_id|userid)=["'])([^"']+)""")
_JSON_CARD = re.compile(r"<script\b[^>]*application/json[^>]*>\s*\{\s*\"data\"")
_META_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_NORMALIZED = etree.XPath("normalize-space(string(.))", smart_strings=False)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One result as a search card (or a feed item) shows it; ``text`` is the abstract or the 微头条 content."""

    id: str
    kind: str  # "article" (Toutiao-hosted, has a detail page) | "weitoutiao" | "external"
    url: str
    title: str
    text: str
    author: str | None
    author_id: str | None
    published: str | int | None
    comments: int | None
    likes: int | None
    views: int | None
    raw: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    """What one SERP holds: its search id, its results, and the signs of a captcha or an empty shell."""

    search_id: str | None
    results: list[SearchResult]
    payloads: int
    bad_payloads: list[str]
    captcha: bool
    shell: bool


@dataclass(frozen=True, slots=True)
class Article:
    """The full text and metadata of an article (or 微头条) detail page."""

    title: str
    text: str
    published: str | None
    author: str | None
    author_id: str | None
    comments: int | None
    likes: int | None
    raw: str


def search_url(keyword: str, page_num: int = 0, search_id: str | None = None, pagination: bool = False) -> str:
    """The SERP URL: the input form for page 0, else the pagination form (0-based ``page_num``)."""
    if page_num == 0 and not pagination:
        params = {"dvpf": "pc", "source": "input", "keyword": keyword, "pd": "information"}
    else:
        params = {"keyword": keyword, "pd": "information", "dvpf": "pc", "source": "pagination",
                  "action_type": "pagination", "page_num": str(page_num)}
        if search_id:
            params["search_id"] = search_id
        params.update({"from": "search_tab", "cur_tab_title": "search_tab"})
    return f"{SEARCH_URL}?{urlencode(params, quote_via=quote)}"


def article_url(group_id: str) -> str:
    return ARTICLE_URL.format(group_id)


def card_payloads(html: str) -> list[str]:
    """The JSON texts of the druid card scripts, in page order (never the emotion-CSS markup)."""
    root, _ = _tree(html, "xpath")
    return [text for text in xpath(root, "//script[@data-druid-card-data-id]/text()") if text.strip()]


def _tree(html: str, query_kind: str) -> tuple[Any, str]:
    """The tree parsel builds of ``html``, and how its nodes serialise ("html", or "xml" for an XML document).

    A text that is a JSON object or array makes a JSON selector, on which parsel refuses ``query_kind``
    ("css" or "xpath") queries with a ``ValueError``: so do we.
    """
    page = Selector(text=html)
    if page.type == "json":
        raise ValueError(f"Cannot use {query_kind} on a Selector of type 'json'")
    return page.root, "xml" if page.type == "xml" else "html"


def load_card(payload: str) -> dict[str, Any] | None:
    """The ``data`` object of one card payload; ``None`` for truncated or malformed JSON."""
    try:
        decoded = json.loads(payload)
    except ValueError:
        return None
    data = decoded.get("data") if isinstance(decoded, dict) else None
    return data if isinstance(data, dict) else None


def parse_search_page(html: str) -> SearchPage:
    """Every result card of one SERP, plus its ``searchId`` and whether it is a captcha card or an empty shell."""
    payloads = card_payloads(html)
    results: list[SearchResult] = []
    bad: list[str] = []
    captcha = False
    for payload in payloads:
        data = load_card(payload)
        if data is None:
            bad.append(payload[:80])
            continue
        captcha = captcha or is_captcha_card(data)
        if not is_non_result(data):  # no evidence to build for a card that yields no result
            results.extend(parse_card(data, _json({"data": evidence_card(data)})))
    search_id = search_id_of(html)
    shell = not payloads and search_id is None and not _JSON_CARD.search(html)
    return SearchPage(search_id, results, len(payloads), bad, captcha, shell)


def search_id_of(html: str) -> str | None:
    match = _SEARCH_ID.search(html)
    return match[1] if match else None


def is_captcha_card(data: dict[str, Any]) -> bool:
    """The verify card: ``cell_type`` 71, ``template_key`` "71-undefined", ``decision_conf`` of type verify."""
    if str(data.get("cell_type")) != "71" or data.get("template_key") != "71-undefined":
        return False
    conf = data.get("decision_conf")
    if isinstance(conf, str):
        try:
            conf = json.loads(conf)
        except ValueError:
            return True
    return not isinstance(conf, dict) or conf.get("type") == "verify"


def is_non_result(data: dict[str, Any]) -> bool:
    return data.get("template_key") == "SearchBar" or str(data.get("cell_type")) in ("1", "71")


def parse_card(data: dict[str, Any], raw: str) -> list[SearchResult]:
    """The results of one card: one, none (non-result cards), or several when ``display`` is a list."""
    if is_non_result(data):
        return []
    display = data.get("display")
    if not isinstance(display, list):
        found = parse_item(data, raw)
        return [found] if found else []
    shared = {key: value for key, value in data.items() if key not in ("display", *ID_PATHS)}
    items = ({**shared, **element, "display": element} for element in display if isinstance(element, dict))
    return [found for item in items if (found := parse_item(item, raw))]


def parse_item(data: dict[str, Any], raw: str) -> SearchResult | None:
    """One result from a card or feed item dict; ``None`` when it has neither a title/text nor a link/id."""
    title = _html_text(_first(data, TITLE_PATHS))
    content = _content(data)
    text = content or _html_text(_first(data, SUMMARY_PATHS))
    url = _link(data)
    post_id = _post_id(data, url)
    if not (title or text) or not (url or post_id):
        return None
    kind = _kind(title, content, url)
    if post_id is None:
        if kind != "external":
            return None
        post_id = "u" + hashlib.sha1(url.encode()).hexdigest()[:18]
    return SearchResult(
        id=post_id, kind=kind, url=_canonical(kind, post_id, url), title=title, text=text,
        author=_first(data, AUTHOR_PATHS), author_id=_author_id(data), published=_published(data),
        comments=_count(data, "comment_count", "comments_count"), likes=_count(data, "digg_count", "like_count"),
        views=_count(data, "read_count", "video_play_count"), raw=raw,
    )


def parse_feed(document: Any) -> list[SearchResult]:
    """The items of a www.toutiao.com feed response ``{data: [...]}``, ads skipped."""
    items = document.get("data") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    results = []
    for item in items:
        if isinstance(item, dict) and not item.get("is_feed_ad"):
            found = parse_item(item, _json(evidence_card(item)))
            if found:
                results.append(found)
    return results


def evidence_card(data: dict[str, Any]) -> dict[str, Any]:
    """What re-parsing and evidence need of a card or feed item, and nothing else about people.

    The keys the parser reads are kept (avatars and the like are dropped); ``user``/``user_info`` shrink to
    the name and id; every author id and every user-page link becomes a :func:`~storage.authors.author_ref`
    (storage hashes it), the author's own page (``media_url``) a ref to the card's author id.
    """
    kept = {key: value for key, value in data.items() if key in EVIDENCE_KEYS}
    author, media_url = _author_id(data), data.get("media_url")
    own_token = _USER_TOKEN.search(media_url) if isinstance(media_url, str) else None
    return _with_refs(kept, {own_token[1]: author} if own_token and author else {})


def _with_refs(value: Any, aliases: dict[str, str]) -> Any:
    """``value`` with author ids (by key) and user-page links (in any string) as author refs."""
    if isinstance(value, dict):
        return {key: _field_with_refs(key, item, aliases) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_refs(item, aliases) for item in value]
    return ref_user_links(value, aliases) if isinstance(value, str) else value


def _field_with_refs(key: str, value: Any, aliases: dict[str, str]) -> Any:
    if key in AUTHOR_ID_KEYS and value not in (None, ""):
        return author_ref(str(value))
    if key in PERSON_KEYS and isinstance(value, dict):
        value = {field: value[field] for field in PERSON_FIELDS if field in value}
    return _with_refs(value, aliases)


def ref_user_links(html: str, aliases: dict[str, str] | None = None) -> str:
    """Links to a user's page (``/c/user/token/<token>``, ``/c/user/<id>``) and ``data-uid`` values as author
    refs; ``aliases`` maps a token to the author id it stands for (a card's ``user_id``).

    Every string of a card passes through here: a substring test skips the regexes for the many that hold neither.
    """
    if "/c/user/" in html:
        aliases = aliases or {}
        html = _USER_LINK.sub(lambda link: link[1] + author_ref(aliases.get(link[2], link[2])), html)
    if "data-" in html:
        html = _UID_ATTRIBUTE.sub(lambda attribute: attribute[1] + author_ref(attribute[2]), html)
    return html


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _path(data: dict[str, Any], path: str) -> Any:
    if "." not in path:
        return data.get(path) if isinstance(data, dict) else None
    value: Any = data
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _first(data: dict[str, Any], paths: tuple[str, ...]) -> str | None:
    for path in paths:
        value = _path(data, path)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def _html_text(value: str | None) -> str:
    return html_to_text(value.replace("\n", "<br>")) if value else ""


def _content(data: dict[str, Any]) -> str:
    content = data.get("content")
    if isinstance(content, str) and content.strip():
        return _html_text(content)
    rich = data.get("rich_content")
    return html_to_text(rich) if isinstance(rich, str) else ""


def _link(data: dict[str, Any]) -> str | None:
    for path in URL_PATHS:
        value = _path(data, path)
        if isinstance(value, str) and _usable(value):
            return _absolute(value.strip())
    return None


def _usable(url: str) -> bool:
    url = url.strip()
    return bool(url) and not url.startswith("sslocal:") and "preview_article" not in url


def _absolute(url: str) -> str:
    if url.startswith("//"):
        url = "https:" + url
    elif url.startswith("/"):
        url = "https://www.toutiao.com" + url
    parts = urlsplit(url)
    if parts.netloc == "so.toutiao.com" and parts.path.startswith("/search/jump"):
        target = parse_qs(parts.query).get("url")
        if target and _usable(target[0]):
            return _absolute(target[0])
    return url


def _hosted(url: str) -> bool:
    host = urlsplit(url).netloc.lower().split(":")[0]
    return host == "toutiao.com" or host.endswith(".toutiao.com")


def _post_id(data: dict[str, Any], url: str | None) -> str | None:
    found = _first(data, ID_PATHS)
    if found:
        return found
    match = _URL_ID.search(urlsplit(url).path) if url and _hosted(url) else None
    return match[1] if match else None


def _kind(title: str, content: str, url: str | None) -> str:
    if url and not _hosted(url):
        return "external"
    if (not title and content) or (url and "/w/" in urlsplit(url).path):
        return "weitoutiao"
    return "article"


def _canonical(kind: str, post_id: str, url: str | None) -> str:
    if kind == "external" and url:
        return url
    if kind == "weitoutiao":
        return WEITOUTIAO_URL.format(post_id)
    return ARTICLE_URL.format(post_id) if post_id.isdigit() else (url or FALLBACK_URL.format(post_id))


def _author_id(data: dict[str, Any]) -> str | None:
    found = _first(data, AUTHOR_ID_PATHS)
    if found:
        return found
    media_url = data.get("media_url")
    match = _USER_TOKEN.search(media_url) if isinstance(media_url, str) else None
    return match[1] if match else None


def _published(data: dict[str, Any]) -> str | int | None:
    for path in TIME_PATHS:
        value = _path(data, path)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.strip():
            return int(value) if value.strip().isdigit() else value.strip()
    return None


def _count(data: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        if data.get(key) is not None:
            return parse_count(data[key])
    return None


def parse_article(html: str, author_id: str | None = None) -> Article | None:
    """An article page (``div.article-content``) or 微头条 page (``.wtt-meta``); ``None`` for anything else.

    ``raw`` has its user links as author refs (:func:`ref_user_links`); the author's own page link refers to
    ``author_id`` when given (the card's id of the author), else to the page's token.
    """
    root, method = _tree(html, "css")
    container = css(root, "div.article-content")
    meta = css_each(container, "div.article-meta")
    if not container:
        meta = css(root, ".wtt-meta")
        container = css(root, ".wtt-content, .weitoutiao-content") or xpath_each(meta, "..")
    if not container:
        return None
    body = (css_each(container, "article.syl-article-base") or css_each(container, "article.tt-article-content")
            or css_each(container, "article")
            or css_each(container, ".wtt-content-text, .weitoutiao-content-text"))
    heading = xpath_each(container, "./h1")
    author_link = css_each(meta, "span.name > a")
    token = _USER_TOKEN.search(author_link[0].get("href", "")) if author_link else None
    aliases = {token[1]: author_id} if token and author_id else {}
    return Article(
        title=_NORMALIZED(heading[0]) if heading else "",
        text=html_to_text(outer_html(body[0], method)) if body else "",
        published=_meta_time(meta),
        author=(_NORMALIZED(author_link[0]) if author_link else "") or None,
        author_id=token[1] if token else None,
        comments=_embedded_count(html, "comment_count"),
        likes=_embedded_count(html, "digg_count"),
        raw=ref_user_links(outer_html(container[0], method), aliases),
    )


def is_challenge(html: str) -> bool:
    """The cookie-less JS challenge: a tiny page setting ``__ac_nonce``, with no article in it."""
    return "__ac_nonce" in html and "article-content" not in html


def _meta_time(meta: list[Any]) -> str | None:
    """The first class-less ``<span>`` of the meta block, else the first span that looks like a date."""
    for span in xpath_each(meta, ".//span[not(@class)]"):
        text = _NORMALIZED(span)
        if text:
            return text
    for span in xpath_each(meta, ".//span"):
        text = _NORMALIZED(span)
        if _META_DATE.match(text):
            return text
    return None


def _embedded_count(html: str, key: str) -> int | None:
    match = re.search(rf'"{key}"\s*:\s*(\d+)', html)
    return int(match[1]) if match else None
