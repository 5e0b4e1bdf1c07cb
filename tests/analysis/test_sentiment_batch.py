"""Batch sentiment scoring (analysis/sentiment/batch.py) gives the per-post scores, up to float rounding."""

from __future__ import annotations

import math

from analysis.segment import default_segmenter
from analysis.sentiment.model import SentimentModel, default_model, features

TEXTS = [
    "天宁区红梅街道一小区凌晨突发火灾，消防救援人员迅速赶到，未造成人员伤亡。",
    "今天天气真好，和朋友去红梅公园赏花，开心！",
    "回复@张三_99:这家店的服务太差了，再也不来了 @李四 你也别去",
    "OK Hello World 测试 TEST test",
    "",
    "   \n  ",
    "好好好好好好",
]


def test_batch_scores_equal_per_post_scores_of_the_shipped_model() -> None:
    model, segmenter = default_model(), default_segmenter()
    token_lists = [segmenter.cut(text) for text in TEXTS]
    batch = model.score_batch(token_lists)
    assert len(batch) == len(TEXTS)
    for tokens, score in zip(token_lists, batch):
        assert math.isclose(score, model.score(tokens), rel_tol=1e-12, abs_tol=1e-15)


def test_batch_counts_each_distinct_feature_once_and_unknown_words_as_unseen() -> None:
    tables = {"neg": {"counts": {"坏": 9, "好 好": 2}, "total": 20}, "pos": {"counts": {"好": 9, "好 好": 5}, "total": 30}}
    model = SentimentModel(tables)
    posts = [["好", "好", "好"], ["坏", "新词", "新词", "另一个"], ["好", " ", "好"], ["Hello", "好"]]
    sums, counts = model.evidence_batch(posts)
    assert counts == [len(features(tokens)) for tokens in posts] == [2, 6, 2, 3]
    for tokens, evidence in zip(posts, sums):
        assert math.isclose(model.prior + evidence, model.log_odds(tokens), rel_tol=1e-12)
    assert math.isclose(sums[1], model.weights["坏"] + 5 * model.unseen)


def test_a_word_holding_a_space_is_scored_the_per_post_way() -> None:
    tables = {"neg": {"counts": {"a b": 3}, "total": 10}, "pos": {"counts": {"a b": 1, "c": 4}, "total": 10}}
    model = SentimentModel(tables)
    posts = [["a b", "c"], ["a", "b", "c"]]
    assert [round(s, 12) for s in model.score_batch(posts)] == [round(model.score(t), 12) for t in posts]


def test_a_word_holding_a_nul_character_is_lower_cased_as_per_post() -> None:
    model = default_model()
    posts = [["ABC\x00DEF", "好", " "], ["Hello", "世界"], []]
    assert [round(s, 12) for s in model.score_batch(posts)] == [round(model.score(t), 12) for t in posts]
