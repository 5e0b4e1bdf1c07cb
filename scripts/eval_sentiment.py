"""Print the sentiment model's scores on the eval sets in ../shared/data/eval (measuring only, never tuning).

For each set: rows, ROC-AUC and accuracy at 0.5 of the classifier, ROC-AUC of the score blended with the
negative-event lexicon, and the minimum ROC-AUC the project promises (tests/analysis/test_sentiment_eval.py).
The last line is `key=value` pairs of the classifier's ROC-AUCs.

    .venv/bin/python scripts/eval_sentiment.py [--data ../shared/data] [--model analysis/models/sentiment-v1.json.gz]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.segment import default_segmenter
from analysis.sentiment.corpora import read_research_file
from analysis.sentiment.lexicon import default_lexicon
from analysis.sentiment.metrics import roc_auc
from analysis.sentiment.model import DEFAULT_MODEL, SentimentModel

ROOT = Path(__file__).resolve().parent.parent
# eval file -> (short key, minimum ROC-AUC; None = reported only)
EVAL_SETS = {
    "weibo2018_test.tsv": ("weibo2018", 0.90),
    "smp2020_virus_binary_eval.tsv": ("smp2020_virus", 0.88),
    "weibo_senti_eval_2000.tsv": ("weibo_senti", 0.95),
    "smp2020_usual_eval.tsv": ("smp2020_usual", None),
}


def measure(model: SentimentModel, rows: list[tuple[str, int]]) -> tuple[float, float, float]:
    """(classifier ROC-AUC, classifier accuracy at 0.5, blended ROC-AUC)."""
    segmenter, lexicon = default_segmenter(), default_lexicon()
    tokens = [segmenter.cut(text) for text, _ in rows]
    labels = [label for _, label in rows]
    scores = [model.score(t) for t in tokens]
    blended = [lexicon.blend(s, t) for s, t in zip(scores, tokens)]
    accuracy = sum((s >= 0.5) == bool(y) for s, y in zip(scores, labels)) / len(rows)
    return roc_auc(labels, scores), accuracy, roc_auc(labels, blended)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    model = SentimentModel.load(args.model)
    print(f"model {args.model.name} (version {model.version})")
    print("| eval file | rows | ROC-AUC | accuracy | ROC-AUC blended | minimum |")
    print("|---|---|---|---|---|---|")
    summary = []
    for name, (key, minimum) in EVAL_SETS.items():
        rows = read_research_file(args.data / "eval" / name)
        auc, accuracy, blended = measure(model, rows)
        floor = f"{minimum:.2f}" if minimum else "—"
        print(f"| eval/{name} | {len(rows)} | {auc:.4f} | {accuracy:.4f} | {blended:.4f} | {floor} |")
        summary.append(f"{key}_auc={auc:.4f}")
    print(" ".join(summary))


if __name__ == "__main__":
    main()
