"""Readers of the labelled text files: the operator's own (JSONL or TSV) and the shared research sets.

Every reader yields (text, label) with label 1 = positive, 0 = negative. SMP2020-EWECT emotions map
to binary as happy → 1; angry, sad, fear → 0; neutral and surprise are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

SMP_EMOTION_LABELS = {"happy": 1, "angry": 0, "sad": 0, "fear": 0}


def _tsv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated file with a header line (no quoting: fields hold no tabs)."""
    with open(path, encoding="utf-8") as lines:
        header = next(lines).rstrip("\n").split("\t")
        for line in lines:
            yield dict(zip(header, line.rstrip("\n").split("\t")))


def read_research_file(path: Path) -> list[tuple[str, int]]:
    """A shared data set: `label`+`text`/`review` columns, or SMP2020 `emotion`+`text` mapped to binary."""
    rows = []
    for row in _tsv_rows(path):
        text = row.get("text", row.get("review", ""))
        if "emotion" in row:
            label = SMP_EMOTION_LABELS.get(row["emotion"])
        else:
            label = int(row["label"])
        if label is not None and text:
            rows.append((text, label))
    return rows


def parse_labelled_line(line: str, where: str) -> tuple[str, int] | None:
    """One operator line: JSON `{"text": …, "label": 0|1}` or `label<TAB>text`; None for blank lines."""
    line = line.strip("\r\n")
    if not line.strip():
        return None
    if line.lstrip().startswith("{"):
        record = json.loads(line)
        text, label = record["text"], record["label"]
    else:
        label, _, text = line.partition("\t")
    if str(label).strip() not in ("0", "1"):
        raise ValueError(f"{where}: label must be 0 or 1, got {label!r}")
    return str(text), int(label)


def read_labelled(
    path: Path, parse: Callable[[str, str], tuple[str, int] | None] = parse_labelled_line
) -> Iterator[tuple[str, int]]:
    """The operator's labelled posts, JSONL or TSV (`label\\ttext`, an optional `label\\ttext` header),
    each line read by `parse` (given the line and its `path:number`)."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if number == 1 and line.startswith("label\t"):
                continue
            row = parse(line, f"{path}:{number}")
            if row is not None:
                yield row
