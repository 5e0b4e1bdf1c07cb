"""JSONL channel: one JSON line per message, appended, readable back as the same Message."""

from __future__ import annotations

import json

from alerts.channels import build_channels
from alerts.message import Message
from tests.alerts.channels.samples import make_config, make_message


def test_each_message_is_appended_as_one_json_line(tmp_path):
    path = tmp_path / "out" / "alerts.jsonl"
    channel = build_channels(make_config({"file": {"type": "jsonl", "path": str(path)}}))["file"]
    channel.send(make_message(), "值班员甲")
    channel.send(make_message(kind="reminder", title="第二条\n换行"), "值班员乙")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["channel"] == "file" and first["to"] == "值班员甲"
    assert Message.from_json(first["message"]) == make_message()
    assert second["message"]["kind"] == "reminder" and second["message"]["title"] == "第二条\n换行"
    assert second["message"]["first_seen"] == "2026-11-20T06:05:00+00:00"
