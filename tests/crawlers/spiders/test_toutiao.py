"""The toutiao spider on pages rendered from a small corpus: SERP cards, article pages, sightings, blocks."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import scrapy
from scrapy.http import HtmlResponse

from config import load_config
from crawlers.fixtures import load_manifest
from crawlers.spiders.toutiao import ToutiaoSpider
from crawlers.spiders.toutiao_parse import article_url, parse_search_page, search_url
from scripts.fixturegen import toutiao as render
from storage.records import EngagementSighting, PostRecord

TZ = ZoneInfo("Asia/Shanghai")
ROUND1 = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)
KEYWORD = "天宁区 火灾"


def post(post_id: str, kind: str, title: str, text: str, published: str, **extra: Any) -> dict[str, Any]:
    base = {"id": post_id, "source": "toutiao", "kind": kind, "round": 1, "title": title, "text": text,
            "author": "常州天宁发布", "author_uid": "3827461590", "published_at": published, "old": False,
            "reposts": None, "comments": 5, "likes": 40, "views": 1200, "round2": None}
    return base | extra


CORPUS = [
    post("7440000000000000300", "article", "天宁区一厂房发生火灾 无人员伤亡", "11月20日上午，天宁区青龙街道一厂房起火。\n消防救援人员20分钟内将明火扑灭。",
         "2026-11-20T09:40:00+08:00", comments=12, likes=88, views=5300),
    post("7440000000000000301", "article", "天宁区开展火灾隐患排查", "天宁区应急管理局部署冬季火灾隐患排查。\n重点检查群租房和电动车充电。",
         "2026-11-20T09:00:00+08:00", author="天宁应急"),
    post("7440000000000000302", "article", "天宁区火灾警示教育进社区", "红梅街道组织居民观看火灾警示片。", "2026-11-20T08:30:00+08:00"),
    post("7440000000000000310", "weitoutiao", "", "天宁区火灾现场路过，浓烟很大\n大家绕行", "2026-11-20T08:00:00+08:00",
         author="龙城路人甲", author_uid="99887766", comments=3, likes=21, views=None),
    post("7440000000000000320", "external", "天宁区火灾调查结果公布", "经调查，火灾系电气线路老化引发。" * 6, "2026-11-20T07:30:00+08:00",
         author="常州日报", comments=None, likes=None, views=None),
    post("7440000000000000321", "external", "天宁区一小区火灾后续", "物业已对受损线路完成更换。", "2026-11-20T07:00:00+08:00",
         author="中国江苏网", comments=None, likes=None, views=None),
    post("7440000000000000400", "article", "旧闻：天宁区火灾演练", "十一月上旬的一次演练。", "2026-11-12T10:00:00+08:00", old=True),
]


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("toutiao") / "toutiao"
    render.render(CORPUS, out)
    return out


@pytest.fixture(scope="module")
def manifest(fixture_dir: Path):
    return load_manifest(fixture_dir.parent, "toutiao")


def respond(manifest, url: str, round_no: int = 1) -> HtmlResponse:
    fixture = manifest.lookup("GET", url, round_no)
    assert fixture is not None, url
    headers = fixture.headers
    return HtmlResponse(url=url, status=fixture.status, headers=headers, body=fixture.file.read_bytes(),
                        encoding="utf-8", request=scrapy.Request(url))


def spider(now: datetime = ROUND1, known: set[str] = frozenset()) -> ToutiaoSpider:
    return ToutiaoSpider.for_config(load_config(), now=now, known_ids=known)


def first_page(manifest) -> HtmlResponse:
    """Round 1's page 0 of the keyword whose first answer was an empty shell (the retry's page)."""
    return respond(manifest, search_url(KEYWORD, 0, pagination=True))


def test_serp_cards_parse_to_results_with_every_field(manifest):
    page = parse_search_page(first_page(manifest).text)
    assert page.search_id == render._search_id(1, KEYWORD)
    assert page.payloads == 7  # SearchBar, 4 articles/微头条, one display-list card of 2 externals, related searches
    by_id = {r.id: r for r in page.results}
    assert list(by_id) == [p["id"] for p in CORPUS[:6]]
    fire = by_id["7440000000000000300"]
    assert (fire.kind, fire.url, fire.title) == (
        "article", "https://www.toutiao.com/article/7440000000000000300/", "天宁区一厂房发生火灾 无人员伤亡")
    assert fire.text == "11月20日上午，天宁区青龙街道一厂房起火。消防救援人员20分钟内将明火扑灭。"
    assert (fire.author, fire.author_id, fire.published) == ("常州天宁发布", "3827461590", "2026-11-20 09:40:00")
    assert (fire.comments, fire.likes, fire.views) == (12, 88, 5300)
    assert by_id["7440000000000000301"].published == int(datetime(2026, 11, 20, 9, 0, tzinfo=TZ).timestamp())
    assert by_id["7440000000000000302"].url == "https://www.toutiao.com/article/7440000000000000302/"
    wtt = by_id["7440000000000000310"]
    assert (wtt.kind, wtt.title, wtt.text, wtt.url) == (
        "weitoutiao", "", "天宁区火灾现场路过，浓烟很大\n大家绕行", "https://www.toutiao.com/w/7440000000000000310/")
    assert (wtt.author, wtt.author_id, wtt.comments, wtt.likes, wtt.views) == ("龙城路人甲", "99887766", 3, 21, None)
    long_external, short_external = by_id["7440000000000000320"], by_id["7440000000000000321"]
    assert long_external.kind == short_external.kind == "external"
    assert long_external.url == "https://www.cz001.com.cn/news/20261120/00000320.html"
    assert long_external.text == ("经调查，火灾系电气线路老化引发。" * 6)[:80] + "…"
    assert (short_external.author, short_external.text) == ("中国江苏网", "物业已对受损线路完成更换。")
    assert json.loads(long_external.raw)["data"]["template_key"] == "information-web-multi"


def test_new_results_become_article_requests_and_card_records(manifest):
    out = list(spider().parse_search(first_page(manifest), keyword=KEYWORD, page_num=0))
    requests = [r for r in out if isinstance(r, scrapy.Request)]
    records = {r.id: r for r in out if isinstance(r, PostRecord)}
    assert [r.url for r in requests[:3]] == [article_url(p["id"]) for p in CORPUS[:3]]
    assert requests[0].cb_kwargs["published"] == datetime(2026, 11, 20, 9, 40, tzinfo=TZ)
    wtt = records["7440000000000000310"]
    assert (wtt.title, wtt.text, wtt.truncated, wtt.reposts, wtt.comments, wtt.likes) == (
        "", "天宁区火灾现场路过，浓烟很大\n大家绕行", False, None, 3, 21)
    assert wtt.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=TZ)
    external = records["7440000000000000321"]
    assert (external.url, external.truncated, external.author) == (
        "https://jsnews.jschina.com.cn/news/20261120/00000321.html", True, "中国江苏网")
    next_page = requests[-1]
    assert next_page.url == search_url(KEYWORD, 1, render._search_id(1, KEYWORD))
    assert next_page.cb_kwargs == {"keyword": KEYWORD, "page_num": 1, "search_id": render._search_id(1, KEYWORD)}


def test_known_posts_get_sightings_from_the_serp_counters(manifest):
    out = list(spider(known={"7440000000000000300", "7440000000000000310"}).parse_search(
        first_page(manifest), keyword=KEYWORD, page_num=0))
    sightings = [item for item in out if isinstance(item, EngagementSighting)]
    assert sightings == [EngagementSighting("toutiao", "7440000000000000300", None, 12, 88, 5300),
                         EngagementSighting("toutiao", "7440000000000000310", None, 3, 21, None)]
    assert article_url("7440000000000000300") not in [r.url for r in out if isinstance(r, scrapy.Request)]


def test_a_page_of_only_old_posts_ends_the_keyword(manifest):
    last = respond(manifest, search_url(KEYWORD, 1, render._search_id(1, KEYWORD)))
    assert list(spider().parse_search(last, keyword=KEYWORD, page_num=1)) == []


def test_article_page_gives_the_full_text_and_its_counters(manifest):
    challenged = render.challenged_articles(CORPUS)
    fetched = next(p for p in CORPUS[:3] if p["id"] not in challenged)
    result = next(r for r in parse_search_page(first_page(manifest).text).results if r.id == fetched["id"])
    response = respond(manifest, article_url(fetched["id"]))
    published = datetime.fromisoformat(fetched["published_at"])
    (record,) = spider().parse_article(response, result=result, published=published)
    assert (record.id, record.url, record.title, record.text) == (
        fetched["id"], article_url(fetched["id"]), fetched["title"], fetched["text"])
    assert (record.author, record.author_id, record.published_at) == (fetched["author"], "3827461590", published)
    assert (record.comments, record.likes, record.views, record.truncated) == (
        fetched["comments"], fetched["likes"], fetched["views"], False)
    assert '<div class="article-content">' in record.raw


def test_js_challenge_keeps_the_abstract_as_a_truncated_post(manifest):
    challenged = sorted(render.challenged_articles(CORPUS))
    result = next(r for r in parse_search_page(first_page(manifest).text).results if r.id == challenged[0])
    crawler = spider()
    published = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    (record,) = crawler.parse_article(respond(manifest, article_url(challenged[0])), result=result, published=published)
    assert (record.text, record.truncated, record.published_at) == (result.text, True, published)
    assert crawler.stats["yuqing/challenges"] == 1
    assert crawler.stats["yuqing/parse_failures"] == 0


def test_blocked_kinds(manifest):
    crawler = spider()
    assert crawler.blocked_reason(respond(manifest, search_url(render.CAPTCHA_KEYWORD))) == "captcha"
    redirect = respond(manifest, search_url(render.REDIRECT_KEYWORD))
    assert redirect.status == 302 and crawler.blocked_reason(redirect) == "captcha_redirect"
    shell_url = search_url(render.SHELL_KEYWORD)
    assert crawler.blocked_reason(respond(manifest, shell_url)) is None  # first empty shell: retried, not blocked
    retry = search_url(render.SHELL_KEYWORD, 0, pagination=True)
    assert crawler.blocked_reason(respond(manifest, retry)) == "empty_shell"
    assert crawler.blocked_reason(first_page(manifest)) is None
    assert crawler.blocked_reason(respond(manifest, article_url(sorted(render.challenged_articles(CORPUS))[0]))) is None


def test_an_empty_shell_is_retried_once_in_the_pagination_form(manifest):
    (retry,) = spider().parse_search(respond(manifest, search_url(KEYWORD)), keyword=KEYWORD, page_num=0)
    assert retry.url == search_url(KEYWORD, 0, pagination=True)
    assert retry.dont_filter and retry.meta["dont_redirect"]


def test_a_layout_change_is_an_empty_page_not_a_block(manifest):
    crawler = spider()
    layout = respond(manifest, search_url(render.LAYOUT_KEYWORD))
    assert crawler.blocked_reason(layout) is None
    assert list(crawler.parse_search(layout, keyword=render.LAYOUT_KEYWORD, page_num=0)) == []
    assert crawler.stats["yuqing/empty_pages"] == 1


def test_round_two_shows_grown_counts_for_round_one_posts(tmp_path: Path):
    grown = [dict(CORPUS[0], round2={"reposts": None, "comments": 30, "likes": 150, "views": 9000}),
             dict(CORPUS[1], id="7440000000000000500", round=2, published_at="2026-11-21T09:30:00+08:00"),
             CORPUS[-1]]
    render.render(grown, tmp_path / "toutiao")
    second = load_manifest(tmp_path, "toutiao")
    response = respond(second, search_url(KEYWORD), round_no=2)
    crawler = spider(now=datetime(2026, 11, 21, 10, 0, tzinfo=TZ), known={CORPUS[0]["id"]})
    out = list(crawler.parse_search(response, keyword=KEYWORD, page_num=0))
    assert EngagementSighting("toutiao", CORPUS[0]["id"], None, 30, 150, 9000) in out
    assert article_url("7440000000000000500") in [r.url for r in out if isinstance(r, scrapy.Request)]
    assert second.lookup("GET", article_url("7440000000000000500"), 2).file.name == "7440000000000000500.html"


def test_an_article_page_in_an_unknown_layout_keeps_the_abstract_and_counts_a_failure(manifest):
    result = parse_search_page(first_page(manifest).text).results[0]
    page = HtmlResponse(url=result.url, body="<html><body><div class='new-article'>改版</div></body></html>".encode(),
                        encoding="utf-8")
    crawler = spider()
    published = datetime(2026, 11, 20, 9, 40, tzinfo=TZ)
    (record,) = crawler.parse_article(page, result=result, published=published)
    assert (record.id, record.text, record.truncated) == (result.id, result.text, True)
    assert (crawler.stats["yuqing/parse_failures"], crawler.stats["yuqing/challenges"]) == (1, 0)


def test_a_redirect_elsewhere_than_verify_is_followed_once():
    url = search_url(KEYWORD)
    moved = HtmlResponse(url=url, status=302, headers={"Location": "/search?keyword=x&pd=information"}, body=b"",
                         request=scrapy.Request(url, meta={"dont_redirect": True}))
    crawler = spider()
    assert crawler.blocked_reason(moved) is None
    (follow,) = crawler.parse_search(moved, keyword=KEYWORD, page_num=0)
    assert (follow.url, follow.meta["toutiao_redirected"]) == ("https://so.toutiao.com/search?keyword=x&pd=information", True)
    again = HtmlResponse(url=follow.url, status=302, headers={"Location": "/elsewhere"}, body=b"", request=follow)
    assert list(crawler.parse_search(again, keyword=KEYWORD, page_num=0)) == []
