"""Command output: Chinese tables for the officer, JSON Lines (CONTRACTS.md §4) for machines."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "jsonl")


def write_jsonl(rows: Iterable[dict[str, Any]]) -> None:
    """One JSON object per line to stdout, in UTF-8 whatever the locale's encoding (a C or GBK locale)."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    for row in rows:
        out.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    out.flush()


def print_table(title: str, columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> None:
    """A rich table; ``columns`` are (key, heading) pairs, headings in Chinese where an officer reads them."""
    table = Table(title=Text(title), title_justify="left")
    for key, heading in columns:
        table.add_column(heading, justify="left" if key in {"source", "name", "title", "reason"} else "right")
    for row in rows:
        table.add_row(*(Text(_cell(row.get(key))) for key, _ in columns))  # scraped text is never rich markup
    Console(width=max(shutil.get_terminal_size((160, 40)).columns, 160)).print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
