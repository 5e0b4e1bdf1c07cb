"""Relevance with the shipped scheme: traps never fire, places decide the district, categories decide alerts."""

from __future__ import annotations

import functools

import pytest

from analysis.places import default_gazetteer
from analysis.relevance import Relevance, RelevanceScorer
from analysis.relevance_model import default_relevance_model
from analysis.segment import default_segmenter
from config import load_config


@functools.cache
def scorer() -> RelevanceScorer:
    return RelevanceScorer(load_config().analysis, default_gazetteer(), default_relevance_model())


def judge(text: str) -> Relevance:
    return scorer().score(text, default_segmenter().cut(text))


@pytest.mark.parametrize("text", [
    "新版本技能的爆炸特效太炸了，满屏都是火光，手机烫得能煎蛋",  # 游戏里的爆炸
    "玩游戏里的爆炸场面真过瘾，在天宁网吧通宵了",
    "刚在影院看完，最后那场爆炸戏绝了，天宁这家影院的厅真不错",
    "这只票爆雷了，股市又崩盘，亏了小二十万",  # 股市爆雷
    "年底股市“爆雷”季又来？这几类股票要当心",
    "爆款芋泥奶茶第二杯半价，红梅公园门口新店开业",  # 爆款
    "天宁这家火锅火爆到排队两小时，牛油锅底辣得正",  # 火锅
    "常州火车站附近美食推荐：北广场的小笼包和银丝面",  # 火车站附近美食
    "红梅公园赏花，梅花开得正好，拍照的人特别多",  # 红梅公园赏花
    "演唱会现场直接炸场！！常州奥体今晚太燃了",  # 演唱会炸场
    "天宁区全民健身篮球赛决赛太燃了，最后三秒绝杀全场都炸了",
    "消防设施操作员证好考吗？在厂里干了五年普工想转行",
    "今天又被老板气死了，加班累死了，笑死，热死了",
    "寒潮来了就想喝一碗热乎乎的羊肉汤，天宁这边有推荐吗",
    "冬至将至，天宁寺举行祈福活动，有撞钟、素斋体验",
])
def test_traps_are_not_safety_matters(text):
    verdict = judge(text)
    assert not verdict.safety and not verdict.alerting, verdict.explanation
    assert verdict.category == "none"


@pytest.mark.parametrize(("text", "place"), [
    ("红梅新村一楼道电动车充电起火，一名老人被送医", "红梅街道"),
    ("兰陵这边一家早点铺刚才嘭的一声，煤气罐出问题了，老板娘受伤", "兰陵街道"),
    ("青龙那个工地今天早上有工人从脚手架上摔下来，没救过来", "青龙街道"),
    ("天宁经开区一物流仓库着大火，黑烟冲天，消防车一辆接一辆", "天宁经济开发区"),
    ("常州火车站北广场一辆出租车与电动车相撞，一人受伤", "天宁街道"),
    ("郑陆这边晚上一股刺鼻的味道，关窗都挡不住", "郑陆镇"),
])
def test_incidents_in_the_district_alert_with_their_place(text, place):
    verdict = judge(text)
    assert verdict.safety and verdict.in_district and verdict.alerting
    assert verdict.place == place
    assert f"地点：{place}（区内）" in verdict.explanation


@pytest.mark.parametrize(("text", "place"), [
    ("武进区湖塘镇一纺织厂车间起火，过火面积约600平方米", "武进区"),
    ("龙城大道高架新北段由西向东发生多车追尾", "新北区"),  # a road crossing districts loses to 新北
    ("钟楼西林一居民楼燃气闪爆，窗户都炸飞了", "钟楼区"),
    ("横林那家电动车店凌晨着火，烧得好惨，这种店在经开区、天宁到处都是", "常州经开区"),  # a comparison, not the place
    ("北京一工地脚手架坍塌，三人受伤", "北京"),
    ("溧阳一公交车与货车相撞 6人受伤送医", "溧阳市"),
])
def test_incidents_elsewhere_are_safety_matters_outside_the_district(text, place):
    verdict = judge(text)
    assert verdict.safety and not verdict.in_district and not verdict.alerting
    assert verdict.place == place and "（区外）" in verdict.explanation


def test_changzhou_alone_is_not_the_district():
    verdict = judge("常州一小区发生火灾，消防赶到扑灭")
    assert verdict.safety and not verdict.in_district and verdict.place is None
    assert "地点不明" in verdict.explanation


def test_tianning_as_a_word_is_the_district():
    verdict = judge("天宁一小区地下车库电动车起火，浓烟滚滚")
    assert verdict.in_district and verdict.place == "天宁区" and verdict.firm


@pytest.mark.parametrize(("text", "category"), [
    ("东青实验学校开展消防应急疏散演练，模拟楼道起火，全校师生三分钟撤离", "drill"),
    ("【辟谣】网传天宁区东青化工厂爆炸系谣言，经核实不实", "notice"),
    ("【寒潮蓝色预警】常州市气象台发布寒潮蓝色预警信号，请加固室外搭建物", "notice"),
    ("天宁区开展电动自行车充电安全隐患集中整治，重点整治楼道飞线充电", "notice"),
    ("天宁区开展安全生产宣传进社区活动，现场讲解灭火器使用", "publicity"),
    ("冬季家庭防火小贴士：电暖器远离窗帘，家里备一具灭火器", "publicity"),
])
def test_drills_notices_and_publicity_never_alert(text, category):
    verdict = judge(text)
    assert verdict.safety and verdict.category == category
    assert not verdict.alerting


@pytest.mark.parametrize(("text", "category"), [
    ("兰园小区电梯又困人了，投诉了好几次没人管", "complaint"),
    ("听说青龙那边工地有人摔下来了？", "rumour"),
    ("茶山路上窨井盖没了，晚上骑车很危险", "hazard"),
    ("【警情通报】红梅新村一居民楼楼道电动车起火，一名老人送医，区里已部署开展专项整治", "incident"),
])
def test_incidents_hazards_complaints_and_rumours_alert(text, category):
    verdict = judge(text)
    assert verdict.category == category and verdict.alerting


def test_an_incident_report_ending_with_a_campaign_stays_an_incident():
    lead = "天宁经开区仓库火灾后续：明火已全部扑灭\n11月20日晚天宁经济开发区一物流仓库发生火灾，火灾未造成人员伤亡。"
    verdict = judge(lead + "生态环境部门在周边布设监测点位连续监测，各项指标未见明显异常。" * 2 + "天宁区已部署开展专项检查。")
    assert verdict.category == "incident" and verdict.alerting


def test_explanation_names_rule_terms_place_and_category():
    verdict = judge("关河东路一饭店燃气泄漏，40余名食客紧急疏散")
    assert verdict.rules[0] == "燃气泄漏" and {"燃气", "泄漏"} <= set(verdict.terms)
    assert verdict.explanation.startswith("命中规则：燃气泄漏")
    assert "关键词：" in verdict.explanation and "燃气" in verdict.explanation
    assert "地点：天宁街道（区内）" in verdict.explanation and "类别：事故/事件" in verdict.explanation


def test_denied_casualties_do_not_count():
    verdict = judge("火势已得到控制，无人员伤亡")
    assert "伤亡" not in verdict.terms


def test_a_post_without_rule_words_is_unrelated_with_a_reason():
    verdict = judge("红梅公园菊展开幕，百余个品种名菊争艳")
    assert verdict.score == 0.0 and not verdict.safety and verdict.explanation == "未命中安全生产/应急类规则"
