"""化龙巷 page parsers on pages rendered from a small corpus, and on the hand-written special pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hualongxiang_corpus import CHALLENGED, WRONG_CHARSET, render_into, respond
from parsel import Selector
from scrapy.http import HtmlResponse

from crawlers.parsing.encoding import redecoded
from crawlers.spiders.hualongxiang_parse import (
    ListedThread,
    ThreadParseError,
    board_url,
    is_security_verify,
    parse_board_page,
    parse_search_page,
    parse_thread_page,
    search_url,
    thread_url,
    tid_from_href,
)

SPECIAL = Path(__file__).resolve().parents[3] / "fixtures" / "hualongxiang" / "special"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory):
    return render_into(tmp_path_factory.mktemp("hlx"))


def test_urls_follow_formats_md():
    assert board_url("103", 2) == "https://www.hualongxiang.com/thread.php?fid=103&page=2"
    assert search_url("燃气", 1) == "http://so.hualongxiang.com/?keyword=%E7%87%83%E6%B0%94&desc=time"
    assert search_url("燃气", 3) == "http://so.hualongxiang.com/search/index?keyword=%E7%87%83%E6%B0%94&desc=time&page=3"
    assert thread_url("15057415") == "https://www.hualongxiang.com/read.php?tid=15057415"


@pytest.mark.parametrize("href, tid", [
    ("read.php?tid=15057415", "15057415"),
    ("https://www.hualongxiang.com/read.php?tid=15057415&pd=0&page=2", "15057415"),
    ("read.php?fid=103&tid=15057415", "15057415"),
    ("/chazuo/15057415", "15057415"),
    ("http://www.hualongxiang.com/shangjia/14162162", "14162162"),
    ("thread.php?fid=103&page=2", None),
    ("u.php?uid=512233", None),
    (None, None),
])
def test_tid_from_raw_and_rewrite_links(href, tid):
    assert tid_from_href(href) == tid


def test_board_page_is_gbk_detected_from_its_meta(manifest):
    response = respond(manifest, board_url("103", 1))
    assert b"charset" not in response.headers.get("Content-Type", b"")
    assert response.encoding == "gb18030"  # Scrapy reads <meta charset=gbk> (GB18030 is its superset)
    assert "龙城茶座" in response.text


def test_board_rows_give_tid_title_author_day_and_counts(manifest):
    listing = parse_board_page(respond(manifest, board_url("103", 1)), 1)
    pinned = [thread for thread in listing.threads if thread.pinned]
    assert [thread.tid for thread in pinned] == ["13266021", "14890117"]
    assert pinned[0].date_text == "2024-03-02"
    normal = [thread for thread in listing.threads if not thread.pinned]
    assert [thread.tid for thread in normal] == ["15200001", "15200002", "15200003", "15200005", "15100001"]
    assert normal[0] == ListedThread("15200001", "红梅新村一楼厨房着火，消防车来了三辆", "红梅老住户", "2026-11-20", 12, 860)
    assert listing.has_next is False


def test_board_rows_with_raw_read_php_links(manifest):
    listing = parse_board_page(respond(manifest, board_url("1261", 1)), 1)
    rows = [thread for thread in listing.threads if not thread.pinned]
    assert rows[0] == ListedThread("15200004", "业主群里说地下车库漏水", "业主老李", "2026-11-18", 0, 96)


def test_board_pagination_is_read_from_the_pager(tmp_path: Path):
    paged = render_into(tmp_path, board_rows=2)
    first = parse_board_page(respond(paged, board_url("103", 1)), 1)
    last = parse_board_page(respond(paged, board_url("103", 3)), 3)
    assert first.has_next is True and [t.tid for t in first.threads if not t.pinned] == ["15200001", "15200002"]
    assert last.has_next is False and [t.tid for t in last.threads] == ["15100001"]


def test_board_rows_without_phpwind_row_classes_still_parse(manifest):
    body = respond(manifest, board_url("103", 1)).body.replace(b'class="tr3 t_one"', b'class="row"')
    listing = parse_board_page(Selector(text=body.decode("gbk")), 1)
    assert [t.tid for t in listing.threads if not t.pinned][:2] == ["15200001", "15200002"]
    assert listing.threads[2].replies == 12 and listing.threads[2].views == 860


def test_layout_changed_board_parses_to_no_threads():
    page = HtmlResponse(url=board_url("400", 1), body=(SPECIAL / "board_layout_changed.html").read_bytes(),
                        headers={"Content-Type": "text/html"})
    assert "意见与建议" in page.text
    assert parse_board_page(page, 1).threads == []


def test_search_items_take_the_onclick_title_author_relative_time_and_counts(manifest):
    response = respond(manifest, search_url("燃气", 1))
    assert response.encoding == "utf-8"
    listing = parse_search_page(response, 1)
    assert listing.total == 4 and listing.has_next is False
    assert listing.threads == [
        ListedThread("15200002", "青龙街道某小区燃气泄漏，物业已疏散", "青龙小王", "1小时前", 5, 430),
        ListedThread("15200003", "雕庄一带下水道返臭好几天了", "雕庄居民", "昨天 21:05", 2, 212),
        ListedThread("15200004", "业主群里说地下车库漏水", "业主老李", "前天 11:30", 0, 96),
        ListedThread("15100001", "小区燃气管道检修通知（旧帖）", "龙城网友", "2026-11-14 08:00", 2, 50),
    ]


def test_search_title_falls_back_to_the_link_text_without_highlight_markup(manifest):
    body = respond(manifest, search_url("燃气", 1)).text.replace("onclick=", "data-click=")
    threads = parse_search_page(Selector(text=body), 1).threads
    assert threads[0].title == "青龙街道某小区燃气泄漏，物业已疏散"


def test_search_with_no_hits_reports_a_zero_total(manifest):
    listing = parse_search_page(respond(manifest, search_url("异味", 1)), 1)
    assert listing.threads == [] and listing.total == 0


def test_thread_page_gives_the_topic_floor_only(manifest):
    response = respond(manifest, thread_url("15200002"))
    assert response.encoding == "gb18030"
    page = parse_thread_page(response)
    assert page.title == "青龙街道某小区燃气泄漏，物业已疏散"
    assert page.text == ("早上七点多闻到很重的燃气味，物业挨家敲门让大家下楼。\n燃气公司的人已经到了，正在排查。\n"
                         "大家出门注意别用明火。")
    assert (page.author, page.author_id) == ("青龙小王", "523344")
    assert page.published_text == "2026-11-20 08:15:30"
    assert (page.views, page.replies) == (430, 5)
    assert 'id="read_tpc"' in page.raw and "楼主" in page.raw
    assert len(response.css("div.read_t table.floot")) == 4  # 楼主 + three reply floors, not posts
    reply = response.css("table.floot")[1].css("div[id^=read_]").xpath("string()").get()
    assert reply and reply not in page.text and reply not in page.raw


def test_publish_time_without_seconds(manifest):
    page = parse_thread_page(respond(manifest, thread_url("15200005")))
    assert page.published_text == "2026-11-18 10:40"
    assert page.text == "南大街那几家老店还在吗？" and page.replies == 1


def test_2018_template_fallbacks_title_and_time_attribute():
    page = parse_thread_page(Selector(text=(
        '<html><head><title>老帖 - 龙城茶座 - 化龙巷</title></head><body>'
        '<div class="title_name"><h2><a href="/chazuo/14162162">关于小区垃圾站的建议</a></h2></div>'
        '<div class="cont_hd"><p title="2018-05-02 10:11">2018-05-02</p></div>'
        '<ul class="data"><li><span>1.2万</span></li><li><span>31</span></li></ul>'
        '<div id="read_tpc" class="fs16 mb10">垃圾站离楼太近。<br />夏天味道很大。<img src="a.jpg" /></div></body></html>')))
    assert (page.title, page.published_text) == ("关于小区垃圾站的建议", "2018-05-02 10:11")
    assert (page.text, page.views, page.replies) == ("垃圾站离楼太近。\n夏天味道很大。", 12000, 31)
    assert page.author is None and page.author_id is None


def test_title_from_the_title_tag_and_time_near_posted_on():
    page = parse_thread_page(Selector(text=(
        '<html><head><title>雨后路面塌陷 - 龙城茶座 - 化龙巷</title></head><body>'
        '<span>发表于 <b>2026-11-19 07:02</b></span><div id="read_tpc">关河路塌了一个坑。</div></body></html>')))
    assert (page.title, page.published_text, page.views) == ("雨后路面塌陷", "2026-11-19 07:02", None)


@pytest.mark.parametrize("html, error", [
    ('<html><body><h1>标题</h1><p>发表于：2026-11-19 07:02</p></body></html>', "read_tpc"),
    ('<html><body><h1>标题</h1><div id="read_tpc">正文</div></body></html>', "发表于"),
])
def test_thread_page_without_body_or_time_is_a_parse_error(html, error):
    with pytest.raises(ThreadParseError, match=error):
        parse_thread_page(Selector(text=html))


def test_wrong_declared_charset_is_redecoded_as_gbk(manifest):
    response = respond(manifest, thread_url(WRONG_CHARSET))
    assert response.encoding == "utf-8" and "\ufffd" in response.text  # <meta> says utf-8, bytes are GBK
    fixed = redecoded(response)
    assert fixed is not None and fixed.encoding == "gb18030"
    page = parse_thread_page(fixed)
    assert page.title == "雕庄一带下水道返臭好几天了"
    assert page.text.splitlines()[1] == "不是燃气味，是下水道的味道。"


def test_correctly_declared_pages_are_left_alone(manifest):
    assert redecoded(respond(manifest, thread_url("15200002"))) is None
    assert redecoded(respond(manifest, search_url("燃气", 1))) is None


def test_security_verify_page_is_recognised(manifest):
    challenge = respond(manifest, thread_url(CHALLENGED))
    assert is_security_verify(challenge) and "发表于" not in challenge.text
    assert challenge.headers["Set-Cookie"] == (
        b"srcurl=" + thread_url(CHALLENGED).encode().hex().encode() + b"; path=/")
    assert not is_security_verify(respond(manifest, thread_url(CHALLENGED), round_no=2))
    assert not is_security_verify(respond(manifest, thread_url("15200002")))
