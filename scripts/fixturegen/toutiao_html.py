"""Markup for the Toutiao fixtures: druid search cards, the SERP around them, and article pages (FORMATS.md §2)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from html import escape
from typing import Any

from crawlers.spiders.toutiao_parse import article_url

EXTERNAL_SITES = [("常州日报", "www.cz001.com.cn"), ("中国江苏网", "jsnews.jschina.com.cn"),
                  ("扬子晚报网", "www.yangtse.com"), ("荔枝网", "news.jstv.com")]
ABSTRACT_CHARS = 80


def _hex(*parts: object, length: int = 16) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()[:length]


def counts(post: dict[str, Any], round_no: int) -> dict[str, Any]:
    """The counters a page of ``round_no`` shows: round 2's grown counts for a round-1 post, if it has them."""
    grown = post.get("round2") if round_no == 2 and post["round"] == 1 else None
    return grown or post


def abstract(post: dict[str, Any]) -> str:
    """What the SERP shows of the text: the start, cut at ABSTRACT_CHARS with an ellipsis."""
    flat = "".join(post["text"].split("\n"))
    return flat if len(flat) <= ABSTRACT_CHARS else flat[:ABSTRACT_CHARS] + "…"


def highlight(text: str, keyword: str) -> str:
    for term in keyword.split():
        text = text.replace(term, f"<em>{term}</em>")
    return text


def _when(post: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(post["published_at"])


def _counters(post: dict[str, Any], round_no: int) -> dict[str, int]:
    shown = counts(post, round_no)
    pairs = (("comment_count", "comments"), ("digg_count", "likes"), ("read_count", "views"))
    return {key: shown[name] for key, name in pairs if shown.get(name) is not None}


def article_card(post: dict[str, Any], keyword: str, round_no: int) -> dict[str, Any]:
    """A Toutiao-hosted article: top-level fields, in one of three URL/time variants seen in parsers."""
    gid, when, variant = post["id"], _when(post), int(post["id"]) % 3
    card: dict[str, Any] = {
        "cell_type": 0, "template_key": "information-article", "group_id": gid, "item_id": gid,
        "title": highlight(post["title"], keyword), "abstract": highlight(abstract(post), keyword),
        "media_name": post["author"], "source": post["author"], "user_id": post["author_uid"],
        "open_url": f"sslocal://detail?groupid={gid}&item_id={gid}",
        "image_list": [{"url": f"https://p3-sign.toutiaoimg.com/tos-cn-i-qvj2lq49k0/{_hex(gid)}~tplv-tt-cs0:640:360.jpg"}],
        **_counters(post, round_no),
    }
    if variant == 0:
        card |= {"pc_schema": f"sslocal://detail?groupid={gid}", "article_url": f"https://www.toutiao.com/a{gid}/",
                 "datetime": when.strftime("%Y-%m-%d %H:%M:%S"), "publish_time": int(when.timestamp())}
    elif variant == 1:
        card |= {"article_url": f"https://www.toutiao.com/preview_article/?pgc_id={gid}",
                 "url": f"https://toutiao.com/group/{gid}/", "publish_time": int(when.timestamp())}
    else:
        card |= {"source_url": f"/group/{gid}/", "datetime": when.strftime("%Y-%m-%d %H:%M:%S")}
    return card


def weitoutiao_card(post: dict[str, Any], keyword: str, round_no: int) -> dict[str, Any]:
    """A 微头条: no title, the whole post as ``content`` (and ``rich_content``), unix ``create_time``."""
    gid = post["id"]
    rich = "".join(f"<p>{escape(line)}</p>" for line in post["text"].split("\n"))
    return {
        "cell_type": 32, "template_key": "information-weitoutiao", "id": gid, "group_id": gid,
        "content": post["text"], "rich_content": rich, "media_name": post["author"],
        "user": {"user_id": post["author_uid"], "name": post["author"]},
        "share_url": f"https://www.toutiao.com/w/{gid}/", "create_time": int(_when(post).timestamp()),
        **_counters(post, round_no),
    }


def external_display(post: dict[str, Any], keyword: str) -> dict[str, Any]:
    """An external web result as ``display`` shows it: title/summary objects and ``info`` with the site's URL."""
    site, domain = EXTERNAL_SITES[int(post["id"]) % len(EXTERNAL_SITES)]
    when = _when(post)
    return {
        "title": {"text": highlight(post["title"], keyword)},
        "summary": {"text": highlight(abstract(post), keyword)},
        "info": {"url": f"https://{domain}/news/{when:%Y%m%d}/{post['id'][-8:]}.html", "site_name": post["author"] or site,
                 "domain": domain, "images": []},
    }


def external_card(posts: list[dict[str, Any]], keyword: str, round_no: int) -> dict[str, Any]:
    """One external result (``display`` a dict), or several in one multi-result card (``display`` a list)."""
    if len(posts) == 1:
        post = posts[0]
        return {"cell_type": 26, "template_key": "information-web", "group_id": post["id"],
                "publish_time": int(_when(post).timestamp()), "display": external_display(post, keyword),
                **_counters(post, round_no)}
    elements = [{**external_display(post, keyword), "group_id": post["id"], "publish_time": int(_when(post).timestamp()),
                 **_counters(post, round_no)} for post in posts]
    return {"cell_type": 26, "template_key": "information-web-multi", "display": elements}


def search_cards(keyword: str, posts: list[dict[str, Any]], round_no: int, first_page: bool) -> list[dict[str, Any]]:
    """The ``data`` objects of one page, in order: a SearchBar on page 0, results (runs of externals grouped), related."""
    cards: list[dict[str, Any]] = [{"template_key": "SearchBar", "query": keyword}] if first_page else []
    run: list[dict[str, Any]] = []
    for post in posts + [None]:  # type: ignore[list-item]
        if post is not None and post["kind"] == "external" and len(run) < 3:
            run.append(post)
            continue
        if run:
            cards.append(external_card(run, keyword, round_no))
            run = [post] if post is not None and post["kind"] == "external" else []
        if post is not None and post["kind"] != "external":
            builder = weitoutiao_card if post["kind"] == "weitoutiao" else article_card
            cards.append(builder(post, keyword, round_no))
    cards.append({"cell_type": 1, "template_key": "related-search",
                  "related_words": [f"{keyword} 最新", f"{keyword.split()[0]} 通报"]})
    return cards


def _card_script(card: dict[str, Any], nonce: str, index: int) -> str:
    payload = json.dumps({"data": card}, ensure_ascii=False).replace("</", "<\\/")
    card_id = _hex(nonce, index, length=12)
    return (f'<div class="result-content" data-i="{index}"><div class="cs-view cs-view-block cs-card '
            f'undefined-default css-1b4tv6h"></div></div>\n'
            f'<script data-druid-card-data-id="{card_id}" type="application/json" nonce="{nonce}">{payload}</script>\n')


def search_page(keyword: str, page_num: int, search_id: str, cards: list[dict[str, Any]], round_no: int) -> str:
    """A full 资讯-tab SERP around the cards: head, nonce'd scripts, emotion-CSS placeholders, the searchId."""
    nonce = _hex(round_no, keyword, page_num, length=22)
    context = json.dumps({"searchId": search_id, "keyword": keyword, "pd": "information", "pageNum": page_num,
                          "logId": search_id}, ensure_ascii=False)
    body = "".join(_card_script(card, nonce, i) for i, card in enumerate(cards))
    return SERP_TEMPLATE.format(title=escape(keyword), nonce=nonce, context=context, body=body, page=page_num + 1)


SERP_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} - 头条搜索</title>
<link rel="shortcut icon" href="https://sf3-cdn-tos.toutiaostatic.com/obj/ttfe/search/favicon.ico">
<link rel="stylesheet" href="https://lf3-cdn-tos.bytegoofy.com/goofy/toutiao/search/pc/static/css/main.0f3c2b.css">
<style data-emotion="css" nonce="{nonce}">.css-1b4tv6h{{display:flex;flex-direction:column;}}.css-9ryg8l{{margin:0 auto;width:1200px;}}</style>
<script nonce="{nonce}">window.__SEARCH_CONTEXT__={context};</script>
</head>
<body><div id="root"><div class="s-container css-9ryg8l"><div class="s-nav css-1b4tv6h"></div>
<div class="s-result-list">
{body}</div>
<div class="cs-pagination css-1b4tv6h" data-page="{page}"></div></div></div>
<script nonce="{nonce}" src="https://lf3-cdn-tos.bytegoofy.com/goofy/toutiao/search/pc/static/js/main.4e1a7c.js" defer></script>
</body></html>
"""


def user_token(uid: str) -> str:
    """A ``/c/user/token/…`` token in the ``MS4wLjABAAAA…`` style, stable per author."""
    return "MS4wLjABAAAA" + base64.urlsafe_b64encode(hashlib.sha256(uid.encode()).digest()).decode()[:43]


def article_page(post: dict[str, Any]) -> str:
    """An article page with the 2021 ``div.article-content`` markup, the canonical link and an SSR JSON blob."""
    gid, when = post["id"], _when(post)
    paragraphs = "".join(f'<p data-track="{i}">{escape(line)}</p>' for i, line in enumerate(post["text"].split("\n"), 1))
    original = '<span class="original-mark">原创</span>' if int(gid) % 2 else ""
    state = {"articleInfo": {"groupId": gid, "itemId": gid, "title": post["title"], "publish_time": int(when.timestamp()),
                             "comment_count": post.get("comments") or 0, "digg_count": post.get("likes") or 0,
                             "read_count": post.get("views") or 0}}
    return ARTICLE_TEMPLATE.format(
        title=escape(post["title"]), canonical=article_url(gid), description=escape(abstract(post)),
        original=original, time=when.strftime("%Y-%m-%d %H:%M"), token=user_token(post["author_uid"]),
        author=escape(post["author"] or ""), paragraphs=paragraphs,
        state=json.dumps(state, ensure_ascii=False).replace("</", "<\\/"),
    )


ARTICLE_TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{title} - 今日头条</title>
<meta name="description" content="{description}">
<link rel="canonical" href="{canonical}">
<link rel="stylesheet" href="https://lf3-cdn-tos.bytegoofy.com/toutiao/toutiao_web_pc/pc/article/index.7b0e5c.css">
</head><body><div id="root"><div class="article-detail-container"><div class="main">
<div class="article-content"><h1>{title}</h1><div class="article-meta">{original}<span>{time}</span><span class="dot">·</span><span class="name"><a href="/c/user/token/{token}/?source=tuwen_detail" target="_blank" rel="noopener">{author}</a></span></div><article class="syl-article-base syl-page-article syl-device-pc tt-article-content">{paragraphs}</article></div>
</div></div></div>
<script>window._SSR_HYDRATED_DATA={state}</script>
</body></html>
"""
