"""Build m.weibo.cn JSON objects (search page, cards, mblog, user, extend) for corpus posts, keyed like real captures.

The mblog and user key sets follow the real 2022 timeline capture (shared/sources/real/weibo), with
``region_name`` on recent posts; a legacy page follows the 2019 capture (relative ``created_at``, no region).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CLIENTS = ("iPhone客户端", "Android", "HUAWEI Mate 60 Pro", "微博 weibo.com", "iPhone 15 Pro", "OPPO Find X7")
DISPLAY_STRATEGY = {"apply_scenario_flag": 3, "display_text_min_number": 1000000, "display_text": "100万+"}
OFFICIAL_HINTS = ("发布", "消防", "应急", "公安", "日报", "新闻", "电视", "晚报", "广播", "政府", "交警", "气象")
PROVINCES = ("北京", "上海", "天津", "重庆", "浙江", "安徽", "山东", "河南", "广东", "湖北", "四川", "福建")
EMOJI_FILES = {"doge": "d_doge", "围观": "o_weiguan", "允悲": "d_yunbei", "微笑": "d_hehe", "哆啦A梦害怕": "dorahaipa",
               "怒": "d_nu", "泪": "d_lei", "赞": "o_zan", "心": "l_xin", "二哈": "d_erha", "抓狂": "d_zhuakuang"}
TOKENS = re.compile(r"#[^#\n]{1,40}#|@[\w\u4e00-\u9fff\-]{2,30}|\[[^\[\]\n]{1,8}\]")
LIST_TEXT_LIMIT = 140  # a long post (over 140 characters) lists its first 140


@dataclass(frozen=True, slots=True)
class Style:
    """How one page is rendered: capture time, round, the keyword searched, 2019 legacy dates or not."""

    now: datetime
    round_no: int
    keyword: str
    legacy: bool = False

    @property
    def lfid(self) -> str:
        return quote(f"100103type=61&q={self.keyword}", safe="")


def digest(text: str, salt: str = "") -> int:
    """A stable number from text (never Python's salted hash)."""
    return int(hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()[:12], 16)


def mid_to_bid(mid: str) -> str:
    """Weibo's base62 short id: the mid in 7-digit groups from the right, each base62 (4 places but the first)."""
    parts = []
    for end in range(len(mid), 0, -7):
        start = max(0, end - 7)
        encoded = _base62(int(mid[start:end]))
        parts.insert(0, encoded.rjust(4, "0") if start > 0 else encoded)
    return "".join(parts)


def _base62(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = BASE62[rest] + out
    return out or "0"


def rfc_created_at(moment: datetime) -> str:
    """``Fri Nov 20 09:50:00 +0800 2026``, locale-independent."""
    return (f"{DAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day:02d} "
            f"{moment:%H:%M:%S} +0800 {moment.year}")


def legacy_created_at(moment: datetime, now: datetime) -> str:
    """The 2019 list style: ``N分钟前``, ``N小时前`` (under a day), ``昨天 HH:MM``, else ``MM-DD``."""
    age = now - moment
    if age < timedelta(minutes=1):
        return "刚刚"
    if age < timedelta(hours=1):
        return f"{age.seconds // 60}分钟前"
    if age < timedelta(days=1):
        return f"{age.seconds // 3600}小时前"
    if moment.date() == (now - timedelta(days=1)).date():
        return f"昨天 {moment:%H:%M}"
    return f"{moment:%m-%d}"


def display_count(value: int | None) -> int | str:
    """A counter as m.weibo.cn shows it: exact under 1万, ``"1.5万"`` to a million, then ``"100万+"``."""
    value = value or 0
    if value >= 1_000_000:
        return DISPLAY_STRATEGY["display_text"]
    if value >= 10_000:
        return f"{value // 1000 / 10:g}万"
    return value


def text_html(text: str, lfid: str) -> str:
    """The mblog ``text`` HTML for plain text: topics and mentions as links, emoji as images, ``<br />`` lines."""
    out, last = [], 0
    for match in TOKENS.finditer(text):
        out.append(_escape(text[last:match.start()]))
        out.append(_token_html(match.group(), lfid))
        last = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br />")


def _token_html(token: str, lfid: str) -> str:
    if token.startswith("#"):
        query = quote(token, safe="")
        href = (f"https://m.weibo.cn/search?containerid=231522type%3D1%26t%3D10%26q%3D{query}"
                f"&extparam={query}&luicode=10000011&lfid={lfid}")
        return f'<a  href="{href}" data-hide=""><span class="surl-text">{html.escape(token)}</span></a>'
    if token.startswith("@"):
        return f"<a href='/n/{html.escape(token[1:])}'>{html.escape(token)}</a>"
    name = token[1:-1]
    icon = EMOJI_FILES.get(name, f"e_{digest(name) % 10 ** 6:06d}")
    return (f'<span class="url-icon"><img alt={token} src="https://h5.sinaimg.cn/m/emoticon/icon/default/'
            f'{icon}-3b4f5bbd09.png" style="width:1em; height:1em;" /></span>')


def list_text(post: dict[str, Any], lfid: str) -> str:
    """What the list shows: the whole text, or for a long post its first part and the ``全文`` link."""
    if post.get("kind") != "longtext":
        return text_html(post["text"], lfid)
    return f'{text_html(post["text"][:LIST_TEXT_LIMIT], lfid)} ...<a href="/status/{post["id"]}">全文</a>'


def text_length(text: str) -> int:
    """Weibo's ``textLength``: a CJK character counts two."""
    return sum(2 if ord(char) > 127 else 1 for char in text)


def region_name(place: str | None) -> str:
    """``发布于 江苏`` unless the post's place names another province."""
    province = next((name for name in PROVINCES if place and name in place), "江苏")
    return f"发布于 {province}"


def user(author: str, uid: str, lfid: str) -> dict[str, Any]:
    """A user object with the 2022 key set; numbers derived from the uid."""
    seed = digest(uid, "user")
    official = any(hint in author for hint in OFFICIAL_HINTS)
    followers = 20_000 + seed % 900_000 if official else 30 + seed % 4_000
    followers_text = display_count(followers) if official else str(followers)
    image = f"{seed % 16 ** 8:08x}ly8h{seed % 10 ** 6:06d}j20u00u0"
    return {
        "id": int(uid), "screen_name": author,
        "profile_image_url": f"https://tvax{seed % 4 + 1}.sinaimg.cn/crop.0.0.512.512.180/{image}.jpg",
        "profile_url": f"https://m.weibo.cn/u/{uid}?uid={uid}&luicode=10000011&lfid={lfid}",
        "statuses_count": 100 + seed % 20_000, "verified": official, "verified_type": 1 if official else -1,
        "verified_type_ext": 0 if official else None, "verified_reason": f"{author}官方微博" if official else "",
        "close_blue_v": False, "description": "", "gender": "m" if seed % 2 else "f", "mbtype": 12 if official else 0,
        "urank": 10 + seed % 40, "mbrank": seed % 7, "follow_me": False, "following": False,
        "follow_count": 50 + seed % 900, "followers_count": str(followers_text), "followers_count_str": str(followers_text),
        "cover_image_phone": "https://tva1.sinaimg.cn/crop.0.0.640.640.640/549d0121tw1egm1kjly3jj20hs0hsq4f.jpg",
        "avatar_hd": f"https://wx{seed % 4 + 1}.sinaimg.cn/orj480/{image}.jpg", "like": False, "like_me": False,
        "badge": {"user_name_certificate": 1} if official else {},
    }


def counts(post: dict[str, Any], round_no: int) -> dict[str, Any]:
    """The post's counters as shown in a round (``round2`` values in round 2 when given)."""
    source = post.get("round2") if round_no == 2 and post.get("round2") else post
    return {"reposts_count": display_count(source.get("reposts")),
            "comments_count": display_count(source.get("comments")),
            "attitudes_count": display_count(source.get("likes"))}


def mblog(post: dict[str, Any], by_id: dict[str, dict[str, Any]], style: Style) -> dict[str, Any]:
    """The mblog object of a corpus post, with its retweeted original when it is a repost."""
    moment = datetime.fromisoformat(post["published_at"])
    created = legacy_created_at(moment, style.now) if style.legacy else rfc_created_at(moment)
    body: dict[str, Any] = {
        "visible": {"type": 0, "list_id": 0}, "created_at": created, "id": post["id"], "mid": post["id"],
        "can_edit": False, "show_additional_indication": 0, "text": list_text(post, style.lfid),
    }
    if post.get("kind") == "longtext":
        body["textLength"] = text_length(post["text"])
    body |= {"source": CLIENTS[digest(post["id"], "client") % len(CLIENTS)], "favorited": False, "pic_ids": [],
             "is_paid": False, "mblog_vip_type": 0, "user": user(post["author"], post["author_uid"], style.lfid)}
    if post.get("kind") == "repost":
        body["retweeted_status"] = _original(post, by_id, style)
    body |= counts(post, style.round_no) | {
        "reprint_cmt_count": 0, "pending_approval_count": 0, "isLongText": post.get("kind") == "longtext",
        "mlevel": 0, "darwin_tags": [], "mblogtype": 0, "number_display_strategy": dict(DISPLAY_STRATEGY),
        "content_auth": 0, "comment_manage_info": {"comment_permission_type": -1, "approval_comment_type": 0},
        "pic_num": 0, "new_comment_style": 0,
    }
    if not style.legacy:
        body |= {"region_name": region_name(post.get("place")), "region_opt": 1, "mblog_menu_new_style": 0}
    body["edit_config"] = {"edited": False}
    if post.get("kind") == "repost":
        body["raw_text"] = post["text"]
    body["bid"] = mid_to_bid(post["id"])
    return body


def _original(post: dict[str, Any], by_id: dict[str, dict[str, Any]], style: Style) -> dict[str, Any] | None:
    """The repost's original as a full mblog; a deleted original (not in the corpus) is ``null`` or ``{}``."""
    original = by_id.get(post.get("repost_of") or "")
    if original is None or original["round"] > style.round_no:
        return None if digest(post["id"], "deleted") % 2 else {}
    return mblog(original, by_id, style)


def post_card(post: dict[str, Any], by_id: dict[str, dict[str, Any]], style: Style, position: int) -> dict[str, Any]:
    """A ``card_type 9`` search card."""
    bid = mid_to_bid(post["id"])
    return {
        "card_type": 9, "card_type_name": "微博",
        "itemid": f"seqid:{digest(post['id'], 'seq') % 10 ** 9}|type:61|t:|pos:1-0-{position}"
                  f"|q:{style.keyword}|ext:&mid={post['id']}&",
        "display_arrow": 0, "show_type": 1,
        "scheme": f"https://m.weibo.cn/status/{bid}?mblogid={bid}&luicode=10000011&lfid={style.lfid}",
        "mblog": mblog(post, by_id, style),
    }


def page_cards(posts: list[dict[str, Any]], by_id: dict[str, dict[str, Any]], style: Style,
               extras: list[str]) -> list[dict[str, Any]]:
    """The page's cards: posts top-level or two at a time in a ``card_type 11`` group, plus non-post cards."""
    cards: list[dict[str, Any]] = [_banner(style)] if "banner" in extras else []
    group: list[dict[str, Any]] = []
    for index, post in enumerate(posts):
        card = post_card(post, by_id, style, index)
        if index % 4 in (1, 2):
            group.append(card)
            if index % 4 == 2 or index == len(posts) - 1:
                cards.append({"card_type": 11, "show_type": 1, "card_group": group})
                group = []
        else:
            cards.append(card)
        if index == 0 and "user" in extras:
            cards.append({"card_type": 11, "show_type": 1, "card_group": [_user_card(post, style)]})
        if index == 0 and "topic" in extras:
            cards.append({"card_type": 11, "show_type": 1, "card_group": [_topic_card(style)]})
    return cards


def _user_card(post: dict[str, Any], style: Style) -> dict[str, Any]:
    person = user(post["author"], post["author_uid"], style.lfid)
    return {"card_type": 10, "itemid": f"type:61|q:{style.keyword}|uid:{post['author_uid']}",
            "scheme": f"https://m.weibo.cn/u/{post['author_uid']}?luicode=10000011&lfid={style.lfid}",
            "user": person, "desc1": f"粉丝：{person['followers_count']}", "desc2": "", "buttons": []}


def _topic_card(style: Style) -> dict[str, Any]:
    topic = f"#{style.keyword.replace(' ', '')}#"
    return {"card_type": 8, "itemid": f"topic:{topic}", "title_sub": topic, "desc1": "相关讨论",
            "desc2": f"{digest(topic) % 900 + 100}讨论", "pic": "https://wx1.sinaimg.cn/thumbnail/topic.jpg",
            "scheme": f"https://m.weibo.cn/search?containerid=231522type%3D1%26q%3D{quote(topic, safe='')}"}


def _banner(style: Style) -> dict[str, Any]:
    return {"card_type": 22, "itemid": "banner:safety", "pic": "https://wx3.sinaimg.cn/large/banner_safety.jpg",
            "title": "安全生产月", "scheme": "https://m.weibo.cn/p/100808safety", "display_arrow": 0}


def search_page(keyword: str, cards: list[dict[str, Any]], next_page: int | None, style: Style,
                total: int) -> dict[str, Any]:
    """A whole ``ok:1`` getIndex answer for the 实时 tab."""
    containerid = f"100103type=61&q={keyword}&t="
    channels = [{"id": str(t), "name": name, "containerid": f"100103type={t}&q={keyword}&t="}
                for t, name in ((1, "综合"), (61, "实时"), (3, "用户"), (60, "热门"), (64, "视频"))]
    info = {"containerid": containerid, "v_p": 42, "title_top": keyword, "total": total, "show_style": 1,
            "starttime": int(style.now.timestamp()), "can_shared": 1,
            "cardlist_menus": [{"type": "button_menus_refresh", "name": "刷新"}],
            "cardlist_head_cards": [{"head_type": 1, "head_type_name": "channel_list", "channel_list": channels}],
            "page": next_page}
    return {"ok": 1, "data": {"cardlistInfo": info, "cards": cards,
                              "scheme": f"sinaweibo://searchall?containerid={style.lfid}", "showAppTips": 0}}


def extend_answer(post: dict[str, Any], round_no: int) -> dict[str, Any]:
    """The ``statuses/extend`` answer with the full text (2019 shape)."""
    lfid = quote(f"231522type=1&q={post['id']}", safe="")
    return {"ok": 1, "data": {"ok": 1, "longTextContent": text_html(post["text"], lfid)} | counts(post, round_no)}
