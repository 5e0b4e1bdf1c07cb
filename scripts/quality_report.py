"""Measure the analysis on the development set and on the real eval sets; write docs/quality.md.

Files read (nothing is tuned here, the eval sets are only measured):
- fixtures/corpus/devset_posts.jsonl + devset_labels.jsonl: the labelled development set (`yuqing eval`);
- ../shared/data/eval/thucnews_titles_eval.tsv: THUCNews headlines, the nine non-society classes taken as
  posts published now (alert rate) and the society class (shown, no target);
- ../shared/data/eval/cec_articles.jsonl: CEC emergency reports (share judged safety matters);
- ../shared/data/eval/weibo2018_test.tsv, smp2020_virus_binary_eval.tsv, weibo_senti_eval_2000.tsv,
  smp2020_usual_eval.tsv: sentiment ROC-AUC (scripts/eval_sentiment.py's measure).

    PYTHONPATH=. .venv/bin/python scripts/quality_report.py [--data ../shared/data] [--out docs/quality.md]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from eval_sentiment import EVAL_SETS, measure

from analysis import Analyzer
from analysis.evaluate import evaluate
from analysis.relevance_model import default_relevance_model
from analysis.segment import default_segmenter
from analysis.sentiment import default_model
from analysis.sentiment.corpora import read_research_file
from analysis.sentiment.metrics import roc_auc
from config import load_config
from storage.records import PostRecord

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "corpus"
NOW = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
DEV_MINIMUMS = {"alert": "P ≥ 0.90, R ≥ 0.95", "in_district": "F1 ≥ 0.90", "events": "F1 ≥ 0.85"}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def post(number: int, title: str, text: str) -> PostRecord:
    return PostRecord(source="eval", id=str(number), url=f"eval:{number}", title=title, text=text or title,
                      author=None, published_at=NOW)


def dev_section() -> list[str]:
    """P/R/F1 per decision on the development set, and the risk level of each labelled incident."""
    records = [PostRecord.from_json(row) for row in read_jsonl(CORPUS / "devset_posts.jsonl")]
    labels = {(row["source"], row["id"]): row for row in read_jsonl(CORPUS / "devset_labels.jsonl")}
    batch = Analyzer(load_config()).analyze(records)
    scored = [result.to_contract() for result in batch.posts]
    lines = [f"## Development set ({len(records)} posts, `yuqing eval`)", "",
             "| metric | precision | recall | F1 | TP | FP | FN | minimum |", "|---|---|---|---|---|---|---|---|"]
    for score in evaluate(scored, labels):
        lines.append(f"| {score.metric} | {score.precision:.4f} | {score.recall:.4f} | {score.f1:.4f} | {score.tp} | "
                     f"{score.fp} | {score.fn} | {DEV_MINIMUMS.get(score.metric, '—')} |")
    lines += ["", "Risk of the incidents (each predicted event named by the labelled event most of its posts belong to):",
              "", "| level | score | posts | in district | labelled event | reason |", "|---|---|---|---|---|---|"]
    for state in sorted(batch.events.values(), key=lambda s: -s.risk.score):
        keys = [tuple(key.split(":", 1)) for key in state.event.posts]
        named = Counter(labels[key]["event"] for key in keys if key in labels).most_common(1)
        lines.append(f"| {state.risk.level} | {state.risk.score:.2f} | {len(keys)} | {'是' if state.in_district else '否'} "
                     f"| {named[0][0] if named else '—'} | {state.risk.reason} |")
    return lines + [""]


def thucnews_section(data: Path) -> list[str]:
    with (data / "eval" / "thucnews_titles_eval.tsv").open(encoding="utf-8") as lines:
        rows = list(csv.DictReader(lines, delimiter="\t"))
    batch = Analyzer(load_config()).analyze([post(i, "", row["title"]) for i, row in enumerate(rows)])
    lines = ["## THUCNews headlines (`eval/thucnews_titles_eval.tsv`)", "",
             "Each headline is a post published now. Target: alerts on ≤ 0.2 % of the non-society headlines.", "",
             "| class | headlines | safety matters | in district | alerts | alert rate |", "|---|---|---|---|---|---|"]
    classes: dict[str, list] = {}
    for row, result in zip(rows, batch.posts):
        classes.setdefault(row["label_zh"], []).append(result)
    other = [result for row, result in zip(rows, batch.posts) if row["label"] != "society"]
    for name, results in sorted(classes.items()) + [("非社会类合计", other)]:
        alerts = sum(r.alert for r in results)
        lines.append(f"| {name} | {len(results)} | {sum(r.relevance.safety for r in results)} | "
                     f"{sum(r.relevance.in_district for r in results)} | {alerts} | {alerts / len(results):.2%} |")
    return lines + [""]


def cec_section(data: Path) -> list[str]:
    articles = read_jsonl(data / "eval" / "cec_articles.jsonl")
    batch = Analyzer(load_config()).analyze([post(i, a["title"], a["text"]) for i, a in enumerate(articles)])
    lines = ["## CEC emergency reports (`eval/cec_articles.jsonl`)", "",
             "Target: ≥ 95 % judged safety matters.", "",
             "| category | reports | safety matters | share |", "|---|---|---|---|"]
    groups: dict[str, list[bool]] = {}
    for article, result in zip(articles, batch.posts):
        groups.setdefault(article["category"], []).append(result.relevance.safety)
    everything = [flag for flags in groups.values() for flag in flags]
    for name, flags in sorted(groups.items()) + [("合计", everything)]:
        lines.append(f"| {name} | {len(flags)} | {sum(flags)} | {sum(flags) / len(flags):.2%} |")
    return lines + [""] + relevance_model_lines(articles, data)


def relevance_model_lines(articles: list[dict], data: Path) -> list[str]:
    """ROC-AUC of the learned relevance model alone: CEC reports against non-society headlines."""
    model, segmenter = default_relevance_model(), default_segmenter()
    with (data / "eval" / "thucnews_titles_eval.tsv").open(encoding="utf-8") as lines:
        titles = [row["title"] for row in csv.DictReader(lines, delimiter="\t") if row["label"] != "society"]
    texts = [f"{a['title']}\n{a['text']}" for a in articles] + titles
    scores = [model.probability(segmenter.cut(text)) for text in texts]
    auc = roc_auc([1] * len(articles) + [0] * len(titles), scores)
    return [f"The learned relevance model alone ({model.version}) separates these reports from the non-society "
            f"headlines with ROC-AUC {auc:.4f}.", ""]


def sentiment_section(data: Path) -> list[str]:
    model = default_model()
    lines = [f"## Sentiment (model {model.version}, `scripts/eval_sentiment.py`)", "",
             "| eval file | rows | ROC-AUC | accuracy at 0.5 | ROC-AUC blended | minimum |", "|---|---|---|---|---|---|"]
    for name, (_, minimum) in EVAL_SETS.items():
        rows = read_research_file(data / "eval" / name)
        auc, accuracy, blended = measure(model, rows)
        floor = f"{minimum:.2f}" if minimum else "—"
        lines.append(f"| eval/{name} | {len(rows)} | {auc:.4f} | {accuracy:.4f} | {blended:.4f} | {floor} |")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "quality.md")
    args = parser.parse_args()
    started = time.perf_counter()
    body = dev_section() + thucnews_section(args.data) + cec_section(args.data) + sentiment_section(args.data)
    head = ["# Quality of the analysis", "",
            f"Written by `scripts/quality_report.py` (rerun it to refresh; {time.perf_counter() - started:.0f} s). "
            "The development set is ours (`fixtures/corpus`, see its README); the other figures come from the "
            "third-party eval sets in `../shared/data/eval`, which are only measured, never used to choose rules, "
            "words or thresholds (those were chosen on the development set and on `../shared/data/train`).", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(head + body), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
