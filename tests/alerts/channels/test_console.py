"""Console channel: plain Chinese lines on stdout, what the offline demo prints."""

from __future__ import annotations

from alerts.channels import build_channels
from tests.alerts.channels.samples import ACK_URL, FALSE_ALARM_URL, make_config, make_message


def test_the_console_prints_the_whole_message_as_plain_lines(capsys):
    channel = build_channels(make_config({"console": {"type": "console"}}))["console"]
    channel.send(make_message(), "")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "发送给：值班员甲"
    assert lines[2] == "【橙色预警 · 新告警】"
    assert lines[3:11] == [
        "事件：红梅街道某小区地下车库起火",
        "地点：红梅街道",
        "首次发现：2026-11-20 14:05",
        "规模：12 条帖子，3 个来源（weibo、hualongxiang、zhong5）",
        "增长：互动较上轮 +150%",
        "研判：火情；多源报道；互动增长",
        "摘录：今天早上车库冒出浓烟，消防已经到场。",
        "编号：A-ev1-1",
    ]
    assert lines[11:14] == ["查看原帖：https://weibo.com/123/AbCdE", f"确认收到：{ACK_URL}", f"标记误报：{FALSE_ALARM_URL}"]
    assert "\x1b" not in "".join(lines)


def test_without_a_link_secret_the_message_has_no_action_lines(capsys):
    channel = build_channels(make_config({"console": {"type": "console"}}))["console"]
    channel.send(make_message(ack_url=None, false_alarm_url=None), "")
    out = capsys.readouterr().out
    assert "确认收到" not in out and "标记误报" not in out and "查看原帖" in out
