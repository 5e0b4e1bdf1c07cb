"""Escaping and cutting: scraped text is inert in every format and messages fit their limits, links whole."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alerts.message import Message
from alerts.render import (
    cut_chars,
    cut_utf8,
    facts,
    fit,
    inert,
    inert_facts,
    links,
    markdown,
    markdown_body,
    mention_ids,
    message_parts,
    one_line,
    plain,
    plain_text,
    safe_url,
)

CST = timezone(timedelta(hours=8))


def message(**changes) -> Message:
    values = dict(alert_id="A-ev1-1", kind="new", level="红", title="天宁区某厂房火灾", place="青龙街道",
                  first_seen=datetime(2026, 11, 20, 6, 5, tzinfo=timezone.utc), post_count=5, source_count=2,
                  sources=("weibo", "zhong5"), growth=0.5, reason="火情；多源", excerpt="浓烟滚滚",
                  link="https://weibo.com/1/Ab", ack_url="http://127.0.0.1:8765/a/ack.tok",
                  false_alarm_url="http://127.0.0.1:8765/a/fa.tok", recipient="值班员甲")
    return Message(**{**values, **changes})


def test_plain_strips_control_bidi_and_zero_width_characters_but_keeps_line_breaks():
    assert plain("a\x00b\x07c\x1b[0m\u202ed\u200be\r\nf\u2028g\th") == "abc[0mde\nf\ng h"


def test_one_line_collapses_newlines_of_titles():
    assert one_line("  火灾\n\n现场 \r\n 图片 ") == "火灾 现场 图片"


def test_markdown_neutralises_every_mention_form():
    text = markdown("@all @所有人 <@zhangsan> <at user_id='1'>x</at> @13800138000")
    assert "@" not in text and "<" not in text and ">" not in text
    assert text.startswith("＠all ＠所有人 ＜＠zhangsan＞")


def test_markdown_turns_links_images_and_html_into_plain_characters():
    text = markdown("[点我](http://evil.example) ![i](http://x/i.png) <script>alert(1)</script> **b** `c` # h")
    assert not any(char in text for char in "[]()<>*`#!")
    assert "http://" not in text  # bare URLs are not auto-linked either
    assert "点我" in text and "script" in text  # still readable


def test_inert_defangs_urls_bare_domains_mail_addresses_ips_and_mentions_readably():
    text = "http://evil.example/bz www.evil.example/p?x=1 evil.com/p help@evil.cn 1.2.3.4:80 政府.中国 @all"
    assert inert(text) == "http：//evil。example/bz www。evil。example/p?x=1 evil。com/p help＠evil。cn 1。2。3。4:80 政府。中国 ＠all"


def test_inert_keeps_decimals_and_line_lengths():
    assert inert("损失 3.5 万元，震级 4.2 级，V2.0") == "损失 3.5 万元，震级 4.2 级，V2.0"
    assert len(inert("a\n" + "http://x.cn " * 9)) == len(one_line("a\n" + "http://x.cn " * 9))


def test_markdown_defangs_www_and_bare_domains_too():
    assert markdown("www.evil.example/p evil.com") == "www。evil。example/p evil。com"


def test_inert_facts_defang_post_text_and_plain_text_keeps_our_links_clickable():
    msg = message(title="http://evil.example/bz @all", excerpt="www.evil.example/p", place="evil.com")
    assert dict(inert_facts(msg, message_parts(msg), CST))["事件"] == "http：//evil。example/bz ＠all"
    text = plain_text(msg, message_parts(msg), CST)
    assert "摘录：www。evil。example/p" in text and "地点：evil。com" in text
    assert "查看原帖：https://weibo.com/1/Ab" in text and "确认收到：http://127.0.0.1:8765/a/ack.tok" in text


def test_safe_url_accepts_http_and_encodes_markup_characters():
    assert safe_url("https://example.com/a_(b)[c] d") == "https://example.com/a_%28b%29%5Bc%5D%20d"
    assert safe_url("https://x.cn/u@13800138000") == "https://x.cn/u%4013800138000"


def test_safe_url_refuses_other_schemes_and_huge_urls():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,<b>") is None
    assert safe_url("https://x.cn/" + "a" * 3000) is None
    assert safe_url(None) is None


def test_cut_utf8_stops_on_a_character_boundary_with_an_ellipsis():
    text = "天宁区" * 10  # 3 bytes each
    cut = cut_utf8(text, 10)
    assert cut == "天宁…" and len(cut.encode()) <= 10
    assert cut_utf8("short", 10) == "short"


def test_cut_chars():
    assert cut_chars("一二三四五", 3) == "一二…"
    assert cut_chars("一二三", 3) == "一二三"


def test_fit_cuts_the_excerpt_before_reason_and_title_and_keeps_links():
    msg = message(excerpt="长" * 5000, reason="研判" * 10)
    rendered = fit(lambda parts: markdown_body(msg, parts, CST), message_parts(msg), 1500)
    assert len(rendered.encode()) <= 1500
    assert "研判研判研判研判研判研判研判研判研判研判" in rendered
    assert "[确认收到](http://127.0.0.1:8765/a/ack.tok)" in rendered
    assert "[标记误报](http://127.0.0.1:8765/a/fa.tok)" in rendered
    assert "长…" in rendered


def test_fit_cuts_reason_and_title_too_when_the_excerpt_is_not_enough():
    msg = message(title="题" * 3000, reason="因" * 3000, excerpt="摘" * 3000)
    rendered = fit(lambda parts: markdown_body(msg, parts, CST), message_parts(msg), 2000)
    assert len(rendered.encode()) <= 2000
    assert "[确认收到](http://127.0.0.1:8765/a/ack.tok)" in rendered


def test_facts_show_first_seen_in_the_configured_zone_and_the_scale():
    pairs = dict(facts(message(), message_parts(message()), CST))
    assert pairs["首次发现"] == "2026-11-20 14:05"
    assert pairs["规模"] == "5 条帖子，2 个来源（weibo、zhong5）"
    assert pairs["增长"] == "互动较上轮 +50%"
    assert pairs["地点"] == "青龙街道"


def test_links_leave_out_missing_and_unsafe_urls():
    assert links(message(ack_url=None, false_alarm_url=None, link="javascript:x")) == []
    assert [label for label, _ in links(message())] == ["查看原帖", "确认收到", "标记误报"]


def test_plain_text_has_the_headline_facts_and_links():
    text = plain_text(message(), message_parts(message()), CST)
    assert text.splitlines()[0] == "【红色预警 · 新告警】"
    assert "事件：天宁区某厂房火灾" in text
    assert "确认收到：http://127.0.0.1:8765/a/ack.tok" in text


def test_mention_ids_come_from_roster_fields_and_drop_malformed_ones():
    msg = message(mentions=("zhangsan", "<@all>", "a b", "13800138000"))
    assert mention_ids(msg, "lisi") == ["zhangsan", "13800138000", "lisi"]
    assert mention_ids(msg, "zhangsan") == ["zhangsan", "13800138000"]
