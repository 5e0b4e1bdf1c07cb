"""`yuqing analyze`, `yuqing eval` and `yuqing train`: score posts, measure quality, retrain models."""

from __future__ import annotations

import json
from pathlib import Path

import click

from yuqing.context import AppContext, pass_app
from yuqing.output import FORMATS, print_table, write_jsonl

EVAL_COLUMNS = [("metric", "指标"), ("precision", "精确率"), ("recall", "召回率"), ("f1", "F1"),
                ("tp", "TP"), ("fp", "FP"), ("fn", "FN")]
LABEL_KEYS = ("id", "relevance", "negative", "event", "alert")


def read_posts(path: Path) -> list:
    """Post records of a JSON Lines file, read as `yuqing import` reads them; bad lines reported and skipped."""
    from storage.importer import parse_lines

    records = []
    with path.open("rb") as lines:
        for number, record in parse_lines(lines):
            if isinstance(record, str):
                click.echo(f"{path}:{number}: 已跳过：{record}", err=True)
            else:
                records.append(record)
    return records


def analyze_file(app: AppContext, source: Path, now: str | None) -> list[dict]:
    """Analyse the posts of a JSONL file without a database; one CONTRACTS.md §5 dict per post."""
    from analysis import Analyzer

    records = read_posts(source)
    if now is not None:
        app.now(now)  # validated; the analysis of a file depends only on the posts' own times
    batch = Analyzer(app.config).analyze(records)
    return [post.to_contract() for post in batch.posts]


@click.command()
@click.option("--input", "input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Analyse this JSON Lines file of posts instead of the database.")
@click.option("--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="With --input: write the scored lines here (default: stdout).")
@click.option("--now", help="ISO 8601 'now' (default: newest published_at of --input, else the wall clock).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Without --input: the top in-district incidents as a table or JSON Lines.")
@pass_app
def analyze(app: AppContext, input_file: Path | None, output_file: Path | None, now: str | None, fmt: str) -> None:
    """Score posts: relevance, in-district, sentiment, duplicates, events, risk level and alert.

    Without --input, analyses the stored posts not analysed yet (or by an older model version), raises their
    alerts and shows the top in-district incidents. With --input, writes one JSON line per post (CONTRACTS §5).
    """
    if input_file is None:
        from yuqing.commands.pipeline import analyze_database

        analyze_database(app, now, fmt=fmt)
        return
    rows = analyze_file(app, input_file, now)
    if output_file is None:
        write_jsonl(rows)
        return
    output_file.parent.mkdir(parents=True, exist_ok=True)
    with output_file.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    click.echo(f"已分析 {len(rows)} 条，结果写入 {output_file}", err=True)


@click.command("eval")
@click.option("--input", "input_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--labels", "labels_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--now", help="ISO 8601 'now' (default: newest published_at of --input).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_app
def evaluate_command(app: AppContext, input_file: Path, labels_file: Path, now: str | None, fmt: str) -> None:
    """Measure the analysis against labelled posts: P/R/F1 of safety, in-district, negative, alert, events."""
    from analysis.evaluate import evaluate

    labels = read_labels(labels_file)
    scored = analyze_file(app, input_file, now)
    if labels and all(source == "" for source, _ in labels):
        labels = {(s["source"], s["id"]): labels[("", s["id"])] for s in scored if ("", s["id"]) in labels}
    scores = evaluate(scored, labels)
    if fmt == "jsonl":
        write_jsonl(score.to_json() for score in scores)
    else:
        labelled = sum((s["source"], s["id"]) in labels for s in scored)
        print_table(f"评估结果（{labelled} 条有标注的帖子，共分析 {len(scored)} 条）", EVAL_COLUMNS,
                    (s.to_json() for s in scores))


def read_labels(path: Path) -> dict[tuple[str, str], dict]:
    """Label lines (CONTRACTS.md §5) keyed by (source or "", id); bad lines reported with their number and skipped."""
    labels = {}
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                click.echo(f"{path}:{number}: 已跳过：{type(exc).__name__}", err=True)
                continue
            missing = [key for key in LABEL_KEYS if not isinstance(item, dict) or key not in item]
            if missing:
                click.echo(f"{path}:{number}: 已跳过：缺少 {', '.join(missing)}", err=True)
                continue
            labels[(str(item.get("source") or ""), str(item["id"]))] = item
    return labels


@click.group()
def train() -> None:
    """Retrain the learned models from the operator's own labelled posts."""


@train.command("sentiment")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("var/models/sentiment.json.gz"),
              show_default=True)
@click.option("--with-base/--only-file", default=True, show_default=True,
              help="Also train on the shipped training corpora (../shared/data/train).")
def train_sentiment_command(file: Path, out: Path, with_base: bool) -> None:
    """Retrain sentiment from FILE (JSONL {"text", "label": 0|1} or TSV label<TAB>text)."""
    from analysis.sentiment import read_labelled, train_sentiment

    out.parent.mkdir(parents=True, exist_ok=True)
    report = train_sentiment(read_labelled(file), out, base_data=with_base)
    click.echo(f"情感模型已训练：{out}（{report}）", err=True)


@train.command("relevance")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("var/models/relevance.json.gz"),
              show_default=True)
@click.option("--with-base/--only-file", default=True, show_default=True,
              help="Build on the shipped model's counts (trained on ../shared/data/train).")
def train_relevance_command(file: Path, out: Path, with_base: bool) -> None:
    """Retrain the learned part of relevance from FILE: JSONL {"text", "label": 0|1} or
    {"title", "text", "relevance": 0|1|2} (1 and 2 are safety matters), or TSV label<TAB>text.

    Use the model with `analysis.relevance_model = "<out>"` in config.
    """
    from analysis.relevance_model import read_relevance_labelled, train_relevance

    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        report = train_relevance(read_relevance_labelled(file), out, base_data=with_base)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    click.echo(f"相关性模型已训练：{out}（{report}）", err=True)
