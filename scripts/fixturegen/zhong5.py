"""Render fixtures/zhong5/ from the corpus: 中吴网 Discuz! X3.4 portal and forum lists, detail pages, search, manifest."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from crawlers.spiders.zhong5_parse import BASE_URL, SEARCH_URL, article_url, search_url, thread_url
from scripts.fixturegen import zhong5_pages as html
from scripts.fixturegen.manifest import CAPTURED_AT, round_entry, write_manifest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "zhong5"
PORTAL_PAGE, FORUM_PAGE, SEARCH_PAGE = 10, 25, 10
SEARCH_KEYWORDS = ["天宁", "天宁 安全", "燃气"]  # 天宁: two result pages in round 2; 天宁 安全: no results
FLOOD_KEYWORD = "燃气"  # round 1: its search POST is answered by the flood-control showmessage page
LAYOUT_CHANGED_FID = "86"  # round 1: forum-86-1.html is a redesigned page that parses to no threads
FORMHASH = {1: "4f1b2c3d", 2: "7e8a9b0c"}
FORUM_NAMES = {"2": "中吴论坛", "36": "百姓话题", LAYOUT_CHANGED_FID: "曝光台"}
PORTAL_NAMES = {"1": "常州新闻", "3": "天宁资讯"}
STICKY = {"tid": "1000001", "title": "【版规】中吴论坛发帖须知（2019年修订）", "author": "中吴网管理员", "uid": "1",
          "posted": datetime.fromisoformat("2019-03-08T09:12:00+08:00"), "replies": 56, "views": 123456}
REPLIES = ["已转发给物业，等回复。", "关注，希望有关部门尽快处理。", "前两天路过也看到了。", "顶一下，让更多人看到。",
           "楼主说的情况属实。", "大家注意安全！"]
HTML_TYPE, TEXT_TYPE = "text/html; charset=utf-8", "text/plain; charset=utf-8"


def render(posts: list[dict[str, Any]], out_dir: Path) -> None:
    """Write manifest.json, r1/ and r2/ for the zhong5 corpus lines; copy special/ if out_dir is elsewhere."""
    posts = sorted((p for p in posts if p.get("source") == "zhong5"), key=_published, reverse=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    if out_dir.resolve() != FIXTURES.resolve():
        shutil.copytree(FIXTURES / "special", out_dir / "special", dirs_exist_ok=True)
    boards, multipage_id = _boards(posts), _multipage_article(posts)
    rounds = {}
    for round_no in (1, 2):
        writer = _Round(round_no, out_dir, [p for p in posts if p["round"] <= round_no], multipage_id)
        writer.render(boards)
        rounds[str(round_no)] = round_entry(round_no, {"keywords": SEARCH_KEYWORDS, "boards": boards},
                                            writer.responses)
    write_manifest(out_dir, "zhong5", rounds)


def _published(post: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(post["published_at"])


def _boards(posts: list[dict[str, Any]]) -> list[str]:
    forums = sorted({p["board"] for p in posts if p["kind"] == "thread"} | {LAYOUT_CHANGED_FID}, key=int)
    portals = sorted({p["board"] for p in posts if p["kind"] == "article"}, key=int)
    return [f"forum:{fid}" for fid in forums] + [f"portal:{catid}" for catid in portals]


def _multipage_article(posts: list[dict[str, Any]]) -> str | None:
    """The round-1 article with the most paragraphs (at least 4): rendered as page 1 of 2 (``div.ptw.pbw``)."""
    candidates = [(len(p["text"].split("\n")), p["id"]) for p in posts
                  if p["kind"] == "article" and p["round"] == 1 and not p.get("old")]
    longest = max(candidates, default=(0, None))
    return longest[1] if longest[0] >= 4 else None


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


class _Round:
    """The pages of one capture round, written under ``r{n}/`` and listed in ``responses``."""

    def __init__(self, number: int, out_dir: Path, posts: list[dict[str, Any]], multipage_id: str | None) -> None:
        self.number, self.out_dir, self.posts, self.multipage_id = number, out_dir, posts, multipage_id
        self.now = datetime.fromisoformat(CAPTURED_AT[number])
        self.responses: list[dict[str, Any]] = []

    def add(self, url: str, file: str, body: str | None = None, *, method: str = "GET", status: int = 200,
            headers: dict[str, str] | None = None) -> None:
        if body is not None:
            path = self.out_dir / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
        self.responses.append({"method": method, "url": url, "file": file, "status": status,
                               "headers": headers or {"Content-Type": HTML_TYPE}})

    def counts(self, post: dict[str, Any]) -> dict[str, Any]:
        later = post.get("round2") if self.number == 2 else None
        return {key: (later or post)[key] for key in ("comments", "views")}

    def render(self, boards: list[str]) -> None:
        self.add(BASE_URL + "robots.txt", "special/robots.txt", headers={"Content-Type": TEXT_TYPE})
        for board in boards:
            kind, _, board_id = board.partition(":")
            if kind == "portal":
                self.portal(board_id)
            elif board_id == LAYOUT_CHANGED_FID:
                self.add(f"{BASE_URL}forum-{board_id}-1.html", "special/forum_layout_changed.html")
            else:
                self.forum(board_id)
        self.search()

    # -- portal -------------------------------------------------------------------------------------------

    def portal(self, catid: str) -> None:
        articles = [p for p in self.posts if p["kind"] == "article" and p["board"] == catid]
        pages = _chunks(articles, PORTAL_PAGE)
        for page_no, chunk in enumerate(pages, start=1):
            url = f"{BASE_URL}portal.php?mod=list&catid={catid}&page={page_no}"
            items = "\n".join(_portal_item(p) for p in chunk)
            pg = html.pager(page_no, len(pages), f"portal.php?mod=list&catid={catid}&page={{n}}")
            name = PORTAL_NAMES.get(catid, f"频道{catid}")
            content = (f'<div id="ct" class="ct2 wp cl"><div class="mn"><div class="bm"><div class="bm_h cl">'
                       f'<h1 class="xs2">{name}</h1></div>\n<div class="bm_c xld">\n{items}\n</div>\n</div>\n'
                       f'<div class="pgs cl">{pg}</div></div></div>')
            body = html.page(name, [(f"portal.php?mod=list&catid={catid}", name)], content, self.now, "nv_portal")
            self.add(url, f"r{self.number}/portal-list-{catid}-{page_no}.html", body)
        for post in articles:
            if post["round"] == self.number and not post.get("old"):
                self.add(article_url(post["id"][1:]), f"r{self.number}/article-{post['id'][1:]}-1.html",
                         self.article(post, catid))

    def article(self, post: dict[str, Any], catid: str) -> str:
        counts, aid = self.counts(post), post["id"][1:]
        lines = [line for line in post["text"].split("\n") if line.strip()]
        multi = post["id"] == self.multipage_id
        shown = lines[: (len(lines) + 1) // 2] if multi else lines
        paging = f'<div class="ptw pbw cl">{html.pager(1, 2, f"article-{aid}-{{n}}.html")}</div>\n' if multi else ""
        meta = (f'{html.php_date(_published(post), "Y-n-j H:i")}<span class="pipe">|</span>'
                f'发布者: <a href="home.php?mod=space&amp;uid={post["author_uid"]}">{escape(post["author"])}</a>'
                f'<span class="pipe">|</span>查看: <em id="_viewnum">{counts["views"]}</em><span class="pipe">|</span>'
                f'评论: <a href="portal.php?mod=comment&amp;id={aid}&amp;idtype=aid" title="查看全部评论">'
                f'<em id="_commentnum">{counts["comments"]}</em></a>'
                f'<span class="pipe">|</span>原作者: {escape(post["author"])}'
                f'<span class="pipe">|</span>来自: <a href="http://www.zhong5.cn/" target="_blank">中吴网</a>')
        content = (f'<div id="ct" class="ct2 wp cl"><div class="mn"><div class="bm vw">\n<div class="h hm">\n'
                   f'<h1 class="ph">{escape(post["title"])} </h1>\n<p class="xg1">{meta}</p>\n</div>\n'
                   f'<div class="s"><div><strong>摘要</strong>: {escape(_summary(post["text"]))}</div></div>\n'
                   f'<div class="d">\n<table cellpadding="0" cellspacing="0" class="vwtb"><tr><td id="article_content">'
                   f'{"".join(f"<p>{escape(line)}</p>" for line in shown)}</td></tr></table>\n{paging}</div>\n'
                   f'</div></div></div>')
        name = PORTAL_NAMES.get(catid, f"频道{catid}")
        return html.page(post["title"], [(f"portal.php?mod=list&catid={catid}", name), ("", "正文")], content,
                         self.now, "nv_portal")

    # -- forum --------------------------------------------------------------------------------------------

    def forum(self, fid: str) -> None:
        threads = [p for p in self.posts if p["kind"] == "thread" and p["board"] == fid]
        pages = _chunks(threads, FORUM_PAGE)
        name = FORUM_NAMES.get(fid, f"版块{fid}")
        for page_no, chunk in enumerate(pages, start=1):
            rows = [self.sticky_row(fid), _SEPARATOR] if page_no == 1 else []
            rows += [self.forum_row(p, fid) for p in chunk]
            pg = html.pager(page_no, len(pages), f"forum-{fid}-{{n}}.html")
            content = _forum_content(fid, name, "\n".join(rows), pg, FORMHASH[self.number])
            body = html.page(name, [("forum.php", "论坛"), (f"forum-{fid}-1.html", name)], content, self.now,
                             "nv_forum")
            self.add(f"{BASE_URL}forum-{fid}-{page_no}.html", f"r{self.number}/forum-{fid}-{page_no}.html", body)
        for post in threads:
            if post["round"] == self.number and not post.get("old"):
                tid = post["id"][1:]
                self.add(thread_url(tid), f"r{self.number}/thread-{tid}-1-1.html", self.thread(post, fid, name))

    def forum_row(self, post: dict[str, Any], fid: str) -> str:
        tid, counts, posted = post["id"][1:], self.counts(post), _published(post)
        last = min(posted + timedelta(minutes=17 * counts["comments"]), self.now - timedelta(minutes=3))
        last = max(last, posted)
        return _row("normalthread", tid, fid, post["title"], post["author"], post["author_uid"],
                    html.dgmdate_u(posted, self.now, "Y-n-j"), counts["comments"], counts["views"],
                    html.dgmdate_u(last, self.now))

    def sticky_row(self, fid: str) -> str:
        return _row("stickthread", STICKY["tid"], fid, STICKY["title"], STICKY["author"], STICKY["uid"],
                    html.dgmdate_u(STICKY["posted"], self.now, "Y-n-j"), STICKY["replies"], STICKY["views"],
                    html.dgmdate_u(self.now - timedelta(days=3, hours=2), self.now))

    def thread(self, post: dict[str, Any], fid: str, name: str) -> str:
        tid, counts, posted = post["id"][1:], self.counts(post), _published(post)
        pid = 8_000_000 + int(tid) % 1_000_000 * 8
        body = "<br />\r\n".join(escape(line) for line in post["text"].split("\n"))
        first = _post(pid, tid, 0, post["author"], str(post["author_uid"]), self.post_time(posted), body)
        content = _thread_content(tid, fid, post["title"], counts, "\n".join([first, *self.replies(post, pid)]))
        return html.page(post["title"], [("forum.php", "论坛"), (f"forum-{fid}-1.html", name), ("", post["title"])],
                         content, self.now, "nv_forum")

    def replies(self, post: dict[str, Any], pid: int) -> list[str]:
        """Up to three synthetic replies, 23 minutes apart, those already written at capture time."""
        tid, posted, shown = post["id"][1:], _published(post), []
        for floor in range(1, min(self.counts(post)["comments"], 3) + 1):
            moment, seed = posted + timedelta(minutes=23 * floor), int(tid) + floor
            if moment < self.now:
                shown.append(_post(pid + floor, tid, floor, f"常州网友{seed % 9000 + 1000}", str(600000 + seed % 90000),
                                   self.post_time(moment), escape(REPLIES[seed % len(REPLIES)])))
        return shown

    def post_time(self, moment: datetime) -> str:
        return html.dgmdate_u(moment, self.now, "Y-n-j H:i:s")

    # -- search -------------------------------------------------------------------------------------------

    def search(self) -> None:
        content = f'<div id="ct" class="cl w"><div class="mw">{html.search_form(FORMHASH[self.number])}</div></div>'
        form = html.page("搜索", [("search.php?mod=forum", "搜索")], content, self.now, "nv_search")
        self.add(SEARCH_URL, f"r{self.number}/search-form.html", form)
        for index, keyword in enumerate(SEARCH_KEYWORDS):
            if keyword == FLOOD_KEYWORD and self.number == 1:
                self.add(search_url(keyword), "special/search_flood_control.html", method="POST")
                continue
            searchid = 300 + 10 * self.number + index
            location = html.search_location(searchid, keyword)
            self.add(search_url(keyword), f"r{self.number}/search-post-{searchid}.html",
                     f'<a href="{escape(location)}">{escape(location)}</a>', method="POST", status=302,
                     headers={"Content-Type": HTML_TYPE, "Location": location})
            self.results(keyword, searchid, location)

    def results(self, keyword: str, searchid: int, location: str) -> None:
        terms = keyword.split()
        hits = [p for p in self.posts if p["kind"] == "thread" and all(t in p["title"] + p["text"] for t in terms)]
        pages = _chunks(hits, SEARCH_PAGE)
        for page_no, chunk in enumerate(pages, start=1):
            items = "\n".join(_search_item(p, self.counts(p), terms) for p in chunk)
            listing = (f'<div class="slst mtw" id="threadlist">\n<ul>\n{items}\n</ul>\n</div>' if chunk else
                       '<p class="emp xs2 xg2">对不起，没有找到匹配结果。</p>')
            pg = html.pager(page_no, len(pages), location + "&page={n}")
            content = (f'<div id="ct" class="cl w"><div class="mw">{html.search_form(FORMHASH[self.number], keyword)}'
                       f'<div class="tl">\n<div class="sttl mbn"><h2>结果: <em>找到 “<span class="emfont">'
                       f'{escape(keyword)}</span>” 相关内容 {len(hits)} 个</em></h2></div>\n{listing}\n'
                       f'<div class="pgs cl mbm">{pg}</div>\n</div></div></div>')
            url = BASE_URL + location + (f"&page={page_no}" if page_no > 1 else "")
            body = html.page(f"{keyword} - 搜索", [("search.php?mod=forum", "搜索")], content, self.now, "nv_search")
            self.add(url, f"r{self.number}/search-{searchid}-{page_no}.html", body)


def _summary(text: str) -> str:
    flat = text.replace("\n", " ")
    return flat if len(flat) <= 80 else flat[:80] + "..."


def _portal_item(post: dict[str, Any]) -> str:
    aid = post["id"][1:]
    return (f'<dl class="bbda cl">\n<dt class="xs2"><a href="article-{aid}-1.html" target="_blank" class="xi2">'
            f'{escape(post["title"])}</a></dt>\n<dd class="xs2 cl">{escape(_summary(post["text"]))}</dd>\n'
            f'<dd><span class="xg1"> {html.php_date(_published(post), "Y-n-j H:i")}</span></dd>\n</dl>')


_SEPARATOR = ('<tbody id="separatorline"><tr class="ts"><td>&nbsp;</td><th><a href="javascript:;" '
              'onclick="hideStickThread()" title="隐藏置顶帖" class="showhide y">隐藏置顶帖</a>'
              '</th><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td></tr></tbody>')


def _row(kind: str, tid: str, fid: str, title: str, author: str, uid: Any, posted: str, replies: int, views: int,
         last: str) -> str:
    icon = "pin_1.gif" if kind == "stickthread" else "folder_common.gif"
    return f"""<tbody id="{kind}_{tid}">
<tr>
<td class="icn"><a href="thread-{tid}-1-1.html" title="新窗口打开" target="_blank"><img src="static/image/common/{icon}" /></a></td>
<th class="common">
<a href="javascript:;" id="content_{tid}" class="showcontent y" title="更多操作" onclick="CONTENT_TID='{tid}';CONTENT_ID='{kind}_{tid}';showMenu({{'ctrlid':this.id,'menuid':'content_menu'}})"></a>
<a class="tdpre y" href="javascript:void(0);" onclick="previewThread('{tid}', '{kind}_{tid}');">预览</a>
<a href="thread-{tid}-1-1.html" onclick="atarget(this)" class="s xst">{escape(title)}</a>
</th>
<td class="by">
<cite><a href="home.php?mod=space&amp;uid={uid}" c="1">{escape(author)}</a></cite>
<em><span>{posted}</span></em>
</td>
<td class="num"><a href="thread-{tid}-1-1.html" class="xi2">{replies}</a><em>{views}</em></td>
<td class="by">
<cite><a href="home.php?mod=space&amp;username=%E5%B8%B8%E5%B7%9E%E7%BD%91%E5%8F%8B" c="1">常州网友</a></cite>
<em><a href="forum.php?mod=redirect&amp;tid={tid}&amp;goto=lastpost#lastpost">{last}</a></em>
</td>
</tr>
</tbody>"""


def _forum_content(fid: str, name: str, rows: str, pg: str, formhash: str) -> str:
    return f"""<div id="ct" class="wp cl">
<div class="mn">
<div class="bm bml pbn"><div class="bm_h cl"><h1 class="xs2"><a href="forum-{fid}-1.html">{name}</a></h1></div></div>
<div id="pgt" class="bm bw0 pgs cl"><span id="fd_page_top">{pg}</span><a href="forum.php?mod=post&amp;action=newthread&amp;fid={fid}" id="newspecial" title="发新帖"><img src="static/image/common/pn_post.png" alt="发新帖" /></a></div>
<div id="threadlist" class="tl bm bmw">
<div class="th"><table cellspacing="0" cellpadding="0"><tr><th colspan="2"><div class="tf">全部主题</div></th><td class="by">作者</td><td class="num">回复/查看</td><td class="by">最后发表</td></tr></table></div>
<div class="bm_c">
<form method="post" autocomplete="off" name="moderate" id="moderate" action="forum.php?mod=topicadmin&amp;action=moderate&amp;fid={fid}&amp;infloat=yes&amp;nopost=yes">
<input type="hidden" name="formhash" value="{formhash}" />
<table summary="forum_{fid}" cellspacing="0" cellpadding="0" id="threadlisttableid">
{rows}
</table>
</form>
</div>
</div>
<div class="bm bw0 pgs cl"><span id="fd_page_bottom">{pg}</span></div>
</div>
</div>"""


def _post(pid: int, tid: str, floor: int, author: str, uid: str, posted: str, body: str) -> str:
    label = "楼主" if floor == 0 else "沙发" if floor == 1 else "板凳" if floor == 2 else f"{floor + 1}<sup>#</sup>"
    return f"""<div id="post_{pid}" >
<table id="pid{pid}" class="plhin" summary="pid{pid}" cellspacing="0" cellpadding="0">
<tr>
<td class="pls" rowspan="2">
<div id="favatar{pid}" class="pls favatar"><div class="pi"><div class="authi"><a href="home.php?mod=space&amp;uid={uid}" target="_blank" class="xw1">{escape(author)}</a></div></div></div>
</td>
<td class="plc">
<div class="pi">
<strong><a href="forum.php?mod=redirect&amp;goto=findpost&amp;ptid={tid}&amp;pid={pid}" id="postnum{pid}">{label}</a></strong>
<div class="pti"><div class="pdbt"></div><div class="authi">
<img class="authicn vm" id="authicon{pid}" src="static/image/common/online_member.gif" />
<em id="authorposton{pid}">发表于 {posted}</em>
<span class="pipe">|</span><a href="forum.php?mod=viewthread&amp;tid={tid}&amp;page=1&amp;authorid={uid}" rel="nofollow">只看该作者</a>
</div></div>
</div>
<div class="pct"><div class="pcb"><div class="t_fsz">
<table cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_{pid}">
{body}</td></tr></table>
</div></div></div>
</td></tr>
</table>
</div>"""


def _thread_content(tid: str, fid: str, title: str, counts: dict[str, Any], posts: str) -> str:
    return f"""<div id="ct" class="wp cl">
<div id="pgt" class="pgs mbm cl "><a id="newspecial" href="forum.php?mod=post&amp;action=newthread&amp;fid={fid}" title="发新帖"><img src="static/image/common/pn_post.png" alt="发新帖" /></a></div>
<div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr>
<td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">{counts["views"]}</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">{counts["comments"]}</span></div></td>
<td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{escape(title)}</span></h1>
<span class="xg1"><a href="thread-{tid}-1-1.html" onclick="return copyThreadUrl(this, '中吴网')">[复制链接]</a></span></td>
</tr></table>
{posts}
<div id="postlistreply" class="pl"><div id="post_new" class="viewthread_table" style="display: none"></div></div>
</div>
</div>"""


def _search_item(post: dict[str, Any], counts: dict[str, Any], terms: list[str]) -> str:
    tid = post["id"][1:]
    snippet = post["text"].replace("\n", " ")[:100]
    return f"""<li class="pbw" id="{tid}">
<h3 class="xs3"><a href="forum.php?mod=viewthread&amp;tid={tid}&amp;highlight={escape(quote_plus(" ".join(terms)))}" target="_blank">{html.highlight(post["title"], terms)}</a></h3>
<p class="xg1">{counts["comments"]} 个回复 - {counts["views"]} 次查看</p>
<p>{html.highlight(snippet, terms)}</p>
<p><span>{html.php_date(_published(post), "Y-m-d H:i")}</span> - <span><a href="home.php?mod=space&amp;uid={post["author_uid"]}" target="_blank">{escape(post["author"])}</a></span> - <span><a href="forum-{post["board"]}-1.html" target="_blank" class="xi1">{FORUM_NAMES.get(post["board"], "论坛")}</a></span></p>
</li>"""
