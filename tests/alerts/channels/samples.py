"""Sample configs and messages for the channel tests: an ordinary alert and one built to break out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from alerts.message import Message
from config import Config, config_from_mapping

CST = timezone(timedelta(hours=8))
ACK_URL = "http://127.0.0.1:8765/a/eyJhbGVydCI6IkEtMSJ9.c2lnbmF0dXJlLWFjaw"
FALSE_ALARM_URL = "http://127.0.0.1:8765/a/eyJhbGVydCI6IkEtMiJ9.c2lnbmF0dXJlLWZh"
HOSTILE_TEXT = (
    "@all @所有人 <@zhangsan> <at user_id=\"123\">x</at> @13800138000 "
    "[点我](http://evil.example/x) ![img](http://evil.example/i.png) <script>alert(1)</script> "
    "**粗体** # 标题 > 引用 `code` \x00\x07\x1b[31m\u202e控制字符\r\n换行"
)
LINK_BAIT = (  # the audit's posts (/tmp/audit-robust/evil2.jsonl) and every other form a phone or mail client links
    "<b>标题</b>[x](http://evil.example/bz) 天宁 火灾 @all 领取补贴 www.evil.example/p?x=1 https://evil.example/phish "
    "evil.com/p 客服 help@evil.cn ftp://1.2.3.4/x 10.0.0.1:8080 政府.中国 @13800138000"
)


def make_config(channels: dict[str, dict[str, Any]], **alerts: Any) -> Config:
    """A config with these [channels.*]; robots may post to 127.0.0.1."""
    return config_from_mapping({"alerts": {"allowed_hosts": ["127.0.0.1"], **alerts}, "channels": channels})


def make_message(**changes: Any) -> Message:
    values: dict[str, Any] = {
        "alert_id": "A-ev1-1", "kind": "new", "level": "橙", "title": "红梅街道某小区地下车库起火",
        "place": "红梅街道", "first_seen": datetime(2026, 11, 20, 6, 5, tzinfo=timezone.utc),
        "post_count": 12, "source_count": 3, "sources": ("weibo", "hualongxiang", "zhong5"), "growth": 1.5,
        "reason": "火情；多源报道；互动增长", "excerpt": "今天早上车库冒出浓烟，消防已经到场。",
        "link": "https://weibo.com/123/AbCdE", "ack_url": ACK_URL, "false_alarm_url": FALSE_ALARM_URL,
        "recipient": "值班员甲", "mentions": (),
    }
    return Message(**{**values, **changes})


def link_bait_message(**changes: Any) -> Message:
    """Post text full of URLs, bare domains, an e-mail address, IPs and mentions, as every untrusted field."""
    return make_message(title=LINK_BAIT, reason=LINK_BAIT, excerpt=LINK_BAIT, place="www.evil.example @all",
                        **changes)


def hostile_message(**changes: Any) -> Message:
    """Post text built to break out: mentions, links, HTML, control characters, and 100 KB of filler."""
    filler = "常州天宁区" * 7000  # ≈ 105 KB of UTF-8
    return make_message(title=HOSTILE_TEXT, reason=HOSTILE_TEXT, excerpt=HOSTILE_TEXT + filler + HOSTILE_TEXT,
                        place="<b>@all</b>", **changes)
