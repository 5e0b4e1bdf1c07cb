"""m.weibo.cn parsing (crawlers.spiders.weibo_parse): URLs, card flattening, blocked answers, text, real captures."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from crawlers.parsing.counts import parse_count
from crawlers.parsing.dates import parse_date
from crawlers.spiders.weibo_parse import (
    WeiboFormatError,
    blocked_kind,
    extend_url,
    flatten_cards,
    load_json,
    mblog_text,
    parse_extend,
    parse_search_page,
    post_record,
    retweeted_original,
    search_referer,
    search_url,
    to_raw,
)
from storage.authors import author_ref
from weibo_support import REAL, WEIBO, real_json

TZ = ZoneInfo("Asia/Shanghai")
TIMELINE_2019_06 = "m-weibo-cn_api-container-getIndex_containerid-107603-timeline_2019-06.json"
TIMELINE_2019_07 = "m-weibo-cn_api-container-getIndex_containerid-107603-timeline_2019-07.json"
TIMELINE_2022_08 = "m-weibo-cn_api-container-getIndex_containerid-107603-timeline_2022-08_one-card-excerpt.json"
STATUS_SHOW_REPOST = "m-weibo-cn_statuses-show_repost_2019-06.json"
EXTEND_2019 = "m-weibo-cn_statuses-extend_longtext_2019-06.json"


def dates_as_of(now: str):
    return partial(parse_date, now=datetime.fromisoformat(now), tz=TZ)


def record_of(mblog: dict, now: str, **kwargs):
    return post_record(mblog, to_raw(mblog), dates_as_of(now), parse_count, **kwargs)


# -- requests ----------------------------------------------------------------------------------------------

def test_search_url_encodes_the_containerid_once_like_the_mobile_client():
    assert search_url("天宁 火灾", 2) == (
        "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D61%26q%3D"
        "%E5%A4%A9%E5%AE%81%20%E7%81%AB%E7%81%BE&page_type=searchall&page=2"
    )


def test_referer_is_the_search_page_and_extend_takes_the_mid():
    assert search_referer("常州") == "https://m.weibo.cn/search?containerid=100103type%3D61%26q%3D%E5%B8%B8%E5%B7%9E"
    assert extend_url("5104221930000777") == "https://m.weibo.cn/statuses/extend?id=5104221930000777"


# -- search answers ----------------------------------------------------------------------------------------

def _card(mid: str) -> dict:
    return {"card_type": 9, "mblog": {"id": mid, "mid": mid}}


def test_post_cards_are_taken_top_level_and_from_card_groups_and_other_cards_ignored():
    cards = [
        {"card_type": 22, "pic": "banner.jpg"},
        _card("1"),
        {"card_type": 11, "card_group": [{"card_type": 10, "user": {"id": 9}}, _card("2"), _card("3")]},
        {"card_type": 11, "card_group": [{"card_type": 8, "title_sub": "#天宁#"}]},
        {"card_type": 9},  # no mblog: not a post
        _card("4"),
    ]
    assert [card["mblog"]["id"] for card in flatten_cards(cards)] == ["1", "2", "3", "4"]


def test_next_page_comes_from_cardlist_info_and_null_or_missing_ends_paging():
    def page(info: dict) -> dict:
        return {"ok": 1, "data": {"cardlistInfo": info, "cards": [_card("1")]}}

    assert parse_search_page(page({"page": 3})).next_page == 3
    assert parse_search_page(page({"page": None})).next_page is None
    assert parse_search_page(page({})).next_page is None


def test_ok_0_no_content_is_the_end_of_results_not_an_error():
    result = parse_search_page({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
    assert result.ended and result.cards == [] and result.next_page is None


def test_a_truncated_body_is_a_format_error():
    body = (WEIBO / "special" / "search_truncated.json").read_bytes()
    with pytest.raises(WeiboFormatError, match="not JSON"):
        load_json(body)


@pytest.mark.parametrize("name", ["m-weibo-cn_comments-hotflow_2019-06.json", "m-weibo-cn_api-comments-show_page1_2019-06.json"])
def test_comment_pages_are_not_search_answers(name):
    with pytest.raises(WeiboFormatError):
        parse_search_page(real_json(name))


def test_a_container_of_picture_cards_has_no_posts():
    result = parse_search_page(real_json("m-weibo-cn_api-container-getIndex_containerid-107803-album_2019-07.json"))
    assert result.cards == [] and not result.ended


# -- blocked answers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "body", "kind"), [
    (200, b'{"ok":-100,"url":"https://m.weibo.cn/captcha?scene=limit&referer=/"}', "captcha"),
    (200, b'{"ok":-100,"url":"https://passport.weibo.com/sso/signin?entry=wapsso"}', "login_wall"),
    (432, b"<html><body>432</body></html>", "http_432"),
    (200, b"<html><head><title>Sina Visitor System</title></head></html>", "visitor_system"),
    (200, b'{"ok":0,"msg":"\xe8\xbf\x99\xe9\x87\x8c\xe8\xbf\x98\xe6\xb2\xa1\xe6\x9c\x89\xe5\x86\x85\xe5\xae\xb9"}', None),
    (200, b'{"ok":1,"data":{"cards":[', None),
])
def test_blocked_kinds(status, body, kind):
    assert blocked_kind(status, body) == kind


def test_the_visitor_page_is_tolerated_for_extend_only():
    body = (WEIBO / "special" / "extend_visitor_system.html").read_bytes()
    assert blocked_kind(200, body) == "visitor_system"
    assert blocked_kind(200, body, tolerate_visitor=True) is None
    assert blocked_kind(432, body, tolerate_visitor=True) == "http_432"


@pytest.mark.parametrize(("name", "kind"), [("captcha_ok-100.json", "captcha"), ("login_wall_ok-100.json", "login_wall")])
def test_the_special_fixtures_are_the_blocked_kinds_they_claim(name, kind):
    assert blocked_kind(200, (WEIBO / "special" / name).read_bytes()) == kind


# -- text --------------------------------------------------------------------------------------------------

def test_text_keeps_emoji_names_topics_mentions_and_line_breaks():
    html = ('<a  href="https://m.weibo.cn/search?containerid=231522type%3D1" data-hide=""><span class="surl-text">'
            "#天宁火灾#</span></a> 青洋路冒烟了<span class=\"url-icon\"><img alt=[围观] src=\"x.png\" /></span>"
            "<br />已报警 <a href='/n/常州消防'>@常州消防</a>")
    assert mblog_text(html) == "#天宁火灾# 青洋路冒烟了[围观]\n已报警 @常州消防"


def test_the_full_text_link_and_its_ellipsis_are_removed():
    assert mblog_text('天宁区通报：今日上午 ...<a href="/status/5104">全文</a>') == "天宁区通报：今日上午"


def test_extend_answer_without_long_text_is_an_error():
    with pytest.raises(WeiboFormatError):
        parse_extend({"ok": 1, "data": {"ok": 0}})
    with pytest.raises(WeiboFormatError):
        parse_extend(["not", "an", "object"])


# -- real captures (third party, 2019-2022) ----------------------------------------------------------------

def test_real_2019_06_timeline_relative_dates_and_100wan_plus():
    page = parse_search_page(real_json(TIMELINE_2019_06))
    records = [record_of(card["mblog"], "2019-06-16T12:00:00+08:00") for card in page.cards]
    assert page.next_page == 2 and len(records) == 10
    first = records[0]
    assert (first.id, first.url) == ("4383183661430868", "https://m.weibo.cn/detail/4383183661430868")
    assert first.text == "搬完这块砖，就可以吃好吃的了[偷笑][偷笑][偷笑]"
    assert (first.author, first.author_id) == ("Dear-迪丽热巴", "1669879400")
    assert first.published_at == datetime(2019, 6, 14, tzinfo=TZ)  # "06-14"
    assert (first.reposts, first.comments, first.likes, first.views) == (240492, 95535, 348872, None)
    by_id = {record.id: record for record in records}
    assert by_id["4379188905591760"].reposts == 1_000_000 and by_id["4379188905591760"].comments == 1_000_000  # "100万+"
    assert json.loads(first.raw)["id"] == "4383183661430868"


def test_real_evidence_keeps_the_post_and_of_its_author_only_the_name_and_a_ref():
    card = parse_search_page(real_json(TIMELINE_2019_06)).cards[0]
    assert json.loads(to_raw(card)) == {"card_type": 9, "mblog": {
        "created_at": "06-14", "id": "4383183661430868", "idstr": "4383183661430868", "mid": "4383183661430868",
        "bid": "HyTZc60ew", "text": card["mblog"]["text"], "textLength": 46, "isLongText": False,
        "reposts_count": 240492, "comments_count": 95535, "attitudes_count": 348872,
        "pic_num": 3,  # counted, not linked: picture names begin with the uid in hex (63885668)
        "user": {"screen_name": "Dear-迪丽热巴", "id": author_ref("1669879400")}}}


def test_uids_inside_links_of_the_text_become_author_refs_in_decimal_and_hex():
    mblog = {"id": "1", "user": {"id": 1669879400, "screen_name": "迪丽热巴"},
             "text": '<a href="/p/index?containerid=231601_1669879400_1&lfid=1076031669879400">网页链接</a>'
                     '<a href="https://wx1.sinaimg.cn/large/63885668ly1g3xd3vpctvj21hc0u0ne3.jpg">查看图片</a>'}
    ref = author_ref("1669879400")
    assert json.loads(to_raw(mblog))["text"] == (
        f'<a href="/p/index?containerid=231601_{ref}_1&lfid=107603{ref}">网页链接</a>'
        f'<a href="https://wx1.sinaimg.cn/large/{ref}ly1g3xd3vpctvj21hc0u0ne3.jpg">查看图片</a>')


def test_real_repost_evidence_refers_to_both_authors_only_by_ref():
    repost = parse_search_page(real_json(TIMELINE_2019_06)).cards[1]["mblog"]
    original = retweeted_original(repost)
    quoted = json.loads(to_raw(repost))["retweeted_status"]
    alone = json.loads(to_raw(original, repost=repost))  # the original stored as a post of its own
    for evidence in (quoted, alone):
        assert evidence["user"] == {"screen_name": "代斯daisy", "id": author_ref("2007341923")}
        assert "lfid=1076031669879400" not in evidence["text"]  # the reposter's timeline, where it was seen
        assert f"lfid=107603{author_ref('1669879400')}" in evidence["text"]


def test_real_2019_06_repost_is_its_own_post_and_carries_its_original():
    card = parse_search_page(real_json(TIMELINE_2019_06)).cards[1]
    repost = record_of(card["mblog"], "2019-06-16T12:00:00+08:00")
    assert (repost.id, repost.text) == ("4383180406740606", "大家一起电影院约起来啊～～～")
    original = retweeted_original(card["mblog"])
    assert original is not None and original["id"] == "4383031864995274"
    assert record_of(original, "2019-06-16T12:00:00+08:00").text.startswith("写在《秦明·生死语者》上映这一天……\n#614致敬法医#")


def test_real_2019_07_timeline_hours_ago_and_a_truncated_long_post():
    page = parse_search_page(real_json(TIMELINE_2019_07))
    records = {r.id: r for r in (record_of(c["mblog"], "2019-07-16T12:00:00+08:00") for c in page.cards)}
    assert len(records) == 11
    assert records["4394384827138748"].published_at == datetime(2019, 7, 15, 21, 0, tzinfo=TZ)  # "15小时前"
    long_post = records["4393264377139656"]
    assert long_post.truncated is True
    assert long_post.text.endswith("均是通过购买军需宝箱获取，\n4.新时装：向日葵先生套")
    assert "全文" not in long_post.text and not long_post.text.endswith("...")


def test_real_2022_08_excerpt_has_rfc_dates_region_and_no_ok_wrapper():
    page = parse_search_page(real_json(TIMELINE_2022_08))
    (card,) = page.cards
    record = record_of(card["mblog"], "2022-09-03T12:00:00+08:00")
    assert (record.id, record.author, record.author_id) == ("4804608494665869", "胡歌", "1223178222")
    assert record.text == "#过刚刚好的生活，从小小的我开始#"
    assert record.published_at == datetime(2022, 8, 20, 18, 29, 52, tzinfo=TZ)
    assert (record.reposts, record.comments, record.likes) == (28544, 17356, 116398)
    original = record_of(retweeted_original(card["mblog"]), "2022-09-03T12:00:00+08:00")
    assert (original.id, original.author, original.reposts) == ("4804268794315521", "万科公益基金会", 30125)
    assert original.text.startswith("2022年 #零废弃日#，@胡歌 与我们分享") and "万科公益基金会的微博视频" in original.text


def test_real_statuses_show_repost_and_its_long_original():
    mblog = real_json(STATUS_SHOW_REPOST)["data"]
    repost = record_of(mblog, "2019-06-16T12:00:00+08:00")
    assert (repost.id, repost.text, repost.author) == ("4383411844046171", "转发微博", "九月九的晴天")
    assert repost.published_at == datetime(2019, 6, 15, 11, 44, 46, tzinfo=TZ)
    original = record_of(retweeted_original(mblog), "2019-06-16T12:00:00+08:00")
    assert (original.id, original.author, original.truncated) == ("4383404751066167", "upupming", True)
    assert original.published_at == datetime(2019, 6, 15, 11, 16, 35, tzinfo=TZ)


def test_real_extend_gives_the_full_text_with_emoji_and_line_breaks():
    html = parse_extend(real_json(EXTEND_2019))
    text = mblog_text(html)
    assert text.startswith("😄😆😊😃☺️😏😍") and text.split("\n")[1] == "Nature"
    mblog = real_json(STATUS_SHOW_REPOST)["data"]["retweeted_status"]
    record = record_of(mblog, "2019-06-16T12:00:00+08:00", full_text_html=html)
    assert record.truncated is False and record.text == text


@pytest.mark.parametrize("stub", [None, {}, {"id": "4383031864995274", "deleted": "1", "user": None,
                                         "text": "抱歉，此微博已被作者删除。"}])
def test_a_deleted_original_is_not_a_post(stub):
    assert retweeted_original({"id": "1", "retweeted_status": stub}) is None


def test_every_real_capture_with_mblogs_is_copied_into_the_fixtures():
    names = {path.name for path in REAL.iterdir()}
    assert {TIMELINE_2019_06, TIMELINE_2019_07, TIMELINE_2022_08, STATUS_SHOW_REPOST, EXTEND_2019} <= names
