"""HTML of 中吴网 pages in the Discuz! X3.4 default templates (FORMATS.md §4), for the zhong5 fixture renderer."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import quote_plus

NBSP = "&nbsp;"


def php_date(moment: datetime, pattern: str) -> str:
    """PHP ``date()`` for the letters Discuz uses: Y n j m d H i s."""
    letters = {"Y": f"{moment.year}", "n": f"{moment.month}", "j": f"{moment.day}", "m": f"{moment.month:02d}",
               "d": f"{moment.day:02d}", "H": f"{moment.hour:02d}", "i": f"{moment.minute:02d}",
               "s": f"{moment.second:02d}"}
    return "".join(letters.get(char, char) for char in pattern)


def dgmdate_u(moment: datetime, now: datetime, title_format: str = "Y-n-j H:i") -> str:
    """Discuz ``dgmdate($t, 'u')``: relative text in a ``<span title=absolute>`` for the last 7 days."""
    absolute = php_date(moment, title_format)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = int((now - moment).total_seconds())
    if moment >= today:
        if seconds < 0:
            return absolute
        shown = (f"{seconds // 3600}{NBSP}小时前" if seconds > 3600 else "半小时前" if seconds > 1800
                 else f"{seconds // 60}{NBSP}分钟前" if seconds > 60 else f"{seconds}{NBSP}秒前" if seconds else "刚刚")
        return f'<span title="{absolute}">{shown}</span>'
    days = int((today - moment).total_seconds() // 86400)
    if days >= 7:
        return absolute
    shown = (f"昨天{NBSP}{php_date(moment, 'H:i')}" if days == 0 else f"前天{NBSP}{php_date(moment, 'H:i')}"
             if days == 1 else f"{days + 1}{NBSP}天前")
    return f'<span title="{absolute}">{shown}</span>'


def page(title: str, crumbs: list[tuple[str, str]], content: str, now: datetime, body_id: str = "nv_forum") -> str:
    """A whole page: Discuz X3.4 head, 中吴网 header and nav, the ``div#pt`` breadcrumbs, content, footer."""
    trail = "".join(f' <em>&rsaquo;</em> <a href="{escape(href)}">{escape(text)}</a>' for href, text in crumbs)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{escape(title)} - 中吴网 -  Powered by Discuz!</title>
<meta name="keywords" content="常州,中吴网,常州论坛,常州新闻" />
<meta name="generator" content="Discuz! X3.4" />
<meta name="author" content="Discuz! Team and Comsenz UI Team" />
<meta name="copyright" content="2001-2020 Tencent Cloud." />
<base href="http://www.zhong5.cn/" />
<link rel="stylesheet" type="text/css" href="data/cache/style_1_common.css?Zw5" />
<script type="text/javascript">var STYLEID = '1', STATICURL = 'static/', IMGDIR = 'static/image/common', VERHASH = 'Zw5', charset = 'utf-8', discuz_uid = '0', cookiepre = 'lTUZ_eb82_', cookiedomain = '', cookiepath = '/', showusercard = '1', attackevasive = '0', disallowfloat = 'newthread', SITEURL = 'http://www.zhong5.cn/', JSPATH = 'data/cache/';</script>
<script src="data/cache/common.js?Zw5" type="text/javascript"></script>
</head>
<body id="{body_id}" class="pg_{body_id[3:]}" onkeydown="if(event.keyCode==27) return false;">
<div id="append_parent"></div><div id="ajaxwaitid"></div>
<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="javascript:;" onclick="setHomepage('http://www.zhong5.cn/');">设为首页</a><a href="http://www.zhong5.cn/" onclick="addFavorite(this.href, '中吴网');return false;">收藏本站</a></div></div></div>
<div id="hd"><div class="wp"><div class="hdc cl"><h2><a href="./" title="中吴网"><img src="static/image/common/logo.png" alt="中吴网" border="0" /></a></h2>
<div id="um"><p><a href="member.php?mod=logging&amp;action=login">登录</a><span class="pipe">|</span><a href="member.php?mod=register">立即注册</a></p></div></div>
<div id="nv"><ul><li id="mn_portal"><a href="portal.php" hidefocus="true" title="Portal">首页<span>Portal</span></a></li><li id="mn_P1"><a href="portal.php?mod=list&amp;catid=1" hidefocus="true">常州新闻</a></li><li id="mn_forum"><a href="forum.php" hidefocus="true" title="BBS">论坛<span>BBS</span></a></li><li id="mn_N1"><a href="forum-2-1.html" hidefocus="true">中吴论坛</a></li></ul></div>
<div id="scbar" class="cl"><form id="scbar_form" method="post" autocomplete="off" onsubmit="searchFocus($('scbar_txt'))" action="search.php?searchsubmit=yes" target="_blank"><input type="hidden" name="mod" id="scbar_mod" value="search" /><input type="hidden" name="formhash" value="0c0c0c0c" /><input type="hidden" name="srchtype" value="title" /><table cellspacing="0" cellpadding="0"><tr><td class="scbar_txt_td"><input type="text" name="srchtxt" id="scbar_txt" value="请输入搜索内容" autocomplete="off" x-webkit-speech speech /></td><td class="scbar_btn_td"><button type="submit" name="searchsubmit" id="scbar_btn" sc="1" class="pn pnc" value="true"><strong class="xi2">搜索</strong></button></td></tr></table></form></div>
</div></div>
<div id="wp" class="wp">
<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm" title="首页">中吴网</a>{trail}</div></div>
{content}
</div>
<div id="ft" class="wp cl">
<div id="flk" class="y"><p><a href="archiver/">Archiver</a><span class="pipe">|</span><a href="forum.php?mobile=yes">手机版</a><span class="pipe">|</span><a href="forum.php?mod=misc&amp;action=showdarkroom">小黑屋</a><span class="pipe">|</span><strong><a href="http://www.zhong5.cn/" target="_blank">中吴网</a></strong> ( 苏ICP备00000000号-0 样例 )</p>
<p class="xs0">GMT+8, {php_date(now, "Y-n-j H:i")}<span id="debuginfo">, Processed in 0.041 second(s), 21 queries.</span></p></div>
<div id="frt"><p>Powered by <strong><a href="http://www.discuz.net" target="_blank">Discuz!</a></strong> <em>X3.4</em></p><p class="xs0">&copy; 2001-2020 <a href="http://www.comsenz.com" target="_blank">Comsenz Inc.</a></p></div>
</div>
</body>
</html>
"""


def pager(page_no: int, pages: int, href: str) -> str:
    """Discuz ``multi()`` paging; ``href`` has a ``{n}`` placeholder for the page number."""
    if pages <= 1:
        return ""
    links = "".join(f"<strong>{n}</strong>" if n == page_no else f'<a href="{escape(href.format(n=n))}">{n}</a>'
                    for n in range(1, pages + 1))
    label = (f'<label><input type="text" name="custompage" class="px" size="2" title="输入页码，按回车快速跳转" '
             f'value="{page_no}" /><span title="共 {pages} 页"> / {pages} 页</span></label>')
    following = f'<a href="{escape(href.format(n=page_no + 1))}" class="nxt">下一页</a>' if page_no < pages else ""
    return f'<div class="pg">{links}{label}{following}</div>'


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line.strip())


def highlight(text: str, terms: list[str]) -> str:
    """Discuz search highlighting: each keyword term in ``<strong><font color="#ff0000">``."""
    marked = escape(text)
    for term in terms:
        marked = marked.replace(escape(term), f'<strong><font color="#ff0000">{escape(term)}</font></strong>')
    return marked


def search_form(formhash: str, keyword: str = "") -> str:
    """The forum search form (``form.searchform``) with its hidden ``formhash``."""
    return f"""<form class="searchform" method="post" autocomplete="off" action="search.php?mod=forum" onsubmit="if($('scform_srchtxt')) searchFocus($('scform_srchtxt'));">
<input type="hidden" name="formhash" value="{formhash}" />
<div class="hd hm"><div class="bm_h"><h3><a href="search.php?mod=forum">帖子</a></h3></div></div>
<table id="scform" class="mbm" cellspacing="0" cellpadding="0"><tr>
<td class="td_srchtxt" id="td_srchtxt"><div class="cl"><input type="text" id="scform_srchtxt" name="srchtxt" size="65" maxlength="40" value="{escape(keyword)}" tabindex="1" /></div></td>
<td class="td_srchbtn"><button type="submit" id="scform_submit" class="schbtn" value="yes" name="searchsubmit"><strong>搜索</strong></button></td>
</tr></table>
<input type="hidden" name="srchtype" value="title" /><input type="hidden" name="srhfid" value="0" /><input type="hidden" name="srhlocality" value="forum::index" />
</form>"""


def search_location(searchid: int, keyword: str) -> str:
    """Where Discuz redirects a search POST (``search_forum.php``: ``kw=urlencode($keyword)``)."""
    return f"search.php?mod=forum&searchid={searchid}&orderby=lastpost&ascdesc=desc&searchsubmit=yes&kw={quote_plus(keyword)}"
