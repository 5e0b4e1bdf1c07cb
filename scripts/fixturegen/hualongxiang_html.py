"""Markup of 化龙巷 pages for the fixtures: PHPWind 8 ``thread.php``/``read.php`` (GBK) and so.hualongxiang.com search.

Thread and search selectors follow FORMATS.md §3; the board list follows PHPWind 8's standard ``thread.htm``
(inference: FORMATS.md gives no board-list selectors). Replies under each thread are short generic remarks
chosen per thread: they are not posts and the corpus does not hold them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import quote

from crawlers.spiders.hualongxiang_parse import WWW, search_url

BOARD_NAMES = {"103": "龙城茶座", "104": "谈天说地", "100": "交友征婚", "101": "情感天空", "1054": "娱乐八卦",
               "1603": "通讯运营商", "203": "龙城美食", "306": "游山玩水", "1068": "上班这点事", "1549": "楼市速递",
               "202": "我要买房", "1261": "业主小区", "201": "龙城车友", "1902": "学车俱乐部", "212": "求医问药",
               "1087": "法律天地", "2140": "信息版", "400": "意见与建议"}
BOARD_PINYIN = {"103": "chazuo"}  # the rewrite form /{pinyin}/{tid} is evidenced for 茶座 only
PINNED = [("13266021", "【版规】本版发帖须知（2024年修订），发帖前请先阅读", "版务小组", "100213", "2024-03-02", 412, 88213),
          ("14890117", "【公告】化龙巷社区文明公约，请大家共同遵守", "化龙巷管理员", "100001", "2025-09-15", 96, 23150)]
REPLIES = ["楼主说的是哪个位置？我家就在附近", "蹲个后续，有消息麻烦更新一下", "早上路过也看到了，人不少",
           "顶一下，让更多人看到", "希望大家都平安，注意安全", "同问，有没有知情的出来说说",
           "已经打过12345了，说会转给相关部门", "这种事还是等官方通报吧，别乱传", "支持楼主，说得在理"]
REPLIERS = [("清潭老王", "611204"), ("天宁小七", "702388"), ("红梅阿姨", "585130"), ("兰陵路人甲", "733901"),
            ("茶山打工人", "690427"), ("龙城老司机", "618855")]


def digest(text: str) -> int:
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:12], 16)


def srcurl_cookie(url: str) -> str:
    """The WAF's cookie: ``srcurl`` = the hex of the requested URL (FORMATS.md §3 Anti-crawl)."""
    return f"srcurl={url.encode('utf-8').hex()}; path=/"


def moment(post: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(post["published_at"])


def board_name(fid: str) -> str:
    return BOARD_NAMES.get(fid, f"版块{fid}")


def list_href(post: dict[str, Any]) -> str:
    pinyin = BOARD_PINYIN.get(str(post["board"]))
    return f"/{pinyin}/{post['id']}" if pinyin else f"read.php?tid={post['id']}"


def search_time(when: datetime, now: datetime) -> str:
    """The search page's time: relative under a day (刚刚, N分钟前, N小时前, 昨天/前天 HH:MM), else absolute."""
    when = when.astimezone(now.tzinfo)
    delta, days = now - when, (now.date() - when.date()).days
    if delta < timedelta(minutes=1):
        return "刚刚"
    if delta < timedelta(hours=1):
        return f"{delta.seconds // 60}分钟前"
    if days == 0:
        return f"{delta.seconds // 3600}小时前"
    if days in (1, 2):
        return f"{'昨天' if days == 1 else '前天'} {when:%H:%M}"
    return f"{when:%Y-%m-%d %H:%M}"


def _head(title: str, charset: str) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{escape(title)} - 化龙巷 - 常州第一生活社区</title>\n"
        '<meta name="generator" content="phpwind 8.7" />\n'
        '<link rel="stylesheet" type="text/css" href="images/wind/style.css" />\n'
        '<script type="text/javascript" src="js/core/core.js"></script>\n</head>\n<body>\n'
        '<div id="header"><div class="top"><a href="index.php" class="logo">化龙巷</a>'
        '<ul class="nav"><li><a href="thread.php?fid=103">龙城茶座</a></li><li><a href="thread.php?fid=1261">业主小区</a>'
        '</li><li><a href="thread.php?fid=203">龙城美食</a></li><li><a href="http://so.hualongxiang.com/">搜索</a></li>'
        "</ul></div></div>\n"
    )


_FOOT = ('<div id="footer">化龙巷 &copy; 2004-2026 &nbsp; Powered by '
         '<a href="http://www.phpwind.net/">phpwind</a></div>\n</body>\n</html>\n')


# -- board list (thread.php) -------------------------------------------------------------------------------

def board_page(fid: str, page: int, posts: list[dict[str, Any]], has_next: bool, now: datetime) -> str:
    rows = [_pinned_row(*pin) for pin in PINNED] if page == 1 else []
    if rows:
        rows.append('<tr class="tr2"><td colspan="5" class="tac" style="border-top:0">普通主题</td></tr>')
    rows.extend(_board_row(post, now) for post in posts)
    pager = _board_pager(fid, page, has_next)
    return (
        _head(f"{board_name(fid)}", "gbk")
        + f'<div id="main"><div class="breadCrumb"><a href="index.php">化龙巷</a> &raquo; '
        f'<a href="thread.php?fid={fid}">{board_name(fid)}</a></div>\n'
        f'<div class="forum-info"><h2>{board_name(fid)}</h2><span>今日：{len(posts) % 37 + 12}</span></div>\n'
        f"{pager}\n"
        '<div class="t z" id="ajaxtable"><table width="100%" cellspacing="0" cellpadding="0" id="threadlist">\n'
        '<tr class="tr2"><td class="tac" colspan="2">文章</td><td class="author">作者</td>'
        '<td class="num">回复/人气</td><td class="author">最后发表</td></tr>\n'
        + "\n".join(rows)
        + f"\n</table></div>\n{pager}\n</div>\n" + _FOOT
    )


def _board_row(post: dict[str, Any], now: datetime) -> str:
    tid, href = post["id"], escape(list_href(post))
    replies = post.get("comments") or 0
    last_author = REPLIERS[digest(tid) % len(REPLIERS)][0] if replies else post["author"]
    last_time = moment(post) + (now - moment(post)) * (0.8 if replies else 0)
    return (
        '<tr class="tr3 t_one">'
        f'<td class="icon tar" width="30"><a title="开放主题" href="{href}" target="_blank">'
        '<img src="images/wind/thread/topicnew.gif" align="absmiddle" /></a></td>'
        f'<td class="subject" id="td_{tid}"><a href="{href}" name="readlink" id="a_ajax_{tid}" '
        f'class="subject_t f14">{escape(post["title"])}</a></td>'
        f'<td class="author"><a href="u.php?uid={post["author_uid"]}" class="bl">{escape(post["author"])}</a>'
        f"<p>{moment(post):%Y-%m-%d}</p></td>"
        f'<td class="num"><em>{replies}</em>/{post.get("views") or 0}</td>'
        f'<td class="author"><a href="u.php?username={quote(last_author.encode("gbk"))}">{escape(last_author)}</a>'
        f'<p><a href="read.php?tid={tid}&amp;page=e#a">{last_time:%Y-%m-%d %H:%M}</a></p></td></tr>'
    )


def _pinned_row(tid: str, title: str, author: str, uid: str, day: str, replies: int, views: int) -> str:
    return (
        '<tr class="tr3 t_one">'
        '<td class="icon tar" width="30"><img src="images/wind/thread/headtopic_3.gif" alt="置顶帖标志" '
        'align="absmiddle" /></td>'
        f'<td class="subject" id="td_{tid}"><a href="read.php?tid={tid}" name="readlink" id="a_ajax_{tid}" '
        f'class="subject_t f14"><b><font color="#FF0000">{escape(title)}</font></b></a></td>'
        f'<td class="author"><a href="u.php?uid={uid}" class="bl">{escape(author)}</a><p>{day}</p></td>'
        f'<td class="num"><em>{replies}</em>/{views}</td>'
        f'<td class="author"><a href="u.php?uid={uid}">{escape(author)}</a><p>{day} 08:00</p></td></tr>'
    )


def _board_pager(fid: str, page: int, has_next: bool) -> str:
    links = [f'<a href="thread.php?fid={fid}&amp;page=1" class="pages_pre">&laquo;</a>'] if page > 1 else []
    links.append(f"<b>{page}</b>")
    if has_next:
        links.append(f'<a href="thread.php?fid={fid}&amp;page={page + 1}">{page + 1}</a>')
        links.append(f'<a href="thread.php?fid={fid}&amp;page={page + 1}" class="pages_next">&raquo;</a>')
    return f'<div class="pages">{"".join(links)}</div>'


# -- so.hualongxiang.com search ------------------------------------------------------------------------------

def search_page(keyword: str, page: int, posts: list[dict[str, Any]], total: int, has_next: bool,
                now: datetime) -> str:
    items = "\n".join(_search_item(post, keyword, now) for post in posts)
    empty = "" if posts else f'<div class="no-result">抱歉，没有找到与“{escape(keyword)}”相关的帖子。</div>'
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{escape(keyword)}_化龙巷搜索</title>\n</head>\n<body>\n"
        '<div class="search-head"><a href="https://www.hualongxiang.com/">化龙巷</a>'
        '<form action="/search/index" method="get">'
        f'<input type="text" name="keyword" value="{escape(keyword)}" />'
        '<input type="hidden" name="desc" value="time" />'
        '<button type="submit">搜索</button></form></div>\n'
        f'<div class="wapper">\n<p>找到相关帖子{total}篇,用时0.0{digest(keyword) % 90 + 10}秒</p>\n'
        f'{empty}<div class="shopper-list-long"><ul>\n{items}\n</ul></div>\n'
        f"{_search_pager(keyword, page, has_next)}\n</div>\n</body>\n</html>\n"
    )


def _search_item(post: dict[str, Any], keyword: str, now: datetime) -> str:
    js_title = post["title"].replace("\\", "\\\\").replace("'", "\\'")
    onclick = f"hitLog('{post['id']}','{js_title}')"
    href = f"{WWW}/{list_href(post).lstrip('/')}"
    snippet = post["text"].replace("\n", " ")[:80]
    return (
        "<li>"
        f'<div class="title"><a href="{escape(href)}" target="_blank" onclick="{escape(onclick)}">'
        f"{_highlight(post['title'], keyword)}</a></div>"
        f'<div class="content">{_highlight(snippet, keyword)}…</div>'
        f'<div class="time"><span>{board_name(str(post["board"]))}</span>'
        f'<a href="{WWW}/u.php?uid={post["author_uid"]}" target="_blank">'
        f'{escape(post["author"])}</a><span>{search_time(moment(post), now)}</span>'
        f'<span>回复：{post.get("comments") or 0}</span><span>查看：{post.get("views") or 0}</span></div>'
        "</li>"
    )


def _highlight(text: str, keyword: str) -> str:
    return escape(text).replace(escape(keyword), f'<font color="red">{escape(keyword)}</font>')


def _search_pager(keyword: str, page: int, has_next: bool) -> str:
    links = [f'<a href="{escape(search_url(keyword, page - 1))}">上一页</a>'] if page > 1 else []
    links.append(f'<span class="current">{page}</span>')
    if has_next:
        links.append(f'<a href="{escape(search_url(keyword, page + 1))}">{page + 1}</a>')
        links.append(f'<a class="next" href="{escape(search_url(keyword, page + 1))}">下一页</a>')
    return f'<div class="page">{" ".join(links)}</div>'


# -- thread page (read.php) ----------------------------------------------------------------------------------

def thread_page(post: dict[str, Any], now: datetime, declared_charset: str = "gbk") -> str:
    """The first page of a thread: the 楼主 floor (``div#read_tpc``) and up to three reply floors."""
    replies = post.get("comments") or 0
    floors = [_topic_floor(post)] + [_reply_floor(post, n, min(replies, 3), now) for n in range(1, min(replies, 3) + 1)]
    fid = str(post["board"])
    return (
        _head(f"{post['title']} - {board_name(fid)}", declared_charset)
        + f'<div id="main"><div class="breadCrumb"><a href="index.php">化龙巷</a> &raquo; '
        f'<a href="thread.php?fid={fid}">{board_name(fid)}</a> &raquo; 帖子</div>\n'
        f'<div class="read_h1_wrap"><h1 id="subject_tpc" class="read_h1">{escape(post["title"])}</h1>\n'
        f'<ul class="data"><li>查看：<span>{post.get("views") or 0}</span></li>'
        f"<li>回复：<span>{replies}</span></li></ul></div>\n"
        f'<div class="read_t">\n' + "\n".join(floors) + "\n</div>\n"
        '<div class="pages"><b>1</b></div>\n<a name="a"></a></div>\n' + _FOOT
    )


def _topic_floor(post: dict[str, Any]) -> str:
    when = moment(post)
    with_seconds = int(post["id"]) % 2 == 0 or when.second != 0
    stamp = f"{when:%Y-%m-%d %H:%M:%S}" if with_seconds else f"{when:%Y-%m-%d %H:%M}"
    return _floor(0, post["author"], str(post["author_uid"]), post["id"], "楼主", f"发表于：{stamp}",
                  "read_tpc", "fs16 mb10", _body(post))


def _reply_floor(post: dict[str, Any], floor: int, count: int, now: datetime) -> str:
    seed = digest(f"{post['id']}/{floor}")
    author, uid = REPLIERS[(digest(post["id"]) + floor) % len(REPLIERS)]
    when = moment(post) + (now - moment(post)) * floor / (count + 1)
    pid = str(70_000_000 + seed % 9_000_000)
    return _floor(floor, author, uid, post["id"], f"{floor}楼", f"发表于 {when:%Y-%m-%d %H:%M}",
                  f"read_{pid}", "f14 mb10", escape(REPLIES[seed % len(REPLIES)]))


def _floor(index: int, author: str, uid: str, tid: str, label: str, posted: str, body_id: str, body_class: str,
           body: str) -> str:
    """One ``table.floot``: user column (name is ``td[1]/div/div[1]/span[3]``), floor bar, time ``p``, body."""
    anchor = "tpc" if index == 0 else str(index)
    return (
        f'<table class="floot" width="100%" cellspacing="0" cellpadding="0"><tr class="vt">'
        '<td class="floot_left"><div class="readName">'
        f'<div class="readNameBox"><span class="face_img"><img src="https://img.hualongxiang.com/avatar/{uid}.jpg" '
        f'width="100" height="100" /></span><span class="level">{"居民" if digest(uid) % 2 else "老巷友"}</span>'
        f'<span class="user-name"><a href="u.php?uid={uid}" target="_blank">{escape(author)}</a></span></div>'
        f'<span class="user-info2" id="showface_{index}"><ul><li>帖子：<a href="u.php?action=topic&amp;uid={uid}">'
        f"{digest(uid) % 3000 + 12}</a></li></ul></span></div></td>"
        '<td class="floot_right"><div class="tipTop s6"><a href="javascript:;">只看该作者</a></div>'
        '<div class="readTop"><div class="fr gc6">'
        f"<a href=\"javascript:;\" onclick=\"sendmsg('message.php?action=write&amp;uid={uid}','',this.id);\">短消息</a>"
        f'<a href="read.php?tid={tid}#{anchor}" class="s2 b">{label}</a></div>'
        f"<p>{posted}</p></div>"
        '<div class="tpc_icon"></div>'
        f'<div class="tpc_content"><div class="tpc_inner"><div class="tpc_tools"><a href="javascript:;">引用</a></div>'
        f'<div id="{body_id}" class="{body_class}">{body}</div></div></div></td></tr></table>'
    )


def _body(post: dict[str, Any]) -> str:
    """Paragraphs as PHPWind stores them (``<br />`` line breaks), with an attached photo on some threads."""
    html = "<br />\r\n".join(escape(line) for line in post["text"].split("\n"))
    if digest(post["id"]) % 3 == 0:
        src = f"https://img.hualongxiang.com/attachment/Mon_2611/{post['board']}_{digest(post['id']) % 10**8:08x}.jpg"
        html += f'<br />\r\n<img src="{src}" border="0" onload="if(this.width>700)this.width=700;" />'
    return html
