"""Fixtures for the storage tests: a factory of realistic post records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage import PostRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def make_record() -> Callable[..., PostRecord]:
    """``make_record(id, source="weibo", **fields)``: a Weibo-like post, any field overridable."""

    def make(post_id: str = "5011223344", source: str = "weibo", **fields: Any) -> PostRecord:
        values: dict[str, Any] = {
            "url": f"https://m.weibo.cn/detail/{post_id}",
            "title": "",
            "text": "天宁区青洋路一仓库起火，浓烟很大，消防已经到场。",
            "author": "常州生活圈",
            "published_at": datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI),
            "reposts": 3,
            "comments": 5,
            "likes": 12,
            "views": None,
        }
        values.update(fields)
        return PostRecord(source=source, id=post_id, **values)

    return make
