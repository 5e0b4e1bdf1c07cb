"""Event grouping: one incident told by several sources is one event; different incidents stay apart."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analysis.dedup import signatures
from analysis.events import Event, EventGrouper, EventPost, types_compatible

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


def typed(key, text, hour, types, place=None, spots=(), region=None, day=19):
    source = key.split(":")[0]
    return EventPost(key, source, datetime(2026, 11, day, hour, tzinfo=TZ), sorted(types)[0], place,
                     frozenset(spots), signatures([text])[0], text[:20], types=frozenset(types), region=region)


def test_one_incident_told_as_explosion_fire_and_casualties_is_one_event():
    grouper = EventGrouper(WINDOW)
    blast = grouper.assign(typed("weibo:1", "兰陵这边早点铺嘭的一声，煤气罐炸了", 6, {"explosion"}, "兰陵街道", region="district"))
    fire = grouper.assign(typed("zhong5:a2", "兰陵街道一早餐店液化气闪爆起火 店主烧伤", 9, {"fire", "casualty"}, "兰陵街道",
                                region="district"))
    hurt = grouper.assign(typed("toutiao:3", "老板娘手上脸上都是伤，已送医", 10, {"casualty"}))
    assert blast.id == fire.id == hurt.id
    assert types_compatible({"explosion"}, {"fire"}) and not types_compatible({"traffic"}, {"elevator"})


def test_a_post_without_a_place_joins_the_latest_event_of_its_family():
    grouper = EventGrouper(WINDOW)
    old = grouper.assign(typed("weibo:1", "红梅新村楼道电动车起火", 8, {"fire"}, "红梅街道", ("红梅新村",), "district"))
    new = grouper.assign(typed("weibo:2", "天宁经开区一物流仓库着大火", 19, {"fire"}, "天宁经济开发区", (), "district"))
    follow = grouper.assign(typed("weibo:3", "火真的好大，消防车一辆接一辆往东开", 20, {"emergency"}))
    assert follow.id == new.id != old.id


def test_another_district_or_another_spot_is_another_incident():
    grouper = EventGrouper(WINDOW)
    here = grouper.assign(typed("weibo:1", "关河东路一饭店燃气泄漏", 11, {"gas"}, "天宁街道", ("关河东路",), "district"))
    there = grouper.assign(typed("weibo:2", "西林一居民楼燃气闪爆", 12, {"gas"}, "钟楼区", (), "elsewhere"))
    other_road = grouper.assign(typed("weibo:3", "青洋北路小区居民家中煤气管道漏气，物业疏散整栋楼", 12, {"gas"}, "天宁街道", ("青洋北路",), "district"))
    assert len({here.id, there.id, other_road.id}) == 3


def test_unrelated_families_join_only_within_hours():
    grouper = EventGrouper(WINDOW)
    odour = grouper.assign(typed("weibo:1", "郑陆晚上一股刺鼻的化学品味道", 22, {"chemical"}, "郑陆镇", region="district", day=18))
    fire = grouper.assign(typed("weibo:2", "郑陆一仓库起火", 23, {"fire"}, "郑陆镇", region="district", day=19))
    assert fire.id != odour.id  # related families, but a day apart


def test_events_resumed_from_storage_keep_their_type_and_place():
    event = Event("evt-1", "elevator", "兰陵街道", "兰园小区电梯困人", datetime(2026, 11, 19, 20, tzinfo=TZ),
                  datetime(2026, 11, 19, 21, tzinfo=TZ), posts=["weibo:1"], sources={"weibo"})
    grouper = EventGrouper(WINDOW, events=[event])
    assert event.types == {"elevator"} and event.places == {"兰陵街道"}
    other = grouper.assign(typed("weibo:9", "兰园小区楼道起火", 22, {"fire"}, "兰陵街道", region="district"))
    same = grouper.assign(typed("weibo:8", "兰园电梯又停用检修了", 22, {"elevator"}, "兰陵街道", region="district"))
    assert same.id == "evt-1" != other.id
