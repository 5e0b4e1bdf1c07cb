"""Post text cannot smuggle a clickable link or a mention into any channel; our own links stay clickable.

The post text is the audit's (``http://evil.example/bz``, ``www.evil.example/p?x=1``, ``https://evil.example/phish``)
plus bare domains, an e-mail address and IPs. What each channel really emitted, with our own links (the post's
link, the signed 确认 / 误报 links) and roster mentions taken out, must hold nothing a phone, a mail client or a
robot would link or mention — yet still read as the post did.
"""

from __future__ import annotations

import re

from alerts.channels import build_channels
from tests.alerts.channels.samples import ACK_URL, FALSE_ALARM_URL, link_bait_message, make_config

POST_LINK = "https://weibo.com/123/AbCdE"
OUR_LINKS = (POST_LINK, ACK_URL, FALSE_ALARM_URL)
AUTO_LINKABLE = re.compile(
    r"[a-z]+://"  # a scheme
    r"|\.[^\W\d_]"  # a dot before a letter: www.x, evil.com, help@evil.cn, 政府.中国
    r"|\d+\.\d+\.\d+\.\d+"  # an IPv4 address
    r"|@",  # a mention or an e-mail address
    re.IGNORECASE,
)
STILL_READABLE = ("https：//evil。example/phish", "www。evil。example/p?x=1", "evil。com/p", "help＠evil。cn",
                  "ftp：//1。2。3。4/x", "政府。中国", "＠all")


def assert_post_text_inert(rendered: str, ours: tuple[str, ...] = OUR_LINKS, mentions: str = "") -> None:
    """``rendered`` holds each of ``ours`` and, without them and ``mentions``, nothing auto-linkable."""
    rest = rendered.removesuffix(mentions)
    for link in ours:
        assert link in rest, f"our link {link} must stay clickable"
        rest = rest.replace(link, "")
    assert AUTO_LINKABLE.findall(rest) == []
    assert all(text in rest for text in STILL_READABLE)


def test_wecom_markdown_links_only_our_links_and_mentions_only_the_roster(robot_channels, robot_server):
    robot_channels["wecom"].send(link_bait_message(), "zhangsan")
    content = robot_server.on("/cgi-bin/webhook/send")[0].json["markdown"]["content"]
    assert_post_text_inert(content, mentions="<@zhangsan>")


def test_dingtalk_markdown_and_title_link_only_our_links(robot_channels, robot_server):
    robot_channels["dingtalk"].send(link_bait_message(), "13800138000")
    markdown = robot_server.on("/robot/send")[0].json["markdown"]
    assert_post_text_inert(markdown["text"], mentions="@13800138000")
    assert AUTO_LINKABLE.findall(markdown["title"]) == []


def test_sms_text_carries_only_the_signed_links(robot_channels, robot_server):
    robot_channels["sms"].send(link_bait_message(), "13900139000")
    content = robot_server.on("/sms/send")[0].json["content"]
    assert_post_text_inert(content, ours=(ACK_URL, FALSE_ALARM_URL))
    assert content.endswith(f"确认收到：{ACK_URL}。标记误报：{FALSE_ALARM_URL}")


def test_webhook_template_fields_of_post_text_are_inert_and_link_fields_are_safe(robot_server):
    template = ('{"title": "{{ title }}", "reason": "{{ reason }}", "excerpt": "{{ excerpt }}", '
                '"place": "{{ place }}", "link": "{{ link }}", "ack": "{{ ack_url }}", "fa": "{{ false_alarm_url }}"}')
    config = make_config({"sms": {"type": "webhook", "url": robot_server.sms_url, "template": template}})
    build_channels(config)["sms"].send(link_bait_message(link="https://weibo.com/1/a(b)"), "13900139000")
    body = robot_server.on("/sms/send")[0].json
    for name in ("title", "reason", "excerpt", "place"):
        assert AUTO_LINKABLE.findall(body[name]) == [], name
    assert body["place"] == "www。evil。example ＠all"
    assert (body["link"], body["ack"], body["fa"]) == ("https://weibo.com/1/a%28b%29", ACK_URL, FALSE_ALARM_URL)


def test_email_subject_text_and_html_link_only_our_links(smtp_channel, smtp_server):
    smtp_channel.send(link_bait_message(), "officer@example.gov.cn")
    email = smtp_server.messages[0]
    html = email.get_body(("html",)).get_content()
    assert_post_text_inert(email.get_body(("plain",)).get_content())
    assert_post_text_inert(html)
    assert all(f'<a href="{link}"' in html for link in OUR_LINKS)
    assert AUTO_LINKABLE.findall(email["Subject"]) == []


def test_console_lines_link_only_our_links(capsys):
    build_channels(make_config({"console": {"type": "console"}}))["console"].send(link_bait_message(), "")
    out = capsys.readouterr().out
    assert_post_text_inert(out)
    assert f"查看原帖：{POST_LINK}" in out.splitlines()
