"""Build the shipped relevance model (is a text a safety/emergency matter?) from ../shared/data/train.

Positives: the CEC emergency reports (title and every sentence of each report) and the THUCNews
society headlines that name an accident (a death, injury, fire, explosion, collapse, poisoning, …).
Negatives: the other THUCNews classes and the TNEWS headlines. A negative from a news class where such
words are usually literal (world, military, cars, …) is dropped when it names an accident: it may well
be one. In sports, games, entertainment, stocks and finance they are metaphors (受伤 of a player,
爆炸 of a game skill, 股市地震), so those headlines stay negatives: they are the traps.
One row in ten of each source is held out (fixed seed) to report ROC-AUC; the final model is fitted on
every row. eval/ and the development set are never read.

    .venv/bin/python scripts/train_relevance.py [--data ../shared/data] [--out analysis/models/relevance-v1.json.gz]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

from analysis.relevance_model import DEFAULT_RELEVANCE_MODEL
from analysis.segment import default_segmenter
from analysis.sentiment.train import evaluate, fit, split_holdout

ROOT = Path(__file__).resolve().parent.parent
MIN_COUNT = 2
VERSION = "relevance-v1"
ACCIDENT = re.compile(
    "死亡|身亡|遇难|丧生|殒命|罹难|溺亡|溺水|坠亡|坠楼|坠落|受伤|重伤|伤亡|车祸|相撞|追尾|侧翻|翻车|撞死|撞伤|碾压"
    "|起火|着火|火灾|大火|失火|爆炸|爆燃|坍塌|倒塌|塌方|垮塌|中毒|泄漏|地震|洪水|山洪|泥石流|滑坡|被困|获救|落水"
    "|触电|踩踏|事故|遇险|砸死|砸伤|烧伤|烧死|窒息")
METAPHOR_CLASSES = {"体育", "游戏", "娱乐", "股票", "财经", "news_sports", "news_game", "news_entertainment",
                    "news_stock", "news_finance"}
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def cec_rows(path: Path) -> list[tuple[str, int]]:
    """Title and sentences (≥ 8 characters) of every CEC report, all positive."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        rows.append((article["title"], 1))
        rows += [(s.strip(), 1) for s in SENTENCE.findall(article["text"]) if len(s.strip()) >= 8]
    return rows


def thucnews_rows(path: Path) -> list[tuple[str, int]]:
    """Society headlines naming an accident (positive) and the other classes' headlines (negative)."""
    rows = []
    with open(path, encoding="utf-8") as lines:
        for row in csv.DictReader(lines, delimiter="\t"):
            rows += _labelled(row["title"], row["label_zh"], society=row["label"] == "society")
    return rows


def tnews_rows(path: Path) -> list[tuple[str, int]]:
    """TNEWS headlines (no society class): negatives."""
    rows = []
    with open(path, encoding="utf-8") as lines:
        for row in csv.DictReader(lines, delimiter="\t"):
            rows += _labelled(row["sentence"], row["label_desc"], society=False)
    return rows


def _labelled(text: str, label: str, society: bool) -> list[tuple[str, int]]:
    accident = bool(ACCIDENT.search(text))
    if society:
        return [(text, 1)] if accident else []
    return [] if accident and label not in METAPHOR_CLASSES else [(text, 0)]


def balanced(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The rows with each positive repeated so both classes weigh about the same.

    With equal class totals SnowNLP's Bayes has no prior and a feature seen in neither class counts for
    nothing; with 15 times more negative text, every unseen word of a post would push it towards "safety".
    """
    positives = [row for row in rows if row[1]]
    share = round(sum(len(t) for t, y in rows if not y) / max(sum(len(t) for t, _ in positives), 1))
    return rows + positives * max(share - 1, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=DEFAULT_RELEVANCE_MODEL)
    args = parser.parse_args()
    train = args.data / "train"
    sets = {
        "cec_articles_train.jsonl": cec_rows(train / "cec_articles_train.jsonl"),
        "thucnews_titles_train.tsv": thucnews_rows(train / "thucnews_titles_train.tsv"),
        "tnews_toutiao_headlines.tsv": tnews_rows(train / "tnews_toutiao_headlines.tsv"),
    }
    segmenter = default_segmenter()
    splits = {name: split_holdout(rows) for name, rows in sets.items()}
    trial = fit(balanced([r for part, _ in splits.values() for r in part]), segmenter, MIN_COUNT)
    print("| held-out rows of | rows | positives | ROC-AUC |")
    print("|---|---|---|---|")
    held_all = [r for _, held in splits.values() for r in held]
    for name, (_, held) in splits.items():
        auc = f"{evaluate(trial, held, segmenter):.4f}" if len({y for _, y in held}) == 2 else "— (one class)"
        print(f"| train/{name} | {len(held)} | {sum(y for _, y in held)} | {auc} |")
    print(f"| all three | {len(held_all)} | {sum(y for _, y in held_all)} | {evaluate(trial, held_all, segmenter):.4f} |")
    for name, rows in sets.items():
        print(f"train/{name}: {len(rows)} rows, {sum(y for _, y in rows)} positive")
    everything = [r for rows in sets.values() for r in rows]
    model = fit(balanced(everything), segmenter, MIN_COUNT, version=VERSION)
    model.save(args.out)
    positives = sum(label for _, label in everything)
    print(f"final model: {len(everything)} rows ({positives} positive), {len(model.weights)} features, "
          f"{args.out.stat().st_size / 1e6:.2f} MB -> {args.out}")


if __name__ == "__main__":
    main()
