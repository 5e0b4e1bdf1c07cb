"""The learned part of relevance: the shipped model, its reader of labelled files and retraining."""

from __future__ import annotations

import json

import pytest

from analysis.relevance_model import (
    RelevanceModel, default_relevance_model, parse_relevance_line, read_relevance_labelled, train_relevance)
from analysis.segment import default_segmenter

SAFETY = ["小区楼道电动车起火，一名老人被送医", "工地脚手架坍塌，两名工人受伤", "饭店燃气泄漏，食客紧急疏散",
          "货车侧翻，司机被困车内", "化工厂储罐泄漏，周边居民撤离"]
OTHER = ["周末去红梅公园看菊展", "这家面馆的汤头绝了", "二手房挂牌均价又跌了", "新副本开了排队两小时", "物业费又要涨了"]


def probability(model: RelevanceModel, text: str) -> float:
    return model.probability(default_segmenter().cut(text))


def test_the_shipped_model_tells_accident_reports_from_other_news():
    model = default_relevance_model()
    assert model is not None and model.version == "relevance-v1"
    assert probability(model, "101国道客车与农用车相撞致6人死亡") > 0.9
    assert probability(model, "A股缩量回调 券商板块领跌") < 0.1


def test_a_long_post_is_not_scored_more_confidently_than_its_words_allow():
    model = default_relevance_model()
    long_post = "今天天气不错，" * 40 + "楼道里电动车起火了"
    assert 0.01 < probability(model, long_post) < 0.99


def test_labelled_lines_of_every_accepted_shape(tmp_path):
    assert parse_relevance_line('{"text": "起火了", "label": 1}', "x") == ("起火了", 1)
    assert parse_relevance_line('{"title": "标题", "text": "正文", "relevance": 2}', "x") == ("标题\n正文", 1)
    assert parse_relevance_line('{"title": "", "text": "菊展", "relevance": 0}', "x") == ("菊展", 0)
    assert parse_relevance_line("0\t菊展开幕", "x") == ("菊展开幕", 0)
    with pytest.raises(ValueError, match="relevance must be 0, 1 or 2"):
        parse_relevance_line('{"text": "t", "relevance": 5}', "f:3")
    path = tmp_path / "marks.tsv"
    path.write_text("label\ttext\n1\t起火\n\n0\t菊展\n", encoding="utf-8")
    assert list(read_relevance_labelled(path)) == [("起火", 1), ("菊展", 0)]


def test_retraining_from_the_operators_marks_alone(tmp_path):
    rows = [(text, 1) for text in SAFETY] * 6 + [(text, 0) for text in OTHER] * 6
    report = train_relevance(rows, tmp_path / "r.json.gz", base_data=False)
    model = RelevanceModel.load(tmp_path / "r.json.gz")
    assert report.rows == 60 and report.positives == 30 and not report.base_data
    assert model.version == "relevance-operator-60"
    assert probability(model, "楼道电动车起火") > 0.5 > probability(model, "红梅公园看菊展")


def test_retraining_on_top_of_the_shipped_counts_keeps_them(tmp_path):
    path = tmp_path / "marks.jsonl"
    path.write_text("\n".join(json.dumps({"text": t, "label": 0}, ensure_ascii=False) for t in OTHER), encoding="utf-8")
    report = train_relevance(read_relevance_labelled(path), tmp_path / "r.json.gz", base_data=True)
    model = RelevanceModel.load(tmp_path / "r.json.gz")
    assert report.features >= len(default_relevance_model().bayes.weights)
    assert model.version == "relevance-v1+operator-5"
    assert probability(model, "101国道客车与农用车相撞致6人死亡") > 0.9


def test_one_label_alone_is_refused_without_the_shipped_counts(tmp_path):
    with pytest.raises(ValueError, match="need labels 0 and 1"):
        train_relevance([("起火", 1)] * 3, tmp_path / "r.json.gz", base_data=False)
