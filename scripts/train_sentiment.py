"""Build the shipped sentiment model from the research train sets in ../shared/data/train.

Holds out one row in ten of each file (fixed seed), reports ROC-AUC there (classifier and blended
with the negative-event lexicon), then trains on every row and writes the model file.
The vocabulary threshold (features seen ≥ 3 times) was chosen on the held-out rows; eval/ is not read.

    .venv/bin/python scripts/train_sentiment.py [--data ../shared/data] [--out analysis/models/sentiment-v1.json.gz]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from eval_sentiment import measure

from analysis.segment import default_segmenter
from analysis.sentiment.corpora import read_research_file
from analysis.sentiment.model import DEFAULT_MODEL, SentimentModel
from analysis.sentiment.train import fit, split_holdout

TRAIN_FILES = (
    "weibo_senti_train.tsv",
    "weibo2018_train.tsv",
    "smp2020_virus_train.tsv",
    "smp2020_usual_train.tsv",
)
MIN_COUNT = 3
VERSION = "v1"
ROOT = Path(__file__).resolve().parent.parent


def holdout_report(model: SentimentModel, held: list[tuple[str, int]]) -> str:
    """`AUC classifier / blended` on held-out rows."""
    auc, _, blended = measure(model, held)
    return f"{auc:.4f} / {blended:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    segmenter = default_segmenter()
    sets = {name: read_research_file(args.data / "train" / name) for name in TRAIN_FILES}
    splits = {name: split_holdout(rows) for name, rows in sets.items()}
    start = time.perf_counter()
    trial = fit([r for train, _ in splits.values() for r in train], segmenter, MIN_COUNT)
    print(f"held-out fit: {time.perf_counter() - start:.1f} s, {len(trial.weights)} features")
    print("| held-out rows of | rows | ROC-AUC classifier / blended |")
    print("|---|---|---|")
    for name, (_, held) in splits.items():
        print(f"| train/{name} | {len(held)} | {holdout_report(trial, held)} |")
    all_held = [r for _, held in splits.values() for r in held]
    print(f"| all four | {len(all_held)} | {holdout_report(trial, all_held)} |")
    everything = [r for rows in sets.values() for r in rows]
    model = fit(everything, segmenter, MIN_COUNT, version=VERSION)
    model.save(args.out)
    positives = sum(label for _, label in everything)
    print(f"final model: {len(everything)} rows ({positives} positive), {len(model.weights)} features, "
          f"{args.out.stat().st_size / 1e6:.2f} MB -> {args.out}")


if __name__ == "__main__":
    main()
