"""中吴网 page parsers on the committed Discuz! X3.4 fixtures, checked against the corpus lines they show (FORMATS.md §4)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from zhong5_support import captured, corpus, published, respond, special

from crawlers.parsing.dates import parse_date
from crawlers.parsing.text import html_to_text
from crawlers.spiders import zhong5_parse as z5

TZ = ZoneInfo("Asia/Shanghai")
POSTS = corpus()
FORUM_2 = "http://www.zhong5.cn/forum-2-1.html"
PORTAL_1 = "http://www.zhong5.cn/portal.php?mod=list&catid=1&page=1"


def test_forum_list_reads_pinned_and_normal_rows_and_skips_the_separator():
    entries = z5.parse_forum_list(respond(FORUM_2))
    pinned, normal = entries[0], entries[1:]
    assert (pinned.post_id, pinned.pinned, pinned.date_text) == ("t1000001", True, "2019-3-8")
    assert pinned.title == "【版规】中吴论坛发帖须知（2019年修订）" and (pinned.comments, pinned.views) == (56, 123456)
    assert normal and not any(entry.pinned for entry in normal)
    assert "separatorline" not in {entry.post_id for entry in entries}
    for entry in normal:
        post = POSTS[entry.post_id]
        assert (entry.title, entry.comments, entry.views) == (post["title"], post["comments"], post["views"])
        assert entry.url == f"http://www.zhong5.cn/thread-{entry.post_id[1:]}-1-1.html"


def test_forum_list_dates_come_from_span_titles_or_their_relative_text():
    now = captured(1)
    normal = [entry for entry in z5.parse_forum_list(respond(FORUM_2)) if not entry.pinned]
    assert any("小时前" in entry.date_text or "分钟前" in entry.date_text for entry in normal)
    assert any(entry.date_text.startswith(("昨天", "前天")) for entry in normal)
    for entry in normal:
        shown, truth = parse_date(entry.date_text, now, TZ), published(POSTS[entry.post_id])
        if entry.date_text.endswith("23:59"):  # only the day is known: its last minute
            assert shown.date() == truth.date()
        else:
            assert timedelta(0) <= truth - shown + timedelta(hours=1) <= timedelta(hours=1), entry


@pytest.mark.parametrize(("title", "shown", "best"), [
    ("2026-11-19 14:30", "昨天\xa014:30", "2026-11-19 14:30"),
    ("2026-11-19", "昨天\xa014:30", "昨天 14:30"),
    ("2026-11-20", "3\xa0小时前", "3 小时前"),
    ("2026-11-20", "半小时前", "半小时前"),
    ("2026-11-15", "6\xa0天前", "2026-11-15 23:59"),
    (None, "2026-11-12", "2026-11-12"),
])
def test_best_date_text_prefers_the_more_precise_of_title_and_text(title, shown, best):
    assert z5.best_date_text(title, shown) == best


def test_portal_list_items_and_paging():
    page = respond(PORTAL_1)
    entries = z5.parse_portal_list(page)
    assert len(entries) == 10
    for entry in entries:
        post = POSTS[entry.post_id]
        assert entry.title == post["title"] and entry.post_id.startswith("a")
        assert parse_date(entry.date_text, captured(1), TZ) == published(post)
        assert (entry.comments, entry.views) == (None, None)  # the portal list shows no counts
    assert z5.next_page_url(page) == "http://www.zhong5.cn/portal.php?mod=list&catid=1&page=2"


def test_portal_article_meta_line_and_body():
    post = next(p for p in POSTS.values() if p["kind"] == "article" and p["round"] == 1 and not p["old"]
                and len(p["text"].split("\n")) < 4)
    url = z5.article_url(post["id"][1:])
    article = z5.parse_article(respond(url), url)
    assert (article.post_id, article.title, article.author, article.author_uid) == (
        post["id"], post["title"], post["author"], post["author_uid"])
    assert (article.comments, article.views, article.more_pages) == (post["comments"], post["views"], False)
    assert parse_date(article.date_text, captured(1), TZ) == published(post)
    assert html_to_text(article.body_html) == post["text"]
    assert 'id="_viewnum"' in article.raw and "原作者" in article.raw


def test_a_multi_page_article_gives_its_first_page_only():
    longest = max((p for p in POSTS.values() if p["kind"] == "article" and p["round"] == 1 and not p["old"]),
                  key=lambda p: (len(p["text"].split("\n")), p["id"]))
    url = z5.article_url(longest["id"][1:])
    article = z5.parse_article(respond(url), url)
    lines = longest["text"].split("\n")
    assert article.more_pages
    assert html_to_text(article.body_html).split("\n") == lines[: (len(lines) + 1) // 2]


def test_thread_page_first_post_is_the_post_and_replies_are_not():
    post = max((p for p in POSTS.values() if p["kind"] == "thread" and p["round"] == 1 and not p["old"]),
               key=lambda p: (p["comments"], p["id"]))
    url = z5.thread_url(post["id"][1:])
    thread = z5.parse_thread(respond(url), url)
    assert (thread.post_id, thread.title, thread.author, thread.author_uid) == (
        post["id"], post["title"], post["author"], post["author_uid"])
    assert (thread.comments, thread.views) == (post["comments"], post["views"])
    assert html_to_text(thread.body_html) == post["text"]  # no reply text mixed in
    assert parse_date(thread.date_text, captured(1), TZ) == published(post)
    assert thread.raw.count('id="postmessage_') == 1


def test_search_form_formhash_is_the_search_forms_not_the_header_bars():
    page = respond(z5.SEARCH_URL)
    assert z5.search_formhash(page) == "4f1b2c3d"
    assert page.css("#scbar_form input[name=formhash]::attr(value)").get() == "0c0c0c0c"


def test_search_post_redirects_to_the_result_page():
    answer = respond(z5.search_url("天宁"), method="POST")
    assert answer.status == 302
    assert answer.headers["Location"].decode().startswith("search.php?mod=forum&searchid=")


def test_search_results_strip_highlighting_and_read_counts_and_dates():
    location = respond(z5.search_url("天宁"), method="POST").headers["Location"].decode()
    entries = z5.parse_search_results(respond(z5.BASE_URL + location))
    assert entries
    for entry in entries:
        post = POSTS[entry.post_id]
        assert entry.title == post["title"] and "font" not in entry.title
        assert (entry.comments, entry.views) == (post["comments"], post["views"])
        assert parse_date(entry.date_text, captured(1), TZ) == published(post)


def test_no_results_is_discuz_emp_notice_not_an_empty_layout():
    location = respond(z5.search_url("天宁 安全"), method="POST").headers["Location"].decode()
    page = respond(z5.BASE_URL + location)
    assert z5.parse_search_results(page) == [] and z5.shows_no_results(page)


def test_a_changed_forum_layout_parses_to_nothing_and_is_not_no_results():
    page = special("forum_layout_changed.html", "http://www.zhong5.cn/forum-86-1.html")
    assert z5.parse_forum_list(page) == [] and not z5.shows_no_results(page)


@pytest.mark.parametrize(("name", "reason"), [
    ("search_flood_control.html", "flood_control"), ("guest_refused.html", "guest_refused")])
def test_showmessage_refusals_are_told_apart(name, reason):
    assert z5.blocked_reason_of(z5.message_text(special(name))) == reason


def test_ordinary_pages_and_other_messages_are_not_refusals():
    assert z5.message_text(respond(FORUM_2)) == ""
    assert z5.blocked_reason_of("抱歉，指定的主题不存在或已被删除或正在被审核") is None


def test_search_url_gives_each_keyword_its_own_post_url():
    assert z5.search_url("天宁 安全") == "http://www.zhong5.cn/search.php?mod=forum&srchtxt=%E5%A4%A9%E5%AE%81+%E5%AE%89%E5%85%A8"
    assert z5.uid_from("home.php?mod=space&uid=391580") == "391580" and z5.uid_from("space-uid-7.html") == "7"
