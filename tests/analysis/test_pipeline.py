"""The Analyzer end to end: a post that names no place of its own takes the place of its incident."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from analysis import Analyzer
from config import load_config
from storage.records import PostRecord

TZ = ZoneInfo("Asia/Shanghai")


def record(number: int, text: str, hour: int, minute: int = 0) -> PostRecord:
    return PostRecord(source="weibo", id=str(number), url=f"https://m.weibo.cn/detail/{number}", title="", text=text,
                      author="网友", published_at=datetime(2026, 11, 20, hour, minute, tzinfo=TZ), likes=10)


def test_posts_without_a_place_join_the_incident_and_take_its_place():
    batch = Analyzer(load_config()).analyze([
        record(1, "天宁经开区一个大仓库着火了！浓烟好几公里外都看得到，消防车还在不停往那边开。", 19, 30),
        record(2, "火真的好大，消防车一辆接一辆往东开，希望里面没人[祈祷]", 19, 40),
        record(3, "今天红梅公园菊展人山人海", 19, 50),
    ])
    fire, follow, unrelated = batch.posts
    assert follow.event == fire.event is not None and unrelated.event is None
    assert follow.relevance.in_district and follow.alert and follow.level is not None
    assert follow.relevance.place == "天宁经济开发区"
    assert "天宁经济开发区（区内，据所属事件）" in follow.reason
    assert not unrelated.alert and unrelated.level is None


def test_a_post_placed_elsewhere_keeps_its_own_place_and_never_alerts():
    batch = Analyzer(load_config()).analyze([
        record(1, "武进区湖塘镇一个厂着火了，黑烟好大，消防车来了好几辆", 13),
        record(2, "刚刚路过，火好大，消防员还在扑救", 14),
    ])
    assert batch.posts[1].event == batch.posts[0].event
    assert not any(post.alert or post.relevance.in_district for post in batch.posts)
    assert batch.posts[1].relevance.place == "武进区"


def test_warming_builds_the_lazy_model_tables_and_changes_no_outcome():
    config = load_config()
    cold, warm = Analyzer(config), Analyzer(config)
    warm.sentiment = type(cold.sentiment)(cold.sentiment.tables, cold.sentiment.version)  # its own lazy tables
    warm.warm()
    assert warm.sentiment._batch is not None  # the daemon's first batch after start-up does not build it
    records = [record(1, "青龙街道一个工地脚手架塌了，有工人受伤被送医", 9),
               record(2, "工地那边救护车来了两辆，希望工人没事", 9, 20)]
    warmed, unwarmed = warm.analyze(records), cold.analyze(records)
    assert [post.to_contract() for post in warmed.posts] == [post.to_contract() for post in unwarmed.posts]
    assert warmed.events.keys() == unwarmed.events.keys() and len(warmed.events) == 1


def test_places_tagged_in_the_operators_dictionary_count_as_in_the_district(tmp_path):
    extra = tmp_path / "local.txt"
    extra.write_text("翠湖湾花园 500 district 青龙街道\n", encoding="utf-8")
    config = load_config()
    local = config.model_copy(update={"analysis": config.analysis.model_copy(update={"extra_dicts": [extra]})})
    text = "翠湖湾花园一栋楼着火了，浓烟滚滚，消防车已经到了"
    shipped = Analyzer(config).analyze([record(1, text, 10)])
    with_extra = Analyzer(local).analyze([record(1, text, 10)])
    assert not shipped.posts[0].relevance.in_district
    assert with_extra.posts[0].relevance.in_district and with_extra.posts[0].relevance.place == "青龙街道"


def test_a_safety_post_is_negative_by_what_it_reports_and_another_post_by_its_sentiment():
    batch = Analyzer(load_config()).analyze([
        record(1, "【辟谣】网传“天宁区东青化工厂发生爆炸”系外地旧视频，经核实，我区今日未发生爆炸事故。", 9),
        record(2, "今天上午红梅街道开展燃气泄漏应急演练，模拟厨房起火，居民有序疏散。", 10),
        record(3, "【情况通报】11月20日10时许，青龙街道一在建工地发生脚手架坍塌，2名工人受伤送医，无生命危险。", 11),
        record(4, "股票又跌停了，亏得一塌糊涂，心情糟透了", 12),
        record(5, "红梅公园的菊花开得真好看，周末带孩子去玩得很开心", 13),
    ])
    refutation, drill, notice, unrelated_sad, unrelated_happy = batch.posts
    assert all(post.relevance.safety for post in (refutation, drill, notice))
    assert not refutation.negative and not drill.negative
    assert notice.negative
    assert unrelated_sad.negative and not unrelated_happy.negative
