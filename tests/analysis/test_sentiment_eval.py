"""Quality gate: the shipped sentiment model's ROC-AUC on the real eval sets (../shared/data/eval)."""

from pathlib import Path

import pytest

from analysis.segment import default_segmenter
from analysis.sentiment import default_model
from analysis.sentiment.corpora import read_research_file
from analysis.sentiment.metrics import roc_auc

EVAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "eval"


@pytest.mark.parametrize(
    ("name", "minimum"),
    [
        ("weibo2018_test.tsv", 0.90),  # hand-labelled: the honest measure
        ("smp2020_virus_binary_eval.tsv", 0.88),  # human-annotated emotions, mapped to binary
        ("weibo_senti_eval_2000.tsv", 0.95),  # labels from emoticons: flatters the model
    ],
)
def test_eval_roc_auc_minimum(name, minimum):
    rows = read_research_file(EVAL_DIR / name)
    segmenter, model = default_segmenter(), default_model()
    scores = [model.score(segmenter.cut(text)) for text, _ in rows]
    assert roc_auc([label for _, label in rows], scores) >= minimum
