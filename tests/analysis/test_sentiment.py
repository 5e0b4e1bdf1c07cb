"""Sentiment: the shipped model scores without SnowNLP, matches SnowNLP's Bayes, blends in negative events, retrains."""

import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from analysis.segment import default_segmenter
from analysis.sentiment import NegativeLexicon, SentimentModel, blend, default_model, read_labelled, train_sentiment
from analysis.sentiment.metrics import roc_auc
from analysis.sentiment.model import features, words
from analysis.sentiment.train import tables_from_counts

ROOT = Path(__file__).resolve().parents[2]


def score(text: str) -> float:
    return default_model().score(default_segmenter().cut(text))


def test_scoring_never_imports_snownlp():
    program = (
        "import sys\n"
        "from analysis import default_segmenter, default_model, blend\n"
        "tokens = default_segmenter().cut('今天天气真好，开心')\n"
        "print(blend(default_model().score(tokens), tokens))\n"
        "assert 'snownlp' not in sys.modules, sorted(m for m in sys.modules if 'snownlp' in m)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert 0.0 <= float(done.stdout) <= 1.0


@pytest.mark.parametrize("text", ["今天天气真好，和朋友去红梅公园玩得特别开心[哈哈]", "谢谢消防员叔叔，太感动了，点赞！"])
def test_obviously_happy_posts_score_positive(text):
    assert score(text) > 0.7


@pytest.mark.parametrize("text", ["太气人了，物业根本不管，投诉了三次都没人理[怒]", "心情很差，难过得想哭[泪]"])
def test_obviously_unhappy_posts_score_negative(text):
    assert score(text) < 0.3


def test_user_names_in_mentions_are_not_features():
    tokens = default_segmenter().cut("回复@开心快乐每一天:好的 //@张三: 知道了")
    assert words(tokens) == [":", "好", "的", "/", "/", ":", "知道", "了"]
    assert not any("开心" in f or "张" in f or "回复" in f for f in features(tokens))


def test_score_is_snownlp_bayes_classify_on_the_features():
    """Tables counted by us are SnowNLP's, and our score is its Bayes.classify (imports SnowNLP: slow)."""
    from snownlp.classification.bayes import Bayes

    segmenter = default_segmenter()
    docs = [("好开心好开心", 1), ("太好了谢谢", 1), ("气死了", 0), ("难过，好难过", 0), ("开心不起来", 0)]
    data = [(features(segmenter.cut(text)), label) for text, label in docs]
    bayes = Bayes()
    bayes.train([[feats, "pos" if label else "neg"] for feats, label in data])
    counts = (Counter(), Counter())
    for feats, label in data:
        counts[label].update(feats)
    model = SentimentModel(tables_from_counts(counts))
    for name in ("neg", "pos"):
        assert model.tables[name]["counts"] == bayes.d[name].d
        assert model.tables[name]["total"] == bayes.d[name].total
    for text in ["好开心", "气死了，难过", "完全没见过的词语", "开心"]:
        tokens = segmenter.cut(text)
        label, prob = bayes.classify(features(tokens))
        expected = prob if label == "pos" else 1 - prob
        assert math.isclose(model.score(tokens), expected, rel_tol=1e-9, abs_tol=1e-12)


def test_blend_makes_a_calm_accident_report_negative():
    tokens = default_segmenter().cut("今天下午关河东路发生一起交通事故，一人受伤被送医")
    assert blend(0.55, tokens) < 0.5
    assert blend(0.55, default_segmenter().cut("今天下午关河东路车流平稳")) == 0.55


def test_blend_formula_multiplies_by_one_minus_each_distinct_weight():
    lexicon = NegativeLexicon({"火灾": 0.6, "投诉": 0.3})
    assert lexicon.blend(0.8, ["火灾", "，", "投诉", "火灾"]) == pytest.approx(0.8 * 0.4 * 0.7)
    assert lexicon.matches(["投诉", "火灾", "投诉"]) == ["投诉", "火灾"]


def test_shipped_lexicon_weights_are_shares(tmp_path):
    weights = NegativeLexicon.load().weights
    assert {"火灾", "爆炸", "泄漏", "死亡", "受伤", "被困", "坍塌", "溺水", "异味", "投诉"} <= weights.keys()
    bad = tmp_path / "bad.txt"
    bad.write_text("火灾 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.txt:1"):
        NegativeLexicon.load([bad])


def test_roc_auc_counts_ties_as_half():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5


def test_labelled_file_reads_jsonl_and_tsv(tmp_path):
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text('{"text": "好", "label": 1}\n\n{"text": "坏", "label": 0}\n', encoding="utf-8")
    tsv = tmp_path / "posts.tsv"
    tsv.write_text("label\ttext\n1\t好\n0\t坏\n", encoding="utf-8")
    assert list(read_labelled(jsonl)) == list(read_labelled(tsv)) == [("好", 1), ("坏", 0)]
    broken = tmp_path / "broken.tsv"
    broken.write_text("2\t好\n", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.tsv:1"):
        list(read_labelled(broken))


def tiny_labelled_posts() -> list[tuple[str, int]]:
    happy = ["社区服务真贴心，点赞", "消防员辛苦了，感谢守护", "公园环境越来越好，开心", "问题很快解决了，满意"]
    unhappy = ["噪音扰民半个月了没人管", "物业太差劲，气死了", "路灯坏了好几天，很失望", "投诉无门，太难了"]
    return [(t, 1) for t in happy * 8] + [(t, 0) for t in unhappy * 8]


def test_training_round_trip_on_operator_posts(tmp_path):
    out = tmp_path / "mine.json.gz"
    report = train_sentiment(tiny_labelled_posts(), out, base_data=False)
    assert (report.rows, report.positives, report.base_data) == (64, 32, False)
    assert report.holdout_auc == 1.0
    model = SentimentModel.load(out)
    assert model.version == "operator-64"
    segmenter = default_segmenter()
    assert model.score(segmenter.cut("服务贴心，满意")) > 0.5 > model.score(segmenter.cut("噪音扰民，失望"))


def test_training_on_top_of_the_shipped_model_keeps_its_vocabulary(tmp_path):
    out = tmp_path / "mine.json.gz"
    report = train_sentiment(tiny_labelled_posts(), out, base_data=True)
    model = SentimentModel.load(out)
    assert report.features > len(default_model().weights)
    assert model.version == "v1+operator-64"
    assert model.score(default_segmenter().cut("难过得想哭[泪]")) < 0.3


def test_training_needs_both_labels_without_base_data(tmp_path):
    with pytest.raises(ValueError, match="labels 0 and 1"):
        train_sentiment([("好", 1)], tmp_path / "x.json.gz", base_data=False)


def test_model_file_is_small_gzip_json():
    path = ROOT / "analysis" / "models" / "sentiment-v1.json.gz"
    assert path.stat().st_size < 3_000_000
    assert json.loads(json.dumps(default_model().tables["pos"]["total"])) > 0
