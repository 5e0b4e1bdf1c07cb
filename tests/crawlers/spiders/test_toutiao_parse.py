"""Toutiao parsers on the real captures, the hand-written special pages and single cards (FORMATS.md §2)."""

from __future__ import annotations

import json
from pathlib import Path

from crawlers.spiders.toutiao_parse import (
    evidence_card,
    is_captcha_card,
    is_challenge,
    parse_article,
    parse_card,
    parse_feed,
    parse_search_page,
    search_url,
)
from storage.authors import author_ref

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "toutiao"
REAL_ARTICLE = FIXTURES / "real" / "www-toutiao-com_article_div-article-content-fragment_2021-06.html"
REAL_FEED = FIXTURES / "real" / "www-toutiao-com_api-pc-feed_3-pages-merged_2021-03.json"
REAL_TOKEN = "MS4wLjABAAAAnZReDAvDgfZyN8NAAMH-hAuGrcrKew1JH7rusau08wc"


def special(name: str) -> str:
    return (FIXTURES / "special" / name).read_text(encoding="utf-8")


def test_search_urls_follow_the_input_and_pagination_forms():
    assert search_url("天宁区 事故") == (
        "https://so.toutiao.com/search?dvpf=pc&source=input&keyword=%E5%A4%A9%E5%AE%81%E5%8C%BA%20%E4%BA%8B%E6%95%85"
        "&pd=information")
    assert search_url("火灾", 2, "SID42") == (
        "https://so.toutiao.com/search?keyword=%E7%81%AB%E7%81%BE&pd=information&dvpf=pc&source=pagination"
        "&action_type=pagination&page_num=2&search_id=SID42&from=search_tab&cur_tab_title=search_tab")
    assert "page_num=0" in search_url("火灾", 0, pagination=True)
    assert "search_id" not in search_url("火灾", 0, pagination=True)


def test_real_article_fragment_gives_title_time_author_and_paragraphs():
    article = parse_article(REAL_ARTICLE.read_text(encoding="utf-8"))
    assert article is not None
    assert article.title == "中国每天有一万人确诊癌症？50岁以后，晚上坚持“2多4少”"
    assert article.published == "2021-06-08 10:34"
    assert article.author == "家庭医生名医在线"
    assert article.author_id == REAL_TOKEN
    lines = article.text.split("\n")
    assert lines[0].startswith("人人都怕癌，但癌症的发病率却逐年升高")
    assert lines[1] == "50岁以上的人怎么做才能远离癌症？"  # the in-body h1 subhead is a paragraph of its own
    assert lines[2] == "1、多运动"
    assert lines[-2:] == ["家庭医生在线专稿，未经授权不得转载", "#健康明星计划#"]
    assert (article.comments, article.likes) == (None, None)  # a bare fragment carries no embedded JSON
    assert article.raw.startswith('<div class="article-content">')


def test_real_article_raw_links_to_its_author_by_ref_the_card_s_author_id_when_given():
    html = REAL_ARTICLE.read_text(encoding="utf-8")
    alone, after_card = parse_article(html), parse_article(html, author_id="3827461590")
    assert alone is not None and after_card is not None
    assert f'href="/c/user/token/{author_ref(REAL_TOKEN)}/?source=tuwen_detail"' in alone.raw
    assert f'href="/c/user/token/{author_ref("3827461590")}/?source=tuwen_detail"' in after_card.raw
    assert REAL_TOKEN not in after_card.raw
    assert after_card.author_id == REAL_TOKEN and after_card.text == alone.text


def test_other_users_links_and_uid_attributes_in_an_article_become_their_own_refs():
    html = ('<div class="article-content"><h1>标题</h1><article><p>据<a href="https://www.toutiao.com/c/user/'
            '52084456861/">常州早知道</a>和<a href="/c/user/token/MS4wOTHER/">网友</a>消息'
            '<a class="tteditor-forum" data-uid="70012345678" data-id="1683780398823471">#话题#</a></p></article></div>')
    article = parse_article(html)
    assert article is not None and article.raw == html.replace("52084456861", author_ref("52084456861")).replace(
        "MS4wOTHER", author_ref("MS4wOTHER")).replace("70012345678", author_ref("70012345678"))


def test_card_evidence_keeps_what_the_parser_reads_and_of_people_only_names_and_refs():
    card = {"cell_type": 0, "template_key": "information-article", "group_id": "7440000000000000005",
            "title": "天宁区火灾通报", "abstract": "摘要", "media_name": "天宁发布", "user_id": 62899534524,
            "media_url": "/c/user/token/MS4wOWN/", "user_avatar_url": "https://p3.pstatp.com/large/abc",
            "user": {"user_id": "62899534524", "name": "天宁发布", "avatar_url": "https://p3/x", "description": "联系a@b.cn"},
            "user_verified_reason": "天宁区官方账号", "publish_time": 1795080000, "comment_count": 3}
    assert evidence_card(card) == {
        "cell_type": 0, "template_key": "information-article", "group_id": "7440000000000000005",
        "title": "天宁区火灾通报", "abstract": "摘要", "media_name": "天宁发布", "user_id": author_ref("62899534524"),
        "media_url": f"/c/user/token/{author_ref('62899534524')}/",  # the author's own page: the author's ref
        "user": {"name": "天宁发布", "user_id": author_ref("62899534524")}, "publish_time": 1795080000,
        "comment_count": 3}


def test_a_search_page_keeps_each_card_s_evidence_as_its_raw():
    html = ('<script data-druid-card-data-id="a" type="application/json">{"data": {"title": "天宁区火灾", '
            '"group_id": "7440000000000000006", "user_id": "62899534524", "user_avatar_url": "https://p3/x"}}'
            '</script>')
    (result,) = parse_search_page(html).results
    assert json.loads(result.raw) == {"data": {"title": "天宁区火灾", "group_id": "7440000000000000006",
                                               "user_id": author_ref("62899534524")}}


def test_real_feed_items_parse_like_legacy_search_results():
    results = parse_feed(json.loads(REAL_FEED.read_text(encoding="utf-8")))
    assert len(results) == 26
    first = results[0]
    assert (first.id, first.kind, first.url) == (
        "6942683968567247373", "article", "https://www.toutiao.com/article/6942683968567247373/")
    assert first.title == "潮头观澜丨这项制度，总书记要求继续坚持"
    assert first.text.startswith("习近平总书记22日赴福建考察调研。")
    assert (first.author, first.author_id) == ("人民日报", "MS4wLjABAAAAa4jZTw8oFVgiBHDJk10547ATPToNthylT4jZwY2ik1w")
    assert (first.published, first.comments, first.likes, first.views) == (1616507357, 940, None, None)
    video = results[1]
    assert (video.id, video.comments, video.views) == ("6942779849148940831", 28, 11411)
    no_comments = next(r for r in results if r.id == "6942776544595100164")
    assert no_comments.comments is None
    assert all(r.url == f"https://www.toutiao.com/article/{r.id}/" for r in results)
    evidence = json.loads(first.raw)
    assert evidence["media_url"] == f"/c/user/token/{author_ref(first.author_id)}/"
    assert "media_avatar_url" not in evidence and evidence["title"] == first.title


def test_feed_skips_ads_and_tolerates_garbage():
    document = {"data": [{"title": "广告", "group_id": "1" * 19, "is_feed_ad": True}, "junk",
                         {"title": "真新闻", "group_id": "2" * 19, "source_url": "/group/2222222222222222222/"}]}
    assert [r.id for r in parse_feed(document)] == ["2" * 19]
    assert parse_feed({"data": None}) == [] and parse_feed([]) == []


def test_card_url_priority_ignores_sslocal_and_preview_links():
    card = {"title": "天宁区<em>火灾</em>通报", "group_id": "7440000000000000001",
            "pc_schema": "sslocal://detail?groupid=7440000000000000001",
            "article_url": "https://www.toutiao.com/preview_article/?pgc_id=7440000000000000001",
            "url": "https://toutiao.com/group/7440000000000000001/", "datetime": "2026-11-20 08:00:00"}
    (result,) = parse_card(card, "{}")
    assert (result.title, result.kind, result.published) == ("天宁区火灾通报", "article", "2026-11-20 08:00:00")
    assert result.url == "https://www.toutiao.com/article/7440000000000000001/"


def test_card_without_links_falls_back_to_the_group_id():
    (result,) = parse_card({"title": "标题", "group_id": 7440000000000000002, "publish_time": "1763600000"}, "{}")
    assert (result.id, result.url, result.published) == (
        "7440000000000000002", "https://www.toutiao.com/article/7440000000000000002/", 1763600000)


def test_external_result_keeps_the_other_sites_url_and_jump_links_are_unwrapped():
    card = {"display": {"title": {"text": "常州<em>化工</em>厂异味"}, "summary": {"text": "居民反映……"},
                        "info": {"url": "https://so.toutiao.com/search/jump?url=https%3A%2F%2Fwww.cz001.com.cn%2Fn%2F1.html",
                                 "site_name": "常州日报"}}}
    (result,) = parse_card(card, "{}")
    assert (result.kind, result.url, result.author, result.text) == (
        "external", "https://www.cz001.com.cn/n/1.html", "常州日报", "居民反映……")
    assert result.id.startswith("u") and len(result.id) == 19  # no id on the card: a stable one from the URL


def test_non_result_cards_are_skipped():
    assert parse_card({"template_key": "SearchBar", "title": "x", "url": "https://www.toutiao.com/a1/"}, "") == []
    assert parse_card({"cell_type": 1, "title": "相关搜索", "url": "https://www.toutiao.com/"}, "") == []
    assert parse_card({"cell_type": 0, "abstract": "无标题无链接"}, "") == []


def test_captcha_card_page_is_recognised():
    page = parse_search_page(special("captcha_card.html"))
    assert page.captcha and page.results == [] and not page.shell
    assert is_captcha_card({"cell_type": 71, "template_key": "71-undefined", "decision_conf": '{"type":"verify"}'})
    assert not is_captcha_card({"cell_type": 71, "template_key": "71-undefined", "decision_conf": '{"type":"pass"}'})


def test_empty_shell_and_layout_change_are_told_apart():
    shell = parse_search_page(special("empty_shell.html"))
    assert shell.shell and shell.payloads == 0 and shell.search_id is None
    changed = parse_search_page(special("layout_changed.html"))
    assert not changed.shell and changed.payloads == 0 and changed.results == []
    assert changed.search_id == "20261120100000LAYOUT0000000000000"


def test_truncated_card_json_is_reported_and_the_rest_parsed():
    html = ('<script data-druid-card-data-id="a" type="application/json">{"data": {"title": "半截</script>'
            '<script data-druid-card-data-id="b" type="application/json">'
            '{"data": {"title": "完整", "group_id": "7440000000000000003"}}</script>')
    page = parse_search_page(html)
    assert [r.title for r in page.results] == ["完整"]
    assert page.bad_payloads == ['{"data": {"title": "半截']


def test_js_challenge_page_is_not_an_article():
    page = special("article_challenge.html")
    assert parse_article(page) is None
    assert is_challenge(page)
    assert not is_challenge(REAL_ARTICLE.read_text(encoding="utf-8"))


def test_weitoutiao_page_reads_the_wtt_meta_block():
    html = ('<div class="wtt-content"><div class="wtt-meta"><span>2026-11-20 09:12</span>'
            '<span class="name"><a href="/c/user/token/MS4wABC/">天宁小记者</a></span></div>'
            '<div class="weitoutiao-content-text"><p>青龙街道一处电瓶车起火</p><p>已扑灭</p></div></div>'
            '<script>{"comment_count":4,"digg_count":17}</script>')
    article = parse_article(html)
    assert article is not None
    assert (article.title, article.text, article.published) == ("", "青龙街道一处电瓶车起火\n已扑灭", "2026-11-20 09:12")
    assert (article.author, article.author_id, article.comments, article.likes) == ("天宁小记者", "MS4wABC", 4, 17)
