"""Hostile post text (@all, <@userid>, markdown links, HTML, control characters, 100 KB) is inert in every channel.

Each assertion is on what the channel really emitted: the robot server's received payload, the e-mail the
SMTP server accepted, the console output, the JSONL file.
"""

from __future__ import annotations

import json
import re

from alerts.channels import build_channels
from tests.alerts.channels.samples import ACK_URL, FALSE_ALARM_URL, hostile_message, make_config

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202e]")
OUR_LINKS = (f"[确认收到]({ACK_URL})", f"[标记误报]({FALSE_ALARM_URL})")


def assert_inert_markdown(text: str, mentions: str) -> None:
    body = text.removesuffix(mentions)
    for link in OUR_LINKS:
        assert link in body
        body = body.replace(link, "")
    body = body.replace("[查看原帖](https://weibo.com/123/AbCdE)", "")
    assert not CONTROL.search(text)
    assert "@" not in body, "post text must not mention anyone"
    assert not any(char in body for char in "<>[]()`!|~"), "post text must not create links or HTML"
    assert "http://evil" not in body
    assert "＠all ＠所有人 ＜＠zhangsan＞" in body  # still readable, as full-width text


def test_wecom_content_is_inert_within_4096_bytes_and_mentions_only_the_roster(robot_channels, robot_server):
    robot_channels["wecom"].send(hostile_message(mentions=("wangwu",)), "zhangsan")
    content = robot_server.on("/cgi-bin/webhook/send")[0].json["markdown"]["content"]
    assert robot_server.problems == []
    assert len(content.encode("utf-8")) <= 4096
    assert_inert_markdown(content, "<@wangwu> <@zhangsan>")
    assert re.findall(r"<@[^>]*>", content) == ["<@wangwu>", "<@zhangsan>"]


def test_dingtalk_text_is_inert_within_20000_bytes_and_at_lists_only_the_roster(robot_channels, robot_server):
    robot_channels["dingtalk"].send(hostile_message(), "13800138000")
    body = robot_server.on("/robot/send")[0].json
    assert robot_server.problems == []
    assert len(body["markdown"]["text"].encode("utf-8")) <= 20000
    assert_inert_markdown(body["markdown"]["text"], "@13800138000")
    assert body["at"] == {"atMobiles": ["13800138000"], "atUserIds": [], "isAtAll": False}
    assert "@" not in body["markdown"]["title"] and not CONTROL.search(body["markdown"]["title"])


def test_sms_body_is_valid_json_within_max_chars_and_mentions_nobody(robot_channels, robot_server):
    robot_channels["sms"].send(hostile_message(), "13900139000")
    body = robot_server.on("/sms/send")[0].json
    assert body["mobile"] == "13900139000"
    assert len(body["content"]) <= 500
    assert "@" not in body["content"] and not CONTROL.search(body["content"])
    assert body["content"].endswith(f"确认收到：{ACK_URL}。标记误报：{FALSE_ALARM_URL}")


def test_email_html_is_escaped_text_is_clean_and_both_are_bounded(smtp_channel, smtp_server):
    smtp_channel.send(hostile_message(), "officer@example.gov.cn")
    email = smtp_server.messages[0]
    html = email.get_body(("html",)).get_content()
    text = email.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<at " not in html and "<b>@all</b>" not in html and '<a href="http://evil' not in html
    assert not CONTROL.search(html) and not CONTROL.search(text) and not CONTROL.search(email["Subject"])
    assert len(html) < 20_000 and len(text) < 10_000
    assert f'<a href="{ACK_URL}"' in html


def test_console_output_has_no_control_characters_and_one_line_per_fact(capsys):
    channel = build_channels(make_config({"console": {"type": "console"}}))["console"]
    channel.send(hostile_message(), "")
    out = capsys.readouterr().out
    assert not CONTROL.search(out)
    assert sum(1 for line in out.splitlines() if line.startswith("事件：")) == 1
    assert "换行" in out.splitlines()[3]  # the title's line break was folded into its line


def test_jsonl_line_is_one_valid_json_line_with_controls_escaped(tmp_path):
    path = tmp_path / "alerts.jsonl"
    build_channels(make_config({"file": {"type": "jsonl", "path": str(path)}}))["file"].send(hostile_message(), "")
    raw = path.read_bytes()
    assert raw.count(b"\n") == 1 and not CONTROL.search(raw.decode("utf-8"))
    assert json.loads(raw)["message"]["title"] == hostile_message().title  # stored faithfully, escaped as JSON
