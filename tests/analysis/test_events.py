"""Event grouping: one incident told by several sources is one event; different incidents stay apart."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analysis.dedup import signatures
from analysis.events import Event, EventGrouper, EventPost

TZ = ZoneInfo("Asia/Shanghai")
WINDOW = timedelta(hours=72)


def post(key, text, hour, event_type="fire", place="红梅街道", spots=("红梅新村",)):
    source = key.split(":")[0]
    return EventPost(key, source, datetime(2026, 11, 19, hour, tzinfo=TZ), event_type, place,
                     frozenset(spots), signatures([text])[0], text[:20], engagement=10)


def test_the_same_fire_on_three_sources_is_one_event():
    grouper = EventGrouper(WINDOW)
    first = grouper.assign(post("weibo:1", "红梅新村楼道电动车充电起火，浓烟滚滚，一位老人被送医", 8))
    second = grouper.assign(post("hualongxiang:2", "有人知道红梅新村今天早上怎么回事吗？楼道里好大的烟", 9))
    third = grouper.assign(post("toutiao:3", "红梅新村楼道电动车起火 一名老人送医", 11, place=None, spots=()))
    assert first.id == second.id == third.id  # the placeless third joins on shared wording
    event = grouper.events[first.id]
    assert event.posts == ["weibo:1", "hualongxiang:2", "toutiao:3"]
    assert event.sources == {"weibo", "hualongxiang", "toutiao"}
    assert event.first_seen.hour == 8


def test_a_copy_joins_its_original_even_without_a_place():
    grouper = EventGrouper(WINDOW)
    original = grouper.assign(post("zhong5:a1", "关河东路一饭店燃气泄漏，消防疏散周边群众二十余人，无人员伤亡", 10, "gas", "天宁街道", ("关河东路",)))
    copy = grouper.assign(post("toutiao:9", "【突发】关河东路一饭店燃气泄漏，消防疏散周边群众二十余人，无人员伤亡！", 12, "gas", None, ()))
    assert copy.id == original.id


def test_other_spot_other_type_or_other_time_open_new_events():
    grouper = EventGrouper(WINDOW)
    fire = grouper.assign(post("weibo:1", "红梅新村楼道电动车起火", 8))
    other_estate = grouper.assign(post("weibo:2", "丽华新村一户厨房起火，邻居帮忙扑灭", 9, spots=("丽华新村",)))
    other_type = grouper.assign(post("weibo:3", "红梅新村电梯困人半小时", 9, event_type="elevator"))
    later = EventPost("weibo:4", "weibo", datetime(2026, 11, 25, 8, tzinfo=TZ), "fire", "红梅街道",
                      frozenset({"红梅新村"}), signatures(["红梅新村又有电动车起火"])[0], "x")
    assert len({fire.id, other_estate.id, other_type.id, grouper.assign(later).id}) == 4


def test_grouping_is_idempotent_and_incremental():
    grouper = EventGrouper(WINDOW)
    first = grouper.assign(post("weibo:1", "红梅新村楼道电动车起火", 8))
    assert grouper.assign(post("weibo:1", "红梅新村楼道电动车起火", 8)).posts == ["weibo:1"]
    resumed = EventGrouper(WINDOW, events=[grouper.events[first.id]])
    assert resumed.assign(post("hualongxiang:5", "红梅新村起火了？", 9)).id == first.id
    assert resumed.assign(post("weibo:1", "红梅新村楼道电动车起火", 8)).id == first.id


def test_event_ids_are_stable_and_dated():
    a = EventGrouper(WINDOW).assign(post("weibo:1", "红梅新村楼道电动车起火", 8))
    b = EventGrouper(WINDOW).assign(post("weibo:1", "红梅新村楼道电动车起火", 8))
    assert a.id == b.id and a.id.startswith("evt-20261119-")
    assert isinstance(a, Event)
